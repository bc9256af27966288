"""The figures of a person's scope, from tallies kept per session in the database and never stale.

A session's tallies (``statistics.tallies``: the counts the figures are made of) are kept in ``FigureTally`` for
each scope a person's view of the suggestions can have (``all`` for the office and congress staff, a leader's
portfolio), with the session's ``FigureRevision`` at the moment they were counted, the day (超期 and the
commitments due depend on it) and the basis (the states, result classes and categories counted). The database's
triggers add one to the revision in the transaction that writes any of the session's suggestions or their parts,
replies and commitments, so a tally is read only while nothing it counts has changed; otherwise the stale and
missing sessions are counted again, all of them in one set of grouped queries, and kept.

The figures of several sessions are their tallies summed: the dashboard of all sessions reads ten rows where it
counted 100,000 suggestions and their 128,000 parts, and after a change counts only the session changed.
"""

import datetime

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from . import statistics
from .models import CongressSession, FigureRevision, FigureTally, Suggestion


def scope_of(user) -> str | None:
    """The scope ``user``'s tallies are kept under: ``Suggestion.objects.visibility_key``, decided beside
    ``visible_to``. None: their figures are counted each time."""
    return Suggestion.objects.visibility_key(user)


class Figures:
    """A person's figures over some sessions: ``summary``, ``by_unit``, ``by_portfolio``, ``unit_handling``
    of one session (``session``) or of all those read (``session=None``), and ``by_session``."""

    def __init__(self, per_session: dict[int, dict], sessions):
        self.per_session = per_session
        self.sessions = list(sessions)
        self._all = None

    def of(self, session=None) -> dict:
        if session is not None:
            return self.per_session.get(session.pk, {})
        if self._all is None:  # summed once for the page's several tables
            self._all = statistics.combined(self.per_session.values())
        return self._all

    def summary(self, session=None) -> dict:
        return statistics.summary_from(self.of(session))

    def by_unit(self, session=None) -> list[dict]:
        return statistics.by_unit_from(self.of(session))

    def by_portfolio(self, session=None) -> list[dict]:
        return statistics.by_portfolio_from(self.of(session))

    def unit_handling(self, session=None) -> list[dict]:
        return statistics.unit_handling_from(self.of(session))

    def by_session(self) -> list[dict]:
        return statistics.by_session_from(self.per_session, self.sessions)


def figures_for(user, sessions=None, today: datetime.date | None = None) -> Figures:
    """``user``'s figures over ``sessions`` (default: every session), from the kept tallies where they are fresh.

    The revisions are read before anything is counted, so a tally is kept with a revision no newer than the
    rows it counted: a write committed meanwhile makes it stale, never a fresh-looking old count."""
    today = today or timezone.localdate()
    sessions = list(CongressSession.objects.all()) if sessions is None else list(sessions)
    ids = [s.pk for s in sessions]
    scope = scope_of(user)
    per_session: dict[int, dict] = {}
    missing = ids
    if scope is not None and ids:
        basis = statistics.basis()
        revisions = dict(
            FigureRevision.objects.filter(session_id__in=ids).values_list("session_id", "revision")
        )
        kept = FigureTally.objects.filter(scope=scope, session_id__in=ids, day=today, basis=basis)
        for session_id, revision, tallies in kept.values_list("session_id", "revision", "tallies"):
            if revision == revisions.get(session_id, 0):
                per_session[session_id] = tallies
        missing = [pk for pk in ids if pk not in per_session]
    if missing:
        counted = statistics.tallies(Suggestion.objects.visible_to(user), today, sessions=missing)
        for pk in missing:
            per_session[pk] = counted.get(pk, {})
        if scope is not None:
            _keep(scope, today, basis, {pk: (revisions.get(pk, 0), per_session[pk]) for pk in missing})
    return Figures(per_session, sessions)


def _keep(scope, today, basis, counted: dict[int, tuple[int, dict]]):
    """Write the tallies counted (one statement; the latest count of a session and scope wins), on the primary
    database, named: so that the router does not send the rest of a page counted on a read replica to the
    primary as a request reading its own writes (``db_routers``)."""
    rows = [
        FigureTally(session_id=pk, scope=scope, day=today, revision=revision, basis=basis, tallies=tallies)
        for pk, (revision, tallies) in counted.items()
    ]
    FigureTally.objects.using(DEFAULT_DB_ALIAS).bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "scope"],
        update_fields=["day", "revision", "basis", "tallies"],
    )


def forget_all():
    """Make every kept tally stale: after rows were written with the triggers off (``seed_bench``'s bulk load
    skips them as ``pg_restore --disable-triggers`` does)."""
    FigureTally.objects.update(revision=-1)  # no revision is negative
