"""Long work in the background, with progress: the 汇总表 of a long list, the statistics workbook, the handling
report and the confirmed write of an import.

    job = jobs.start(owner=user, kind=Job.Kind.SUMMARY, title=..., parameters={...}, total=rows)
    # the request answers with the job's page; its progress bar polls ``done`` of ``total``

``start`` creates the ``Job`` and enqueues ``run_job`` in one transaction (Django's tasks API: the database
backend of django-tasks-db and ``manage.py db_worker`` in production, the immediate backend in tests and under
``make run``, where the job is finished before the redirect). ``run_job`` calls the job's maker, which counts its
rows through ``Progress`` and leaves a file (served from 「我的下载」 to its owner only, ``access.job_for``) or,
for an import, what it wrote. A job of at most ``settings.JOBS_INSTANT_ROWS`` rows answers at once instead
(``is_small``). ``prune`` removes jobs past ``expires_at`` (``settings.DOWNLOADS_KEEP_DAYS`` after they end), with
their files.
"""

import datetime
import logging
import secrets
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import QueryDict
from django.tasks import task
from django.utils import timezone

from . import exports, imports, report_docx, selectors
from .db_routers import replica_reads
from .formats import number_label
from .imports import pending as pending_rows
from .models import CongressSession, Job, Suggestion
from .report import compose

logger = logging.getLogger(__name__)

FAILED_UNEXPECTEDLY = "生成时出错，没有得到文件。请稍后重试；如仍失败，请联系系统管理员。"


class JobFailed(Exception):
    """A job that cannot be done as asked: ``message`` is shown on its page, ``result`` kept with it."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.message = message
        self.result = result or {}


def is_small(rows: int) -> bool:
    """Whether a job of ``rows`` rows answers at once, in the request, rather than in the background."""
    return rows <= settings.JOBS_INSTANT_ROWS


def keep_until(moment):
    return moment + datetime.timedelta(days=settings.DOWNLOADS_KEEP_DAYS)


def start(*, owner, kind, title, parameters, total=0) -> Job:
    """Create the job and enqueue its task, both or neither; returns the job as it is now (finished already
    under the immediate backend)."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.create(
            owner=owner,
            kind=kind,
            title=title[:200],
            parameters=parameters,
            total=total,
            created_at=now,
            expires_at=keep_until(now),
        )
        run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


class Progress:
    """Counts a job's rows into its row, at most twice a second. Outside a transaction it updates the row;
    inside one (an import writes all rows or none) it writes through a connection of its own on PostgreSQL,
    so the progress bar moves while the rows wait for their commit. SQLite has one writer at a time: there
    the count shows when the transaction ends."""

    INTERVAL = 0.5

    def __init__(self, job):
        self.job = job
        self._side = None
        self._last = time.monotonic()

    def start(self, total):
        self.job.total, self.job.done = total, 0
        if not connection.in_atomic_block:
            self._write()

    def __call__(self, done):
        self.job.done = done
        if time.monotonic() - self._last >= self.INTERVAL:
            self._write()

    def _write(self):
        self._last = time.monotonic()
        job = self.job
        if not connection.in_atomic_block:
            # named: the count is not one of the job's reads, which may go on reading from a replica
            Job.objects.using(DEFAULT_DB_ALIAS).filter(pk=job.pk).update(done=job.done, total=job.total)
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET done = %s, total = %s WHERE id = %s",  # noqa: S608
                    [job.done, job.total, job.pk],
                )

    def close(self):
        if self._side is not None:
            self._side.close()
            self._side = None


@task
def run_job(job_id):
    """Do job ``job_id`` once: a job already started (a task run twice) or pruned is left alone."""
    if not Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(state=Job.State.RUNNING):
        return
    job = Job.objects.select_related("owner").get(pk=job_id)
    progress = Progress(job)
    try:
        with replica_reads() if job.kind in READ_ONLY_KINDS else nullcontext():
            MAKERS[job.kind](job, progress)
    except JobFailed as failure:
        _finish(job, Job.State.FAILED, error=failure.message, result=failure.result)
        return
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.State.FAILED, error=FAILED_UNEXPECTEDLY)
        raise
    finally:
        progress.close()
    _finish(job, Job.State.DONE)


def _finish(job, state, *, error="", result=None):
    now = timezone.now()
    job.state, job.finished_at, job.expires_at, job.error = state, now, keep_until(now), error
    if result is not None:
        job.result = result
    if state == Job.State.DONE:
        job.done = job.total
    job.save(
        update_fields=[
            "state",
            "finished_at",
            "expires_at",
            "error",
            "result",
            "done",
            "total",
            "file",
            "filename",
        ]
    )


def _keep_file(job, write, filename):
    """Run ``write(file)`` on a temporary file and keep it as the job's download, named ``filename``."""
    suffix = Path(filename).suffix
    with tempfile.TemporaryFile(suffix=suffix) as file:
        write(file)
        file.seek(0)
        job.file.save(f"{job.pk}-{secrets.token_hex(8)}{suffix}", File(file), save=False)
    job.filename = filename


# The makers: one per kind, each reading its parameters as the request left them.


def make_summary(job, progress):
    """parameters: ``query`` (the list's filter parameters), ``note`` (the filters, in words), ``today``."""
    params = job.parameters
    filterset = selectors.filtered_suggestions(job.owner, QueryDict(params["query"]))
    if not filterset.is_valid():
        raise JobFailed("筛选条件有误，无法导出。请回到建议列表重新筛选后导出。")
    queryset = filterset.qs
    progress.start(queryset.count())
    today = datetime.date.fromisoformat(params["today"])
    session = filterset.form.cleaned_data.get("session")

    def write(file):
        exports.write_summary(
            queryset, file, today=today, note=params.get("note", ""), reader=job.owner, progress=progress
        )

    _keep_file(job, write, exports.filename("建议办理情况汇总表", session.name if session else "", today))


def statistics_scope(user, session):
    """The suggestions ``user`` may see in ``session`` (all sessions when None), and the scope's name."""
    visible = Suggestion.objects.visible_to(user)
    if session is None:
        return visible, exports.ALL_SESSIONS
    return visible.filter(session=session), session.name


def make_statistics(job, progress):
    """parameters: ``session`` (an id, or None for all sessions), ``today``."""
    params = job.parameters
    session = None
    if params.get("session") is not None:
        session = CongressSession.objects.filter(pk=params["session"]).first()
        if session is None:
            raise JobFailed("该届次会议已不存在，无法导出。")
    scope, label = statistics_scope(job.owner, session)
    today = datetime.date.fromisoformat(params["today"])
    progress.start(exports.STATISTICS_SHEETS)
    _keep_file(
        job,
        lambda file: exports.write_statistics(scope, file, scope=label, today=today, progress=progress),
        exports.filename("建议办理情况统计表", label, today),
    )


def handling_report(user, session, progress=None):
    """The 办理工作情况报告 of what ``user`` may see of ``session`` (a leader's portfolio for a leader), as
    (filename, the .docx bytes); ``progress`` counts its two steps, the figures and the document."""
    scope = f"{user.leader}分管领域" if user.is_leader and user.leader_id else ""
    suggestions = Suggestion.objects.visible_to(user).filter(session=session)
    report = compose(suggestions, session=session, scope=scope, reader=user)
    if progress:
        progress(1)
    return report.filename, report_docx.render(report)


REPORT_STEPS = 2


def make_report(job, progress):
    """parameters: ``session`` (an id)."""
    session = CongressSession.objects.filter(pk=job.parameters["session"]).first()
    if session is None:
        raise JobFailed("该届次会议已不存在，无法生成报告。")
    progress.start(REPORT_STEPS)
    filename, content = handling_report(job.owner, session, progress)
    _keep_file(job, lambda file: file.write(content), filename)


def make_import(job, progress):
    """parameters: ``token`` (the rows read on upload, kept by ``imports.pending``), ``session``, ``assign``. All rows
    or none, as ``imports.run_import`` writes them; the file is deleted either way."""
    params = job.parameters
    token = params["token"]
    session = CongressSession.objects.filter(pk=params["session"]).first()
    try:
        if session is None or not pending_rows.exists(token):
            raise JobFailed("找不到已预览的导入文件（可能已导入或已过期），没有写入任何数据。请重新上传。")
        plan = imports.checked(
            imports.ImportPlan.from_json(pending_rows.read(token), session=session), session=session
        )
        progress.start(len(plan.rows))
        try:
            result = imports.run_import(plan, user=job.owner, assign=params["assign"], progress=progress)
        except imports.ImportFailed as failure:
            problems = plan.errors or failure.problems
            raise JobFailed(
                "导入未完成，没有写入任何数据。请修改后重新上传。",
                result={"problems": [str(problem) for problem in problems]},
            ) from failure
    finally:
        pending_rows.discard(token)
    job.result = {
        "session": session.pk,
        "assigned": result.assigned,
        "registered": [[s.pk, number_label(s.number), s.title] for s in result.registered],
    }


def make_history(job, progress):
    """parameters: ``token`` (the rows read on upload), ``name`` and ``year`` (the session, found or created
    as on the preview), ``filename``. All rows or none, as ``history.run_history_import`` writes them."""
    from .imports import history, sessions

    params = job.parameters
    token = params["token"]
    try:
        if not pending_rows.exists(token):
            raise JobFailed("找不到已预览的导入文件（可能已导入或已过期），没有写入任何数据。请重新上传。")
        try:
            session, created = sessions.find_or_new_session(params["name"], year=params["year"])
        except imports.ImportFileError as error:
            raise JobFailed(str(error.problem)) from error
        plan = history.HistoryPlan.from_json(pending_rows.read(token), session=session)
        plan = history.checked_history(plan, session=session, created=created)
        progress.start(len(plan.rows))
        try:
            result = history.run_history_import(
                plan, user=job.owner, source=params.get("filename", ""), progress=progress
            )
        except imports.ImportFailed as failure:
            problems = plan.errors or failure.problems
            raise JobFailed(
                "导入未完成，没有写入任何数据。请修改后重新上传。",
                result={"problems": [str(problem) for problem in problems]},
            ) from failure
    finally:
        pending_rows.discard(token)
    job.result = {
        "session": result.session.pk,
        "registered": [[s.pk, number_label(s.number), s.title] for s in result.written],
    }


# The kinds that only read (and write their file): with a read replica they read from it (db_routers.py).
READ_ONLY_KINDS = {Job.Kind.SUMMARY, Job.Kind.STATISTICS, Job.Kind.REPORT}

MAKERS = {
    Job.Kind.SUMMARY: make_summary,
    Job.Kind.STATISTICS: make_statistics,
    Job.Kind.REPORT: make_report,
    Job.Kind.IMPORT: make_import,
    Job.Kind.HISTORY: make_history,
}


def prune(now=None) -> int:
    """Delete the jobs kept past ``expires_at`` and their files; returns how many."""
    expired = Job.objects.filter(expires_at__lte=now or timezone.now())
    count = 0
    for job in expired.only("pk", "file"):
        if job.file:
            job.file.delete(save=False)
        count += 1
    expired.delete()
    return count
