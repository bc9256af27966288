"""Long jobs in the background (suggestions/jobs.py) and 「我的下载」: an export, the statistics workbook, the
report and an import longer than ``JOBS_INSTANT_ROWS`` run as a job whose page shows rows done of total and
whose file only its owner downloads; small ones still answer at once; expired files are pruned.

These run under the immediate backend (the job is finished when the redirect arrives); test_jobs_worker.py runs
them through django-tasks-db's real worker."""

import io
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from suggestions import exports, jobs, workflow
from suggestions.models import Job, Suggestion
from tests.conftest import AT, make_user
from tests.test_imports import HEADER, row, stored_files, upload, workbook

pytestmark = pytest.mark.django_db

TITLES = ["关于农村道路提档升级的建议", "关于改善社区医院就医环境的建议", "关于缓解城区停车难的建议"]


def register_three(office, session, categories, deputies):
    """Three suggestions of the session; with ``JOBS_INSTANT_ROWS`` at 2 every export of them is a job."""
    return [
        workflow.register(
            user=office,
            at=AT,
            session=session,
            number=number,
            title=title,
            lead_deputy=deputies["lead"],
            category=categories["城建交通"],
        )
        for number, title in enumerate(TITLES, start=1)
    ]


@pytest.fixture
def three(office, session, categories, deputies):
    return register_three(office, session, categories, deputies)


@pytest.fixture(autouse=True)
def long_jobs(settings, tmp_path):
    settings.JOBS_INSTANT_ROWS = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def downloaded(client, job):
    response = client.get(reverse("suggestions:job_file", args=[job.pk]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def summary_numbers(content):
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    return [r[1].value for r in ws.iter_rows(min_row=4)]


# --- exports as jobs -------------------------------------------------------------------------------------------


def test_a_long_export_runs_as_a_job_and_its_file_waits_in_my_downloads(client, office, session, three):
    client.force_login(office)
    response = client.post(reverse("suggestions:export_summary") + f"?session={session.pk}")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("suggestions:job", args=[job.pk])
    assert (job.owner, job.kind, job.state, job.done, job.total) == (office, Job.Kind.SUMMARY, "done", 3, 3)

    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and f"下载 {job.filename}" in page
    assert job.filename == exports.filename("建议办理情况汇总表", session.name, timezone.localdate())

    listing = client.get(reverse("suggestions:downloads")).content.decode()
    assert job.title in listing and reverse("suggestions:job_file", args=[job.pk]) in listing

    response, content = downloaded(client, job)
    assert response["Content-Disposition"].startswith("attachment")
    assert summary_numbers(content) == ["第1号", "第2号", "第3号"]


def test_the_job_exports_what_the_list_shows_with_its_filters(
    client, office, session, three, categories, settings
):
    Suggestion.objects.filter(pk=three[1].pk).update(category=categories["教科文卫"])
    settings.JOBS_INSTANT_ROWS = 1
    client.force_login(office)
    client.post(
        reverse("suggestions:export_summary") + f"?session={session.pk}&category={categories['城建交通'].pk}"
    )
    job = Job.objects.get()
    assert job.total == 2
    _, content = downloaded(client, job)
    assert summary_numbers(content) == ["第1号", "第3号"]
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert "类别：城建交通" in ws["A2"].value


def test_following_a_link_to_a_long_export_only_offers_to_start_it(client, office, session, three):
    client.force_login(office)
    url = reverse("suggestions:export_summary") + f"?session={session.pk}"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "共3行，将在后台生成" in html and f'action="{url}"' in html
    assert not Job.objects.exists()


def test_a_small_export_still_answers_at_once(client, office, session, three, settings):
    settings.JOBS_INSTANT_ROWS = 3
    client.force_login(office)
    response = client.post(reverse("suggestions:export_summary") + f"?session={session.pk}")
    assert response.status_code == 200 and response["Content-Type"] == exports.CONTENT_TYPE
    assert summary_numbers(b"".join(response.streaming_content)) == ["第1号", "第2号", "第3号"]
    assert not Job.objects.exists()


def test_the_statistics_workbook_runs_as_a_job_sheet_by_sheet(client, office, session, three):
    client.force_login(office)
    response = client.post(reverse("suggestions:export_statistics") + f"?session={session.pk}")
    job = Job.objects.get()
    assert response["Location"] == reverse("suggestions:job", args=[job.pk])
    assert (job.kind, job.state, job.done, job.total) == (Job.Kind.STATISTICS, "done", 7, 7)
    book = openpyxl.load_workbook(io.BytesIO(downloaded(client, job)[1]))
    assert book.sheetnames == [
        "概况",
        "按类别",
        "按承办单位",
        "按分管领导",
        "按答复类别",
        "满意度",
        "承办单位考核",
    ]


def test_the_handling_report_runs_as_a_job_and_reads_back_in_word(client, office, session, three):
    client.force_login(office)
    client.post(reverse("suggestions:handling_report") + f"?session={session.pk}")
    job = Job.objects.get()
    assert (job.kind, job.state, job.done, job.total) == (Job.Kind.REPORT, "done", 2, 2)
    assert job.filename.endswith(".docx")
    document = docx.Document(io.BytesIO(downloaded(client, job)[1]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.startswith(f"关于2025年{session.short_name}代表建议办理工作情况的报告") and "3件" in text


def test_a_job_that_breaks_says_so_and_keeps_no_file(client, office, session, three, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_summary", broken)
    client.force_login(office)
    response = client.post(reverse("suggestions:export_summary") + f"?session={session.pk}")
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and not job.file
    page = client.get(response["Location"]).content.decode()
    assert "失败" in page and jobs.FAILED_UNEXPECTEDLY in page
    assert 'id="job-download"' not in page


def test_a_job_run_twice_by_a_retried_task_is_done_once(office, session, three):
    job = jobs.start(
        owner=office,
        kind=Job.Kind.STATISTICS,
        title="统计表",
        parameters={"session": session.pk, "today": "2025-03-03"},
    )
    finished, name = job.finished_at, job.file.name
    jobs.run_job.call(job.pk)
    job.refresh_from_db()
    assert (job.finished_at, job.file.name) == (finished, name)


def test_a_session_deleted_before_the_job_runs_is_a_clear_failure(office, session):
    job = jobs.start(
        owner=office,
        kind=Job.Kind.STATISTICS,
        title="统计表",
        parameters={"session": 999999, "today": "2025-03-03"},
    )
    assert job.state == Job.State.FAILED and job.error == "该届次会议已不存在，无法导出。"


# --- who sees a job --------------------------------------------------------------------------------------------


@pytest.fixture
def finished_job(client, office, session, three):
    client.force_login(office)
    client.post(reverse("suggestions:export_summary") + f"?session={session.pk}")
    client.logout()
    return Job.objects.get()


@pytest.mark.parametrize("name", ["job", "job_progress", "job_file"])
def test_another_persons_job_and_its_file_answer_404(client, finished_job, name, leader_user):
    colleague = make_user("office2", Role.OFFICE)
    for someone in (colleague, leader_user):
        client.force_login(someone)
        assert client.get(reverse(f"suggestions:{name}", args=[finished_job.pk])).status_code == 404
    client.logout()
    response = client.get(reverse(f"suggestions:{name}", args=[finished_job.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_my_downloads_lists_only_my_own_jobs(client, finished_job):
    colleague = make_user("office2", Role.OFFICE)
    client.force_login(colleague)
    html = client.get(reverse("suggestions:downloads")).content.decode()
    assert finished_job.title not in html and "暂无下载" in html


@pytest.mark.parametrize("name", ["downloads", "job", "job_progress", "job_file"])
def test_the_download_pages_change_nothing_and_refuse_post(client, finished_job, name):
    client.force_login(finished_job.owner)
    args = [] if name == "downloads" else [finished_job.pk]
    assert client.post(reverse(f"suggestions:{name}", args=args)).status_code == 405


def test_my_downloads_reads_the_same_few_queries_for_one_job_or_many(client, office):
    def add(count):
        for _ in range(count):
            Job.objects.create(
                owner=office, kind=Job.Kind.REPORT, title="报告", expires_at=jobs.keep_until(timezone.now())
            )

    client.force_login(office)
    url = reverse("suggestions:downloads")
    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add(9)
    with CaptureQueriesContext(connection) as ten:
        html = client.get(url).content.decode()
    assert len(ten) == len(one) and html.count('data-job="') == 10


# --- progress --------------------------------------------------------------------------------------------------


def test_the_progress_endpoint_tells_rows_done_of_total_in_one_query_of_its_own(client, office):
    job = Job.objects.create(
        owner=office,
        kind=Job.Kind.SUMMARY,
        title="汇总表",
        state=Job.State.RUNNING,
        done=300,
        total=1200,
        expires_at=jobs.keep_until(timezone.now()),
    )
    client.force_login(office)
    url = reverse("suggestions:job_progress", args=[job.pk])
    client.get(url)  # the session's first read
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # the user and the job; the session is read and, as every request renews the idle timeout
    # (SESSION_SAVE_EVERY_REQUEST), written back: those queries are the session's, not the page's
    own = [q["sql"] for q in queries if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]]
    assert len(own) == 2, own
    assert response.json() == {
        "state": "running",
        "state_label": "进行中",
        "done": 300,
        "total": 1200,
        "unit": "行",
        "percent": 25,
        "finished": False,
        "file": "",
    }
    page = client.get(reverse("suggestions:job", args=[job.pk])).content.decode()
    assert "已处理300行，共1200行" in page and 'data-percent="25"' in page
    assert 'src="/static/js/job-progress.js"' in page and "<script>" not in page


# --- imports as jobs -------------------------------------------------------------------------------------------


@pytest.fixture
def reference(session, categories, units, deputies, office):
    return {"session": session}


def confirm(client, session, rows, **data):
    upload(client, session, workbook(rows))
    token = client.get(reverse("suggestions:import_preview")).context["token"]
    return client.post(reverse("suggestions:import_confirm"), {"token": token, **data})


def test_a_long_import_is_written_by_a_job_whose_page_lists_what_it_wrote(
    client, reference, office, long_jobs
):
    client.force_login(office)
    rows = [HEADER, row(12, lead_unit="交通局"), row(13, title="关于建设城市公园的建议"), row(14)]
    response = confirm(client, reference["session"], rows, assign="1")
    job = Job.objects.get()
    assert response["Location"] == reverse("suggestions:job", args=[job.pk])
    assert (job.kind, job.state, job.done, job.total) == (Job.Kind.IMPORT, "done", 3, 3)
    assert sorted(Suggestion.objects.values_list("number", flat=True)) == [12, 13, 14]
    assert Suggestion.objects.filter(state=Suggestion.State.ASSIGNED).count() == 1
    assert stored_files(long_jobs.MEDIA_ROOT) == []

    page = client.get(response["Location"]).content.decode()
    assert "已导入3件建议，其中1件已按建议主办、协办单位交办。" in page
    assert "第13号" in page and "关于建设城市公园的建议" in page
    created = Suggestion.objects.get(number=13)
    assert reverse("suggestions:detail", args=[created.pk]) in page


def test_a_long_import_refused_while_writing_writes_nothing_and_says_why(
    client, reference, office, deputies, categories
):
    client.force_login(office)
    upload(client, reference["session"], workbook([HEADER, row(12), row(13), row(14)]))
    token = client.get(reverse("suggestions:import_preview")).context["token"]
    workflow.register(  # someone registers 第13号 between the preview and the confirmation
        user=office,
        at=AT,
        session=reference["session"],
        number=13,
        title="先登记的建议",
        lead_deputy=deputies["lead"],
        category=categories["城建交通"],
    )
    response = client.post(reverse("suggestions:import_confirm"), {"token": token})
    job = Job.objects.get()
    assert job.state == Job.State.FAILED
    assert list(Suggestion.objects.values_list("title", flat=True)) == ["先登记的建议"]
    page = client.get(response["Location"]).content.decode()
    assert "导入未完成，没有写入任何数据。" in page and "第13号" in page and "重新上传" in page


def test_a_small_import_still_answers_at_once(client, reference, office, settings):
    settings.JOBS_INSTANT_ROWS = 5
    client.force_login(office)
    response = confirm(client, reference["session"], [HEADER, row(12), row(13)])
    assert response["Location"] == reverse("suggestions:list") + f"?session={reference['session'].pk}"
    assert Suggestion.objects.count() == 2 and not Job.objects.exists()


# --- kept for a set time ---------------------------------------------------------------------------------------


def test_an_expired_file_is_gone_and_pruning_deletes_it(client, finished_job, office, session, settings):
    client.force_login(office)
    client.post(reverse("suggestions:export_statistics") + f"?session={session.pk}")
    kept = Job.objects.get(kind=Job.Kind.STATISTICS)
    assert finished_job.expires_at - finished_job.finished_at == timezone.timedelta(
        days=settings.DOWNLOADS_KEEP_DAYS
    )
    path = finished_job.file.path
    Job.objects.filter(pk=finished_job.pk).update(expires_at=timezone.now())

    assert client.get(reverse("suggestions:job_file", args=[finished_job.pk])).status_code == 404
    assert finished_job.title not in client.get(reverse("suggestions:downloads")).content.decode()

    out = io.StringIO()
    call_command("prune_downloads", stdout=out)
    assert out.getvalue().strip() == "已删除过期的下载1项。"
    assert list(Job.objects.all()) == [kept]
    assert not Path(path).exists() and Path(kept.file.path).exists()


def test_the_daily_reminders_run_prunes_expired_downloads_too(finished_job):
    Job.objects.filter(pk=finished_job.pk).update(expires_at=timezone.now())
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "已删除过期的下载1项。" in out.getvalue()
    assert not Job.objects.exists() and not Path(finished_job.file.path).exists()
