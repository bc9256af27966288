"""建议办理情况汇总表: one row per suggestion, with its units, deadlines, latest accepted reply, rating and
publicity. Rows are read as plain values in chunks of suggestions, each chunk with the same four queries for
what its rows need (joint deputies, current parts with their units and ratings, contacts, accepted replies),
joined here with dicts: no model instances, so the sheet streams at any size (docs/benchmarks.md, "Excel
export"). ``rows(queryset)`` yields the rows as lists of values; the writer and the benchmark read them."""

import datetime
from collections import defaultdict
from contextlib import nullcontext
from itertools import batched
from typing import NamedTuple

from django.db import connections, transaction
from django.db.models import Min, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .. import access
from ..formats import date_cn, number_label
from ..models import Assignment, CongressSession, ContactRecord, RatingLevel, Reply, Suggestion
from .xlsx import Column, Sheet

CHUNK_SIZE = 5000
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
CONTACT_LABELS = dict(ContactRecord.Method.choices)
RATING_LABELS = dict(RatingLevel.choices)
STATE_LABELS = dict(Suggestion.State.choices)
HANDLING_STATES = frozenset(Suggestion.HANDLING_STATES)
LATE_PART_STATES = frozenset(Assignment.UNIT_OPEN_STATES)

# A suggestion's own values, in this order (``Row``).
SUGGESTION_FIELDS = (
    "pk",
    "number",
    "title",
    "lead_deputy__name",
    "delegation__name",
    "category__name",
    "is_key",
    "supervising_leader__title",
    "supervising_leader__name",
    "state",
    "other_organ",
    "remarks",
    "round",
    "rating",
    "assigned_on",
    "deadline",
)


class Row(NamedTuple):
    pk: int
    number: int
    title: str
    lead_deputy: str
    delegation: str
    category: str
    is_key: bool
    leader_title: str | None
    leader_name: str | None
    state: str
    other_organ: str
    remarks: str
    round: int
    rating: int | None
    assigned_on: datetime.date | None
    deadline: datetime.date | None


class Part(NamedTuple):
    """A current assignment: ``worst_rating`` is the worst rating its replies had (that round's rating)."""

    id: int
    suggestion_id: int
    role: str
    round: int
    state: str
    assigned_on: datetime.date
    deadline: datetime.date
    unit: str
    worst_rating: int | None


class Answer(NamedTuple):
    """An accepted reply the reader may read."""

    assignment_id: int
    document_number: str
    signer: str
    result_class: str
    reviewed_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    is_public: bool
    published_at: datetime.datetime | None


PART_FIELDS = ("id", "suggestion_id", "role", "round", "state", "assigned_on", "deadline", "unit__name")
ANSWER_FIELDS = (
    "assignment_id",
    "document_number",
    "signer",
    "result_class",
    "reviewed_at",
    "submitted_at",
    "is_public",
    "published_at",
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
        rows=rows(queryset, today, reader),
        typed=True,  # texts, numbers and dates each in their own columns: streamed by rustpy-xlsxwriter
    )


def rows(queryset, today: datetime.date | None = None, reader=None):
    """The sheet's rows for ``queryset`` in its order, each a list of 23 values (text, numbers, dates). With
    ``reader`` only the replies ``access`` lets that person read count. A chunk of ``CHUNK_SIZE`` suggestions
    costs one fetch of the streamed query and four queries for its related rows."""
    today = today or timezone.localdate()
    values = (
        queryset.select_related(None)
        .prefetch_related(None)  # a list's own prefetches: the rows read what is fetched here
        .values_list(*SUGGESTION_FIELDS)
    )
    # PostgreSQL streams the rows through a server-side cursor; inside one transaction it lives no longer than
    # that transaction, as PgBouncer's transaction mode requires (docs/scaling.md). On the database the rows are
    # read from: the replica's, when the export reads one. Only reads: inside a transaction already, no savepoint.
    db = values.db
    in_one = connections[db].vendor == "postgresql"
    zone = timezone.get_current_timezone()
    with transaction.atomic(using=db, savepoint=False) if in_one else nullcontext():
        index = 0
        for chunk in batched(map(Row._make, values.iterator(chunk_size=CHUNK_SIZE)), CHUNK_SIZE):
            joint, parts, contacts, answers = related(chunk, reader, as_array=in_one)
            for s in chunk:
                index += 1
                yield summary_row(index, s, today, joint, parts, contacts, answers, zone)


def _of(path, ids, as_array):
    """``path`` is one of ``ids``: on PostgreSQL (``as_array``) the 5,000 ids of a chunk go as one array
    parameter, not 5,000 (composing and parsing those took two of the export's ten seconds)."""
    if as_array:
        return Q(**{f"{path}__in": RawSQL("SELECT unnest(%s::bigint[])", [ids])})
    return Q(**{f"{path}__in": ids})


def related(chunk, reader=None, as_array=False):
    """What the rows of ``chunk`` need, read as values and keyed for the join: the joint deputies' names by
    suggestion (in the deputies' own order), the current parts by suggestion (by round, then as assigned),
    the contact methods and the accepted replies (oldest first) by part."""
    ids = [s.pk for s in chunk]
    joint = defaultdict(list)
    through = Suggestion.joint_deputies.through.objects.filter(_of("suggestion_id", ids, as_array))
    for suggestion_id, name in through.order_by(
        "deputy__delegation__order", "deputy__name", "deputy_id"
    ).values_list("suggestion_id", "deputy__name"):
        joint[suggestion_id].append(name)

    parts = defaultdict(list)
    current = set()
    assignments = (
        Assignment.objects.current()
        .filter(_of("suggestion_id", ids, as_array))
        .annotate(worst_rating=Min("replies__ratings__overall"))  # each round's rating, in the same query
        .order_by("round", "id")
        .values_list(*PART_FIELDS, "worst_rating")
    )
    for values in assignments:
        part = Part._make(values)
        parts[part.suggestion_id].append(part)
        current.add(part.id)

    contacts = defaultdict(set)
    records = ContactRecord.objects.filter(_of("assignment__suggestion_id", ids, as_array)).order_by()
    for assignment_id, method in records.values_list("assignment_id", "method"):
        if assignment_id in current:  # a part moved to another unit keeps its records, not shown here
            contacts[assignment_id].add(method)

    answers = defaultdict(list)
    replies = Reply.objects.filter(
        _of("assignment__suggestion_id", ids, as_array), state=Reply.State.ACCEPTED
    )
    if reader is not None:
        replies = replies.filter(access.reply_condition(reader))
    for values in replies.order_by("id").values_list(*ANSWER_FIELDS):
        answer = Answer._make(values)
        if answer.assignment_id in current:
            answers[answer.assignment_id].append(answer)
    return joint, parts, contacts, answers


def _distinct(values):
    return list(dict.fromkeys(v for v in values if v))


def _local_date(moment, zone=None):
    return moment.astimezone(zone or timezone.get_current_timezone()).date() if moment else None


def latest_replies(parts, answers) -> list:
    """The accepted replies of the latest round that has any (several when units answered separately)."""
    replies = [(p.round, r) for p in parts for r in answers.get(p.id, ())]
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


def rating_label(s, parts) -> str:
    """代表评价: each round's rating, the worst its deputies gave (as ``Suggestion.rating`` and the list's
    rating filter read it): 「满意」 for one round, 「第1轮：不满意；第2轮：满意」 once re-handled. A round
    without a rating reads 未评价; the round being handled now, not replied yet, is left out (the state says
    重新办理)."""
    worst = {}
    for p in parts:
        if p.worst_rating is not None:
            worst[p.round] = min(p.worst_rating, worst.get(p.round, p.worst_rating))
    if s.rating is not None:
        worst.setdefault(s.round, s.rating)  # a suggestion recorded without rating rows (an old import)
    labels = {}
    for round_ in range(1, s.round + 1):
        if round_ in worst:
            labels[round_] = RATING_LABELS[worst[round_]]
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


def is_overdue(s, parts, today: datetime.date) -> bool:
    """``Suggestion.is_overdue`` from the parts at hand: being handled with a part late."""
    if s.state not in HANDLING_STATES:
        return False
    return any(p.state in LATE_PART_STATES and p.deadline < today for p in parts)


def summary_row(index: int, s: Row, today: datetime.date, joint, parts, contacts, answers, zone=None) -> list:
    own = parts.get(s.pk, ())
    answering = _distinct(p.unit for p in own if p.role in ANSWERING)
    co = _distinct(p.unit for p in own if p.role == Assignment.Role.CO)
    replies = latest_replies(own, answers)
    methods = sorted({m for p in own for m in contacts.get(p.id, ())}, key=lambda m: CONTACT_ORDER.get(m, 99))
    replied_on = max(
        (d for r in replies if (d := _local_date(r.reviewed_at or r.submitted_at, zone))), default=None
    )
    assigned_on = min((p.assigned_on for p in own), default=s.assigned_on)
    if s.leader_name is None:
        leader = ""
    else:
        leader = f"{s.leader_title}{s.leader_name}" if s.leader_title else s.leader_name  # str(Leader)
    return [
        index,
        number_label(s.number),
        s.title,
        s.lead_deputy,
        "、".join(joint.get(s.pk, ())),
        s.delegation,
        s.category,
        "、".join(answering),
        "、".join(co),
        assigned_on,
        s.deadline,
        replied_on,
        "、".join(_distinct(r.document_number for r in replies)),
        "、".join(_distinct(r.signer for r in replies)),
        max((r.result_class for r in replies), default=""),
        "是" if s.is_key else "否",
        leader,
        "、".join(CONTACT_LABELS[m] for m in methods),
        rating_label(s, own),
        publicity(replies),
        STATE_LABELS[s.state],
        "是" if is_overdue(s, own, today) else "否",
        remarks(s),
    ]
