"""建议办理情况汇总表: one row per suggestion, with its units, deadlines, latest accepted reply, rating and
publicity. Rows are read in chunks, each with the same few queries, so the sheet streams at any size."""

import datetime
from contextlib import nullcontext

from django.db import connections, transaction
from django.db.models import Min, Prefetch
from django.utils import timezone

from .. import access
from ..formats import date_cn
from ..models import Assignment, CongressSession, ContactRecord, RatingLevel, Reply, Suggestion
from .xlsx import Column, Sheet

CHUNK_SIZE = 2000
TITLE = "建议办理情况汇总表"

COLUMNS = (
    Column("序号", 6, "int"),
    Column("建议编号", 10, "center"),
    Column("案由", 44, "wrap"),
    Column("领衔代表", 10, "center"),
    Column("联名代表", 20, "wrap"),
    Column("代表团", 16, "wrap"),
    Column("类别", 10, "center"),
    Column("主办单位", 24, "wrap"),
    Column("协办单位", 24, "wrap"),
    Column("交办日期", 16, "date"),
    Column("办理期限", 16, "date"),
    Column("答复日期", 16, "date"),
    Column("文号", 22, "wrap"),
    Column("签发人", 10, "center"),
    Column("答复类别", 10, "center"),
    Column("是否重点", 10, "center"),
    Column("督办领导", 14, "center"),
    Column("沟通方式", 18, "wrap"),
    Column("代表评价", 10, "center"),
    Column("是否公开", 10, "center"),
    Column("办理状态", 10, "center"),
    Column("超期", 6, "center"),
    Column("备注", 30, "wrap"),
)

ANSWERING = (Assignment.Role.LEAD, Assignment.Role.SEPARATE)
RATED_STATES = (Suggestion.State.REPLIED, Suggestion.State.CLOSED)
CONTACT_ORDER = {value: i for i, value in enumerate(ContactRecord.Method.values)}


def export_queryset(queryset, reader=None):
    """``queryset`` with what a row needs: each chunk of suggestions costs the same four extra queries. The
    sheet shows accepted replies, and with ``reader`` only those ``access`` lets that person read; the
    ratings of each round come with the parts (the worst a deputy gave any reply of the part)."""
    assignments = (
        Assignment.objects.current()
        .select_related("unit")
        .only("id", "suggestion_id", "role", "round", "state", "assigned_on", "deadline", "unit__name")
        .annotate(worst_rating=Min("replies__ratings__overall"))  # each round's rating, in the same query
        .order_by("round", "id")
    )
    replies = Reply.objects.filter(state=Reply.State.ACCEPTED)
    if reader is not None:
        replies = replies.filter(access.reply_condition(reader))
    replies = replies.only(
        "id",
        "assignment_id",
        "document_number",
        "signer",
        "result_class",
        "reviewed_at",
        "submitted_at",
        "is_public",
        "published_at",
    )
    return (
        queryset.select_related(None)
        .prefetch_related(None)  # a list's own prefetches: the row reads what is prefetched here
        .select_related("category", "lead_deputy", "delegation", "supervising_leader")
        .defer("content")
        .prefetch_related(
            Prefetch("joint_deputies", to_attr="export_joint"),
            Prefetch("assignments", queryset=assignments, to_attr="export_assignments"),
            Prefetch(
                "export_assignments__contacts",
                queryset=ContactRecord.objects.only("id", "assignment_id", "method").order_by(),
                to_attr="export_contacts",
            ),
            Prefetch(
                "export_assignments__replies", queryset=replies.order_by("id"), to_attr="export_replies"
            ),
        )
    )


def sessions_label(queryset) -> str:
    sessions = CongressSession.objects.filter(pk__in=queryset.order_by().values("session_id")).order_by(
        "year", "term", "meeting"
    )
    return "、".join(s.name for s in sessions)


def summary_sheet(queryset, *, today: datetime.date | None = None, note: str = "", reader=None) -> Sheet:
    """The sheet for ``queryset`` (already limited to what the reader may see, in the list's order)."""
    today = today or timezone.localdate()
    sessions = sessions_label(queryset)
    subtitle = f"导出日期：{date_cn(today)}" + (f"    {note}" if note else "")
    return Sheet(
        name=TITLE,
        title=f"{sessions} {TITLE}" if sessions else TITLE,
        subtitle=subtitle,
        columns=COLUMNS,
        rows=summary_rows(queryset, today, reader),
    )


def summary_rows(queryset, today: datetime.date, reader=None):
    suggestions = export_queryset(queryset, reader)
    # PostgreSQL streams the rows through a server-side cursor; inside one transaction it lives no longer than
    # that transaction, as PgBouncer's transaction mode requires (docs/scaling.md). On the database the rows are
    # read from: the replica's, when the export reads one. Only reads: inside a transaction already, no savepoint.
    db = suggestions.db
    in_one = connections[db].vendor == "postgresql"
    with transaction.atomic(using=db, savepoint=False) if in_one else nullcontext():
        for index, suggestion in enumerate(suggestions.iterator(chunk_size=CHUNK_SIZE), start=1):
            yield summary_row(index, suggestion, today)


def _distinct(values):
    return list(dict.fromkeys(v for v in values if v))


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def latest_replies(assignments) -> list:
    """The accepted replies of the latest round that has any (several when units answered separately)."""
    replies = [(a.round, r) for a in assignments for r in a.export_replies]
    if not replies:
        return []
    last = max(round_ for round_, _ in replies)
    return [r for round_, r in replies if round_ == last]


def publicity(replies) -> str:
    if not replies:
        return ""
    if any(not r.is_public for r in replies):
        return "不公开"
    if all(r.published_at for r in replies):
        return "公开"
    return "未公开"


def rating_label(s, assignments) -> str:
    """代表评价: each round's rating, the worst its deputies gave (as ``Suggestion.rating`` and the list's
    rating filter read it): 「满意」 for one round, 「第1轮：不满意；第2轮：满意」 once re-handled. A round
    without a rating reads 未评价; the round being handled now, not replied yet, is left out (the state says
    重新办理)."""
    worst = {}
    for a in assignments:
        if a.worst_rating is not None:
            worst[a.round] = min(a.worst_rating, worst.get(a.round, a.worst_rating))
    if s.rating is not None:
        worst.setdefault(s.round, s.rating)  # a suggestion recorded without rating rows (an old import)
    labels = {}
    for round_ in range(1, s.round + 1):
        if round_ in worst:
            labels[round_] = RatingLevel(worst[round_]).label
        elif round_ < s.round or s.state in RATED_STATES:
            labels[round_] = "未评价"
    if s.round == 1:
        return labels.get(1, "")
    return "；".join(f"第{round_}轮：{label}" for round_, label in labels.items())


def remarks(s) -> str:
    parts = []
    if s.state == Suggestion.State.NOT_GOVERNMENT and s.other_organ:
        parts.append(f"转交{s.other_organ}办理")
    if s.round > 1:
        parts.append(f"第{s.round}轮办理")
    if s.remarks:
        parts.append(s.remarks)
    return "；".join(parts)


def summary_row(index: int, s, today: datetime.date) -> list:
    assignments = s.export_assignments
    answering = _distinct(a.unit.name for a in assignments if a.role in ANSWERING)
    co = _distinct(a.unit.name for a in assignments if a.role == Assignment.Role.CO)
    replies = latest_replies(assignments)
    methods = sorted(
        {c.method for a in assignments for c in a.export_contacts}, key=lambda m: CONTACT_ORDER.get(m, 99)
    )
    replied_on = max(
        (d for r in replies if (d := _local_date(r.reviewed_at or r.submitted_at))), default=None
    )
    assigned_on = min((a.assigned_on for a in assignments), default=s.assigned_on)
    return [
        index,
        s.number_label,
        s.title,
        s.lead_deputy.name,
        "、".join(d.name for d in s.export_joint),
        s.delegation.name,
        s.category.name,
        "、".join(answering),
        "、".join(co),
        assigned_on,
        s.deadline,
        replied_on,
        "、".join(_distinct(r.document_number for r in replies)),
        "、".join(_distinct(r.signer for r in replies)),
        max((r.result_class for r in replies), default=""),
        "是" if s.is_key else "否",
        str(s.supervising_leader) if s.supervising_leader else "",
        "、".join(ContactRecord.Method(m).label for m in methods),
        rating_label(s, assignments),
        publicity(replies),
        s.get_state_display(),
        "是" if s.is_overdue(today, parts=assignments) else "否",
        remarks(s),
    ]
