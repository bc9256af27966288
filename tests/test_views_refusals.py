"""Refused actions through the forms: an incomplete form comes back with status 400 and the Chinese error
next to its field; an action the state does not allow is explained in a message after the redirect; in every
case nothing changes."""

import datetime

import pytest

from suggestions.models import Assignment
from tests.view_helpers import (
    REPLY_FORM,
    dated_today,
    detail_url,
    field_errors,
    iso,
    messages_shown,
    post_action,
    section,
    text,
    timeline,
    today,
)
from tests.workflow_helpers import snapshot

pytestmark = pytest.mark.django_db


def refused_form(client, suggestion, action, data, assignment=None):
    """POST a form that must come back with 400 and change nothing; returns the response."""
    before = snapshot(suggestion)
    response = post_action(client, suggestion, action, data, assignment, follow=False)
    assert response.status_code == 400
    assert snapshot(suggestion) == before
    assert messages_shown(response) == []
    return response


def refused_with_message(client, suggestion, action, data=None, assignment=None):
    """POST an action the workflow refuses now; returns the message shown back on the suggestion's page."""
    before = snapshot(suggestion)
    response = post_action(client, suggestion, action, data or {}, assignment)
    assert response.redirect_chain == [(detail_url(suggestion), 302)]
    assert response.status_code == 200
    assert snapshot(suggestion) == before
    [message] = messages_shown(response)
    assert "已完成" not in message
    return message


def modal(name, assignment=None):
    return f"action-{name}-{assignment.pk if assignment else 's'}"


def test_a_b_class_reply_without_its_commitment(client, journey, clerk):
    s = journey.assign().sign().s
    client.force_login(clerk)
    response = refused_form(client, s, "draft_reply", {**REPLY_FORM, "result_class": "B"}, journey.lead)
    assert field_errors(response, modal("draft_reply", journey.lead), "commitment") == [
        "B类答复必须写明承诺事项。"
    ]
    assert field_errors(response, modal("draft_reply", journey.lead), "commitment_due") == [
        "B类答复必须写明承诺完成时间。"
    ]
    assert "经研究，答复如下" in text(response)  # what was typed is kept


def test_an_unsatisfied_rating_without_a_comment(client, journey, deputy_user):
    s = journey.assign().reply().s
    client.force_login(deputy_user)
    response = refused_form(client, s, "rate", {"overall": "1", "confirmed": "1"})
    assert field_errors(response, "rate", "comment") == ["评价不满意时，请写明意见，以便承办单位重新办理。"]


def test_an_unsatisfied_rating_is_confirmed_before_it_is_sent(client, journey, deputy_user):
    s = journey.assign().reply().s
    client.force_login(deputy_user)
    response = refused_form(client, s, "rate", {"overall": "1", "comment": "路面仍未修复"})
    card = section(response, "rate")
    assert "确认评价为不满意？" in card and "该建议将退回承办单位重新办理" in card
    assert "路面仍未修复" in card  # what the deputy wrote is kept for the confirmation
    assert 'name="confirmed" value="1">' in card  # the confirmation button sends it this time


def test_returning_a_reply_without_a_reason(client, journey, office):
    s = journey.assign().sign().draft().sign_off().submit().s
    client.force_login(office)
    response = refused_form(client, s, "review_reply", {"accept": "0", "reason": ""}, journey.lead)
    assert field_errors(response, modal("review_reply", journey.lead), "reason") == ["退回时请说明理由。"]


def test_separate_parts_with_a_single_unit(client, registered, office, units):
    client.force_login(office)
    response = refused_form(
        client, registered, "assign",
        {"mode": "separate", "separate_units": [units["transport"].pk], "assigned_on": iso(today()), "months": "3"},
    )  # fmt: skip
    assert field_errors(response, modal("assign"), "separate_units") == ["分办至少需要选择两个单位。"]
    assert not Assignment.objects.exists()


def test_a_lead_unit_that_is_also_a_co_unit(client, registered, office, units):
    client.force_login(office)
    unit = units["transport"].pk
    data = {"mode": "lead", "lead_unit": unit, "co_units": [unit], "assigned_on": iso(today()), "months": "3"}
    response = refused_form(client, registered, "assign", data)
    assert field_errors(response, modal("assign"), "co_units") == ["主办单位不能同时是协办单位。"]


def test_withholding_a_reply_without_a_reason(client, journey, office):
    s = journey.assign().reply().s
    client.force_login(office)
    response = refused_form(client, s, "publish", {"publish": "0", "reason": ""})
    assert field_errors(response, modal("publish"), "reason") == ["不公开时请说明理由。"]


def test_a_workflow_rule_is_shown_next_to_its_field(client, journey, clerk):
    """The form is complete, the workflow refuses the date: the message goes under the date."""
    s = dated_today(journey).assign().sign().s
    lead = journey.lead
    client.force_login(clerk)
    data = {"grounds": "需待省厅批复", "requested_deadline": iso(lead.deadline - datetime.timedelta(days=1))}
    response = refused_form(client, s, "request_extension", data, lead)
    assert field_errors(response, modal("request_extension", lead), "requested_deadline") == [
        "申请延至的日期必须晚于现办理期限。"
    ]


def test_a_contact_dated_tomorrow(client, journey, clerk):
    s = journey.assign().sign().s
    client.force_login(clerk)
    data = {
        "method": "phone",
        "contacted_on": iso(today() + datetime.timedelta(days=1)),
        "participants": "周敏",
        "summary": "电话沟通",
    }
    response = refused_form(client, s, "log_contact", data, journey.lead)
    assert field_errors(response, modal("log_contact", journey.lead), "contacted_on") == [
        "沟通日期不能晚于今天。"
    ]


def test_signing_for_twice(client, journey, clerk):
    s = journey.assign().s
    client.force_login(clerk)
    post_action(client, s, "sign_for", assignment=journey.lead)
    message = refused_with_message(client, s, "sign_for", assignment=journey.lead)
    assert message == "市交通运输局的办理状态为「已签收」，不能签收。"


def test_assigning_a_suggestion_already_assigned(client, journey, office, units):
    s = journey.assign().s
    client.force_login(office)
    data = {"mode": "lead", "lead_unit": units["health"].pk, "assigned_on": iso(today()), "months": "3"}
    assert refused_with_message(client, s, "assign", data) == "建议当前状态为「已交办」，不能交办。"


def test_an_action_not_allowed_now_is_explained_even_with_an_empty_form(client, journey, clerk):
    """A stale page posts draft_reply after the reply was submitted: the reason, not a list of empty fields."""
    s = journey.assign().sign().draft().sign_off().submit().s
    client.force_login(clerk)
    message = refused_with_message(client, s, "draft_reply", {}, journey.lead)
    assert message == "市交通运输局的办理状态为「已报送待审核」，不能拟写答复。"


def test_closing_before_the_deputy_rated(client, journey, office):
    s = dated_today(journey).assign().reply().s
    client.force_login(office)
    message = refused_with_message(client, s, "close", {"note": ""})
    assert message == "代表尚未评价；答复满30天仍未评价的方可办结。"


def test_rating_twice(client, journey, deputy_user):
    s = journey.assign().reply().rate(3).s
    client.force_login(deputy_user)
    assert refused_with_message(client, s, "rate", {"overall": "2"}) == "您已评价过本轮答复。"


def test_a_unit_staff_member_cannot_sign_the_reply(client, journey, clerk):
    s = journey.assign().sign().draft().s
    before = snapshot(s)
    client.force_login(clerk)
    response = post_action(client, s, "sign_reply", {"signer": "周敏"}, journey.lead, follow=False)
    assert response.status_code == 403
    assert "无权访问" in text(response)
    assert snapshot(s) == before


def test_a_clerk_cannot_act_for_another_unit_on_the_same_suggestion(client, journey, co_clerk):
    s = journey.assign().s
    client.force_login(co_clerk)
    message = refused_with_message(client, s, "sign_for", assignment=journey.lead)
    assert message == "只能办理本单位承办的部分。"
    assert "签收" not in timeline(client.get(detail_url(s)))
