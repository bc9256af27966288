"""Each person's pages cost what they see: on the demo, and on the demo with a few hundred more suggestions of
other deputies and units (their parts, joint deputies, events) and a timeline of 200 events, every home, list,
suggestion page and notification list runs the same number of queries (issue 12). The figures at 100,000
suggestions are in docs/benchmarks.md."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from suggestions import access
from suggestions.models import (
    Assignment,
    Category,
    CongressSession,
    Delegation,
    Deputy,
    Event,
    HandlingUnit,
    Leader,
    Notification,
    Suggestion,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

S = Suggestion.State
STATES = [S.REGISTERED, S.ASSIGNED, S.IN_HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED]
BULK = 300
HOME = reverse("suggestions:home")
LIST = reverse("suggestions:list")
NOTIFICATIONS = reverse("suggestions:notifications")


def long_one():
    """deputy1's No. 1 of the current session (市交通运输局 leads it): the one given a long timeline."""
    deputy1 = User.objects.get(username="deputy1")
    return Suggestion.objects.get(lead_deputy_id=deputy1.deputy_id, session__is_current=True, number=1)


def add_bulk(n=BULK, events=200, tag="批量", start=10_000):
    """``n`` suggestions of other deputies and units in every state over two sessions, each with its lead part,
    a joint deputy and three events; ``events`` more events on ``long_one`` (of every audience, half on its
    lead part); 60 notifications for deputy1 and unit1 (with ``events``). None of the bulk rows is a demo deputy's or unit's."""
    leaders = list(Leader.objects.all())
    delegation = Delegation.objects.create(name=f"{tag}代表团")
    deputies = [Deputy.objects.create(name=f"{tag}代表{i}", delegation=delegation) for i in range(20)]
    units = [
        HandlingUnit.objects.create(
            name=f"{tag}单位{i}", short_name=f"{tag}{i}", leader=leaders[i % len(leaders)]
        )
        for i in range(10)
    ]
    categories = list(Category.objects.all())
    sessions = list(CongressSession.objects.order_by("-is_current", "-year")[:2])
    today = timezone.localdate()
    rows = []
    for i in range(n):
        session, state, unit = sessions[i % 2], STATES[i % len(STATES)], units[i % len(units)]
        assigned = today - datetime.timedelta(days=i % 150)
        rows.append(
            Suggestion(session=session, number=start + i, title=f"关于第{i}项批量工作的建议", content="内容",
                       lead_deputy=deputies[i % 20], delegation=delegation, category=categories[i % len(categories)],
                       leader=unit.leader, is_key=i % 7 == 0, supervising_leader=unit.leader if i % 7 == 0 else None,
                       state=state,
                       lead_unit=None if state == S.REGISTERED else unit,
                       assigned_on=None if state == S.REGISTERED else assigned,
                       deadline=None if state == S.REGISTERED else assigned + datetime.timedelta(days=91),
                       rating=1 + i % 3 if state in (S.REPLIED, S.CLOSED) else None,
                       result_class="A" if state in (S.REPLIED, S.CLOSED) else "")
        )  # fmt: skip
    bulk = Suggestion.objects.bulk_create(rows)
    Assignment.objects.bulk_create(
        Assignment(suggestion=s, unit=s.lead_unit, role="lead", assigned_on=s.assigned_on, deadline=s.deadline,
                   original_deadline=s.deadline, state="signed" if s.state == S.IN_HANDLING else "pending")
        for s in bulk if s.lead_unit
    )  # fmt: skip
    Suggestion.joint_deputies.through.objects.bulk_create(
        Suggestion.joint_deputies.through(suggestion=s, deputy=deputies[(i + 1) % 20])
        for i, s in enumerate(bulk)
    )
    audiences = list(Event.Audience.values)
    Event.objects.bulk_create(
        Event(suggestion=s, action="note", label="备注", audience=audiences[k % 3], note="批量")
        for s in bulk
        for k in range(3)
    )
    if not events:
        return bulk
    target = long_one()
    part = target.assignments.get(role="lead")
    Event.objects.bulk_create(
        Event(suggestion=target, assignment=part if i % 2 else None, action="log_contact", label="记录沟通",
              audience=audiences[i % len(audiences)], note=f"第{i}次沟通")
        for i in range(events)
    )  # fmt: skip
    for username in ("deputy1", "unit1"):
        user = User.objects.get(username=username)
        Notification.objects.bulk_create(
            Notification(recipient=user, suggestion=target, text=f"第{i}条通知") for i in range(60)
        )
    return bulk


def queries(username, url):
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (username, url, response.status_code)
    return len(captured)


def detail():
    return reverse("suggestions:detail", args=[long_one().pk])


PAGES = [
    *[(name, lambda: HOME) for name in ("office", "unit1", "unit1_head", "deputy1", "leader", "congress")],
    *[(name, lambda: LIST) for name in ("office", "unit1", "deputy1", "leader")],
    *[(name, detail) for name in ("office", "unit1", "deputy1", "congress")],
    *[(name, lambda: NOTIFICATIONS) for name in ("unit1", "deputy1")],
]


@pytest.mark.parametrize("username,url", PAGES, ids=[f"{name}-{i}" for i, (name, _) in enumerate(PAGES)])
def test_a_page_runs_as_many_queries_on_the_demo_as_with_hundreds_more_rows_and_a_long_timeline(
    username, url
):
    add_bulk(
        n=2 * len(STATES), events=0, tag="另", start=20_000
    )  # each state in both sessions: no card empty
    on_the_demo = queries(username, url())
    add_bulk()
    assert queries(username, url()) == on_the_demo


def timeline_entries(response):
    html = response.content.decode()
    block = html[html.index('id="timeline"') :]
    return block[: block.index("</ul>")].count("<li>")


def test_the_suggestion_page_shows_the_latest_events_and_links_to_the_whole_timeline(client):
    add_bulk(n=0, events=240)  # every fourth is for everyone: 60 the deputy reads
    target = long_one()
    deputy1 = User.objects.get(username="deputy1")
    client.force_login(deputy1)
    readable = target.events.filter(access.event_condition(deputy1))
    page = client.get(reverse("suggestions:detail", args=[target.pk]))
    assert timeline_entries(page) == access.TIMELINE_LATEST
    assert "显示全部办理过程" in page.content.decode()
    assert "第236次沟通" in page.content.decode()  # the latest are shown, the first ones left out
    assert "第40次沟通" in page.content.decode()
    assert "第36次沟通" not in page.content.decode()
    whole = client.get(reverse("suggestions:detail", args=[target.pk]), {"timeline": "all"})
    assert timeline_entries(whole) == readable.count()
    assert "第0次沟通" in whole.content.decode()
    assert "显示全部办理过程" not in whole.content.decode()
    assert "第1次沟通" not in whole.content.decode()  # a government-only event: still not the deputy's


def test_a_short_timeline_is_shown_whole_without_the_link(client):
    deputy1 = User.objects.get(username="deputy1")
    client.force_login(deputy1)
    target = long_one()
    page = client.get(reverse("suggestions:detail", args=[target.pk]))
    assert timeline_entries(page) == target.events.filter(access.event_condition(deputy1)).count()
    assert "显示全部办理过程" not in page.content.decode()
