"""Excel downloads: the 建议办理情况汇总表 of the list's rows, and the statistics workbook of the dashboard's
figures. Up to ``settings.JOBS_INSTANT_ROWS`` suggestions, they are written to a temporary file, streamed to the
browser and deleted when the response closes; a longer one runs in the background (``downloads.launch``) and
its file appears in 「我的下载」."""

import tempfile

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import exports, jobs, selectors
from ..db_routers import replica_reads
from ..models import CongressSession, Job
from .downloads import launch


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
        parts.append(f"{field.label}：{shown}")
    return "筛选条件：" + "；".join(parts) if parts else ""


@require_http_methods(["GET", "POST"])
@permission_required("suggestions.export", raise_exception=True)
@replica_reads()
def export_summary(request):
    """GET or POST /exports/summary.xlsx?<the list's filter parameters>: the rows the list shows, all pages."""
    filterset = selectors.filtered_suggestions(request.user, request.GET)
    if not filterset.is_valid():
        errors = "；".join(
            f"{filterset.form.fields[name].label if name in filterset.form.fields else name}：{'、'.join(messages)}"
            for name, messages in filterset.form.errors.items()
        )
        return _bad_request(f"筛选条件有误，无法导出。{errors}")
    session = filterset.form.cleaned_data.get("session")
    today = timezone.localdate()
    note = describe_filters(filterset)
    rows = filterset.qs.count()
    if not jobs.is_small(rows):
        return launch(
            request,
            kind=Job.Kind.SUMMARY,
            title=f"建议办理情况汇总表（{session.name if session else exports.ALL_SESSIONS}）",
            parameters={"query": request.GET.urlencode(), "note": note, "today": today.isoformat()},
            total=rows,
        )
    return _xlsx_response(
        lambda file: exports.write_summary(filterset.qs, file, today=today, note=note, reader=request.user),
        exports.filename("建议办理情况汇总表", session.name if session else "", today),
    )


@require_http_methods(["GET", "POST"])
@permission_required("suggestions.export", raise_exception=True)
@replica_reads()
def export_statistics(request):
    """GET or POST /exports/statistics.xlsx?session=<id|all>: the dashboard's figures; the current session by
    default."""
    chosen = request.GET.get("session") or ""
    if chosen == "all":
        session = None
    elif chosen:
        session = CongressSession.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        if session is None:
            return _bad_request(f"没有编号为「{chosen}」的届次会议，无法导出。")
    else:
        session = selectors.current_session()
    scope, label = jobs.statistics_scope(request.user, session)
    today = timezone.localdate()
    rows = scope.count()
    if not jobs.is_small(rows):
        return launch(
            request,
            kind=Job.Kind.STATISTICS,
            title=f"建议办理情况统计表（{label}）",
            parameters={"session": session.pk if session else None, "today": today.isoformat()},
            total=exports.STATISTICS_SHEETS,
        )
    return _xlsx_response(
        lambda file: exports.write_statistics(scope, file, scope=label, today=today),
        exports.filename("建议办理情况统计表", label, today),
    )
