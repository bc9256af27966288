"""The decision in front of the person who makes it, in Chromium, on the demo's current session: the unit writes
its reply beside the suggestion, the office rules on a request it can read in the form, and the deputy confirms
a 不满意 before it is sent. Screenshots of each page are kept in var/screenshots."""

import pytest

from suggestions import demo
from suggestions.models import Rehandling, Suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = demo.DEMO_PASSWORD
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def suggestion(session, number):
    return Suggestion.objects.get(session=session, number=number)


def test_the_unit_writes_its_reply_beside_the_suggestion(demo_db, desk, screenshot_dir):
    s = suggestion(demo_db, 6)  # 关于完善城乡客运一体化的建议: 交通局 signed for it and talked to the deputy
    unit = desk("unit1", PASSWORD).open(f"/suggestions/{s.pk}/")
    page = unit.page
    with page.expect_navigation():
        page.locator("[data-action=draft_reply]").click()
    context, form = page.locator("#suggestion-text"), page.locator("form[id^=action-draft_reply-]")
    assert s.content[:20] in context.inner_text()
    left, right = context.bounding_box(), form.bounding_box()
    assert left["x"] + left["width"] <= right["x"]  # side by side, not a dialog over the text
    assert left["y"] < 900 and right["y"] < 900  # both in view at once
    assert "电话" in page.locator("main").inner_text() or "沟通记录" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshot_dir / "reply-page.png"), full_page=True)
    form.locator("[name=document_number]").fill("霍交函〔2025〕31号")
    form.locator("[name=contact_phone]").fill("0357-5620000")
    form.locator("[name=text]").fill("经研究，答复如下：一、今年开通城乡公交线路两条；二、……")
    form.locator("input[name=result_class][value='A']").check(force=True)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已完成" in page.locator(".alert").first.inner_text()
    assert page.url.endswith(f"/suggestions/{s.pk}/")


def test_the_office_reads_the_extension_request_in_the_ruling_form(demo_db, desk, screenshot_dir):
    s = suggestion(demo_db, 5)  # 关于规范城区出租车经营管理的建议: 交通局 asked for more time
    request = s.assignments.get(role="lead").extension_requests.get(status="pending")
    office = desk("office", PASSWORD).open(f"/suggestions/{s.pk}/")
    page = office.page
    page.locator("button[data-action=rule_extension]").click()
    dialog = page.locator(".modal.show")
    dialog.wait_for()
    summary = dialog.locator(".request-summary").inner_text()
    assert request.grounds[:15] in summary and "申请延至" in summary and "申请人" in summary
    page.screenshot(path=str(screenshot_dir / "ruling-extension.png"))


def test_the_deputy_confirms_an_unsatisfied_rating_on_a_phone(demo_db, desk, screenshot_dir):
    s = suggestion(demo_db, 26)  # 刘海涛 joined it; its reply waits for his rating
    deputy = desk("deputy1", PASSWORD, **PHONE).open(f"/suggestions/{s.pk}/")
    page = deputy.page
    rating = page.locator("form#rate")
    rating.locator("button[data-unsatisfied]").tap()
    confirm = rating.locator(".unsatisfied-confirm")
    confirm.wait_for()
    assert "确认评价为不满意？" in confirm.inner_text() and "重新办理" in confirm.inner_text()
    assert rating.locator(".rating-buttons").is_hidden()  # nothing was sent by the first tap
    s.refresh_from_db()
    assert s.state == Suggestion.State.REPLIED and not s.rated_unsatisfied
    page.screenshot(path=str(screenshot_dir / "deputy-unsatisfied-confirm.png"), full_page=True)
    rating.locator("[data-cancel-unsatisfied]").tap()  # changed his mind, then decided again
    assert confirm.is_hidden()
    rating.locator("button[data-unsatisfied]").tap()
    rating.locator("textarea[name=comment]").fill("培训项目太少，希望增加创业贷款支持。")
    with page.expect_navigation():
        rating.locator("button[data-confirm-unsatisfied]").tap()
    assert "已完成" in page.locator(".alert").first.inner_text()
    s.refresh_from_db()
    assert (s.state, s.rated_unsatisfied) == (Suggestion.State.REHANDLING, True)
    assert Rehandling.objects.get(suggestion=s).reason == "培训项目太少，希望增加创业贷款支持。"
