"""The yearly handling report as a Word draft, for the session chosen on the dashboard."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from .. import jobs, report_docx
from ..db_routers import replica_reads
from ..models import CongressSession, Job, Suggestion
from .downloads import launch


def _bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "POST"])
@permission_required("suggestions.view_statistics", raise_exception=True)
@replica_reads()
def handling_report(request):
    """GET or POST ?session=<id>: the 办理工作情况报告 of what this user may see; a leader gets their
    portfolio's. A session of more than ``settings.JOBS_INSTANT_ROWS`` suggestions is written in the
    background."""
    chosen = request.GET.get("session", "").strip()
    try:
        pk = int(chosen)
    except ValueError:
        return _bad_request("请指定届次会议（参数 session 为届次会议的编号）。")
    session = CongressSession.objects.filter(pk=pk).first()
    if session is None:
        return _bad_request(f"没有编号为 {chosen} 的届次会议。")
    rows = Suggestion.objects.visible_to(request.user).filter(session=session).count()
    if not jobs.is_small(rows):
        return launch(
            request,
            kind=Job.Kind.REPORT,
            title=f"办理工作情况报告（{session.name}）",
            parameters={"session": session.pk},
            total=jobs.REPORT_STEPS,
        )
    filename, content = jobs.handling_report(request.user, session)
    response = HttpResponse(content, content_type=report_docx.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
