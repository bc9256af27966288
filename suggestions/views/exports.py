"""Excel downloads: the 建议办理情况汇总表 of the list's rows, and the statistics workbook of the dashboard's
figures. Both are written to a temporary file, streamed to the browser and deleted when the response closes."""

import tempfile

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import exports, selectors
from ..models import CongressSession, Suggestion


def _bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _xlsx_response(write, filename):
    """Run ``write(file)`` on an unnamed temporary file and stream it; closing the response deletes it."""
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        write(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return FileResponse(file, as_attachment=True, filename=filename, content_type=exports.CONTENT_TYPE)


def describe_filters(filterset) -> str:
    """The filters in force besides the session, for the subtitle: 筛选条件: 类别: 城建交通; 超期: 是."""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if name in ("session", "ordering") or value in (None, "", [], ()):
            continue
        field = filterset.form.fields[name]
        if isinstance(value, bool):
            shown = "是" if value else "否"
        elif isinstance(value, str) and getattr(field, "choices", None):
            shown = {str(key): label for key, label in field.choices}.get(value, value)
        else:
            shown = value
        parts.append(f"{field.label}: {shown}")
    return "筛选条件: " + "; ".join(parts) if parts else ""


@require_safe
@permission_required("suggestions.export", raise_exception=True)
def export_summary(request):
    """GET /exports/summary.xlsx?<the list's filter parameters>: the rows the list shows, all pages."""
    filterset = selectors.filtered_suggestions(request.user, request.GET)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{filterset.form.fields[name].label if name in filterset.form.fields else name}: {'、'.join(messages)}"
            for name, messages in filterset.form.errors.items()
        )
        return _bad_request(f"筛选条件有误, 无法导出。{errors}")
    session = filterset.form.cleaned_data.get("session")
    today = timezone.localdate()
    return _xlsx_response(
        lambda file: exports.write_summary(
            filterset.qs, file, today=today, note=describe_filters(filterset), reader=request.user
        ),
        exports.filename("建议办理情况汇总表", session.name if session else "", today),
    )


@require_safe
@permission_required("suggestions.export", raise_exception=True)
def export_statistics(request):
    """GET /exports/statistics.xlsx?session=<id|all>: the dashboard's figures; the current session by default."""
    chosen = request.GET.get("session") or ""
    visible = Suggestion.objects.visible_to(request.user)
    if chosen == "all":
        session = None
    elif chosen:
        session = CongressSession.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        if session is None:
            return _bad_request(f"没有编号为「{chosen}」的届次会议, 无法导出。")
    else:
        session = selectors.current_session()
    scope = visible.filter(session=session) if session else visible
    label = session.name if session else exports.ALL_SESSIONS
    today = timezone.localdate()
    return _xlsx_response(
        lambda file: exports.write_statistics(scope, file, scope=label, today=today),
        exports.filename("建议办理情况统计表", label, today),
    )
