"""The actions on deadlines: 申请延期 and its ruling, and deadlines counted again when the holidays change;
what a part keeps of its computed deadline. Only ``perform`` calls the ``do_`` functions."""

from .. import deadlines
from ..formats import date_cn
from ..models import (
    Assignment,
    ExtensionRequest,
    Rehandling,
)
from .base import (
    ANSWERING,
    WorkflowError,
    _create,
    _named,
    _required,
    _rule_on,
    _set,
)


def do_request_extension(ctx):
    a = ctx.assignment
    grounds = _required(ctx, "grounds", "请填写延期理由。")
    wanted = ctx.data.get("requested_deadline")
    if wanted is None or wanted <= a.deadline:
        raise WorkflowError("申请延至的日期必须晚于现办理期限。", field="requested_deadline")
    longest = deadlines.longest_deadline(a.assigned_on)
    if wanted > longest:
        raise WorkflowError(f"办理期限最长至{date_cn(longest)}。", field="requested_deadline")
    _create(
        ExtensionRequest,
        assignment=a,
        grounds=grounds,
        requested_deadline=wanted,
        requested_by=ctx.user,
        requested_at=ctx.at,
    )
    ctx.note = f"{a.unit.name}申请延期至{date_cn(wanted)}：{grounds}"
    ctx.recipients.office(
        text=f"{a.unit.name}申请将{_named(ctx.suggestion)}延期至{date_cn(wanted)}：{grounds}", call="去审批"
    )


def do_rule_extension(ctx):
    a, s = ctx.assignment, ctx.suggestion
    request, approve = _rule_on(ctx, "extension_requests", "不同意延期时请说明理由。")
    note = request.ruling_note
    if not approve:
        request.save()
        ctx.note = f"不同意{a.unit.name}延期：{note}"
        notice = f"{_named(s)}的延期申请未获同意，办理期限仍为{date_cn(a.deadline)}：{note}"
    else:
        granted = ctx.data.get("granted_deadline") or request.requested_deadline
        if granted <= a.deadline or granted > deadlines.longest_deadline(a.assigned_on):
            raise WorkflowError("批准的期限须晚于现期限，且不超过最长办理期限。", field="granted_deadline")
        request.granted_deadline = granted
        request.save()
        # a date the office set: no longer counted from the assignment, nor estimated
        explained = f"{date_cn(ctx.today)}批准延期，由{date_cn(a.deadline)}延至{date_cn(granted)}"
        _set(a, deadline=granted, deadline_months=None, deadline_estimated=False, deadline_note=explained)
        if a.role in ANSWERING and a.round == s.round:
            settle_suggestion_deadline(s)
        ctx.note = f"同意{a.unit.name}延期至{date_cn(granted)}" + (f"（{note}）" if note else "")
        notice = f"{_named(s)}的延期申请已同意，新期限{date_cn(granted)}。"
    ctx.recipients.units(a.unit, text=notice)


def deadline_fields(computed, months):
    """What a part keeps of its computed deadline: the rule (N months from the assignment), whether it is
    estimated, and the explanation the suggestion page shows under it."""
    return {
        "deadline_months": months,
        "deadline_estimated": computed.estimated,
        "deadline_note": computed.explain(),
    }


def settle_suggestion_deadline(s):
    """The suggestion is due when its last answering part of the round is (分办: several parts), and its
    deadline is estimated when one of theirs is."""
    parts = list(
        s.assignments.current()
        .filter(round=s.round, role__in=ANSWERING)
        .values_list("deadline", "deadline_estimated")
    )
    if parts:
        _set(s, deadline=max(d for d, _ in parts), deadline_estimated=any(e for _, e in parts))


def recomputed_parts(s):
    """(part, its deadline counted again) of each open part of ``s`` whose deadline is N months from its
    assignment: what a newly entered (or deleted) holiday schedule changes."""
    parts = s.assignments.filter(
        state__in=Assignment.OPEN_STATES, deadline_months__isnull=False
    ).select_related("unit")
    return [(a, deadlines.months_deadline(a.assigned_on, a.deadline_months)) for a in parts]


def do_recompute_deadline(ctx):
    s, reason = ctx.suggestion, ctx.data.get("reason") or "节假日安排已更新"
    changes = []
    for a, computed in recomputed_parts(s):
        before = a.deadline
        # the clock has not restarted: the part keeps its assignment date and counts its months again
        _set(
            a,
            deadline=computed.date,
            original_deadline=computed.date,
            deadline_estimated=computed.estimated,
            deadline_note=computed.explain(),
        )
        if before == computed.date:
            continue
        # a re-handling round's record says when it is due: the same date
        Rehandling.objects.filter(suggestion=s, round=a.round, deadline=before).update(deadline=computed.date)
        what = "协办意见期限" if a.role == Assignment.Role.CO else "办理期限"
        changes.append((a, f"{what}由{date_cn(before)}调整为{date_cn(computed.date)}"))
        ctx.recipients.units(
            a.unit,
            text=f"{_named(s)}的{what}已由{date_cn(before)}调整为{date_cn(computed.date)}（{reason}）。",
        )
    if not changes:
        raise WorkflowError("办理期限没有变化，无需调整。")
    settle_suggestion_deadline(s)
    if len(changes) == 1 and changes[0][0].role != Assignment.Role.CO:
        ctx.note = f"{reason}，{changes[0][1]}"
    else:
        ctx.note = f"{reason}，" + "；".join(f"{a.unit.name}{text}" for a, text in changes)
