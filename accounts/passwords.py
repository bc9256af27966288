"""Password rules of our own, beside Django's (whose messages Django already gives in Chinese).

The demo password is public (README, seed_demo), so no account may choose it; nor a password holding the
username (``unit7unit7`` for ``unit7``), whatever the letters' case.
"""

from django.core.exceptions import ValidationError

MIN_USERNAME_LENGTH = 3  # a one- or two-letter username would refuse half of all passwords


def _demo_password():
    from suggestions.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


class NotTheDemoPasswordValidator:
    def validate(self, password, user=None):
        if _demo_password().casefold() in password.casefold():
            raise ValidationError("不能使用演示账户的公开密码，请另设一个密码。", code="password_is_demo")

    def get_help_text(self):
        return "不能使用演示账户的公开密码。"


class NoUsernameInPasswordValidator:
    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= MIN_USERNAME_LENGTH and username in password.casefold():
            raise ValidationError("密码中不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码中不能包含用户名。"
