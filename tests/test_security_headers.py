"""What every page sends in every mode: a Content-Security-Policy that runs scripts only from our own files (and
pages that need nothing else: no inline <script>, no onclick=), X-Frame-Options: DENY, and session and CSRF
cookies that scripts cannot read, with a session that ends after a working day idle. The production-only parts
(HSTS, the https redirect behind nginx, Secure cookies) are in test_production_settings.py and
test_production_servers.py."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from suggestions.models import Suggestion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

DEMO_ROLES = ["office", "leader", "congress", "unit1", "unit1_head", "deputy1"]


class Scripts(HTMLParser):
    """The scripts a page would run: inline <script> bodies, on…= handler attributes and javascript: links."""

    def __init__(self):
        super().__init__()
        self.inline, self.handlers, self.sources, self._in_inline = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.handlers.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            if attrs.get("src"):
                self.sources.append(attrs["src"])
            elif attrs.get("type") != "application/json":  # data for a script (json_script), never run
                self._in_inline = True
                self.inline.append("")

    def handle_data(self, data):
        if self._in_inline:
            self.inline[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline = False


def scripts_of(response):
    parser = Scripts()
    parser.feed(response.content.decode())
    return parser


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def pages_of(user):
    """Every kind of page this person opens in a day: home, the list, a suggestion of theirs (the first and the
    last they may see), the figures when they may read them, notifications, the password form; the admin for the
    office."""
    visible = Suggestion.objects.visible_to(user).order_by("pk")
    urls = [reverse("suggestions:home"), reverse("suggestions:list"), reverse("suggestions:notifications")]
    urls += [reverse("suggestions:detail", args=[s.pk]) for s in {visible.first(), visible.last()} if s]
    if user.has_perm("suggestions.view_statistics"):
        urls.append(reverse("suggestions:dashboard"))
    if user.has_perm("suggestions.register"):
        urls.append(reverse("suggestions:register"))
    urls.append(reverse("password_change"))
    if user.is_staff:
        some = visible.first()
        urls += [
            reverse("admin:index"),
            reverse("admin:suggestions_suggestion_changelist"),
            reverse("admin:suggestions_suggestion_change", args=[some.pk]),
            reverse("admin:accounts_user_changelist"),
        ]
    return urls


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_no_page_of_any_role_carries_a_script_of_its_own_and_every_one_sends_the_policy(client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    urls = pages_of(user)
    assert len(urls) >= 5
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = scripts_of(response)
        assert found.inline == [], f"{url}: inline <script>"
        assert found.handlers == [], f"{url}: inline handlers"
        # our own files (the admin's translations come from /admin/jsi18n/), nothing from another host
        assert found.sources and all(re.match(r"/[^/]", src) for src in found.sources), url
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["default-src"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_and_the_error_pages_send_the_policy_too(client):
    login = client.get(reverse("login"))
    assert login.status_code == 200 and directives(login)["script-src"] == ["'self'"]
    assert scripts_of(login).inline == [] and scripts_of(login).handlers == []
    client.force_login(User.objects.get(username="deputy1"))
    missing = client.get("/suggestions/999999999/")
    assert missing.status_code == 404 and directives(missing)["script-src"] == ["'self'"]


def test_a_failed_action_reopens_its_dialog_without_an_inline_script(client):
    """The page names the dialog to reopen in data-open-modal; static/js/page.js opens it."""
    office = User.objects.get(username="office")
    client.force_login(office)
    registered = Suggestion.objects.filter(state=Suggestion.State.REGISTERED).order_by("pk").first()
    response = client.post(reverse("suggestions:act", args=[registered.pk, "assign"]), {"mode": "lead"})
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'data-open-modal="action-assign-s"', page)
    assert 'id="action-assign-s"' in page
    assert scripts_of(response).inline == []
    assert Suggestion.objects.get(pk=registered.pk).state == Suggestion.State.REGISTERED


def test_the_session_and_csrf_cookies_are_out_of_reach_of_scripts(client):
    response = client.post(reverse("login"), {"username": "office", "password": "Demo@2024"})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == 8 * 60 * 60
    form = client.get(reverse("suggestions:register"))
    assert form.cookies[settings.CSRF_COOKIE_NAME]["httponly"]


def test_a_session_ends_after_a_working_day_idle_and_each_request_starts_the_day_again(client):
    from django.contrib.sessions.models import Session

    client.force_login(User.objects.get(username="office"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(reverse("suggestions:home"))
    expires = Session.objects.get(session_key=key).expire_date
    assert abs(expires - (timezone.now() + datetime.timedelta(hours=8))) < datetime.timedelta(minutes=1)

    # Idle since 7 hours and 59 minutes: the next page still opens, and the day starts again.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get(reverse("suggestions:home")).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed - timezone.now() > datetime.timedelta(hours=7, minutes=59)

    # Idle for more than 8 hours: the session is over, the login page asks again.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("suggestions:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
