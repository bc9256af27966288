"""超期 has one definition: a suggestion still being handled with a unit's part past its deadline (a co-unit's
opinion included). The list's 超期 filter, the office's card, the figures and the 汇总表 count the same ones."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from suggestions import statistics, workflow
from suggestions.models import CongressSession, Suggestion
from tests.view_helpers import dated_today, section, text

pytestmark = pytest.mark.django_db

TOTAL = re.compile(r"共\s*(\d+)\s*件")


@pytest.fixture
def late(journey, office, clerk, units, deputies, categories, session):
    """Three suggestions:

    no  session   parts                                         overdue
    1   current   主办 交通运输局 (signed, due in 7 weeks),       yes: only the co-unit's opinion is late
                  协办 财政局 (its opinion was due 10 days ago)
    2   2024      主办 交通运输局, 协办 财政局, both late           yes: two late parts
    3   current   主办 交通运输局, reply submitted after the      no: the office's review is not the unit's
                  deadline, 协办 财政局 sent its opinion            delay
    """
    session.is_current = True
    session.save()
    today = timezone.localdate()
    road = dated_today(journey)
    workflow.perform(
        "assign",
        user=office,
        suggestion=road.s,
        at=road.step(),
        assigned_on=today - datetime.timedelta(days=40),
        lead_unit=units["transport"],
        co_units=[units["finance"]],
    )
    road.sign()

    past = CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)
    old = workflow.register(
        user=office,
        at=road.step(),
        session=past,
        number=1,
        title="关于老旧小区改造的建议",
        lead_deputy=deputies["lead"],
        category=categories["城建交通"],
    )
    workflow.perform(
        "assign",
        user=office,
        suggestion=old,
        at=road.step(),
        assigned_on=datetime.date(2024, 3, 4),
        lead_unit=units["transport"],
        co_units=[units["finance"]],
    )

    reviewed = workflow.register(
        user=office,
        at=road.step(),
        session=session,
        number=2,
        title="关于增设公交站点的建议",
        lead_deputy=deputies["lead"],
        category=categories["城建交通"],
    )
    workflow.perform(
        "assign",
        user=office,
        suggestion=reviewed,
        at=road.step(),
        assigned_on=today - datetime.timedelta(days=100),
        lead_unit=units["transport"],
    )
    bus = dated_today(type(journey)(reviewed, office=office, clerk=clerk, head=journey.head, units=units,
                                    deputy_user=journey.deputy_user))  # fmt: skip
    bus.sign().draft().sign_off().submit()
    assert Suggestion.objects.get(pk=reviewed.pk).deadline < today
    return {"road": road.s, "old": old, "reviewed": reviewed, "past": past}


def list_total(client, params):
    response = client.get(reverse("suggestions:list"), params)
    assert response.status_code == 200, params
    return int(TOTAL.search(text(response)).group(1)), response


def test_a_co_units_late_opinion_makes_the_suggestion_overdue(late):
    road = Suggestion.objects.get(pk=late["road"].pk)
    assert road.deadline > timezone.localdate()  # the suggestion's own deadline has not come
    assert road.is_overdue()
    assert list(Suggestion.objects.overdue().order_by("pk")) == [road, late["old"]]
    assert not Suggestion.objects.get(pk=late["reviewed"].pk).is_overdue()


def test_the_office_card_and_the_list_count_the_same_suggestions(client, office, late):
    client.force_login(office)
    card = section(client.get(reverse("suggestions:home")), "todo-overdue")
    assert "超期未办结2件（2个承办单位）" in card  # 交通运输局 and 财政局
    assert "逾期未完成的各单位办理任务3项" in card  # the card lists the parts
    link = re.search(r'href="([^"]*overdue=true[^"]*)"', card).group(1).replace("&amp;", "&")
    total, response = list_total(client, dict(pair.split("=") for pair in link.split("?")[1].split("&")))
    assert total == 2
    assert "关于农村道路提档升级的建议" in text(response) and "关于老旧小区改造的建议" in text(response)


def test_the_lists_filter_and_the_figures_agree_for_a_session_and_for_all(client, office, late):
    client.force_login(office)
    current = Suggestion.objects.filter(session=late["road"].session)
    assert list_total(client, {"overdue": "true"})[0] == statistics.summary(current)["overdue"] == 1
    everything = Suggestion.objects.all()
    assert list_total(client, {"session": "all", "overdue": "true"})[0] == 2
    assert statistics.summary(everything)["overdue"] == 2
    assert list_total(client, {"session": "all", "overdue": "false"})[0] == 1


def test_the_list_marks_the_row_overdue(client, office, late):
    client.force_login(office)
    _, response = list_total(client, {"overdue": "true"})
    row = text(response).split("关于农村道路提档升级的建议")[1].split("</tr>")[0]
    assert "超期" in row


def test_the_summary_sheet_says_overdue_for_the_same_suggestions(late):
    from suggestions.exports.summary import rows as summary_rows

    rows = list(summary_rows(Suggestion.objects.order_by("session__year", "number"), timezone.localdate()))
    overdue = {row[2]: row[21] for row in rows}  # 案由 -> 超期
    assert overdue == {
        "关于老旧小区改造的建议": "是",
        "关于农村道路提档升级的建议": "是",
        "关于增设公交站点的建议": "否",
    }
