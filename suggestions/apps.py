from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = "建议办理"

    def ready(self):
        from . import checks, lookups  # noqa: F401 (checks registers itself)

        lookups.register()
