"""An account whose password the office set chooses its own before anything else (PASSWORD_CHANGE_ON_FIRST_LOGIN).

The password page says why (``templates/registration/password_change_form.html``)."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# What such a person may still open: the page to change the password, and the way out.
ALLOWED = ("password_change", "password_change_done", "logout")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.PASSWORD_CHANGE_ON_FIRST_LOGIN
            and user is not None
            and user.is_authenticated
            and user.must_change_password
            and request.path not in {reverse(name) for name in ALLOWED}
            and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
        ):
            return redirect("password_change")
        return self.get_response(request)
