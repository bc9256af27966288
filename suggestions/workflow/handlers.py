"""What each action does, given a checked and locked ``Context``. Only ``perform`` calls these."""

from django.core.exceptions import FieldDoesNotExist

from .. import deadlines, search
from ..formats import date_cn
from ..models import (
    Assignment,
    ContactRecord,
    CoUnitOpinion,
    ReassignmentRequest,
    Suggestion,
)
from .base import (
    ANSWERING,
    A,
    S,
    WorkflowError,
    _create,
    _named,
    _required,
    _rule_on,
    _set,
    _settle_pending_requests,
    _units_label,
    refuse_repeat,
)
from .registration import EDITABLE_FIELDS, check_key_order, settle_registration
from .timing import deadline_fields


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


def mark_contacted(s, methods):
    """The suggestion's 已沟通 and 见面沟通 flags (``statistics.summary`` counts them): set, never cleared, as
    its contact records are never removed."""
    met = s.met or any(m in ContactRecord.FACE_TO_FACE for m in methods)
    if methods and not (s.contacted and s.met == met):
        s.contacted, s.met = True, met
        s.save(update_fields=["contacted", "met"])


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
    mark_contacted(ctx.suggestion, [record.method])
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
