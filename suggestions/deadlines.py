"""Deadline arithmetic on the Chinese working calendar.

Working days follow the State Council's public holidays and make-up workdays (调休) as published in the
``chinese-calendar`` package, and before it the days the office entered (``HolidayDay``, 节假日安排: a year the
package does not know yet, or a correction). For a year with neither, Saturdays and Sundays are the rest days
and the result says so (``Deadline.estimated``), so that a deadline is never silently wrong.

The entered days are read from the database once for all years and kept in this process (``entered_days``);
saving or deleting a year's schedule forgets them (``forget_entered_days``), and each process reads them again
after ``ENTERED_DAYS_SECONDS`` at the latest, so another process never counts with a stale schedule for long.

Rules (``suggestions.rules``: SUGGESTION_RULES and the office's rules file):
- a deadline of N months runs to the same day N months later (the last day of a shorter month when that day
  does not exist); when it falls on a rest day it moves to the next working day;
- a window of N working days counts working days after the start date.
"""

import calendar
import datetime
import threading
import time
from dataclasses import dataclass, field

import chinese_calendar

from . import rules

HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}
HOLIDAY_NAMES["Tomb-sweeping Day"] = "清明节"
HOLIDAY_NAMES["Dragon Boat Festival"] = "端午节"
HOLIDAY_NAMES["Mid-autumn Festival"] = "中秋节"


def rule(name):
    return rules.get(name)


@dataclass(frozen=True)
class DayInfo:
    date: datetime.date
    is_workday: bool
    name: str  # 春节, 周末, 调休上班, 工作日
    from_calendar: bool  # False when the year is beyond the published calendar


# --- the days the office entered ------------------------------------------------------------------------------

ENTERED_DAYS_SECONDS = 60
_entered = {"years": None, "loaded": 0.0}  # years: {year: {date: DayInfo}}, read at once for all years
_entered_lock = threading.Lock()


def entered_days() -> dict[int, dict[datetime.date, DayInfo]]:
    """{year: {date: DayInfo}} of every entered schedule: one query, then kept for ``ENTERED_DAYS_SECONDS``."""
    years = _entered["years"]
    if years is not None and time.monotonic() - _entered["loaded"] < ENTERED_DAYS_SECONDS:
        return years
    from .models import HolidayDay

    years = {}
    for day, year, kind, name in HolidayDay.objects.values_list("date", "year", "kind", "name"):
        rest = kind == HolidayDay.Kind.REST
        label = (name or "节假日") if rest else "调休上班"
        years.setdefault(year, {})[day] = DayInfo(day, not rest, label, True)
    with _entered_lock:
        _entered.update(years=years, loaded=time.monotonic())
    return years


def forget_entered_days(years=None):
    """After a schedule is saved or deleted: the next ``day_info`` reads the entered days again. ``years``
    ({} for none) sets them without reading, for tests that run without the database."""
    with _entered_lock:
        _entered.update(years=years, loaded=time.monotonic() if years is not None else 0.0)


def day_info(day: datetime.date) -> DayInfo:
    """The day as the office entered it, else as the package has it, else a weekend guess (``from_calendar``
    False, unless the office entered other days of that year: then its schedule is the year's)."""
    entered = entered_days().get(day.year)
    if entered is not None and day in entered:
        return entered[day]
    try:
        return _package_day(day)
    except NotImplementedError:
        weekend = day.weekday() >= 5
        return DayInfo(day, not weekend, "周末" if weekend else "工作日", entered is not None)


def has_schedule(year: int) -> bool:
    """The year's rest days are known: published in the package or entered by the office."""
    if year in entered_days():
        return True
    try:
        chinese_calendar.get_holiday_detail(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _package_day(day: datetime.date) -> DayInfo:
    """``day`` as the ``chinese-calendar`` package has it; NotImplementedError for a year it does not know."""
    on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
    if on_holiday:
        name = HOLIDAY_NAMES.get(holiday, holiday) if holiday else "周末"
        return DayInfo(day, False, name, True)
    return DayInfo(day, True, "调休上班" if day.weekday() >= 5 else "工作日", True)


def is_workday(day: datetime.date) -> bool:
    return day_info(day).is_workday


@dataclass
class Deadline:
    """A computed date with what the computation passed over, so a screen can explain it."""

    date: datetime.date
    start: datetime.date
    skipped: list[DayInfo] = field(default_factory=list)
    makeup_workdays: list[datetime.date] = field(default_factory=list)
    estimated: bool = False  # part of the range lies beyond the published holiday calendar

    def explain(self) -> str:
        parts = []
        holidays = [d for d in self.skipped if d.name != "周末"]
        if holidays:
            names = "、".join(dict.fromkeys(d.name for d in holidays))
            parts.append(f"跳过{names}假期{len(holidays)}天")
        weekends = [d for d in self.skipped if d.name == "周末"]
        if weekends:
            parts.append(f"跳过周末{len(weekends)}天")
        if self.makeup_workdays:
            parts.append(
                "调休上班日" + "、".join(f"{d.month}月{d.day}日" for d in self.makeup_workdays) + "计为工作日"
            )
        if self.estimated:
            years = [y for y in range(self.start.year, self.date.year + 1) if not has_schedule(y)]
            parts.append("、".join(f"{y}年" for y in years) + "节假日安排尚未公布，按周末休息估算")
        return "；".join(parts)


def add_months(start: datetime.date, months: int) -> datetime.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def next_workday(day: datetime.date, start: datetime.date | None = None) -> Deadline:
    """``day`` itself if it is a working day, else the first working day after it."""
    result = Deadline(date=day, start=start or day)
    info = day_info(day)
    while not info.is_workday:
        result.skipped.append(info)
        result.estimated |= not info.from_calendar
        day += datetime.timedelta(days=1)
        info = day_info(day)
    result.estimated |= not info.from_calendar
    result.date = day
    return result


def months_deadline(start: datetime.date, months: int) -> Deadline:
    return next_workday(add_months(start, months), start=start)


def working_days_after(start: datetime.date, days: int) -> Deadline:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    result = Deadline(date=start, start=start)
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        info = day_info(day)
        result.estimated |= not info.from_calendar
        if info.is_workday:
            counted += 1
            if day.weekday() >= 5:
                result.makeup_workdays.append(day)
        else:
            result.skipped.append(info)
    result.date = day
    return result


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + datetime.timedelta(days=n)))


def handling_deadline(assigned_on: datetime.date) -> Deadline:
    return months_deadline(assigned_on, rule("handling_months"))


def opinion_deadline(assigned_on: datetime.date) -> Deadline:
    return months_deadline(assigned_on, rule("opinion_months"))


def reassignment_window(assigned_on: datetime.date) -> Deadline:
    return working_days_after(assigned_on, rule("reassignment_working_days"))


def rehandling_deadline(start: datetime.date) -> Deadline:
    return months_deadline(start, rule("rehandling_months"))


def longest_deadline(assigned_on: datetime.date) -> datetime.date:
    """The latest date an extension may grant (6 months by default)."""
    return months_deadline(assigned_on, rule("max_handling_months")).date
