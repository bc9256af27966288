"""「我的下载」: a person's background jobs (suggestions/jobs.py), each job's page with its progress bar, the
progress as JSON for the bar's polling (static/js/job-progress.js) and the finished file, all for the job's
owner only (``access.job_for``)."""

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .. import access, jobs
from ..models import Job

UNITS = {
    Job.Kind.SUMMARY: "行",
    Job.Kind.STATISTICS: "张工作表",
    Job.Kind.REPORT: "步",
    Job.Kind.IMPORT: "行",
    Job.Kind.HISTORY: "行",
}


def launch(request, *, kind, title, parameters, total):
    """A job too long for one request: on POST start it and show its page; on GET (a link followed, a page
    reloaded) only say what would run, with the button that starts it, as GET changes nothing."""
    if request.method != "POST":
        return render(
            request,
            "suggestions/job_confirm.html",
            {"title": title, "total": total, "unit": UNITS[kind], "action": request.get_full_path()},
        )
    job = jobs.start(owner=request.user, kind=kind, title=title, parameters=parameters, total=total)
    return redirect("suggestions:job", pk=job.pk)


@require_safe
def download_list(request):
    jobs_kept = access.jobs_of(request.user)[:200]
    return render(
        request, "suggestions/downloads.html", {"jobs": jobs_kept, "keep_days": settings.DOWNLOADS_KEEP_DAYS}
    )


@require_safe
def job_page(request, pk):
    job = access.job_for(request.user, pk)
    return render(request, "suggestions/job.html", {"job": job, "unit": UNITS[job.kind], "state": Job.State})


@require_safe
def job_progress(request, pk):
    """GET: {state, state_label, done, total, percent, finished, file} for the progress bar; one query."""
    job = access.job_for(request.user, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "unit": UNITS[job.kind],
            "percent": job.percent,
            "finished": job.is_finished,
            "file": reverse("suggestions:job_file", args=[job.pk]) if job.file else "",
        }
    )


@require_safe
def job_file(request, pk):
    job = access.job_for(request.user, pk)
    if not job.file:
        raise Http404("这项任务没有生成文件。")
    try:
        file = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件已被删除。") from exc
    return FileResponse(file, as_attachment=True, filename=job.filename)
