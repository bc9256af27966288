"""The documents the office hands out, read back as Word files: the 交办通知单 of one part (the office's, or the
unit's own), the 交办通知单 listing a unit's parts in a session, and the 督办通知单 of a supervision note. Who may
not download one gets the 403 page (a role that never may) or a 404 (a part or a note that is not theirs); the
number of queries does not grow with the data."""

import datetime
import io
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from suggestions import workflow
from suggestions.formats import date_cn
from suggestions.models import Assignment, SupervisionNote
from tests.conftest import AT
from tests.view_helpers import detail_url, section

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return response


def read_docx(response):
    """Every paragraph and every table cell of the Word file, in order, as the unit reads them."""
    assert response["Content-Type"] == DOCX
    doc = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in table.rows] for table in doc.tables]
    return paragraphs, tables


def filename(response):
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    return unquote(disposition.split("filename*=utf-8''")[1])


def fields(table):
    """A two-column table of labels and values as a dict."""
    return {row[0]: row[1] for row in table}


def notice_url(part):
    return reverse("suggestions:assignment_notice", args=[part.pk])


def unit_url(unit=None, session=None):
    query = "&".join(f"{k}={v.pk}" for k, v in (("unit", unit), ("session", session)) if v is not None)
    return reverse("suggestions:unit_notice") + (f"?{query}" if query else "")


def parts_of(suggestion):
    lead = suggestion.assignments.get(role=Assignment.Role.LEAD)
    co = suggestion.assignments.get(role=Assignment.Role.CO)
    return lead, co


# --- 交办通知单 of one part --------------------------------------------------------------------------------------


def test_the_office_downloads_the_lead_units_notice_with_its_dates_and_the_rules(client, journey, office):
    journey.assign()
    lead, co = parts_of(journey.s)
    response = get(client, office, notice_url(lead))
    assert filename(response) == "交办通知单-第1号-市交通运输局.docx"
    paragraphs, (table,) = read_docx(response)
    assert paragraphs[:2] == ["市人民政府办公室", "关于交办市八届人大五次会议代表建议的通知"]
    assert "市交通运输局：" in paragraphs
    values = fields(table)
    assert values["建议编号"] == "第1号"
    assert values["案由"] == "关于农村道路提档升级的建议"
    assert values["领衔代表"] == "赵明远（开元街道代表团）"
    assert values["联名代表"] == "钱晓梅"
    assert (values["承办方式"], values["主办单位"], values["协办单位"]) == (
        "主办",
        "市交通运输局",
        "市财政局",
    )
    assert values["交办日期"] == "2025年3月3日"
    assert values["办理期限"] == f"{date_cn(lead.deadline)}前办结并答复代表"
    assert values["协办意见期限"] == f"协办单位于{date_cn(co.deadline)}前提出协办意见"
    text = "\n".join(paragraphs)
    assert f"请于{date_cn(lead.reassignment_until)}前（交办之日起5个工作日内）签收" in text
    assert "办理期限自交办之日起3个月" in text and "最长不超过6个月" in text
    assert "A 已解决或采纳" in text  # the result classes, from their choices
    assert "联系人：office" in text  # the office person who downloads it
    assert paragraphs[-1] == "2025年3月3日"  # dated the day of assignment


def test_the_rules_in_the_notice_follow_the_settings(client, journey, office, settings):
    journey.assign()
    lead, _co = parts_of(journey.s)
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "handling_months": 4, "rehandling_months": 2}
    settings.NOTICE_ISSUER = "霍州市人民政府办公室"
    paragraphs, _tables = read_docx(get(client, office, notice_url(lead)))
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "霍州市人民政府办公室"
    assert "办理期限自交办之日起4个月" in text and "应在2个月内重新办理" in text
    assert "3个月" not in text


def test_the_co_unit_reads_when_its_opinion_is_due(client, journey, co_clerk):
    journey.assign()
    lead, co = parts_of(journey.s)
    response = get(client, co_clerk, notice_url(co))
    assert filename(response) == "交办通知单-第1号-市财政局.docx"
    paragraphs, (table,) = read_docx(response)
    values = fields(table)
    assert values["承办方式"] == "协办" and values["主办单位"] == "市交通运输局"
    assert values["协办意见期限"] == f"{date_cn(co.deadline)}前将书面协办意见送主办单位"
    assert values["主办单位答复期限"] == date_cn(lead.deadline)
    assert "办理期限" not in values
    text = "\n".join(paragraphs)
    assert f"协办单位应于交办之日起1个月内，即{date_cn(co.deadline)}前将书面协办意见送主办单位" in text
    assert "市财政局：" in paragraphs
    assert "联系人：office" in text  # the office person who assigned it


def test_an_extended_deadline_says_so(client, journey, office, clerk):
    journey.assign().sign()
    lead, _co = parts_of(journey.s)
    original = lead.deadline
    Assignment.objects.filter(pk=lead.pk).update(deadline=original + datetime.timedelta(days=30))
    _paragraphs, (table,) = read_docx(get(client, office, notice_url(lead)))
    assert f"原期限{date_cn(original)}，已批准延期" in fields(table)["办理期限"]


def test_a_unit_downloads_only_its_own_notice(client, journey, clerk, co_clerk, outsider_clerk, head):
    journey.assign()
    lead, co = parts_of(journey.s)
    get(client, clerk, notice_url(lead))
    get(client, head, notice_url(lead))
    get(client, co_clerk, notice_url(lead), status=404)  # sees the suggestion, not the lead unit's notice
    get(client, clerk, notice_url(co), status=404)
    get(client, outsider_clerk, notice_url(lead), status=404)  # does not see the suggestion at all


@pytest.mark.parametrize("who", ["deputy_user", "congress", "leader_user"])
def test_roles_without_notices_get_the_403_page(client, request, journey, who):
    journey.assign()
    lead, _co = parts_of(journey.s)
    get(client, request.getfixturevalue(who), notice_url(lead), status=403)
    get(client, request.getfixturevalue(who), unit_url(lead.unit), status=403)


def test_the_notice_costs_the_same_queries_however_many_units_and_deputies(
    client, journey, office, units, deputies
):
    journey.assign(co=False)
    lead = journey.s.assignments.get()

    def queries():
        client.force_login(office)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(notice_url(lead)).status_code == 200
        return len(captured)

    few = queries()
    journey.s.joint_deputies.add(deputies["other"])
    Assignment.objects.create(
        suggestion=journey.s, unit=units["finance"], role="co", assigned_on=lead.assigned_on,
        deadline=lead.deadline, original_deadline=lead.deadline,
    )  # fmt: skip
    Assignment.objects.create(
        suggestion=journey.s, unit=units["health"], role="co", assigned_on=lead.assigned_on,
        deadline=lead.deadline, original_deadline=lead.deadline,
    )  # fmt: skip
    assert queries() == few


def _registered(journey, number, deputies, title=None):
    return workflow.register(
        user=journey.office, at=AT, session=journey.s.session, number=number,
        title=title or f"关于第{number}件事的建议", lead_deputy=deputies["lead"], category=journey.s.category,
    )  # fmt: skip


# --- 交办通知单 of a unit's parts in a session ------------------------------------------------------------------


def unit_world(journey, deputies, units, n):
    """The journey's suggestion (transport leads, finance co-handles) and ``n`` more pairs: one led by transport,
    one where transport co-handles for the housing bureau."""
    journey.assign()
    number = 1
    for _ in range(n):
        for lead, co in ((units["transport"], []), (units["housing"], [units["transport"]])):
            number += 1
            s = _registered(journey, number, deputies)
            workflow.perform("assign", user=journey.office, suggestion=s, at=AT, lead_unit=lead, co_units=co)


def test_the_office_hands_a_unit_the_list_of_its_parts(client, journey, office, deputies, units, session):
    unit_world(journey, deputies, units, 1)
    _registered(journey, 9, deputies, title="尚未交办的建议")
    response = get(client, office, unit_url(units["transport"], session))
    assert filename(response) == "交办通知单-市交通运输局-八届人大五次会议.docx"
    paragraphs, (table,) = read_docx(response)
    assert "市交通运输局：" in paragraphs
    assert "现将第八届人民代表大会第五次会议代表建议3件交你单位办理，其中主办2件、协办1件" in paragraphs[3]
    header, *rows = table
    assert header == [
        "序号",
        "建议编号",
        "案由",
        "领衔代表",
        "承办方式",
        "其他承办单位",
        "交办日期",
        "办理期限",
    ]
    assert [r[:2] + [r[4]] for r in rows] == [
        ["1", "第1号", "主办"],
        ["2", "第2号", "主办"],
        ["3", "第3号", "协办"],
    ]
    first, _second, third = rows
    assert first[5] == "协办：市财政局" and third[5] == "主办：市住房和城乡建设管理局"
    co_part = Assignment.objects.get(suggestion__number=3, unit=units["transport"])
    assert third[7] == f"{date_cn(co_part.deadline)}（协办意见）"
    assert all("尚未交办的建议" not in r for r in rows)
    assert "签收" in "\n".join(paragraphs)  # the rules follow


def test_a_unit_downloads_its_own_list_and_no_other(client, journey, clerk, deputies, units, session):
    unit_world(journey, deputies, units, 1)
    response = get(client, clerk, unit_url(session=session))  # no unit: its own
    assert filename(response) == "交办通知单-市交通运输局-八届人大五次会议.docx"
    get(client, clerk, unit_url(units["housing"], session), status=404)


def test_a_bad_session_is_said_plainly(client, journey, office, units):
    response = get(client, office, reverse("suggestions:unit_notice") + f"?unit={units['transport'].pk}&session=x",
                   status=400)  # fmt: skip
    assert "没有编号为 x 的届次会议" in response.content.decode()
    response = get(client, office, reverse("suggestions:unit_notice"), status=400)
    assert "请指定承办单位" in response.content.decode()


def test_the_list_costs_the_same_queries_however_many_parts(
    client, journey, office, deputies, units, session
):
    unit_world(journey, deputies, units, 1)
    url = unit_url(units["transport"], session)

    def queries():
        client.force_login(office)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for number in range(20, 26):
        s = _registered(journey, number, deputies)
        workflow.perform("assign", user=office, suggestion=s, at=AT, lead_unit=units["transport"],
                         co_units=[units["finance"], units["health"]])  # fmt: skip
    assert queries() == few


# --- 督办通知单 -------------------------------------------------------------------------------------------------------


def supervise(journey, **data):
    workflow.perform("supervise", user=journey.office, suggestion=journey.s, at=journey.step(), **data)
    return SupervisionNote.objects.latest("created_at")


def test_the_office_downloads_the_supervision_notice_with_the_date_it_asks_for(client, journey, office):
    journey.assign().sign()
    note = supervise(journey, kind="supervise", method="phone", text="请加快推进道路改造。",
                     due_on=datetime.date(2025, 5, 30))  # fmt: skip
    url = reverse("suggestions:supervision_notice", args=[note.pk])
    response = get(client, office, url)
    assert filename(response) == f"督办通知单-第1号-{date_cn(note.created_at)}.docx"
    paragraphs, (table,) = read_docx(response)
    assert paragraphs[:2] == ["市人民政府办公室", "代表建议督办通知单"]
    assert "市交通运输局、市财政局：" in paragraphs  # the round's open parts
    values = fields(table)
    assert values["承办单位"] == "主办：市交通运输局；协办：市财政局"
    assert values["督办方式"] == "电话督查"
    assert values["要求办结时间"] == "2025年5月30日"
    assert values["办理期限"] == date_cn(journey.s.deadline)
    assert "请加快推进道路改造。" in paragraphs
    assert "请于2025年5月30日前办结，并将办理情况报市人民政府办公室。" in paragraphs


def test_a_chase_without_a_date_asks_for_the_deadline(client, journey, office):
    journey.assign().sign()
    note = supervise(journey, kind="chase", method="document", text="请尽快答复。")
    paragraphs, (table,) = read_docx(
        get(client, office, reverse("suggestions:supervision_notice", args=[note.pk]))
    )
    assert paragraphs[1] == "代表建议催办通知单"
    assert fields(table)["要求办结时间"] == "按办理期限"
    assert any(p.startswith("请抓紧办理，在办理期限内答复代表") for p in paragraphs)


def test_only_the_office_downloads_a_supervision_notice(client, journey, office, clerk, congress, leader_user,
                                                       leaders):  # fmt: skip
    journey.assign().sign()
    note = supervise(journey, kind="supervise", method="site", text="实地督查。")
    url = reverse("suggestions:supervision_notice", args=[note.pk])
    for user in (clerk, congress, leader_user):
        get(client, user, url, status=403)
    workflow.perform("assign", user=office, suggestion=_registered(journey, 5, {"lead": journey.s.lead_deputy}),
                     at=AT, lead_unit=journey.units["transport"], is_key=True,
                     supervising_leader=leaders["traffic"])  # fmt: skip
    comment = SupervisionNote.objects.create(
        suggestion=journey.s, kind="comment", method="document", text="批示"
    )
    get(
        client, office, reverse("suggestions:supervision_notice", args=[comment.pk]), status=404
    )  # not a 督办
    get(client, office, reverse("suggestions:supervision_notice", args=[999999]), status=404)


def test_the_supervision_notice_costs_the_same_queries_however_many_units(client, journey, office, units):
    journey.assign(co=False).sign()
    note = supervise(journey, kind="supervise", method="phone", text="督办。")
    url = reverse("suggestions:supervision_notice", args=[note.pk])

    def queries():
        client.force_login(office)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    lead = journey.s.assignments.get()
    for unit in (units["finance"], units["health"], units["housing"]):
        Assignment.objects.create(suggestion=journey.s, unit=unit, role="co", assigned_on=lead.assigned_on,
                                  deadline=lead.deadline, original_deadline=lead.deadline)  # fmt: skip
    assert queries() == few


# --- where people find them --------------------------------------------------------------------------------------


def test_the_suggestion_page_offers_each_person_the_documents_they_may_download(
    client, journey, office, clerk, co_clerk, deputy_user
):
    journey.assign().sign()
    note = supervise(journey, kind="supervise", method="phone", text="督办。")
    lead, co = parts_of(journey.s)
    office_page = section(get(client, office, detail_url(journey.s)), "documents")
    assert "打印本页" in office_page
    assert notice_url(lead) in office_page and notice_url(co) in office_page
    assert "交办通知单 · 交通局（主办）" in office_page and "交办通知单 · 财政局（协办）" in office_page
    assert reverse("suggestions:supervision_notice", args=[note.pk]) in office_page
    unit_page = section(get(client, clerk, detail_url(journey.s)), "documents")
    assert notice_url(lead) in unit_page and notice_url(co) not in unit_page
    assert "督办通知单" not in unit_page
    co_page = section(get(client, co_clerk, detail_url(journey.s)), "documents")
    assert notice_url(co) in co_page and notice_url(lead) not in co_page
    deputy_page = section(get(client, deputy_user, detail_url(journey.s)), "documents")
    assert "打印本页" in deputy_page and "通知单" not in deputy_page


def test_the_homes_offer_the_unit_lists(client, journey, office, clerk, session, units):
    journey.assign()
    office_home = section(get(client, office, reverse("suggestions:home")), "unit-notices")
    assert f'action="{reverse("suggestions:unit_notice")}"' in office_home
    assert f'<option value="{units["transport"].pk}">市交通运输局</option>' in office_home
    unit_home = get(client, clerk, reverse("suggestions:home")).content.decode()
    assert f'href="{reverse("suggestions:unit_notice")}?session={session.pk}"' in unit_home
