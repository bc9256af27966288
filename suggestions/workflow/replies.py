"""The reply and what follows it: 拟写、签发、退回修改、报送、审核答复, the deputy's rating, 重新办理 and 办结.
Only ``perform`` calls these."""

from django.core.exceptions import ValidationError

from .. import commitments as promised
from .. import deadlines
from .. import rules as regional
from ..formats import date_cn
from ..models import (
    Assignment,
    Commitment,
    Rating,
    RatingLevel,
    Rehandling,
    Reply,
)
from . import rules
from .base import (
    ANSWERING,
    A,
    WorkflowError,
    _create,
    _first_message,
    _named,
    _required,
    _set,
    _settle_pending_requests,
    _units_label,
    current_replies,
    opinions_missing,
)
from .timing import deadline_fields

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
