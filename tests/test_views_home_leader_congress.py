"""The leader's and congress staff's homes.

The leader sees the current session's key suggestions apart from earlier sessions', the portfolio's overdue
suggestions and those rated 不满意; congress staff see the overdue parts, the 不满意 ratings, the key suggestions
and a table of the units (主办, on-time rate, 满意率). Titles stand on a line of their own. The number of
queries does not grow with the data."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import statistics, workflow
from suggestions.models import CongressSession, Suggestion
from tests.conftest import AT, Journey
from tests.view_helpers import section, text

pytestmark = pytest.mark.django_db

HOME = reverse("suggestions:home")


def home(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


@pytest.fixture
def past(db):
    return CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)


@pytest.fixture
def current(session):
    CongressSession.objects.filter(pk=session.pk).update(is_current=True)
    return session


class World:
    """Suggestions in the traffic leader's portfolio (led by the transport bureau) at the points the homes show."""

    def __init__(self, *, office, clerk, head, units, deputy_user, categories, deputies, leaders):
        self.people = dict(office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user)
        self.categories, self.deputies, self.leaders = categories, deputies, leaders
        self.number = 100

    def journey(self, session, title, *, key=False, lead="transport", co=False):
        self.number += 1
        s = workflow.register(
            user=self.people["office"], at=AT, session=session, number=self.number, title=title,
            lead_deputy=self.deputies["lead"], joint_deputies=[self.deputies["joint"]],
            category=self.categories["城建交通"],
        )  # fmt: skip
        j = Journey(s, **self.people)
        units = self.people["units"]
        workflow.perform(
            "assign", user=self.people["office"], suggestion=s, at=AT, lead_unit=units[lead],
            co_units=[units["finance"]] if co else [], is_key=key,
            supervising_leader=self.leaders["traffic"] if key else None,
        )  # fmt: skip
        return j


@pytest.fixture
def world(office, clerk, head, units, deputy_user, categories, deputies, leaders):
    return World(office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user,
                 categories=categories, deputies=deputies, leaders=leaders)  # fmt: skip


def closed(j, rating=3, replied=False):
    if not replied:
        j.reply()
    j.rate(rating)
    workflow.perform("close", user=j.office, suggestion=j.s, at=j.step())
    return j


# --- the leader -------------------------------------------------------------------------------------------------


def test_the_leader_sees_this_sessions_key_suggestions_apart_from_past_ones(
    client, world, current, past, leader_user
):
    world.journey(current, "关于本届重点道路改造的建议", key=True)
    closed(world.journey(past, "关于往届重点公交发展的建议", key=True))
    world.journey(current, "关于一般事项的建议")
    response = home(client, leader_user)
    key, key_past = section(response, "todo-key"), section(response, "todo-key-past")
    assert "本届重点建议" in key and "八届人大五次会议" in key
    assert "关于本届重点道路改造的建议" in key and "关于往届重点公交发展的建议" not in key
    assert "关于往届重点公交发展的建议" in key_past and "关于本届重点道路改造的建议" not in key_past
    assert "八届人大四次会议" in key_past  # the session each past one belongs to
    assert "关于一般事项的建议" not in key + key_past


def test_the_leader_sees_the_portfolios_unsatisfied_and_overdue_suggestions(
    client, world, current, past, leader_user, other_leader_user
):
    world.journey(current, "关于不满意后重新办理的建议").reply().rate(1)
    closed(world.journey(current, "关于满意办结的建议"))
    old = world.journey(past, "关于往届不满意已办结的建议").reply().rate(1)
    old.s.refresh_from_db()  # the second round
    closed(old.sign().draft().sign_off().submit().accept(), rating=2, replied=True)
    world.journey(current, "关于超期未办的建议").sign()  # assigned on 2025-03-03: long past its deadline
    response = home(client, leader_user)
    unsatisfied, overdue = section(response, "todo-unsatisfied"), section(response, "todo-overdue")
    assert "关于不满意后重新办理的建议" in unsatisfied and "曾评价不满意" in unsatisfied
    assert "关于满意办结的建议" not in unsatisfied
    assert "关于往届不满意已办结的建议" not in unsatisfied  # closed, in a past session
    assert "关于超期未办的建议" in overdue and "关于满意办结的建议" not in overdue
    assert 'class="home-item-title"' in overdue  # the title on a line of its own
    assert "关于不满意后重新办理的建议" not in text(home(client, other_leader_user))


def test_a_past_session_suggestion_still_being_rehandled_stays_on_the_leaders_home(
    client, world, current, past, leader_user
):
    world.journey(past, "关于往届仍在重新办理的建议").reply().rate(1)
    assert "关于往届仍在重新办理的建议" in section(home(client, leader_user), "todo-unsatisfied")


# --- congress staff -----------------------------------------------------------------------------------------------


def test_congress_staff_see_overdue_parts_unsatisfied_ratings_and_key_suggestions(
    client, world, current, congress
):
    world.journey(current, "关于协办超期的建议", co=True).sign()
    world.journey(current, "关于评价不满意的建议").reply().rate(1, comment="路面仍未修复。")
    world.journey(current, "关于重点道路改造的建议", key=True)
    response = home(client, congress)
    overdue = section(response, "overview-overdue")
    assert "关于协办超期的建议" in overdue and "市财政局" in overdue and "协办" in overdue
    unsatisfied = section(response, "overview-unsatisfied")
    assert "关于评价不满意的建议" in unsatisfied and "赵明远：不满意" in unsatisfied
    assert "路面仍未修复。" in unsatisfied and "市交通运输局答复" in unsatisfied
    key = section(response, "overview-key")
    assert "关于重点道路改造的建议" in key and "督办领导 副市长王建国" in key
    assert "关于评价不满意的建议" not in key
    assert "data-action" not in text(response)  # nothing for them to do


def test_congress_staff_count_the_current_sessions_unsatisfied_ratings_only(
    client, world, current, past, congress
):
    world.journey(current, "关于评价不满意的建议").reply().rate(1)
    world.journey(current, "关于评价满意的建议").reply().rate(3)
    world.journey(past, "关于往届评价不满意的建议").reply().rate(1)
    unsatisfied = section(home(client, congress), "overview-unsatisfied")
    assert '<span class="badge text-bg-danger">1</span>' in unsatisfied
    assert "关于评价不满意的建议" in unsatisfied and "关于往届评价不满意的建议" not in unsatisfied


def row_of(response, unit):
    table = section(response, "unit-table")
    start = table.index(f'data-unit="{unit.pk}"')
    cells = table[start : table.index("</tr>", start)]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]


def test_congress_staff_read_each_units_handling_in_a_table(client, world, current, congress, units):
    on_time = world.journey(current, "关于按期答复的建议")
    closed(on_time)
    late = world.journey(current, "关于逾期答复的建议")
    late.at += datetime.timedelta(days=120)  # past the three months before the unit signs for it
    closed(late, rating=2)
    world.journey(current, "关于重新办理的建议").reply().rate(1)  # round 2 runs out a month after AT
    world.journey(current, "关于住建局主办的建议", lead="housing")
    response = home(client, congress)
    table = section(response, "unit-table")
    assert "按期答复率" in table and "期限内答复 ÷ 已答复" in table
    assert "（满意＋基本满意）÷ 已评价" in table and "统计口径" in table
    # 承办单位, 主办, 分办, 已答复, 按期答复率, 超期, 满意率 (满意+基本满意/已评价), 曾评价不满意
    assert row_of(response, units["transport"]) == [
        "市交通运输局",
        "3",
        "0",
        "3",
        "66.7%",
        "1",
        "100.0%（2/2）",
        "1",
    ]
    assert row_of(response, units["housing"]) == [
        "市住房和城乡建设管理局",
        "1",
        "0",
        "0",
        "—",
        "1",
        "—（0/0）",
        "0",
    ]


def test_the_unit_table_is_computed_by_the_database_from_the_final_ratings(world, current, units):
    closed(world.journey(current, "甲"))
    other = closed(world.journey(current, "乙"), rating=2)
    Suggestion.objects.filter(pk=other.s.pk).update(rating=1)  # a final 不满意 (closed without re-handling)
    rows = {r["unit"]: r for r in statistics.unit_handling(Suggestion.objects.filter(session=current))}
    transport = rows["市交通运输局"]
    assert (transport["lead"], transport["rated"], transport["pleased"]) == (2, 2, 1)
    assert transport["satisfaction_rate"] == 0.5 and transport["on_time_rate"] == 1.0


# --- queries ------------------------------------------------------------------------------------------------------


def counts(client, users):
    found = {}
    for name, user in users.items():
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        found[name] = len(captured)
    return found


def test_the_leaders_and_congress_homes_cost_the_same_queries_with_more_items(
    client, world, current, past, leader_user, congress
):
    def grow():
        world.journey(current, "本届重点", key=True, co=True).sign()
        closed(world.journey(past, "往届重点", key=True))
        world.journey(current, "不满意").reply().rate(1)
        closed(world.journey(current, "满意"), rating=2)
        world.journey(current, "住建局", lead="housing")

    users = {"leader": leader_user, "congress": congress}
    grow()
    small = counts(client, users)
    grow()
    grow()
    assert counts(client, users) == small, small
