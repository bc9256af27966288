"""The yearly handling report as a Word draft, for the session chosen on the dashboard."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from .. import report_docx
from ..models import CongressSession, Suggestion
from ..report import compose


def _bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@require_safe
@permission_required("suggestions.view_statistics", raise_exception=True)
def handling_report(request):
    """GET ?session=<id>: the 办理工作情况报告 of what this user may see; a leader gets their portfolio's."""
    chosen = request.GET.get("session", "").strip()
    try:
        pk = int(chosen)
    except ValueError:
        return _bad_request("请指定届次会议 (参数 session 为届次会议的编号)。")
    session = CongressSession.objects.filter(pk=pk).first()
    if session is None:
        return _bad_request(f"没有编号为 {chosen} 的届次会议。")
    user = request.user
    scope = f"{user.leader}分管领域" if user.is_leader and user.leader_id else ""
    suggestions = Suggestion.objects.visible_to(user).filter(session=session)
    report = compose(suggestions, session=session, scope=scope, reader=user)
    response = HttpResponse(report_docx.render(report), content_type=report_docx.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, report.filename)
    return response
