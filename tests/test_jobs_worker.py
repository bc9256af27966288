"""The long jobs through the real worker: enqueued with django-tasks-db's database backend, they wait (排队中)
until ``manage.py db_worker`` runs them in another process, against the same PostgreSQL database; then the
files read back and every count is complete. And an import's progress is seen from outside its transaction."""

import io
import os
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from suggestions import jobs
from suggestions.models import Job, Suggestion
from tests.test_imports import HEADER, row, upload, workbook
from tests.test_jobs import TITLES, register_three

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the worker process needs a database server"
    ),
]

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = os.environ | {
        "DATABASE_URL": url,
        "TASKS_BACKEND": "database",
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        # the files it writes go where this test reads them, apart from the other xdist worker's (whose
        # tests save and prune downloads of the same names in the shared test folder)
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def three_committed(transactional_db, office, session, categories, deputies, settings, tmp_path):
    settings.JOBS_INSTANT_ROWS = 2
    settings.MEDIA_ROOT = tmp_path / "media"  # this test's own, shared with its worker process (run_worker)
    register_three(office, session, categories, deputies)
    return session


def test_the_worker_process_runs_the_queued_export_report_and_import(client, office, three_committed, units):
    session = three_committed
    client.force_login(office)
    upload(client, session, workbook([HEADER, row(12, lead_unit="交通局"), row(13), row(14)]))
    token = client.get(reverse("suggestions:import_preview")).context["token"]
    with override_settings(TASKS=DATABASE_BACKEND):
        client.post(reverse("suggestions:export_summary") + f"?session={session.pk}")
        client.post(reverse("suggestions:handling_report") + f"?session={session.pk}")
        client.post(reverse("suggestions:import_confirm"), {"token": token, "assign": "1"})
    summary, report = Job.objects.get(kind=Job.Kind.SUMMARY), Job.objects.get(kind=Job.Kind.REPORT)
    imported = Job.objects.get(kind=Job.Kind.IMPORT)
    assert {summary.state, report.state, imported.state} == {Job.State.QUEUED}
    assert Suggestion.objects.count() == 3  # nothing imported before the worker runs
    page = client.get(reverse("suggestions:job", args=[summary.pk])).content.decode()
    assert "排队中" in page and 'role="progressbar"' in page and "已处理0行，共3行" in page

    worker = run_worker()
    assert worker.returncode == 0, worker.stderr

    summary.refresh_from_db()
    report.refresh_from_db()
    imported.refresh_from_db()
    assert (imported.state, imported.done, imported.total) == (Job.State.DONE, 3, 3)
    assert [number for _, number, _ in imported.result["registered"]] == ["第12号", "第13号", "第14号"]
    assert Suggestion.objects.filter(number__in=[12, 13, 14]).count() == 3
    assert Suggestion.objects.get(number=12).state == Suggestion.State.ASSIGNED
    assert (summary.state, summary.done, summary.total) == (Job.State.DONE, 3, 3)
    assert (report.state, report.done, report.total) == (Job.State.DONE, 2, 2)
    assert summary.finished_at <= timezone.now() < summary.expires_at

    content = b"".join(client.get(reverse("suggestions:job_file", args=[summary.pk])).streaming_content)
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [r[2].value for r in ws.iter_rows(min_row=4)] == TITLES
    content = b"".join(client.get(reverse("suggestions:job_file", args=[report.pk])).streaming_content)
    assert "代表建议办理工作情况的报告" in docx.Document(io.BytesIO(content)).paragraphs[0].text
    assert client.get(reverse("suggestions:job_progress", args=[summary.pk])).json()["finished"] is True
    jobs.prune(now=max(job.expires_at for job in Job.objects.all()))  # the files the worker wrote
    assert not Job.objects.exists()


def test_progress_inside_a_transaction_is_seen_before_it_commits(transactional_db, office, monkeypatch):
    """An import writes all rows or none in one transaction; its count reaches the progress bar meanwhile."""
    job = Job.objects.create(
        owner=office, kind=Job.Kind.IMPORT, title="导入", state=Job.State.RUNNING, expires_at=timezone.now()
    )
    monkeypatch.setattr(jobs.Progress, "INTERVAL", 0)
    outside = connections.create_connection("default")
    try:
        with transaction.atomic():
            progress = jobs.Progress(job)
            progress.start(5000)
            progress(1200)
            with outside.cursor() as cursor:
                cursor.execute(f"SELECT done, total FROM {Job._meta.db_table} WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (1200, 5000)
            progress.close()
    finally:
        outside.close()
