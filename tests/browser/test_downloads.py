"""Long jobs in the browser: an export of more rows than ``JOBS_INSTANT_ROWS`` clicked on the list comes back as
its job's page, finished (the immediate backend), and its file downloads from 「我的下载」; a job still running
shows its progress bar, which follows the job's rows (polled by static/js/job-progress.js) until it ends.

Screenshots in ``var/screenshots/``: job-done.png, my-downloads.png, job-progress.png."""

import io

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from suggestions import jobs
from suggestions.models import Job
from tests.conftest import PASSWORD
from tests.test_jobs import TITLES, register_three

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def three(office, session, categories, deputies, settings):
    settings.JOBS_INSTANT_ROWS = 2
    register_three(office, session, categories, deputies)
    return session


def test_the_office_exports_a_long_list_and_downloads_it_from_my_downloads(desk, three, screenshot_dir):
    office = desk("office", PASSWORD).open(f"/suggestions/?session={three.pk}")
    page = office.page
    with page.expect_navigation():
        page.locator("#export-summary").click()
    expect(page.locator("[data-job-state]")).to_have_text("已完成")
    page.screenshot(path=str(screenshot_dir / "job-done.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_role("link", name="我的下载").first.click()
    row = page.locator("#downloads tbody tr").first
    expect(row).to_contain_text("建议办理情况汇总表")
    expect(row.locator("[data-job-state]")).to_have_text("已完成")
    page.screenshot(path=str(screenshot_dir / "my-downloads.png"), full_page=True)
    with page.expect_download() as caught:
        row.get_by_role("link", name="下载").click()
    download = caught.value
    assert download.suggested_filename.startswith(
        "建议办理情况汇总表_"
    ) and download.suggested_filename.endswith(".xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).active  # noqa: SIM115
    assert [r[2].value for r in ws.iter_rows(min_row=4)] == TITLES


def test_a_running_jobs_bar_follows_its_rows_until_it_ends(desk, office, screenshot_dir):
    job = Job.objects.create(
        owner=office,
        kind=Job.Kind.SUMMARY,
        title="建议办理情况汇总表（全部届次）",
        state=Job.State.RUNNING,
        done=300,
        total=1000,
        expires_at=jobs.keep_until(timezone.now()),
    )
    page = desk("office", PASSWORD).open(f"/downloads/{job.pk}/").page
    bar = page.locator("[data-job-bar]")
    expect(bar).to_have_text("30%")
    assert bar.evaluate("element => element.style.width") == "30%"
    expect(page.locator("[data-job-state]")).to_have_text("进行中")

    Job.objects.filter(pk=job.pk).update(done=650)
    expect(page.locator("[data-job-count]")).to_have_text("已处理650行，共1000行")
    expect(bar).to_have_text("65%")
    page.screenshot(path=str(screenshot_dir / "job-progress.png"), full_page=True)

    Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, error="生成时出错，没有得到文件。")
    expect(page.locator("#job-error")).to_have_text("生成时出错，没有得到文件。")
    expect(page.locator("[data-job-state]")).to_have_text("失败")
