"""The workflow: every action a person can take on a suggestion, the states it starts from, who may take it,
and the one function that applies it.

    perform("sign_for", user=clerk, suggestion=s, assignment=a)

``perform`` checks the action is allowed (role, ownership, state, the action's own rule), locks the suggestion
row, applies the change in one transaction, appends an ``Event`` (the suggestion's timeline) and writes the
notifications with the emails and text messages that a background task sends once the transaction commits. A refused action raises ``WorkflowError`` with a message
for the user and changes nothing. Views, admin, management commands and tests all come through here.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import access, listsearch
from ..models import Assignment, Event, ExtensionRequest, ReassignmentRequest, Reply, Ruling, Suggestion
from ..models.events import Audience
from ..notifications import notify
from . import handlers as do
from . import merging, oversight, replies, rules, timing
from .base import (
    ANSWERING,
    A,
    Action,
    Context,
    Leads,
    S,
    WorkflowError,
    accepted_replies,
    actor_name,
    current_replies,
    opinions_missing,
    refuse_invisible,
    remove_stored_files,
)
from .history import PastSuggestion, record_history
from .registration import (
    EDITABLE_FIELDS,
    REGISTRATION_FIELDS,
    RegistrationError,
    register,
    register_many,
    settle_registration,
)

__all__ = [
    "ACTIONS",
    "REGISTER",
    "HISTORY_IMPORT",
    "PastSuggestion",
    "record_history",
    "Action",
    "Leads",
    "Available",
    "WorkflowError",
    "accepted_replies",
    "available_actions",
    "current_replies",
    "opinions_missing",
    "perform",
    "recompute_deadlines",
    "refusal",
    "register",
    "register_many",
    "settle_registration",
    "REGISTRATION_FIELDS",
    "EDITABLE_FIELDS",
    "RegistrationError",
]

# --- the table ------------------------------------------------------------------------------------------------
# Each row: the action, who may take it (the permission in accounts.roles), the suggestion states it starts from,
# where it leads (``Leads``: the suggestion's / the part's / the reply's state after it, None keeping it, and who
# may read the event), and for an action on one unit's part the part's states and roles it starts from.
# docs/workflow.md is generated from this table (``python manage.py workflow_table``).

HANDLING = (S.ASSIGNED, S.IN_HANDLING, S.REHANDLING)
LIVE = (S.REGISTERED, *HANDLING, S.REPLIED)
WORKING = (A.SIGNED, A.DRAFTED, A.REVISING, A.SIGNED_OFF, A.SUBMITTED, A.RETURNED)
R = Reply.State
ALL, GOVERNMENT, OFFICE_UNIT, UNIT = Audience.ALL, Audience.GOVERNMENT, Audience.OFFICE_UNIT, Audience.UNIT

_ACTIONS = [
    Action("edit", "修改登记信息", "suggestions.edit", (S.REGISTERED, *HANDLING), do.do_edit,
           Leads(audience=GOVERNMENT)),
    Action("assign", "交办", "suggestions.assign", (S.REGISTERED,), do.do_assign, Leads(S.ASSIGNED)),
    Action("add_unit", "补充交办", "suggestions.add_unit", HANDLING, do.do_add_unit, Leads()),
    Action("hand_over", "转非政府承办", "suggestions.hand_over", (S.REGISTERED,), do.do_hand_over,
           Leads(S.NOT_GOVERNMENT)),
    Action("withdraw", "撤回", "suggestions.withdraw", (S.REGISTERED, *HANDLING), do.do_withdraw,
           Leads(S.WITHDRAWN)),
    Action(
        "sign_for", "签收", "suggestions.sign_for", HANDLING, do.do_sign_for,
        {"signed": Leads(assignment=A.SIGNED),
         "handling_starts": Leads(S.IN_HANDLING, A.SIGNED, only_from=(S.ASSIGNED,))},
        assignment_states=(A.PENDING,), own_unit=True, rule=rules._round_is_current,
    ),
    Action(
        "request_reassignment", "申请调整", "suggestions.request_reassignment", HANDLING,
        do.do_request_reassignment, Leads(assignment=A.REASSIGN_REQUESTED, audience=OFFICE_UNIT),
        assignment_states=(A.PENDING, A.SIGNED), own_unit=True, rule=rules._reassignment_window_open,
    ),
    Action(
        "rule_reassignment", "审批调整申请", "suggestions.rule_reassignment", HANDLING, do.do_rule_reassignment,
        {"refused": Leads(assignment=(A.PENDING, A.SIGNED), audience=OFFICE_UNIT),
         "approved": Leads(assignment=A.REASSIGNED, audience=GOVERNMENT),
         "lead_moved": Leads(S.ASSIGNED, A.REASSIGNED, audience=GOVERNMENT, only_from=(S.IN_HANDLING,))},
        assignment_states=(A.REASSIGN_REQUESTED,), rule=rules._has_pending("reassignment_requests"),
    ),
    Action(
        "request_extension", "申请延期", "suggestions.request_extension", HANDLING, timing.do_request_extension,
        Leads(audience=OFFICE_UNIT), assignment_states=(A.SIGNED, A.DRAFTED, A.REVISING, A.RETURNED),
        own_unit=True,
        rule=rules._all(rules._round_is_current, rules._may_request_extension),
    ),
    Action(
        "rule_extension", "审批延期申请", "suggestions.rule_extension", HANDLING, timing.do_rule_extension,
        Leads(audience=OFFICE_UNIT), assignment_states=WORKING,
        rule=rules._has_pending("extension_requests"),
    ),
    Action(
        "log_contact", "记录沟通", "suggestions.log_contact", HANDLING, do.do_log_contact, Leads(),
        assignment_states=WORKING, own_unit=True, rule=rules._round_is_current,
    ),
    Action(
        "send_opinion", "报送协办意见", "suggestions.send_opinion", HANDLING, do.do_send_opinion,
        Leads(assignment=A.OPINION_SENT, audience=GOVERNMENT),
        assignment_states=(A.SIGNED,), assignment_roles=(Assignment.Role.CO,), own_unit=True,
    ),
    Action(
        "draft_reply", "拟写答复", "suggestions.draft_reply", (S.IN_HANDLING, S.REHANDLING), replies.do_draft_reply,
        Leads(assignment=A.DRAFTED, reply=R.DRAFT, audience=UNIT),
        assignment_states=(A.SIGNED, A.DRAFTED, A.REVISING, A.RETURNED), assignment_roles=ANSWERING, own_unit=True,
        rule=rules._round_is_current,
    ),
    Action(
        "sign_reply", "签发答复", "suggestions.sign_reply", (S.IN_HANDLING, S.REHANDLING), replies.do_sign_reply,
        Leads(assignment=A.SIGNED_OFF, reply=R.SIGNED, audience=UNIT),
        assignment_states=(A.DRAFTED,), assignment_roles=ANSWERING, own_unit=True,
    ),
    Action(
        "return_draft", "退回修改", "suggestions.return_draft", (S.IN_HANDLING, S.REHANDLING), replies.do_return_draft,
        Leads(assignment=A.REVISING, audience=UNIT),
        assignment_states=(A.DRAFTED,), assignment_roles=ANSWERING, own_unit=True,
    ),
    Action(
        "submit_reply", "报送答复", "suggestions.submit_reply", (S.IN_HANDLING, S.REHANDLING), replies.do_submit_reply,
        Leads(assignment=A.SUBMITTED, reply=R.SUBMITTED, audience=OFFICE_UNIT),
        assignment_states=(A.SIGNED_OFF,), assignment_roles=ANSWERING, own_unit=True,
    ),
    Action(
        "review_reply", "审核答复", "suggestions.review_reply", (S.IN_HANDLING, S.REHANDLING), replies.do_review_reply,
        {"returned": Leads(assignment=A.RETURNED, reply=R.RETURNED, audience=OFFICE_UNIT),
         "accepted": Leads(assignment=A.REPLIED, reply=R.ACCEPTED),
         "all_replied": Leads(S.REPLIED, A.REPLIED, R.ACCEPTED)},
        assignment_states=(A.SUBMITTED,), assignment_roles=ANSWERING,
    ),
    Action("rate", "评价答复", "suggestions.rate", (S.REPLIED,), replies.do_rate,
           {"rated": Leads(), "unsatisfied": Leads(S.REHANDLING)}, rule=rules._deputy_may_rate),
    Action("record_rating", "录入代表评价", "suggestions.record_rating", (S.REPLIED,), replies.do_rate,
           {"rated": Leads(), "unsatisfied": Leads(S.REHANDLING)}),
    Action("rehandle", "重新办理", "suggestions.rehandle", (S.REPLIED,), replies.do_rehandle, Leads(S.REHANDLING)),
    Action("close", "办结", "suggestions.close", (S.REPLIED,), replies.do_close, Leads(S.CLOSED),
           rule=rules._may_close),
    Action("publish", "公开答复", "suggestions.publish", (S.REPLIED, S.CLOSED), oversight.do_publish, Leads(),
           rule=rules._has_unpublished),
    Action("supervise", "督办催办", "suggestions.supervise", (*HANDLING, S.REPLIED), oversight.do_supervise,
           Leads(audience=GOVERNMENT)),
    Action("order_key", "重点建议排序", "suggestions.edit", (*LIVE, S.CLOSED), oversight.do_order_key,
           Leads(audience=GOVERNMENT), rule=rules._is_key),
    Action("comment", "领导批示", "suggestions.comment", LIVE, oversight.do_comment, Leads(audience=GOVERNMENT),
           rule=rules._leader_supervises),
    # the application's own: a holiday schedule entered (or deleted) counts the open deadlines again
    Action("recompute_deadline", "调整办理期限", "suggestions.recompute_deadline", HANDLING,
           timing.do_recompute_deadline, Leads(audience=GOVERNMENT), system=True),
    Action(
        "follow_up", "落实跟踪", "suggestions.follow_up", (S.REPLIED, S.CLOSED), oversight.do_follow_up, Leads(),
        rule=rules._has_open_commitment,
    ),
    # 相关建议 across sessions, and 并案 within one (suggestions/workflow/merging.py)
    Action("relate", "标记相关建议", "suggestions.relate", tuple(S), merging.do_relate,
           Leads(audience=GOVERNMENT), button=False),
    Action("unrelate", "取消相关标记", "suggestions.relate", tuple(S), merging.do_unrelate,
           Leads(audience=GOVERNMENT), button=False),
    Action("merge", "并案", "suggestions.merge", merging.MERGEABLE, lambda ctx: merging.do_merge(ctx, perform),
           Leads(), rule=merging.may_merge, button=False),
    Action("split", "拆分并案", "suggestions.merge", tuple(S), lambda ctx: merging.do_split(ctx, perform),
           Leads(), rule=merging.may_split),
    # a later session's suggestion that repeats an earlier reply's commitment stays linked to it (both pages)
    Action("link_commitment", "关联往届承诺", "suggestions.edit", (*LIVE, S.CLOSED), oversight.do_link_commitment,
           Leads(), rule=rules._has_earlier_commitments),
]  # fmt: skip

ACTIONS: dict[str, Action] = {a.name: a for a in _ACTIONS}
REGISTER = Action("register", "登记", "suggestions.register", (), lambda ctx: None, Leads(S.REGISTERED))
# 历史导入: a past session's suggestion written as it ended (closed unless the file says otherwise), with its
# parts, replies and ratings, by ``history.record_history``; like 登记 it starts from no state.
HISTORY_IMPORT = Action(
    "import_history", "历史导入", "suggestions.import", (), lambda ctx: None, Leads(S.CLOSED)
)


# --- checking and applying ------------------------------------------------------------------------------------


def refusal(action: Action, user, suggestion, assignment=None, *, at=None) -> str | None:
    """Why ``user`` may not take ``action`` now, or None when they may. A system action is taken with no user
    (``user=None``), and by nobody else."""
    if action.system != (user is None):
        return "此操作由系统自动进行。" if action.system else "请先登录。"
    if action.system:
        return _refusal_once_visible(action, user, suggestion, assignment, at=at)
    if not user.has_perm(action.permission):
        return "您没有权限进行此操作。"
    if not Suggestion.objects.visible_to(user).filter(pk=suggestion.pk).exists():
        return "您无权查看此建议。"
    return _refusal_once_visible(action, user, suggestion, assignment, at=at)


def _refusal_once_visible(
    action: Action, user, suggestion, assignment=None, *, at=None, known=None
) -> str | None:
    """The rest of ``refusal``, once the user holds the permission and sees the suggestion."""
    if suggestion.state not in action.states:
        return f"建议当前状态为「{suggestion.get_state_display()}」，不能{action.label}。"
    if action.on_assignment:
        if assignment is None or assignment.suggestion_id != suggestion.pk:
            return "请指明承办单位。"
        if action.own_unit and assignment.unit_id != getattr(user, "unit_id", None):
            return "只能办理本单位承办的部分。"
        if assignment.role not in action.assignment_roles:
            return f"{assignment.get_role_display()}单位不能{action.label}。"
        if assignment.state not in action.assignment_states:
            return f"{assignment.unit.name}的办理状态为「{assignment.get_state_display()}」，不能{action.label}。"
    following = merging.following_refusal(action, suggestion)
    if following:
        return following
    if action.rule:
        ctx = Context(
            action,
            user,
            suggestion,
            assignment,
            {},
            at or timezone.now(),
            known={} if known is None else known,
        )
        return action.rule(ctx)
    return None


@dataclass(frozen=True)
class Available:
    action: Action
    assignment: Assignment | None = None

    @property
    def name(self):
        return self.action.name

    @property
    def label(self):
        if self.assignment is None:
            return self.action.label
        return f"{self.action.label}（{self.assignment.unit.short_name or self.assignment.unit.name}）"


def available_actions(suggestion, user, *, at=None, visible=False, parts=None) -> list[Available]:
    """The actions ``user`` may take on ``suggestion`` now: exactly the buttons a screen shows.

    ``visible``: the caller read ``suggestion`` through ``visible_to(user)``, so that is not asked again.
    ``parts``: every part of the suggestion, the former ones too, with their requests, replies and the replies'
    ratings prefetched (the suggestion's page as the office side reads it): the checks read them instead of the
    database. The answer is the same either way."""
    if not visible and not Suggestion.objects.visible_to(user).filter(pk=suggestion.pk).exists():
        return []
    found = []
    assignments = None
    known = {}
    if parts is not None:
        assignments = _with_pending_flags(parts)
        known["accepted"] = [r for a in parts for r in a.replies.all() if r.state == Reply.State.ACCEPTED]
    for action in _ACTIONS:
        if (
            action.system
            or not action.button
            or not user.has_perm(action.permission)
            or suggestion.state not in action.states
        ):
            continue
        # visibility and permission are settled above: ask only the rest, once per part
        if not action.on_assignment:
            if _refusal_once_visible(action, user, suggestion, at=at, known=known) is None:
                found.append(Available(action))
            continue
        if assignments is None:
            waiting = {"assignment": OuterRef("pk"), "status": Ruling.PENDING}
            assignments = list(
                suggestion.assignments.select_related("unit").annotate(
                    pending_reassignment_requests=Exists(ReassignmentRequest.objects.filter(**waiting)),
                    pending_extension_requests=Exists(ExtensionRequest.objects.filter(**waiting)),
                )
            )
        for assignment in assignments:
            if _refusal_once_visible(action, user, suggestion, assignment, at=at, known=known) is None:
                found.append(Available(action, assignment))
    return found


def _with_pending_flags(parts):
    """``parts`` with the flags ``available_actions`` annotates (a request waiting), from their prefetched
    requests."""
    for part in parts:
        part.pending_reassignment_requests = any(
            r.status == Ruling.PENDING for r in part.reassignment_requests.all()
        )
        part.pending_extension_requests = any(
            r.status == Ruling.PENDING for r in part.extension_requests.all()
        )
    return parts


def perform(name, *, user, suggestion, assignment=None, at=None, **data):
    """Apply action ``name``; returns the ``Event`` written. Raises ``WorkflowError`` when it may not be taken."""
    action = ACTIONS.get(name)
    if action is None:
        raise WorkflowError("未知的操作。")
    ctx = None
    refuse_invisible(data)
    try:
        with transaction.atomic():
            locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
            locked_assignment = None
            if assignment is not None:
                locked_assignment = (
                    Assignment.objects.select_for_update(of=("self",))
                    .select_related("unit")
                    .get(pk=assignment.pk)
                )
            # the time is read once the lock is held, so actions on one suggestion are stamped in the order they
            # were applied (a repeat is then always found by ``refuse_repeat``)
            at = at or timezone.now()
            message = refusal(action, user, locked, locked_assignment, at=at)
            if message:
                raise WorkflowError(message)
            ctx = Context(action, user, locked, locked_assignment, data, at)
            before = (locked.state, locked_assignment.state if locked_assignment else "")
            leads = ctx.go(action.handler(ctx))
            if name in listsearch.REFRESHING_ACTIONS:
                listsearch.refresh([locked.pk])  # the list's search reads what the action changed
            event = _record(ctx, before, leads)
            merging.follow_main(ctx, perform)  # 并案: the suggestions merged into this one take it too
            event.warnings = ctx.warnings
    except BaseException as exc:
        if ctx is not None:
            remove_stored_files(ctx)  # the rows are rolled back; so is what the action wrote to disk
        if isinstance(exc, IntegrityError):
            raise WorkflowError("操作与他人的操作冲突，请刷新页面后重试。") from exc
        raise
    _copy_fields(locked, suggestion)
    if assignment is not None:
        _copy_fields(locked_assignment, assignment)
    return event


def recompute_deadlines(suggestion, *, reason, at=None) -> Event | None:
    """Count the open deadlines of ``suggestion`` again, after a holiday schedule was entered or deleted
    (``suggestions.holidays``). A date that changes is the system action ``recompute_deadline``: an event in
    the timeline, the units told. A date that stays only gains or loses its 「估算」 flag and explanation,
    without an event: nothing the units must act on, so the timeline and their messages are not filled with
    it. Returns the event, or None."""
    if any(a.deadline != computed.date for a, computed in timing.recomputed_parts(suggestion)):
        return perform("recompute_deadline", user=None, suggestion=suggestion, at=at, reason=reason)
    with transaction.atomic():
        locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        for a, computed in timing.recomputed_parts(locked):
            if (a.deadline_estimated, a.deadline_note) != (computed.estimated, computed.explain()):
                a.deadline_estimated, a.deadline_note = computed.estimated, computed.explain()
                a.save(update_fields=["deadline_estimated", "deadline_note"])
        timing.settle_suggestion_deadline(locked)
    _copy_fields(locked, suggestion)
    return None


def _record(ctx: Context, before, leads: Leads) -> Event:
    a = ctx.assignment
    event = Event.objects.create(
        suggestion=ctx.suggestion,
        assignment=a,
        action=ctx.action.name,
        label=ctx.action.label,
        actor=ctx.user,
        actor_name=actor_name(ctx.user),
        from_state=before[0],
        to_state=ctx.suggestion.state,
        assignment_from=before[1],
        assignment_to=a.state if a is not None else "",
        audience=leads.audience,
        note=ctx.note[:2000],
        created_at=ctx.at,
    )
    recipients = [
        a for a in ctx.recipients.addressed(exclude=ctx.user) if access.may_read_event(a.user, event)
    ]
    if recipients:
        # In the action's transaction: the action and its notifications are written together or not at all;
        # email and text messages are sent by a background task after the commit (suggestions.deliveries).
        notify(event, recipients)
    return event


def _copy_fields(source, target):
    if source is target:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
