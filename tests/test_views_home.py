"""Each role's home page: its to-do cards with the suggestions waiting for it, then the figures; and a number
of queries that does not grow with the number of items."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import workflow
from suggestions.models import Suggestion
from tests.conftest import AT, Journey
from tests.view_helpers import section, text

pytestmark = pytest.mark.django_db

HOME = reverse("suggestions:home")
TITLE = "关于农村道路提档升级的建议"


def home(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def test_office_sees_a_registered_suggestion_to_assign(client, registered, office):
    response = home(client, office)
    assert TITLE in section(response, "todo-to-assign")
    assert TITLE not in section(response, "todo-review")


def test_office_sees_a_submitted_reply_to_review(client, journey, office):
    journey.assign().sign().draft().sign_off().submit()
    response = home(client, office)
    assert TITLE in section(response, "todo-review")
    assert "市交通运输局" in section(response, "todo-review")
    assert TITLE not in section(response, "todo-to-assign")


def test_office_sees_reassignment_requests_and_ratings_missing(client, journey, office, clerk):
    journey.assign()
    workflow.perform("request_reassignment", user=clerk, suggestion=journey.s, assignment=journey.lead,
                     reason="道路养护属住建局职责", at=AT)  # fmt: skip
    response = home(client, office)
    assert "道路养护属住建局职责" in section(response, "todo-requests")


def test_office_sees_a_reply_waiting_for_the_rating(client, journey, office):
    journey.assign().reply()
    assert TITLE in section(home(client, office), "todo-ratings")


def test_office_sees_an_open_commitment_due_until_it_is_kept(client, journey, office):
    journey.assign().sign().draft(
        "B"
    ).sign_off().submit().accept()  # 承诺 年内完成改造 by 2025-12-31: past due
    card = section(home(client, office), "todo-commitments")
    assert TITLE in card and "市交通运输局：年内完成改造" in card
    assert '<span class="badge text-bg-warning">1</span>' in card
    journey.lead.replies.update(commitment_done_on=datetime.date(2025, 12, 20))
    card = section(home(client, office), "todo-commitments")
    assert TITLE not in card and '<span class="badge text-bg-secondary">0</span>' in card


def test_the_unit_sees_its_assignment_to_sign_for(client, journey, clerk, co_clerk, outsider_clerk):
    journey.assign()
    assert TITLE in section(home(client, clerk), "todo-sign-for")
    assert TITLE in section(home(client, co_clerk), "todo-sign-for")
    response = home(client, outsider_clerk)
    assert TITLE not in text(response)
    assert "市卫生健康和体育局 · 待办事项" in text(response)


def test_the_unit_head_sees_the_reply_waiting_for_signature(client, journey, head, clerk):
    journey.assign().sign().draft()
    assert TITLE in section(home(client, head), "todo-sign-off")
    assert TITLE not in section(home(client, clerk), "todo-sign-for")


def test_a_returned_reply_waits_for_the_unit(client, journey, clerk, office):
    journey.assign().sign().draft().sign_off().submit()
    workflow.perform("review_reply", user=office, suggestion=journey.s, assignment=journey.lead,
                     accept=False, reason="未逐条答复")  # fmt: skip
    assert TITLE in section(home(client, clerk), "todo-returned")


def test_the_deputies_see_the_reply_waiting_for_their_rating(
    client, journey, deputy_user, joint_deputy_user, other_deputy_user
):
    journey.assign().reply()
    assert TITLE in section(home(client, deputy_user), "todo-rate")
    assert TITLE in section(home(client, joint_deputy_user), "todo-rate")
    assert TITLE not in text(home(client, other_deputy_user))
    journey.rate(3)
    assert TITLE not in section(home(client, deputy_user), "todo-rate")
    assert TITLE in section(home(client, deputy_user), "my-suggestions")


def test_the_leader_sees_the_key_suggestion_they_supervise(
    client, journey, leader_user, other_leader_user, leaders
):
    workflow.perform(
        "assign", user=journey.office, suggestion=journey.s, at=AT, lead_unit=journey.units["health"],
        leader=leaders["health"], is_key=True, supervising_leader=leaders["traffic"],
    )  # fmt: skip
    assert TITLE in section(home(client, leader_user), "todo-key")  # supervises it, outside the portfolio
    assert TITLE in section(home(client, other_leader_user), "todo-key")  # in the portfolio
    Suggestion.objects.filter(pk=journey.s.pk).update(is_key=False, supervising_leader=None)
    assert TITLE not in text(home(client, leader_user))


def test_congress_staff_see_the_figures_and_no_to_do(client, journey, congress):
    journey.assign().reply()
    response = home(client, congress)
    html = text(response)
    assert "建议办理概况" in html and "建议总数" in html and "办结率" in html
    assert 'id="todo-' not in html


# --- queries ----------------------------------------------------------------------------------------------


def world(n, *, office, clerk, head, units, deputy_user, session, categories, deputies, leaders, start):
    """``n`` suggestions at each point the home pages list: registered, waiting for sign-for, reply
    drafted, reply submitted, replied (B class, waiting for the rating), key."""
    number = start
    stages = ["registered", "assigned", "drafted", "submitted", "replied"]
    for stage in stages:
        for _ in range(n):
            number += 1
            s = workflow.register(
                user=office, at=AT, session=session, number=number, title=f"建议{number}",
                lead_deputy=deputies["lead"], joint_deputies=[deputies["joint"]], category=categories["城建交通"],
            )  # fmt: skip
            j = Journey(s, office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user)
            if stage == "registered":
                continue
            j.assign()
            Suggestion.objects.filter(pk=s.pk).update(is_key=True, supervising_leader=leaders["traffic"])
            if stage in ("drafted", "submitted", "replied"):
                j.sign().draft("B")
            if stage in ("submitted", "replied"):
                j.sign_off().submit()
            if stage == "replied":
                j.accept()
    return number


def counts(client, users):
    found = {}
    for name, user in users.items():
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        found[name] = len(captured)
    return found


def test_home_queries_do_not_grow_with_the_items(
    client,
    office,
    clerk,
    head,
    units,
    deputy_user,
    leader_user,
    congress,
    session,
    categories,
    deputies,
    leaders,
):
    people = dict(office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user, session=session,
                  categories=categories, deputies=deputies, leaders=leaders)  # fmt: skip
    users = {"office": office, "unit": clerk, "head": head, "deputy": deputy_user, "leader": leader_user,
             "congress": congress}  # fmt: skip
    last = world(1, start=0, **people)
    small = counts(client, users)
    world(2, start=last, **people)  # three of each: a query per row would show
    large = counts(client, users)
    assert large == small, (small, large)


def test_a_unit_sees_its_overdue_parts_on_its_home(client, journey, clerk, outsider_clerk):
    journey.assign().sign()  # assigned on 2025-03-03: the three months ran out long ago
    assert TITLE in section(home(client, clerk), "todo-overdue")
    assert TITLE not in section(home(client, outsider_clerk), "todo-overdue")


def test_a_units_cards_are_counted_in_one_query_with_the_same_figures(client, journey, clerk, co_clerk):
    journey.assign().sign()
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(HOME)
    over_parts = ("SELECT COUNT", 'FROM "suggestions_assignment"')  # the seven cards; not the commitments'
    assert len([q for q in captured if all(part in q["sql"] for part in over_parts)]) == 1
    assert '待签收 <span class="badge text-bg-secondary">0</span>' in section(response, "todo-sign-for")
    assert TITLE in section(response, "todo-open") and TITLE in section(response, "todo-overdue")
    assert '<span class="badge text-bg-secondary">1</span>' in section(response, "todo-open")
    assert TITLE in section(home(client, co_clerk), "todo-opinions")
