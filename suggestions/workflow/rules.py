"""Conditions an action needs beyond role and state; each returns a refusal message, or None."""

import datetime
import uuid

from django.conf import settings
from django.utils import timezone

from .. import deadlines
from ..models import (
    Reply,
    Ruling,
)
from .base import WorkflowError, accepted_replies, current_replies


def size_label(size):
    """20 MB, 1.5 MB, 512 KB: a limit as people read it (a limit under 1 MB is not "0 MB")."""
    mb = size / (1024 * 1024)
    return f"{mb:.3g} MB" if mb >= 1 else f"{size / 1024:.3g} KB"


# A PDF ends with %%EOF, give or take a few bytes of line ends or padding some writers add after it.
PDF_TAIL = 1024
# Markup a browser would run if the file were ever shown as a page: never part of a scanned letter.
MARKUP = (
    b"<script",
    b"<html",
    b"<!doctype",
    b"<body",
    b"<iframe",
    b"<svg",
    b"<object",
    b"<embed",
    b"javascript:",
)
CHUNK = 1024 * 1024


def checked_letter(upload, field="attachment"):
    """A signed reply letter as it may be kept: a PDF by its content, not its name (it starts with %PDF-, ends
    with %%EOF, and holds no HTML or script anywhere), not empty, within ``UPLOAD_MAX_BYTES``; stored under a
    generated name, never the one it came with."""
    limit = settings.UPLOAD_MAX_BYTES
    if not upload.size:
        raise WorkflowError("上传的文件是空的。", field=field)
    if upload.size > limit:
        raise WorkflowError(f"文件不能超过{size_label(limit)}。", field=field)
    upload.seek(0)
    head = upload.read(5)
    upload.seek(max(upload.size - PDF_TAIL, 0))
    tail = upload.read(PDF_TAIL)
    upload.seek(0)
    if head != b"%PDF-" or b"%%EOF" not in tail:
        raise WorkflowError("只能上传PDF文件（所选文件不是完整的PDF）。", field=field)
    if _holds_markup(upload):
        raise WorkflowError("文件中含有网页或脚本代码，不能作为答复函上传。", field=field)
    upload.name = f"{uuid.uuid4().hex}.pdf"
    return upload


def _holds_markup(upload):
    """Whether any chunk of the file (its seams included) holds HTML or script, whatever the letters' case."""
    overlap = max(len(m) for m in MARKUP) - 1
    carry = b""
    upload.seek(0)
    try:
        while chunk := upload.read(CHUNK):
            window = (carry + chunk).lower()
            if any(marker in window for marker in MARKUP):
                return True
            carry = window[-overlap:]
        return False
    finally:
        upload.seek(0)


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
        return "已超过办理期限，延期须在期限届满前申请。"
    if _pending(a, "extension_requests"):
        return "已有待审批的延期申请。"
    return None


def _round_is_current(ctx):
    if ctx.assignment.round != ctx.suggestion.round:
        return "这是以前轮次的办理，不能再操作。"
    return None


def _deputy_may_rate(ctx):
    deputy = ctx.user.deputy
    if deputy is None or deputy.pk not in {d.pk for d in ctx.suggestion.deputies}:
        return "只有本建议的代表可以评价。"
    replies = current_replies(ctx.suggestion)
    if not Reply.objects.filter(pk__in=replies).exclude(ratings__deputy=deputy).exists():
        return "您已评价过本轮答复。"
    return None


def accepted(ctx):
    """The suggestion's accepted replies (``accepted_replies``), read once for all the checks sharing ``ctx.known``:
    from the parts ``available_actions`` was given (their replies and ratings prefetched), else from the database."""
    if "accepted" not in ctx.known:
        ctx.known["accepted"] = accepted_replies(ctx.suggestion)
    return ctx.known["accepted"]


def _may_close(ctx):
    s = ctx.suggestion
    replies = [r for r in accepted(ctx) if r.assignment.round == s.round]  # ``current_replies``
    rated = all(r.ratings.exists() for r in replies)
    waited = s.replied_at and ctx.today > timezone.localdate(s.replied_at) + datetime.timedelta(
        days=deadlines.rule("rating_days")
    )
    if not rated and not waited:
        return f"代表尚未评价；答复满{deadlines.rule('rating_days')}天仍未评价的方可办结。"
    return None


def _has_unpublished(ctx):
    if not any(r.published_at is None for r in accepted(ctx)):
        return "没有待公开的答复。"
    return None


def _open_commitments(ctx):
    """Accepted B-class replies not yet carried out; a unit sees only the commitments it made itself."""
    replies = [r for r in accepted(ctx) if r.commitment_open]
    if ctx.user.is_unit_member:
        replies = [r for r in replies if r.assignment.unit_id == ctx.user.unit_id]
    return replies


def _has_open_commitment(ctx):
    if not any(r.commitment_open for r in accepted(ctx)):
        return "没有待落实的B类承诺。"
    if not _open_commitments(ctx):
        return "只有作出承诺的单位可以记录落实情况。"
    return None


def earlier_commitments(suggestion):
    """Accepted replies' commitments of sessions before ``suggestion``'s: what it may be linked to as repeating."""
    from django.db.models import Q

    from ..models import Commitment

    t, m = suggestion.session.term, suggestion.session.meeting
    prefix = "reply__assignment__suggestion__session__"
    return Commitment.objects.filter(reply__state=Reply.State.ACCEPTED).filter(
        Q(**{f"{prefix}term__lt": t}) | Q(**{f"{prefix}term": t, f"{prefix}meeting__lt": m})
    )


def _has_earlier_commitments(ctx):
    if not earlier_commitments(ctx.suggestion).exists():
        return "此前会议的答复中没有承诺事项可关联。"
    return None


def _leader_supervises(ctx):
    s = ctx.suggestion
    if ctx.user.leader_id not in (s.leader_id, s.supervising_leader_id):
        return "只能对分管领域的建议作出批示。"
    return None


def _is_key(ctx):
    if not ctx.suggestion.is_key:
        return "只有重点建议才能排序。"
    return None


def _all(*rules):
    def rule(ctx):
        for r in rules:
            message = r(ctx)
            if message:
                return message
        return None

    return rule
