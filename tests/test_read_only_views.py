"""Every view that only shows something answers GET and HEAD only: a POST to it is a 405, never a page. Walked
from the URL configuration, so a new URL is refused here until it is either read-only or named in ``WRITES``."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from accounts.models import User

pytestmark = pytest.mark.django_db

# The views that take a POST (each changes something, behind CSRF); every other URL is read-only.
WRITES = {
    "login",
    "logout",
    "password_change",
    "account_deactivate",
    "account_reactivate",
    "unlock",
    "suggestions:batch",
    "suggestions:register",
    "suggestions:edit",
    "suggestions:act",
    "suggestions:act_on",
    "suggestions:reply_form",
    "suggestions:mark_read",
    "suggestions:delivery_retry",
    "suggestions:delivery_retry_failed",
    "suggestions:holiday_save",
    "suggestions:holiday_delete",
    # a GET of a small export answers at once; a POST starts it, a long one as a job in 「我的下载」
    "suggestions:export_summary",
    "suggestions:export_statistics",
    "suggestions:handling_report",
    "suggestions:import_upload",
    "suggestions:import_confirm",
    "suggestions:import_cancel",
    "suggestions:history_upload",
    "suggestions:history_confirm",
    "suggestions:history_cancel",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:auth_user_password_change",
}
ADMIN_WRITES = re.compile(r"^admin:\w+_(changelist|add|change|delete)$")


def walk(patterns, namespace="", prefix_kwargs=None):
    """(name, kwargs) of every named URL, with a made-up value for each parameter."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns, {**(prefix_kwargs or {}), **made_up(entry.pattern)})
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", {**(prefix_kwargs or {}), **made_up(entry.pattern)}


def made_up(pattern):
    if isinstance(pattern, RegexPattern):
        return {name: "suggestions" for name in pattern.regex.groupindex}  # admin's app_label
    return {name: "1" for name in getattr(pattern, "converters", {})}


URLS = sorted({name: kwargs for name, kwargs in walk(get_resolver().url_patterns)}.items())
READ_ONLY = [(n, k) for n, k in URLS if n not in WRITES and not ADMIN_WRITES.match(n)]


def test_the_walk_finds_the_apps_and_the_admins_pages():
    names = {n for n, _ in READ_ONLY}
    assert {"suggestions:home", "suggestions:detail", "admin:index", "lockouts", "account_events"} <= names
    assert any(n.endswith("_history") for n in names)


@pytest.mark.parametrize("name, kwargs", READ_ONLY, ids=[n for n, _ in READ_ONLY])
def test_a_post_to_a_read_only_view_is_refused(client, name, kwargs):
    client.force_login(User.objects.create_superuser(username="root", password="Zx9!longpass"))
    url = reverse(name, kwargs=kwargs)
    response = client.post(url, {"id": "1", "title": "x"})
    assert response.status_code == 405, url
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD"]


@pytest.mark.parametrize("name", sorted(WRITES - {"logout", "admin:logout"}))
def test_a_view_that_writes_still_takes_a_post(client, name):
    client.force_login(User.objects.create_superuser(username="root", password="Zx9!longpass"))
    kwargs = dict(URLS)[name]
    assert client.post(reverse(name, kwargs=kwargs), {}).status_code != 405
