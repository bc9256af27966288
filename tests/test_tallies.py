"""The figures read from the tallies kept per session (``suggestions.tallies``) are the figures counted afresh,
and never stale: whatever writes a suggestion, a part, a reply or a commitment (the workflow, a queryset's
``update``, a raw statement), the next page counts that session again; a new day counts again too."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import statistics, tallies
from suggestions.models import (
    Assignment,
    Commitment,
    CongressSession,
    FigureRevision,
    FigureTally,
    RatingLevel,
    Reply,
    Suggestion,
)
from suggestions.workflow.handlers import mark_contacted
from tests.test_figures_exact import TODAY, fill_at_random

TABLES = ["suggestions_suggestion", "suggestions_assignment", "suggestions_reply", "suggestions_commitment"]


def triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, event_manipulation FROM information_schema.triggers"
                " WHERE trigger_name LIKE %s",
                ["%_figures%"],
            )
            return {(table, event.lower()) for table, event in cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            ["%_figures_%"],
        )
        return {(table, name.rsplit("_", 1)[1]) for table, name in cursor.fetchall()}


@pytest.mark.django_db
def test_every_table_the_figures_count_has_its_triggers():
    """A migration that rebuilds one of these tables on SQLite drops its triggers: it must create them again."""
    assert triggers() == {(t, e) for t in TABLES for e in ("insert", "update", "delete")}


@pytest.fixture
def world(session, categories, deputies, delegation, units, leaders):
    fill_at_random(7, session, categories, deputies, delegation, units, leaders)
    earlier = CongressSession.objects.create(
        name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4
    )
    fill_at_random(8, earlier, categories, deputies, delegation, units, leaders)
    return session, earlier


def counted_afresh(user, sessions, today):
    """The figures as the pages computed them before the tallies were kept."""
    visible = Suggestion.objects.visible_to(user)
    scope = visible.filter(session__in=sessions)
    return {
        "summary": statistics.summary(scope, today),
        "by_unit": statistics.by_unit(scope, today),
        "by_portfolio": statistics.by_portfolio(scope),
        "unit_handling": statistics.unit_handling(scope, today),
        "by_session": statistics.by_session(visible.filter(session__in=sessions)),
    }


def from_tallies(user, sessions, today, session=None):
    kept = tallies.figures_for(user, sessions, today)
    return {
        "summary": kept.summary(session),
        "by_unit": kept.by_unit(session),
        "by_portfolio": kept.by_portfolio(session),
        "unit_handling": kept.unit_handling(session),
        "by_session": kept.by_session(),
    }


def assert_fresh(user, sessions, today=TODAY):
    """Both from the kept tallies (counted now or earlier) and counted afresh, for all the sessions and each."""
    expected = counted_afresh(user, sessions, today)
    assert from_tallies(user, sessions, today) == expected
    for session in sessions:
        one = counted_afresh(user, [session], today)
        got = from_tallies(user, sessions, today, session)
        assert {k: got[k] for k in one if k != "by_session"} == {
            k: v for k, v in one.items() if k != "by_session"
        }


def test_the_figures_of_the_tallies_are_those_counted_afresh_for_the_office_and_a_leader(
    world, office, leader_user
):
    sessions = list(CongressSession.objects.all())
    for user in (office, leader_user):
        assert_fresh(user, sessions)  # counted and kept
        assert FigureTally.objects.filter(scope=tallies.scope_of(user)).count() == 2
        assert_fresh(user, sessions)  # read from the tallies kept
    assert tallies.scope_of(leader_user) == f"leader:{leader_user.leader_id}"
    leader_total = tallies.figures_for(leader_user, sessions, TODAY).summary()["total"]
    assert 0 < leader_total < tallies.figures_for(office, sessions, TODAY).summary()["total"]


def test_a_second_reading_reads_the_tallies_not_the_suggestions(world, office):
    sessions = list(CongressSession.objects.all())
    tallies.figures_for(office, sessions, TODAY)
    with CaptureQueriesContext(connection) as seen:
        tallies.figures_for(office, sessions, TODAY).summary()
    read = " ".join(q["sql"] for q in seen)
    assert "suggestions_suggestion" not in read and "suggestions_assignment" not in read
    assert len(seen) <= 4  # the basis's categories, the revisions, the tallies, the categories named


@pytest.mark.parametrize(
    "write",
    [
        # each kind of write the triggers see: the workflow's own saves, a queryset's update, a raw statement
        "save",
        "update",
        "raw",
        "part",
        "reply",
        "commitment",
        "delete",
    ],
)
def test_any_write_to_what_the_figures_count_makes_that_session_counted_again(world, office, write):
    session, earlier = world
    sessions = [session, earlier]
    assert_fresh(office, sessions)
    other = FigureTally.objects.get(session=earlier, scope="all")
    s = Suggestion.objects.filter(session=session).order_by("number").first()
    if write == "save":
        s.state, s.rating = Suggestion.State.CLOSED, RatingLevel.UNSATISFIED
        s.save()
        mark_contacted(s, ["visit"])
    elif write == "update":
        Suggestion.objects.filter(pk=s.pk).update(
            first_rating=RatingLevel.BASIC, state=Suggestion.State.REPLIED
        )
    elif write == "raw":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE suggestions_suggestion SET rated_unsatisfied = %s WHERE id = %s", [True, s.pk]
            )
    elif write == "part":
        part = Assignment.objects.filter(suggestion__session=session).exclude(state="reassigned").first()
        Assignment.objects.filter(pk=part.pk).update(state=Assignment.State.REASSIGNED)
    elif write in ("reply", "commitment"):
        part = Assignment.objects.filter(suggestion__session=session, role="lead").first()
        reply = Reply.objects.create(
            assignment=part,
            state=Reply.State.ACCEPTED,
            text="经研究，答复如下。",
            result_class="B",
            commitment="年内完成",
            commitment_due=TODAY - datetime.timedelta(days=3),
        )
        if write == "commitment":
            c = Commitment.objects.create(
                reply=reply, text="年内完成", due=TODAY - datetime.timedelta(days=3)
            )
            assert_fresh(office, sessions)
            Commitment.objects.filter(pk=c.pk).update(done_on=TODAY - datetime.timedelta(days=5), percent=100)
    elif write == "delete":
        s.joint_deputies.clear()
        Reply.objects.filter(assignment__suggestion=s).delete()
        Assignment.objects.filter(suggestion=s).delete()
        with connection.cursor() as cursor:  # the event log refuses deletes: the suggestion's rows go raw
            cursor.execute(
                "DELETE FROM suggestions_suggestion_joint_deputies WHERE suggestion_id = %s", [s.pk]
            )
            cursor.execute("DELETE FROM suggestions_suggestion WHERE id = %s", [s.pk])
    assert_fresh(office, sessions)
    # the other session's tallies were not counted again
    assert FigureTally.objects.get(session=earlier, scope="all").revision == other.revision


def test_a_new_day_counts_again_what_is_overdue(world, office):
    session, earlier = world
    kept = tallies.figures_for(office, [session], TODAY).summary()
    later = TODAY + datetime.timedelta(days=60)  # every open part's deadline has passed
    assert tallies.figures_for(office, [session], later).summary() == statistics.summary(
        Suggestion.objects.filter(session=session), later
    )
    assert statistics.summary(Suggestion.objects.filter(session=session), later)["overdue"] > kept["overdue"]
    assert FigureTally.objects.get(session=session, scope="all").day == later


def test_tallies_kept_on_another_basis_are_counted_again(world, office, categories):
    session, _ = world
    tallies.figures_for(office, [session], TODAY)
    categories["城建交通"].__class__.objects.create(name="新设类别", order=99)
    assert tallies.figures_for(office, [session], TODAY).summary() == statistics.summary(
        Suggestion.objects.filter(session=session), TODAY
    )
    assert "新设类别" in [
        c["name"] for c in tallies.figures_for(office, [session], TODAY).summary()["by_category"]
    ]


def test_forgetting_the_tallies_makes_them_counted_again(world, office):
    session, _ = world
    tallies.figures_for(office, [session], TODAY)
    # rows written with the triggers off, as seed_bench's bulk load does: the revision does not move
    revision = FigureRevision.objects.get(session=session).revision
    tallies.forget_all()
    with CaptureQueriesContext(connection) as seen:
        tallies.figures_for(office, [session], TODAY)
    assert any("suggestions_suggestion" in q["sql"] for q in seen)
    assert FigureTally.objects.get(session=session, scope="all").revision == revision


def test_the_dashboard_shows_a_change_at_once(client, world, office):
    session, _ = world
    session.is_current = True
    session.save(update_fields=["is_current"])
    client.force_login(office)
    url = reverse("suggestions:dashboard") + "?session=all"
    before = client.get(url).context["figures"]
    Suggestion.objects.filter(session=session, state=Suggestion.State.REPLIED).update(
        state=Suggestion.State.CLOSED
    )
    after = client.get(url).context["figures"]
    assert after["closed"] > before["closed"]
    assert after == statistics.summary(Suggestion.objects.all())
    home = client.get(reverse("suggestions:home")).context["figures"]
    assert home == statistics.summary(Suggestion.objects.filter(session=session))


def test_the_dashboard_costs_the_same_queries_with_more_sessions_counted_or_read(
    client, world, office, categories, deputies, delegation, units, leaders
):
    client.force_login(office)
    url = reverse("suggestions:dashboard") + "?session=all"

    def counted_then_read():
        FigureTally.objects.update(revision=-1)
        costs = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as seen:
                assert client.get(url).status_code == 200
            costs.append(len(seen))
        return costs

    few = counted_then_read()
    for n in range(3):
        more = CongressSession.objects.create(
            name=f"第七届人民代表大会第{n + 1}次会议", year=2018 + n, term=7, meeting=n + 1
        )
        fill_at_random(20 + n, more, categories, deputies, delegation, units, leaders)
    assert counted_then_read() == few
    assert few[1] < few[0]
