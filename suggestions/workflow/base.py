"""The workflow's building blocks: the error, the action record, the context a handler gets, small helpers."""

import datetime
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.utils import timezone

from ..models import Assignment, ExtensionRequest, ReassignmentRequest, Reply, Ruling, Suggestion
from ..models.events import Audience
from ..notifications import Recipients

log = logging.getLogger(__name__)

S = Suggestion.State
A = Assignment.State
ANSWERING = (Assignment.Role.LEAD, Assignment.Role.SEPARATE)


class WorkflowError(Exception):
    """An action that may not be taken now; ``message`` is for the person who tried.

    ``field`` names the input it concerns; ``errors`` ({field: message}) names several at once, so a form shows
    each beside its field."""

    def __init__(self, message, field=None, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = dict(errors) if errors else ({field: message} if field else {})
        self.field = field or next(iter(self.errors), None)


@dataclass
class Context:
    action: "Action"
    user: object
    suggestion: Suggestion
    assignment: Assignment | None
    data: dict
    at: datetime.datetime
    note: str = ""
    recipients: Recipients = field(default_factory=Recipients)
    reply: Reply | None = None  # the reply the action wrote or moved, whose state ``Leads.reply`` sets
    back_to: str = ""  # the state a part returns to, when ``Leads.assignment`` offers several
    warnings: list = field(default_factory=list)  # allowed, but the person should know (and the office sees)
    files: list = field(default_factory=list)  # FieldFiles the action stores; removed again if it fails
    outcome: str | None = None  # the outcome applied, once ``go`` has run
    leads: "Leads | None" = None
    # what the checks read once for every action ``available_actions`` asks about (``rules.accepted``): one
    # context's, never kept past it, so ``perform`` reads afresh under its lock
    known: dict = field(default_factory=dict)

    @property
    def today(self):
        return timezone.localdate(self.at)

    def go(self, outcome=None):
        """Put the suggestion, the part and the reply where the action's ``outcome`` leads (the table says).

        ``perform`` calls it with the outcome the handler returns; a handler calls it itself only when it must
        write records after the states have changed (a reassigned lead unit leaves the round before its
        successor joins it)."""
        leads = self.action.outcome(outcome)
        if self.leads is not None:
            if leads is not self.leads:
                raise AssertionError(f"{self.action.name}: outcome {outcome!r} after {self.outcome!r}")
            return leads
        s, a = self.suggestion, self.assignment
        if leads.only_from is not None and s.state not in leads.only_from:
            raise AssertionError(
                f"{self.action.name}: outcome {outcome!r} starts only from {leads.only_from}"
            )
        if leads.suggestion and s.state != leads.suggestion:
            s.state = leads.suggestion
            s.save(update_fields=["state", "updated_at"])
        target = leads.assignment
        if isinstance(target, tuple):
            if self.back_to not in target:
                raise AssertionError(
                    f"{self.action.name}: the part goes back to one of {target}, not {self.back_to!r}"
                )
            target = self.back_to
        if target and a.state != target:
            a.state = target
            a.save(update_fields=["state"])
        if leads.reply and self.reply.state != leads.reply:
            self.reply.state = leads.reply
            self.reply.save(update_fields=["state"])
        self.outcome, self.leads = outcome, leads
        return leads


@dataclass(frozen=True)
class Leads:
    """Where an action leads: the suggestion's, the part's and the reply's state afterwards (None keeps it),
    and who may read the event. ``perform`` applies it; handlers never set a state themselves.

    ``assignment`` may be a tuple: the part goes back to one of these states, the one the handler names in
    ``ctx.back_to`` (a refused reassignment returns the part to where it was). ``only_from`` limits the
    outcome to some of the action's suggestion states (the graph in docs/workflow.md is drawn from it)."""

    suggestion: str | None = None
    assignment: str | tuple | None = None
    reply: str | None = None
    audience: str = Audience.ALL
    only_from: tuple | None = None


DONE = "done"  # the outcome of an action that has only one


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    permission: str
    states: tuple  # suggestion states the action may start from
    handler: Callable[[Context], str | None]  # returns the outcome's name when the action has several
    leads: Leads | dict = field(default_factory=Leads)  # one Leads, or {outcome: Leads}
    assignment_states: tuple | None = None  # set: the action works on one assignment in one of these states
    assignment_roles: tuple = (Assignment.Role.LEAD, Assignment.Role.CO, Assignment.Role.SEPARATE)
    own_unit: bool = False  # the user must belong to the assignment's unit
    rule: Callable[[Context], str | None] | None = None  # extra condition: a refusal message, or None
    system: bool = False  # taken by the application itself (``perform(..., user=None)``), never by a person
    button: bool = True  # offered by ``available_actions`` (a button on the suggestion's page); False: taken
    # from another page (相关建议 and 并案 from the page of similar suggestions)

    def __post_init__(self):
        if isinstance(self.leads, Leads):
            object.__setattr__(self, "leads", {DONE: self.leads})

    @property
    def on_assignment(self):
        return self.assignment_states is not None

    def outcome(self, name):
        """The ``Leads`` of outcome ``name`` (None: the action's only one)."""
        if name is None:
            if len(self.leads) != 1:
                raise LookupError(f"{self.name}: the handler must name one of {sorted(self.leads)}")
            return next(iter(self.leads.values()))
        return self.leads[name]


def remove_stored_files(ctx):
    """After a failed action: remove the files it had written (the rollback has undone the rows naming them)."""
    for f in ctx.files:
        if f.name and getattr(f, "_committed", False):
            try:
                f.storage.delete(f.name)
            except OSError:
                log.exception("could not remove %s after a failed action", f.name)


def _set(obj, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(values))


def _create(model, **values):
    """Validate the fields and save. The database constraints are left to the database (the rules above have
    checked them, and a race ends in IntegrityError, which ``perform`` turns into a message): checking each one
    with a query here made a 5,000-row import with assignment take minutes. So is a foreign key given as an
    object read from the database (the suggestion, the unit): asking again whether it exists was a query per
    key per row; one given as an id is still checked here."""
    obj = model(**values)
    fetched = [name for name, value in values.items() if isinstance(value, Model) and value.pk is not None]
    try:
        obj.full_clean(exclude=fetched, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise WorkflowError(_first_message(exc)) from exc
    obj.save()
    return obj


def _first_message(exc: ValidationError):
    if hasattr(exc, "message_dict"):
        for messages in exc.message_dict.values():
            return messages[0]
    return exc.messages[0]


SYSTEM_ACTOR = "系统"


def actor_name(user):
    """Who did it, as the timeline names them: 周敏 (市交通运输局); 系统 for a system action."""
    if user is None:
        return SYSTEM_ACTOR
    unit = getattr(user, "unit", None)
    return f"{user.display_name}（{unit.name}）" if unit else user.display_name


def _units_label(assignments):
    return "、".join(a.unit.name for a in assignments)


# A record posted again the same within this time is the same click twice (a double click, a resent form): the
# first is kept and the others refused (``refuse_repeat``).
REPEAT_WINDOW = datetime.timedelta(seconds=60)


def refuse_repeat(ctx, model, message, **same):
    """Refuse a record identical (``same``) to one this person saved within ``REPEAT_WINDOW``. ``perform`` holds
    the suggestion's row lock, so five identical posts at once are taken one after another and four refused."""
    if model._default_manager.filter(
        created_at__gte=ctx.at - REPEAT_WINDOW, created_at__lte=ctx.at, **same
    ).exists():
        raise WorkflowError(message)


# Invisible characters that change how text reads or hide in it: C0/C1 controls (tab and line breaks aside),
# bidirectional controls (which can show 「建议」 as its mirror), zero-width and other format characters, tags.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
INVISIBLE_MESSAGE = "填写的内容中含有看不见的控制字符（如文字方向控制符、零宽字符），请删除后重新提交。"


def refuse_invisible(data, labels=None):
    """Refuse text holding invisible characters (``INVISIBLE``), naming the field. Every action's input and
    every registration (typed in or imported) passes here, so no title, reply or comment carries them."""
    for name, value in data.items():
        values = value if isinstance(value, list | tuple) else (value,)
        if any(isinstance(v, str) and INVISIBLE.search(v) for v in values):
            label = (labels or {}).get(name)
            message = f"「{label}」中含有看不见的控制字符（如文字方向控制符、零宽字符），请删除后重新提交。"
            raise WorkflowError(message if label else INVISIBLE_MESSAGE, field=name)


def _required(ctx, name, message):
    value = (ctx.data.get(name) or "").strip()
    if not value:
        raise WorkflowError(message, field=name)
    return value


# --- queries the rules and screens share ---------------------------------------------------------------------


def current_replies(suggestion):
    """The accepted replies of the current round: what the deputies rate."""
    return Reply.objects.filter(
        assignment__suggestion=suggestion, assignment__round=suggestion.round, state=Reply.State.ACCEPTED
    ).select_related("assignment__unit")


def supporters_of(part):
    """The co-units' parts that support ``part`` (the lead unit's, or one 分办 unit's) in its round."""
    if part.role not in ANSWERING:
        return Assignment.objects.none()
    parts = part.suggestion.assignments.current().filter(round=part.round, role=Assignment.Role.CO)
    if part.role == Assignment.Role.LEAD:
        return parts.filter(Q(supports__isnull=True) | Q(supports=part))
    return parts.filter(supports=part)


def opinions_missing(part):
    """The co-units supporting ``part`` that have not sent their opinion yet (the reply must state them)."""
    return list(supporters_of(part).exclude(state=Assignment.State.OPINION_SENT).select_related("unit"))


def accepted_replies(suggestion):
    return list(
        Reply.objects.filter(assignment__suggestion=suggestion, state=Reply.State.ACCEPTED).select_related(
            "assignment__unit"
        )
    )


def _named(suggestion):
    """第33号建议: how a notification names the suggestion it is about."""
    return f"{suggestion.number_label}建议"


def _settle_pending_requests(ctx, assignments, note):
    """Requests nobody can rule on any more (the part is finished, moved on or withdrawn) leave the office's
    list, closed with a note saying why."""
    for model in (ReassignmentRequest, ExtensionRequest):
        model.objects.filter(assignment__in=assignments, status=Ruling.PENDING).update(
            status=Ruling.REFUSED, ruling_note=note, ruled_at=ctx.at
        )


def _rule_on(ctx, relation, refusal_message):
    """审批: the office's ruling on the part's pending request (调整 or 延期): who, when, the note; a refusal
    says why. Returns the request (its status set, not yet saved) and whether it was approved."""
    request = getattr(ctx.assignment, relation).select_for_update().get(status=Ruling.PENDING)
    approve = bool(ctx.data.get("approve"))
    note = (ctx.data.get("note") or "").strip()
    if not approve and not note:
        raise WorkflowError(refusal_message, field="note")
    request.ruled_by, request.ruled_at, request.ruling_note = ctx.user, ctx.at, note
    request.status = Ruling.APPROVED if approve else Ruling.REFUSED
    return request, approve
