"""One browser journey per demo role, on the demo's current session (第八届人民代表大会第五次会议).

Each person works in their own browser context, sees their own home page (kept as a full-page screenshot in
``test-results/screenshots/<role>-home.png``), and takes the step their role is there for. A last test walks every
page each demo account can reach and asserts that none answers with a server error.

The demo (both sessions) is seeded once per test run and its rows kept (``demo_snapshot`` in tests/conftest.py);
every test, whose live server empties the database after it, starts from those rows again, so no test depends on
what another did.
"""

import datetime
import re

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from accounts.models import User
from suggestions import deadlines, demo
from suggestions.models import Assignment, CongressSession, Suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = demo.DEMO_PASSWORD
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
S = Suggestion.State


# --- the demo, seeded once per test run (conftest's demo_snapshot) ---------------------------------------------


@pytest.fixture
def shoot(screenshot_dir):
    """Keeps a full-page screenshot of a role's home page."""

    def take(page, role):
        path = screenshot_dir / f"{role}-home.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        return path

    return take


def badge(page, card):
    """The count in a to-do card's header."""
    return int(page.locator(f"#{card} .card-header .badge").first.inner_text())


def suggestion(session, number):
    return Suggestion.objects.get(session=session, number=number)


def date_label(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- the journeys -------------------------------------------------------------------------------------------------


def test_office_assigns_a_registered_suggestion_and_reads_the_figures(demo_db, desk, shoot):
    session = demo_db
    registered = Suggestion.objects.filter(session=session, state=S.REGISTERED).order_by("number")
    assert [s.number for s in registered] == [30, 31, 32]

    office = desk("office", PASSWORD)
    page = office.page
    assert badge(page, "todo-to-assign") == 3
    to_assign = page.locator("#todo-to-assign").inner_text()
    for s in registered:
        assert f"第{s.number}号" in to_assign and s.title in to_assign
    requests = page.locator("#todo-requests").inner_text()
    assert "调整 1" in requests and "延期 1" in requests  # No. 11 asks to be reassigned, No. 5 for more time
    assert "第11号" in requests and "第5号" in requests
    assert badge(page, "todo-review") == 1 and "第15号" in page.locator("#todo-review").inner_text()
    assert badge(page, "todo-ratings") == Suggestion.objects.filter(session=session, state=S.REPLIED).count()
    assert "办结率" in page.locator("main").inner_text()
    shoot(page, "office")

    target = registered.first()
    with page.expect_navigation():
        page.locator("#todo-to-assign a", has_text=target.title).click()
    assert page.locator("h1").inner_text() == f"第{target.number}号 {target.title}"
    message = office.act("assign", selects={"lead_unit": "市工业和信息化局", "co_units": "市发展和改革局"})
    assert "交办" in message and "已完成" in message

    target.refresh_from_db()
    assert target.state == S.ASSIGNED and target.lead_unit.name == "市工业和信息化局"
    today = timezone.localdate()
    assert target.deadline == deadlines.months_deadline(today, 3).date
    header = page.locator("main h1 + div").inner_text()
    assert "已交办" in header
    units = page.locator(".card", has_text="承办单位").first.inner_text()
    assert "市工业和信息化局" in units and "市发展和改革局" in units
    assert f"期限 {date_label(target.deadline)}" in units
    assert "交办" in page.locator("#timeline").inner_text()

    office.open("/")
    assert badge(page, "todo-to-assign") == 2

    office.open("/dashboard/")
    assert page.locator("h1").inner_text().startswith("统计分析")
    table = page.locator("#table-category")
    table.wait_for()
    rows = {
        row.locator("td").first.inner_text(): int(row.locator("td").last.inner_text())
        for row in table.locator("tbody tr").all()
    }
    handled = Suggestion.objects.filter(session=session).exclude(state__in=[S.NOT_GOVERNMENT, S.WITHDRAWN])
    assert rows.pop("合计") == handled.count() == 31  # No. 29 went to the procuratorate
    assert sum(rows.values()) == 31 and "城建交通" in rows
    page.locator("#chart-category svg").first.wait_for()  # the chart library loaded and drew

    office.open("/suggestions/")
    page.select_option("#id_state", label="办理中")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert "state=in_handling" in page.url
    in_handling = Suggestion.objects.filter(session=session, state=S.IN_HANDLING)
    assert page.locator(".card-header", has_text="共").first.inner_text() == f"共 {in_handling.count()} 件"
    states = page.locator("main table tbody tr td:nth-child(6)").all_inner_texts()
    assert len(states) == in_handling.count() > 1
    assert all(state.split()[0] == "办理中" for state in states)
    titles = page.locator("main table tbody tr td:nth-child(2) a").all_inner_texts()
    assert sorted(titles) == sorted(in_handling.values_list("title", flat=True))


def test_unit_clerk_signs_for_logs_a_contact_and_drafts_a_reply(demo_db, desk, shoot):
    session = demo_db
    unit = desk("unit1", PASSWORD)
    page = unit.page
    assert page.locator("h1").inner_text().startswith("市交通运输局")
    assert badge(page, "todo-sign-for") == 1
    road = suggestion(session, 4)  # 关于加快农村公路日常养护的建议, assigned two days ago
    assert road.title in page.locator("#todo-sign-for").inner_text()
    assert badge(page, "todo-sign-off") == 1  # No. 3 waits for the head
    assert badge(page, "todo-submit") == 1  # No. 8 is signed, to be sent to the office
    assert badge(page, "todo-opinions") == 1  # the co-unit's opinion on No. 10
    shoot(page, "unit1")

    with page.expect_navigation():
        page.locator("#todo-sign-for a", has_text=road.title).click()
    assert "签收" in unit.act("sign_for")
    assert "办理中" in page.locator("main h1 + div").inner_text()
    message = unit.act(
        "log_contact",
        fields={"participants": "交通局周敏、白利军代表", "summary": "电话沟通了农村公路养护的重点路段。"},
        selects={"method": "电话交流"},
    )
    assert "已完成" in message
    contacts = page.locator(".card", has_text="沟通记录").first.inner_text()
    assert "电话交流" in contacts and "农村公路养护的重点路段" in contacts
    assert "记录沟通" in page.locator("#timeline").inner_text()

    buses = suggestion(session, 6)  # 关于完善城乡客运一体化的建议: signed for, the deputy contacted twice
    assert buses.state == S.IN_HANDLING
    unit.open(f"/suggestions/{buses.pk}/")
    message = unit.act(
        "draft_reply",
        fields={
            "document_number": "霍交函〔2025〕30号",
            "contact_person": "周敏",
            "contact_phone": "0357-5620000",
            "text": "今年开通城乡公交线路3条，实现建制村通客车全覆盖。",
        },
        radios={"result_class": "A"},
    )
    assert "拟写答复" in message
    reply = page.locator("#reply").inner_text()
    assert "霍交函〔2025〕30号" in reply and "（待签发）" in reply
    part = buses.assignments.get(unit__name="市交通运输局", role=Assignment.Role.LEAD)
    assert part.state == Assignment.State.DRAFTED

    unit.open("/")
    assert badge(page, "todo-sign-for") == 0
    assert badge(page, "todo-sign-off") == 2 and buses.title in page.locator("#todo-sign-off").inner_text()


def test_unit_head_signs_the_drafted_reply(demo_db, desk, shoot):
    session = demo_db
    lanes = suggestion(session, 3)  # 关于城区主干道增设非机动车道的建议, drafted two days ago
    head = desk("unit1_head", PASSWORD)
    page = head.page
    assert badge(page, "todo-sign-off") == 1
    assert lanes.title in page.locator("#todo-sign-off").inner_text()
    shoot(page, "unit1_head")

    with page.expect_navigation():
        page.locator("#todo-sign-off a", has_text=lanes.title).click()
    assert page.locator("[data-action=sign_reply]").count() == 1
    message = head.act("sign_reply")
    assert "签发答复" in message
    signer = User.objects.get(username="unit1_head").display_name
    assert f"签发人：{signer}" in page.locator("#reply").inner_text()
    assert page.locator("[data-action=sign_reply]").count() == 0

    head.open("/")
    assert badge(page, "todo-sign-off") == 0
    assert lanes.title not in page.locator("#todo-sign-off").inner_text()
    assert lanes.title in page.locator("#todo-submit").inner_text()


def test_deputy_rates_a_reply_with_one_tap_on_a_phone(demo_db, desk, shoot):
    session = demo_db
    bus_lines = suggestion(session, 1)  # 关于优化城区公交线路和站点设置的建议, replied by 交通局
    veterans = suggestion(session, 26)  # 刘海涛 joined 郝永刚's suggestion: he rates its reply too
    deputy = desk("deputy1", PASSWORD, **PHONE)
    page = deputy.page
    assert page.evaluate("window.innerWidth") == 390
    assert "刘海涛代表" in page.locator("h1").inner_text()
    assert badge(page, "todo-rate") == 2
    to_rate = page.locator("#todo-rate").inner_text()
    assert f"第1号 {bus_lines.title}" in to_rate and "市交通运输局 已答复" in to_rate
    assert f"第26号 {veterans.title}" in to_rate
    # no horizontal scrolling on the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "deputy1")

    with page.expect_navigation():
        page.locator("#todo-rate li", has_text=bus_lines.title).get_by_text("查看并评价").tap()
    assert page.locator("h1").inner_text() == f"第1号 {bus_lines.title}"
    assert "已答复" in page.locator("main h1 + div").inner_text()
    # the rating follows the reply: read it, and the buttons are right below, no scrolling back up
    reply, rating = page.locator("#reply").bounding_box(), page.locator("form#rate").bounding_box()
    assert reply["y"] + reply["height"] <= rating["y"] < reply["y"] + reply["height"] + 120
    satisfied = page.locator("form#rate button[name=overall][value='3']")
    assert satisfied.inner_text() == "满意"
    with page.expect_navigation():
        satisfied.tap()  # one tap, nothing else filled in
    assert "已完成" in page.locator(".alert").first.inner_text()
    assert "刘海涛：满意" in page.locator("#reply").inner_text()
    assert page.locator("[data-action=rate]").count() == 0

    bus_lines.refresh_from_db()
    assert bus_lines.rating == 3 and bus_lines.state == S.REPLIED  # rated; the office closes it
    deputy.open("/")
    assert badge(page, "todo-rate") == 1
    to_rate = page.locator("#todo-rate").inner_text()
    assert bus_lines.title not in to_rate and veterans.title in to_rate


def test_leader_reads_the_portfolio_and_comments_on_a_key_suggestion(demo_db, desk, shoot):
    session = demo_db
    leader_user = User.objects.get(username="leader")
    portfolio = Suggestion.objects.filter(session=session).filter(
        Q(leader=leader_user.leader) | Q(supervising_leader=leader_user.leader)
    )
    key = portfolio.filter(is_key=True).order_by("number")
    assert [s.number for s in key] == [7, 28]

    leader = desk("leader", PASSWORD)
    page = leader.page
    assert "高文博 · 分管领域建议办理" in page.locator("h1").inner_text()
    key_card = page.locator("#todo-key").inner_text()
    for s in key:
        assert s.title in key_card
    figures = page.locator(".card", has_text="办理概况").first
    assert "（分管领域）" in figures.locator(".card-header").inner_text()
    total = figures.locator(".figure-label", has_text="建议总数").locator("xpath=..").locator(".figure-value")
    assert int(total.inner_text()) == portfolio.count()
    shoot(page, "leader")

    road = key.first()  # 关于改造提升108国道城区过境段的建议
    with page.expect_navigation():
        page.locator("#todo-key a", has_text=road.title).click()
    assert [b.get_attribute("data-action") for b in page.locator("[data-action]").all()] == ["comment"]
    text = "请交通局抓紧与自然资源局对接用地手续，月底前报进度。"
    assert "领导批示" in leader.act("comment", fields={"text": text})
    timeline = page.locator("#timeline").inner_text()
    assert f"领导批示：{text}" in timeline
    assert text in page.locator(".card", has_text="督办与批示").first.inner_text()


def test_congress_staff_reads_the_overview_and_takes_no_action(demo_db, desk, shoot):
    session = demo_db
    congress = desk("congress", PASSWORD)
    page = congress.page
    assert page.locator("h1").inner_text() == "建议办理概况"
    figures = page.locator(".card", has_text="办理概况").first
    assert session.name in figures.locator(".card-header").inner_text()
    total = figures.locator(".figure-label", has_text="建议总数").locator("xpath=..").locator(".figure-value")
    assert int(total.inner_text()) == Suggestion.objects.filter(session=session).count() == 32
    shoot(page, "congress")

    for number in (1, 7, 30):  # replied, a key suggestion in handling, registered
        congress.open(f"/suggestions/{suggestion(session, number).pk}/")
        assert page.locator("h1").inner_text().startswith(f"第{number}号")
        assert page.locator("[data-action]").count() == 0
        assert page.locator("#actions").count() == 0
        assert page.get_by_text("修改登记信息").count() == 0

    response = page.goto(f"{congress.base_url}/dashboard/")
    assert response.status == 200
    page.locator("#table-category").wait_for()


# --- no page of the demo fails ------------------------------------------------------------------------------------

SWEEP_ACCOUNTS = ["office", "leader", "congress", "unit1", "unit1_head", "deputy1"]
DETAIL = re.compile(r'href="/suggestions/(\d+)/"')


def test_no_page_of_the_demo_answers_with_a_server_error(demo_db):
    """Every demo account on the whole demo (the 2024 session too): home, the list of each session, the
    dashboard, the notifications and every suggestion on the lists' first pages. Never a server error, and a 403
    only on the dashboard of a role without the statistics."""
    past = CongressSession.objects.get(is_current=False)
    assert past.suggestions.count() == 62 and demo_db.suggestions.count() == 32

    visited, failures = 0, []

    def get(client, username, path, expected=200):
        nonlocal visited
        visited += 1
        response = client.get(path)
        if response.status_code != expected:
            failures.append(f"{username} {path}: {response.status_code}, expected {expected}")
        return response.content.decode()

    for username in SWEEP_ACCOUNTS:
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        statistics = 200 if user.has_perm("suggestions.view_statistics") else 403
        get(client, username, "/")
        get(client, username, "/notifications/")
        get(client, username, "/suggestions/?state=open")
        get(client, username, "/dashboard/", statistics)
        get(client, username, "/dashboard/?session=all", statistics)
        seen = set()
        for session in (demo_db, past):
            listing = get(client, username, f"/suggestions/?session={session.pk}")
            seen.update(DETAIL.findall(listing))
        assert seen, f"{username} sees no suggestion in the lists"
        for pk in sorted(seen, key=int):
            get(client, username, f"/suggestions/{pk}/")
    assert not failures, "\n".join(failures)
    assert visited > 200
