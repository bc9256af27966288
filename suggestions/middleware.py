"""The admin's read-only pages (the index, an app's list, an object's history, the JavaScript catalogue, the
autocomplete, "view on site") answer GET and HEAD only, as every read-only view of ours does (``require_safe``);
Django answers a POST to them like a GET."""

from django.http import HttpResponseNotAllowed

ADMIN_READ_ONLY = {"index", "app_list", "jsi18n", "autocomplete", "view_on_site", "password_change_done"}
SAFE = ("GET", "HEAD")


def _read_only_admin_page(match):
    return "admin" in match.namespaces and (
        match.url_name in ADMIN_READ_ONLY or match.url_name.endswith("_history")
    )


class ReadOnlyAdminPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method not in SAFE
            and match is not None
            and match.url_name
            and _read_only_admin_page(match)
        ):
            return HttpResponseNotAllowed(SAFE)
        return None
