"""沟通, 答复 (拟写 -> 签发 -> 报送 -> 审核), 退回 and 公开."""

import datetime

import pytest

from suggestions import workflow
from suggestions.models import Assignment, ContactRecord, Reply, Suggestion
from tests.conftest import AT
from tests.workflow_helpers import actions, refused

S = Suggestion.State
A = Assignment.State

LETTER = {
    "document_number": "霍交函〔2025〕12号",
    "contact_person": "周敏",
    "contact_phone": "0357-5620000",
    "text": "经研究，答复如下：一、……",
}


@pytest.fixture
def signed(journey):
    return journey.assign().sign()


def draft(j, user=None, **data):
    values = {**LETTER, "result_class": "A", **data}
    return workflow.perform(
        "draft_reply", user=user or j.clerk, suggestion=j.s, assignment=j.lead, at=j.step(), **values
    )


# --- 沟通 -------------------------------------------------------------------------------------------------------


def test_unit_logs_its_contact_with_the_deputy(signed, clerk, deputies):
    event = workflow.perform(
        "log_contact",
        user=clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        method="visit",
        contacted_on=datetime.date(2025, 3, 4),
        participants="周敏、赵明远",
        summary="登门听取代表意见",
        deputies=[deputies["lead"]],
    )
    record = ContactRecord.objects.get()
    assert (record.method, record.contacted_on, record.recorded_by) == (
        "visit",
        datetime.date(2025, 3, 4),
        clerk,
    )
    assert list(record.deputies.all()) == [deputies["lead"]]
    assert event.note == "市交通运输局登门走访（2025年3月4日）"
    assert signed.s.state == S.IN_HANDLING


def test_contact_cannot_be_dated_in_the_future(signed, clerk):
    message = refused(
        "log_contact",
        user=clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        method="phone",
        contacted_on=datetime.date(2025, 4, 1),
        participants="周敏",
        summary="电话",
    )
    assert message == "沟通日期不能晚于今天。"


def test_an_incomplete_contact_record_is_refused_in_chinese(signed, clerk):
    message = refused(
        "log_contact",
        user=clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        method="phone",
    )
    assert message  # the model's own message, e.g. 这个字段不能为空


def test_unit_cannot_log_contact_on_another_units_assignment(signed, co_clerk):
    message = refused(
        "log_contact",
        user=co_clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        method="phone",
        contacted_on=datetime.date(2025, 3, 4),
        participants="钱",
        summary="电话",
    )
    assert message == "只能办理本单位承办的部分。"


# --- 拟写 -------------------------------------------------------------------------------------------------------


def test_unit_drafts_the_reply_letter(signed, clerk):
    event = draft(signed)
    reply = Reply.objects.get()
    assert (reply.state, reply.document_number, reply.result_class, reply.drafted_by) == (
        Reply.State.DRAFT,
        "霍交函〔2025〕12号",
        "A",
        clerk,
    )
    assert (reply.commitment, reply.commitment_due) == ("", None)
    assert signed.lead.state == A.DRAFTED
    assert event.note == "市交通运输局拟写答复 霍交函〔2025〕12号（A类）"


def test_redrafting_changes_the_same_draft(signed):
    draft(signed)
    draft(signed, document_number="霍交函〔2025〕13号", result_class="C")
    reply = Reply.objects.get()
    assert (reply.document_number, reply.result_class) == ("霍交函〔2025〕13号", "C")


def test_b_class_reply_states_the_commitment_and_its_date(signed):
    message = refused(
        "draft_reply",
        user=signed.clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        **LETTER,
        result_class="B",
        commitment="",
    )
    assert message == "B类答复必须写明承诺事项和完成时间。"
    draft(signed, result_class="B", commitment="年内完成改造", commitment_due=datetime.date(2025, 12, 31))
    reply = Reply.objects.get()
    assert (reply.commitment, reply.commitment_due) == ("年内完成改造", datetime.date(2025, 12, 31))
    assert reply.commitment_open


def test_a_class_the_scheme_does_not_hold_is_refused(signed):
    message = refused(
        "draft_reply",
        user=signed.clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        **LETTER,
        result_class="D",
    )
    assert message == "请选择答复类别（A、B、C）。"
    assert not Reply.objects.exists()


@pytest.mark.usefixtures("four_result_classes")
def test_under_four_classes_a_c_class_reply_carries_a_commitment(signed):
    message = refused(
        "draft_reply",
        user=signed.clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        **LETTER,
        result_class="C",
        commitment="",
    )
    assert message == "C类答复必须写明承诺事项和完成时间。"
    draft(signed, result_class="D")
    assert Reply.objects.get().result_class == "D"


def test_a_class_reply_drops_a_stray_commitment(signed):
    draft(signed, result_class="A", commitment="顺带一提", commitment_due=datetime.date(2025, 12, 31))
    assert Reply.objects.get().commitment == ""


def test_a_reply_without_a_document_number_is_refused(signed):
    message = refused(
        "draft_reply",
        user=signed.clerk,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        **{**LETTER, "document_number": ""},
        result_class="A",
    )
    assert message


def test_unit_signs_for_before_drafting(journey, clerk):
    journey.assign()
    message = refused(
        "draft_reply", user=clerk, suggestion=journey.s, assignment=journey.lead, at=journey.step(), **LETTER
    )
    assert message == "建议当前状态为「已交办」，不能拟写答复。"


def test_co_unit_does_not_draft_a_reply(signed, co_clerk):
    co = signed.s.assignments.get(role="co")
    workflow.perform("sign_for", user=co_clerk, suggestion=signed.s, assignment=co, at=signed.step())
    message = refused(
        "draft_reply", user=co_clerk, suggestion=signed.s, assignment=co, at=signed.step(), **LETTER
    )
    assert message == "协办单位不能拟写答复。"


# --- 签发 -------------------------------------------------------------------------------------------------------


def test_unit_head_signs_the_reply(signed, head):
    draft(signed)
    at = signed.step()
    event = workflow.perform("sign_reply", user=head, suggestion=signed.s, assignment=signed.lead, at=at)
    reply = Reply.objects.get()
    assert (reply.state, reply.signer, reply.signed_by, reply.signed_at) == (
        Reply.State.SIGNED,
        "head",
        head,
        at,
    )
    assert signed.lead.state == A.SIGNED_OFF
    assert event.note == "head签发答复 霍交函〔2025〕12号"


def test_the_signer_may_be_named_as_printed_on_the_letter(signed, head):
    draft(signed)
    workflow.perform(
        "sign_reply",
        user=head,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        signer="张局长",
    )
    assert Reply.objects.get().signer == "张局长"


def test_unit_staff_cannot_sign_the_reply(signed, clerk):
    draft(signed)
    message = refused("sign_reply", user=clerk, suggestion=signed.s, assignment=signed.lead, at=signed.step())
    assert message == "您没有权限进行此操作。"
    assert Reply.objects.get().state == Reply.State.DRAFT


def test_head_of_another_unit_cannot_sign_the_reply(signed, units, django_user_model):
    draft(signed)
    other_head = django_user_model.objects.create_user(username="fh", role="unit_head", unit=units["finance"])
    message = refused(
        "sign_reply", user=other_head, suggestion=signed.s, assignment=signed.lead, at=signed.step()
    )
    assert message == "只能办理本单位承办的部分。"


def test_nothing_leaves_the_unit_unsigned(signed, clerk):
    draft(signed)
    message = refused(
        "submit_reply", user=clerk, suggestion=signed.s, assignment=signed.lead, at=signed.step()
    )
    assert message == "市交通运输局的办理状态为「答复待签发」，不能报送答复。"


# --- 报送, 审核 ---------------------------------------------------------------------------------------------------


def test_unit_submits_the_signed_reply_to_the_office(signed, clerk):
    draft(signed)
    signed.sign_off()
    at = signed.step()
    event = workflow.perform("submit_reply", user=clerk, suggestion=signed.s, assignment=signed.lead, at=at)
    reply = Reply.objects.get()
    assert (reply.state, reply.submitted_at) == (Reply.State.SUBMITTED, at)
    assert signed.lead.state == A.SUBMITTED
    assert signed.s.state == S.IN_HANDLING
    # allowed before the co-unit (市财政局) has sent its opinion, but the unit is warned and the office sees it
    warning = "协办单位市财政局尚未报送协办意见，答复未能载明其意见。"
    assert event.warnings == [warning]
    assert event.note == f"市交通运输局报送答复 霍交函〔2025〕12号（提醒：{warning}）"


def test_no_warning_once_every_co_unit_has_sent_its_opinion(signed, co_clerk):
    co = signed.s.assignments.get(role="co")
    workflow.perform("sign_for", user=co_clerk, suggestion=signed.s, assignment=co, at=signed.step())
    workflow.perform(
        "send_opinion", user=co_clerk, suggestion=signed.s, assignment=co, at=signed.step(), text="同意"
    )
    signed.draft().sign_off()
    event = workflow.perform(
        "submit_reply", user=signed.clerk, suggestion=signed.s, assignment=signed.lead, at=signed.step()
    )
    assert event.warnings == []
    assert event.note == "市交通运输局报送答复 霍交函〔2025〕12号"


def test_office_accepts_the_reply_and_the_suggestion_is_replied(signed, office):
    signed.draft("C").sign_off().submit()
    at = signed.step()
    event = workflow.perform(
        "review_reply", user=office, suggestion=signed.s, assignment=signed.lead, at=at, accept=True
    )
    reply = Reply.objects.get()
    assert (reply.state, reply.reviewed_by, reply.reviewed_at) == (Reply.State.ACCEPTED, office, at)
    assert (signed.lead.state, signed.lead.completed_at) == (A.REPLIED, at)
    s = signed.s
    assert (s.state, s.replied_at, s.result_class, s.rating) == (S.REPLIED, at, "C", None)
    assert (event.from_state, event.to_state) == (S.IN_HANDLING, S.REPLIED)
    assert event.note == "审核通过市交通运输局的答复 霍交函〔2025〕12号"


def test_office_returns_the_reply_and_the_unit_redrafts_and_signs_again(signed, office, clerk, head):
    signed.draft().sign_off().submit()
    kwargs = {"user": office, "suggestion": signed.s, "assignment": signed.lead}
    assert refused("review_reply", at=signed.step(), **kwargs) == "退回时请说明理由。"
    event = workflow.perform("review_reply", at=signed.step(), reason="未逐条答复代表所提问题", **kwargs)
    first = Reply.objects.get()
    assert (first.state, first.return_reason, first.reviewed_by) == (
        Reply.State.RETURNED,
        "未逐条答复代表所提问题",
        office,
    )
    assert signed.lead.state == A.RETURNED
    assert signed.s.state == S.IN_HANDLING
    assert event.note == "退回市交通运输局的答复 霍交函〔2025〕12号：未逐条答复代表所提问题"
    # the returned letter cannot be signed as it is: the unit redrafts
    assert refused(
        "sign_reply", user=head, suggestion=signed.s, assignment=signed.lead, at=signed.step()
    ).endswith("不能签发答复。")
    draft(signed, document_number="霍交函〔2025〕15号")
    signed.sign_off().submit().accept()
    assert signed.s.state == S.REPLIED
    states = dict(Reply.objects.values_list("document_number", "state"))
    assert states == {"霍交函〔2025〕12号": Reply.State.RETURNED, "霍交函〔2025〕15号": Reply.State.ACCEPTED}
    assert actions(signed.s)[-5:] == [
        "review_reply",
        "draft_reply",
        "sign_reply",
        "submit_reply",
        "review_reply",
    ]


def test_only_a_submitted_reply_is_reviewed(signed, office):
    draft(signed)
    message = refused(
        "review_reply",
        user=office,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        accept=True,
    )
    assert message == "市交通运输局的办理状态为「答复待签发」，不能审核答复。"


def test_a_reply_waits_for_every_answering_unit_but_not_for_co_units(signed, office):
    signed.draft().sign_off().submit().accept()
    co = signed.s.assignments.get(role="co")
    assert co.state == A.PENDING  # the co-unit never answered; the lead unit's reply still closes the round
    assert signed.s.state == S.REPLIED


# --- 公开 -------------------------------------------------------------------------------------------------------


@pytest.fixture
def replied(signed):
    return signed.draft().sign_off().submit().accept()


def test_office_publishes_the_replies(replied, office):
    at = replied.step()
    event = workflow.perform("publish", user=office, suggestion=replied.s, at=at)
    reply = Reply.objects.get()
    assert (reply.is_public, reply.published_at) == (True, at)
    assert event.note == "公开答复 霍交函〔2025〕12号"
    assert refused("publish", user=office, suggestion=replied.s, at=replied.step()) == "没有待公开的答复。"


def test_office_withholds_a_reply_with_a_reason(replied, office):
    kwargs = {"user": office, "suggestion": replied.s, "publish": False}
    assert refused("publish", at=replied.step(), **kwargs) == "不公开时请说明理由。"
    event = workflow.perform("publish", at=replied.step(), reason="涉及个人隐私", **kwargs)
    reply = Reply.objects.get()
    assert (reply.is_public, reply.withheld_reason, reply.published_at) == (False, "涉及个人隐私", None)
    assert event.note == "答复不予公开：涉及个人隐私"


def test_a_closed_suggestions_reply_may_still_be_published(replied, office):
    replied.rate(3)
    workflow.perform("close", user=office, suggestion=replied.s, at=replied.step())
    workflow.perform("publish", user=office, suggestion=replied.s, at=replied.step())
    assert Reply.objects.get().published_at is not None


def test_nothing_is_published_before_the_reply_is_accepted(signed, office):
    assert (
        refused("publish", user=office, suggestion=signed.s, at=AT)
        == "建议当前状态为「办理中」，不能公开答复。"
    )


def test_the_head_sends_a_draft_back_and_the_clerk_redrafts(signed, head, office, deputy_user):
    draft(signed)
    workflow.perform(
        "return_draft",
        user=head,
        suggestion=signed.s,
        assignment=signed.lead,
        at=signed.step(),
        reason="请逐条回应代表意见",
    )
    part = Assignment.objects.get(pk=signed.lead.pk)
    reply = Reply.objects.get()
    assert (part.state, reply.state, reply.revision_note) == (
        A.REVISING,
        Reply.State.DRAFT,
        "请逐条回应代表意见",
    )
    assert "sign_reply" not in [a.name for a in workflow.available_actions(signed.s, head, at=signed.at)]
    # the head's remarks stay in the unit: not in the office's or the deputy's timeline
    from suggestions.models import Event

    event = Event.objects.get(action="return_draft")
    assert not Event.objects.visible_to(office).filter(pk=event.pk).exists()
    assert not Event.objects.visible_to(deputy_user).filter(pk=event.pk).exists()
    assert Event.objects.visible_to(signed.clerk).filter(pk=event.pk).exists()
    draft(signed, text="经研究，逐条答复如下：一、……")
    reply.refresh_from_db()
    assert (Assignment.objects.get(pk=part.pk).state, reply.revision_note) == (A.DRAFTED, "")
    assert Reply.objects.count() == 1  # the same draft, rewritten


def test_only_the_head_returns_a_draft_and_with_a_reason(signed, head):
    draft(signed)
    assert (
        refused(
            "return_draft",
            user=head,
            suggestion=signed.s,
            assignment=signed.lead,
            at=signed.step(),
            reason=" ",
        )
        == "请写明修改意见。"
    )
    assert (
        refused(
            "return_draft",
            user=signed.clerk,
            suggestion=signed.s,
            assignment=signed.lead,
            at=signed.step(),
            reason="x",
        )
        == "您没有权限进行此操作。"
    )
