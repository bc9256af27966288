"""The rules the database itself enforces, whatever code writes the rows (``objects.create`` skips full_clean)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.roles import Role
from suggestions.models import (
    AppendOnlyError,
    Assignment,
    CongressSession,
    Deputy,
    Event,
    ExtensionRequest,
    ReassignmentRequest,
    Rehandling,
    Reply,
    Suggestion,
)
from suggestions.models import Rating as RatingRow

DAY = datetime.date(2025, 3, 3)
LATER = datetime.date(2025, 6, 3)


def refused_by_database(create, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        create(**values)


def new_suggestion(registered, **values):
    fields = {
        "session": registered.session,
        "number": 2,
        "title": "关于增设公交线路的建议",
        "lead_deputy": registered.lead_deputy,
        "delegation": registered.delegation,
        "category": registered.category,
    }
    fields.update(values)
    return Suggestion.objects.create(**fields)


def new_assignment(suggestion, unit, **values):
    fields = {
        "suggestion": suggestion,
        "unit": unit,
        "role": Assignment.Role.LEAD,
        "assigned_on": DAY,
        "deadline": LATER,
        "original_deadline": LATER,
    }
    fields.update(values)
    return Assignment.objects.create(**fields)


def new_reply(assignment, **values):
    fields = {
        "assignment": assignment,
        "document_number": "霍交函〔2025〕12号",
        "contact_person": "周敏",
        "contact_phone": "0357-5620000",
        "text": "答复如下",
        "result_class": "A",
    }
    fields.update(values)
    return Reply.objects.create(**fields)


@pytest.fixture
def lead(registered, units):
    return new_assignment(registered, units["transport"])


@pytest.fixture
def reply(lead):
    return new_reply(lead, state=Reply.State.ACCEPTED)


# --- suggestions ---------------------------------------------------------------------------------------------


def test_suggestion_number_is_unique_within_its_session(registered):
    refused_by_database(new_suggestion, registered=registered, number=registered.number)


def test_the_same_number_may_be_used_again_in_another_session(registered):
    other = CongressSession.objects.create(name="第八届人民代表大会第六次会议", year=2026, term=8, meeting=6)
    assert new_suggestion(registered, session=other, number=registered.number).pk


def test_suggestion_number_must_be_positive(registered):
    refused_by_database(new_suggestion, registered=registered, number=0)


def test_key_suggestion_needs_a_supervising_leader(registered, leaders):
    refused_by_database(new_suggestion, registered=registered, is_key=True)
    assert new_suggestion(registered, is_key=True, supervising_leader=leaders["traffic"]).is_key


def test_suggestion_state_must_be_one_of_the_known_states(registered):
    refused_by_database(new_suggestion, registered=registered, state="archived")


def test_two_sessions_cannot_share_term_and_meeting(session):
    refused_by_database(
        CongressSession.objects.create,
        name="重复的会议",
        year=2025,
        term=session.term,
        meeting=session.meeting,
    )


def test_a_delegation_cannot_list_the_same_deputy_name_twice(deputies, delegation):
    refused_by_database(Deputy.objects.create, name=deputies["lead"].name, delegation=delegation)


# --- assignments ---------------------------------------------------------------------------------------------


def test_a_round_has_only_one_lead_unit(registered, units, lead):
    refused_by_database(new_assignment, suggestion=registered, unit=units["housing"])


def test_a_reassigned_lead_unit_does_not_count_as_the_rounds_lead(registered, units, lead):
    lead.state = Assignment.State.REASSIGNED
    lead.save()
    assert new_assignment(registered, units["housing"]).pk


def test_the_next_round_may_have_its_own_lead_unit(registered, units, lead):
    assert new_assignment(registered, units["transport"], round=2).pk


def test_a_round_may_have_several_co_units(registered, units, lead):
    new_assignment(registered, units["housing"], role=Assignment.Role.CO)
    new_assignment(registered, units["finance"], role=Assignment.Role.CO)
    assert registered.assignments.filter(role=Assignment.Role.CO).count() == 2


def test_a_unit_is_assigned_only_once_per_round(registered, units, lead):
    refused_by_database(
        new_assignment, suggestion=registered, unit=units["transport"], role=Assignment.Role.CO
    )


def test_assignment_role_must_be_lead_co_or_separate(registered, units):
    refused_by_database(new_assignment, suggestion=registered, unit=units["housing"], role="boss")


def test_assignment_state_must_be_one_of_the_known_states(registered, units):
    refused_by_database(new_assignment, suggestion=registered, unit=units["housing"], state="lost")


def test_assignment_deadline_cannot_precede_the_assignment_date(registered, units):
    early = datetime.date(2025, 3, 1)
    refused_by_database(
        new_assignment, suggestion=registered, unit=units["housing"], deadline=early, original_deadline=early
    )


def test_an_assignment_has_one_pending_reassignment_request_at_a_time(lead):
    ReassignmentRequest.objects.create(assignment=lead, reason="不属本单位职责", previous_state="pending")
    refused_by_database(
        ReassignmentRequest.objects.create, assignment=lead, reason="再次申请", previous_state="pending"
    )
    ReassignmentRequest.objects.update(status="refused")
    assert ReassignmentRequest.objects.create(assignment=lead, reason="补充理由", previous_state="pending")


def test_an_assignment_has_one_pending_extension_request_at_a_time(lead):
    wanted = datetime.date(2025, 7, 1)
    ExtensionRequest.objects.create(assignment=lead, grounds="需要资金", requested_deadline=wanted)
    refused_by_database(
        ExtensionRequest.objects.create, assignment=lead, grounds="再次申请", requested_deadline=wanted
    )


def test_a_round_is_rehandled_only_once(registered):
    Rehandling.objects.create(suggestion=registered, round=2, reason="不满意", deadline=LATER)
    refused_by_database(
        Rehandling.objects.create, suggestion=registered, round=2, reason="又不满意", deadline=LATER
    )


# --- replies and ratings -------------------------------------------------------------------------------------


def test_a_commitment_needs_its_text_and_its_date_together(lead):
    refused_by_database(new_reply, assignment=lead, result_class="B", commitment_due=LATER)
    refused_by_database(new_reply, assignment=lead, result_class="B", commitment="年内完成改造")
    reply = new_reply(lead, result_class="B", commitment="年内完成改造", commitment_due=LATER)
    assert reply.commitment_open


def test_a_reply_withheld_from_publication_needs_a_reason(lead):
    refused_by_database(new_reply, assignment=lead, is_public=False)
    assert new_reply(lead, is_public=False, withheld_reason="涉及个人隐私").pk


def test_a_unit_has_one_open_reply_at_a_time(lead):
    new_reply(lead)
    refused_by_database(new_reply, assignment=lead)


def test_a_returned_reply_leaves_room_for_the_redraft(lead):
    new_reply(lead, state=Reply.State.RETURNED, return_reason="未逐条答复")
    assert new_reply(lead).state == Reply.State.DRAFT


def test_a_deputy_rates_a_reply_once(reply, deputies):
    RatingRow.objects.create(reply=reply, deputy=deputies["lead"], overall=3)
    refused_by_database(RatingRow.objects.create, reply=reply, deputy=deputies["lead"], overall=1)
    assert RatingRow.objects.create(reply=reply, deputy=deputies["joint"], overall=2)


@pytest.mark.parametrize(
    "values",
    [{"overall": 4}, {"overall": 0}, {"overall": 3, "process": 5}, {"overall": 3, "result": 0}],
    ids=["overall-4", "overall-0", "process-5", "result-0"],
)
def test_a_rating_is_satisfied_basically_satisfied_or_unsatisfied(reply, deputies, values):
    refused_by_database(RatingRow.objects.create, reply=reply, deputy=deputies["lead"], **values)


# --- users ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.UNIT_STAFF, Role.UNIT_HEAD, Role.DEPUTY, Role.LEADER])
def test_a_role_needs_its_link(db, role):
    refused_by_database(User.objects.create, username=f"nolink-{role}", role=role)


def test_unit_staff_with_a_unit_deputy_with_a_deputy_and_office_without_links_are_fine(
    units, deputies, leaders
):
    User.objects.create(username="u", role=Role.UNIT_STAFF, unit=units["transport"])
    User.objects.create(username="d", role=Role.DEPUTY, deputy=deputies["lead"])
    User.objects.create(username="l", role=Role.LEADER, leader=leaders["traffic"])
    User.objects.create(username="o", role=Role.OFFICE)
    User.objects.create(username="c", role=Role.CONGRESS)
    assert User.objects.count() == 5


def test_a_deputy_has_one_account(deputies):
    User.objects.create(username="d1", role=Role.DEPUTY, deputy=deputies["lead"])
    refused_by_database(User.objects.create, username="d2", role=Role.DEPUTY, deputy=deputies["lead"])


# --- the event log -------------------------------------------------------------------------------------------


def test_an_event_cannot_be_changed(registered):
    event = Event.objects.get(suggestion=registered)
    event.note = "改写历史"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert Event.objects.get(pk=event.pk).note == "登记第1号建议"


def test_an_event_cannot_be_deleted(registered):
    event = Event.objects.get(suggestion=registered)
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_changed_in_bulk(registered):
    """``update()`` skips ``Event.save()``: the queryset refuses it too, through the related manager as well."""
    for events in (Event.objects, Event.objects.filter(suggestion=registered), registered.events):
        with pytest.raises(AppendOnlyError, match="不能修改"):
            events.update(note="改写历史")
    assert Event.objects.get(suggestion=registered).note == "登记第1号建议"


def test_events_cannot_be_deleted_in_bulk(registered):
    """A queryset's ``delete()`` skips ``Event.delete()``: it is refused too."""
    for events in (Event.objects.all(), Event.objects.filter(suggestion=registered), registered.events.all()):
        with pytest.raises(AppendOnlyError, match="不能删除"):
            events.delete()
    assert Event.objects.filter(suggestion=registered).count() == 1


def test_events_are_still_appended_in_bulk(registered):
    """``bulk_create`` appends (registering many suggestions at once uses it)."""
    first = Event.objects.get(suggestion=registered)
    Event.objects.bulk_create([Event(suggestion=registered, action="edit", label="修改", note="追加")])
    assert list(registered.events.values_list("note", flat=True)) == [first.note, "追加"]


def test_a_suggestion_with_history_cannot_be_deleted(registered):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        registered.delete()
    assert Suggestion.objects.filter(pk=registered.pk).exists()
