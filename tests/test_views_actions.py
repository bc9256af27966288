"""Every workflow action through its HTTP form, the way the modal posts it: the person is sent back to the
suggestion, reads 「<操作>: 已完成。」, and sees the new state and the step in the timeline."""

import datetime

import pytest

from suggestions import workflow
from suggestions.models import (
    Assignment,
    CommitmentFollowUp,
    ContactRecord,
    CoUnitOpinion,
    ExtensionRequest,
    Rating,
    ReassignmentRequest,
    Reply,
    Suggestion,
    SupervisionNote,
)
from tests.view_helpers import (
    REPLY_FORM,
    buttons,
    dated_today,
    detail_url,
    iso,
    messages_shown,
    post_action,
    section,
    text,
    timeline,
    today,
)

pytestmark = pytest.mark.django_db


def done(response, suggestion, label):
    """The redirect came back to the suggestion with the success message; returns the page's HTML."""
    assert response.status_code == 200
    assert response.redirect_chain == [(detail_url(suggestion), 302)]
    assert messages_shown(response) == [f"{label}：已完成。"]
    assert label in timeline(response)
    return text(response)


def state(s):
    s.refresh_from_db()
    return s.state


# --- the office takes a registered suggestion -------------------------------------------------------------


def test_assign_to_a_lead_unit_and_a_co_unit(client, registered, office, units):
    client.force_login(office)
    response = post_action(
        client, registered, "assign",
        {"mode": "lead", "lead_unit": units["transport"].pk, "co_units": [units["finance"].pk],
         "assigned_on": iso(today()), "months": "3"},
    )  # fmt: skip
    html = done(response, registered, "交办")
    assert state(registered) == Suggestion.State.ASSIGNED
    assert "主办：市交通运输局；协办：市财政局" in timeline(response)
    assert "已交办" in html
    roles = dict(Assignment.objects.filter(suggestion=registered).values_list("unit__short_name", "role"))
    assert roles == {"交通局": "lead", "财政局": "co"}
    assert registered.lead_unit == units["transport"]
    assert registered.deadline > today()


def test_assign_in_separate_parts(client, registered, office, units):
    client.force_login(office)
    response = post_action(
        client, registered, "assign",
        {"mode": "separate", "separate_units": [units["transport"].pk, units["housing"].pk],
         "assigned_on": iso(today()), "months": "6"},
    )  # fmt: skip
    done(response, registered, "交办")
    assert "分办：市交通运输局、市住房和城乡建设管理局" in timeline(response)
    assert set(Assignment.objects.filter(suggestion=registered).values_list("role", flat=True)) == {
        "separate"
    }
    assert Assignment.objects.filter(suggestion=registered).count() == 2


def test_assign_in_separate_parts_with_a_co_unit_for_one_of_them(client, registered, office, units):
    client.force_login(office)
    form = {"mode": "separate", "separate_units": [units["transport"].pk, units["housing"].pk],
            "separate_co_units": [units["finance"].pk], "assigned_on": iso(today()), "months": "3"}  # fmt: skip
    refused = post_action(client, registered, "assign", form)
    assert refused.status_code == 400
    assert "分办时请选择协办单位配合的分办单位。" in refused.content.decode()
    assert not Assignment.objects.filter(suggestion=registered).exists()
    response = post_action(client, registered, "assign", {**form, "supported_unit": units["housing"].pk})
    done(response, registered, "交办")
    assert "协办：市财政局（配合市住房和城乡建设管理局）" in timeline(response)
    co = Assignment.objects.get(suggestion=registered, role="co")
    assert co.supports.unit == units["housing"]
    assert "协办意见报送市住房和城乡建设管理局（分办）" in response.content.decode()


def test_hand_over_to_another_organ(client, registered, office):
    client.force_login(office)
    response = post_action(client, registered, "hand_over", {"other_organ": "市人民法院", "note": ""})
    html = done(response, registered, "转非政府承办")
    assert state(registered) == Suggestion.State.NOT_GOVERNMENT
    assert "转交机关" in html and "市人民法院" in html


def test_withdraw_with_a_reason(client, journey, office):
    s = journey.assign().s
    client.force_login(office)
    response = post_action(client, s, "withdraw", {"reason": "代表书面申请撤回"})
    done(response, s, "撤回")
    assert state(s) == Suggestion.State.WITHDRAWN
    assert "撤回理由：代表书面申请撤回" in timeline(response)


# --- the unit at work -------------------------------------------------------------------------------------


def test_sign_for(client, journey, clerk):
    s = journey.assign().s
    client.force_login(clerk)
    response = post_action(client, s, "sign_for", assignment=journey.lead)
    done(response, s, "签收")
    assert state(s) == Suggestion.State.IN_HANDLING
    assert journey.lead.state == Assignment.State.SIGNED
    assert "办理中" in text(response)


def test_request_reassignment_then_the_office_approves(client, journey, clerk, office, units):
    s = dated_today(journey).assign().s
    lead = journey.lead
    client.force_login(clerk)
    response = post_action(
        client, s, "request_reassignment",
        {"reason": "道路养护属住建局职责", "proposed_unit": units["housing"].pk}, assignment=lead,
    )  # fmt: skip
    html = done(response, s, "申请调整")
    assert "调整申请（待审批）：道路养护属住建局职责" in html
    lead.refresh_from_db()
    assert lead.state == Assignment.State.REASSIGN_REQUESTED

    client.force_login(office)
    response = post_action(
        client, s, "rule_reassignment", {"approve": "1", "new_unit": units["housing"].pk, "note": ""}, lead
    )
    done(response, s, "审批调整申请")
    assert "由市交通运输局调整为市住房和城乡建设管理局" in timeline(response)
    lead.refresh_from_db()
    assert lead.state == Assignment.State.REASSIGNED
    assert s.assignments.get(role="lead", state="pending").unit == units["housing"]
    s.refresh_from_db()
    assert s.lead_unit == units["housing"]


def test_the_office_refuses_a_reassignment(client, journey, clerk, office):
    s = dated_today(journey).assign().sign().s
    lead = journey.lead
    workflow.perform("request_reassignment", user=clerk, suggestion=s, assignment=lead, reason="不属本单位")
    client.force_login(office)
    response = post_action(
        client, s, "rule_reassignment", {"approve": "0", "note": "职责明确，仍由交通局办理"}, lead
    )
    done(response, s, "审批调整申请")
    lead.refresh_from_db()
    assert lead.state == Assignment.State.SIGNED  # back where it was
    assert ReassignmentRequest.objects.get().status == "refused"
    assert "职责明确，仍由交通局办理" in text(response)


def test_request_an_extension_then_the_office_grants_it(client, journey, clerk, office):
    s = dated_today(journey).assign().sign().s
    lead = journey.lead
    wanted = lead.deadline + datetime.timedelta(days=30)
    client.force_login(clerk)
    response = post_action(
        client, s, "request_extension", {"grounds": "需待省厅批复", "requested_deadline": iso(wanted)}, lead
    )
    html = done(response, s, "申请延期")
    assert "需待省厅批复" in html and "（待审批）" in html
    assert ExtensionRequest.objects.get().status == "pending"

    client.force_login(office)
    response = post_action(
        client, s, "rule_extension", {"approve": "1", "granted_deadline": "", "note": ""}, lead
    )
    html = done(response, s, "审批延期申请")
    lead.refresh_from_db()
    assert lead.deadline == wanted
    assert "（已延期）" in html


def test_log_a_contact_with_the_deputy(client, journey, clerk, deputies):
    s = journey.assign().sign().s
    client.force_login(clerk)
    response = post_action(
        client, s, "log_contact",
        {"method": "visit", "contacted_on": iso(today()), "participants": "周敏、赵明远代表",
         "deputies": [deputies["lead"].pk], "summary": "登门听取代表对道路改造的意见"},
        assignment=journey.lead,
    )  # fmt: skip
    html = done(response, s, "记录沟通")
    assert "登门听取代表对道路改造的意见" in html
    record = ContactRecord.objects.get()
    assert list(record.deputies.all()) == [deputies["lead"]]


def test_a_co_unit_sends_its_opinion(client, journey, co_clerk):
    s = journey.assign().sign().s
    co = s.assignments.get(role="co")
    workflow.perform("sign_for", user=co_clerk, suggestion=s, assignment=co)
    client.force_login(co_clerk)
    response = post_action(
        client, s, "send_opinion", {"text": "财政局将改造资金列入明年预算。", "signer": "钱局长"}, co
    )
    html = done(response, s, "报送协办意见")
    assert "财政局将改造资金列入明年预算。" in html
    co.refresh_from_db()
    assert co.state == Assignment.State.OPINION_SENT
    assert CoUnitOpinion.objects.count() == 1


def test_draft_a_reply_without_a_letter(client, journey, clerk):
    s = journey.assign().sign().s
    client.force_login(clerk)
    response = post_action(client, s, "draft_reply", REPLY_FORM, journey.lead)
    html = done(response, s, "拟写答复")
    reply = Reply.objects.get()
    assert reply.state == Reply.State.DRAFT and not reply.attachment
    assert journey.lead.state == Assignment.State.DRAFTED
    assert "霍交函〔2025〕12号" in section(response, "reply")
    assert "下载签发件" not in html


def test_draft_a_b_class_reply_with_its_commitment(client, journey, clerk):
    s = journey.assign().sign().s
    due = today() + datetime.timedelta(days=200)
    client.force_login(clerk)
    data = {**REPLY_FORM, "result_class": "B", "commitment": "年内完成路面硬化", "commitment_due": iso(due)}
    response = post_action(client, s, "draft_reply", data, journey.lead)
    done(response, s, "拟写答复")
    reply = Reply.objects.get()
    assert (reply.result_class, reply.commitment, reply.commitment_due) == ("B", "年内完成路面硬化", due)
    assert "承诺事项：年内完成路面硬化" in section(response, "reply")


def test_the_unit_head_signs_the_reply(client, journey, head):
    s = journey.assign().sign().draft().s
    client.force_login(head)
    response = post_action(client, s, "sign_reply", {"signer": "李局长"}, journey.lead)
    done(response, s, "签发答复")
    assert Reply.objects.get().signer == "李局长"
    assert journey.lead.state == Assignment.State.SIGNED_OFF
    assert "签发人：李局长" in section(response, "reply")


def test_submit_the_signed_reply(client, journey, clerk):
    s = journey.assign().sign().draft().sign_off().s
    client.force_login(clerk)
    response = post_action(client, s, "submit_reply", {}, journey.lead)
    assert messages_shown(response) == [
        "报送答复：已完成。",
        "协办单位市财政局尚未报送协办意见，答复未能载明其意见。",
    ]
    assert journey.lead.state == Assignment.State.SUBMITTED
    assert Reply.objects.get().state == Reply.State.SUBMITTED


# --- the office reviews, the deputy rates ---------------------------------------------------------------


def test_the_office_accepts_the_reply(client, journey, office):
    s = journey.assign().sign().draft().sign_off().submit().s
    client.force_login(office)
    response = post_action(client, s, "review_reply", {"accept": "1", "reason": ""}, journey.lead)
    done(response, s, "审核答复")
    assert state(s) == Suggestion.State.REPLIED
    assert Reply.objects.get().state == Reply.State.ACCEPTED


def test_the_office_returns_the_reply_with_a_reason(client, journey, office):
    s = journey.assign().sign().draft().sign_off().submit().s
    lead = journey.lead
    client.force_login(office)
    response = post_action(
        client, s, "review_reply", {"accept": "0", "reason": "未逐条答复代表所提问题"}, lead
    )
    done(response, s, "审核答复")
    lead.refresh_from_db()
    assert lead.state == Assignment.State.RETURNED
    assert state(s) == Suggestion.State.IN_HANDLING
    assert "退回理由：未逐条答复代表所提问题" in section(response, "reply")


def test_the_deputy_rates_with_one_click(client, journey, deputy_user):
    s = journey.assign().reply().s
    client.force_login(deputy_user)
    response = post_action(client, s, "rate", {"overall": "3"})
    done(response, s, "评价答复")
    rating = Rating.objects.get()
    assert (rating.deputy.name, rating.overall, rating.source) == ("赵明远", 3, "online")
    assert "赵明远：满意" in section(response, "reply")
    assert "rate" not in buttons(response)  # one rating per reply


def test_an_unsatisfied_rating_with_its_comment_sends_the_suggestion_back(client, journey, deputy_user):
    s = journey.assign().reply().s
    client.force_login(deputy_user)
    response = post_action(client, s, "rate", {"overall": "1", "comment": "路面仍未修复", "confirmed": "1"})
    done(response, s, "评价答复")
    assert state(s) == Suggestion.State.REHANDLING
    assert s.round == 2
    assert "第2轮办理" in text(response)


def test_the_office_records_a_paper_rating(client, journey, office, deputies):
    s = journey.assign().reply().s
    client.force_login(office)
    response = post_action(
        client, s, "record_rating",
        {"deputy": deputies["joint"].pk, "overall": "2", "process": "3", "result": "", "comment": ""},
    )  # fmt: skip
    done(response, s, "录入代表评价")
    rating = Rating.objects.get()
    assert (rating.deputy, rating.overall, rating.process, rating.source) == (
        deputies["joint"],
        2,
        3,
        "paper",
    )
    assert "[征询意见表录入]" in timeline(response)


def test_the_office_orders_rehandling(client, journey, office):
    s = journey.assign().reply().s
    client.force_login(office)
    response = post_action(client, s, "rehandle", {"reason": "代表来电反映问题仍未解决"})
    done(response, s, "重新办理")
    assert state(s) == Suggestion.State.REHANDLING
    assert s.assignments.filter(round=2, role="lead").count() == 1


def test_the_office_closes_a_rated_suggestion(client, journey, office):
    s = journey.assign().reply().rate(3).s
    client.force_login(office)
    response = post_action(client, s, "close", {"note": ""})
    done(response, s, "办结")
    assert state(s) == Suggestion.State.CLOSED
    assert "已办结" in text(response)


def test_publish_the_reply(client, journey, office):
    s = journey.assign().reply().s
    client.force_login(office)
    response = post_action(client, s, "publish", {"publish": "1", "reason": ""})
    done(response, s, "公开答复")
    assert Reply.objects.get().published_at is not None
    assert "已公开" in section(response, "reply")


def test_withhold_the_reply_with_a_reason(client, journey, office):
    s = journey.assign().reply().s
    client.force_login(office)
    response = post_action(client, s, "publish", {"publish": "0", "reason": "涉及个人隐私"})
    done(response, s, "公开答复")
    reply = Reply.objects.get()
    assert (reply.is_public, reply.withheld_reason, reply.published_at) == (False, "涉及个人隐私", None)
    assert "不公开：涉及个人隐私" in section(response, "reply")


# --- supervision and follow-up ------------------------------------------------------------------------------


def test_the_office_supervises(client, journey, office):
    s = journey.assign().sign().s
    client.force_login(office)
    response = post_action(
        client, s, "supervise", {"kind": "supervise", "method": "phone", "text": "电话督查进度"}
    )
    html = done(response, s, "督办催办")
    assert SupervisionNote.objects.get().kind == "supervise"
    assert "电话督查进度" in html


def test_the_leader_comments_on_a_suggestion_of_their_portfolio(client, journey, leader_user):
    s = journey.assign().s
    client.force_login(leader_user)
    response = post_action(client, s, "comment", {"text": "请交通局加快办理，月底前报进展。"})
    html = done(response, s, "领导批示")
    assert SupervisionNote.objects.get().kind == "comment"
    assert "请交通局加快办理，月底前报进展。" in html


def test_follow_up_a_b_class_commitment_until_done(client, journey, office):
    s = journey.assign().reply("B").s
    reply = Reply.objects.get()
    client.force_login(office)
    response = post_action(
        client, s, "follow_up",
        {"reply": reply.pk, "followed_on": iso(today()), "progress": "路面硬化已全部完成", "is_done": "on"},
    )  # fmt: skip
    html = done(response, s, "落实跟踪")
    reply.refresh_from_db()
    assert reply.commitment_done_on == today()
    assert CommitmentFollowUp.objects.get().is_done
    assert "路面硬化已全部完成（已落实）" in html
