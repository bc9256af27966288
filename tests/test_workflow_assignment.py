"""登记, 交办, 签收, 协办意见, 分办, 转交 and 撤回: a suggestion from registration until the units are at work."""

import datetime

import pytest

from suggestions import workflow
from suggestions.models import Assignment, CoUnitOpinion, Event, Reply, Suggestion
from tests.conftest import AT
from tests.workflow_helpers import actions, last_event, refused

S = Suggestion.State
A = Assignment.State


def assign(office, s, **data):
    return workflow.perform("assign", user=office, suggestion=s, at=AT, **data)


# --- 登记 ------------------------------------------------------------------------------------------------------


def test_registration_records_the_suggestion_and_its_first_event(registered, office, deputies, delegation):
    assert registered.state == S.REGISTERED
    assert registered.delegation == delegation  # taken from the lead deputy
    assert list(registered.joint_deputies.all()) == [deputies["joint"]]
    assert registered.created_by == office
    event = Event.objects.get(suggestion=registered)
    assert (event.action, event.label, event.actor, event.from_state, event.to_state) == (
        "register",
        "登记",
        office,
        "",
        S.REGISTERED,
    )
    assert event.note == "登记第1号建议"


def test_the_lead_deputy_is_not_also_a_joint_deputy(office, session, categories, deputies):
    s = workflow.register(
        user=office,
        at=AT,
        session=session,
        number=7,
        title="关于加强河道治理的建议",
        lead_deputy=deputies["lead"],
        joint_deputies=[deputies["lead"], deputies["joint"]],
        category=categories["农林水利"],
    )
    assert s.deputies == [deputies["lead"], deputies["joint"]]


def test_a_number_already_used_in_the_session_is_refused(registered, office, categories, deputies):
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.register(
            user=office,
            at=AT,
            session=registered.session,
            number=1,
            title="另一条建议",
            lead_deputy=deputies["other"],
            category=categories["城建交通"],
        )
    assert caught.value.message == "本届次会议中已有该编号的建议。"
    assert caught.value.field is not None
    assert Suggestion.objects.count() == 1
    assert Event.objects.count() == 1


def test_only_the_office_registers_suggestions(session, categories, deputies, deputy_user, clerk):
    for user in (deputy_user, clerk):
        with pytest.raises(workflow.WorkflowError, match="没有权限"):
            workflow.register(
                user=user,
                session=session,
                number=9,
                title="建议",
                lead_deputy=deputies["lead"],
                category=categories["城建交通"],
            )
    assert not Suggestion.objects.exists()


# --- 修改 ------------------------------------------------------------------------------------------------------


def test_office_corrects_the_registration_and_the_event_names_the_fields(registered, office, categories):
    event = workflow.perform(
        "edit",
        user=office,
        suggestion=registered,
        at=AT,
        title="关于农村公路提档升级的建议",
        category=categories["农林水利"],
    )
    registered.refresh_from_db()
    assert registered.title == "关于农村公路提档升级的建议"
    assert registered.category == categories["农林水利"]
    assert event.note == "修改：案由、类别"
    assert (event.from_state, event.to_state) == (S.REGISTERED, S.REGISTERED)


def test_editing_cannot_change_the_state_or_the_handling_summary(journey, office):
    journey.assign()
    for field, value in [
        ("state", S.CLOSED),
        ("round", 3),
        ("rating", 3),
        ("deadline", datetime.date(2030, 1, 1)),
    ]:
        message = refused("edit", user=office, suggestion=journey.s, at=journey.step(), **{field: value})
        assert "不能修改" in message
    assert journey.s.state == S.ASSIGNED
    assert refused("edit", user=office, suggestion=journey.s, at=journey.step(), colour="red") == (
        "不能修改「colour」：它只随办理操作改变。"
    )


def test_editing_to_a_number_already_used_is_refused(registered, office, session, categories, deputies):
    workflow.register(
        user=office,
        session=session,
        number=2,
        title="建议二",
        lead_deputy=deputies["other"],
        category=categories["城建交通"],
    )
    message = refused("edit", user=office, suggestion=registered, at=AT, number=2)
    assert message == "本届次会议中已有该编号的建议。"


# --- 交办 ------------------------------------------------------------------------------------------------------


def test_office_assigns_a_lead_unit_and_a_co_unit(registered, office, units, leaders):
    event = assign(office, registered, lead_unit=units["transport"], co_units=[units["finance"]])
    registered.refresh_from_db()
    assert registered.state == S.ASSIGNED
    assert registered.lead_unit == units["transport"]
    assert registered.leader == leaders["traffic"]  # classified into the lead unit's portfolio
    assert registered.assigned_on == datetime.date(2025, 3, 3)
    assert registered.deadline == datetime.date(2025, 6, 3)  # three months
    lead, co = registered.assignments.get(role="lead"), registered.assignments.get(role="co")
    assert (lead.unit, lead.state, lead.round) == (units["transport"], A.PENDING, 1)
    assert (co.unit, co.state, co.round) == (units["finance"], A.PENDING, 1)
    assert lead.deadline == lead.original_deadline == datetime.date(2025, 6, 3)
    assert co.deadline == datetime.date(2025, 4, 3)  # the co-unit's opinion is due within a month
    assert lead.reassignment_until == co.reassignment_until == datetime.date(2025, 3, 10)
    assert (event.action, event.actor, event.from_state, event.to_state) == (
        "assign",
        office,
        S.REGISTERED,
        S.ASSIGNED,
    )
    assert event.note == "主办：市交通运输局；协办：市财政局；办理期限2025年6月3日"


def test_a_key_suggestion_is_assigned_with_its_supervising_leader(registered, office, units, leaders):
    assign(office, registered, lead_unit=units["health"], is_key=True, supervising_leader=leaders["traffic"])
    registered.refresh_from_db()
    assert registered.is_key
    assert registered.supervising_leader == leaders["traffic"]
    assert registered.leader == leaders["health"]


def test_a_key_suggestion_without_a_supervising_leader_is_refused(registered, office, units):
    message = refused(
        "assign", user=office, suggestion=registered, at=AT, lead_unit=units["transport"], is_key=True
    )
    assert message == "重点建议必须指定督办领导。"


def test_a_hard_item_may_be_given_up_to_six_months(registered, office, units):
    assign(office, registered, lead_unit=units["transport"], months=6)
    assert Suggestion.objects.get(pk=registered.pk).deadline == datetime.date(2025, 9, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请指定一个主办单位，或者指定两个以上分办单位。"),
        ({"separate_units": ["transport"]}, "分办至少需要选择两个单位。"),
        ({"lead_unit": "transport", "separate_units": ["health", "housing"]}, "请指定一个主办单位"),
        ({"separate_units": ["transport", "health"], "co_units": ["finance"]}, "分办时请选择协办单位配合的"),
        ({"lead_unit": "transport", "co_units": ["transport"]}, "主办单位不能同时是协办单位。"),
        ({"lead_unit": "transport", "months": 7}, "办理期限最长6个月。"),
    ],
    ids=[
        "no-unit",
        "one-separate-unit",
        "lead-and-separate",
        "separate-with-co-supporting-nobody",
        "same-unit-twice",
        "7-months",
    ],
)
def test_an_assignment_that_does_not_make_sense_is_refused(registered, office, units, data, message):
    resolved = {}
    for key, value in data.items():
        if key == "months":
            resolved[key] = value
        elif isinstance(value, list):
            resolved[key] = [units[v] for v in value]
        else:
            resolved[key] = units[value]
    assert refused("assign", user=office, suggestion=registered, at=AT, **resolved).startswith(message)


def test_a_suggestion_is_assigned_only_once(journey, office, units):
    journey.assign()
    message = refused(
        "assign", user=office, suggestion=journey.s, at=journey.step(), lead_unit=units["health"]
    )
    assert message == "建议当前状态为「已交办」，不能交办。"
    assert journey.s.assignments.count() == 2


# --- 签收 ------------------------------------------------------------------------------------------------------


def test_lead_unit_signs_for_its_assignment_and_handling_begins(journey, clerk):
    journey.assign()
    lead = journey.lead
    at = journey.step()
    event = workflow.perform("sign_for", user=clerk, suggestion=journey.s, assignment=lead, at=at)
    assert journey.s.state == S.IN_HANDLING
    assert (lead.state, lead.signed_at, lead.signed_by) == (A.SIGNED, at, clerk)
    assert (event.from_state, event.to_state, event.assignment) == (S.ASSIGNED, S.IN_HANDLING, lead)
    assert event.note == "市交通运输局签收（主办）"
    assert event.actor_name == "clerk（市交通运输局）"


def test_a_co_units_signature_does_not_start_the_handling(journey, co_clerk):
    journey.assign()
    co = journey.s.assignments.get(role="co")
    event = workflow.perform(
        "sign_for", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step()
    )
    assert journey.s.state == S.ASSIGNED
    assert co.state == A.SIGNED
    assert (event.from_state, event.to_state) == (S.ASSIGNED, S.ASSIGNED)


def test_unit_head_may_sign_for_the_assignment_too(journey, head):
    journey.assign()
    workflow.perform("sign_for", user=head, suggestion=journey.s, assignment=journey.lead, at=journey.step())
    assert journey.lead.signed_by == head


def test_an_assignment_is_signed_for_only_once(journey, clerk, head):
    journey.assign().sign()
    message = refused("sign_for", user=head, suggestion=journey.s, assignment=journey.lead, at=journey.step())
    assert message == "市交通运输局的办理状态为「已签收」，不能签收。"


def test_unit_cannot_sign_for_another_units_assignment(journey, co_clerk, outsider_clerk):
    journey.assign()
    message = refused(
        "sign_for", user=co_clerk, suggestion=journey.s, assignment=journey.lead, at=journey.step()
    )
    assert message == "只能办理本单位承办的部分。"
    message = refused(
        "sign_for", user=outsider_clerk, suggestion=journey.s, assignment=journey.lead, at=journey.at
    )
    assert message == "您无权查看此建议。"


def test_an_action_on_a_part_needs_the_part(
    journey, clerk, registered, office, session, categories, deputies
):
    journey.assign()
    assert refused("sign_for", user=clerk, suggestion=journey.s, at=journey.step()) == "请指明承办单位。"


# --- 协办意见 ----------------------------------------------------------------------------------------------------


def test_co_unit_sends_its_opinion_to_the_lead_unit(journey, co_clerk):
    journey.assign().sign()
    co = journey.s.assignments.get(role="co")
    workflow.perform("sign_for", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step())
    at = journey.step()
    event = workflow.perform(
        "send_opinion",
        user=co_clerk,
        suggestion=journey.s,
        assignment=co,
        at=at,
        text="资金按程序安排",
        signer="钱局长",
    )
    opinion = CoUnitOpinion.objects.get(assignment=co)
    assert (opinion.text, opinion.signer, opinion.sent_by, opinion.sent_at) == (
        "资金按程序安排",
        "钱局长",
        co_clerk,
        at,
    )
    assert (co.state, co.completed_at) == (A.OPINION_SENT, at)
    assert journey.s.state == S.IN_HANDLING  # the opinion is not the reply
    assert event.note == "市财政局报送协办意见"


def test_co_unit_signs_for_before_sending_its_opinion(journey, co_clerk):
    journey.assign()
    co = journey.s.assignments.get(role="co")
    message = refused(
        "send_opinion", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step(), text="意见"
    )
    assert "不能报送协办意见" in message


def test_co_unit_sends_one_opinion(journey, co_clerk):
    journey.assign()
    co = journey.s.assignments.get(role="co")
    workflow.perform("sign_for", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step())
    workflow.perform(
        "send_opinion", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step(), text="意见"
    )
    message = refused(
        "send_opinion", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step(), text="再提"
    )
    assert message == "市财政局的办理状态为「已反馈协办意见」，不能报送协办意见。"


def test_lead_unit_replies_rather_than_sending_an_opinion(journey, clerk):
    journey.assign().sign()
    message = refused(
        "send_opinion",
        user=clerk,
        suggestion=journey.s,
        assignment=journey.lead,
        at=journey.step(),
        text="意见",
    )
    assert message == "主办单位不能报送协办意见。"


def test_an_empty_opinion_is_refused(journey, co_clerk):
    journey.assign()
    co = journey.s.assignments.get(role="co")
    workflow.perform("sign_for", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step())
    assert refused(
        "send_opinion", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step(), text=" "
    ) == ("请填写协办意见。")


# --- 分办: several units each answer their own part ----------------------------------------------------------------


@pytest.fixture
def separate(registered, office, units, clerk, head, django_user_model):
    """分办 to the transport and housing bureaus, both signed for and drafting."""
    assign(office, registered, separate_units=[units["transport"], units["housing"]])
    staff = {
        "transport": clerk,
        "housing": django_user_model.objects.create_user(
            username="h-staff", role="unit_staff", unit=units["housing"]
        ),
    }
    heads = {
        "transport": head,
        "housing": django_user_model.objects.create_user(
            username="h-head", role="unit_head", unit=units["housing"]
        ),
    }
    return registered, staff, heads


def reply_through(s, part, staff, head, office, result_class, day):
    at = AT + datetime.timedelta(days=day)
    data = {
        "document_number": f"{part.unit.short_name}函〔2025〕{day}号",
        "contact_person": "周敏",
        "contact_phone": "0357-5620000",
        "text": "答复",
        "result_class": result_class,
    }
    if result_class == "B":
        data.update(commitment="年内完成", commitment_due=datetime.date(2025, 12, 31))
    workflow.perform("sign_for", user=staff, suggestion=s, assignment=part, at=at)
    workflow.perform("draft_reply", user=staff, suggestion=s, assignment=part, at=at, **data)
    workflow.perform("sign_reply", user=head, suggestion=s, assignment=part, at=at)
    workflow.perform("submit_reply", user=staff, suggestion=s, assignment=part, at=at)
    workflow.perform("review_reply", user=office, suggestion=s, assignment=part, at=at, accept=True)


def test_separate_units_each_get_the_full_deadline(separate, units):
    s, _, _ = separate
    parts = s.assignments.all()
    assert {a.role for a in parts} == {"separate"}
    assert {a.deadline for a in parts} == {datetime.date(2025, 6, 3)}
    assert Suggestion.objects.get(pk=s.pk).lead_unit is None


def test_separate_suggestion_is_replied_only_when_every_units_reply_is_accepted(separate, office, units):
    s, staff, heads = separate
    transport, housing = s.assignments.get(unit=units["transport"]), s.assignments.get(unit=units["housing"])
    reply_through(s, transport, staff["transport"], heads["transport"], office, "A", day=5)
    s.refresh_from_db()
    assert s.state == S.IN_HANDLING
    assert s.replied_at is None
    reply_through(s, housing, staff["housing"], heads["housing"], office, "B", day=9)
    s.refresh_from_db()
    assert s.state == S.REPLIED
    assert s.replied_at == AT + datetime.timedelta(days=9)
    assert s.result_class == "B"  # the least solved part speaks for the suggestion
    assert Reply.objects.filter(assignment__suggestion=s, state="accepted").count() == 2


def test_each_separate_reply_is_rated_and_the_worst_rating_counts(separate, office, units, deputy_user):
    s, staff, heads = separate
    for day, key in enumerate(("transport", "housing"), start=5):
        part = s.assignments.get(unit=units[key])
        reply_through(s, part, staff[key], heads[key], office, "A", day=day)
    s.refresh_from_db()
    replies = {r.assignment.unit_id: r for r in workflow.current_replies(s)}
    later = AT + datetime.timedelta(days=20)
    assert refused("rate", user=deputy_user, suggestion=s, at=later, overall=3) == "请选择要评价的答复。"
    workflow.perform(
        "rate", user=deputy_user, suggestion=s, at=later, overall=3, reply=replies[units["transport"].pk]
    )
    assert s.rating == 3
    message = refused("close", user=office, suggestion=s, at=later)
    assert message.startswith("代表尚未评价")  # one reply is still unrated
    workflow.perform(
        "rate", user=deputy_user, suggestion=s, at=later, overall=2, reply=replies[units["housing"].pk]
    )
    assert s.rating == 2
    workflow.perform("close", user=office, suggestion=s, at=later)
    assert s.state == S.CLOSED


def test_a_separate_units_extension_moves_the_suggestions_deadline_to_the_latest_part(
    separate, office, units
):
    s, staff, _ = separate
    housing = s.assignments.get(unit=units["housing"])
    workflow.perform("sign_for", user=staff["housing"], suggestion=s, assignment=housing, at=AT)
    workflow.perform(
        "request_extension",
        user=staff["housing"],
        suggestion=s,
        assignment=housing,
        at=AT,
        grounds="涉及多个部门",
        requested_deadline=datetime.date(2025, 8, 1),
    )
    workflow.perform("rule_extension", user=office, suggestion=s, assignment=housing, at=AT, approve=True)
    s.refresh_from_db()
    assert s.deadline == datetime.date(2025, 8, 1)
    july = datetime.date(2025, 7, 1)
    assert not s.assignments.get(unit=units["housing"]).is_overdue(july)
    assert s.is_overdue(today=july)  # 交通运输局's part was not extended: a late part makes it overdue


def test_in_a_separate_suggestion_each_unit_follows_up_its_own_commitment(separate, office, units):
    s, staff, heads = separate
    reply_through(
        s, s.assignments.get(unit=units["transport"]), staff["transport"], heads["transport"], office, "A", 5
    )
    reply_through(
        s, s.assignments.get(unit=units["housing"]), staff["housing"], heads["housing"], office, "B", 6
    )
    later = AT + datetime.timedelta(days=10)
    message = refused(
        "follow_up", user=staff["transport"], suggestion=s, at=later, progress="已完成", is_done=True
    )
    assert message == "只有作出承诺的单位可以记录落实情况。"
    workflow.perform(
        "follow_up", user=staff["housing"], suggestion=s, at=later, progress="已完成", is_done=True
    )
    assert Reply.objects.get(result_class="B").commitment_done_on == later.date()


def test_office_chooses_which_separate_reply_is_rehandled(separate, office, units):
    s, staff, heads = separate
    for day, key in enumerate(("transport", "housing"), start=5):
        reply_through(s, s.assignments.get(unit=units[key]), staff[key], heads[key], office, "A", day)
    later = AT + datetime.timedelta(days=10)
    assert (
        refused("rehandle", user=office, suggestion=s, at=later, reason="答复不具体")
        == "请选择要重新办理的答复。"
    )
    housing_reply = Reply.objects.get(assignment__unit=units["housing"])
    workflow.perform(
        "rehandle", user=office, suggestion=s, at=later, reason="答复不具体", reply=housing_reply
    )
    assert (s.state, s.round) == (S.REHANDLING, 2)
    assert list(s.assignments.filter(round=2).values_list("unit__short_name", "role")) == [
        ("住建局", "separate")
    ]


# --- 转交, 撤回 -----------------------------------------------------------------------------------------------------


def test_office_hands_a_suggestion_over_to_another_organ(registered, office):
    event = workflow.perform(
        "hand_over", user=office, suggestion=registered, at=AT, other_organ="市人民检察院"
    )
    registered.refresh_from_db()
    assert (registered.state, registered.other_organ) == (S.NOT_GOVERNMENT, "市人民检察院")
    assert not registered.is_government_handled
    assert (event.from_state, event.to_state, event.note) == (
        S.REGISTERED,
        S.NOT_GOVERNMENT,
        "转交市人民检察院办理",
    )


def test_handing_over_names_the_organ(registered, office):
    assert (
        refused("hand_over", user=office, suggestion=registered, at=AT, other_organ="  ")
        == "请填写转交的机关。"
    )


def test_an_assigned_suggestion_is_no_longer_handed_over(journey, office):
    journey.assign()
    message = refused(
        "hand_over", user=office, suggestion=journey.s, at=journey.step(), other_organ="市中级人民法院"
    )
    assert message == "建议当前状态为「已交办」，不能转非政府承办。"


def test_a_withdrawn_suggestion_keeps_the_reason(journey, office, clerk):
    journey.assign().sign()
    event = workflow.perform(
        "withdraw", user=office, suggestion=journey.s, at=journey.step(), reason="代表书面申请撤回"
    )
    assert journey.s.state == S.WITHDRAWN
    assert (event.from_state, event.to_state, event.note) == (
        S.IN_HANDLING,
        S.WITHDRAWN,
        "撤回理由：代表书面申请撤回",
    )
    assert refused(
        "draft_reply", user=clerk, suggestion=journey.s, assignment=journey.lead, at=journey.step()
    ).startswith("建议当前状态为「已撤回」")


def test_withdrawal_needs_a_reason(registered, office):
    assert refused("withdraw", user=office, suggestion=registered, at=AT, reason="") == "请填写撤回理由。"


def test_a_replied_suggestion_cannot_be_withdrawn(journey, office):
    journey.assign().reply()
    assert refused("withdraw", user=office, suggestion=journey.s, at=journey.step(), reason="撤回") == (
        "建议当前状态为「已答复」，不能撤回。"
    )


def test_the_timeline_lists_every_step(journey):
    journey.assign().reply()
    assert actions(journey.s) == [
        "register",
        "assign",
        "sign_for",
        "draft_reply",
        "sign_reply",
        "submit_reply",
        "review_reply",
    ]
    assert last_event(journey.s).to_state == S.REPLIED


def test_separate_units_sort_the_suggestion_into_the_first_units_portfolio(
    registered, office, units, leaders
):
    workflow.perform(
        "assign",
        user=office,
        suggestion=registered,
        at=AT,
        separate_units=[units["health"], units["transport"]],
    )
    assert registered.leader == leaders["health"]
