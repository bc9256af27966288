"""Two people acting on the same suggestion at once: ``perform`` locks the row and checks again after the lock."""

import threading
import time

import pytest
from django.db import connection, connections

from suggestions import deadlines, workflow
from suggestions.models import Assignment, Event, ReassignmentRequest, Suggestion
from tests.conftest import AT, make_user

S = Suggestion.State


@pytest.fixture
def office2(db):
    return make_user("office2", "office")


def test_second_office_user_assigning_a_stale_suggestion_is_refused(registered, office, office2, units):
    mine = Suggestion.objects.get(pk=registered.pk)
    theirs = Suggestion.objects.get(pk=registered.pk)  # loaded on another screen before the first assignment
    workflow.perform("assign", user=office, suggestion=mine, at=AT, lead_unit=units["transport"])
    assert theirs.state == S.REGISTERED
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.perform(
            "assign",
            user=office2,
            suggestion=theirs,
            at=AT,
            lead_unit=units["health"],
            co_units=[units["finance"]],
        )
    assert caught.value.message == "建议当前状态为「已交办」, 不能交办。"
    assert list(Assignment.objects.values_list("unit__short_name", "role")) == [("交通局", "lead")]
    assert Event.objects.filter(action="assign").count() == 1
    assert Suggestion.objects.get(pk=registered.pk).lead_unit == units["transport"]
    assert theirs.state == S.REGISTERED  # a refusal does not touch the caller's copy


def test_clerk_and_head_signing_for_the_same_part_sign_once(journey, clerk, head):
    journey.assign()
    for_clerk, for_head = journey.lead, Assignment.objects.get(pk=journey.lead.pk)
    stale = Suggestion.objects.get(pk=journey.s.pk)
    workflow.perform("sign_for", user=clerk, suggestion=journey.s, assignment=for_clerk, at=journey.step())
    assert (stale.state, for_head.state) == (S.ASSIGNED, "pending")
    with pytest.raises(workflow.WorkflowError, match="不能签收"):
        workflow.perform("sign_for", user=head, suggestion=stale, assignment=for_head, at=journey.step())
    assert Assignment.objects.get(pk=for_clerk.pk).signed_by == clerk
    assert Event.objects.filter(action="sign_for").count() == 1


def test_two_rulings_on_one_reassignment_request(journey, clerk, office, office2, units):
    journey.assign()
    lead = journey.lead
    workflow.perform(
        "request_reassignment", user=clerk, suggestion=journey.s, assignment=lead, at=AT, reason="非本单位"
    )
    mine, theirs = Assignment.objects.get(pk=lead.pk), Assignment.objects.get(pk=lead.pk)
    workflow.perform(
        "rule_reassignment", user=office, suggestion=journey.s, assignment=mine, at=AT, approve=True,
        new_unit=units["housing"],
    )  # fmt: skip
    with pytest.raises(workflow.WorkflowError):
        workflow.perform(
            "rule_reassignment", user=office2, suggestion=journey.s, assignment=theirs, at=AT, note="不同意"
        )
    assert ReassignmentRequest.objects.get().status == "approved"
    assert Assignment.objects.filter(role="lead").exclude(state="reassigned").count() == 1


def test_two_deputies_rating_from_stale_pages_each_rate_once(journey, deputy_user, joint_deputy_user):
    journey.assign().reply()
    stale = Suggestion.objects.get(pk=journey.s.pk)
    journey.rate(3)
    workflow.perform("rate", user=joint_deputy_user, suggestion=stale, at=journey.step(), overall=2)
    assert Suggestion.objects.get(pk=journey.s.pk).rating == 2  # the worst of both, not the last one written
    with pytest.raises(workflow.WorkflowError, match="已评价"):
        workflow.perform("rate", user=deputy_user, suggestion=stale, at=journey.step(), overall=1)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite has one writer"
)
@pytest.mark.django_db(transaction=True)
def test_two_office_users_assigning_at_the_same_moment(registered, office, office2, units, monkeypatch):
    slow = deadlines.months_deadline

    def months_deadline(*args, **kwargs):
        time.sleep(0.3)  # hold the row lock long enough for the other request to arrive
        return slow(*args, **kwargs)

    monkeypatch.setattr(deadlines, "months_deadline", months_deadline)
    barrier = threading.Barrier(2)
    outcomes = {}

    def press(user, unit):
        try:
            suggestion = Suggestion.objects.get(pk=registered.pk)
            barrier.wait()
            workflow.perform("assign", user=user, suggestion=suggestion, at=AT, lead_unit=units[unit])
            outcomes[user.username] = "assigned"
        except workflow.WorkflowError as exc:
            outcomes[user.username] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=a) for a in ((office, "transport"), (office2, "health"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["assigned", "建议当前状态为「已交办」, 不能交办。"]
    assert Assignment.objects.count() == 1
    assert Event.objects.filter(action="assign").count() == 1
