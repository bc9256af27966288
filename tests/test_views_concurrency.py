"""Two people on the same suggestion at once: the first POST wins, the second gets a clear message, and
nothing is half-saved. Sequential requests with a stale form, and one real race on PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.test import Client

from accounts.roles import Role
from suggestions.models import Assignment, Rating, Rehandling, Suggestion
from tests.conftest import make_user
from tests.view_helpers import buttons, detail_url, iso, messages_shown, post_action, today
from tests.workflow_helpers import snapshot

pytestmark = pytest.mark.django_db


def assign_form(unit):
    return {"mode": "lead", "lead_unit": unit.pk, "assigned_on": iso(today()), "months": "3"}


def test_two_office_users_assign_the_same_suggestion(registered, office, units):
    first, second = Client(), Client()
    first.force_login(office)
    second.force_login(make_user("office2", Role.OFFICE))
    for person in (first, second):  # both have the page, and its assign form, open
        assert "assign" in buttons(person.get(detail_url(registered)))

    won = post_action(first, registered, "assign", assign_form(units["transport"]))
    assert messages_shown(won) == ["交办：已完成。"]
    before = snapshot(registered)
    lost = post_action(second, registered, "assign", assign_form(units["housing"]))
    assert messages_shown(lost) == ["建议当前状态为「已交办」，不能交办。"]
    assert snapshot(registered) == before
    lead = Assignment.objects.get(suggestion=registered, role="lead")
    assert lead.unit == units["transport"]


def test_the_office_closes_while_the_deputy_rates(client, journey, office, deputy_user):
    """The reply was accepted long ago, so the office may close unrated; the deputy's page is stale."""
    s = journey.assign().reply().s
    deputy = Client()
    deputy.force_login(deputy_user)
    assert "rate" in buttons(deputy.get(detail_url(s)))

    client.force_login(office)
    assert messages_shown(post_action(client, s, "close", {"note": "代表逾期未评价"})) == ["办结：已完成。"]
    before = snapshot(s)
    response = post_action(deputy, s, "rate", {"overall": "1", "comment": "路面仍未修复", "confirmed": "1"})
    assert messages_shown(response) == ["建议当前状态为「已办结」，不能评价答复。"]
    assert snapshot(s) == before
    assert not Rating.objects.exists() and not Rehandling.objects.exists()


def test_the_deputy_rates_while_the_office_closes(client, journey, office, deputy_user):
    s = journey.assign().reply().s
    client.force_login(office)
    assert "close" in buttons(client.get(detail_url(s)))

    deputy = Client()
    deputy.force_login(deputy_user)
    response = post_action(deputy, s, "rate", {"overall": "1", "comment": "路面仍未修复", "confirmed": "1"})
    assert messages_shown(response) == ["评价答复：已完成。"]
    before = snapshot(s)
    response = post_action(client, s, "close", {"note": ""})
    assert messages_shown(response) == ["建议当前状态为「重新办理」，不能办结。"]
    assert snapshot(s) == before
    s.refresh_from_db()
    assert (s.state, s.closed_at, s.round) == (Suggestion.State.REHANDLING, None, 2)
    assert Rating.objects.count() == 1 and Rehandling.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_office_users_post_assign_at_the_same_moment(office, registered, units):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock is exercised on PostgreSQL")
    other = make_user("office2", Role.OFFICE)
    start = threading.Barrier(2)
    results = {}

    def post(user, unit):
        person = Client()
        person.force_login(user)
        start.wait()
        try:
            results[user.username] = messages_shown(
                post_action(person, registered, "assign", assign_form(unit))
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post, args=(office, units["transport"])),
        threading.Thread(target=post, args=(other, units["housing"])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(m for ms in results.values() for m in ms) == [
        "交办：已完成。",
        "建议当前状态为「已交办」，不能交办。",
    ]
    assert Assignment.objects.filter(suggestion=registered, role="lead").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_deputy_rates_and_the_office_closes_at_the_same_moment(journey, office, deputy_user):
    """Both press their button at once: one is done, the other is told the state changed; nothing is half-saved."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock is exercised on PostgreSQL")
    s = journey.assign().reply().s  # accepted in March 2025: the office may close it unrated
    start = threading.Barrier(2)
    results = {}

    def post(user, action, data):
        person = Client()
        person.force_login(user)
        start.wait()
        try:
            results[action] = messages_shown(post_action(person, s, action, data))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post, args=(office, "close", {"note": "代表逾期未评价"})),
        threading.Thread(
            target=post,
            args=(deputy_user, "rate", {"overall": "1", "comment": "路面仍未修复", "confirmed": "1"}),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    s.refresh_from_db()
    if results["close"] == ["办结：已完成。"]:
        assert results["rate"] == ["建议当前状态为「已办结」，不能评价答复。"]
        assert s.state == Suggestion.State.CLOSED
        assert not Rating.objects.exists() and not Rehandling.objects.exists()
    else:
        assert results == {
            "rate": ["评价答复：已完成。"],
            "close": ["建议当前状态为「重新办理」，不能办结。"],
        }
        assert (s.state, s.closed_at) == (Suggestion.State.REHANDLING, None)
        assert Rating.objects.count() == 1 and Rehandling.objects.count() == 1
