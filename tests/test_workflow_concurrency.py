"""Two people acting on the same suggestion at once: ``perform`` locks the row and checks again after the lock."""

import threading
import time

import pytest
from django.db import connection, connections

from suggestions import deadlines, imports, workflow
from suggestions.imports import writing
from suggestions.models import Assignment, Event, Rating, ReassignmentRequest, Rehandling, Suggestion
from tests.conftest import AT, make_user
from tests.test_imports import HEADER, workbook
from tests.test_imports import row as import_row

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
    assert caught.value.message == "建议当前状态为「已交办」，不能交办。"
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
    assert sorted(outcomes.values()) == ["assigned", "建议当前状态为「已交办」，不能交办。"]
    assert Assignment.objects.count() == 1
    assert Event.objects.filter(action="assign").count() == 1


# --- real races on PostgreSQL: threads with their own connections ---------------------------------------------

race = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite has one writer"
)


def at_once(*calls):
    """Run each call in its own thread (and its own connection), released together; returns their results, or
    the ``WorkflowError``/``ImportFailed`` message each raised, in the order given."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except (workflow.WorkflowError, imports.ImportFailed) as exc:
            results[i] = exc.message if isinstance(exc, workflow.WorkflowError) else str(exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion, with the thread's error
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def holding_the_lock(monkeypatch, seconds=0.4):
    """Each action waits while it holds the suggestion's row lock (before its event is written), long enough for
    the other to arrive and queue behind it."""
    record = workflow._record

    def slow_record(*args, **kwargs):
        time.sleep(seconds)
        return record(*args, **kwargs)

    monkeypatch.setattr(workflow, "_record", slow_record)


@race
@pytest.mark.django_db(transaction=True)
def test_the_deputy_rates_unsatisfied_while_the_office_closes(journey, office, deputy_user, monkeypatch):
    """The reply was accepted over a month ago, so the office may close unrated; the deputy rates 不满意 at the
    same moment. One of them wins; the other is told why, and the data agrees with the winner."""
    journey.assign().reply()
    late = journey.step(40)
    holding_the_lock(monkeypatch)
    closing, rating = at_once(
        lambda: workflow.perform(
            "close", user=office, suggestion=Suggestion.objects.get(pk=journey.s.pk), at=late, note="逾期未评价"
        ),
        lambda: workflow.perform(
            "rate", user=deputy_user, suggestion=Suggestion.objects.get(pk=journey.s.pk), at=late,
            overall=1, comment="路面仍未修复",
        ),
    )  # fmt: skip
    s = Suggestion.objects.get(pk=journey.s.pk)
    if isinstance(closing, Event):
        assert rating == "建议当前状态为「已办结」，不能评价答复。"
        assert (s.state, s.first_rating, s.rated_unsatisfied, s.round) == (S.CLOSED, None, False, 1)
        assert not Rating.objects.exists() and not Rehandling.objects.exists()
        assert not Event.objects.filter(action="rate").exists()
    else:
        assert isinstance(rating, Event), (closing, rating)
        assert closing == "建议当前状态为「重新办理」，不能办结。"
        assert (s.state, s.first_rating, s.rated_unsatisfied, s.closed_at) == (S.REHANDLING, 1, True, None)
        assert Rating.objects.count() == 1 and Rehandling.objects.count() == 1
        assert not Event.objects.filter(action="close").exists()


@race
@pytest.mark.django_db(transaction=True)
def test_the_same_import_twice_at_the_same_moment_registers_it_once(
    tmp_path, session, categories, units, deputies, office, monkeypatch
):
    """A double click on 确认导入, or two office users with the same list: two plans read from the same file,
    imported at once. One imports every row; the other is refused with a message and writes nothing."""
    path = tmp_path / "清单.xlsx"
    path.write_bytes(
        workbook(
            [
                HEADER,
                import_row(1, lead_unit="交通局", co_units="市财政局"),
                import_row(2, title="关于改善老旧小区供热的建议", lead_unit="住建局"),
                import_row(3, title="关于增加社区医疗网点的建议", category="社会民生"),
            ]
        )
    )
    plans = [imports.read_plan(path, session=session) for _ in range(2)]
    register_all = writing._register_all

    def slow_register_all(*args, **kwargs):
        registered = register_all(*args, **kwargs)
        time.sleep(0.4)  # the rows are written, not yet committed: the other import arrives now
        return registered

    monkeypatch.setattr(writing, "_register_all", slow_register_all)
    results = at_once(*(lambda p=p: imports.run_import(p, user=office, assign=True, at=AT) for p in plans))

    won = [r for r in results if isinstance(r, writing.ImportResult)]
    lost = [r for r in results if isinstance(r, str)]
    assert len(won) == 1 and len(lost) == 1, results
    assert won[0].assigned == 2
    assert lost[0] == "建议编号与刚刚登记的建议冲突（可能有人同时在登记或导入），请重新预览后再导入。"
    assert sorted(Suggestion.objects.values_list("number", "state")) == [
        (1, S.ASSIGNED),
        (2, S.ASSIGNED),
        (3, S.REGISTERED),
    ]
    assert Event.objects.filter(action="register").count() == 3
    assert Event.objects.filter(action="assign").count() == 2
    assert Assignment.objects.count() == 3
