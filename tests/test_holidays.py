"""节假日安排 entered by the office: a deadline running into a year without a schedule is saved 「估算」 and
listed on the office's home; entering the year (by the command or on the page) counts it again, writes the
event, tells the unit and clears the flag; an entered day overrides the package; a bad file saves nothing."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suggestions import deadlines, holidays, workflow
from suggestions.models import Assignment, Event, HolidayDay, Notification, Suggestion
from tests.view_helpers import detail_url, section, text, timeline

pytestmark = pytest.mark.django_db

TITLE = "关于农村道路提档升级的建议"
# 2027: not in chinese-calendar 1.11 (test_deadlines checks it ends with 2026). A made-up schedule: the
# Spring Festival from February 6 to 12, a make-up Saturday on the 20th.
SCHEDULE_2027 = (
    "日期,类型,名称\n2027-01-01,休息日,元旦\n2027-02-06~2027-02-12,休息日,春节\n2027-02-20,调休上班日,春节\n"
)
TOML_2027 = """year = 2027

[[days]]
date = 2027-01-01
kind = "休息日"
name = "元旦"

[[days]]
date = "2027-02-06~2027-02-12"
kind = "休息日"
name = "春节"

[[days]]
date = "2027-02-20"
kind = "调休上班日"
name = "春节"
"""


def d(text):
    return datetime.date.fromisoformat(text)


def assigned_on(journey, day):
    """The journey's suggestion assigned on ``day`` (3 months; the finance bureau as co-unit, 1 month)."""
    journey.at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return journey.assign()


@pytest.fixture
def into_2027(journey):
    """Assigned on Monday 2026-11-09: due 2027-02-09, a Tuesday by the weekend guess, in the Spring Festival
    of the schedule above (then due Monday 2027-02-15)."""
    return assigned_on(journey, d("2026-11-09"))


def lead_of(journey):
    return Assignment.objects.get(suggestion=journey.s, role=Assignment.Role.LEAD)


def co_of(journey):
    return Assignment.objects.get(suggestion=journey.s, role=Assignment.Role.CO)


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


# --- estimated: saved, shown, listed ---------------------------------------------------------------------------


def test_a_deadline_into_2027_is_saved_estimated_and_shown_so(client, into_2027, office, clerk):
    lead, co = lead_of(into_2027), co_of(into_2027)
    assert (lead.deadline, lead.deadline_estimated, lead.deadline_months) == (d("2027-02-09"), True, 3)
    assert "2027年节假日安排尚未公布，按周末休息估算" in lead.deadline_note
    assert (co.deadline, co.deadline_estimated) == (d("2026-12-09"), False)  # 2026 is in the calendar
    s = Suggestion.objects.get(pk=into_2027.s.pk)
    assert (s.deadline, s.deadline_estimated) == (d("2027-02-09"), True)

    items = section(page(client, office, detail_url(s)), "parts").split("<li")
    lead_item, co_item = (next(i for i in items if unit in i) for unit in ("市交通运输局", "市财政局"))
    assert "估算" in lead_item and "2027年节假日安排尚未公布" in lead_item  # the explanation under the date
    assert "估算" not in co_item
    listed = text(page(client, office, reverse("suggestions:list")))
    assert TITLE in listed and "估算</span>" in listed
    assert "估算" in text(page(client, clerk, reverse("suggestions:home")))


def test_the_office_home_lists_the_open_estimated_deadlines_with_their_count(client, into_2027, office):
    card = section(page(client, office, reverse("suggestions:home")), "todo-estimated")
    assert TITLE in card and "市交通运输局" in card
    assert '<span class="badge text-bg-warning">1</span>' in card
    assert reverse("suggestions:holidays") in card


def test_a_deadline_within_the_calendar_is_not_estimated(client, journey, office):
    assigned_on(journey, d("2026-03-02"))
    lead = lead_of(journey)
    assert (lead.deadline, lead.deadline_estimated) == (d("2026-06-02"), False)
    card = section(page(client, office, reverse("suggestions:home")), "todo-estimated")
    assert TITLE not in card


# --- entering 2027 -------------------------------------------------------------------------------------------


def assert_recomputed(journey, office_client=None):
    lead = lead_of(journey)
    assert (lead.deadline, lead.original_deadline, lead.deadline_estimated) == (
        d("2027-02-15"),
        d("2027-02-15"),
        False,
    )
    assert "跳过春节假期" in lead.deadline_note and "估算" not in lead.deadline_note
    s = Suggestion.objects.get(pk=journey.s.pk)
    assert (s.deadline, s.deadline_estimated) == (d("2027-02-15"), False)
    event = Event.objects.get(suggestion=s, action="recompute_deadline")
    assert event.note == "2027年节假日安排已录入，办理期限由2027年2月9日调整为2027年2月15日"
    assert (event.actor, event.actor_name, event.label) == (None, "系统", "调整办理期限")
    told = Notification.objects.get(event=event, recipient=journey.clerk)
    assert "2027年2月15日" in told.text
    assert not Notification.objects.filter(event=event, recipient__unit=journey.units["finance"]).exists()
    assert not Assignment.objects.filter(deadline_estimated=True).exists()


def test_the_command_enters_2027_and_counts_the_deadline_again(client, into_2027, office, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    out = call_command_out("holidays", "--year", "2027", str(path))
    assert "已录入2027年的节假日安排：9天" in out
    assert "调整1件" in out
    assert HolidayDay.objects.filter(year=2027).count() == 9
    assert_recomputed(into_2027)
    response = page(client, office, detail_url(into_2027.s))
    assert "办理期限由2027年2月9日调整为2027年2月15日" in timeline(response)
    assert "跳过春节假期" in section(response, "parts")
    assert TITLE not in section(page(client, office, reverse("suggestions:home")), "todo-estimated")


def test_the_page_enters_2027_from_a_toml_file(client, into_2027, office):
    client.force_login(office)
    upload = SimpleUploadedFile("2027.toml", TOML_2027.encode(), content_type="application/toml")
    response = client.post(reverse("suggestions:holiday_save"), {"year": "2027", "file": upload}, follow=True)
    assert "已录入2027年的节假日安排（9天）；重新计算期限：调整1件" in text(response)
    assert "2027年2月6日" in section(response, "holiday-year-2027")
    assert_recomputed(into_2027)


def test_the_page_enters_rows_typed_in(client, into_2027, office):
    client.force_login(office)
    response = client.post(reverse("suggestions:holiday_save"), {"year": "2027", "text": SCHEDULE_2027})
    assert response.status_code == 302
    assert_recomputed(into_2027)


def test_an_unchanged_deadline_loses_its_flag_without_an_event(journey, office):
    assigned_on(journey, d("2026-11-02"))  # due Tuesday 2027-02-02, before the festival
    assert lead_of(journey).deadline_estimated
    saved = holidays.save_year(2027, holidays.parse(SCHEDULE_2027, 2027), user=office)
    assert (len(saved.events), saved.cleared) == (0, 1)
    lead = lead_of(journey)
    assert (lead.deadline, lead.deadline_estimated) == (d("2027-02-02"), False)
    assert "估算" not in lead.deadline_note
    assert not Suggestion.objects.get(pk=journey.s.pk).deadline_estimated
    assert not Event.objects.filter(action="recompute_deadline").exists()


def test_deleting_the_year_makes_the_deadline_estimated_again(client, into_2027, office):
    holidays.save_year(2027, holidays.parse(SCHEDULE_2027, 2027), user=office)
    client.force_login(office)
    response = client.post(reverse("suggestions:holiday_delete", args=[2027]), follow=True)
    assert "已删除2027年的节假日安排（9天）" in text(response)
    lead = lead_of(into_2027)
    assert (lead.deadline, lead.deadline_estimated) == (d("2027-02-09"), True)
    assert Event.objects.filter(
        action="recompute_deadline", note__startswith="2027年节假日安排已删除"
    ).exists()


def test_an_extension_granted_is_the_deadlines_explanation(client, into_2027, office, clerk):
    into_2027.sign()
    lead = lead_of(into_2027)
    workflow.perform(
        "request_extension", user=clerk, suggestion=into_2027.s, assignment=lead, at=into_2027.step(),
        grounds="需协调资金", requested_deadline=d("2027-04-30"),
    )  # fmt: skip
    workflow.perform(
        "rule_extension", user=office, suggestion=into_2027.s, assignment=lead_of(into_2027), at=into_2027.step(),
        approve=True,
    )  # fmt: skip
    lead = lead_of(into_2027)
    assert (lead.deadline, lead.deadline_estimated, lead.deadline_months) == (d("2027-04-30"), False, None)
    assert "批准延期，由2027年2月9日延至2027年4月30日" in lead.deadline_note
    assert "批准延期" in section(page(client, office, detail_url(into_2027.s)), "parts")
    saved = holidays.save_year(2027, holidays.parse(SCHEDULE_2027, 2027), user=office)
    assert saved.events == [] and lead_of(into_2027).deadline == d(
        "2027-04-30"
    )  # a date set by the office stays


# --- the calendar reads the entered days ------------------------------------------------------------------------


def test_an_entered_day_overrides_the_package(office):
    assert deadlines.day_info(d("2026-06-01")).is_workday  # a Monday in chinese-calendar's 2026
    assert not deadlines.day_info(d("2026-02-15")).is_workday  # a Sunday of its Spring Festival
    assert deadlines.months_deadline(d("2026-03-01"), 3).date == d("2026-06-01")
    rows = "2026-06-01,休息日,端午节\n2026-02-15,调休上班日,春节\n"
    holidays.save_year(2026, holidays.parse(rows, 2026), user=office)
    june = deadlines.day_info(d("2026-06-01"))
    assert (june.is_workday, june.name, june.from_calendar) == (False, "端午节", True)
    assert deadlines.day_info(d("2026-02-15")).is_workday
    assert deadlines.day_info(d("2026-10-01")).name == "国庆节"  # a day not entered: the package's
    assert deadlines.months_deadline(d("2026-03-01"), 3).date == d("2026-06-02")


def test_the_entered_days_are_read_once_not_per_day(office):
    holidays.save_year(2027, holidays.parse(SCHEDULE_2027, 2027), user=office)
    with CaptureQueriesContext(connection) as captured:
        assert deadlines.working_days_between(d("2027-01-01"), d("2027-12-31")) > 200
        deadlines.months_deadline(d("2027-01-05"), 6)
    assert len(captured) == 1
    assert not deadlines.day_info(d("2027-02-08")).is_workday
    assert deadlines.day_info(d("2027-02-20")).is_workday
    assert deadlines.day_info(d("2027-03-01")).from_calendar  # the year's schedule is entered


# --- bad files ---------------------------------------------------------------------------------------------------


def call_command_out(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


BAD = "日期,类型,名称\n2027-01-01,休息日,元旦\n2027-13-01,休息日,春节\n2027-02-08,调休上班日,\n2026-12-31,休息日,元旦\n"


def test_a_malformed_file_is_refused_by_row_and_nothing_saved(into_2027, office, tmp_path):
    holidays.save_year(2027, holidays.parse("2027-01-01,休息日,元旦\n", 2027), user=office)
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("holidays", "--year", "2027", str(path))
    message = str(refused.value)
    assert "未作任何修改" in message
    assert "第3行：日期「2027-13-01」无法识别" in message
    assert "第4行：2027年2月8日是星期一，本就是工作日" in message
    assert "第5行：日期2026年12月31日不在2027年" in message
    assert list(HolidayDay.objects.values_list("date", flat=True)) == [d("2027-01-01")]  # the old one stays
    assert lead_of(into_2027).deadline == d("2027-02-09")


def test_the_page_refuses_a_malformed_file_with_its_rows(client, into_2027, office):
    client.force_login(office)
    upload = SimpleUploadedFile("2027.csv", BAD.encode("gb18030"), content_type="text/csv")
    response = client.post(reverse("suggestions:holiday_save"), {"year": "2027", "file": upload})
    assert response.status_code == 400
    errors = section(response, "holiday-errors")
    assert "第3行" in errors and "第4行" in errors and "第5行" in errors
    assert not HolidayDay.objects.exists()
    assert lead_of(into_2027).deadline_estimated


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("2027-01-01,假,元旦", "第1行：类型「假」无法识别，请填写「休息日」或「调休上班日」。"),
        ("2027-01-01,休息日,", "第1行：休息日须写明节日名称，如春节。"),
        ("2027-01-01,休息日,元旦\n2027-01-01,休息日,元旦", "第2行：2027年1月1日与第1行重复。"),
        ("2027-02-12~2027-02-06,休息日,春节", "第1行：结束日期2027年2月6日早于开始日期2027年2月12日。"),
        ("2027-02-20,调休上班日,春节", "文件中没有2027年的休息日"),
        ("", "文件中没有2027年的休息日"),
        ("2027-01-01,休息日,元旦,多余", "第1行：多出了列"),
        (
            'year = 2026\n[[days]]\ndate = "2027-01-01"\nkind = "休息日"\nname = "元旦"\n',
            "文件中的年份2026与要录入的2027年不符。",
        ),
        ('[[days]]\ndate = "2027-01-01"\nkind = "放假了"\nname = "元旦"\n', "第1条：类型「放假了」无法识别"),
    ],
)
def test_each_problem_is_named_in_chinese(rows, message):
    with pytest.raises(holidays.HolidayFileError) as refused:
        holidays.parse(rows, 2027)
    assert any(message in m for m in refused.value.messages), refused.value.messages


def test_the_worked_example_file_parses():
    example = Path(__file__).resolve().parent.parent / "docs" / "holidays" / "2027.example.toml"
    days = holidays.parse(example.read_text(encoding="utf-8"), 2027, filename=example.name)
    assert {day.name for day in days} >= {"元旦", "春节", "国庆节"}


def test_the_migration_finds_the_rule_of_parts_assigned_before_it(into_2027):
    """Parts assigned before deadlines kept their rule get it (and their 估算 flag) from migration 0016."""
    import importlib

    from django.apps import apps

    Assignment.objects.update(deadline_months=None, deadline_estimated=False, deadline_note="")
    Suggestion.objects.update(deadline_estimated=False)
    importlib.import_module("suggestions.migrations.0019_deadline_rule_of_open_parts").forwards(apps, None)
    lead, co = lead_of(into_2027), co_of(into_2027)
    assert (lead.deadline_months, lead.deadline_estimated) == (3, True)
    assert (co.deadline_months, co.deadline_estimated) == (1, False)
    assert Suggestion.objects.get(pk=into_2027.s.pk).deadline_estimated


def test_a_rehandling_deadline_into_2027_is_estimated_and_counted_again(journey, office):
    """Re-handled from Friday 2027-01-08 for a month: due 2027-02-08, in the festival once 2027 is entered."""
    journey.assign().reply()
    journey.at = timezone.make_aware(datetime.datetime(2027, 1, 8, 9))
    workflow.perform("rehandle", user=office, suggestion=journey.s, at=journey.at, reason="答复不具体")
    part = Assignment.objects.get(suggestion=journey.s, round=2)
    assert (part.deadline, part.deadline_estimated, part.deadline_months) == (d("2027-02-08"), True, 1)
    holidays.save_year(2027, holidays.parse(SCHEDULE_2027, 2027), user=office)
    part.refresh_from_db()
    assert (part.deadline, part.deadline_estimated) == (d("2027-02-15"), False)
    assert journey.s.rehandlings.get(round=2).deadline == d("2027-02-15")
