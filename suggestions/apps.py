from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = "建议办理"

    def ready(self):
        from . import lookups

        lookups.register()
