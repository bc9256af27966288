"""The documents the office hands out, as Word files: 交办通知单 (one part, or all of a unit's parts in a session)
and 督办通知单. Who may download which is ``notices``' answer; what one may not see is a 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from .. import notices, notices_docx, selectors
from ..models import CongressSession, HandlingUnit


def _docx(notice):
    response = HttpResponse(notices_docx.render(notice), content_type=notices_docx.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, notice.filename)
    return response


def _bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _office_or_unit(user):
    """The roles that may download a 交办通知单 at all; any other gets the 403 page before any lookup."""
    if not (user.has_perm("suggestions.assign") or user.is_unit_member):
        raise PermissionDenied


@require_safe
def assignment_notice(request, pk):
    """GET: the 交办通知单 of one unit's part: the office's, or the unit's own."""
    _office_or_unit(request.user)
    parts = notices.assignment_parts_for(request.user).select_related(
        "unit",
        "suggestion__session",
        "suggestion__category",
        "suggestion__lead_deputy",
        "suggestion__delegation",
        "suggestion__supervising_leader",
    )
    part = get_object_or_404(
        parts.prefetch_related("suggestion__assignments__unit", "suggestion__joint_deputies"), pk=pk
    )
    contact = notices.office_contact(request.user, part.suggestion)
    return _docx(notices.assignment_notice(part, contact=contact))


@require_safe
def unit_notice(request):
    """GET ?unit=<id>&session=<id>: the 交办通知单 listing all of a unit's parts in a session. A unit's own staff
    may leave out ``unit``; ``session`` is the current one unless given."""
    user = request.user
    _office_or_unit(user)
    unit_id = request.GET.get("unit", "").strip() or (str(user.unit_id) if user.is_unit_member else "")
    if not unit_id.isdigit():
        return _bad_request("请指定承办单位（参数 unit 为承办单位的编号）。")
    unit = HandlingUnit.objects.filter(pk=int(unit_id)).first()
    if unit is None or not notices.may_download_unit_notice(user, unit):  # another unit's list
        raise Http404("没有这个单位的交办通知单，或您无权下载。")
    chosen = request.GET.get("session", "").strip()
    if chosen:
        session = CongressSession.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if session is None:
            return _bad_request(f"没有编号为 {chosen} 的届次会议。")
    else:
        session = selectors.current_session()
        if session is None:
            return _bad_request("还没有届次会议。")
    parts = notices.unit_parts(user, unit, session)
    contact = user if user.has_perm("suggestions.assign") else None
    return _docx(notices.unit_notice(unit, session, parts, contact=contact))


@require_safe
def supervision_notice(request, pk):
    """GET: the 督办通知单 (催办通知单) of one supervision note, for the office."""
    if not notices.may_download_supervision_notice(request.user):
        raise PermissionDenied
    note = get_object_or_404(
        notices.supervision_notes_for(request.user)
        .select_related("author", "suggestion__session", "suggestion__lead_deputy", "suggestion__delegation")
        .prefetch_related("suggestion__assignments__unit"),
        pk=pk,
    )
    return _docx(notices.supervision_notice(note))
