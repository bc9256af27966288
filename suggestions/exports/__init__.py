"""Excel exports: the 建议办理情况汇总表 (one row per suggestion) and the statistics workbook.

``summary.py`` and ``figures.py`` say what the sheets hold, ``xlsx.py`` writes them. Callers pass a queryset
already limited to what the reader may see (``selectors.filtered_suggestions`` for the list's rows), so the
screen and the workbook agree.
"""

import dataclasses
import datetime

from django.utils import timezone

from .figures import statistics_sheets
from .summary import summary_sheet
from .xlsx import write_workbook

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL_SESSIONS = "全部届次"


def write_summary(
    queryset, target, *, today: datetime.date | None = None, note: str = "", reader=None, progress=None
) -> int:
    """Write the summary of ``queryset`` to ``target`` (a path or binary file); returns the number of rows.
    ``progress(n)`` is told each row written (the background export's progress bar)."""
    sheet = summary_sheet(queryset, today=today, note=note, reader=reader)
    if progress:
        sheet = dataclasses.replace(sheet, rows=_counted(sheet.rows, progress))
    return write_workbook([sheet], target)[0]


STATISTICS_SHEETS = 7  # 概况, 按类别, 按承办单位, 按分管领导, 按答复类别, 满意度, 承办单位考核


def write_statistics(
    queryset, target, *, scope: str = "", today: datetime.date | None = None, progress=None
) -> int:
    """Write the statistics workbook of ``queryset``; returns the number of sheets. ``progress(n)`` is told
    each sheet written."""
    sheets = statistics_sheets(queryset, scope=scope, today=today)
    if progress:
        sheets = _told(sheets, progress)
    return len(write_workbook(sheets, target))


def _counted(rows, progress):
    for done, row in enumerate(rows, start=1):
        yield row
        progress(done)


def _told(sheets, progress):
    for done, sheet in enumerate(sheets):
        if done:
            progress(done)
        yield sheet


def filename(kind: str, scope: str = "", today: datetime.date | None = None) -> str:
    """建议办理情况汇总表_第八届人民代表大会第五次会议_20261125.xlsx"""
    day = today or timezone.localdate()
    return "_".join(part for part in (kind, scope or ALL_SESSIONS, f"{day:%Y%m%d}")) + ".xlsx"
