"""The workflow's building blocks: the error, the action record, the context a handler gets, small helpers."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..formats import date_cn
from ..models import (
    Assignment,
    Reply,
    Suggestion,
)
from ..notifications import Recipients

S = Suggestion.State
A = Assignment.State
ANSWERING = (Assignment.Role.LEAD, Assignment.Role.SEPARATE)


class WorkflowError(Exception):
    """An action that may not be taken now; ``message`` is for the person who tried."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


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

    @property
    def today(self):
        return timezone.localdate(self.at)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    permission: str
    states: tuple  # suggestion states the action may start from
    handler: Callable[[Context], None]
    assignment_states: tuple | None = None  # set: the action works on one assignment in one of these states
    assignment_roles: tuple = (Assignment.Role.LEAD, Assignment.Role.CO, Assignment.Role.SEPARATE)
    own_unit: bool = False  # the user must belong to the assignment's unit
    rule: Callable[[Context], str | None] | None = None  # extra condition: a refusal message, or None

    @property
    def on_assignment(self):
        return self.assignment_states is not None


def _set(obj, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(values))


def _create(model, **values):
    """Validate the fields and save. The database constraints are left to the database (the rules above have
    checked them, and a race ends in IntegrityError, which ``perform`` turns into a message): checking each one
    with a query here made a 5,000-row import with assignment take minutes."""
    obj = model(**values)
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise WorkflowError(_first_message(exc)) from exc
    obj.save()
    return obj


def _first_message(exc: ValidationError):
    if hasattr(exc, "message_dict"):
        for messages in exc.message_dict.values():
            return messages[0]
    return exc.messages[0]


def actor_name(user):
    """Who did it, as the timeline names them: 周敏 (市交通运输局)."""
    unit = getattr(user, "unit", None)
    return f"{user.display_name} ({unit.name})" if unit else user.display_name


def _units_label(assignments):
    return "、".join(a.unit.name for a in assignments)


def _date_cn(day):
    return date_cn(day)


# What registration may correct; the state and the handling summary change only through the other actions.
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


def accepted_replies(suggestion):
    return list(
        Reply.objects.filter(assignment__suggestion=suggestion, state=Reply.State.ACCEPTED).select_related(
            "assignment__unit"
        )
    )
