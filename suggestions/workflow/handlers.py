"""What each action does, given a checked and locked ``Context``. Only ``perform`` calls these."""

from django.core.exceptions import FieldDoesNotExist, ValidationError

from .. import commitments as promised
from .. import deadlines, search
from .. import rules as regional
from ..formats import date_cn
from ..models import (
    Assignment,
    Commitment,
    CommitmentFollowUp,
    ContactRecord,
    CoUnitOpinion,
    ExtensionRequest,
    Rating,
    RatingLevel,
    ReassignmentRequest,
    Rehandling,
    Reply,
    Ruling,
    Suggestion,
    SupervisionNote,
)
from . import rules
from .base import (
    ANSWERING,
    A,
    S,
    WorkflowError,
    _create,
    _first_message,
    _required,
    _set,
    _units_label,
    accepted_replies,
    current_replies,
    opinions_missing,
    refuse_repeat,
)
from .registration import EDITABLE_FIELDS, check_key_order, settle_registration
from .rules import _open_commitments


def do_edit(ctx):
    s = ctx.suggestion
    for name in ctx.data:
        if name not in EDITABLE_FIELDS:
            try:
                label = s._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                label = name
            raise WorkflowError(f"不能修改「{label}」：它只随办理操作改变。", field=name)
    changed = []
    data = dict(ctx.data)
    joint = data.pop("joint_deputies", None)
    for name, value in data.items():
        if getattr(s, name) != value:
            setattr(s, name, value)
            changed.append(str(s._meta.get_field(name).verbose_name))
    if "lead_deputy" in data and "delegation" not in data:
        s.delegation_id = None  # follows the new lead deputy unless the office chose one
    settle_registration(s)
    if (
        "number" in data
        and Suggestion.objects.filter(session_id=s.session_id, number=s.number).exclude(pk=s.pk).exists()
    ):
        raise WorkflowError("本届次会议中已有该编号的建议。", field="number")
    s.save()
    if {"title", "content"} & set(data):
        search.index([s])
    if joint is not None:
        joint = [d for d in joint if d.pk != s.lead_deputy_id]
        if {d.pk for d in joint} != set(s.joint_deputies.values_list("pk", flat=True)):
            s.joint_deputies.set(joint)
            changed.append("联名代表")
    ctx.note = "修改：" + "、".join(changed) if changed else "未修改"


def do_assign(ctx):
    """交办: one lead unit with its co-units, or 分办 (several units each answering their own part), whose
    co-units each support one 分办 unit (``supported_unit``) and send their opinion to it."""
    s, data = ctx.suggestion, ctx.data
    lead = data.get("lead_unit")
    co_units = list(data.get("co_units") or [])
    separate = list(data.get("separate_units") or [])
    supported = data.get("supported_unit")
    if bool(lead) == bool(separate):
        raise WorkflowError("请指定一个主办单位，或者指定两个以上分办单位。", field="lead_unit")
    if separate and len(separate) < 2:
        raise WorkflowError("分办至少需要选择两个单位。", field="separate_units")
    if lead and lead in co_units:
        raise WorkflowError("主办单位不能同时是协办单位。", field="co_units")
    if separate and co_units:
        if supported is None:
            raise WorkflowError("分办时请选择协办单位配合的分办单位。", field="supported_unit")
        if supported not in separate:
            raise WorkflowError(f"{supported.name}不是本建议的分办单位。", field="supported_unit")
        if supported in co_units:
            raise WorkflowError("分办单位不能同时是它自己的协办单位。", field="co_units")
    units = ([lead] if lead else separate) + co_units
    if len({u.pk for u in units}) != len(units):
        raise WorkflowError("同一单位不能重复交办。", field="co_units")
    assigned_on = data.get("assigned_on") or ctx.today
    if assigned_on > ctx.today:
        raise WorkflowError("交办日期不能晚于今天。", field="assigned_on")
    months = data.get("months") or deadlines.rule("handling_months")
    if not 1 <= months <= deadlines.rule("max_handling_months"):
        raise WorkflowError(f"办理期限最长{deadlines.rule('max_handling_months')}个月。", field="months")
    for name in ("leader", "is_key", "supervising_leader", "key_order"):
        if name in data:
            setattr(s, name, data[name])
    if s.is_key and not s.supervising_leader:
        raise WorkflowError("重点建议必须指定督办领导。", field="supervising_leader")
    check_key_order(s)
    handling = deadlines.months_deadline(assigned_on, months)
    # a co-unit's opinion is due a month after the assignment, never after the lead unit's reply
    opinion_months = min(deadlines.rule("opinion_months"), months)
    opinion = deadlines.months_deadline(assigned_on, opinion_months)
    deadline = handling.date
    window = deadlines.reassignment_window(assigned_on).date
    created, answering_parts = [], {}
    for unit in units:
        role = (
            Assignment.Role.CO
            if unit in co_units
            else (Assignment.Role.LEAD if lead else Assignment.Role.SEPARATE)
        )
        computed, due_months = (opinion, opinion_months) if role == Assignment.Role.CO else (handling, months)
        due = computed.date
        part = _create(
            Assignment,
            suggestion=s,
            unit=unit,
            role=role,
            round=s.round,
            assigned_on=assigned_on,
            deadline=due,
            original_deadline=due,
            **deadline_fields(computed, due_months),
            reassignment_until=window,
            supports=answering_parts.get(supported.pk) if role == Assignment.Role.CO and supported else None,
            created_at=ctx.at,
        )
        if role != Assignment.Role.CO:
            answering_parts[unit.pk] = part
        created.append(part)
    first = lead or separate[0]
    if s.leader is None:
        s.leader = first.leader  # sorted into the lead unit's portfolio unless the office chose one
    s.lead_unit = lead
    s.assigned_on = assigned_on
    s.deadline = deadline
    s.deadline_estimated = handling.estimated
    s.save()
    answering = [a for a in created if a.role != Assignment.Role.CO]
    co = [a for a in created if a.role == Assignment.Role.CO]
    parts = [("主办：" if lead else "分办：") + _units_label(answering)]
    if co:
        parts.append("协办：" + _units_label(co) + (f"（配合{supported.name}）" if supported else ""))
    parts.append("办理期限" + date_cn(deadline))
    ctx.note = "；".join(parts)
    for a in created:
        _tell_assigned(ctx, a)


def _tell_assigned(ctx, part):
    """The unit's notice of its new part: its role, its deadline, and for a co-unit whom it reports to."""
    s = ctx.suggestion
    if part.role == Assignment.Role.CO:
        to = part.supports.unit.name if part.supports_id else "主办单位"
        text = f"{_named(s)}已交你单位协办，协办意见请于{date_cn(part.deadline)}前报送{to}。"
    else:
        text = f"{_named(s)}已交你单位{part.get_role_display()}，办理期限{date_cn(part.deadline)}。"
    ctx.recipients.units(part.unit, text=text, call="去签收")


def do_add_unit(ctx):
    """补充交办: the office adds a co-unit (to the lead unit or to one 分办 unit) or, for a suggestion handled
    by 分办, one more 分办 unit, while it is being handled. The new part's clock runs from the day it is
    added: the rules' period unless the office enters a date within the rules' longest period."""
    s, data = ctx.suggestion, ctx.data
    unit = data.get("unit")
    reason = _required(ctx, "reason", "请填写补充交办的理由。")
    if unit is None:
        raise WorkflowError("请选择补充交办的单位。", field="unit")
    role = data.get("role") or Assignment.Role.CO
    if role not in (Assignment.Role.CO, Assignment.Role.SEPARATE):
        raise WorkflowError("补充交办只能增加协办或分办单位。", field="role")
    current = s.assignments.current().filter(round=s.round)
    if current.filter(unit=unit).exists():
        raise WorkflowError(f"{unit.name}已经承办本建议。", field="unit")
    answering = list(current.filter(role__in=ANSWERING).select_related("unit"))
    has_lead = any(a.role == Assignment.Role.LEAD for a in answering)
    supports = None  # a co-unit beside a lead unit supports the lead unit
    if role == Assignment.Role.SEPARATE and has_lead:
        raise WorkflowError("本建议由主办单位牵头答复，补充交办只能增加协办单位。", field="role")
    if role == Assignment.Role.CO and not has_lead:
        chosen = data.get("supports")
        supports = next((a for a in answering if chosen is not None and a.pk == chosen.pk), None)
        if supports is None:
            raise WorkflowError("请选择协办单位配合的分办单位。", field="supports")
        if supports.state == A.REPLIED:
            raise WorkflowError(f"{supports.unit.name}已经答复，不再增加协办单位。", field="supports")
    today = ctx.today
    entered = data.get("deadline")
    longest = deadlines.months_deadline(today, deadlines.rule("max_handling_months")).date
    if entered is not None:
        if entered < today:
            raise WorkflowError("办理期限不能早于今天。", field="deadline")
        if entered > longest:
            raise WorkflowError(f"办理期限最长至{date_cn(longest)}。", field="deadline")
        due = entered
        kept = {
            "deadline_months": None,
            "deadline_estimated": False,
            "deadline_note": "补充交办时政府办确定的期限",
        }
    elif role == Assignment.Role.CO:
        computed = deadlines.opinion_deadline(today)
        due = computed.date
        kept = deadline_fields(computed, deadlines.rule("opinion_months"))
        lead_due = next((a.deadline for a in answering if a.role == Assignment.Role.LEAD), None)
        target = supports.deadline if supports else lead_due
        if target is not None and today <= target < due:
            due = target  # the opinion reaches the unit it supports before that unit's deadline
            kept = {
                "deadline_months": None,
                "deadline_estimated": False,
                "deadline_note": "不晚于所配合单位的办理期限",
            }
    else:
        computed = deadlines.handling_deadline(today)
        due = computed.date
        kept = deadline_fields(computed, deadlines.rule("handling_months"))
    part = _create(
        Assignment,
        suggestion=s,
        unit=unit,
        role=role,
        round=s.round,
        assigned_on=today,
        deadline=due,
        original_deadline=due,
        **kept,
        reassignment_until=deadlines.reassignment_window(today).date,
        supports=supports,
        created_at=ctx.at,
    )
    if role == Assignment.Role.SEPARATE and (s.deadline is None or due > s.deadline):
        _set(s, deadline=due)  # the suggestion is due when its last answering part is
    how = part.get_role_display() + (f"，配合{supports.unit.name}" if supports else "")
    ctx.note = f"补充交办：{unit.name}（{how}），期限{date_cn(due)}；理由：{reason}"
    _tell_assigned(ctx, part)


def do_hand_over(ctx):
    organ = (ctx.data.get("other_organ") or "").strip()
    if not organ:
        raise WorkflowError("请填写转交的机关。", field="other_organ")
    _set(ctx.suggestion, other_organ=organ)
    ctx.note = f"转交{organ}办理" + (f"：{ctx.data['note']}" if ctx.data.get("note") else "")


def do_withdraw(ctx):
    reason = _required(ctx, "reason", "请填写撤回理由。")
    _settle_pending_requests(ctx, ctx.suggestion.assignments.all(), "建议已撤回，无需审批。")
    ctx.note = f"撤回理由：{reason}"
    ctx.recipients.units(
        *[a.unit for a in ctx.suggestion.assignments.open()], text=f"{_named(ctx.suggestion)}已撤回：{reason}"
    )


def do_sign_for(ctx):
    a, s = ctx.assignment, ctx.suggestion
    _set(a, signed_at=ctx.at, signed_by=ctx.user)
    ctx.note = f"{a.unit.name}签收（{a.get_role_display()}）"
    # the suggestion is in handling once a unit that answers it has signed for it
    return "handling_starts" if a.role in ANSWERING and s.state == S.ASSIGNED else "signed"


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
    ctx.note = f"{a.unit.name}申请调整" + (f"，建议由{proposed.name}办理" if proposed else "") + f"：{reason}"
    ctx.recipients.office(text=f"{a.unit.name}申请调整{_named(ctx.suggestion)}：{reason}", call="去审批")


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


def do_rule_reassignment(ctx):
    a, s = ctx.assignment, ctx.suggestion
    request, approve = _rule_on(ctx, "reassignment_requests", "不同意调整时请说明理由。")
    note = request.ruling_note
    if not approve:
        request.save()
        ctx.back_to = request.previous_state
        ctx.note = f"不同意{a.unit.name}的调整申请：{note}"
        ctx.recipients.units(a.unit, text=f"{_named(s)}的调整申请未获同意，请继续办理：{note}", call="去办理")
        return "refused"
    new_unit = ctx.data.get("new_unit") or request.proposed_unit
    if new_unit is None:
        raise WorkflowError("请选择调整后的承办单位。", field="new_unit")
    if new_unit.pk == a.unit_id:
        raise WorkflowError("调整后的承办单位不能是原单位。", field="new_unit")
    if s.assignments.current().filter(round=a.round, unit=new_unit).exists():
        raise WorkflowError(f"{new_unit.name}已经承办本建议。", field="new_unit")
    request.new_unit = new_unit
    request.save()
    lead_moved = a.role == Assignment.Role.LEAD and s.state == S.IN_HANDLING  # the new lead unit signs again
    ctx.go("lead_moved" if lead_moved else "approved")  # the part leaves the round before its successor joins
    _set(a, completed_at=ctx.at)
    _settle_pending_requests(ctx, [a], f"已调整至{new_unit.name}，无需审批。")
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
        deadline_months=a.deadline_months,
        deadline_estimated=a.deadline_estimated,
        deadline_note=a.deadline_note,
        reassignment_until=deadlines.reassignment_window(ctx.today).date,
        supports=a.supports,
        created_at=ctx.at,
    )
    _set(a, replaced_by=successor)
    a.supporters.update(supports=successor)  # a 分办 part's co-units now support the unit that took it over
    if a.role == Assignment.Role.LEAD:
        if s.leader_id == a.unit.leader_id and new_unit.leader_id:
            s.leader = new_unit.leader  # the portfolio follows the unit, unless the office had chosen another
        s.lead_unit = new_unit
        s.save(update_fields=["lead_unit", "leader"])
    ctx.note = f"同意调整：由{a.unit.name}调整为{new_unit.name}" + (f"（{note}）" if note else "")
    ctx.recipients.units(
        new_unit,
        text=f"{_named(s)}已调整由你单位{a.get_role_display()}，办理期限{date_cn(successor.deadline)}。",
        call="去签收",
    )
    # the unit that handed it on no longer opens the suggestion: it is told, without a link to it
    ctx.recipients.units(a.unit, text=f"{_named(s)}的调整申请已同意，改由{new_unit.name}办理。", link=False)
    return ctx.outcome


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


def do_log_contact(ctx):
    a, data = ctx.assignment, ctx.data
    contacted_on = data.get("contacted_on")
    if contacted_on and contacted_on > ctx.today:
        raise WorkflowError("沟通日期不能晚于今天。", field="contacted_on")
    if contacted_on is None:
        raise WorkflowError("请填写沟通日期。", field="contacted_on")
    if data.get("method") not in ContactRecord.Method.values:
        raise WorkflowError("请选择沟通方式。", field="method")
    participants = _required(ctx, "participants", "请填写参加人员。")
    summary = _required(ctx, "summary", "请填写沟通情况。")
    refuse_repeat(
        ctx,
        ContactRecord,
        "同样的沟通记录刚刚已经保存（可能是重复提交），未再次记录。",
        assignment=a,
        recorded_by=ctx.user,
        method=data["method"],
        contacted_on=contacted_on,
        participants=participants,
        summary=summary,
    )
    record = _create(
        ContactRecord,
        assignment=a,
        method=data["method"],
        contacted_on=contacted_on,
        participants=participants,
        summary=summary,
        recorded_by=ctx.user,
        created_at=ctx.at,
    )
    if data.get("deputies"):
        record.deputies.set(data["deputies"])
    ctx.note = f"{a.unit.name}{record.get_method_display()}（{date_cn(record.contacted_on)}）"


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
    _set(a, completed_at=ctx.at)
    _settle_pending_requests(ctx, [a], "已报送协办意见，无需延期。")
    ctx.note = f"{a.unit.name}报送协办意见"
    # to the unit it supports: the 分办 unit it was assigned to, or the lead unit
    supported = a.supports or (
        ctx.suggestion.assignments.current().filter(round=a.round, role=Assignment.Role.LEAD).first()
    )
    if supported:
        ctx.recipients.units(
            supported.unit, text=f"{a.unit.name}已报送{_named(ctx.suggestion)}的协办意见。", call="查看意见"
        )


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
    scheme = regional.result_class(reply.result_class)
    if scheme is None:
        choices = "、".join(regional.codes())
        raise WorkflowError(f"请选择答复类别（{choices}）。", field="result_class")
    items = _commitment_items(ctx, reply, scheme)
    promised.summarize(
        reply, [Commitment(**{k: v for k, v in i.items() if k != "milestones"}) for i in items]
    )
    if data.get("attachment"):
        _attach_letter(ctx, reply, data["attachment"])
    reply.drafted_by, reply.drafted_at = ctx.user, ctx.at
    reply.revision_note = ""  # the head's remarks are answered by this draft
    try:
        reply.full_clean()
    except ValidationError as exc:
        field_name = next(iter(getattr(exc, "message_dict", {})), None)
        raise WorkflowError(_first_message(exc), field=field_name) from exc
    reply.save()
    promised.replace(reply, items)
    ctx.reply = reply
    ctx.note = f"{a.unit.name}拟写答复 {reply.document_number}（{reply.result_class}类）"
    ctx.recipients.unit_heads(
        a.unit, text=f"{_named(ctx.suggestion)}的答复已拟好，请审核签发。", call="去签发"
    )


def _commitment_items(ctx, reply, scheme):
    """The reply's commitments: ``data["commitments"]`` (each ``{"text", "due", "milestones"}``), or the one
    written in ``commitment`` / ``commitment_due``; none for a class without commitments."""
    if not scheme.commitment:
        return []
    named = f"{scheme.code}类答复"
    items = [i for i in ctx.data.get("commitments") or () if i.get("text") or i.get("due")]
    if not items:
        missing = {}
        if not reply.commitment:
            missing["commitment"] = f"{named}必须写明承诺事项。"
        if reply.commitment_due is None:
            missing["commitment_due"] = f"{named}必须写明承诺完成时间。"
        if len(missing) == 2:
            raise WorkflowError(f"{named}必须写明承诺事项和完成时间。", errors=missing)
        if missing:
            raise WorkflowError(next(iter(missing.values())), errors=missing)
        items = [
            {
                "text": reply.commitment,
                "due": reply.commitment_due,
                "milestones": ctx.data.get("milestones") or [],
            }
        ]
    for n, item in enumerate(items, start=1):
        which = f"第{n}项承诺" if len(items) > 1 else "承诺"
        field = "commitment_due" if len(items) == 1 and "commitments" not in ctx.data else "commitments"
        if not (item.get("text") or "").strip():
            raise WorkflowError(f"{which}没有写明承诺事项。", field="commitments")
        if item.get("due") is None:
            raise WorkflowError(f"{which}没有写明承诺完成时间。", field="commitments")
        if item["due"] < ctx.today:
            raise WorkflowError(
                f"{which}的完成时间不能早于今天。" if len(items) > 1 else "承诺完成时间不能早于今天。",
                field=field,
            )
        item["text"] = item["text"].strip()
        for m in item.get("milestones") or ():
            if not (m.get("text") or "").strip() or m.get("due") is None:
                raise WorkflowError(f"{which}的阶段目标要写明日期和内容。", field="commitments")
            if m["due"] > item["due"]:
                raise WorkflowError(f"{which}的阶段目标不能晚于承诺完成时间。", field="commitments")
    return items


def _attach_letter(ctx, reply, upload):
    """The signed letter, checked; saving the reply writes it to disk, and ``perform`` removes it again if the
    action then fails (``ctx.files``), so a rolled-back action leaves no file behind."""
    reply.attachment = rules.checked_letter(upload)
    ctx.files.append(reply.attachment)


def do_sign_reply(ctx):
    a = ctx.assignment
    reply = a.replies.get(state=Reply.State.DRAFT)
    signer = (ctx.data.get("signer") or ctx.user.display_name).strip()
    _set(reply, signer=signer, signed_by=ctx.user, signed_at=ctx.at)
    ctx.reply = reply
    ctx.note = f"{signer}签发答复 {reply.document_number}"
    ctx.recipients.units(
        a.unit, text=f"{_named(ctx.suggestion)}的答复已由{signer}签发，请报送政府办。", call="去报送"
    )


def do_return_draft(ctx):
    """退回修改: the unit head sends the draft back to the clerk with what to change; nothing leaves the unit."""
    a = ctx.assignment
    reply = a.replies.get(state=Reply.State.DRAFT)
    reason = _required(ctx, "reason", "请写明修改意见。")
    _set(reply, revision_note=reason)
    ctx.note = f"{ctx.user.display_name}退回修改答复 {reply.document_number}：{reason}"
    ctx.recipients.units(a.unit, text=f"{_named(ctx.suggestion)}的答复稿已退回修改：{reason}", call="去修改")


def do_submit_reply(ctx):
    a = ctx.assignment
    reply = a.replies.get(state=Reply.State.SIGNED)
    if ctx.data.get("attachment"):
        _attach_letter(ctx, reply, ctx.data["attachment"])
        reply.save(update_fields=["attachment"])
    _set(reply, submitted_at=ctx.at)
    ctx.reply = reply
    ctx.note = f"{a.unit.name}报送答复 {reply.document_number}"
    told = f"{a.unit.name}已报送{_named(ctx.suggestion)}的答复，请审核。"
    missing = opinions_missing(a)
    if missing:
        warning = f"协办单位{_units_label(missing)}尚未报送协办意见，答复未能载明其意见。"
        ctx.warnings.append(warning)
        ctx.note += f"（提醒：{warning}）"
        told += f"提醒：{warning}"
    ctx.recipients.office(text=told, call="去审核")


def do_review_reply(ctx):
    a, s = ctx.assignment, ctx.suggestion
    reply = ctx.reply = a.replies.get(state=Reply.State.SUBMITTED)
    if not ctx.data.get("accept"):
        reason = _required(ctx, "reason", "退回时请说明理由。")
        _set(reply, reviewed_by=ctx.user, reviewed_at=ctx.at, return_reason=reason)
        ctx.note = f"退回{a.unit.name}的答复 {reply.document_number}：{reason}"
        ctx.recipients.units(a.unit, text=f"{_named(s)}的答复已被退回：{reason}", call="去修改")
        return "returned"
    _set(reply, reviewed_by=ctx.user, reviewed_at=ctx.at)
    _set(a, completed_at=ctx.at)
    _settle_pending_requests(ctx, [a], "已答复，无需延期。")
    ctx.note = f"审核通过{a.unit.name}的答复 {reply.document_number}"
    still_open = (
        s.assignments.current()
        .filter(round=s.round, role__in=ANSWERING)
        .exclude(pk=a.pk)
        .exclude(state=A.REPLIED)
    )
    if still_open.exists():
        return "accepted"
    classes = [reply.result_class] + list(
        Reply.objects.filter(assignment__suggestion=s, assignment__round=s.round, state=Reply.State.ACCEPTED)
        .exclude(pk=reply.pk)
        .values_list("result_class", flat=True)
    )
    _set(s, replied_at=ctx.at, result_class=max(classes), rating=None)
    ctx.recipients.deputies(s, text=f"您的建议《{s.title}》已答复，请评价。", call="去评价")
    return "all_replied"


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
    comment = (data.get("comment") or "").strip()
    if overall == RatingLevel.UNSATISFIED and not comment:
        raise WorkflowError("评价不满意时，请写明意见，以便承办单位重新办理。", field="comment")
    rating = _create(
        Rating,
        reply=reply,
        deputy=deputy,
        overall=overall,
        process=data.get("process"),
        result=data.get("result"),
        comment=comment,
        source=Rating.Source.ONLINE if ctx.action.name == "rate" else Rating.Source.PAPER,
        recorded_by=user,
        rated_at=ctx.at,
    )
    worst = min(
        Rating.objects.filter(reply__in=replies).values_list("overall", flat=True),
    )
    summary = {"rating": worst}
    if s.round == 1:
        summary["first_rating"] = worst  # 初次办理: what the deputies said of the first reply
    if overall == RatingLevel.UNSATISFIED:
        summary["rated_unsatisfied"] = True  # stays, whatever a later round's rating says
    _set(s, **summary)
    label = RatingLevel(overall).label
    ctx.note = f"{deputy.name}评价：{label}" + (f"（{rating.comment}）" if rating.comment else "")
    if rating.source == Rating.Source.PAPER:
        ctx.note += " [征询意见表录入]"
    told = f"{deputy.name}对{_named(s)}的答复评价：{label}"
    if overall != RatingLevel.UNSATISFIED:
        ctx.recipients.office(text=f"{told}。")
        return "rated"
    if deadlines.rule("unsatisfied_rehandling") == "office_confirms":
        # the office reads the comment and decides: 重新办理, or 办结 with the rating on record
        ctx.note += "；待政府办确认是否重新办理"
        ctx.recipients.office(text=f"{told}（{rating.comment}），请确认是否重新办理。", call="去确认")
        return "rated"
    _start_rehandling(ctx, reply.assignment, reason=rating.comment, rating=rating)
    ctx.recipients.office(text=f"{told}（{rating.comment}），已交{reply.assignment.unit.name}重新办理。")
    return "unsatisfied"


def do_rehandle(ctx):
    reason = _required(ctx, "reason", "请填写重新办理的原因。")
    # 分办: each unit has its own reply, and the office says which one goes back
    replies = list(current_replies(ctx.suggestion))
    reply = ctx.data.get("reply") or (replies[0] if len(replies) == 1 else None)
    if reply is None or reply.pk not in {r.pk for r in replies}:
        raise WorkflowError("请选择要重新办理的答复。", field="reply")
    unsatisfied = reply.ratings.filter(overall=RatingLevel.UNSATISFIED).order_by("-rated_at").first()
    ctx.note = f"重新办理：{reason}"
    _start_rehandling(ctx, reply.assignment, reason=reason, rating=unsatisfied)


def _start_rehandling(ctx, previous, *, reason, rating=None):
    s = ctx.suggestion
    s.round += 1
    computed = deadlines.rehandling_deadline(ctx.today)
    due = computed.date
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
        **deadline_fields(computed, deadlines.rule("rehandling_months")),
        reassignment_until=None,
        created_at=ctx.at,
    )
    s.deadline, s.assigned_on, s.deadline_estimated = due, ctx.today, computed.estimated
    s.lead_unit = previous.unit if previous.role == Assignment.Role.LEAD else s.lead_unit
    s.replied_at, s.result_class, s.rating = None, "", None
    s.save()
    ctx.note = (ctx.note + "；" if ctx.note else "") + f"交{previous.unit.name}重新办理，期限{date_cn(due)}"
    ctx.recipients.units(
        previous.unit, text=f"{_named(s)}需重新办理，期限{date_cn(due)}：{reason}", call="去签收"
    )


def do_close(ctx):
    s = ctx.suggestion
    _set(s, closed_at=ctx.at)
    ctx.note = "办结" + (f"：{ctx.data['note']}" if ctx.data.get("note") else "")
    ctx.recipients.deputies(s, text=f"您的建议《{s.title}》已办结。")
    ctx.recipients.units(
        *[a.unit for a in s.assignments.current().filter(round=s.round)], text=f"{_named(s)}已办结。"
    )


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
        ctx.note = f"答复不予公开：{reason}"


def do_supervise(ctx):
    kind = ctx.data.get("kind") or SupervisionNote.Kind.SUPERVISE
    if kind not in (SupervisionNote.Kind.SUPERVISE, SupervisionNote.Kind.CHASE):
        raise WorkflowError("请选择督办或催办。", field="kind")
    text = _required(ctx, "text", "请填写督办内容。")
    due_on = ctx.data.get("due_on") or None
    if due_on is not None and due_on < ctx.today:
        raise WorkflowError("要求办结时间不能早于今天。", field="due_on")
    refuse_repeat(
        ctx,
        SupervisionNote,
        f"同样的{SupervisionNote.Kind(kind).label}记录刚刚已经保存（可能是重复提交），未再次记录。",
        suggestion=ctx.suggestion,
        author=ctx.user,
        kind=kind,
        text=text,
    )
    note = _create(
        SupervisionNote,
        suggestion=ctx.suggestion,
        kind=kind,
        method=ctx.data.get("method") or SupervisionNote.Method.OTHER,
        text=text,
        due_on=due_on,
        author=ctx.user,
        created_at=ctx.at,
    )
    ctx.note = f"{note.get_kind_display()}（{note.get_method_display()}）：{note.text}"
    if note.due_on:
        ctx.note += f"（{note.due_label}）"
    told = f"{_named(ctx.suggestion)}{note.get_kind_display()}：{note.text}" + (
        f"（{note.due_label}）" if note.due_on else ""
    )
    ctx.recipients.units(*[a.unit for a in ctx.suggestion.assignments.open()], text=told, call="去办理")


def do_order_key(ctx):
    """重点建议排序: where the handling report lists this key suggestion (``key_order``; empty: after the
    numbered ones, by number). The office sets it at any point, a closed session's report included."""
    s = ctx.suggestion
    if "key_order" not in ctx.data:
        raise WorkflowError("请填写重点建议顺序。", field="key_order")
    before = s.key_order
    s.key_order = ctx.data["key_order"]
    check_key_order(s)
    _set(s, key_order=s.key_order)
    ctx.note = (
        f"重点建议顺序：第{s.key_order}项" if s.key_order else "重点建议顺序：不指定（按建议编号）"
    ) + ("（未改变）" if before == s.key_order else "")


def do_comment(ctx):
    text = _required(ctx, "text", "请填写批示内容。")
    refuse_repeat(
        ctx,
        SupervisionNote,
        "同样的批示刚刚已经保存（可能是重复提交），未再次记录。",
        suggestion=ctx.suggestion,
        author=ctx.user,
        kind=SupervisionNote.Kind.COMMENT,
        text=text,
    )
    note = _create(
        SupervisionNote,
        suggestion=ctx.suggestion,
        kind=SupervisionNote.Kind.COMMENT,
        method=SupervisionNote.Method.DOCUMENT,
        text=text,
        author=ctx.user,
        created_at=ctx.at,
    )
    ctx.note = f"领导批示：{note.text}"
    told = f"{ctx.user.display_name}对{_named(ctx.suggestion)}作出批示：{note.text}"
    ctx.recipients.office(text=told)
    ctx.recipients.units(*[a.unit for a in ctx.suggestion.assignments.current()], text=told)


def do_follow_up(ctx):
    """落实跟踪: the unit (or the office) reports a commitment's progress, in percent with a note, after closing
    too, until it is done; the reply's summary follows its commitments."""
    data = ctx.data
    candidates = [c for r in _open_commitments(ctx) for c in promised.ensure_for(r) if c.is_open]
    chosen, reply = data.get("commitment"), data.get("reply")
    if chosen is not None:
        pool = [c for c in candidates if c.pk == chosen.pk]
    else:  # the first open commitment (of the reply named, if one is)
        pool = [c for c in candidates if reply is None or c.reply_id == reply.pk]
    commitment = pool[0] if pool else None
    if commitment is None:
        raise WorkflowError("请选择要跟踪的承诺事项。", field="commitment")
    followed_on = data.get("followed_on") or ctx.today
    if followed_on > ctx.today:
        raise WorkflowError("跟踪日期不能晚于今天。", field="followed_on")
    percent = data.get("percent")
    done = bool(data.get("is_done")) or percent == 100
    if done:
        percent = 100
    elif percent is None:
        percent = commitment.percent
    if not 0 <= percent <= 100:
        raise WorkflowError("落实进度应在0到100之间。", field="percent")
    if percent < commitment.percent:
        raise WorkflowError(f"落实进度不能低于上次报告的{commitment.percent}%。", field="percent")
    progress = _required(ctx, "progress", "请填写落实进展。")
    reply = commitment.reply
    refuse_repeat(
        ctx,
        CommitmentFollowUp,
        "同样的落实跟踪记录刚刚已经保存（可能是重复提交），未再次记录。",
        reply=reply,
        commitment=commitment,
        recorded_by=ctx.user,
        progress=progress,
        followed_on=followed_on,
        is_done=done,
    )
    _create(
        CommitmentFollowUp,
        reply=reply,
        commitment=commitment,
        percent=percent,
        progress=progress,
        followed_on=followed_on,
        is_done=done,
        recorded_by=ctx.user,
        created_at=ctx.at,
    )
    _set(commitment, percent=percent, done_on=followed_on if done else None)
    promised.summarize(reply, reply.commitments.all())
    reply.save(update_fields=["commitment", "commitment_due", "commitment_done_on"])
    what = "承诺事项已落实" if done else f"承诺事项落实进展（{percent}%）"
    several = reply.commitments.count() > 1
    ctx.note = f"{what}：" + (f"{commitment.text[:40]}；" if several else "") + progress
    ctx.recipients.office(text=f"{_named(ctx.suggestion)}{what}：{progress}")
    ctx.recipients.deputies(ctx.suggestion, text=f"您的{_named(ctx.suggestion)}{what}：{progress}")


def do_link_commitment(ctx):
    """关联往届承诺: this suggestion repeats a matter an earlier session's reply promised; both pages show it."""
    commitment = ctx.data.get("commitment")
    if commitment is None:
        raise WorkflowError("请选择所重复的承诺事项。", field="commitment")
    earlier = commitment.reply.assignment.suggestion
    if earlier.pk == ctx.suggestion.pk:
        raise WorkflowError("不能关联本建议自己的承诺事项。", field="commitment")
    if not rules.earlier_commitments(ctx.suggestion).filter(pk=commitment.pk).exists():
        raise WorkflowError("只能关联此前会议的建议所作的承诺。", field="commitment")
    if commitment.repeated_by.filter(pk=ctx.suggestion.pk).exists():
        raise WorkflowError("已关联过这一承诺事项。", field="commitment")
    commitment.repeated_by.add(ctx.suggestion)
    ctx.note = f"关联{earlier.session}{earlier.number_label}的承诺事项：{commitment.text[:40]}"


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
