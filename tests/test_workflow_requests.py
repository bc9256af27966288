"""申请调整 and 申请延期: a unit asks, the office rules, and the clock keeps running from the first assignment."""

import datetime

import pytest

from suggestions import workflow
from suggestions.models import Assignment, ExtensionRequest, ReassignmentRequest, Ruling, Suggestion
from tests.conftest import AT
from tests.workflow_helpers import actions, refused

S = Suggestion.State
A = Assignment.State
DAY = datetime.timedelta(days=1)


def day(n):
    """``n`` calendar days after the assignment (AT, Monday 2025-03-03 9:00)."""
    return AT + n * DAY


@pytest.fixture
def assigned(journey):
    return journey.assign()


def ask_reassignment(j, clerk, at, **data):
    data.setdefault("reason", "该路段属住建部门管理")
    return workflow.perform(
        "request_reassignment", user=clerk, suggestion=j.s, assignment=j.lead, at=at, **data
    )


# --- 申请调整 -----------------------------------------------------------------------------------------------------


def test_unit_asks_for_reassignment_within_five_working_days(assigned, clerk, units):
    lead = assigned.lead
    event = ask_reassignment(
        assigned, clerk, day(7), proposed_unit=units["housing"]
    )  # Monday 3-10, 5th working day
    request = ReassignmentRequest.objects.get()
    assert (request.reason, request.proposed_unit, request.previous_state) == (
        "该路段属住建部门管理",
        units["housing"],
        A.PENDING,
    )
    assert (request.status, request.requested_by) == (Ruling.PENDING, clerk)
    assert Assignment.objects.get(pk=lead.pk).state == A.REASSIGN_REQUESTED
    assert assigned.s.state == S.ASSIGNED
    assert event.note == "市交通运输局申请调整，建议由市住房和城乡建设管理局办理：该路段属住建部门管理"


def test_reassignment_after_five_working_days_is_refused(assigned, clerk):
    message = refused(
        "request_reassignment",
        user=clerk,
        suggestion=assigned.s,
        assignment=assigned.lead,
        at=day(8),
        reason="晚了",
    )
    assert message == "申请调整须在交办后5个工作日内提出。"


def test_a_signed_assignment_may_still_be_sent_back_within_the_window(assigned, clerk):
    assigned.sign()
    ask_reassignment(assigned, clerk, day(3))
    assert ReassignmentRequest.objects.get().previous_state == A.SIGNED


def test_reassignment_needs_a_reason_and_another_unit(assigned, clerk, units):
    kwargs = {"user": clerk, "suggestion": assigned.s, "assignment": assigned.lead, "at": day(1)}
    assert refused("request_reassignment", reason="", **kwargs) == "请填写申请调整的理由。"
    assert refused("request_reassignment", reason="不是我们", proposed_unit=units["transport"], **kwargs) == (
        "建议调整的单位不能是本单位。"
    )


def test_office_approves_and_the_new_unit_keeps_the_original_deadline(assigned, clerk, office, units):
    assigned.sign()
    assert assigned.s.state == S.IN_HANDLING
    old = assigned.lead
    ask_reassignment(assigned, clerk, day(2), proposed_unit=units["housing"])
    event = workflow.perform(
        "rule_reassignment", user=office, suggestion=assigned.s, assignment=old, at=day(20), approve=True
    )
    old.refresh_from_db()
    new = assigned.lead
    assert old.state == A.REASSIGNED
    assert old.replaced_by == new
    assert (new.unit, new.role, new.state, new.round) == (units["housing"], "lead", A.PENDING, 1)
    # the clock does not restart: 3 months from the first assignment, not from the ruling
    assert (new.assigned_on, new.deadline, new.original_deadline) == (
        datetime.date(2025, 3, 3),
        datetime.date(2025, 6, 3),
        datetime.date(2025, 6, 3),
    )
    s = assigned.s
    assert (s.lead_unit, s.deadline, s.state) == (units["housing"], datetime.date(2025, 6, 3), S.ASSIGNED)
    request = ReassignmentRequest.objects.get()
    assert (request.status, request.new_unit, request.ruled_by) == (Ruling.APPROVED, units["housing"], office)
    assert (event.from_state, event.to_state) == (S.IN_HANDLING, S.ASSIGNED)
    assert event.note == "同意调整：由市交通运输局调整为市住房和城乡建设管理局"
    # every transfer stays in the history
    assert list(s.assignments.filter(role="lead").values_list("unit__short_name", "state")) == [
        ("交通局", A.REASSIGNED),
        ("住建局", A.PENDING),
    ]
    assert actions(s)[-2:] == ["request_reassignment", "rule_reassignment"]


def test_office_may_choose_another_unit_than_proposed(assigned, clerk, office, units):
    ask_reassignment(assigned, clerk, day(1), proposed_unit=units["housing"])
    workflow.perform(
        "rule_reassignment",
        user=office,
        suggestion=assigned.s,
        assignment=assigned.lead,
        at=day(2),
        approve=True,
        new_unit=units["health"],
    )
    assert assigned.lead.unit == units["health"]


def test_approval_needs_a_unit_not_already_on_the_suggestion(assigned, clerk, office, units):
    ask_reassignment(assigned, clerk, day(1))
    kwargs = {
        "user": office,
        "suggestion": assigned.s,
        "assignment": assigned.lead,
        "at": day(2),
        "approve": True,
    }
    assert refused("rule_reassignment", **kwargs) == "请选择调整后的承办单位。"
    assert refused("rule_reassignment", new_unit=units["finance"], **kwargs) == "市财政局已经承办本建议。"


def test_refusal_restores_the_previous_assignment_state(assigned, clerk, office):
    assigned.sign()
    ask_reassignment(assigned, clerk, day(2))
    kwargs = {
        "user": office,
        "suggestion": assigned.s,
        "assignment": assigned.lead,
        "at": day(3),
        "approve": False,
    }
    assert refused("rule_reassignment", **kwargs) == "不同意调整时请说明理由。"
    event = workflow.perform("rule_reassignment", note="属交通局法定职责", **kwargs)
    assert assigned.lead.state == A.SIGNED
    assert assigned.s.state == S.IN_HANDLING
    request = ReassignmentRequest.objects.get()
    assert (request.status, request.ruling_note) == (Ruling.REFUSED, "属交通局法定职责")
    assert event.note == "不同意市交通运输局的调整申请：属交通局法定职责"


def test_refusing_an_unsigned_assignments_request_leaves_it_waiting_for_signature(assigned, clerk, office):
    ask_reassignment(assigned, clerk, day(1))
    workflow.perform(
        "rule_reassignment",
        user=office,
        suggestion=assigned.s,
        assignment=assigned.lead,
        at=day(2),
        note="不同意",
    )
    assert assigned.lead.state == A.PENDING


def test_nothing_to_rule_without_a_request(assigned, office):
    message = refused(
        "rule_reassignment",
        user=office,
        suggestion=assigned.s,
        assignment=assigned.lead,
        at=day(1),
        approve=True,
    )
    assert message == "市交通运输局的办理状态为「待签收」，不能审批调整申请。"


def test_the_new_unit_carries_on_to_the_reply(assigned, clerk, office, units, django_user_model):
    ask_reassignment(assigned, clerk, day(1), proposed_unit=units["housing"])
    workflow.perform(
        "rule_reassignment",
        user=office,
        suggestion=assigned.s,
        assignment=assigned.lead,
        at=day(2),
        approve=True,
    )
    assigned.clerk = django_user_model.objects.create_user(
        username="h1", role="unit_staff", unit=units["housing"]
    )
    assigned.head = django_user_model.objects.create_user(
        username="h2", role="unit_head", unit=units["housing"]
    )
    assigned.at = day(2)
    assigned.reply()
    assert assigned.s.state == S.REPLIED
    assert assigned.s.deadline == datetime.date(2025, 6, 3)
    # the unit that handed it on can do nothing more with it
    handed_on = assigned.s.assignments.get(unit=units["transport"])
    message = refused(
        "log_contact", user=clerk, suggestion=assigned.s, assignment=handed_on, at=assigned.step()
    )
    assert message == "您无权查看此建议。"


# --- 申请延期 -----------------------------------------------------------------------------------------------------


def ask_extension(j, clerk, at, wanted, grounds="需协调上级资金"):
    return workflow.perform(
        "request_extension",
        user=clerk,
        suggestion=j.s,
        assignment=j.lead,
        at=at,
        grounds=grounds,
        requested_deadline=wanted,
    )


@pytest.fixture
def signed(journey):
    return journey.assign().sign()


def test_unit_asks_for_an_extension_before_the_deadline(signed, clerk):
    event = ask_extension(signed, clerk, day(90), datetime.date(2025, 8, 1))  # 2025-06-01, deadline 06-03
    request = ExtensionRequest.objects.get()
    assert (request.requested_deadline, request.status, request.requested_by) == (
        datetime.date(2025, 8, 1),
        Ruling.PENDING,
        clerk,
    )
    assert signed.lead.deadline == datetime.date(2025, 6, 3)  # unchanged until the office approves
    assert event.note == "市交通运输局申请延期至2025年8月1日：需协调上级资金"


def test_extension_may_be_asked_on_the_deadline_day_itself(signed, clerk):
    ask_extension(signed, clerk, day(92), datetime.date(2025, 8, 1))  # 2025-06-03
    assert ExtensionRequest.objects.exists()


def test_extension_after_the_deadline_is_refused(signed, clerk):
    message = refused(
        "request_extension",
        user=clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=day(93),
        grounds="来不及",
        requested_deadline=datetime.date(2025, 8, 1),
    )
    assert message == "已超过办理期限，延期须在期限届满前申请。"


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        (datetime.date(2025, 6, 3), "申请延至的日期必须晚于现办理期限。"),
        (datetime.date(2025, 5, 1), "申请延至的日期必须晚于现办理期限。"),
        (None, "申请延至的日期必须晚于现办理期限。"),
        (datetime.date(2025, 9, 4), "办理期限最长至2025年9月3日。"),
    ],
    ids=["same-day", "earlier", "missing", "beyond-six-months"],
)
def test_extended_date_must_be_later_and_within_six_months_of_assignment(signed, clerk, wanted, message):
    kwargs = {"user": clerk, "suggestion": signed.s, "assignment": signed.lead, "at": day(30)}
    assert refused("request_extension", grounds="资金", requested_deadline=wanted, **kwargs) == message


def test_extension_needs_grounds(signed, clerk):
    kwargs = {"user": clerk, "suggestion": signed.s, "assignment": signed.lead, "at": day(30)}
    assert refused(
        "request_extension", grounds=" ", requested_deadline=datetime.date(2025, 7, 1), **kwargs
    ) == ("请填写延期理由。")


def test_six_months_from_assignment_is_the_latest(signed, clerk):
    ask_extension(signed, clerk, day(30), datetime.date(2025, 9, 3))
    assert ExtensionRequest.objects.get().requested_deadline == datetime.date(2025, 9, 3)


def test_one_extension_request_waits_at_a_time(signed, clerk):
    ask_extension(signed, clerk, day(30), datetime.date(2025, 7, 1))
    message = refused(
        "request_extension",
        user=clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=day(31),
        grounds="再申请",
        requested_deadline=datetime.date(2025, 8, 1),
    )
    assert message == "已有待审批的延期申请。"


def test_approved_extension_moves_the_assignment_and_suggestion_deadlines(signed, clerk, office):
    ask_extension(signed, clerk, day(30), datetime.date(2025, 8, 1))
    event = workflow.perform(
        "rule_extension", user=office, suggestion=signed.s, assignment=signed.lead, at=day(31), approve=True
    )
    lead = signed.lead
    assert (lead.deadline, lead.original_deadline) == (datetime.date(2025, 8, 1), datetime.date(2025, 6, 3))
    assert Suggestion.objects.get(pk=signed.s.pk).deadline == datetime.date(2025, 8, 1)
    request = ExtensionRequest.objects.get()
    assert (request.status, request.granted_deadline, request.ruled_by) == (
        Ruling.APPROVED,
        datetime.date(2025, 8, 1),
        office,
    )
    assert event.note == "同意市交通运输局延期至2025年8月1日"
    # the lead's part is no longer late on the old deadline; the co-unit's opinion (due 2025-04-03) still is
    june = datetime.date(2025, 6, 10)
    late = [a.unit.name for a in signed.s.assignments.all() if a.is_overdue(june)]
    assert late == ["市财政局"]


def test_office_may_grant_a_shorter_extension_than_asked(signed, clerk, office):
    ask_extension(signed, clerk, day(30), datetime.date(2025, 9, 1))
    workflow.perform(
        "rule_extension",
        user=office,
        suggestion=signed.s,
        assignment=signed.lead,
        at=day(31),
        approve=True,
        granted_deadline=datetime.date(2025, 7, 1),
    )
    assert signed.lead.deadline == datetime.date(2025, 7, 1)


def test_office_cannot_grant_beyond_six_months(signed, clerk, office):
    ask_extension(signed, clerk, day(30), datetime.date(2025, 9, 1))
    message = refused(
        "rule_extension",
        user=office,
        suggestion=signed.s,
        assignment=signed.lead,
        at=day(31),
        approve=True,
        granted_deadline=datetime.date(2025, 12, 31),
    )
    assert message == "批准的期限须晚于现期限，且不超过最长办理期限。"


def test_refused_extension_keeps_the_deadline_and_needs_a_reason(signed, clerk, office):
    ask_extension(signed, clerk, day(30), datetime.date(2025, 8, 1))
    kwargs = {"user": office, "suggestion": signed.s, "assignment": signed.lead, "at": day(31)}
    assert refused("rule_extension", **kwargs) == "不同意延期时请说明理由。"
    workflow.perform("rule_extension", note="理由不充分", **kwargs)
    assert signed.lead.deadline == datetime.date(2025, 6, 3)
    assert ExtensionRequest.objects.get().status == Ruling.REFUSED
    # a new request may follow the refusal
    ask_extension(signed, clerk, day(32), datetime.date(2025, 7, 1), grounds="补充材料")
    assert ExtensionRequest.objects.filter(status=Ruling.PENDING).count() == 1


def test_nothing_to_rule_without_an_extension_request(signed, office):
    message = refused(
        "rule_extension", user=office, suggestion=signed.s, assignment=signed.lead, at=day(31), approve=True
    )
    assert message == "没有待审批的申请。"


def test_a_co_units_extension_does_not_move_the_suggestions_deadline(journey, co_clerk, office):
    journey.assign()
    co = journey.s.assignments.get(role="co")
    workflow.perform("sign_for", user=co_clerk, suggestion=journey.s, assignment=co, at=day(1))
    workflow.perform(
        "request_extension",
        user=co_clerk,
        suggestion=journey.s,
        assignment=co,
        at=day(10),
        grounds="需要核实资金",
        requested_deadline=datetime.date(2025, 5, 6),
    )
    workflow.perform(
        "rule_extension", user=office, suggestion=journey.s, assignment=co, at=day(11), approve=True
    )
    assert co.deadline == datetime.date(2025, 5, 6)
    assert Suggestion.objects.get(pk=journey.s.pk).deadline == datetime.date(2025, 6, 3)


# --- requests nobody can rule on any more leave the office's list -------------------------------------------------


def test_withdrawal_settles_the_requests_still_waiting(assigned, clerk, office):
    ask_reassignment(assigned, clerk, day(1))
    workflow.perform("withdraw", user=office, suggestion=assigned.s, at=day(2), reason="代表申请撤回")
    request = ReassignmentRequest.objects.get()
    assert request.status != Ruling.PENDING
    assert request.ruling_note == "建议已撤回，无需审批。"
    assert request.ruled_at == day(2)


def test_an_extension_request_still_waiting_when_the_reply_is_accepted_is_settled(signed, clerk, office):
    ask_extension(signed, clerk, day(30), datetime.date(2025, 8, 1))
    signed.at = day(31)
    signed.draft().sign_off().submit().accept()
    request = ExtensionRequest.objects.get()
    assert request.status != Ruling.PENDING
    assert request.ruling_note == "已答复，无需延期。"
    assert signed.lead.deadline == datetime.date(2025, 6, 3)


def test_the_old_units_extension_request_goes_with_the_reassignment(signed, clerk, office, units):
    ask_extension(signed, clerk, day(1), datetime.date(2025, 8, 1))
    ask_reassignment(signed, clerk, day(2), proposed_unit=units["housing"])
    workflow.perform(
        "rule_reassignment", user=office, suggestion=signed.s, assignment=signed.lead, at=day(3), approve=True
    )
    assert not ExtensionRequest.objects.filter(status=Ruling.PENDING).exists()


def test_the_portfolio_follows_the_lead_unit_to_another_leader(assigned, clerk, office, units, leaders):
    assert assigned.s.leader == leaders["traffic"]
    ask_reassignment(assigned, clerk, day(1), proposed_unit=units["health"])
    workflow.perform(
        "rule_reassignment",
        user=office,
        suggestion=assigned.s,
        assignment=assigned.lead,
        at=day(2),
        approve=True,
    )
    assert assigned.s.leader == leaders["health"]


def test_a_portfolio_the_office_chose_stays_when_the_unit_changes(registered, office, clerk, units, leaders):
    workflow.perform(
        "assign",
        user=office,
        suggestion=registered,
        at=AT,
        lead_unit=units["transport"],
        leader=leaders["health"],
    )
    lead = registered.assignments.get(role="lead")
    workflow.perform("request_reassignment", user=clerk, suggestion=registered, assignment=lead, at=day(1),
                     reason="不属本单位职责", proposed_unit=units["housing"])  # fmt: skip
    workflow.perform(
        "rule_reassignment", user=office, suggestion=registered, assignment=lead, at=day(2), approve=True
    )
    assert registered.leader == leaders["health"]
