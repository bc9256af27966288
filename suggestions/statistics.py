"""The figures offices report, as functions of a queryset of suggestions, computed by the database.

The dashboard, the Excel workbook, the handling report and ``session_stats`` all read these, so they cannot
disagree. Pass ``Suggestion.objects.visible_to(user).filter(...)`` to count what a person may see.
"""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from .models import Assignment, Category, ContactRecord, RatingLevel, Reply, ResultClass, Suggestion

S = Suggestion.State
NOT_HANDLED = [S.NOT_GOVERNMENT, S.WITHDRAWN]
DONE = [S.REPLIED, S.CLOSED]


def rate(part, whole):
    """A share rounded to four places, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def summary(suggestions, today: datetime.date | None = None) -> dict:
    """Totals and rates: one pass over the suggestions, and one semi-join for the contact rate (a per-row
    subquery inside the aggregate took seconds at 100,000 suggestions)."""
    today = today or timezone.localdate()
    handled = ~Q(state__in=NOT_HANDLED)
    suggestions = suggestions.order_by()
    has_contact = Exists(ContactRecord.objects.filter(assignment__suggestion=OuterRef("pk")))
    contacted = suggestions.filter(handled, has_contact).count()
    row = suggestions.aggregate(
        total=Count("pk"),
        government_handled=Count("pk", filter=handled),
        not_government=Count("pk", filter=Q(state=S.NOT_GOVERNMENT)),
        withdrawn=Count("pk", filter=Q(state=S.WITHDRAWN)),
        key=Count("pk", filter=Q(is_key=True) & handled),
        key_closed=Count("pk", filter=Q(is_key=True, state=S.CLOSED)),
        closed=Count("pk", filter=Q(state=S.CLOSED)),
        replied=Count("pk", filter=Q(state__in=DONE)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
        satisfied=Count("pk", filter=Q(rating=RatingLevel.SATISFIED)),
        basically_satisfied=Count("pk", filter=Q(rating=RatingLevel.BASIC)),
        unsatisfied=Count("pk", filter=Q(rating=RatingLevel.UNSATISFIED)),
        on_time=Count("pk", filter=Q(replied_at__isnull=False, replied_at__date__lte=F("deadline"))),
        overdue=Count("pk", filter=Suggestion.overdue_condition(today)),
    )
    gov, rated = row["government_handled"], row["rated"]
    states, classes = _by_state_and_result_class(suggestions)
    figures = {
        "total": row["total"],
        "government_handled": gov,
        "not_government": row["not_government"],
        "withdrawn": row["withdrawn"],
        "by_category": by_category(suggestions),
        "key": row["key"],
        "key_closed": row["key_closed"],
        "closed": row["closed"],
        "completion_rate": rate(row["closed"], gov),
        "replied": row["replied"],
        "reply_rate": rate(row["replied"], gov),
        "rated": rated,
        "satisfied": row["satisfied"],
        "basically_satisfied": row["basically_satisfied"],
        "unsatisfied": row["unsatisfied"],
        "satisfaction_rate": rate(row["satisfied"] + row["basically_satisfied"], rated),
        "satisfied_rate": rate(row["satisfied"], rated),
        "basically_satisfied_rate": rate(row["basically_satisfied"], rated),
        "on_time": row["on_time"],
        "on_time_rate": rate(row["on_time"], row["replied"]),
        "overdue": row["overdue"],
        "contacted": contacted,
        "contact_rate": rate(contacted, gov),
        "by_result_class": classes,
        "by_state": states,
        "commitments": commitments(suggestions),
    }
    return figures


def by_category(suggestions) -> list[dict]:
    """Government-handled suggestions per category, in the categories' order (empty ones kept at 0): rows of
    ``category_id``, ``name`` and ``count``. A category no longer in use is listed only if it counts."""
    counts = dict(
        suggestions.exclude(state__in=NOT_HANDLED)
        .order_by()  # a list's ordering would split the groups
        .values_list("category_id")
        .annotate(n=Count("pk"))
        .values_list("category_id", "n")
    )
    used = Category.objects.filter(Q(is_active=True) | Q(pk__in=counts))
    return [{"category_id": c.pk, "name": c.name, "count": counts.get(c.pk, 0)} for c in used]


def by_state(suggestions) -> dict[str, int]:
    """Suggestions per state: every ``Suggestion.State``, in its order, keyed by the state's value."""
    return _by_state_and_result_class(suggestions)[0]


def by_result_class(suggestions) -> dict[str, int]:
    """Replied and closed suggestions per result class: every code of ``ResultClass``, in its order."""
    return _by_state_and_result_class(suggestions)[1]


def _by_state_and_result_class(suggestions) -> tuple[dict[str, int], dict[str, int]]:
    """Both from one query grouped by state and result class. The keys are the choices' members (so both
    ``counts[S.CLOSED]`` and ``counts["closed"]`` work); a value the choices no longer hold is left out."""
    states = dict.fromkeys(S, 0)
    classes = dict.fromkeys(ResultClass, 0)
    rows = suggestions.order_by().values_list("state", "result_class").annotate(n=Count("pk"))
    for state, result_class, n in rows:
        if state in states:
            states[state] += n
        if state in DONE and result_class in classes:
            classes[result_class] += n
    return states, classes


def commitments(suggestions) -> dict[str, int]:
    replies = Reply.objects.filter(
        assignment__suggestion__in=suggestions, state=Reply.State.ACCEPTED, result_class=ResultClass.B
    )
    row = replies.aggregate(total=Count("pk"), done=Count("pk", filter=Q(commitment_done_on__isnull=False)))
    return {"total": row["total"], "done": row["done"], "open": row["total"] - row["done"]}


def by_unit(suggestions, today: datetime.date | None = None) -> list[dict]:
    """Per handling unit: how many it leads, co-handles or handles separately, replied and overdue parts."""
    today = today or timezone.localdate()
    rows = (
        Assignment.objects.current()
        .filter(suggestion__in=suggestions.exclude(state__in=NOT_HANDLED))
        .values("unit_id", "unit__name", "unit__order")
        .annotate(
            lead=Count("suggestion", filter=Q(role=Assignment.Role.LEAD), distinct=True),
            co=Count("suggestion", filter=Q(role=Assignment.Role.CO), distinct=True),
            separate=Count("suggestion", filter=Q(role=Assignment.Role.SEPARATE), distinct=True),
            done=Count("pk", filter=Q(state__in=[Assignment.State.REPLIED, Assignment.State.OPINION_SENT])),
            overdue=Count("pk", filter=Assignment.overdue_condition(today)),
        )
        .order_by("unit__order", "unit__name")
    )
    return [
        {
            "unit_id": r["unit_id"],
            "unit": r["unit__name"],
            "lead": r["lead"],
            "co": r["co"],
            "separate": r["separate"],
            "done": r["done"],
            "overdue": r["overdue"],
        }
        for r in rows
    ]


def by_portfolio(suggestions) -> list[dict]:
    """Per leader's portfolio: total, key suggestions and closed."""
    rows = (
        suggestions.exclude(state__in=NOT_HANDLED)
        .values("leader_id", "leader__name", "leader__title", "leader__order")
        .annotate(
            total=Count("pk"),
            key=Count("pk", filter=Q(is_key=True)),
            closed=Count("pk", filter=Q(state=S.CLOSED)),
        )
        .order_by(F("leader__order").asc(nulls_last=True), "leader__name")
    )
    return [
        {
            "leader_id": r["leader_id"],
            "leader": f"{r['leader__title']}{r['leader__name']}" if r["leader_id"] else "未归类",
            "total": r["total"],
            "key": r["key"],
            "closed": r["closed"],
            "completion_rate": rate(r["closed"], r["total"]),
        }
        for r in rows
    ]


def by_session(suggestions) -> list[dict]:
    """The headline rates of each session, oldest first, for the rates-over-sessions chart."""
    handled = ~Q(state__in=NOT_HANDLED)
    rows = (
        suggestions.order_by()
        .values("session_id", "session__name", "session__year", "session__meeting")
        .annotate(
            total=Count("pk"),
            government_handled=Count("pk", filter=handled),
            closed=Count("pk", filter=Q(state=S.CLOSED)),
            rated=Count("pk", filter=Q(rating__isnull=False)),
            pleased=Count("pk", filter=Q(rating__in=[RatingLevel.SATISFIED, RatingLevel.BASIC])),
        )
        .order_by("session__year", "session__meeting")
    )
    return [
        {
            "session_id": r["session_id"],
            "session": r["session__name"],
            "year": r["session__year"],
            "total": r["total"],
            "government_handled": r["government_handled"],
            "closed": r["closed"],
            "completion_rate": rate(r["closed"], r["government_handled"]),
            "satisfaction_rate": rate(r["pleased"], r["rated"]),
        }
        for r in rows
    ]


def session_figures(suggestions, today=None) -> dict:
    """Everything ``session_stats`` prints: the summary plus the per-unit and per-portfolio tables."""
    figures = summary(suggestions, today)
    figures["by_unit"] = by_unit(suggestions, today)
    figures["by_portfolio"] = by_portfolio(suggestions)
    return figures


def unit_handling(suggestions, today: datetime.date | None = None) -> list[dict]:
    """Per handling unit, how it answers its suggestions (the units' assessment, congress staff's home): over the
    current parts it answers (主办 and 分办) of the government-handled ``suggestions``, in one grouped query.

    ``lead`` / ``separate``: suggestions it leads / answers as one of several units; ``replied``: those parts
    replied (accepted by the office); ``on_time_rate``: of those, replied by the part's deadline (an approved
    extension included); ``overdue``: parts past their deadline with the unit's work still open (as
    everywhere); ``satisfaction_rate``: of its rated suggestions, those whose final rating is 满意 or 基本满意;
    ``unsatisfied``: its suggestions rated 不满意 in any round (``rated_unsatisfied``), which the final rating of a
    re-handled suggestion no longer shows."""
    today = today or timezone.localdate()
    role, state = Assignment.Role, Assignment.State
    pleased = [RatingLevel.SATISFIED, RatingLevel.BASIC]
    rows = (
        Assignment.objects.current()
        .filter(
            role__in=[role.LEAD, role.SEPARATE], suggestion__in=suggestions.exclude(state__in=NOT_HANDLED)
        )
        .values("unit_id", "unit__name", "unit__order")
        .annotate(
            lead=Count("suggestion", filter=Q(role=role.LEAD), distinct=True),
            separate=Count("suggestion", filter=Q(role=role.SEPARATE), distinct=True),
            replied=Count("pk", filter=Q(state=state.REPLIED)),
            on_time=Count("pk", filter=Q(state=state.REPLIED, completed_at__date__lte=F("deadline"))),
            overdue=Count("pk", filter=Assignment.overdue_condition(today)),
            rated=Count("suggestion", filter=Q(suggestion__rating__isnull=False), distinct=True),
            pleased=Count("suggestion", filter=Q(suggestion__rating__in=pleased), distinct=True),
            unsatisfied=Count("suggestion", filter=Q(suggestion__rated_unsatisfied=True), distinct=True),
        )
        .order_by("unit__order", "unit__name")
    )
    return [
        {
            "unit_id": r["unit_id"],
            "unit": r["unit__name"],
            "lead": r["lead"],
            "separate": r["separate"],
            "replied": r["replied"],
            "on_time": r["on_time"],
            "on_time_rate": rate(r["on_time"], r["replied"]),
            "overdue": r["overdue"],
            "rated": r["rated"],
            "pleased": r["pleased"],
            "satisfaction_rate": rate(r["pleased"], r["rated"]),
            "unsatisfied": r["unsatisfied"],
        }
        for r in rows
    ]
