"""节假日安排: the office enters a year's holidays and make-up working days (调休上班日) as the State Council
announces them, from a small CSV or TOML file (docs/operations.md, 节假日安排; docs/holidays/2027.example.toml)
or typed into the page. A file is checked whole: every problem is named with its row, and nothing is saved
unless all of it is right. Saving (or deleting) a year counts every open deadline it concerns again
(``workflow.recompute_deadlines``).

CSV, one row a day or a run of days (a header row 日期,类型,名称 may come first)::

    2027-02-06~2027-02-12,休息日,春节
    2027-02-14,调休上班日,春节

TOML, the same rows as ``[[days]]`` tables (``date`` a TOML date or a text as above)::

    year = 2027
    [[days]]
    date = "2027-02-06~2027-02-12"
    kind = "休息日"
    name = "春节"
"""

import csv
import datetime
import io
import re
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import deadlines, workflow
from .formats import date_cn
from .models import Assignment, HolidayDay, Suggestion

KINDS = {
    "休息日": HolidayDay.Kind.REST,
    "休息": HolidayDay.Kind.REST,
    "放假": HolidayDay.Kind.REST,
    "休": HolidayDay.Kind.REST,
    "rest": HolidayDay.Kind.REST,
    "调休上班日": HolidayDay.Kind.WORK,
    "调休上班": HolidayDay.Kind.WORK,
    "上班": HolidayDay.Kind.WORK,
    "班": HolidayDay.Kind.WORK,
    "work": HolidayDay.Kind.WORK,
}
RANGE = re.compile(r"\s*(?:~|～|至|--)\s*")
LONGEST_RUN = 31  # days in one row: no holiday is longer
MAX_FILE_BYTES = 100_000
WEEKDAYS = "一二三四五六日"


class HolidayFileError(Exception):
    """A schedule that cannot be saved; ``messages`` names each problem (第3行：……), in Chinese."""

    def __init__(self, messages):
        super().__init__("\n".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class Day:
    date: datetime.date
    kind: str
    name: str


@dataclass
class Saved:
    year: int
    days: int
    events: list = field(default_factory=list)  # the recompute_deadline events written
    cleared: int = 0  # suggestions whose deadline stayed and lost (or gained) only its 估算 flag


# --- reading a file -------------------------------------------------------------------------------------------


def decode(content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise HolidayFileError(["文件过大：节假日安排文件不超过100KB。"])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HolidayFileError(["无法识别文件的编码，请保存为UTF-8编码的CSV或TOML文件。"])


def parse(text: str, year: int, *, filename: str = "") -> list[Day]:
    """The days of ``year`` that ``text`` (CSV, or TOML when the file name ends in .toml or the text has
    ``[[days]]``) lists; HolidayFileError naming every problem by its row."""
    if filename.lower().endswith(".toml") or "[[days]]" in text:
        rows = _toml_rows(text, year)
    else:
        rows = _csv_rows(text)
    return _checked(rows, year)


def _csv_rows(text):
    """(label, date text, kind text, name) of each non-empty row."""
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0] in ("日期", "date"):
            continue  # the header
        cells += [""] * (3 - len(cells))
        rows.append((f"第{number}行", cells[0], cells[1], cells[2], len(cells) > 3 and any(cells[3:])))
    return rows


def _toml_rows(text, year):
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HolidayFileError([f"TOML格式有误：{exc}"]) from exc
    problems = []
    if "year" in data and data["year"] != year:
        problems.append(f"文件中的年份{data['year']}与要录入的{year}年不符。")
    days = data.get("days")
    if not isinstance(days, list):
        raise HolidayFileError([*problems, "文件中没有[[days]]表：每个日期或每段假期写一个[[days]]。"])
    rows = []
    for number, row in enumerate(days, start=1):
        if not isinstance(row, dict):
            problems.append(f"第{number}条：应为含date、kind、name的表。")
            continue
        unknown = sorted(set(row) - {"date", "kind", "name"})
        day = row.get("date", "")
        rows.append(
            (f"第{number}条", str(day), str(row.get("kind", "")), str(row.get("name", "")), bool(unknown))
        )
    if problems:
        raise HolidayFileError(problems)
    return rows


def _date(text):
    text = text.strip().replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})日?", text)
    if not match:
        raise ValueError(text)
    return datetime.date(*(int(g) for g in match.groups()))


def _checked(rows, year) -> list[Day]:
    problems, days, seen = [], [], {}
    for label, date_text, kind_text, name, extra in rows:
        before = len(problems)
        if extra:
            problems.append(f"{label}：多出了列，每行只写日期、类型、名称三项。")
        parts = RANGE.split(date_text.strip()) if date_text.strip() else []
        try:
            if not 1 <= len(parts) <= 2:
                raise ValueError(date_text)
            first, last = _date(parts[0]), _date(parts[-1])
        except ValueError:
            problems.append(
                f"{label}：日期「{date_text}」无法识别，请写作2027-02-06，一段假期写作2027-02-06~2027-02-12。"
            )
            continue
        if last < first:
            problems.append(f"{label}：结束日期{date_cn(last)}早于开始日期{date_cn(first)}。")
            continue
        if (last - first).days >= LONGEST_RUN:
            problems.append(f"{label}：一行最长{LONGEST_RUN}天，请分行填写。")
            continue
        if first.year != year or last.year != year:
            problems.append(f"{label}：日期{date_cn(first if first.year != year else last)}不在{year}年。")
            continue
        kind = KINDS.get(kind_text.strip())
        if kind is None:
            problems.append(f"{label}：类型「{kind_text}」无法识别，请填写「休息日」或「调休上班日」。")
            continue
        name = name.strip()
        if kind == HolidayDay.Kind.REST and not name:
            problems.append(f"{label}：休息日须写明节日名称，如春节。")
        if len(name) > 20:
            problems.append(f"{label}：名称「{name}」过长，最多20个字。")
        run = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
        for day in run:
            if day in seen:
                problems.append(f"{label}：{date_cn(day)}与{seen[day]}重复。")
            elif kind == HolidayDay.Kind.WORK and day.weekday() < 5:
                problems.append(
                    f"{label}：{date_cn(day)}是星期{WEEKDAYS[day.weekday()]}，本就是工作日，不是调休上班日。"
                )
        if len(problems) == before:
            for day in run:
                seen[day] = label
                days.append(Day(day, kind, name))
    if not problems and not any(d.kind == HolidayDay.Kind.REST for d in days):
        problems.append(f"文件中没有{year}年的休息日：请按国务院办公厅的通知填写全年的节假日安排。")
    if problems:
        raise HolidayFileError(problems)
    return sorted(days, key=lambda d: d.date)


# --- saving a year --------------------------------------------------------------------------------------------


def save_year(year: int, days: list[Day], *, user=None, at=None) -> Saved:
    """Replace ``year``'s entered schedule with ``days`` and count the open deadlines it concerns again, in
    one transaction: all or nothing."""
    at = at or timezone.now()
    with _schedule_changing():
        HolidayDay.objects.filter(year=year).delete()
        HolidayDay.objects.bulk_create(
            HolidayDay(date=d.date, year=year, kind=d.kind, name=d.name, entered_by=user, entered_at=at)
            for d in days
        )
        saved = recompute(year, reason=f"{year}年节假日安排已录入", at=at)
    saved.days = len(days)
    return saved


def delete_year(year: int, *, at=None) -> Saved:
    """Remove ``year``'s entered schedule: its deadlines are counted again without it (estimated again when
    the package does not know the year either)."""
    with _schedule_changing():
        count, _ = HolidayDay.objects.filter(year=year).delete()
        saved = recompute(year, reason=f"{year}年节假日安排已删除", at=at) if count else Saved(year, 0)
    saved.days = count
    return saved


@contextmanager
def _schedule_changing():
    """A transaction in which the entered days change: the cached days are forgotten at once (the deadlines
    are counted again inside it), and again once it has committed or rolled back."""
    try:
        with transaction.atomic():
            deadlines.forget_entered_days()
            yield
    finally:
        deadlines.forget_entered_days()


def recompute(year: int, *, reason: str, at=None) -> Saved:
    """Each suggestion being handled with an open part whose deadline is estimated, or counted through
    ``year``: its deadlines counted again (``workflow.recompute_deadlines``)."""
    deadlines.forget_entered_days()
    saved = Saved(year=year, days=0)
    concerned = Assignment.objects.filter(
        Q(deadline_estimated=True) | Q(assigned_on__year__lte=year, deadline__year__gte=year),
        state__in=Assignment.OPEN_STATES,
        deadline_months__isnull=False,
        suggestion__state__in=Suggestion.HANDLING_STATES,
    )
    for s in Suggestion.objects.filter(pk__in=concerned.values("suggestion_id")).order_by("pk"):
        event = workflow.recompute_deadlines(s, reason=reason, at=at)
        if event is None:
            saved.cleared += 1
        else:
            saved.events.append(event)
    return saved


def years():
    """[(year, days entered, rest days, make-up days, last entered)] for the page."""
    rows = {}
    for day in HolidayDay.objects.select_related("entered_by").order_by("date"):
        row = rows.setdefault(
            day.year, {"year": day.year, "days": [], "rest": 0, "work": 0, "entered_at": None}
        )
        row["days"].append(day)
        row["rest" if day.kind == HolidayDay.Kind.REST else "work"] += 1
        if row["entered_at"] is None or day.entered_at > row["entered_at"]:
            row["entered_at"], row["entered_by"] = day.entered_at, day.entered_by
    return sorted(rows.values(), key=lambda r: r["year"], reverse=True)


def open_estimated():
    """The open parts whose deadline is estimated: the office's home lists them."""
    return Assignment.objects.filter(
        deadline_estimated=True,
        state__in=Assignment.OPEN_STATES,
        suggestion__state__in=Suggestion.HANDLING_STATES,
    )
