"""历史导入: a past session's suggestions written as they ended, from the 汇总表 the office kept (the history
import, ``suggestions.imports.history``).

Like ``register_many`` it writes many suggestions in one transaction, all or none, and checks each the same way
(``settle_registration``, the session's numbers); unlike it, each suggestion arrives where it ended: its parts
(one per unit and round), accepted replies, ratings (recorded from the paper form), re-handling rounds and
contacts, and one ``Event`` of the action ``HISTORY_IMPORT`` (历史导入) in place of the whole timeline, so the
page says where the record came from. Nothing here notifies anyone: it all happened years ago.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import commitments, deadlines, listsearch, rules, search
from ..models import (
    Assignment,
    ContactRecord,
    Event,
    Rating,
    RatingLevel,
    Rehandling,
    Reply,
    Suggestion,
)
from .base import WorkflowError, actor_name
from .registration import BATCH, RegistrationError, _check_numbers, settle_registration

S, A = Suggestion.State, Assignment.State
REPLIED_STATES = (S.REPLIED, S.CLOSED)
NOTE = "历史导入"
REPLY_TEXT = "（历史导入：汇总表未载明答复内容）"
COMMITMENT_TEXT = "（历史导入：汇总表未载明承诺事项）"
WITHHELD_REASON = "历史导入：汇总表标注为不公开"
CONTACT_SUMMARY = "历史导入：汇总表记载的沟通方式"


@dataclass
class PastSuggestion:
    """One suggestion as the file says it ended. ``fields`` are registration's (``REGISTRATION_FIELDS``);
    ``answering`` the lead unit (or the 分办 units, two or more), ``co_units`` the co-units; ``ratings``
    {round: RatingLevel} of the rounds rated; ``rounds`` how many rounds it was handled in."""

    fields: dict
    joint_deputies: list = field(default_factory=list)
    state: str = S.CLOSED
    other_organ: str = ""
    answering: list = field(default_factory=list)
    co_units: list = field(default_factory=list)
    assigned_on: datetime.date | None = None
    deadline: datetime.date | None = None
    replied_on: datetime.date | None = None
    document_numbers: list = field(default_factory=list)
    signers: list = field(default_factory=list)
    result_class: str = ""
    contact_methods: list = field(default_factory=list)
    ratings: dict = field(default_factory=dict)
    rounds: int = 1
    publicity: str = ""  # 公开 / 不公开 / 未公开 / "" (as the 汇总表 writes it)
    source: str = ""  # where it came from, for the event: 文件 第N行


def _moment(day):
    """A day of the file as a moment: noon, local time (a date at midnight would read as the day before in
    UTC, and the figures compare local dates)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def record_history(*, user, entries, at=None, progress=None) -> list[Suggestion]:
    """Writes every ``PastSuggestion`` in one transaction: all or none. Raises ``RegistrationError`` naming the
    entry and the field when one may not be written; ``progress(n)`` is told each entry written."""
    from . import HISTORY_IMPORT

    if not user.has_perm(HISTORY_IMPORT.permission):
        raise RegistrationError("您没有权限导入往届建议。")
    at = at or timezone.now()
    suggestions = []
    for index, entry in enumerate(entries):
        suggestion = _suggestion(entry, user, at)
        try:
            settle_registration(suggestion)
        except WorkflowError as exc:  # the same message registration gives
            raise RegistrationError(exc.message, field=exc.field, index=index) from exc
        suggestions.append(suggestion)
    _check_numbers(suggestions)
    name = actor_name(user)
    try:
        with transaction.atomic():
            Suggestion.objects.bulk_create(suggestions, batch_size=BATCH)
            through = Suggestion.joint_deputies.through
            through.objects.bulk_create(
                [
                    through(suggestion_id=s.pk, deputy_id=d.pk)
                    for s, entry in zip(suggestions, entries, strict=True)
                    for d in entry.joint_deputies
                    if d.pk != s.lead_deputy_id
                ],
                batch_size=BATCH,
            )
            events = []
            for done, (suggestion, entry) in enumerate(zip(suggestions, entries, strict=True), start=1):
                _handling(suggestion, entry, user)
                events.append(_event(HISTORY_IMPORT, suggestion, entry, user, name, at))
                if progress:
                    progress(done)
            Event.objects.bulk_create(events, batch_size=BATCH)
            search.index(suggestions)  # 相似建议: past sessions are what the search finds
            listsearch.refresh([s.pk for s in suggestions])  # the list's keyword search
    except IntegrityError as exc:  # a number taken by someone registering at the same moment
        raise RegistrationError("本届次会议中已有该编号的建议，请刷新后重试。", field="number") from exc
    return suggestions


def _suggestion(entry, user, at):
    s = Suggestion(state=entry.state, created_by=user, created_at=at, **entry.fields)
    s.other_organ = entry.other_organ
    if entry.answering:
        first = entry.answering[0]
        s.lead_unit = first if len(entry.answering) == 1 else None
        if s.leader_id is None and first.leader_id:
            s.leader_id = first.leader_id  # sorted into the lead unit's portfolio, as 交办 does
    s.round = entry.rounds
    s.assigned_on = entry.assigned_on
    s.deadline = entry.deadline
    last_replied = entry.state in REPLIED_STATES
    if last_replied:
        s.replied_at = _moment(entry.replied_on)
        s.result_class = entry.result_class
        s.rating = entry.ratings.get(entry.rounds)
    if entry.state == S.CLOSED:
        s.closed_at = s.replied_at
    s.first_rating = entry.ratings.get(1) if (entry.rounds > 1 or last_replied) else None
    s.rated_unsatisfied = RatingLevel.UNSATISFIED in entry.ratings.values()
    # 已沟通 and 见面沟通 of the contact records ``_handling`` writes, as ``log_contact`` keeps them
    methods = (
        [m for m in entry.contact_methods if m in ContactRecord.Method.values] if entry.answering else []
    )
    s.contacted = bool(methods)
    s.met = any(m in ContactRecord.FACE_TO_FACE for m in methods)
    return s


def _last_part_state(state):
    return {S.ASSIGNED: A.PENDING, S.REPLIED: A.REPLIED, S.CLOSED: A.REPLIED}.get(state, A.SIGNED)


def _handling(s, entry, user):
    """The parts, replies, ratings, re-handling rounds and contacts of one suggestion."""
    if not entry.answering:
        return
    first_deadline = entry.deadline
    if entry.rounds > 1:
        first_deadline = max(deadlines.handling_deadline(entry.assigned_on).date, entry.assigned_on)
    replied_at = _moment(entry.replied_on) if entry.replied_on else None
    parts_by_round = {}
    for round_ in range(1, entry.rounds + 1):
        last = round_ == entry.rounds
        state = _last_part_state(entry.state) if last else A.REPLIED
        due = entry.deadline if last else first_deadline
        parts_by_round[round_] = [
            Assignment.objects.create(
                suggestion=s,
                unit=unit,
                role=Assignment.Role.LEAD if len(entry.answering) == 1 else Assignment.Role.SEPARATE,
                round=round_,
                state=state,
                assigned_on=entry.assigned_on,
                deadline=max(due, entry.assigned_on),
                original_deadline=max(due, entry.assigned_on),
                signed_at=None if state == A.PENDING else _moment(entry.assigned_on),
                signed_by=None,
                completed_at=replied_at if state == A.REPLIED else None,
                created_at=_moment(entry.assigned_on),
            )
            for unit in entry.answering
        ]
        if round_ > 1:
            Rehandling.objects.create(
                suggestion=s,
                round=round_,
                reason=f"{NOTE}：第{round_ - 1}轮答复评价后重新办理",
                deadline=max(due, entry.assigned_on),
                created_by=user,
                created_at=_moment(entry.assigned_on),
            )
    opinion_sent = entry.rounds > 1 or entry.state in (*REPLIED_STATES, S.REHANDLING)
    co_due = min(deadlines.opinion_deadline(entry.assigned_on).date, first_deadline)
    for unit in entry.co_units:
        Assignment.objects.create(
            suggestion=s,
            unit=unit,
            role=Assignment.Role.CO,
            round=1,
            state=A.OPINION_SENT if opinion_sent else _last_part_state(entry.state),
            assigned_on=entry.assigned_on,
            deadline=max(co_due, entry.assigned_on),
            original_deadline=max(co_due, entry.assigned_on),
            completed_at=replied_at if opinion_sent else None,
            created_at=_moment(entry.assigned_on),
        )
    # the 汇总表's 文号, 签发人 and 答复日期 are those of the latest round replied (the one before a re-handling)
    latest = entry.rounds if entry.state in REPLIED_STATES else entry.rounds - 1
    for round_, parts in parts_by_round.items():
        if parts[0].state == A.REPLIED:
            _replies(parts, entry, user, replied_at, final=round_ == latest)
            level = entry.ratings.get(round_)
            if level is not None:
                Rating.objects.create(
                    reply=parts[0].history_replies[0],
                    deputy=s.lead_deputy,
                    overall=level,
                    comment=NOTE if level == RatingLevel.UNSATISFIED else "",
                    source=Rating.Source.PAPER,
                    recorded_by=user,
                    rated_at=replied_at,
                )
    methods = [m for m in entry.contact_methods if m in ContactRecord.Method.values]
    first_part = parts_by_round[1][0]
    ContactRecord.objects.bulk_create(
        ContactRecord(
            assignment=first_part,
            method=method,
            contacted_on=entry.assigned_on,
            participants=NOTE,
            summary=CONTACT_SUMMARY,
            recorded_by=user,
            created_at=_moment(entry.assigned_on),
        )
        for method in methods
    )


def _spread(values, units):
    """One 文号 (or 签发人) per unit when the file gives one each, else the same text for all of them."""
    if len(values) == len(units):
        return values
    return ["、".join(values)] * len(units)


def _replies(parts, entry, user, replied_at, *, final):
    numbers = _spread(entry.document_numbers, parts) if final else [""] * len(parts)
    signers = _spread(entry.signers, parts) if final else [""] * len(parts)
    commitment = final and entry.result_class in rules.commitment_codes()
    public = entry.publicity != "不公开"
    for part, number, signer in zip(parts, numbers, signers, strict=True):
        reply = Reply.objects.create(
            assignment=part,
            state=Reply.State.ACCEPTED,
            document_number=number[:60] or ("" if final else f"第{part.round}轮答复（{NOTE}）"),
            contact_person="",
            contact_phone="",
            text=REPLY_TEXT,
            result_class=entry.result_class,
            commitment=COMMITMENT_TEXT if commitment else "",
            commitment_due=entry.replied_on if commitment else None,
            drafted_by=user,
            drafted_at=replied_at,
            signer=signer[:50],
            signed_at=replied_at,
            submitted_at=replied_at,
            reviewed_by=user,
            reviewed_at=replied_at,
            is_public=public,
            withheld_reason="" if public else WITHHELD_REASON,
            published_at=replied_at if final and entry.publicity == "公开" else None,
        )
        commitments.ensure_for(reply)
        part.history_replies = [reply]


def _event(action, s, entry, user, name, at):
    what = f"{NOTE}：{s.number_label}建议，状态为「{s.get_state_display()}」"
    if s.round > 1:
        what += f"，共{s.round}轮办理"
    return Event(
        suggestion=s,
        action=action.name,
        label=action.label,
        actor=user,
        actor_name=name,
        from_state="",
        to_state=s.state,
        note=what + (f"（来自{entry.source}）" if entry.source else ""),
        created_at=at,
    )
