"""Read-side queries the screens share: to-do lists per role, always through ``visible_to``."""

import datetime
from functools import cached_property

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from . import search, similarity
from .access import reply_condition, within_visible
from .formats import number_label
from .models import (
    Assignment,
    CongressSession,
    ExtensionRequest,
    Rating,
    RatingLevel,
    ReassignmentRequest,
    Rehandling,
    Reply,
    Ruling,
    Suggestion,
)

S = Suggestion.State
A = Assignment.State
LIST_RELATED = ("session", "category", "lead_deputy", "lead_unit", "leader")
# A home card's rows join the tables its template shows and no more: PostgreSQL spends 10-15 ms planning a join
# of seven or eight tables (a card's semi-join included), longer than running it at 100,000 suggestions.
TABLE_ROW_RELATED = ("category", "lead_deputy", "lead_unit")  # ``_suggestion_rows.html`` (the office's cards)
HOME_ITEM_RELATED = ("session", "lead_deputy", "lead_unit", "supervising_leader")  # ``_home_items.html``
DEPUTY_ROW_RELATED = ("session", "lead_unit")  # ``home_deputy.html``


def suggestions_for(user, related=LIST_RELATED):
    """What ``user`` may see, with what a row of a list shows (its 超期 mark included); ``related``: the tables
    the rows bring along."""
    return Suggestion.objects.visible_to(user).select_related(*related).with_overdue()


# what a list's row shows of the small tables the page's selects read anyway (``ChoiceLists.attach``)
LIST_SHARED = ("session", "category", "lead_unit", "leader")


def list_rows(user):
    """``suggestions_for`` for a page's rows fetched by their ids: the 超期 mark in the same query, the lead
    deputy joined; ``LIST_SHARED`` to be attached from the page's ``ChoiceLists``."""
    return Suggestion.objects.visible_to(user).select_related("lead_deputy").with_overdue_flag()


def current_session():
    return CongressSession.objects.filter(is_current=True).first() or CongressSession.objects.first()


def _current_of(choice_lists):
    """``current_session()``, from the sessions the page's filter offers when it has read them."""
    if choice_lists is None:
        return current_session()
    sessions = choice_lists.rows(CongressSession)  # in the model's ordering, as ``first()`` reads it
    return next((s for s in sessions if s.is_current), sessions[0] if sessions else None)


def next_free_number(session) -> int:
    """The number registering proposes: one past the session's highest (1 for the first).

    Not the first gap: the congress office numbers its list in order, and a gap is usually a number still to
    come in its list (or withdrawn there), so filling it would clash with the list later."""
    highest = Suggestion.objects.filter(session=session).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def similar_titles(*, session, deputy, title, exclude=None, limit=5):
    """The suggestions of ``session`` that ``deputy`` leads or joined whose title is like ``title``
    (``similarity.alike``), most alike first, as (suggestion, score, led) triples; one query."""
    if not title.strip():
        return []
    joined = Suggestion.joint_deputies.through.objects.filter(suggestion=OuterRef("pk"), deputy=deputy)
    rows = (
        Suggestion.objects.filter(session=session)
        .filter(Q(lead_deputy=deputy) | Exists(joined))
        .exclude(pk=exclude)
        .only("pk", "number", "title", "lead_deputy_id", "state")
    )
    scored = [(s, similarity.similarity(title, s.title), s.lead_deputy_id == deputy.pk) for s in rows]
    alike = [row for row in scored if row[1] >= similarity.THRESHOLD]
    return sorted(alike, key=lambda row: (-row[1], row[0].number))[:limit]


class Similar:
    """One suggestion found like a text: the suggestion, its BM25 ``score`` and ``share`` (``search``), and
    the sentence the page shows: 「与2024年第12号相似（市交通运输局答复B类，代表基本满意）」."""

    def __init__(self, suggestion, hit):
        self.suggestion, self.score, self.share = suggestion, hit.score, hit.share

    @property
    def outcome(self) -> str:
        s = self.suggestion
        if s.lead_unit_id is None:
            return "尚未交办"
        if not s.result_class:
            return f"{s.lead_unit.name}办理中"
        rating = f"代表{s.get_rating_display()}" if s.rating else "代表尚未评价"
        return f"{s.lead_unit.name}答复{s.result_class}类，{rating}"

    @property
    def sentence(self) -> str:
        s = self.suggestion
        return f"与{s.session.year}年{number_label(s.number)}相似（{self.outcome}）"


def similar_suggestions(*, user, text, exclude=None, limit=5, min_share=None):
    """The suggestions ``user`` may see most like ``text`` across all sessions and deputies, best first: those
    matching at least ``min_share`` of the text's weight (``search.MIN_SHARE``), without ``exclude``."""
    min_share = search.MIN_SHARE if min_share is None else min_share
    hits = [h for h in search.search(text, exclude=exclude, limit=limit * 4) if h.share >= min_share]
    if not hits:
        return []
    found = (
        Suggestion.objects.visible_to(user)
        .select_related("session", "lead_unit")
        .in_bulk([h.suggestion_id for h in hits])
    )
    return [Similar(found[h.suggestion_id], h) for h in hits if h.suggestion_id in found][:limit]


# The import preview looks up the rows' like suggestions of earlier sessions for this many rows (a query each).
PREVIEW_SIMILAR_ROWS = 100


def similar_for_rows(*, user, rows, limit=PREVIEW_SIMILAR_ROWS) -> dict:
    """{row number: the most alike suggestion ``user`` may see} for the first ``limit`` rows of an import
    (``ImportRow``: title and content as read from the file), the rows with none left out."""
    found = {}
    for r in rows[:limit]:
        like = similar_suggestions(user=user, text=f"{r.title}\n{r.content}", limit=1)
        if like:
            found[r.row] = like[0]
    return found


def assignments_for(user):
    """The parts of the user's own unit, with the suggestion a row of the unit's cards shows
    (``_assignment_rows.html``)."""
    return (
        Assignment.objects.visible_to(user)
        .filter(unit_id=user.unit_id)
        .select_related("suggestion")
        .order_by("deadline", "id")
    )


class Capped:
    """A to-do list as a card shows it: the full count, and only the first few rows fetched.

    ``len()`` is the count and iterating gives the first ``limit`` rows, so a template can use it like a list
    while a session of 100,000 suggestions still costs two small queries per card.
    """

    def __init__(self, queryset, limit=10, count=None, counted=None):
        self.queryset, self.limit = queryset, limit
        self.counted = queryset if counted is None else counted  # the same rows, in a shape cheaper to count
        if count is not None:  # counted already (``_capped_together``)
            self.count = count

    @cached_property
    def count(self):
        return self.counted.count()

    @cached_property
    def items(self):
        return list(self.queryset[: self.limit])

    @property
    def more(self):
        return max(self.count - len(self.items), 0)

    def __len__(self):
        return self.count

    def __bool__(self):
        return self.count > 0

    def __iter__(self):
        return iter(self.items)


class OverdueParts(Capped):
    """超期未办结 as the office's card shows it: the late parts (first few rows), how many suggestions they
    belong to (the list's 超期 filter finds the same ones) and how many units they are with, all three counted
    in one query."""

    @cached_property
    def counts(self):
        return self.queryset.order_by().aggregate(
            parts=Count("pk"),
            suggestions=Count("suggestion", distinct=True),
            units=Count("unit", distinct=True),
        )

    @property
    def count(self):
        return self.counts["parts"]

    @property
    def suggestions(self):
        return self.counts["suggestions"]

    @property
    def units(self):
        return self.counts["units"]


def _capped(lists, limit=10):
    return {name: Capped(queryset, limit) for name, queryset in lists.items()}


def _capped_together(base, cards, *, within=None, limit=10):
    """Cards that are each ``base.filter(condition).order_by(*ordering)`` (``cards``: {name: (condition,
    ordering)}; no ordering keeps the base's), counted in one query: a conditional count per card, over the rows
    ``within`` (a condition every card's implies, so the database reads only those)."""
    counted = base.order_by() if within is None else base.order_by().filter(within)
    counts = counted.aggregate(**{name: Count("pk", filter=q) for name, (q, _) in cards.items()})
    lists = {}
    for name, (q, ordering) in cards.items():
        rows = base.filter(q)
        lists[name] = Capped(rows.order_by(*ordering) if ordering else rows, limit, counts[name])
    return lists


def office_todo(user, today=None):
    today = today or timezone.localdate()
    assignments = within_visible(
        Assignment.objects.select_related("unit", "suggestion__session", "suggestion__lead_deputy"),
        user,
        "suggestion",
    )
    lists = _capped_together(
        suggestions_for(user, TABLE_ROW_RELATED),
        {
            "to_assign": (Q(state=S.REGISTERED), ("session_id", "number")),
            "unsatisfied": (unsatisfied_condition(), ("-updated_at",)),
            "ratings_missing": (Q(state=S.REPLIED, rating__isnull=True), ("replied_at",)),
            "to_close": (Q(state=S.REPLIED, rating__isnull=False), ("replied_at",)),
        },
        within=Q(state__in=[S.REGISTERED, S.REPLIED, S.REHANDLING]),
    )
    lists |= _capped(
        {
            "reassignment_requests": within_visible(
                ReassignmentRequest.objects.filter(status=Ruling.PENDING), user, "assignment__suggestion"
            ).select_related("assignment__unit", "assignment__suggestion", "proposed_unit"),
            "extension_requests": within_visible(
                ExtensionRequest.objects.filter(status=Ruling.PENDING), user, "assignment__suggestion"
            ).select_related("assignment__unit", "assignment__suggestion"),
            "to_review": assignments.filter(state=A.SUBMITTED).order_by("deadline"),
            "commitments_due": within_visible(  # by the ``reply_commitment_open`` index
                Reply.objects.filter(
                    state=Reply.State.ACCEPTED,
                    commitment_done_on__isnull=True,
                    commitment_due__lte=today + datetime.timedelta(days=30),
                ),
                user,
                "assignment__suggestion",
            )
            .select_related("assignment__unit", "assignment__suggestion")
            .order_by("commitment_due", "pk"),
        }
    )
    lists["overdue"] = OverdueParts(assignments.overdue(today).order_by("deadline"))
    # 期限为估算: open parts whose deadline runs into a year without a holiday schedule (节假日安排)
    lists["estimated"] = Capped(
        assignments.filter(
            deadline_estimated=True,
            state__in=Assignment.OPEN_STATES,
            suggestion__state__in=Suggestion.HANDLING_STATES,
        ).order_by("deadline", "pk")
    )
    return lists


def unsatisfied_condition():
    """Suggestions whose latest reply a deputy rated 不满意: waiting for the office to confirm re-handling, or
    being handled again because of that rating."""
    rated_badly = Rehandling.objects.filter(
        suggestion=OuterRef("pk"), round=OuterRef("round"), rating__isnull=False
    )
    return Q(state=S.REPLIED, rating=RatingLevel.UNSATISFIED) | Q(Exists(rated_badly), state=S.REHANDLING)


def unit_todo(user, today=None):
    today = today or timezone.localdate()
    mine = assignments_for(user).exclude(suggestion__state__in=[S.CLOSED, S.WITHDRAWN, S.NOT_GOVERNMENT])
    lists = _capped_together(
        mine,
        {
            "to_sign_for": (Q(state=A.PENDING), ()),
            "to_sign_off": (Q(state=A.DRAFTED), ()),
            "to_submit": (Q(state=A.SIGNED_OFF), ()),
            "returned": (Q(state__in=[A.RETURNED, A.REVISING]), ()),
            "opinions_owed": (Q(role=Assignment.Role.CO, state__in=[A.PENDING, A.SIGNED]), ()),
            "open": (Q(state__in=Assignment.OPEN_STATES), ("deadline",)),
            "overdue": (Assignment.overdue_condition(today), ()),
        },
    )
    lists["commitments"] = Capped(
        Reply.objects.filter(
            assignment__unit_id=user.unit_id,
            state=Reply.State.ACCEPTED,
            commitment_due__isnull=False,
            commitment_done_on__isnull=True,
        ).select_related("assignment__suggestion")
    )
    return lists


def deputy_todo(user):
    deputy_id = user.deputy_id
    rated_by_me = Rating.objects.filter(
        deputy_id=deputy_id,
        reply__assignment__suggestion=OuterRef("pk"),
        reply__assignment__round=OuterRef("round"),
    )
    mine = suggestions_for(user, DEPUTY_ROW_RELATED).order_by("-session__year", "number")
    return {
        "to_rate": Capped(mine.filter(state=S.REPLIED).exclude(Exists(rated_by_me))),
        "mine": Capped(mine, limit=100),
    }


def rated_unsatisfied(suggestions, session):
    """Suggestions rated 不满意 in any round (``rated_unsatisfied``; the current rating too): those of ``session``,
    and those of earlier sessions still open (being re-handled)."""
    unsatisfied = Q(rated_unsatisfied=True) | Q(rating=RatingLevel.UNSATISFIED)
    return suggestions.filter(unsatisfied).filter(Q(session=session) | Q(state__in=Suggestion.OPEN_STATES))


def leader_todo(user, today=None, session=None):
    """The leader's portfolio: key suggestions of the current session apart from earlier sessions', overdue
    suggestions, and those rated 不满意."""
    today = today or timezone.localdate()
    session = session or current_session()
    mine = suggestions_for(user, HOME_ITEM_RELATED)
    key = mine.filter(is_key=True)
    return _capped(
        {
            "key": key.filter(session=session).order_by("number"),
            "key_past": key.exclude(session=session).order_by(
                "-session__year", "-session__meeting", "number"
            ),
            "overdue": mine.overdue(today).order_by("deadline", "number"),
            "unsatisfied": rated_unsatisfied(mine, session).order_by("-session__year", "number"),
        }
    )


def congress_todo(user, today=None, session=None):
    """Congress staff's overview: overdue parts (every session), the current session's 不满意 ratings and key
    suggestions. Read-only: nothing here waits for them."""
    today = today or timezone.localdate()
    session = session or current_session()
    parts = Assignment.objects.visible_to(user).select_related(
        "unit", "suggestion__session", "suggestion__lead_deputy"
    )
    ratings = Rating.objects.filter(
        reply_condition(user, prefix="reply__"),
        overall=RatingLevel.UNSATISFIED,
        reply__assignment__suggestion__session=session,
    )
    ratings = within_visible(ratings, user, "reply__assignment__suggestion")
    lists = _capped(
        {
            "overdue": parts.overdue(today).order_by("deadline", "id"),
            "key": suggestions_for(user, HOME_ITEM_RELATED)
            .filter(is_key=True, session=session)
            .order_by("number"),
        }
    )
    lists["unsatisfied"] = Capped(
        ratings.select_related("deputy", "reply__assignment__unit", "reply__assignment__suggestion").order_by(
            "-rated_at", "-id"
        ),
        counted=_unsatisfied_ratings_counted(user, session) if session is not None else None,
    )
    return lists


def _unsatisfied_ratings_counted(user, session):
    """``congress_todo``'s 不满意 ratings of ``session``, shaped to be counted: each 不满意 rating (a few percent, by
    ``rating_unsatisfied``) asks for its readable reply's session. Joined, PostgreSQL hashes every accepted reply
    first (~45 ms at 100,000 suggestions against ~20)."""
    session_of = Reply.objects.filter(reply_condition(user), pk=OuterRef("reply_id")).values(
        "assignment__suggestion__session_id"
    )[:1]
    ratings = Rating.objects.filter(overall=RatingLevel.UNSATISFIED)
    ratings = within_visible(ratings, user, "reply__assignment__suggestion")
    return ratings.annotate(session_of=Subquery(session_of)).filter(session_of=session.pk)


def filtered_suggestions(user, params, *, choice_lists=None):
    """The FilterSet over what ``user`` may see; the list, the exports and the dashboard links share it.

    Without a session in ``params`` it shows the current session, as the office works on one at a time.
    ``choice_lists``: the page's ``choicelists.ChoiceLists``, when other forms offer the same tables.
    """
    from .filters import SuggestionFilter

    params = params.copy()
    if choice_lists is not None:
        choice_lists.expect(*SuggestionFilter.choice_models(user))  # read together, the sessions first asked
    if "session" not in params and (session := _current_of(choice_lists)):
        params["session"] = str(session.pk)
    queryset = suggestions_for(user).order_by("session_id", "number")  # served by the unique index
    return SuggestionFilter(params, queryset=queryset, user=user, choice_lists=choice_lists)
