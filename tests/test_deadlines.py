"""Deadlines on the Chinese working calendar (real ``chinese-calendar`` data, no mocks)."""

import datetime

import chinese_calendar
import chinese_calendar.constants
import pytest

from suggestions import deadlines


def d(text):
    return datetime.date.fromisoformat(text)


# --- the calendar ----------------------------------------------------------------------------------------------


def test_spring_festival_2025_days_are_holidays_named_in_chinese():
    for day in (d("2025-01-28"), d("2025-01-31"), d("2025-02-04")):
        info = deadlines.day_info(day)
        assert not info.is_workday
        assert info.name == "春节"
        assert info.from_calendar


def test_make_up_sunday_and_saturday_are_working_days():
    for day in (d("2025-01-26"), d("2025-02-08")):
        assert day.weekday() >= 5
        info = deadlines.day_info(day)
        assert info.is_workday
        assert info.name == "调休上班"
        assert chinese_calendar.is_workday(day)


@pytest.mark.parametrize(
    ("day", "name"),
    [("2025-01-01", "元旦"), ("2025-04-04", "清明节"), ("2025-05-01", "劳动节"), ("2025-05-31", "端午节")],
)
def test_holidays_are_named_as_offices_name_them(day, name):
    assert deadlines.day_info(d(day)).name == name


def test_an_ordinary_weekend_is_a_rest_day():
    info = deadlines.day_info(d("2025-03-08"))
    assert (info.is_workday, info.name) == (False, "周末")


def test_national_day_holiday_2025_runs_from_october_1_to_8():
    holiday = [d("2025-10-01") + datetime.timedelta(days=n) for n in range(8)]
    assert not any(deadlines.is_workday(day) for day in holiday)
    assert deadlines.is_workday(d("2025-10-09"))
    assert deadlines.day_info(d("2025-10-01")).name == "国庆节"


def test_the_packaged_calendar_ends_with_2026():
    # chinese-calendar 1.11 (requirements.lock) publishes up to 2026; the "estimated" tests below use 2027.
    # When an upgrade brings 2027, move those dates to the first year the package does not know.
    assert max(day.year for day in chinese_calendar.constants.holidays) == 2026


def test_days_beyond_the_published_calendar_fall_back_to_weekends():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-03-01"))
    monday, saturday = deadlines.day_info(d("2027-03-01")), deadlines.day_info(d("2027-03-06"))
    assert (monday.is_workday, monday.from_calendar) == (True, False)
    assert (saturday.is_workday, saturday.name, saturday.from_calendar) == (False, "周末", False)


# --- N months from the assignment ------------------------------------------------------------------------------


def test_handling_deadline_is_three_months_from_the_assignment_date():
    deadline = deadlines.handling_deadline(d("2025-03-03"))
    assert deadline.date == d("2025-06-03")
    assert deadline.start == d("2025-03-03")
    assert deadline.skipped == []
    assert not deadline.estimated
    assert deadline.explain() == ""


def test_deadline_landing_in_the_national_day_holiday_moves_to_the_next_working_day():
    deadline = deadlines.handling_deadline(d("2025-07-01"))  # 2025-10-01
    assert deadline.date == d("2025-10-09")
    assert len(deadline.skipped) == 8
    assert "国庆节" in deadline.explain()
    assert not deadline.estimated


def test_deadline_landing_in_the_spring_festival_moves_past_it():
    deadline = deadlines.handling_deadline(d("2024-10-28"))  # 2025-01-28
    assert deadline.date == d("2025-02-05")
    assert "春节" in deadline.explain()


def test_deadline_landing_on_a_weekend_moves_to_monday():
    deadline = deadlines.handling_deadline(d("2025-02-17"))  # 2025-05-17, a Saturday
    assert deadline.date == d("2025-05-19")
    assert deadline.explain() == "跳过周末2天"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-11-30", 3, "2025-02-28"),  # no 30 February: the last day of the month
        ("2023-11-30", 3, "2024-02-29"),  # leap year
        ("2025-08-31", 1, "2025-09-30"),
        ("2025-01-31", 1, "2025-02-28"),
        ("2025-10-31", 3, "2026-01-31"),  # year boundary (a Saturday; add_months does not move it)
    ],
)
def test_month_end_is_clamped_to_the_last_day_of_the_shorter_month(start, months, expected):
    assert deadlines.add_months(d(start), months) == d(expected)


def test_clamped_month_end_deadline_is_still_a_working_day():
    deadline = deadlines.handling_deadline(d("2024-11-30"))
    assert deadline.date == d("2025-02-28")
    assert chinese_calendar.is_workday(deadline.date)


def test_longest_deadline_is_six_months_from_the_assignment():
    assert deadlines.longest_deadline(d("2025-03-03")) == d("2025-09-03")


def test_co_unit_opinion_is_due_one_month_after_assignment():
    assert deadlines.opinion_deadline(d("2025-03-03")).date == d("2025-04-03")


def test_rehandling_deadline_is_one_month():
    assert deadlines.rehandling_deadline(d("2025-04-10")).date == d("2025-05-12")  # 5-10 Sat, 5-11 Sun


def test_deadline_beyond_the_published_calendar_is_estimated():
    deadline = deadlines.handling_deadline(d("2026-12-01"))
    assert deadline.date == d("2027-03-01")
    assert deadline.estimated
    assert "估算" in deadline.explain()


def test_deadline_within_the_published_calendar_is_not_estimated():
    assert not deadlines.handling_deadline(d("2026-06-01")).estimated


def test_the_rules_are_regional_settings(settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "handling_months": 2}
    assert deadlines.handling_deadline(d("2025-03-03")).date == d("2025-05-06")  # 5-3..5-5 Labour Day


# --- windows of working days -----------------------------------------------------------------------------------


def test_reassignment_window_is_five_working_days_after_assignment():
    assert deadlines.reassignment_window(d("2025-03-03")).date == d("2025-03-10")


def test_working_days_across_the_spring_festival_count_the_make_up_sunday():
    window = deadlines.working_days_after(d("2025-01-24"), 5)
    # 1-26 (Sunday, make-up), 1-27, then the holiday 1-28..2-4, then 2-5, 2-6, 2-7
    assert window.date == d("2025-02-07")
    assert window.makeup_workdays == [d("2025-01-26")]
    assert "春节" in window.explain()
    assert "调休上班日1月26日计为工作日" in window.explain()


def test_working_days_after_the_spring_festival_count_the_make_up_saturday():
    window = deadlines.working_days_after(d("2025-01-27"), 5)
    # holiday 1-28..2-4, then 2-5, 2-6, 2-7, 2-8 (Saturday, make-up), 2-10
    assert window.date == d("2025-02-10")
    assert window.makeup_workdays == [d("2025-02-08")]
    assert "2月8日" in window.explain()


def test_working_days_agree_with_chinese_calendar():
    start, end = d("2025-01-20"), d("2025-02-20")
    expected = len(chinese_calendar.get_workdays(start + datetime.timedelta(days=1), end))
    assert deadlines.working_days_between(start, end) == expected


def test_working_days_between_counts_backwards_as_negative():
    assert deadlines.working_days_between(d("2025-01-24"), d("2025-02-07")) == 5
    assert deadlines.working_days_between(d("2025-02-07"), d("2025-01-24")) == -5
    assert deadlines.working_days_between(d("2025-03-03"), d("2025-03-03")) == 0


def test_working_days_window_running_into_an_unpublished_year_is_estimated():
    window = deadlines.working_days_after(d("2026-12-28"), 5)
    assert window.date == d("2027-01-04")
    assert window.estimated
