"""Figures that never hide an unsatisfied rating (issue 8): one suggestion rated 不满意, re-handled and rated 满意,
one still being re-handled after its 不满意; every figure and output that shows them says what it counts.

    no  title     first round           second round           contact        key
    1   农村道路    不满意 (赵明远)          满意, closed            电话交流 only   yes (王建国)
    2   公交站点    不满意                  being re-handled       登门走访

Final rating: 满意 1 of 1 rated (100%); first round: 不满意 2 of 2 (初次办理满意率 0%); 曾评价不满意 2; 正在重新办理 1;
见面率 1 of 2 (50%: the phone call does not count), 沟通率 2 of 2 (100%).
"""

import datetime
import io
import json
import re
from html import unescape

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import report, rules, statistics, workflow
from suggestions.exports.summary import COLUMNS
from suggestions.models import Suggestion
from tests.view_helpers import section, text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 7, 1)
ROAD, BUS = "关于农村道路提档升级的建议", "关于增设公交站点的建议"
FIGURE = re.compile(r'<div class="figure-value[^"]*">(.*?)</div><div class="figure-label">(.*?)</div>', re.S)
TOTAL = re.compile(r"共\s*(\d+)\s*件")


def contact(journey, method):
    workflow.perform(
        "log_contact",
        user=journey.clerk,
        suggestion=journey.s,
        assignment=journey.lead,
        at=journey.step(),
        method=method,
        contacted_on=datetime.date(2025, 3, 4),
        participants="周敏",
        summary="听取代表意见",
    )


def second(journey, number, title):
    """Another suggestion of the same deputy, moved along by the same people as ``journey``'s."""
    suggestion = workflow.register(
        user=journey.office,
        at=journey.at,
        session=journey.s.session,
        number=number,
        title=title,
        lead_deputy=journey.s.lead_deputy,
        category=journey.s.category,
    )
    j = journey
    return type(journey)(
        suggestion, office=j.office, clerk=j.clerk, head=j.head, units=j.units, deputy_user=j.deputy_user
    )


def unsatisfied_then_satisfied(journey):
    journey.assign().sign()
    contact(journey, "phone")
    journey.draft().sign_off().submit().accept().rate(overall=1)  # 不满意: a second round begins
    journey.sign().draft().sign_off().submit().accept().rate(overall=3)
    workflow.perform("close", user=journey.office, suggestion=journey.s, at=journey.step())


def still_rehandled(journey):
    journey.assign(co=False).sign()
    contact(journey, "visit")
    journey.draft().sign_off().submit().accept().rate(overall=1)


@pytest.fixture
def world(journey, office, leaders, session):
    session.is_current = True
    session.save()
    workflow.perform(
        "edit", user=office, suggestion=journey.s, is_key=True, supervising_leader=leaders["traffic"]
    )
    unsatisfied_then_satisfied(journey)
    still_rehandled(second(journey, 2, BUS))
    return Suggestion.objects.filter(session=session)


def figure_cards(html):
    """{label: value} of a figures card; a label's details after 「：」 left out."""
    return {
        re.sub("<[^>]+>", "", label).split("：")[0].strip(): re.sub("<[^>]+>", "", value).strip()
        for value, label in FIGURE.findall(html)
    }


def download(client, user, name, params):
    client.force_login(user)
    response = client.get(reverse(f"suggestions:{name}"), params)
    assert response.status_code == 200, response.content
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet_rows(ws):
    return {row[0].value: [c.value for c in row[1:]] for row in ws.iter_rows(min_row=4)}


# --- the figures -----------------------------------------------------------------------------------------------


def test_summary_counts_the_final_the_first_round_and_any_unsatisfied_rating(world):
    f = statistics.summary(world, TODAY)
    final = (f["rated"], f["satisfied"], f["basically_satisfied"], f["unsatisfied"], f["satisfaction_rate"])
    assert final == (1, 1, 0, 0, 1.0)
    first = (f["first_rated"], f["first_satisfied"], f["first_unsatisfied"], f["first_satisfaction_rate"])
    assert first == (2, 0, 2, 0.0)
    assert (f["ever_unsatisfied"], f["rehandling"]) == (2, 1)
    assert (f["face_to_face"], f["face_to_face_rate"], f["contacted"], f["contact_rate"]) == (1, 0.5, 2, 1.0)


def test_a_phone_call_counts_for_the_contact_rate_not_the_face_to_face_rate(world):
    road = statistics.summary(world.filter(number=1), TODAY)  # its only contact was a phone call
    assert (road["contacted"], road["contact_rate"]) == (1, 1.0)
    assert (road["face_to_face"], road["face_to_face_rate"]) == (0, 0.0)


def test_by_session_gives_both_satisfaction_rates_and_the_unsatisfied(world):
    (row,) = statistics.by_session(world)
    assert (row["satisfaction_rate"], row["first_satisfaction_rate"], row["ever_unsatisfied"]) == (
        1.0,
        0.0,
        2,
    )


def test_summary_costs_the_same_queries_with_more_re_handled_suggestions(world, journey):
    with CaptureQueriesContext(connection) as few:
        statistics.summary(Suggestion.objects.all(), TODAY)
    for number in (3, 4):
        unsatisfied_then_satisfied(second(journey, number, f"建议{number}"))
    with CaptureQueriesContext(connection) as more:
        assert statistics.summary(Suggestion.objects.all(), TODAY)["ever_unsatisfied"] == 4
    assert len(more) == len(few) <= 7  # 承诺事项按期落实率 is one more


# --- the pages -------------------------------------------------------------------------------------------------

EXPECTED_CARD = {
    "满意率（最终评价）": "100.0%",
    "初次办理满意率": "0.0%",
    "曾评价不满意（件）": "2",
    "正在重新办理（件）": "1",
    "见面率（登门走访、座谈、实地调研）": "50.0%",
    "沟通率（含电话）": "100.0%",
    "已办结": "1",
}


def test_the_dashboard_shows_every_rating_figure_with_what_it_counts(client, office, world, session):
    client.force_login(office)
    response = client.get(reverse("suggestions:dashboard"), {"session": session.pk})
    card = section(response, "figures")
    assert figure_cards(card).items() >= EXPECTED_CARD.items()
    assert "满意率（最终评价）：满意1件、基本满意0件、不满意0件" in card
    assert "初次办理满意率：满意0件、基本满意0件、不满意2件" in card
    html = text(response)
    sessions = html[html.index('id="table-sessions"') :]
    header = sessions[: sessions.index("</thead>")]
    for label in ("满意率（最终评价）", "初次办理满意率", "曾评价不满意"):
        assert f">{label}</th>" in header
    row = sessions[sessions.index(session.name) : sessions.index("</tr>", sessions.index(session.name))]
    assert re.findall(r'<td class="text-end">([^<]*)</td>', row) == ["2", "50.0%", "100.0%", "0.0%", "2"]
    series = [s["name"] for s in response.context["chart"]["session_rates"]]
    assert series == ["办结率", "满意率（最终评价）", "初次办理满意率"]


def test_the_office_home_shows_the_same_figures(client, office, world):
    client.force_login(office)
    card = section(client.get(reverse("suggestions:home")), "figures")
    assert figure_cards(card).items() >= EXPECTED_CARD.items()


def test_the_figures_cards_links_open_the_lists_they_count(client, office, world, session):
    client.force_login(office)
    card = section(client.get(reverse("suggestions:dashboard"), {"session": session.pk}), "figures")
    links = re.findall(r'<a class="text-reset" href="([^"]+)">(\d+)</a>', card)
    assert len(links) == 3  # 曾评价不满意, 正在重新办理, 超期未办结
    for href, shown in links:
        listed = client.get(unescape(href))
        assert listed.status_code == 200, href
        assert TOTAL.search(text(listed)).group(1) == shown, href
    unsatisfied = client.get(unescape(links[0][0]))
    assert ROAD in text(unsatisfied) and BUS in text(unsatisfied)


def test_dashboard_queries_do_not_grow_with_re_handled_suggestions(client, office, world, journey, session):
    client.force_login(office)
    url = reverse("suggestions:dashboard")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"session": session.pk}).status_code == 200
    for number in (3, 4, 5):
        unsatisfied_then_satisfied(second(journey, number, f"建议{number}"))
    with CaptureQueriesContext(connection) as more:
        response = client.get(url, {"session": session.pk})
    assert figure_cards(section(response, "figures"))["曾评价不满意（件）"] == "5"
    assert len(more) == len(few), (len(few), len(more))


# --- the list's rating filters ---------------------------------------------------------------------------------


def listed(client, params):
    response = client.get(reverse("suggestions:list"), params)
    assert response.status_code == 200, params
    html = text(response)
    return {title for title in (ROAD, BUS) if title in html}


def test_the_rating_filter_finds_a_rating_of_any_round(client, office, world):
    client.force_login(office)
    assert listed(client, {"rating": "1"}) == {ROAD, BUS}  # 不满意 in round 1, whatever came after
    assert listed(client, {"rating": "3"}) == {ROAD}  # 满意 in round 2
    assert listed(client, {"rating": "2"}) == set()


def test_the_final_rating_filter_finds_the_latest_rounds_rating(client, office, world):
    client.force_login(office)
    assert listed(client, {"final_rating": "3"}) == {ROAD}
    assert listed(client, {"final_rating": "1"}) == set()
    assert listed(client, {"final_rating": "none"}) == set()  # no. 2's new reply is not written yet
    html = text(client.get(reverse("suggestions:list")))
    assert "代表评价（任一轮）" in html and "代表评价（最终评价）" in html


# --- the workbooks ---------------------------------------------------------------------------------------------


def test_the_statistics_workbook_has_every_rating_figure(client, office, world, session):
    workbook = download(client, office, "export_statistics", {"session": session.pk})
    overview = sheet_rows(workbook["概况"])
    assert overview["满意率（最终评价）"][0] == 1
    assert overview["初次办理满意率"][0] == 0
    assert overview["曾评价不满意"] == [2, "任一轮答复被代表评价为不满意的建议，含重新办理后满意的"]
    assert overview["正在重新办理"][0] == 1
    assert overview["见面率（登门走访、座谈、实地调研）"][0] == 0.5
    assert overview["沟通率（含电话）"][0] == 1
    assert overview["超期未办结"][0] == 1  # no. 2's second round ran out in 2025
    satisfaction = sheet_rows(workbook["满意度"])
    assert satisfaction["满意（最终评价）"] == [1, 1]
    assert satisfaction["不满意（最终评价）"] == [0, 0]
    assert satisfaction["不满意（初次办理）"] == [2, 1]
    assert satisfaction["初次办理满意率"] == [0, 0]
    assert satisfaction["曾评价不满意"][0] == 2
    assert satisfaction["正在重新办理"][0] == 1


def test_the_summary_sheet_shows_each_rounds_rating(client, office, world):
    ws = download(client, office, "export_summary", {}).active
    headers = [c.header for c in COLUMNS]
    rows = {row[2].value: dict(zip(headers, [c.value for c in row], strict=True)) for row in ws.iter_rows(4)}
    assert rows[ROAD]["代表评价"] == "第1轮：不满意；第2轮：满意"
    assert rows[BUS]["代表评价"] == "第1轮：不满意"  # never empty once rated, while round 2 runs
    assert rows[ROAD]["沟通方式"] == "电话交流"


# --- the report and session_stats -----------------------------------------------------------------------------


def test_the_report_says_how_many_were_rated_unsatisfied_and_are_re_handled(world, session):
    draft = report.compose(world, session=session, today=TODAY)
    first = draft.paragraphs()[0]
    assert first.endswith(
        "截至目前，已办结1件，办结率50%，满意率100%（按最终评价计，其中满意1件）；初次办理满意率0%，"
        "代表曾评价不满意的建议2件（其中初次办理评价不满意2件），目前正在重新办理1件。"
    )
    text_ = draft.text()
    assert "目前，1项重点建议已办结，代表均给予满意评价，其中1项曾被代表评价不满意。具体情况如下：" in text_
    assert "代表曾评价不满意2件（其中初次办理评价不满意2件，最终评价不满意0件）；正在重新办理1件" in text_
    assert "代表评价不满意0件" not in text_
    assert "对代表评价不满意的2件建议，退回承办单位重新办理，目前正在重新办理1件。" in text_
    assert "从办理数据看，截至2025年7月1日，代表曾评价不满意2件" in text_
    tables = dict(
        zip(["overview", "category", "unit", "class", "portfolio", "rating"], draft.tables(), strict=True)
    )
    overview = {row[0]: row[1:] for row in tables["overview"].rows}
    assert overview["见面率（登门走访、座谈、实地调研）"] == ["1", "50%"]
    assert overview["沟通率（含电话）"] == ["2", "100%"]
    ratings = {row[0]: row[1:] for row in tables["rating"].rows}
    assert ratings["满意率（最终评价）"] == ["1", "100%"]
    assert ratings["初次办理满意率"] == ["0", "0%"]
    assert ratings["不满意（初次办理）"] == ["2", "100%"]
    assert ratings["曾评价不满意"] == ["2", ""]
    assert ratings["正在重新办理"] == ["1", ""]


def test_session_stats_prints_every_rating_figure(world, session):
    out = io.StringIO()
    call_command("session_stats", "--session", session.name, "--json", "--today", "2025-07-01", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["satisfaction_rate"], figures["first_satisfaction_rate"]) == (1.0, 0.0)
    assert (figures["unsatisfied"], figures["first_unsatisfied"], figures["ever_unsatisfied"]) == (0, 2, 2)
    assert (figures["rehandling"], figures["face_to_face_rate"], figures["contact_rate"]) == (1, 0.5, 1.0)
    # the names reports use: a round-1 不满意 stays in the first round's rate after re-handling
    assert figures["first_round_satisfaction_rate"] == 0.0
    assert figures["meeting_rate"] == 0.5  # the phone call is contact, not a meeting
    assert figures["by_class"] == {"A": 1, "B": 0, "C": 0}
    assert list(figures["by_class"]) == rules.codes()
    out = io.StringIO()
    call_command("session_stats", "--session", session.name, "--today", "2025-07-01", stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines()]
    assert ["满意率（最终评价）", "100.0%"] in lines
    assert ["初次办理满意率", "0.0%"] in lines
    assert ["曾评价不满意", "2"] in lines
    assert ["正在重新办理", "1"] in lines
    assert ["见面率（登门走访、座谈、实地调研）", "50.0%"] in lines
    assert ["沟通率（含电话）", "100.0%"] in lines


# --- several deputies, and a session all closed after a 不满意 -------------------------------------------------


def test_a_round_rated_by_two_deputies_counts_its_worst_rating(client, office, journey, joint_deputy_user):
    journey.assign(co=False).reply().rate(overall=3).rate(overall=2, user=joint_deputy_user)
    client.force_login(office)
    assert listed(client, {"rating": "2"}) == {ROAD}
    assert listed(client, {"rating": "3"}) == set()  # one deputy said 满意, the round's rating is 基本满意
    assert listed(client, {"final_rating": "2"}) == {ROAD}
    ws = download(client, office, "export_summary", {"session": journey.s.session_id}).active
    assert ws.cell(row=4, column=[c.header for c in COLUMNS].index("代表评价") + 1).value == "基本满意"


def test_all_closed_and_satisfied_after_a_re_handling_still_says_so():
    from tests.test_report_sentences import figures

    once_unsatisfied = figures(
        61,
        61,
        60,
        1,
        first_satisfied=59,
        first_basically_satisfied=1,
        first_unsatisfied=1,
        ever_unsatisfied=1,
    )
    assert report.outcome_sentence(once_unsatisfied) == (
        "截至目前，61件建议全部办理完结并取得代表满意，办结率和满意率均为100%（按最终评价计，其中满意60件、"
        "基本满意1件）；初次办理满意率98.4%，代表曾评价不满意的建议1件（其中初次办理评价不满意1件）。"
    )
    # with nothing behind the final rating, the sentence is the seed report's: its 满意率 counts 基本满意 too,
    # and the split into 满意 and 基本满意 is the next paragraph's (``classes_paragraph``)
    assert report.outcome_sentence(figures(61, 61, 60, 1)) == (
        "截至目前，61件建议全部办理完结并取得代表满意，办结率和满意率均为100%。"
    )
