"""Rules the forms once held alone are the workflow's: ``perform`` refuses them whatever calls it (the browser,
the admin, an import, a command), with the message the form shows beside the field; and what a form offers
comes from the rules."""

import datetime

import pytest
from django.core.files.base import ContentFile

from suggestions import forms, workflow
from suggestions.admin import SuggestionAdminForm
from suggestions.models import Rating, RatingLevel, Suggestion
from tests.conftest import AT
from tests.workflow_helpers import refused

LETTER = {
    "document_number": "霍交函〔2025〕12号",
    "contact_person": "周敏",
    "contact_phone": "0357-5620000",
    "text": "经研究，答复如下：一、……",
}


def perform_refused(name, **kwargs):
    """The refusal itself (message and fields), after ``refused`` has checked nothing changed."""
    before_message = refused(name, **kwargs)
    try:
        workflow.perform(name, **kwargs)
    except workflow.WorkflowError as error:
        assert error.message == before_message
        return error
    raise AssertionError("not refused")


def test_a_b_class_commitment_due_in_the_past_is_refused(journey):
    j = journey.assign().sign()
    error = perform_refused(
        "draft_reply",
        user=j.clerk,
        suggestion=j.s,
        assignment=j.lead,
        at=j.step(),
        **LETTER,
        result_class="B",
        commitment="年内完成改造",
        commitment_due=datetime.date(2025, 3, 1),  # before the day of the draft
    )
    assert error.errors == {"commitment_due": "承诺完成时间不能早于今天。"}


def test_a_b_class_reply_names_both_missing_fields(journey):
    j = journey.assign().sign()
    error = perform_refused(
        "draft_reply",
        user=j.clerk,
        suggestion=j.s,
        assignment=j.lead,
        at=j.step(),
        **LETTER,
        result_class="B",
    )
    assert error.message == "B类答复必须写明承诺事项和完成时间。"
    assert error.errors == {
        "commitment": "B类答复必须写明承诺事项。",
        "commitment_due": "B类答复必须写明承诺完成时间。",
    }


@pytest.mark.parametrize("comment", ["", "   "])
def test_an_unsatisfied_rating_without_a_comment_is_refused_online_and_on_paper(journey, office, comment):
    j = journey.assign().reply()
    online = perform_refused(
        "rate", user=j.deputy_user, suggestion=j.s, at=j.step(), overall=1, comment=comment
    )
    paper = perform_refused(
        "record_rating",
        user=office,
        suggestion=j.s,
        at=j.step(),
        deputy=j.deputy_user.deputy,
        overall=RatingLevel.UNSATISFIED,
        comment=comment,
    )
    assert online.errors == paper.errors == {"comment": "评价不满意时，请写明意见，以便承办单位重新办理。"}
    assert not Rating.objects.exists()


def test_a_letter_that_is_not_a_pdf_is_refused_whoever_attaches_it(journey, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    j = journey.assign().sign()
    fake = ContentFile(b"<html>not a letter</html>", name="答复函.pdf")
    error = perform_refused(
        "draft_reply",
        user=j.clerk,
        suggestion=j.s,
        assignment=j.lead,
        at=j.step(),
        **LETTER,
        result_class="A",
        attachment=fake,
    )
    assert error.errors == {"attachment": "只能上传PDF文件（所选文件不是完整的PDF）。"}
    assert list(tmp_path.rglob("*.pdf")) == []


def test_an_assignment_may_not_be_dated_in_the_future(registered, office, units):
    error = perform_refused(
        "assign",
        user=office,
        suggestion=registered,
        at=AT,
        lead_unit=units["transport"],
        assigned_on=AT.date() + datetime.timedelta(days=1),
    )
    assert error.errors == {"assigned_on": "交办日期不能晚于今天。"}


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("supervise", {"text": " "}, "text"),
        ("withdraw", {"reason": ""}, "reason"),
    ],
)
def test_notes_need_their_text(journey, office, action, data, field):
    j = journey.assign()
    assert field in perform_refused(action, user=office, suggestion=j.s, at=j.step(), **data).errors


def test_the_handling_period_on_offer_follows_the_rules(registered, office, units, settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "handling_months": 2, "max_handling_months": 4}
    form = forms.AssignForm(suggestion=registered, user=office)
    assert form.fields["months"].choices == [
        (1, "1个月"),
        (2, "2个月（默认）"),
        (3, "3个月（经批准）"),
        (4, "4个月（经批准）"),
    ]
    assert form.fields["months"].initial == 2
    error = perform_refused(
        "assign", user=office, suggestion=registered, at=AT, lead_unit=units["transport"], months=5
    )
    assert error.errors == {"months": "办理期限最长4个月。"}
    workflow.perform("assign", user=office, suggestion=registered, at=AT, lead_unit=units["transport"])
    assert registered.deadline == datetime.date(
        2025, 5, 6
    )  # two months from 3 March, past the May Day holiday


def test_registration_has_one_list_of_fields(db):
    assert tuple(forms.SuggestionForm._meta.fields) == workflow.REGISTRATION_FIELDS
    assert tuple(SuggestionAdminForm._meta.fields) == workflow.REGISTRATION_FIELDS
    assert set(workflow.REGISTRATION_FIELDS) - {"session"} == workflow.EDITABLE_FIELDS


def test_a_key_suggestion_without_its_leader_is_refused_at_registration(
    office, session, categories, deputies
):
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.register(
            user=office,
            at=AT,
            session=session,
            number=1,
            title="关于……的建议",
            lead_deputy=deputies["lead"],
            category=categories["城建交通"],
            is_key=True,
        )
    assert (caught.value.field, caught.value.message) == ("supervising_leader", "重点建议必须指定督办领导。")
    assert not Suggestion.objects.exists()


def test_register_many_names_the_entry_that_is_refused(office, session, categories, deputies):
    common = {"session": session, "lead_deputy": deputies["lead"], "category": categories["城建交通"]}
    entries = [
        {**common, "number": 1, "title": "一"},
        {**common, "number": 2, "title": "二"},
        {**common, "number": 1, "title": "三"},
    ]
    with pytest.raises(workflow.RegistrationError) as caught:
        workflow.register_many(user=office, entries=entries, at=AT)
    assert (caught.value.index, caught.value.field) == (2, "number")
    assert caught.value.message == "第1号出现了两次（第1条和第3条）。"
    assert not Suggestion.objects.exists()
    workflow.register_many(user=office, entries=entries[:2], at=AT)
    with pytest.raises(workflow.RegistrationError) as caught:
        workflow.register_many(
            user=office, entries=[{**common, "number": 3, "title": "四"}, entries[1]], at=AT
        )
    assert (caught.value.index, caught.value.message) == (1, "本届次会议中已有该编号的建议。")
    assert Suggestion.objects.count() == 2


def test_an_edit_keeps_the_lead_deputy_out_of_the_joint_deputies(registered, office, deputies):
    workflow.perform(
        "edit",
        user=office,
        suggestion=registered,
        at=AT,
        lead_deputy=deputies["joint"],
        joint_deputies=[deputies["joint"], deputies["lead"]],
    )
    assert list(registered.joint_deputies.all()) == [deputies["lead"]]


def _buttons(actions):
    return [(a.name, a.assignment.pk if a.assignment else None) for a in actions]


def test_the_suggestion_page_offers_the_same_buttons_from_its_parts_without_reading_replies_again(
    journey, office, clerk
):
    """``available_actions`` given the page's parts (their requests, replies and ratings prefetched) answers as it
    does from the database, and its checks read no reply, rating or request of their own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from suggestions import access

    def compare():
        page = access.suggestion_page(office, journey.s.pk, with_actions=False)
        expected = _buttons(workflow.available_actions(Suggestion.objects.get(pk=journey.s.pk), office))
        with CaptureQueriesContext(connection) as captured:
            found = _buttons(
                workflow.available_actions(page.suggestion, office, visible=True, parts=page.parts)
            )
        assert found == expected
        read = (
            ' FROM "suggestions_reply"',
            ' FROM "suggestions_rating"',
            "request",
        )  # not an earlier commitment's
        assert not [q["sql"] for q in captured if any(t in q["sql"] for t in read)]
        return {name for name, _ in found}

    journey.assign()
    workflow.perform("request_reassignment", user=clerk, suggestion=journey.s, assignment=journey.lead,
                     reason="道路养护属住建局职责", at=AT)  # fmt: skip
    assert "rule_reassignment" in compare()
    workflow.perform("rule_reassignment", user=office, suggestion=journey.s, assignment=journey.lead,
                     approve=False, note="仍由交通局办理", at=AT)  # fmt: skip
    journey.reply("B")  # a commitment to follow up, not yet published nor rated
    assert {"publish", "follow_up"} <= compare()
    journey.rate(3)
    assert "close" in compare()


def test_the_dialogs_built_from_the_pages_replies_are_those_built_from_the_database(journey, office):
    """落实跟踪 and 录入代表评价 read the accepted replies the page holds (``SuggestionPage.accepted``): the same
    dialogs as reading them again."""
    from suggestions import access

    journey.assign().reply("B")
    page = access.suggestion_page(office, journey.s.pk, with_actions=False)
    assert page.accepted and all(r.state == "accepted" for r in page.accepted)
    for form_class in (forms.FollowUpForm, forms.RecordRatingForm):
        fresh = form_class(suggestion=page.suggestion, user=office, auto_id="f_%s")
        held = form_class(suggestion=page.suggestion, user=office, accepted=page.accepted, auto_id="f_%s")
        assert str(held) == str(fresh)
    assert access.suggestion_page(journey.clerk, journey.s.pk, with_actions=False).accepted is None
