"""分办 with co-units, and 补充交办 (a unit added after the assignment): who reports to whom, the deadlines, and
what is refused."""

import datetime

import pytest

from suggestions import notices, workflow
from suggestions.models import Assignment, Notification, Suggestion
from tests.conftest import AT
from tests.workflow_helpers import last_event, refused

S, A = Suggestion.State, Assignment.State
LATER = AT + datetime.timedelta(days=10)  # 2025-03-13


def assign_separate(office, s, units, **data):
    return workflow.perform(
        "assign",
        user=office,
        suggestion=s,
        at=AT,
        separate_units=[units["transport"], units["housing"]],
        **data,
    )


def add(office, s, at=LATER, **data):
    data.setdefault("reason", "涉及资金安排，需财政部门配合。")
    return workflow.perform("add_unit", user=office, suggestion=s, at=at, **data)


# --- 分办 with co-units ------------------------------------------------------------------------------------------


def test_separate_units_may_have_co_units_that_support_one_of_them(registered, office, units, co_clerk):
    event = assign_separate(
        office, registered, units, co_units=[units["finance"]], supported_unit=units["housing"]
    )
    housing = registered.assignments.get(unit=units["housing"])
    co = registered.assignments.get(unit=units["finance"])
    assert (co.role, co.supports) == (Assignment.Role.CO, housing)
    assert co.deadline == datetime.date(2025, 4, 3)  # the opinion month, from the assignment day
    assert (
        event.note
        == "分办：市交通运输局、市住房和城乡建设管理局；协办：市财政局（配合市住房和城乡建设管理局）；办理期限2025年6月3日"
    )
    told = Notification.objects.get(recipient=co_clerk, event=event)
    assert "前报送市住房和城乡建设管理局" in told.text


def test_a_co_unit_must_support_one_of_the_separate_units(registered, office, units):
    message = refused(
        "assign",
        user=office,
        suggestion=registered,
        at=AT,
        separate_units=[units["transport"], units["housing"]],
        co_units=[units["finance"]],
        supported_unit=units["health"],
    )
    assert message == "市卫生健康和体育局不是本建议的分办单位。"


def test_the_co_units_opinion_goes_to_the_separate_unit_it_supports(
    registered, office, units, co_clerk, clerk
):
    assign_separate(office, registered, units, co_units=[units["finance"]], supported_unit=units["housing"])
    co = registered.assignments.get(unit=units["finance"])
    transport = registered.assignments.get(unit=units["transport"])
    housing = registered.assignments.get(unit=units["housing"])
    assert workflow.opinions_missing(housing) == [co]
    assert workflow.opinions_missing(transport) == []  # the transport bureau answers its part alone
    workflow.perform("sign_for", user=co_clerk, suggestion=registered, assignment=co, at=LATER)
    event = workflow.perform(
        "send_opinion", user=co_clerk, suggestion=registered, assignment=co, at=LATER, text="资金按程序安排"
    )
    assert workflow.opinions_missing(housing) == []
    # the housing bureau is told, the transport bureau (whose clerk is ``clerk``) is not
    assert not Notification.objects.filter(recipient=clerk, event=event).exists()


def test_a_separate_units_co_units_follow_it_when_it_is_reassigned(
    registered, office, units, django_user_model
):
    assign_separate(office, registered, units, co_units=[units["finance"]], supported_unit=units["housing"])
    housing = registered.assignments.get(unit=units["housing"])
    staff = django_user_model.objects.create_user(
        username="h-staff", role="unit_staff", unit=units["housing"]
    )
    workflow.perform(
        "request_reassignment",
        user=staff,
        suggestion=registered,
        assignment=housing,
        at=AT,
        reason="不属本单位职责",
    )
    workflow.perform(
        "rule_reassignment",
        user=office,
        suggestion=registered,
        assignment=housing,
        at=AT,
        approve=True,
        new_unit=units["health"],
    )
    successor = registered.assignments.get(unit=units["health"])
    assert registered.assignments.get(unit=units["finance"]).supports == successor


# --- 补充交办 ----------------------------------------------------------------------------------------------------


def test_the_office_adds_a_co_unit_to_a_suggestion_being_handled(journey, office, units, co_clerk):
    journey.assign(co=False).sign()
    event = add(office, journey.s, unit=units["finance"])
    part = journey.s.assignments.get(unit=units["finance"])
    assert (part.role, part.state, part.assigned_on, part.supports) == (
        Assignment.Role.CO,
        A.PENDING,
        datetime.date(2025, 3, 13),
        None,
    )
    assert part.deadline == datetime.date(2025, 4, 14)  # a month from the day added (4月13日 is a Sunday)
    assert (event.action, event.label) == ("add_unit", "补充交办")
    assert event.note == "补充交办：市财政局（协办），期限2025年4月14日；理由：涉及资金安排，需财政部门配合。"
    assert Notification.objects.filter(recipient=co_clerk, event=event).exists()
    assert workflow.opinions_missing(journey.lead) == [part]  # the lead unit's reply must state its opinion
    journey.s.refresh_from_db()
    assert journey.s.state == S.IN_HANDLING


def test_an_added_separate_unit_gets_the_handling_period_and_moves_the_suggestions_deadline(
    registered, office, units
):
    assign_separate(office, registered, units)
    add(office, registered, unit=units["health"], role=Assignment.Role.SEPARATE)
    part = registered.assignments.get(unit=units["health"])
    assert (part.role, part.deadline) == (Assignment.Role.SEPARATE, datetime.date(2025, 6, 13))
    assert Suggestion.objects.get(pk=registered.pk).deadline == datetime.date(2025, 6, 13)


def test_a_co_unit_added_to_a_separate_suggestion_names_the_unit_it_supports(registered, office, units):
    assign_separate(office, registered, units)
    message = refused(
        "add_unit", user=office, suggestion=registered, at=LATER, unit=units["finance"], reason="配合"
    )
    assert message == "请选择协办单位配合的分办单位。"
    transport = registered.assignments.get(unit=units["transport"])
    add(office, registered, unit=units["finance"], supports=transport)
    assert registered.assignments.get(unit=units["finance"]).supports == transport


def test_an_entered_deadline_is_kept_within_the_rules_longest_period(journey, office, units):
    journey.assign(co=False)
    message = refused(
        "add_unit",
        user=office,
        suggestion=journey.s,
        at=LATER,
        unit=units["finance"],
        reason="配合",
        deadline=datetime.date(2025, 10, 1),
    )
    assert message == "办理期限最长至2025年9月15日。"  # six months from 3月13日, on a working day
    add(office, journey.s, unit=units["finance"], deadline=datetime.date(2025, 5, 30))
    assert journey.s.assignments.get(unit=units["finance"]).deadline == datetime.date(2025, 5, 30)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit": "finance", "reason": ""}, "请填写补充交办的理由。"),
        ({"unit": "transport"}, "市交通运输局已经承办本建议。"),
        ({"unit": "finance", "role": "separate"}, "本建议由主办单位牵头答复，补充交办只能增加协办单位。"),
        ({"unit": "finance", "role": "lead"}, "补充交办只能增加协办或分办单位。"),
    ],
    ids=["no-reason", "already-assigned", "separate-beside-a-lead", "a-second-lead"],
)
def test_an_addition_that_does_not_make_sense_is_refused(journey, office, units, data, message):
    journey.assign(co=False)
    data = {**data, "unit": units[data["unit"]]}
    data.setdefault("reason", "配合办理")
    assert refused("add_unit", user=office, suggestion=journey.s, at=LATER, **data) == message


def test_no_unit_is_added_once_the_suggestion_is_replied(journey, office, units):
    journey.assign(co=False).reply()
    message = refused(
        "add_unit", user=office, suggestion=journey.s, at=journey.step(), unit=units["finance"], reason="配合"
    )
    assert message == "建议当前状态为「已答复」，不能补充交办。"


def test_only_the_office_adds_a_unit(journey, clerk, units):
    journey.assign(co=False)
    message = refused(
        "add_unit", user=clerk, suggestion=journey.s, at=LATER, unit=units["finance"], reason="配合"
    )
    assert message == "您没有权限进行此操作。"


def test_the_office_adds_a_unit_from_the_suggestions_page(client, journey, office, units):
    journey.assign(co=False)
    client.force_login(office)
    page = client.get(f"/suggestions/{journey.s.pk}/")
    assert "补充交办" in page.content.decode()
    response = client.post(
        f"/suggestions/{journey.s.pk}/act/add_unit/",
        {"role": "co", "unit": units["finance"].pk, "reason": "涉及资金安排"},
    )
    assert response.status_code == 302
    assert journey.s.assignments.filter(unit=units["finance"], role="co").exists()
    assert last_event(journey.s).action == "add_unit"
    empty = client.post(
        f"/suggestions/{journey.s.pk}/act/add_unit/", {"role": "co", "unit": units["health"].pk}
    )
    assert empty.status_code == 400
    assert "这个字段是必填项" in empty.content.decode() or "必填" in empty.content.decode()
    assert not journey.s.assignments.filter(unit=units["health"]).exists()


def test_the_notice_of_a_separate_units_co_unit_names_the_unit_it_reports_to(registered, office, units):
    assign_separate(office, registered, units, co_units=[units["finance"]], supported_unit=units["housing"])
    co = registered.assignments.get(unit=units["finance"])
    notice = notices.assignment_notice(co)
    rows = dict(row for block in notice.blocks if isinstance(block, notices.Table) for row in block.rows)
    assert rows["配合的分办单位"] == "市住房和城乡建设管理局"
    assert rows["协办意见期限"] == "2025年4月3日前将书面协办意见送市住房和城乡建设管理局"
    housing = notices.assignment_notice(registered.assignments.get(unit=units["housing"]))
    rows = dict(row for block in housing.blocks if isinstance(block, notices.Table) for row in block.rows)
    assert rows["协办单位"] == "市财政局"
    transport = notices.assignment_notice(registered.assignments.get(unit=units["transport"]))
    rows = dict(row for block in transport.blocks if isinstance(block, notices.Table) for row in block.rows)
    assert "协办单位" not in rows


def test_no_co_unit_is_added_to_a_separate_unit_that_has_replied(registered, office, units, clerk, head):
    assign_separate(office, registered, units)
    transport = registered.assignments.get(unit=units["transport"])
    data = {"document_number": "霍交函〔2025〕3号", "contact_person": "周敏", "contact_phone": "0357-5620000",
            "text": "答复", "result_class": "A"}  # fmt: skip
    workflow.perform("sign_for", user=clerk, suggestion=registered, assignment=transport, at=AT)
    workflow.perform("draft_reply", user=clerk, suggestion=registered, assignment=transport, at=AT, **data)
    workflow.perform("sign_reply", user=head, suggestion=registered, assignment=transport, at=AT)
    workflow.perform("submit_reply", user=clerk, suggestion=registered, assignment=transport, at=AT)
    workflow.perform(
        "review_reply", user=office, suggestion=registered, assignment=transport, at=AT, accept=True
    )
    message = refused(
        "add_unit", user=office, suggestion=registered, at=LATER, unit=units["finance"], reason="配合",
        supports=transport,
    )  # fmt: skip
    assert message == "市交通运输局已经答复，不再增加协办单位。"
