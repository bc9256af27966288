"""Helpers the workflow tests share: what "nothing changed" means, and a refused action."""

import re

import pytest
from django.db import connection

from suggestions import workflow
from suggestions.models import (
    Assignment,
    CommitmentFollowUp,
    ContactRecord,
    CoUnitOpinion,
    Event,
    ExtensionRequest,
    Notification,
    Rating,
    ReassignmentRequest,
    Rehandling,
    Reply,
    Suggestion,
    SupervisionNote,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ROWS = (
    Assignment,
    CommitmentFollowUp,
    ContactRecord,
    CoUnitOpinion,
    Event,
    ExtensionRequest,
    Notification,
    Rating,
    ReassignmentRequest,
    Rehandling,
    Reply,
    SupervisionNote,
)


def snapshot(suggestion):
    """Everything an action could change: the suggestion's row, its parts' and replies' rows, and row counts."""
    return {
        "suggestion": Suggestion.objects.filter(pk=suggestion.pk).values().get(),
        "assignments": list(Assignment.objects.filter(suggestion=suggestion).order_by("pk").values()),
        "replies": list(Reply.objects.filter(assignment__suggestion=suggestion).order_by("pk").values()),
        "requests": list(ReassignmentRequest.objects.order_by("pk").values("status"))
        + list(ExtensionRequest.objects.order_by("pk").values("status")),
        "counts": counts(),
    }


def counts():
    """Rows per table, in one query."""
    columns = ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(m._meta.db_table)})" for m in ROWS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip((m.__name__ for m in ROWS), cursor.fetchone(), strict=True))


def refused(name, *, before=None, **kwargs):
    """Perform an action that must be refused; return the message after checking nothing changed
    (against ``before`` when the caller already took the snapshot)."""
    before = before or snapshot(kwargs["suggestion"])
    state = kwargs["suggestion"].state
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.perform(name, **kwargs)
    message = caught.value.message
    assert CHINESE.search(message), message
    assert snapshot(kwargs["suggestion"]) == before
    assert kwargs["suggestion"].state == state  # the caller's object is not touched either
    return message


def last_event(suggestion):
    return Event.objects.filter(suggestion=suggestion).order_by("-created_at", "-id").first()


def actions(suggestion):
    return list(Event.objects.filter(suggestion=suggestion).values_list("action", flat=True))
