"""The list's tools in the browser: batch assignment from the list, the searchable pickers (the assign modal's
co-units, the register form's deputies, the list's deputy filter asking for its options) with the registration hints, and the list on a phone.

Screenshots are kept in ``var/screenshots/``: list-batch-assign.png, list-batch-result.png,
assign-co-unit-picker.png, assign-separate-mode.png, register-pickers-and-hints.png, list-deputy-filter.png,
list-phone.png, list-empty.png."""

import pytest
from playwright.sync_api import expect

from suggestions import workflow
from suggestions.models import Assignment, Suggestion
from tests.conftest import AT, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Suggestion.State
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def three(registered, office, session, categories, deputies):
    """Nos. 1-3, registered; No. 1 is 赵明远's 「关于农村道路提档升级的建议」."""
    more = [
        workflow.register(
            user=office, at=AT, session=session, number=n, title=title, lead_deputy=deputies["other"],
            category=categories["社会民生"],
        )
        for n, title in ((2, "关于增加城区学校学位的建议"), (3, "关于完善养老服务设施的建议"))
    ]  # fmt: skip
    return [registered, *more]


def pick(page, field, typed, option=None, within=None):
    """Type into the picker of ``field`` and choose the option shown (the first, or the one named)."""
    scope = within or page
    control = scope.locator(f"[data-field={field}] .ts-control input")
    control.click()
    control.press_sequentially(typed)
    dropdown = scope.locator(f"[data-field={field}] .ts-dropdown")
    choice = dropdown.locator(".option", has_text=option or typed).first
    choice.click()
    if dropdown.is_visible():  # a multiple picker stays open for the next choice
        page.keyboard.press("Escape")


def test_the_office_assigns_two_suggestions_at_once_from_the_list(desk, three, units, screenshot_dir):
    office = desk("office", PASSWORD).open("/suggestions/?state=registered")
    page = office.page
    first, second, third = three
    page.locator(f"#tick-{first.pk}").check()
    page.locator(f"#tick-{second.pk}").check()
    assert page.locator("#batch-count").inner_text() == "2"
    assert page.locator("#batch select[name=action]").input_value() == "assign"
    assert page.locator("[data-field=text]").is_hidden()  # 催办内容 only for 催办
    pick(page, "lead_unit", "住建", "市住房和城乡建设管理局")
    pick(page, "co_units", "财政", "市财政局")
    page.screenshot(path=str(screenshot_dir / "list-batch-assign.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#batch button[type=submit]").click()
    assert page.locator(".alert").first.inner_text().strip() == "已交办2件：第1号、第2号。"
    page.screenshot(path=str(screenshot_dir / "list-batch-result.png"), full_page=True)
    for s in (first, second):
        parts = {(a.unit.name, a.role) for a in Assignment.objects.filter(suggestion=s)}
        assert parts == {("市住房和城乡建设管理局", "lead"), ("市财政局", "co")}
    assert Suggestion.objects.get(pk=third.pk).state == S.REGISTERED
    assert "state=registered" in page.url  # back to the list as it was filtered: the third one is left
    assert page.locator("main table tbody tr").count() == 1


def test_the_office_finds_a_co_unit_by_typing_part_of_its_name(desk, registered, units, screenshot_dir):
    office = desk("office", PASSWORD).open(f"/suggestions/{registered.pk}/")
    page = office.page
    page.locator("button[data-action=assign]").first.click()
    modal = page.locator(".modal.show")
    modal.wait_for()
    pick(page, "lead_unit", "交通", "市交通运输局", within=modal)
    co = modal.locator("[data-field=co_units] .ts-control input")
    co.click()
    co.press_sequentially("交通")  # the lead unit is not offered as a co-unit
    expect(modal.locator("[data-field=co_units] .ts-dropdown")).to_have_text("无匹配结果")
    co.fill("")
    co.press_sequentially("财")
    found = modal.locator("[data-field=co_units] .ts-dropdown .option")
    expect(found).to_have_text(["市财政局"])  # part of a name is enough
    page.screenshot(path=str(screenshot_dir / "assign-co-unit-picker.png"))
    found.first.click()
    page.keyboard.press("Escape")  # the picker stays open for more; Escape closes it, not the modal
    assert modal.is_visible()
    chosen = modal.locator("[data-field=co_units] .item").evaluate_all(
        "items => items.map(i => i.dataset.value)"
    )
    assert chosen == [str(units["finance"].pk)]

    modal.locator("input[name=mode][value=separate]").check(force=True)  # 分办: no lead, no co-units
    assert (
        modal.locator("[data-field=co_units]").is_hidden()
        and modal.locator("[data-field=lead_unit]").is_hidden()
    )
    assert modal.locator("[data-field=separate_units]").is_visible()
    page.screenshot(path=str(screenshot_dir / "assign-separate-mode.png"))
    modal.locator("input[name=mode][value=lead]").check(force=True)
    assert modal.locator("[data-field=separate_units]").is_hidden()

    with page.expect_navigation():
        modal.locator("button[type=submit]").click()
    assert "交办：已完成。" in page.locator(".alert").first.inner_text()
    parts = {(a.unit.name, a.role) for a in Assignment.objects.filter(suggestion=registered)}
    assert parts == {("市交通运输局", "lead"), ("市财政局", "co")}


def test_registering_proposes_the_number_and_warns_of_a_like_title(
    desk, registered, categories, screenshot_dir
):
    office = desk("office", PASSWORD).open("/suggestions/new/")
    page = office.page
    assert page.locator("#id_number").input_value() == "2"
    page.locator("#hint-number").get_by_text("本届次下一个可用编号：第2号").wait_for()
    pick(page, "lead_deputy", "赵明", "赵明远")
    page.fill("#id_title", "关于加快农村道路提档升级的建议")
    warning = page.locator("#hint-title .alert-warning")
    warning.wait_for()
    assert "赵明远代表在本届次会议已有标题相近的建议" in warning.inner_text()
    assert "第1号「关于农村道路提档升级的建议」" in warning.inner_text()
    joint = page.locator("[data-field=joint_deputies] .ts-control input")
    joint.click()
    joint.press_sequentially("赵明")  # the lead deputy is not offered as a joint deputy
    expect(page.locator("[data-field=joint_deputies] .ts-dropdown")).to_have_text("无匹配结果")
    joint.fill("")
    joint.press_sequentially("晓梅")
    page.locator("[data-field=joint_deputies] .ts-dropdown .option", has_text="钱晓梅").click()
    page.keyboard.press("Escape")
    page.select_option("#id_category", label="城建交通")
    page.screenshot(path=str(screenshot_dir / "register-pickers-and-hints.png"), full_page=True)
    with page.expect_navigation():
        page.click("main button[type=submit]")  # a warning, not a refusal
    assert "已登记第2号建议" in page.locator(".alert").first.inner_text()
    saved = Suggestion.objects.get(number=2)
    assert saved.lead_deputy.name == "赵明远"
    assert [d.name for d in saved.joint_deputies.all()] == ["钱晓梅"]


def test_the_deputy_filter_finds_a_deputy_as_the_office_types(desk, three, deputies, screenshot_dir):
    """The list draws no deputy options: the picker asks for the matches of what is typed."""
    office = desk("office", PASSWORD).open("/suggestions/")
    page = office.page
    wrapper = page.locator("#filters select[name=deputy] ~ .ts-wrapper")
    wrapper.locator(".ts-control").click()  # 全部 is chosen: the input shows once the picker has the focus
    wrapper.locator(".ts-control input").press_sequentially("晓梅")
    choice = wrapper.locator(".ts-dropdown .option", has_text="钱晓梅")
    expect(choice).to_be_visible()
    assert wrapper.locator(".ts-dropdown .option", has_text="孙志强").count() == 0
    choice.click()
    page.screenshot(path=str(screenshot_dir / "list-deputy-filter.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#filters button[type=submit]").click()
    assert f"deputy={deputies['joint'].pk}" in page.url
    assert page.locator("main table tbody tr").count() == 1  # No. 1, which 钱晓梅 joined
    assert wrapper.locator(".ts-control .item").inner_text() == "钱晓梅"  # the choice is shown again


def test_on_a_phone_the_results_come_before_the_filters(desk, three, screenshot_dir):
    office = desk("office", PASSWORD, **PHONE).open("/suggestions/")
    page = office.page
    results, filters = page.locator("#results").bounding_box(), page.locator("#filters").bounding_box()
    assert results["y"] < filters["y"]
    assert page.locator("main table").bounding_box()["y"] < page.locator("#batch").bounding_box()["y"]
    assert page.locator("#results").get_by_text("关于增加城区学校学位的建议").is_visible()
    page.screenshot(path=str(screenshot_dir / "list-phone.png"), full_page=True)
    page.fill("#id_q", "没有这样的建议")
    with page.expect_navigation():
        page.locator("#filters button[type=submit]").click()
    assert page.locator("#empty-result").inner_text().startswith("没有符合条件的建议。")
    page.screenshot(path=str(screenshot_dir / "list-empty.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name="清除筛选条件").click()
    assert page.locator("main table tbody tr").count() == 3
