"""并案 (handled together) and 相关建议 (related suggestions).

并案: several suggestions of one session, all registered (or all assigned to the same units and not yet signed
for), are handled by one lead unit together. One of them is the main one (主建议); the others point to it
(``Suggestion.merged_into``). Every action of the handling on the main one (``FOLLOW_MAIN``: 交办, 签收, 协办意见,
拟写、签发、报送、审核答复 ...) is repeated by ``perform`` on each suggestion merged into it, with the same data:
the same units and deadline, the same reply text (the same 文号, or each its own: ``member_document_numbers``).
Each suggestion so keeps its own parts, reply, rating and events, and the figures count each. Those actions
are refused on a merged suggestion itself while it is in step with its main one (the same round); after an
unsatisfied rating it is re-handled on its own. Contacts are logged with each deputy on their own
suggestion; a reassignment is not repeated (the next repeated action then asks to split first). 拆分 (split)
undoes the merge.
"""

import contextvars

from ..models import Suggestion
from .base import A, S, WorkflowError, _required

# The actions on the main suggestion that every suggestion merged into it takes too.
FOLLOW_MAIN = (
    "assign",
    "sign_for",
    "request_extension",
    "rule_extension",
    "send_opinion",
    "draft_reply",
    "sign_reply",
    "return_draft",
    "submit_reply",
    "review_reply",
)
MERGEABLE = (S.REGISTERED, S.ASSIGNED)

# The main suggestion while its action is repeated on the merged ones (None otherwise).
FOLLOWING: contextvars.ContextVar = contextvars.ContextVar("following_main", default=None)

# What is not repeated: the key-suggestion marks are the main one's; a signed PDF is one deputy's letter.
NOT_REPEATED = ("attachment", "is_key", "supervising_leader", "key_order", "member_document_numbers")


def main_of(suggestion):
    return Suggestion.objects.filter(pk=suggestion.merged_into_id).only("number", "round").first()


def following_refusal(action, suggestion):
    """Why ``action`` may not be taken on ``suggestion`` directly: it is merged and in step with its main one."""
    if action.name not in FOLLOW_MAIN or not suggestion.merged_into_id or FOLLOWING.get() is not None:
        return None
    main = main_of(suggestion)
    if main is None or main.round != suggestion.round:
        return None
    return f"本建议已并入{main.number_label}办理，请在{main.number_label}上{action.label}。"


def follow_main(ctx, perform):
    """Repeat the action just taken on the main suggestion on each suggestion merged into it (in its round)."""
    action, main = ctx.action, ctx.suggestion
    if action.name not in FOLLOW_MAIN or FOLLOWING.get() is not None:
        return
    members = list(main.merged.filter(round=main.round).order_by("number"))
    if not members:
        return
    token = FOLLOWING.set(main)
    try:
        for member in members:
            part = None
            if action.on_assignment:
                a = ctx.assignment
                part = (
                    member.assignments.current()
                    .filter(round=member.round, unit_id=a.unit_id, role=a.role)
                    .first()
                )
                if part is None:
                    raise WorkflowError(
                        f"并案的{member.number_label}没有{a.unit.name}的承办任务，请先拆分后分别办理。"
                    )
            data = {k: v for k, v in ctx.data.items() if k not in NOT_REPEATED}
            own_number = (ctx.data.get("member_document_numbers") or {}).get(member.pk)
            if own_number:
                data["document_number"] = own_number
            try:
                perform(action.name, user=ctx.user, suggestion=member, assignment=part, at=ctx.at, **data)
            except WorkflowError as exc:
                prefix = f"并案的{member.number_label}："
                raise WorkflowError(
                    prefix + exc.message, errors={k: prefix + v for k, v in exc.errors.items()}
                ) from exc
    finally:
        FOLLOWING.reset(token)


def _labels(suggestions):
    return "、".join(s.number_label for s in suggestions)


def _parts_key(suggestion):
    return sorted(
        (a.unit_id, a.role, a.state) for a in suggestion.assignments.current().filter(round=suggestion.round)
    )


def do_merge(ctx, perform):
    """并案 on the main suggestion with ``members`` (suggestions) and ``reason``; each member then takes 并案
    itself (its own event), pointing to the main one."""
    s = ctx.suggestion
    main = FOLLOWING.get()
    if main is not None:  # a member joining its main suggestion
        s.merged_into = main
        s.save(update_fields=["merged_into", "updated_at"])
        ctx.note = (
            f"并入{main.number_label}并案办理，由{main.number_label}的承办单位一并答复：{ctx.data['reason']}"
        )
        return
    reason = _required(ctx, "reason", "请写明并案的理由。")
    chosen = [m.pk for m in ctx.data.get("members") or []]
    if not chosen:
        raise WorkflowError("请选择要并案的建议。", field="members")
    if s.pk in chosen:
        raise WorkflowError("主建议不能与自己并案。", field="members")
    members = list(Suggestion.objects.select_for_update().filter(pk__in=chosen).order_by("number"))
    ours = _parts_key(s) if s.state == S.ASSIGNED else None
    if ours is not None and any(state != A.PENDING for *_, state in ours):
        raise WorkflowError("承办单位已签收，不能再并案。")
    for m in members:
        if m.session_id != s.session_id:
            raise WorkflowError(
                f"{m.number_label}不是本次会议的建议，只有同一次会议的建议才能并案。", field="members"
            )
        if m.state != s.state:
            raise WorkflowError(
                f"{m.number_label}的状态为「{m.get_state_display()}」，与主建议不同，不能并案。",
                field="members",
            )
        if m.merged_into_id:
            raise WorkflowError(f"{m.number_label}已并入其他建议。", field="members")
        if m.merged.exists():
            raise WorkflowError(f"{m.number_label}已是另一组并案的主建议，请先拆分。", field="members")
        if ours is not None and _parts_key(m) != ours:
            raise WorkflowError(f"{m.number_label}的承办单位与主建议不同，不能并案。", field="members")
    token = FOLLOWING.set(s)
    try:
        for m in members:
            perform("merge", user=ctx.user, suggestion=m, at=ctx.at, reason=reason)
    finally:
        FOLLOWING.reset(token)
    ctx.note = f"与{_labels(members)}并案办理，本建议为主建议：{reason}"


def do_split(ctx, perform):
    """拆分 on the main suggestion: every suggestion merged into it is handled on its own again."""
    s = ctx.suggestion
    main = FOLLOWING.get()
    reason = _required(ctx, "reason", "请写明拆分的理由。")
    if main is not None:
        s.merged_into = None
        s.save(update_fields=["merged_into", "updated_at"])
        ctx.note = f"与{main.number_label}拆分，今后单独办理：{reason}"
        return
    members = list(s.merged.select_for_update().order_by("number"))
    token = FOLLOWING.set(s)
    try:
        for m in members:
            perform("split", user=ctx.user, suggestion=m, at=ctx.at, reason=reason)
    finally:
        FOLLOWING.reset(token)
    ctx.note = f"拆分并案，{_labels(members)}今后单独办理：{reason}"


def may_merge(ctx):
    s = ctx.suggestion
    if s.merged_into_id:
        main = main_of(s)
        return f"本建议已并入{main.number_label}。"
    return None


def may_split(ctx):
    s = ctx.suggestion
    if FOLLOWING.get() is not None:
        return None
    if s.merged_into_id:
        return f"请在主建议{main_of(s).number_label}上拆分。"
    if not s.merged.exists():
        return "本建议没有并案。"
    return None


def do_relate(ctx):
    """标记相关: the relation is kept both ways (each suggestion's page shows the other)."""
    s, other = ctx.suggestion, ctx.data.get("other")
    if other is None:
        raise WorkflowError("请选择相关的建议。", field="other")
    if other.pk == s.pk:
        raise WorkflowError("建议不能与自己相关。", field="other")
    if s.related.filter(pk=other.pk).exists():
        raise WorkflowError(f"已标记与{other.session.short_name}{other.number_label}相关。", field="other")
    s.related.add(other)
    ctx.note = f"标记与{other.session.short_name}{other.number_label}《{other.title}》相关"


def do_unrelate(ctx):
    s, other = ctx.suggestion, ctx.data.get("other")
    if other is None or not s.related.filter(pk=other.pk).exists():
        raise WorkflowError("这两件建议没有标记为相关。", field="other")
    s.related.remove(other)
    ctx.note = f"取消与{other.session.short_name}{other.number_label}《{other.title}》的相关标记"
