"""The figures offices report, as functions of a queryset of suggestions, computed by the database.

The dashboard, the Excel workbook, the handling report and ``session_stats`` all read these, so they cannot
disagree. Pass ``Suggestion.objects.visible_to(user).filter(...)`` to count what a person may see.
"""

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from . import commitments as promised
from . import rules
from .models import (
    Assignment,
    Category,
    ContactRecord,
    ExtensionRequest,
    HandlingUnit,
    RatingLevel,
    ReassignmentRequest,
    Reminder,
    Reply,
    Ruling,
    Suggestion,
    SupervisionNote,
)

S = Suggestion.State
NOT_HANDLED = [S.NOT_GOVERNMENT, S.WITHDRAWN]
DONE = [S.REPLIED, S.CLOSED]
PLEASED = [RatingLevel.SATISFIED, RatingLevel.BASIC]
FACE_TO_FACE_METHODS = "、".join(ContactRecord.Method(m).label for m in ContactRecord.FACE_TO_FACE)

# What each figure is called wherever a person reads it (the dashboard, the homes' figures card, the statistics
# workbook, the report's tables, ``session_stats``), saying what it counts: a rating figure says whether it is
# the final rating (each suggestion's latest round) or the first round's. Keyed like ``summary``.
LABELS = {
    "total": "建议总数",
    "government_handled": "政府承办",
    "not_government": "非政府承办",
    "withdrawn": "已撤回",
    "key": "重点建议",
    "key_closed": "重点建议已办结",
    "replied": "已答复",
    "reply_rate": "办复率",
    "closed": "已办结",
    "completion_rate": "办结率",
    "on_time": "按期答复",
    "on_time_rate": "按期答复率",
    "overdue": "超期未办结",
    "rated": "已评价（最终评价）",
    "satisfied": "满意（最终评价）",
    "basically_satisfied": "基本满意（最终评价）",
    "unsatisfied": "不满意（最终评价）",
    "satisfaction_rate": "满意率（最终评价）",
    "satisfied_rate": "满意占比（最终评价）",
    "basically_satisfied_rate": "基本满意占比（最终评价）",
    "first_rated": "已评价（初次办理）",
    "first_satisfied": "满意（初次办理）",
    "first_basically_satisfied": "基本满意（初次办理）",
    "first_unsatisfied": "不满意（初次办理）",
    "first_satisfaction_rate": "初次办理满意率",
    "ever_unsatisfied": "曾评价不满意",
    "rehandling": "正在重新办理",
    "face_to_face": "见面沟通",
    "face_to_face_rate": f"见面率（{FACE_TO_FACE_METHODS}）",
    "meeting_rate": f"见面率（{FACE_TO_FACE_METHODS}）",
    "first_round_satisfaction_rate": "初次办理满意率",
    "contacted": "已沟通",
    "contact_rate": "沟通率（含电话）",
    "commitments_due": "到期承诺事项",
    "commitments_kept": "按期落实的承诺事项",
    "commitment_kept_rate": "承诺事项按期落实率",
}

# What each figure counts, and over what, for the workbook's 说明 column and the report's notes.
NOTES = {
    "total": "本范围内登记的建议",
    "government_handled": "不含转交其他机关和撤回的建议",
    "not_government": "转交法院、检察院或党委部门",
    "replied": "已答复和已办结",
    "reply_rate": "办复率：已答复 ÷ 政府承办（办结率另计已办结）",
    "completion_rate": "已办结 ÷ 政府承办",
    "on_time": "在办理期限内答复",
    "on_time_rate": "按期答复 ÷ 已答复",
    "overdue": "有承办单位（主办、分办或协办）超过办理期限仍未完成的建议",
    "rated": "最后一轮答复已有评价的建议；几位代表评价不同时取最低的评价",
    "satisfaction_rate": "（满意 + 基本满意）÷ 已评价，按每件建议最后一轮答复的评价",
    "first_rated": "第一轮答复已有评价的建议",
    "first_satisfaction_rate": "（满意 + 基本满意）÷ 已评价，按每件建议第一轮答复的评价",
    "ever_unsatisfied": "任一轮答复被代表评价为不满意的建议，含重新办理后满意的",
    "rehandling": "代表评价不满意后（或政府办决定）正在重新办理的建议",
    "face_to_face": f"答复前与代表{FACE_TO_FACE_METHODS}的政府承办建议",
    "face_to_face_rate": "见面沟通 ÷ 政府承办",
    "contacted": "有任一沟通记录（含电话交流）的政府承办建议",
    "contact_rate": "已沟通 ÷ 政府承办",
    "commitments_due": "已到承诺完成时间或已落实的承诺事项（一份答复可有多项承诺）",
    "commitments_kept": "在承诺完成时间之前（含当天）报告落实的承诺事项",
    "commitment_kept_rate": "按期落实的承诺事项 ÷ 到期承诺事项",
}


def among(suggestions, path, handled_only=False) -> Q:
    """The rows of another table whose suggestion (reached by ``path``) is one of ``suggestions`` (and is
    government-handled when ``handled_only``). When ``suggestions`` is every suggestion (the office's figures
    for all sessions) there is no semi-join with the whole table: the condition is on the joined row itself."""
    query = suggestions.query
    everything = not query.where and not query.is_sliced and not query.combinator and not query.distinct
    if everything:
        return ~Q(**{f"{path}__state__in": NOT_HANDLED}) if handled_only else Q()
    if handled_only:
        suggestions = suggestions.exclude(state__in=NOT_HANDLED)
    return Q(**{f"{path}__in": suggestions.order_by()})


def rate(part, whole):
    """A share rounded to four places, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def summary(suggestions, today: datetime.date | None = None) -> dict:
    """Totals and rates: one pass over the suggestions. 沟通率 and 见面率 read the flags the workflow keeps on
    each suggestion (``contacted``, ``met``: set with its first contact record of the kind), not the contact
    records: a distinct count over them through the parts took 115-170 ms of the all-sessions dashboard.

    Ratings are counted three ways, so that a 不满意 never disappears behind a later round's 满意: the final
    rating (``rating``: the latest round's, worst of its deputies), the first round's (``first_rating``) and
    whether any round was rated 不满意 (``rated_unsatisfied``)."""
    today = today or timezone.localdate()
    handled = ~Q(state__in=NOT_HANDLED)
    suggestions = suggestions.order_by()
    categories = list(Category.objects.all())
    state_keys = {f"state_{i}": state for i, state in enumerate(S)}
    class_keys = {f"class_{i}": code for i, code in enumerate(rules.codes())}
    category_keys = {f"category_{c.pk}": c for c in categories}
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
        first_rated=Count("pk", filter=Q(first_rating__isnull=False)),
        first_satisfied=Count("pk", filter=Q(first_rating=RatingLevel.SATISFIED)),
        first_basically_satisfied=Count("pk", filter=Q(first_rating=RatingLevel.BASIC)),
        first_unsatisfied=Count("pk", filter=Q(first_rating=RatingLevel.UNSATISFIED)),
        ever_unsatisfied=Count("pk", filter=Q(rated_unsatisfied=True)),
        rehandling=Count("pk", filter=Q(state=S.REHANDLING)),
        contacted=Count("pk", filter=handled & Q(contacted=True)),
        face_to_face=Count("pk", filter=handled & Q(met=True)),
        on_time=Count("pk", filter=Q(replied_at__isnull=False, replied_at__date__lte=F("deadline"))),
        overdue=Count("pk", filter=Suggestion.overdue_condition(today)),
        # by state, by result class and by category in the same pass (FILTER clauses, not three GROUP BYs)
        **{key: Count("pk", filter=Q(state=state)) for key, state in state_keys.items()},
        **{key: Count("pk", filter=Q(state__in=DONE, result_class=code)) for key, code in class_keys.items()},
        **{key: Count("pk", filter=handled & Q(category_id=c.pk)) for key, c in category_keys.items()},
    )
    gov, rated, first_rated = row["government_handled"], row["rated"], row["first_rated"]
    states = {state: row[key] for key, state in state_keys.items()}
    classes = {code: row[key] for key, code in class_keys.items()}
    by_categories = [
        {"category_id": c.pk, "name": c.name, "count": row[key]}
        for key, c in category_keys.items()
        if c.is_active or row[key]
    ]
    figures = {
        "total": row["total"],
        "government_handled": gov,
        "not_government": row["not_government"],
        "withdrawn": row["withdrawn"],
        "by_category": by_categories,
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
        "first_rated": first_rated,
        "first_satisfied": row["first_satisfied"],
        "first_basically_satisfied": row["first_basically_satisfied"],
        "first_unsatisfied": row["first_unsatisfied"],
        "first_satisfaction_rate": rate(
            row["first_satisfied"] + row["first_basically_satisfied"], first_rated
        ),
        "ever_unsatisfied": row["ever_unsatisfied"],
        "rehandling": row["rehandling"],
        "on_time": row["on_time"],
        "on_time_rate": rate(row["on_time"], row["replied"]),
        "overdue": row["overdue"],
        "face_to_face": row["face_to_face"],
        "face_to_face_rate": rate(row["face_to_face"], gov),
        "contacted": row["contacted"],
        "contact_rate": rate(row["contacted"], gov),
        "by_result_class": classes,
        "by_state": states,
        "commitments": commitments(suggestions),
    }
    kept = promised.kept_figures(
        Reply.objects.filter(among(suggestions, "assignment__suggestion"), state=Reply.State.ACCEPTED), today
    )
    figures["commitments_due"] = kept["due"]
    figures["commitments_kept"] = kept["kept"]
    figures["commitment_kept_rate"] = rate(kept["kept"], kept["due"])
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
    """Replied and closed suggestions per result class: every code of the scheme (``rules``), in its order."""
    return _by_state_and_result_class(suggestions)[1]


def _by_state_and_result_class(suggestions) -> tuple[dict[str, int], dict[str, int]]:
    """Both from one query grouped by state and result class. The keys are the choices' members (so both
    ``counts[S.CLOSED]`` and ``counts["closed"]`` work); a value the choices no longer hold is left out."""
    states = dict.fromkeys(S, 0)
    classes = dict.fromkeys(rules.codes(), 0)
    rows = suggestions.order_by().values_list("state", "result_class").annotate(n=Count("pk"))
    for state, result_class, n in rows:
        if state in states:
            states[state] += n
        if state in DONE and result_class in classes:
            classes[result_class] += n
    return states, classes


def commitments(suggestions) -> dict:
    """Accepted replies that carry a commitment (the scheme's commitment classes): in all, kept, still open,
    and the same per result class (``by_class``, the scheme's codes in order)."""
    replies = Reply.objects.filter(
        among(suggestions, "assignment__suggestion"), state=Reply.State.ACCEPTED, commitment_due__isnull=False
    )
    rows = (
        replies.order_by()
        .values_list("result_class")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(commitment_done_on__isnull=False)))
    )
    by_class = {code: {"total": 0, "done": 0, "open": 0} for code in rules.codes()}
    for code, total, done in rows:
        counted = by_class.setdefault(code, {"total": 0, "done": 0, "open": 0})
        counted.update(total=total, done=done, open=total - done)
    total = sum(c["total"] for c in by_class.values())
    done = sum(c["done"] for c in by_class.values())
    return {"total": total, "done": done, "open": total - done, "by_class": by_class}


def by_unit(suggestions, today: datetime.date | None = None) -> list[dict]:
    """Per handling unit: how many it leads, co-handles or handles separately, replied and overdue parts."""
    today = today or timezone.localdate()
    rows = (
        Assignment.objects.current()
        .filter(among(suggestions, "suggestion", handled_only=True))
        .order_by()
        .values("unit_id")  # grouped by the id alone: the names are read afterwards (a sort of narrow rows)
        .annotate(
            lead=Count("suggestion", filter=Q(role=Assignment.Role.LEAD), distinct=True),
            co=Count("suggestion", filter=Q(role=Assignment.Role.CO), distinct=True),
            separate=Count("suggestion", filter=Q(role=Assignment.Role.SEPARATE), distinct=True),
            done=Count("pk", filter=Q(state__in=[Assignment.State.REPLIED, Assignment.State.OPINION_SENT])),
            overdue=Count("pk", filter=Assignment.overdue_condition(today)),
        )
    )
    return [
        {
            "unit_id": r["unit_id"],
            "unit": unit.name,
            "lead": r["lead"],
            "co": r["co"],
            "separate": r["separate"],
            "done": r["done"],
            "overdue": r["overdue"],
        }
        for r, unit in _in_unit_order(rows)
    ]


def _in_unit_order(rows):
    """Rows grouped by ``unit_id`` with their unit, in the units' order (``order``, then name, as the database
    sorts them): one query for the units, so that the grouped query sorts ids, not names."""
    rows = {r["unit_id"]: r for r in rows}
    units = HandlingUnit.objects.filter(pk__in=rows).only("name", "order").order_by("order", "name")
    return [(rows[unit.pk], unit) for unit in units]


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
    """The headline rates of each session, oldest first, for the rates-over-sessions chart: 办结率, the final
    and the first round's 满意率, and how many were ever rated 不满意."""
    handled = ~Q(state__in=NOT_HANDLED)
    rows = (
        suggestions.order_by()
        .values("session_id", "session__name", "session__year", "session__meeting")
        .annotate(
            total=Count("pk"),
            government_handled=Count("pk", filter=handled),
            closed=Count("pk", filter=Q(state=S.CLOSED)),
            rated=Count("pk", filter=Q(rating__isnull=False)),
            pleased=Count("pk", filter=Q(rating__in=PLEASED)),
            first_rated=Count("pk", filter=Q(first_rating__isnull=False)),
            first_pleased=Count("pk", filter=Q(first_rating__in=PLEASED)),
            ever_unsatisfied=Count("pk", filter=Q(rated_unsatisfied=True)),
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
            "first_satisfaction_rate": rate(r["first_pleased"], r["first_rated"]),
            "ever_unsatisfied": r["ever_unsatisfied"],
        }
        for r in rows
    ]


def practice(suggestions, today: datetime.date | None = None) -> dict:
    """How the work was done, for the report's 主要做法 and 存在的问题 (each a count of rows, by kind):

    ``contacts``: government-handled suggestions with a contact record of each method (``ContactRecord.Method``
    values, in order; one suggestion may count under several); ``notes``: supervision notes per kind
    (催办、督办、领导批示) with ``count``, ``suggestions`` and ``by_method``; ``key_notes``: the same for key
    suggestions only; ``reminders``: reminders sent per stage; ``reassignments`` / ``extensions``: requests per
    ruling (pending, approved, refused); ``units`` / ``answering_units``: units with a current part / answering
    (主办 or 分办) one; ``overdue_parts``: current parts past their deadline with the work still open."""
    today = today or timezone.localdate()
    handled = suggestions.exclude(state__in=NOT_HANDLED).order_by()
    contacts = dict.fromkeys(ContactRecord.Method.values, 0)
    rows = (
        ContactRecord.objects.filter(assignment__suggestion__in=handled)
        .order_by()
        .values_list("method")
        .annotate(n=Count("assignment__suggestion", distinct=True))
    )
    contacts.update(dict(rows))

    def notes_of(queryset):
        found = {
            kind: {"count": 0, "suggestions": 0, "by_method": dict.fromkeys(SupervisionNote.Method.values, 0)}
            for kind in SupervisionNote.Kind.values
        }
        notes = SupervisionNote.objects.filter(suggestion__in=queryset).order_by()
        for kind, method, n in notes.values_list("kind", "method").annotate(n=Count("pk")):
            found[kind]["count"] += n
            found[kind]["by_method"][method] = n
        for kind, n in notes.values_list("kind").annotate(n=Count("suggestion", distinct=True)):
            found[kind]["suggestions"] = n
        return found

    def rulings(model):
        counted = dict.fromkeys(Ruling.values, 0)
        rows = model.objects.filter(assignment__suggestion__in=handled).order_by().values_list("status")
        counted.update(dict(rows.annotate(n=Count("pk"))))
        return counted

    reminders = dict.fromkeys(Reminder.Stage.values, 0)
    rows = Reminder.objects.filter(assignment__suggestion__in=handled).order_by().values_list("stage")
    reminders.update(dict(rows.annotate(n=Count("pk"))))
    parts = Assignment.objects.current().filter(suggestion__in=handled)
    answering = [Assignment.Role.LEAD, Assignment.Role.SEPARATE]
    return {
        "contacts": contacts,
        "notes": notes_of(handled),
        "key_notes": notes_of(handled.filter(is_key=True)),
        "reminders": reminders,
        "reassignments": rulings(ReassignmentRequest),
        "extensions": rulings(ExtensionRequest),
        "units": parts.values("unit").distinct().count(),
        "answering_units": parts.filter(role__in=answering).values("unit").distinct().count(),
        "overdue_parts": parts.filter(Assignment.overdue_condition(today)).count(),
    }


def session_figures(suggestions, today=None) -> dict:
    """Everything ``session_stats`` prints: the summary plus the per-unit and per-portfolio tables, and the
    names reports use for three of its figures: ``by_class`` (``by_result_class``, the scheme's codes in order),
    ``first_round_satisfaction_rate`` (初次办理满意率, ``first_satisfaction_rate``: the first round's ratings,
    so a 不满意 of round one stays counted after re-handling) and ``meeting_rate`` (见面率, face-to-face
    contact only: ``face_to_face_rate``)."""
    figures = summary(suggestions, today)
    figures["by_class"] = dict(figures["by_result_class"])
    figures["first_round_satisfaction_rate"] = figures["first_satisfaction_rate"]
    figures["meeting_rate"] = figures["face_to_face_rate"]
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
        .filter(among(suggestions, "suggestion", handled_only=True), role__in=[role.LEAD, role.SEPARATE])
        .order_by()
        .values("unit_id")
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
    )
    return [
        {
            "unit_id": r["unit_id"],
            "unit": unit.name,
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
        for r, unit in _in_unit_order(rows)
    ]
