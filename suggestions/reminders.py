"""催办: the automatic reminders before and after an assignment's deadline, sent once a day by
``manage.py send_reminders`` (see docs/reminders.md).

An assignment is chased while its unit still has work to do (``Assignment.UNIT_OPEN_STATES``: waiting for
sign-for included, the office's review of a submitted reply not) and its suggestion is being handled
(``Suggestion.HANDLING_STATES``), in the suggestion's current round. Co-units are chased against their own
(opinion) deadline. By the days left to the deadline an assignment is in one stage:

- ``week_before``: 1 to the rules' ``remind_days_before`` (default 7) days left -> the unit's staff
  and head;
- ``due_today``: the deadline is today -> the unit's staff and head;
- ``overdue``: the deadline has passed -> the unit, the office, and for a key suggestion the supervising
  leader.

Each stage is sent once per assignment and deadline (``Reminder``, unique on assignment, stage, deadline), so a
second run on the same day sends nothing and an extended deadline gets fresh reminders. Only the stage an
assignment is in today is sent: after days without a run, an overdue item gets the overdue chase only.

落实提醒 (``commitment``): once a commitment's target date has passed while it is still open (落实跟踪), its
unit and the office are told, once per commitment and target (``CommitmentReminder``), after closing too.

Reminders are not events (the event log records people's actions); they show as notifications, and go out
as emails and text messages through the same deliveries as every other notification (``suggestions.deliveries``).
The work takes a constant number of queries however many assignments are due.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.roles import UNIT_ROLES, Role

from . import deliveries, rules
from .formats import date_cn
from .models import (
    Assignment,
    Commitment,
    CommitmentReminder,
    Delivery,
    Notification,
    Reminder,
    Reply,
    Suggestion,
)
from .notifications import Recipients, create_notifications

log = logging.getLogger(__name__)

Stage = Reminder.Stage
COMMITMENT = "commitment"  # a commitment's target passed while it is still open
STAGES = (Stage.WEEK_BEFORE, Stage.DUE_TODAY, Stage.OVERDUE, COMMITMENT)
KIND_PREFIX = "reminder_"
TITLE_MAX = 80  # a notification holds 300 characters; long titles are shortened in the text
ATTEMPTS = 3  # a run that loses a race with another run plans again (see send_reminders)


def days_before() -> int:
    return rules.get("remind_days_before")


def stage_for(deadline: datetime.date, today: datetime.date) -> str | None:
    """The reminder stage of a deadline seen from ``today``, or None when it is still far off."""
    left = (deadline - today).days
    if left < 0:
        return Stage.OVERDUE
    if left == 0:
        return Stage.DUE_TODAY
    if left <= days_before():
        return Stage.WEEK_BEFORE
    return None


def stage_label(stage) -> str:
    if stage == COMMITMENT:
        return "承诺到期提醒"
    if stage == Stage.WEEK_BEFORE:
        return f"提前{days_before()}天提醒"
    return Stage(stage).label


def chased_assignments(today: datetime.date):
    """Open assignments whose deadline is within the reminder window or already passed."""
    return (
        Assignment.objects.filter(
            state__in=Assignment.UNIT_OPEN_STATES,
            suggestion__state__in=Suggestion.HANDLING_STATES,
            round=F("suggestion__round"),
            deadline__lte=today + datetime.timedelta(days=days_before()),
        )
        .select_related("suggestion__supervising_leader", "unit")
        .order_by("deadline", "suggestion__session_id", "suggestion__number", "id")
    )


@dataclass
class Planned:
    """One reminder: an assignment at a stage, who hears of it, and what they read."""

    assignment: Assignment
    stage: str
    today: datetime.date
    recipients: list = field(default_factory=list)

    @property
    def suggestion(self) -> Suggestion:
        return self.assignment.suggestion

    @property
    def kind(self) -> str:
        return KIND_PREFIX + self.stage

    @property
    def text(self) -> str:
        return reminder_text(self.assignment, self.stage, self.today)

    def describe(self) -> str:
        a = self.assignment
        names = "、".join(u.display_name for u in self.recipients) or "（无接收人）"
        return (
            f"[{stage_label(self.stage)}] {self.suggestion.number_label}《{_short(self.suggestion.title)}》 "
            f"{a.unit.name}（{a.get_role_display()}）期限{date_cn(a.deadline)} -> {names}"
        )


@dataclass
class PlannedCommitment:
    """One 落实提醒: an open commitment past its target, told to its unit and the office."""

    commitment: Commitment
    today: datetime.date
    recipients: list = field(default_factory=list)
    stage: str = COMMITMENT

    @property
    def suggestion(self) -> Suggestion:
        return self.commitment.reply.assignment.suggestion

    @property
    def kind(self) -> str:
        return KIND_PREFIX + COMMITMENT

    @property
    def text(self) -> str:
        return commitment_text(self.commitment, self.today)

    def describe(self) -> str:
        c = self.commitment
        names = "、".join(u.display_name for u in self.recipients) or "（无接收人）"
        return (
            f"[{stage_label(COMMITMENT)}] {self.suggestion.number_label}《{_short(self.suggestion.title)}》 "
            f"{c.reply.assignment.unit.name} 承诺{date_cn(c.due)}完成 -> {names}"
        )


def plan_commitments(today: datetime.date) -> list[PlannedCommitment]:
    """Open commitments of accepted replies whose target has passed and that were not reminded of for that
    target yet, with their unit's people and the office (2 queries)."""
    found = [
        PlannedCommitment(c, today)
        for c in Commitment.objects.filter(
            done_on__isnull=True, due__lt=today, reply__state=Reply.State.ACCEPTED
        )
        .exclude(reminders__due=F("due"))
        .select_related("reply__assignment__unit", "reply__assignment__suggestion")
        .order_by("due", "id")
    ]
    if not found:
        return []
    wanted = Recipients()
    wanted.units(*{p.commitment.reply.assignment.unit for p in found})
    wanted.office()
    people = sorted(wanted.resolve(), key=lambda u: u.pk)
    for p in found:
        unit_id = p.commitment.reply.assignment.unit_id
        p.recipients = [
            u for u in people if u.role == Role.OFFICE or (u.role in UNIT_ROLES and u.unit_id == unit_id)
        ]
    return found


@dataclass
class Outcome:
    today: datetime.date
    dry_run: bool
    planned: list[Planned]  # with at least one recipient: sent, or would be sent with --dry-run
    unreachable: list[Planned]  # no active account would receive it: not sent, tried again on the next run
    notifications: int = 0
    emailed: int = 0  # emails queued
    texted: int = 0  # text messages queued

    def count(self, stage) -> int:
        return sum(1 for p in self.planned if p.stage == stage)

    def summary_lines(self) -> list[str]:
        verb = "将发送" if self.dry_run else "已发送"
        return [f"{verb}{stage_label(stage)} {self.count(stage)} 条" for stage in STAGES]


def plan(today: datetime.date) -> list[Planned]:
    """The reminders due on ``today`` that have not been sent yet, with their recipients (3 queries)."""
    candidates = []
    for assignment in chased_assignments(today):
        stage = stage_for(assignment.deadline, today)
        if stage is not None:
            candidates.append(Planned(assignment, stage, today))
    planned = []
    if candidates:
        sent = _sent_keys(today)
        planned = [p for p in candidates if (p.assignment.pk, p.stage, p.assignment.deadline) not in sent]
        _attach_recipients(planned)
    return planned + plan_commitments(today)


def _sent_keys(today):
    """(assignment, stage, deadline) of the reminders already sent for the current deadlines."""
    chased = chased_assignments(today).order_by().values("pk")
    return set(
        Reminder.objects.filter(assignment__in=chased, deadline=F("assignment__deadline")).values_list(
            "assignment_id", "stage", "deadline"
        )
    )


def _attach_recipients(planned):
    """Resolve everyone concerned in one query, then hand each reminder its people."""
    if not planned:
        return
    wanted = Recipients()
    wanted.units(*{p.assignment.unit for p in planned})
    overdue = [p for p in planned if p.stage == Stage.OVERDUE]
    if overdue:
        wanted.office()
        wanted.leaders(*{p.suggestion.supervising_leader for p in overdue if p.suggestion.is_key})
    by_unit, by_leader, office = defaultdict(list), {}, []
    for user in sorted(wanted.resolve(), key=lambda u: u.pk):
        if user.role in UNIT_ROLES:
            by_unit[user.unit_id].append(user)
        elif user.role == Role.OFFICE:
            office.append(user)
        elif user.role == Role.LEADER:
            by_leader[user.leader_id] = user
    for p in planned:
        people = list(by_unit[p.assignment.unit_id])
        if p.stage == Stage.OVERDUE:
            people += office
            if p.suggestion.is_key and p.suggestion.supervising_leader_id in by_leader:
                people.append(by_leader[p.suggestion.supervising_leader_id])
        p.recipients = list({u.pk: u for u in people}.values())


def send_reminders(today: datetime.date | None = None, *, dry_run: bool = False) -> Outcome:
    """Send the reminders due on ``today`` (default: the local date); with ``dry_run`` only plan them.

    The ``Reminder`` rows and the notifications are written in one transaction, the reminders first: when
    another run has meanwhile sent some of the same reminders, the unique constraint refuses the insert, the
    transaction is rolled back and the run plans again, now seeing them. The emails and text messages are
    deliveries written in the same transaction and sent by the background task after the commit.
    """
    today = today or timezone.localdate()
    if dry_run:
        planned = plan(today)
        return _outcome(today, planned, dry_run=True)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                outcome = _outcome(today, plan(today), dry_run=False)
                notes = _record(outcome.planned)
                queued = deliveries.queue(notes)
            break
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            log.info("send_reminders: another run sent some of the same reminders; planning again")
    outcome.notifications = len(notes)
    outcome.emailed = sum(d.channel == Delivery.Channel.EMAIL for d in queued)
    outcome.texted = sum(d.channel == Delivery.Channel.SMS for d in queued)
    return outcome


def _outcome(today, planned, *, dry_run):
    return Outcome(
        today=today,
        dry_run=dry_run,
        planned=[p for p in planned if p.recipients],
        unreachable=[p for p in planned if not p.recipients],
    )


def _record(planned):
    if not planned:
        return []
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(assignment=p.assignment, stage=p.stage, deadline=p.assignment.deadline, sent_at=now)
        for p in planned
        if p.stage != COMMITMENT
    )
    CommitmentReminder.objects.bulk_create(
        CommitmentReminder(commitment=p.commitment, due=p.commitment.due, sent_at=now)
        for p in planned
        if p.stage == COMMITMENT
    )
    notes = []
    for p in planned:
        text = p.text
        notes += [
            Notification(recipient=user, suggestion=p.suggestion, kind=p.kind, text=text, created_at=now)
            for user in p.recipients
        ]
    return create_notifications(notes)


# --- texts ----------------------------------------------------------------------------------------------------


def reminder_text(assignment: Assignment, stage, today: datetime.date) -> str:
    """催办：第12号《关于…的建议》（市交通运输局主办）将于2025年6月10日到期（还有7天），请抓紧办理。"""
    s = assignment.suggestion
    co = assignment.role == Assignment.Role.CO
    head = f"催办：{'重点建议' if s.is_key else ''}{s.number_label}《{_short(s.title)}》"
    head += f"（{assignment.unit.name}{assignment.get_role_display()}）"
    what = "协办意见" if co else ""
    ask = "请抓紧报送协办意见。" if co else "请抓紧办理。"
    deadline = date_cn(assignment.deadline)
    if stage == Stage.WEEK_BEFORE:
        left = (assignment.deadline - today).days
        return f"{head}{what}将于{deadline}到期（还有{left}天），{ask}"
    if stage == Stage.DUE_TODAY:
        return f"{head}{what}今天到期（{deadline}），{ask}"
    late = (today - assignment.deadline).days
    return f"{head}{what}已超期{late}天（{'期限' if co else '办理期限'}{deadline}），{ask}"


def commitment_text(commitment: Commitment, today: datetime.date) -> str:
    """落实提醒：第12号《…》（市交通运输局）承诺2025年6月30日前完成的“…”已到期3天，尚未报告落实，请抓紧落实并报告进展。"""
    s = commitment.reply.assignment.suggestion
    late = (today - commitment.due).days
    what = commitment.text if len(commitment.text) <= 40 else commitment.text[:39] + "…"
    return (
        f"落实提醒：{s.number_label}《{_short(s.title)}》（{commitment.reply.assignment.unit.name}）"
        f"承诺{date_cn(commitment.due)}前完成的“{what}”已到期{late}天（当前进度{commitment.percent}%），"
        "尚未报告落实，请抓紧落实并报告进展。"
    )


def _short(title):
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"
