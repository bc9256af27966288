"""Deadline arithmetic on the Chinese working calendar.

Working days follow the State Council's public holidays and make-up workdays (调休) as published in the
``chinese-calendar`` package. For a year the package does not know yet, Saturdays and Sundays are the rest
days and the result says so, so that a deadline is never silently wrong.

Rules (``suggestions.rules``: SUGGESTION_RULES and the office's rules file):
- a deadline of N months runs to the same day N months later (the last day of a shorter month when that day
  does not exist); when it falls on a rest day it moves to the next working day;
- a window of N working days counts working days after the start date.
"""

import calendar
import datetime
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


def day_info(day: datetime.date) -> DayInfo:
    try:
        on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        weekend = day.weekday() >= 5
        return DayInfo(day, not weekend, "周末" if weekend else "工作日", False)
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
            parts.append("超出已公布的节假日安排，按周末休息估算")
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
