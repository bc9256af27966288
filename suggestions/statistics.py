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
    Commitment,
    CongressSession,
    ContactRecord,
    ExtensionRequest,
    HandlingUnit,
    Leader,
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
    return summary_from(combined(tallies(suggestions, today, parts=("summary", "commitments")).values()))


# The tallies: what the figures are made of, counted per session. A session's tallies are JSON (ids as strings)
# and additive: the figures of several sessions are those of their tallies summed (``combined``), since a
# suggestion, its parts and replies belong to one session. ``suggestions.tallies`` keeps them per session and
# person's scope in the database, recounted when the session's rows change (``FigureRevision``).
PARTS = ("summary", "commitments", "units", "portfolios", "handling")


def basis() -> str:
    """What the tallies' keys depend on besides the data: kept tallies counted on another basis are recounted."""
    categories = ",".join(str(pk) for pk in Category.objects.order_by("pk").values_list("pk", flat=True))
    return f"1|{','.join(S.values)}|{','.join(rules.codes())}|{categories}"


def tallies(suggestions, today: datetime.date | None = None, parts=PARTS, sessions=None) -> dict[int, dict]:
    """The counts of ``suggestions`` per session id (only sessions holding some), each ``{part: counts}`` for
    the ``parts`` asked: ``summary`` (one aggregate: totals, ``by_state``, ``by_class``, ``by_category``),
    ``commitments`` (per result class, and the kept figures), ``units`` (``by_unit``), ``portfolios``
    (``by_portfolio``), ``handling`` (``unit_handling``). One grouped query a part (two for commitments).

    ``sessions`` (ids): only the suggestions of those. The parts, replies and commitments are then reached by
    the join their session is grouped by, not by a semi-join with the suggestions as well (recounting the
    current session of 10,000 at 100,000 took 330 ms that way)."""
    today = today or timezone.localdate()
    suggestions = suggestions.order_by()

    def of(path, handled_only=False) -> Q:
        condition = among(suggestions, path, handled_only)
        return condition & Q(**{f"{path}__session_id__in": sessions}) if sessions is not None else condition

    within = suggestions.filter(session_id__in=sessions) if sessions is not None else suggestions
    found: dict[int, dict] = {}

    def at(session_id, part):
        return found.setdefault(session_id, {}).setdefault(part, {})

    if "summary" in parts:
        for session_id, counts in _summary_counts(within, today):
            found.setdefault(session_id, {})["summary"] = counts
    if "commitments" in parts:
        accepted = Q(state=Reply.State.ACCEPTED)
        rows = (
            Reply.objects.filter(of("assignment__suggestion"), accepted, commitment_due__isnull=False)
            .order_by()
            .values_list("assignment__suggestion__session_id", "result_class")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(commitment_done_on__isnull=False)))
        )
        for session_id, code, total, done in rows:
            at(session_id, "commitments").setdefault("by_class", {})[code] = {"total": total, "done": done}
        commitments = Commitment.objects.filter(
            of("reply__assignment__suggestion"), reply__state=Reply.State.ACCEPTED
        )
        for session_id, due, kept in promised.kept_rows(commitments, today):
            at(session_id, "commitments").update(due=due, kept=kept)
    if "units" in parts:
        for row in _by_unit_rows(of("suggestion", handled_only=True), today):
            at(row.pop("session_id"), "units")[str(row.pop("unit_id"))] = row
    if "portfolios" in parts:
        rows = (
            within.exclude(state__in=NOT_HANDLED)
            .values("session_id", "leader_id")
            .annotate(
                total=Count("pk"),
                key=Count("pk", filter=Q(is_key=True)),
                closed=Count("pk", filter=Q(state=S.CLOSED)),
            )
        )
        for row in rows:
            leader = row.pop("leader_id")
            at(row.pop("session_id"), "portfolios")["" if leader is None else str(leader)] = row
    if "handling" in parts:
        for row in _unit_handling_rows(of("suggestion", handled_only=True), today):
            at(row.pop("session_id"), "handling")[str(row.pop("unit_id"))] = row
    return found


def combined(many) -> dict:
    """Tallies summed key by key (nested dicts of counts)."""
    total: dict = {}
    for one in many:
        _add(total, one)
    return total


def _add(into: dict, counts: dict):
    for key, value in counts.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value


def _summary_counts(suggestions, today):
    """Rows of (session id, counts) from one pass: FILTER clauses for the states, result classes and categories,
    not three GROUP BYs."""
    handled = ~Q(state__in=NOT_HANDLED)
    codes = rules.codes()
    category_ids = list(Category.objects.order_by("pk").values_list("pk", flat=True))
    state_keys = {f"state_{i}": state for i, state in enumerate(S)}
    class_keys = {f"class_{i}": code for i, code in enumerate(codes)}
    category_keys = {f"category_{pk}": pk for pk in category_ids}
    rows = suggestions.values("session_id").annotate(
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
        **{key: Count("pk", filter=Q(state=state)) for key, state in state_keys.items()},
        **{key: Count("pk", filter=Q(state__in=DONE, result_class=code)) for key, code in class_keys.items()},
        **{key: Count("pk", filter=handled & Q(category_id=pk)) for key, pk in category_keys.items()},
    )
    for row in rows:
        session_id = row.pop("session_id")
        counts = {
            key: row.pop(key) for key in list(row) if not key.startswith(("state_", "class_", "category_"))
        }
        counts["by_state"] = {state.value: row[key] for key, state in state_keys.items()}
        counts["by_class"] = {code: row[key] for key, code in class_keys.items()}
        counts["by_category"] = {str(pk): row[key] for key, pk in category_keys.items()}
        yield session_id, counts


def summary_from(tally: dict) -> dict:
    """``summary``'s figures from tallies with the ``summary`` and ``commitments`` parts (``combined`` for
    several sessions): the same dict whatever the sessions, zeros where nothing was counted."""
    counts = tally.get("summary", {})
    kept = tally.get("commitments", {})

    def n(key):
        return counts.get(key, 0)

    gov, rated, first_rated = n("government_handled"), n("rated"), n("first_rated")
    states = {state: counts.get("by_state", {}).get(state.value, 0) for state in S}
    classes = {code: counts.get("by_class", {}).get(code, 0) for code in rules.codes()}
    in_category = counts.get("by_category", {})
    by_categories = [
        {"category_id": c.pk, "name": c.name, "count": in_category.get(str(c.pk), 0)}
        for c in Category.objects.all()
        if c.is_active or in_category.get(str(c.pk), 0)
    ]
    figures = {
        "total": n("total"),
        "government_handled": gov,
        "not_government": n("not_government"),
        "withdrawn": n("withdrawn"),
        "by_category": by_categories,
        "key": n("key"),
        "key_closed": n("key_closed"),
        "closed": n("closed"),
        "completion_rate": rate(n("closed"), gov),
        "replied": n("replied"),
        "reply_rate": rate(n("replied"), gov),
        "rated": rated,
        "satisfied": n("satisfied"),
        "basically_satisfied": n("basically_satisfied"),
        "unsatisfied": n("unsatisfied"),
        "satisfaction_rate": rate(n("satisfied") + n("basically_satisfied"), rated),
        "satisfied_rate": rate(n("satisfied"), rated),
        "basically_satisfied_rate": rate(n("basically_satisfied"), rated),
        "first_rated": first_rated,
        "first_satisfied": n("first_satisfied"),
        "first_basically_satisfied": n("first_basically_satisfied"),
        "first_unsatisfied": n("first_unsatisfied"),
        "first_satisfaction_rate": rate(n("first_satisfied") + n("first_basically_satisfied"), first_rated),
        "ever_unsatisfied": n("ever_unsatisfied"),
        "rehandling": n("rehandling"),
        "on_time": n("on_time"),
        "on_time_rate": rate(n("on_time"), n("replied")),
        "overdue": n("overdue"),
        "face_to_face": n("face_to_face"),
        "face_to_face_rate": rate(n("face_to_face"), gov),
        "contacted": n("contacted"),
        "contact_rate": rate(n("contacted"), gov),
        "by_result_class": classes,
        "by_state": states,
        "commitments": _commitments_from(kept.get("by_class", {})),
    }
    figures["commitments_due"] = kept.get("due", 0)
    figures["commitments_kept"] = kept.get("kept", 0)
    figures["commitment_kept_rate"] = rate(figures["commitments_kept"], figures["commitments_due"])
    return figures


def _commitments_from(counted: dict) -> dict:
    by_class = {code: {"total": 0, "done": 0, "open": 0} for code in rules.codes()}
    for code, c in counted.items():
        by_class[code] = {"total": c["total"], "done": c["done"], "open": c["total"] - c["done"]}
    total = sum(c["total"] for c in by_class.values())
    done = sum(c["done"] for c in by_class.values())
    return {"total": total, "done": done, "open": total - done, "by_class": by_class}


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
    counted = combined(tallies(suggestions, parts=("commitments",)).values())
    return _commitments_from(counted.get("commitments", {}).get("by_class", {}))


def by_unit(suggestions, today: datetime.date | None = None) -> list[dict]:
    """Per handling unit: how many it leads, co-handles or handles separately, replied and overdue parts."""
    return by_unit_from(combined(tallies(suggestions, today, parts=("units",)).values()))


def _by_unit_rows(condition, today):
    return (
        Assignment.objects.current()
        .filter(condition)
        .order_by()
        # grouped by the ids alone: the names are read afterwards (a sort of narrow rows)
        .values("unit_id", session_id=F("suggestion__session_id"))
        .annotate(
            lead=Count("suggestion", filter=Q(role=Assignment.Role.LEAD), distinct=True),
            co=Count("suggestion", filter=Q(role=Assignment.Role.CO), distinct=True),
            separate=Count("suggestion", filter=Q(role=Assignment.Role.SEPARATE), distinct=True),
            done=Count("pk", filter=Q(state__in=[Assignment.State.REPLIED, Assignment.State.OPINION_SENT])),
            overdue=Count("pk", filter=Assignment.overdue_condition(today)),
        )
    )


def by_unit_from(tally: dict) -> list[dict]:
    """``by_unit``'s rows from tallies with the ``units`` part."""
    return [
        {"unit_id": unit.pk, "unit": unit.name, **row} for row, unit in _in_unit_order(tally.get("units", {}))
    ]


def _in_unit_order(rows: dict):
    """Counts keyed by unit id (a string) with their unit, in the units' order (``order``, then name, as the
    database sorts them): one query for the units, so that the grouped query sorts ids, not names."""
    if not rows:
        return []
    units = HandlingUnit.objects.filter(pk__in=[int(pk) for pk in rows]).only("name", "order")
    return [(rows[str(unit.pk)], unit) for unit in units.order_by("order", "name")]


def by_portfolio(suggestions) -> list[dict]:
    """Per leader's portfolio: total, key suggestions and closed."""
    return by_portfolio_from(combined(tallies(suggestions, parts=("portfolios",)).values()))


def by_portfolio_from(tally: dict) -> list[dict]:
    """``by_portfolio``'s rows from tallies with the ``portfolios`` part: the leaders in their order, then the
    suggestions of no portfolio (未归类)."""
    counted = tally.get("portfolios", {})
    leaders = Leader.objects.filter(pk__in=[int(pk) for pk in counted if pk]).order_by("order", "name")
    rows = [(leader.pk, f"{leader.title}{leader.name}", counted[str(leader.pk)]) for leader in leaders]
    if "" in counted:
        rows.append((None, "未归类", counted[""]))
    return [
        {
            "leader_id": pk,
            "leader": name,
            "total": c["total"],
            "key": c["key"],
            "closed": c["closed"],
            "completion_rate": rate(c["closed"], c["total"]),
        }
        for pk, name, c in rows
    ]


def by_session(suggestions) -> list[dict]:
    """The headline rates of each session, oldest first, for the rates-over-sessions chart: 办结率, the final
    and the first round's 满意率, and how many were ever rated 不满意."""
    return by_session_from(tallies(suggestions, parts=("summary",)), CongressSession.objects.all())


def by_session_from(per_session: dict[int, dict], sessions) -> list[dict]:
    """``by_session``'s rows from each session's tallies (with the ``summary`` part), for those of
    ``sessions`` that hold suggestions."""
    rows = []
    for session in sorted(sessions, key=lambda s: (s.year, s.meeting)):
        c = per_session.get(session.pk, {}).get("summary")
        if not c or not c["total"]:
            continue
        rows.append(
            {
                "session_id": session.pk,
                "session": session.name,
                "year": session.year,
                "total": c["total"],
                "government_handled": c["government_handled"],
                "closed": c["closed"],
                "completion_rate": rate(c["closed"], c["government_handled"]),
                "satisfaction_rate": rate(c["satisfied"] + c["basically_satisfied"], c["rated"]),
                "first_satisfaction_rate": rate(
                    c["first_satisfied"] + c["first_basically_satisfied"], c["first_rated"]
                ),
                "ever_unsatisfied": c["ever_unsatisfied"],
            }
        )
    return rows


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
    return unit_handling_from(combined(tallies(suggestions, today, parts=("handling",)).values()))


def _unit_handling_rows(condition, today):
    role, state = Assignment.Role, Assignment.State
    pleased = [RatingLevel.SATISFIED, RatingLevel.BASIC]
    return (
        Assignment.objects.current()
        .filter(condition, role__in=[role.LEAD, role.SEPARATE])
        .order_by()
        .values("unit_id", session_id=F("suggestion__session_id"))
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


def unit_handling_from(tally: dict) -> list[dict]:
    """``unit_handling``'s rows from tallies with the ``handling`` part."""
    return [
        {
            "unit_id": unit.pk,
            "unit": unit.name,
            "lead": c["lead"],
            "separate": c["separate"],
            "replied": c["replied"],
            "on_time": c["on_time"],
            "on_time_rate": rate(c["on_time"], c["replied"]),
            "overdue": c["overdue"],
            "rated": c["rated"],
            "pleased": c["pleased"],
            "satisfaction_rate": rate(c["pleased"], c["rated"]),
            "unsatisfied": c["unsatisfied"],
        }
        for c, unit in _in_unit_order(tally.get("handling", {}))
    ]
