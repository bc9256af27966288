"""The workflow: every action a person can take on a suggestion, the states it starts from, who may take it,
and the one function that applies it.

    perform("sign_for", user=clerk, suggestion=s, assignment=a)

``perform`` checks the action is allowed (role, ownership, state, the action's own rule), locks the suggestion
row, applies the change in one transaction, appends an ``Event`` (the suggestion's timeline) and queues the
notifications to be sent once the transaction commits. A refused action raises ``WorkflowError`` with a message
for the user and changes nothing. Views, admin, management commands and tests all come through here.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import deadlines
from .models import (
    Assignment,
    CommitmentFollowUp,
    ContactRecord,
    CoUnitOpinion,
    Event,
    ExtensionRequest,
    Rating,
    RatingLevel,
    ReassignmentRequest,
    Rehandling,
    Reply,
    ResultClass,
    Ruling,
    Suggestion,
    SupervisionNote,
)
from .notifications import Recipients, notify

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


# --- handlers ------------------------------------------------------------------------------------------------


def _save(obj, *fields):
    obj.full_clean(exclude=[f.name for f in obj._meta.fields if f.name not in fields] if fields else None)
    obj.save(update_fields=fields or None)


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


def _units_label(assignments):
    return "、".join(a.unit.name for a in assignments)


def _date_cn(day):
    return f"{day.year}年{day.month}月{day.day}日"


# What registration may correct; the state and the handling summary change only through the other actions.
EDITABLE_FIELDS = frozenset(
    {
        "number",
        "title",
        "content",
        "source",
        "submitted_on",
        "lead_deputy",
        "joint_deputies",
        "delegation",
        "category",
        "leader",
        "is_key",
        "supervising_leader",
        "remarks",
    }
)


def do_edit(ctx):
    changed = []
    s = ctx.suggestion
    for name in ctx.data:
        if name not in EDITABLE_FIELDS:
            try:
                label = s._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                label = name
            raise WorkflowError(f"不能修改「{label}」: 它只随办理操作改变。", field=name)
    for name, value in ctx.data.items():
        if name == "joint_deputies":
            s.joint_deputies.set(value)
            changed.append("联名代表")
            continue
        if getattr(s, name) != value:
            setattr(s, name, value)
            changed.append(str(s._meta.get_field(name).verbose_name))
    try:
        s.full_clean()
    except ValidationError as exc:
        raise WorkflowError(_first_message(exc)) from exc
    s.save()
    ctx.note = "修改: " + "、".join(changed) if changed else "未修改"


def do_assign(ctx):
    s, data = ctx.suggestion, ctx.data
    lead = data.get("lead_unit")
    co_units = list(data.get("co_units") or [])
    separate = list(data.get("separate_units") or [])
    if bool(lead) == bool(separate):
        raise WorkflowError("请指定一个主办单位, 或者指定两个以上分办单位。", field="lead_unit")
    if separate and len(separate) < 2:
        raise WorkflowError("分办至少需要两个单位。", field="separate_units")
    if separate and co_units:
        raise WorkflowError("分办时各单位各自答复, 不再指定协办单位。", field="co_units")
    units = ([lead] if lead else separate) + co_units
    if len({u.pk for u in units}) != len(units):
        raise WorkflowError("同一单位不能重复交办。", field="co_units")
    assigned_on = data.get("assigned_on") or ctx.today
    months = data.get("months") or deadlines.rule("handling_months")
    if not 1 <= months <= deadlines.rule("max_handling_months"):
        raise WorkflowError(f"办理期限最长{deadlines.rule('max_handling_months')}个月。", field="months")
    deadline = deadlines.months_deadline(assigned_on, months).date
    opinion_due = min(deadlines.opinion_deadline(assigned_on).date, deadline)
    window = deadlines.reassignment_window(assigned_on).date
    created = []
    for unit in units:
        role = (
            Assignment.Role.CO
            if unit in co_units
            else (Assignment.Role.LEAD if lead else Assignment.Role.SEPARATE)
        )
        due = opinion_due if role == Assignment.Role.CO else deadline
        created.append(
            _create(
                Assignment,
                suggestion=s,
                unit=unit,
                role=role,
                round=s.round,
                assigned_on=assigned_on,
                deadline=due,
                original_deadline=due,
                reassignment_until=window,
                created_at=ctx.at,
            )
        )
    for name in ("leader", "is_key", "supervising_leader"):
        if name in data:
            setattr(s, name, data[name])
    if s.is_key and not s.supervising_leader:
        raise WorkflowError("重点建议必须指定督办领导。", field="supervising_leader")
    first = lead or separate[0]
    if s.leader is None:
        s.leader = first.leader  # sorted into the lead unit's portfolio unless the office chose one
    s.lead_unit = lead
    s.assigned_on = assigned_on
    s.deadline = deadline
    s.state = S.ASSIGNED
    s.save()
    answering = [a for a in created if a.role != Assignment.Role.CO]
    co = [a for a in created if a.role == Assignment.Role.CO]
    parts = [("主办: " if lead else "分办: ") + _units_label(answering)]
    if co:
        parts.append("协办: " + _units_label(co))
    parts.append("办理期限" + _date_cn(deadline))
    ctx.note = "; ".join(parts)
    ctx.recipients.units(*[a.unit for a in created])


def do_hand_over(ctx):
    organ = (ctx.data.get("other_organ") or "").strip()
    if not organ:
        raise WorkflowError("请填写转交的机关。", field="other_organ")
    _set(ctx.suggestion, state=S.NOT_GOVERNMENT, other_organ=organ)
    ctx.note = f"转交{organ}办理" + (f": {ctx.data['note']}" if ctx.data.get("note") else "")


def do_withdraw(ctx):
    reason = _required(ctx, "reason", "请填写撤回理由。")
    _set(ctx.suggestion, state=S.WITHDRAWN)
    _settle_pending_requests(ctx, ctx.suggestion.assignments.all(), "建议已撤回, 无需审批。")
    ctx.note = f"撤回理由: {reason}"
    ctx.recipients.units(*[a.unit for a in ctx.suggestion.assignments.open()])


def do_sign_for(ctx):
    a, s = ctx.assignment, ctx.suggestion
    _set(a, state=A.SIGNED, signed_at=ctx.at, signed_by=ctx.user)
    if a.role in ANSWERING and s.state == S.ASSIGNED:
        _set(s, state=S.IN_HANDLING)
    ctx.note = f"{a.unit.name}签收 ({a.get_role_display()})"


def do_request_reassignment(ctx):
    a = ctx.assignment
    reason = _required(ctx, "reason", "请填写申请调整的理由。")
    proposed = ctx.data.get("proposed_unit")
    if proposed is not None and proposed.pk == a.unit_id:
        raise WorkflowError("建议调整的单位不能是本单位。", field="proposed_unit")
    _create(
        ReassignmentRequest,
        assignment=a,
        reason=reason,
        proposed_unit=proposed,
        previous_state=a.state,
        requested_by=ctx.user,
        requested_at=ctx.at,
    )
    _set(a, state=A.REASSIGN_REQUESTED)
    ctx.note = f"{a.unit.name}申请调整" + (f", 建议由{proposed.name}办理" if proposed else "") + f": {reason}"
    ctx.recipients.office()


def do_rule_reassignment(ctx):
    a, s = ctx.assignment, ctx.suggestion
    request = a.reassignment_requests.select_for_update().get(status=Ruling.PENDING)
    approve = bool(ctx.data.get("approve"))
    note = (ctx.data.get("note") or "").strip()
    request.ruled_by, request.ruled_at, request.ruling_note = ctx.user, ctx.at, note
    if not approve:
        if not note:
            raise WorkflowError("不同意调整时请说明理由。", field="note")
        request.status = Ruling.REFUSED
        request.save()
        _set(a, state=request.previous_state)
        ctx.note = f"不同意{a.unit.name}的调整申请: {note}"
        ctx.recipients.units(a.unit)
        return
    new_unit = ctx.data.get("new_unit") or request.proposed_unit
    if new_unit is None:
        raise WorkflowError("请选择调整后的承办单位。", field="new_unit")
    if s.assignments.current().filter(round=a.round, unit=new_unit).exists():
        raise WorkflowError(f"{new_unit.name}已经承办本建议。", field="new_unit")
    request.status, request.new_unit = Ruling.APPROVED, new_unit
    request.save()
    _set(a, state=A.REASSIGNED, completed_at=ctx.at)
    _settle_pending_requests(ctx, [a], f"已调整至{new_unit.name}, 无需审批。")
    # The clock does not restart: the new unit keeps the first assignment's dates.
    successor = _create(
        Assignment,
        suggestion=s,
        unit=new_unit,
        role=a.role,
        round=a.round,
        assigned_on=a.assigned_on,
        deadline=a.deadline,
        original_deadline=a.original_deadline,
        reassignment_until=deadlines.reassignment_window(ctx.today).date,
        created_at=ctx.at,
    )
    _set(a, replaced_by=successor)
    if a.role == Assignment.Role.LEAD:
        if s.leader_id == a.unit.leader_id and new_unit.leader_id:
            s.leader = new_unit.leader  # the portfolio follows the unit, unless the office had chosen another
        s.lead_unit = new_unit
        if s.state == S.IN_HANDLING:
            s.state = S.ASSIGNED
        s.save(update_fields=["lead_unit", "state", "leader"])
    ctx.note = f"同意调整: 由{a.unit.name}调整为{new_unit.name}" + (f" ({note})" if note else "")
    ctx.recipients.units(a.unit, new_unit)


def do_request_extension(ctx):
    a = ctx.assignment
    grounds = _required(ctx, "grounds", "请填写延期理由。")
    wanted = ctx.data.get("requested_deadline")
    if wanted is None or wanted <= a.deadline:
        raise WorkflowError("申请延至的日期必须晚于现办理期限。", field="requested_deadline")
    longest = deadlines.longest_deadline(a.assigned_on)
    if wanted > longest:
        raise WorkflowError(f"办理期限最长至{_date_cn(longest)}。", field="requested_deadline")
    _create(
        ExtensionRequest,
        assignment=a,
        grounds=grounds,
        requested_deadline=wanted,
        requested_by=ctx.user,
        requested_at=ctx.at,
    )
    ctx.note = f"{a.unit.name}申请延期至{_date_cn(wanted)}: {grounds}"
    ctx.recipients.office()


def do_rule_extension(ctx):
    a, s = ctx.assignment, ctx.suggestion
    request = a.extension_requests.select_for_update().get(status=Ruling.PENDING)
    note = (ctx.data.get("note") or "").strip()
    request.ruled_by, request.ruled_at, request.ruling_note = ctx.user, ctx.at, note
    if not ctx.data.get("approve"):
        if not note:
            raise WorkflowError("不同意延期时请说明理由。", field="note")
        request.status = Ruling.REFUSED
        request.save()
        ctx.note = f"不同意{a.unit.name}延期: {note}"
    else:
        granted = ctx.data.get("granted_deadline") or request.requested_deadline
        if granted <= a.deadline or granted > deadlines.longest_deadline(a.assigned_on):
            raise WorkflowError("批准的期限须晚于现期限, 且不超过最长办理期限。", field="granted_deadline")
        request.status, request.granted_deadline = Ruling.APPROVED, granted
        request.save()
        _set(a, deadline=granted)
        if a.role in ANSWERING and a.round == s.round:
            # the suggestion is due when its last answering part is (分办: several parts)
            parts = s.assignments.current().filter(round=s.round, role__in=ANSWERING)
            _set(s, deadline=max(parts.values_list("deadline", flat=True)))
        ctx.note = f"同意{a.unit.name}延期至{_date_cn(granted)}" + (f" ({note})" if note else "")
    ctx.recipients.units(a.unit)


def do_log_contact(ctx):
    a, data = ctx.assignment, ctx.data
    contacted_on = data.get("contacted_on")
    if contacted_on and contacted_on > ctx.today:
        raise WorkflowError("沟通日期不能晚于今天。", field="contacted_on")
    record = _create(
        ContactRecord,
        assignment=a,
        method=data.get("method") or "",
        contacted_on=contacted_on,
        participants=(data.get("participants") or "").strip(),
        summary=(data.get("summary") or "").strip(),
        recorded_by=ctx.user,
        created_at=ctx.at,
    )
    if data.get("deputies"):
        record.deputies.set(data["deputies"])
    ctx.note = f"{a.unit.name}{record.get_method_display()} ({_date_cn(record.contacted_on)})"


def do_send_opinion(ctx):
    a = ctx.assignment
    text = _required(ctx, "text", "请填写协办意见。")
    _create(
        CoUnitOpinion,
        assignment=a,
        text=text,
        signer=ctx.data.get("signer", ""),
        sent_by=ctx.user,
        sent_at=ctx.at,
    )
    _set(a, state=A.OPINION_SENT, completed_at=ctx.at)
    _settle_pending_requests(ctx, [a], "已报送协办意见, 无需延期。")
    ctx.note = f"{a.unit.name}报送协办意见"
    lead = ctx.suggestion.assignments.current().filter(round=a.round, role=Assignment.Role.LEAD).first()
    if lead:
        ctx.recipients.units(lead.unit)


REPLY_FIELDS = (
    "document_number",
    "contact_person",
    "contact_phone",
    "text",
    "result_class",
    "commitment",
    "commitment_due",
)


def do_draft_reply(ctx):
    a, data = ctx.assignment, ctx.data
    reply = a.replies.filter(state=Reply.State.DRAFT).first() or Reply(assignment=a)
    for name in REPLY_FIELDS:
        value = data.get(name)
        setattr(reply, name, value.strip() if isinstance(value, str) else value)
    if reply.result_class != ResultClass.B:
        reply.commitment, reply.commitment_due = "", None
    if data.get("attachment"):
        reply.attachment = data["attachment"]
    reply.drafted_by, reply.drafted_at = ctx.user, ctx.at
    try:
        reply.full_clean()
    except ValidationError as exc:
        field_name = next(iter(getattr(exc, "message_dict", {})), None)
        raise WorkflowError(_first_message(exc), field=field_name) from exc
    reply.save()
    _set(a, state=A.DRAFTED)
    ctx.note = f"{a.unit.name}拟写答复 {reply.document_number} ({reply.result_class}类)"
    ctx.recipients.unit_heads(a.unit)


def do_sign_reply(ctx):
    a = ctx.assignment
    reply = a.replies.get(state=Reply.State.DRAFT)
    signer = (ctx.data.get("signer") or ctx.user.display_name).strip()
    _set(reply, state=Reply.State.SIGNED, signer=signer, signed_by=ctx.user, signed_at=ctx.at)
    _set(a, state=A.SIGNED_OFF)
    ctx.note = f"{signer}签发答复 {reply.document_number}"
    ctx.recipients.units(a.unit)


def do_submit_reply(ctx):
    a = ctx.assignment
    reply = a.replies.get(state=Reply.State.SIGNED)
    if ctx.data.get("attachment"):
        reply.attachment = ctx.data["attachment"]
        reply.save(update_fields=["attachment"])
    _set(reply, state=Reply.State.SUBMITTED, submitted_at=ctx.at)
    _set(a, state=A.SUBMITTED)
    ctx.note = f"{a.unit.name}报送答复 {reply.document_number}"
    ctx.recipients.office()


def do_review_reply(ctx):
    a, s = ctx.assignment, ctx.suggestion
    reply = a.replies.get(state=Reply.State.SUBMITTED)
    if not ctx.data.get("accept"):
        reason = _required(ctx, "reason", "退回时请说明理由。")
        _set(
            reply, state=Reply.State.RETURNED, reviewed_by=ctx.user, reviewed_at=ctx.at, return_reason=reason
        )
        _set(a, state=A.RETURNED)
        ctx.note = f"退回{a.unit.name}的答复 {reply.document_number}: {reason}"
        ctx.recipients.units(a.unit)
        return
    _set(reply, state=Reply.State.ACCEPTED, reviewed_by=ctx.user, reviewed_at=ctx.at)
    _set(a, state=A.REPLIED, completed_at=ctx.at)
    _settle_pending_requests(ctx, [a], "已答复, 无需延期。")
    ctx.note = f"审核通过{a.unit.name}的答复 {reply.document_number}"
    still_open = s.assignments.current().filter(round=s.round, role__in=ANSWERING).exclude(state=A.REPLIED)
    if not still_open.exists():
        classes = Reply.objects.filter(
            assignment__suggestion=s, assignment__round=s.round, state=Reply.State.ACCEPTED
        ).values_list("result_class", flat=True)
        _set(s, state=S.REPLIED, replied_at=ctx.at, result_class=max(classes), rating=None)
        ctx.recipients.deputies(s)


def do_rate(ctx):
    s, data, user = ctx.suggestion, ctx.data, ctx.user
    deputy = user.deputy if ctx.action.name == "rate" else data.get("deputy")
    if deputy is None:
        raise WorkflowError("请选择评价的代表。", field="deputy")
    if deputy.pk not in {d.pk for d in s.deputies}:
        raise WorkflowError(f"{deputy.name}不是本建议的领衔或联名代表。", field="deputy")
    replies = list(current_replies(s))
    reply = data.get("reply") or (replies[0] if len(replies) == 1 else None)
    if reply is None or reply.pk not in {r.pk for r in replies}:
        raise WorkflowError("请选择要评价的答复。", field="reply")
    if Rating.objects.filter(reply=reply, deputy=deputy).exists():
        raise WorkflowError(f"{deputy.name}已评价过这份答复。")
    overall = data.get("overall")
    if overall not in RatingLevel.values:
        raise WorkflowError("请选择满意、基本满意或不满意。", field="overall")
    rating = _create(
        Rating,
        reply=reply,
        deputy=deputy,
        overall=overall,
        process=data.get("process"),
        result=data.get("result"),
        comment=(data.get("comment") or "").strip(),
        source=Rating.Source.ONLINE if ctx.action.name == "rate" else Rating.Source.PAPER,
        recorded_by=user,
        rated_at=ctx.at,
    )
    worst = min(
        Rating.objects.filter(reply__in=replies).values_list("overall", flat=True),
    )
    _set(s, rating=worst)
    label = RatingLevel(overall).label
    ctx.note = f"{deputy.name}评价: {label}" + (f" ({rating.comment})" if rating.comment else "")
    if rating.source == Rating.Source.PAPER:
        ctx.note += " [征询意见表录入]"
    ctx.recipients.office()
    if overall == RatingLevel.UNSATISFIED:
        _start_rehandling(ctx, reply.assignment, reason=rating.comment or "代表评价不满意", rating=rating)


def do_rehandle(ctx):
    reason = _required(ctx, "reason", "请填写重新办理的原因。")
    # 分办: each unit has its own reply, and the office says which one goes back
    replies = list(current_replies(ctx.suggestion))
    reply = ctx.data.get("reply") or (replies[0] if len(replies) == 1 else None)
    if reply is None or reply.pk not in {r.pk for r in replies}:
        raise WorkflowError("请选择要重新办理的答复。", field="reply")
    _start_rehandling(ctx, reply.assignment, reason=reason)
    ctx.note = f"重新办理: {reason}"


def _start_rehandling(ctx, previous, *, reason, rating=None):
    s = ctx.suggestion
    s.round += 1
    due = deadlines.rehandling_deadline(ctx.today).date
    _create(
        Rehandling,
        suggestion=s,
        round=s.round,
        rating=rating,
        reason=reason,
        deadline=due,
        created_by=ctx.user,
        created_at=ctx.at,
    )
    _create(
        Assignment,
        suggestion=s,
        unit=previous.unit,
        role=previous.role,
        round=s.round,
        assigned_on=ctx.today,
        deadline=due,
        original_deadline=due,
        reassignment_until=None,
        created_at=ctx.at,
    )
    s.state, s.deadline, s.assigned_on = S.REHANDLING, due, ctx.today
    s.lead_unit = previous.unit if previous.role == Assignment.Role.LEAD else s.lead_unit
    s.replied_at, s.result_class, s.rating = None, "", None
    s.save()
    ctx.note = (ctx.note + "; " if ctx.note else "") + f"交{previous.unit.name}重新办理, 期限{_date_cn(due)}"
    ctx.recipients.units(previous.unit)


def do_close(ctx):
    s = ctx.suggestion
    _set(s, state=S.CLOSED, closed_at=ctx.at)
    ctx.note = "办结" + (f": {ctx.data['note']}" if ctx.data.get("note") else "")
    ctx.recipients.deputies(s)
    ctx.recipients.units(*[a.unit for a in s.assignments.current().filter(round=s.round)])


def do_publish(ctx):
    replies = [r for r in accepted_replies(ctx.suggestion) if r.published_at is None]
    if ctx.data.get("publish", True):
        for reply in replies:
            _set(reply, is_public=True, withheld_reason="", published_at=ctx.at)
        ctx.note = "公开答复 " + "、".join(r.document_number for r in replies)
    else:
        reason = _required(ctx, "reason", "不公开时请说明理由。")
        for reply in replies:
            _set(reply, is_public=False, withheld_reason=reason)
        ctx.note = f"答复不予公开: {reason}"


def do_supervise(ctx):
    kind = ctx.data.get("kind") or SupervisionNote.Kind.SUPERVISE
    note = _create(
        SupervisionNote,
        suggestion=ctx.suggestion,
        kind=kind,
        method=ctx.data.get("method") or SupervisionNote.Method.OTHER,
        text=(ctx.data.get("text") or "").strip(),
        author=ctx.user,
        created_at=ctx.at,
    )
    ctx.note = f"{note.get_kind_display()} ({note.get_method_display()}): {note.text}"
    ctx.recipients.units(*[a.unit for a in ctx.suggestion.assignments.open()])


def do_comment(ctx):
    note = _create(
        SupervisionNote,
        suggestion=ctx.suggestion,
        kind=SupervisionNote.Kind.COMMENT,
        method=SupervisionNote.Method.DOCUMENT,
        text=(ctx.data.get("text") or "").strip(),
        author=ctx.user,
        created_at=ctx.at,
    )
    ctx.note = f"领导批示: {note.text}"
    ctx.recipients.office()
    ctx.recipients.units(*[a.unit for a in ctx.suggestion.assignments.current()])


def do_follow_up(ctx):
    open_b = _open_commitments(ctx)
    reply = ctx.data.get("reply") or (open_b[0] if open_b else None)
    if reply is None or reply.pk not in {r.pk for r in open_b}:
        raise WorkflowError("请选择要跟踪的B类答复。", field="reply")
    followed_on = ctx.data.get("followed_on") or ctx.today
    if followed_on > ctx.today:
        raise WorkflowError("跟踪日期不能晚于今天。", field="followed_on")
    done = bool(ctx.data.get("is_done"))
    _create(
        CommitmentFollowUp,
        reply=reply,
        progress=(ctx.data.get("progress") or "").strip(),
        followed_on=followed_on,
        is_done=done,
        recorded_by=ctx.user,
        created_at=ctx.at,
    )
    if done:
        _set(reply, commitment_done_on=followed_on)
    ctx.note = ("承诺事项已落实" if done else "落实跟踪") + f": {ctx.data.get('progress', '').strip()}"
    ctx.recipients.office()


def _settle_pending_requests(ctx, assignments, note):
    """Requests nobody can rule on any more (the part is finished, moved on or withdrawn) leave the office's
    list, closed with a note saying why."""
    for model in (ReassignmentRequest, ExtensionRequest):
        model.objects.filter(assignment__in=assignments, status=Ruling.PENDING).update(
            status=Ruling.REFUSED, ruling_note=note, ruled_at=ctx.at
        )


def _required(ctx, name, message):
    value = (ctx.data.get(name) or "").strip()
    if not value:
        raise WorkflowError(message, field=name)
    return value


# --- rules beyond role and state ------------------------------------------------------------------------------


def _reassignment_window_open(ctx):
    a = ctx.assignment
    if a.round > 1:
        return "重新办理阶段不能申请调整。"
    if not a.reassignment_window_open(ctx.today):
        return f"申请调整须在交办后{deadlines.rule('reassignment_working_days')}个工作日内提出。"
    return None


def _pending(assignment, relation):
    """Whether the part has a request waiting; ``available_actions`` annotates the answer for all parts at once."""
    known = getattr(assignment, f"pending_{relation}", None)
    if known is not None:
        return known
    return getattr(assignment, relation).filter(status=Ruling.PENDING).exists()


def _has_pending(relation):
    def rule(ctx):
        if not _pending(ctx.assignment, relation):
            return "没有待审批的申请。"
        return None

    return rule


def _may_request_extension(ctx):
    a = ctx.assignment
    if ctx.today > a.deadline:
        return "已超过办理期限, 延期须在期限届满前申请。"
    if _pending(a, "extension_requests"):
        return "已有待审批的延期申请。"
    return None


def _round_is_current(ctx):
    if ctx.assignment.round != ctx.suggestion.round:
        return "这是以前轮次的办理, 不能再操作。"
    return None


def _deputy_may_rate(ctx):
    deputy = ctx.user.deputy
    if deputy is None or deputy.pk not in {d.pk for d in ctx.suggestion.deputies}:
        return "只有本建议的代表可以评价。"
    replies = current_replies(ctx.suggestion)
    if not Reply.objects.filter(pk__in=replies).exclude(ratings__deputy=deputy).exists():
        return "您已评价过本轮答复。"
    return None


def _may_close(ctx):
    s = ctx.suggestion
    replies = list(current_replies(s))
    rated = all(r.ratings.exists() for r in replies)
    waited = s.replied_at and ctx.today > timezone.localdate(s.replied_at) + datetime.timedelta(
        days=deadlines.rule("rating_days")
    )
    if not rated and not waited:
        return f"代表尚未评价; 答复满{deadlines.rule('rating_days')}天仍未评价的方可办结。"
    return None


def _has_unpublished(ctx):
    if not any(r.published_at is None for r in accepted_replies(ctx.suggestion)):
        return "没有待公开的答复。"
    return None


def _open_commitments(ctx):
    """Accepted B-class replies not yet carried out; a unit sees only the commitments it made itself."""
    replies = [r for r in accepted_replies(ctx.suggestion) if r.commitment_open]
    if ctx.user.is_unit_member:
        replies = [r for r in replies if r.assignment.unit_id == ctx.user.unit_id]
    return replies


def _has_open_commitment(ctx):
    if not any(r.commitment_open for r in accepted_replies(ctx.suggestion)):
        return "没有待落实的B类承诺。"
    if not _open_commitments(ctx):
        return "只有作出承诺的单位可以记录落实情况。"
    return None


def _leader_supervises(ctx):
    s = ctx.suggestion
    if ctx.user.leader_id not in (s.leader_id, s.supervising_leader_id):
        return "只能对分管领域的建议作出批示。"
    return None


def _all(*rules):
    def rule(ctx):
        for r in rules:
            message = r(ctx)
            if message:
                return message
        return None

    return rule


# --- the table ------------------------------------------------------------------------------------------------

HANDLING = (S.ASSIGNED, S.IN_HANDLING, S.REHANDLING)
LIVE = (S.REGISTERED, *HANDLING, S.REPLIED)
WORKING = (A.SIGNED, A.DRAFTED, A.SIGNED_OFF, A.SUBMITTED, A.RETURNED)

_ACTIONS = [
    Action("edit", "修改登记信息", "suggestions.edit", (S.REGISTERED, *HANDLING), do_edit),
    Action("assign", "交办", "suggestions.assign", (S.REGISTERED,), do_assign),
    Action("hand_over", "转非政府承办", "suggestions.hand_over", (S.REGISTERED,), do_hand_over),
    Action("withdraw", "撤回", "suggestions.withdraw", (S.REGISTERED, *HANDLING), do_withdraw),
    Action(
        "sign_for", "签收", "suggestions.sign_for", HANDLING, do_sign_for,
        assignment_states=(A.PENDING,), own_unit=True, rule=_round_is_current,
    ),
    Action(
        "request_reassignment", "申请调整", "suggestions.request_reassignment", HANDLING,
        do_request_reassignment, assignment_states=(A.PENDING, A.SIGNED), own_unit=True,
        rule=_reassignment_window_open,
    ),
    Action(
        "rule_reassignment", "审批调整申请", "suggestions.rule_reassignment", HANDLING, do_rule_reassignment,
        assignment_states=(A.REASSIGN_REQUESTED,), rule=_has_pending("reassignment_requests"),
    ),
    Action(
        "request_extension", "申请延期", "suggestions.request_extension", HANDLING, do_request_extension,
        assignment_states=(A.SIGNED, A.DRAFTED, A.RETURNED), own_unit=True,
        rule=_all(_round_is_current, _may_request_extension),
    ),
    Action(
        "rule_extension", "审批延期申请", "suggestions.rule_extension", HANDLING, do_rule_extension,
        assignment_states=(A.SIGNED, A.DRAFTED, A.SIGNED_OFF, A.SUBMITTED, A.RETURNED),
        rule=_has_pending("extension_requests"),
    ),
    Action(
        "log_contact", "记录沟通", "suggestions.log_contact", HANDLING, do_log_contact,
        assignment_states=WORKING, own_unit=True, rule=_round_is_current,
    ),
    Action(
        "send_opinion", "报送协办意见", "suggestions.send_opinion", HANDLING, do_send_opinion,
        assignment_states=(A.SIGNED,), assignment_roles=(Assignment.Role.CO,), own_unit=True,
    ),
    Action(
        "draft_reply", "拟写答复", "suggestions.draft_reply", (S.IN_HANDLING, S.REHANDLING), do_draft_reply,
        assignment_states=(A.SIGNED, A.DRAFTED, A.RETURNED), assignment_roles=ANSWERING, own_unit=True,
        rule=_round_is_current,
    ),
    Action(
        "sign_reply", "签发答复", "suggestions.sign_reply", (S.IN_HANDLING, S.REHANDLING), do_sign_reply,
        assignment_states=(A.DRAFTED,), assignment_roles=ANSWERING, own_unit=True,
    ),
    Action(
        "submit_reply", "报送答复", "suggestions.submit_reply", (S.IN_HANDLING, S.REHANDLING), do_submit_reply,
        assignment_states=(A.SIGNED_OFF,), assignment_roles=ANSWERING, own_unit=True,
    ),
    Action(
        "review_reply", "审核答复", "suggestions.review_reply", (S.IN_HANDLING, S.REHANDLING), do_review_reply,
        assignment_states=(A.SUBMITTED,), assignment_roles=ANSWERING,
    ),
    Action("rate", "评价答复", "suggestions.rate", (S.REPLIED,), do_rate, rule=_deputy_may_rate),
    Action("record_rating", "录入代表评价", "suggestions.record_rating", (S.REPLIED,), do_rate),
    Action("rehandle", "重新办理", "suggestions.rehandle", (S.REPLIED,), do_rehandle),
    Action("close", "办结", "suggestions.close", (S.REPLIED,), do_close, rule=_may_close),
    Action("publish", "公开答复", "suggestions.publish", (S.REPLIED, S.CLOSED), do_publish, rule=_has_unpublished),
    Action("supervise", "督办催办", "suggestions.supervise", (*HANDLING, S.REPLIED), do_supervise),
    Action("comment", "领导批示", "suggestions.comment", LIVE, do_comment, rule=_leader_supervises),
    Action(
        "follow_up", "落实跟踪", "suggestions.follow_up", (S.REPLIED, S.CLOSED), do_follow_up,
        rule=_has_open_commitment,
    ),
]  # fmt: skip

ACTIONS: dict[str, Action] = {a.name: a for a in _ACTIONS}
REGISTER = Action("register", "登记", "suggestions.register", (), lambda ctx: None)


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


# --- checking and applying ------------------------------------------------------------------------------------


def refusal(action: Action, user, suggestion, assignment=None, *, at=None) -> str | None:
    """Why ``user`` may not take ``action`` now, or None when they may."""
    if not user.has_perm(action.permission):
        return "您没有权限进行此操作。"
    if not Suggestion.objects.visible_to(user).filter(pk=suggestion.pk).exists():
        return "您无权查看此建议。"
    return _refusal_once_visible(action, user, suggestion, assignment, at=at)


def _refusal_once_visible(action: Action, user, suggestion, assignment=None, *, at=None) -> str | None:
    """The rest of ``refusal``, once the user holds the permission and sees the suggestion."""
    if suggestion.state not in action.states:
        return f"建议当前状态为「{suggestion.get_state_display()}」, 不能{action.label}。"
    if action.on_assignment:
        if assignment is None or assignment.suggestion_id != suggestion.pk:
            return "请指明承办单位。"
        if action.own_unit and assignment.unit_id != user.unit_id:
            return "只能办理本单位承办的部分。"
        if assignment.role not in action.assignment_roles:
            return f"{assignment.get_role_display()}单位不能{action.label}。"
        if assignment.state not in action.assignment_states:
            return f"{assignment.unit.name}的办理状态为「{assignment.get_state_display()}」, 不能{action.label}。"
    if action.rule:
        ctx = Context(action, user, suggestion, assignment, {}, at or timezone.now())
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
        return f"{self.action.label} ({self.assignment.unit.short_name or self.assignment.unit.name})"


def available_actions(suggestion, user, *, at=None) -> list[Available]:
    """The actions ``user`` may take on ``suggestion`` now: exactly the buttons a screen shows."""
    if not Suggestion.objects.visible_to(user).filter(pk=suggestion.pk).exists():
        return []
    found = []
    assignments = None
    for action in _ACTIONS:
        if not user.has_perm(action.permission) or suggestion.state not in action.states:
            continue
        # visibility and permission are settled above: ask only the rest, once per part
        if not action.on_assignment:
            if _refusal_once_visible(action, user, suggestion, at=at) is None:
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
            if _refusal_once_visible(action, user, suggestion, assignment, at=at) is None:
                found.append(Available(action, assignment))
    return found


def perform(name, *, user, suggestion, assignment=None, at=None, **data):
    """Apply action ``name``; returns the ``Event`` written. Raises ``WorkflowError`` when it may not be taken."""
    action = ACTIONS.get(name)
    if action is None:
        raise WorkflowError("未知的操作。")
    at = at or timezone.now()
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
            message = refusal(action, user, locked, locked_assignment, at=at)
            if message:
                raise WorkflowError(message)
            ctx = Context(action, user, locked, locked_assignment, data, at)
            from_state = locked.state
            action.handler(ctx)
            event = _record(ctx, from_state)
    except IntegrityError as exc:
        raise WorkflowError("操作与他人的操作冲突, 请刷新页面后重试。") from exc
    _copy_fields(locked, suggestion)
    if assignment is not None:
        _copy_fields(locked_assignment, assignment)
    return event


def register(*, user, at=None, joint_deputies=(), **fields) -> Suggestion:
    """登记: the first entry of a suggestion, typed in or imported."""
    if not user.has_perm(REGISTER.permission):
        raise WorkflowError("您没有权限登记建议。")
    at = at or timezone.now()
    lead = fields.get("lead_deputy")
    if lead is not None and "delegation" not in fields:
        fields["delegation"] = lead.delegation
    suggestion = Suggestion(state=S.REGISTERED, created_by=user, created_at=at, **fields)
    try:
        with transaction.atomic():
            suggestion.full_clean()
            suggestion.save()
            joint = [d for d in joint_deputies if d != lead]
            suggestion.joint_deputies.set(joint)
            ctx = Context(REGISTER, user, suggestion, None, {}, at, note=f"登记{suggestion.number_label}建议")
            _record(ctx, "")
    except ValidationError as exc:
        field_name = next(iter(getattr(exc, "message_dict", {})), None)
        raise WorkflowError(_first_message(exc), field=field_name) from exc
    except IntegrityError as exc:
        raise WorkflowError("本届次会议中已有该编号的建议。", field="number") from exc
    return suggestion


def _record(ctx: Context, from_state) -> Event:
    event = Event.objects.create(
        suggestion=ctx.suggestion,
        assignment=ctx.assignment,
        action=ctx.action.name,
        label=ctx.action.label,
        actor=ctx.user,
        actor_name=_actor_name(ctx.user),
        from_state=from_state,
        to_state=ctx.suggestion.state,
        note=ctx.note[:2000],
        created_at=ctx.at,
    )
    recipients = ctx.recipients.resolve(exclude=ctx.user)
    if recipients:
        # robust: the action is committed whatever happens to its notifications; a failure is logged
        transaction.on_commit(lambda: notify(event, recipients), robust=True)
    return event


def _actor_name(user):
    unit = getattr(user, "unit", None)
    return f"{user.display_name} ({unit.name})" if unit else user.display_name


def _copy_fields(source, target):
    if source is target:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
