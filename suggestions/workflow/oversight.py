"""The office's and leaders' actions beside the handling: 公开, 督办 and the key-suggestion order, 批示, and
the commitments' progress after closing (落实跟踪). Only ``perform`` calls these."""

from .. import commitments as promised
from ..models import (
    CommitmentFollowUp,
    SupervisionNote,
)
from . import rules
from .base import (
    WorkflowError,
    _create,
    _named,
    _required,
    _set,
    accepted_replies,
    refuse_repeat,
)
from .registration import check_key_order
from .rules import _open_commitments


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
