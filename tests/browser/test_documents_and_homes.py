"""The documents people expect and the homes of leaders and congress staff, in the browser, on the demo.

- The leader's home at 1280 px and 390 px: this session's key suggestions apart from the past session's, the
  portfolio's 不满意 and overdue suggestions, every title on a line of its own at the card's width (never a
  column a few characters wide).
- Congress staff's home: overdue parts, 不满意 ratings, key suggestions and the units' table.
- The suggestion's page printed: no navigation, no buttons, no action card; kept as a PNG and an A4 PDF.
- 督办 with a date for the unit, from the page's dialog (no method chosen for the office), and its 督办通知单 and
  a 交办通知单 downloaded from the page and read back.

Screenshots are kept in var/screenshots/: leader-home-1280.png, leader-home-390.png, congress-home-1280.png,
congress-home-390.png, supervise-dialog.png, suggestion-print.png and suggestion-print.pdf.
"""

import datetime
import io
import math
from pathlib import Path

import pytest
from django.db.models import Q
from django.utils import timezone
from docx import Document

from accounts.models import User
from suggestions import statistics
from suggestions.formats import date_cn
from suggestions.models import Assignment, CongressSession, Suggestion, SupervisionNote
from tests.browser import test_role_journeys as journeys

PASSWORD, PHONE = journeys.PASSWORD, journeys.PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
MIN_CHARACTERS_PER_LINE = 10  # a title squeezed into a narrow column showed four

TITLES = """els => els.map(e => {
  const box = e.getBoundingClientRect();
  const line = parseFloat(getComputedStyle(e).lineHeight);
  return {text: e.innerText.trim(), lines: Math.round(box.height / line), width: box.width,
          card: e.closest('.card').getBoundingClientRect().width};
})"""


def assert_titles_readable(page, card):
    """Every title in ``card`` spans the card and holds at least ten characters a line (or is one line)."""
    titles = page.eval_on_selector_all(f"{card} .home-item-title", TITLES)
    assert titles, f"no titles in {card}"
    for t in titles:
        assert t["width"] >= 0.8 * t["card"] - 40, t  # the card's width, less its padding
        assert t["lines"] <= max(1, math.ceil(len(t["text"]) / MIN_CHARACTERS_PER_LINE)), t
    return titles


def shoot(page, path):
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def seed_2024():
    """The demo's 2024 session (loaded with the rest of the demo by ``demo_db``)."""
    return CongressSession.objects.get(year=2024)


def portfolio(user):
    return Suggestion.objects.filter(Q(leader=user.leader) | Q(supervising_leader=user.leader))


def test_the_leaders_home_keeps_this_sessions_key_suggestions_apart_and_titles_readable(
    demo_db, desk, screenshot_dir
):
    session, past = demo_db, seed_2024()
    leader_user = User.objects.get(username="leader")
    mine = portfolio(leader_user)
    key_now = list(mine.filter(session=session, is_key=True).order_by("number"))
    key_past = list(mine.filter(session=past, is_key=True).order_by("number"))
    assert key_now and key_past
    unsatisfied = mine.filter(session=session, rated_unsatisfied=True)
    assert unsatisfied.exists()  # No. 16, 住建局: 不满意, being re-handled
    overdue = list(mine.overdue().order_by("deadline", "number")[:10])

    for name, options in (("1280", DESKTOP), ("390", PHONE)):
        page = desk("leader", PASSWORD, **options).page
        key_card = page.locator("#todo-key").inner_text()
        past_card = page.locator("#todo-key-past").inner_text()
        assert "本届重点建议" in key_card and session.short_name in key_card
        for s in key_now:
            assert s.title in key_card and s.title not in past_card
        for s in key_past:
            assert s.title in past_card and s.title not in key_card
        assert past.short_name in past_card
        unsatisfied_card = page.locator("#todo-unsatisfied").inner_text()
        for s in unsatisfied:
            assert s.title in unsatisfied_card
        assert "曾评价不满意" in unsatisfied_card
        overdue_card = page.locator("#todo-overdue").inner_text()
        for s in overdue:
            assert s.title in overdue_card
        for card in ("#todo-key", "#todo-key-past", "#todo-unsatisfied"):
            assert_titles_readable(page, card)
        shoot(page, screenshot_dir / f"leader-home-{name}.png")


def test_congress_staff_see_overdue_parts_unsatisfied_ratings_key_suggestions_and_the_units(
    demo_db, desk, screenshot_dir
):
    session = demo_db
    overdue = (
        Assignment.objects.overdue().exclude(state=Assignment.State.REASSIGNED).order_by("deadline", "id")
    )
    assert overdue.exists()
    rows = statistics.unit_handling(Suggestion.objects.filter(session=session))
    transport = next(r for r in rows if r["unit"] == "市交通运输局")

    for name, options in (("1280", DESKTOP), ("390", PHONE)):
        page = desk("congress", PASSWORD, **options).page
        assert page.locator("h1").inner_text() == "建议办理概况"
        overdue_card = page.locator("#overview-overdue").inner_text()
        for part in overdue.select_related("unit", "suggestion")[:10]:
            assert part.suggestion.title in overdue_card and part.unit.name in overdue_card
        unsatisfied = page.locator("#overview-unsatisfied").inner_text()
        assert "关于李曹镇集镇污水管网改造的建议" in unsatisfied
        assert "卫东升：不满意" in unsatisfied and "没有明确改造时间表和资金来源" in unsatisfied
        key = page.locator("#overview-key").inner_text()
        for s in Suggestion.objects.filter(session=session, is_key=True):
            assert s.title in key
        table = page.locator("#unit-table")
        assert "按期答复率" in table.locator("thead").inner_text()
        cells = table.locator(f"tr[data-unit='{transport['unit_id']}'] td").all_inner_texts()
        assert cells[0] == "市交通运输局" and cells[1] == str(transport["lead"])
        assert cells[4] == (
            f"{transport['on_time_rate'] * 100:.1f}%" if transport["on_time_rate"] is not None else "—"
        )
        for card in ("#overview-overdue", "#overview-unsatisfied", "#overview-key"):
            assert_titles_readable(page, card)
        shoot(page, screenshot_dir / f"congress-home-{name}.png")
        assert page.locator("[data-action]").count() == 0


def test_the_printed_suggestion_page_has_no_navigation_and_no_buttons(demo_db, desk, screenshot_dir):
    session = demo_db
    key = Suggestion.objects.get(session=session, number=7)  # key, supervised, with units and a timeline
    office = desk("office", PASSWORD)
    page = office.open(f"/suggestions/{key.pk}/").page
    assert page.locator(".navbar").is_visible() and page.locator("#actions").is_visible()
    assert page.locator("#documents").get_by_text("打印本页").is_visible()

    page.emulate_media(media="print")
    assert not page.locator(".navbar").is_visible()
    assert not page.locator("#actions").is_visible()
    assert not page.locator("#documents").is_visible()
    assert page.locator("button:visible, .btn:visible").count() == 0
    assert page.locator("h1").is_visible() and key.title in page.locator("h1").inner_text()
    assert page.locator("#timeline").is_visible()
    shoot(page, screenshot_dir / "suggestion-print.png")
    pdf = screenshot_dir / "suggestion-print.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_the_office_supervises_with_a_date_and_hands_out_the_notices(demo_db, desk, screenshot_dir):
    session = demo_db
    s = Suggestion.objects.get(session=session, number=7)
    office = desk("office", PASSWORD)
    page = office.open(f"/suggestions/{s.pk}/").page

    page.locator("button[data-action=supervise]").click()
    modal = page.locator(".modal.show")
    modal.wait_for()
    method = modal.locator("select[name=method]")
    assert method.evaluate("el => el.options[el.selectedIndex].text") == "请选择"
    due = timezone.localdate() + datetime.timedelta(days=14)
    modal.locator("select[name=kind]").select_option(label="督办")
    method.select_option(label="专题会议")
    modal.locator("[name=text]").fill("请交通局本月内完成施工图设计审查，按期开工。")
    modal.locator("[name=due_on]").fill(due.isoformat())
    shoot(page, screenshot_dir / "supervise-dialog.png")
    with page.expect_navigation():
        modal.locator("button[type=submit]").click()
    assert "督办催办：已完成" in page.locator(".alert").first.inner_text()
    assert f"要求{date_cn(due)}前办结" in page.locator("#timeline").inner_text()

    note = SupervisionNote.objects.filter(suggestion=s).latest("created_at")
    assert note.due_on == due
    with page.expect_download() as download:
        page.locator(f"#documents a[href='/documents/supervision/{note.pk}/notice.docx']").click()
    assert download.value.suggested_filename == f"督办通知单-第7号-{date_cn(note.created_at)}.docx"
    text = docx_text(download.value)
    assert "代表建议督办通知单" in text and f"请于{date_cn(due)}前办结" in text and "专题会议" in text

    lead = s.assignments.get(role=Assignment.Role.LEAD, round=s.round)
    with page.expect_download() as download:
        page.locator(f"#documents a[href='/documents/assignments/{lead.pk}/notice.docx']").click()
    assert download.value.suggested_filename == f"交办通知单-第7号-{lead.unit.name}.docx"
    text = docx_text(download.value)
    assert f"{lead.unit.name}：" in text and f"{date_cn(lead.deadline)}前办结并答复代表" in text


def docx_text(download):
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)
