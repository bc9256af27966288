"""Writing sheets to an .xlsx file as a stream: xlsxwriter's constant-memory mode keeps one row at a time and
spills the rest to a temporary file (docs/benchmarks.md, "Excel export", for why xlsxwriter and not openpyxl).
A sheet whose columns each hold one kind of value (``Sheet.typed``: the 汇总表 of every suggestion) is streamed
by rustpy-xlsxwriter instead (``write_streamed``), whose Rust writer takes a sixth of xlsxwriter's time.

Every sheet has the same shape: a title row, a subtitle row (the export date), a frozen header row with an
autofilter, then the rows. Text is always written as text, never as a formula, whatever it starts with
(=, +, -, @), and the control characters Excel rejects are dropped; dates are real dates shown as
2025年3月3日; shares are numbers shown as 0.0%. Widths count a CJK character as two units, as Excel does.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, islice

import xlsxwriter

from ..formats import date_cn, percent

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0.0%"
MAX_TEXT = 32767  # Excel's limit for one cell
MAX_WIDTH = 60
FIT_ROWS = 1000  # widths are measured on the first rows of a sheet
HEADER_ROW = 2  # 0-based: title, subtitle, header
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Percent(float):
    """A share (0.25 is 25%), written as a number with the percent format."""


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 0  # the least width; a "wrap" column never grows past it, its text wraps
    kind: str = "text"  # text | wrap | center | int | date | percent


@dataclass
class Sheet:
    name: str
    title: str
    subtitle: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    autofilter: bool = True
    # each column holds only its kind's values (text, whole numbers or dates, as its ``Column.kind`` says) or
    # nothing: the sheet may be streamed by ``write_streamed``, which formats by column, not by value
    typed: bool = False


def display_width(text: str) -> int:
    """Columns ``text`` takes in Excel: two for a CJK character, one for ASCII. A CJK character is three bytes
    in UTF-8 and ASCII one, so (characters + bytes) / 2 counts it without a per-character loop."""
    return (len(text) + len(text.encode())) // 2


def clean_text(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value)[:MAX_TEXT]


def _cleaned(value: str):
    """``clean_text`` for the streamed sheet's million cells, an empty text written as nothing: most texts are
    printable, which ``str.isprintable`` tells at C speed, and only the others (a line break, a stray control
    character) go through the expression."""
    if not value.isprintable():
        value = CONTROL_CHARACTERS.sub("", value)
    return value[:MAX_TEXT] or None


def safe_sheet_name(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31]


def _shown(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Percent):
        return percent(value)
    if isinstance(value, datetime.date):
        return date_cn(value)
    return "" if value is None else str(value)


class _Writer:
    def __init__(self, target):
        self.workbook = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "remove_timezone": True,
            },
        )
        cell = {"font_name": "宋体", "font_size": 10, "border": 1, "border_color": "#999999", "valign": "top"}
        add = self.workbook.add_format
        self.formats = {
            "title": add(
                {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
            ),
            "subtitle": add(
                {"font_name": "宋体", "font_size": 10, "font_color": "#555555", "valign": "vcenter"}
            ),
            "header": add(
                {
                    **cell,
                    "font_name": "黑体",
                    "bold": True,
                    "bg_color": "#DDEBF7",
                    "align": "center",
                    "valign": "vcenter",
                    "text_wrap": True,
                }
            ),
            "text": add(cell),
            "wrap": add({**cell, "text_wrap": True}),
            "center": add({**cell, "align": "center"}),
            "int": add({**cell, "align": "center"}),
            "date": add({**cell, "align": "center", "num_format": DATE_FORMAT}),
            "percent": add({**cell, "align": "right", "num_format": PERCENT_FORMAT}),
        }

    def sheet(self, sheet: Sheet) -> int:
        ws = self.workbook.add_worksheet(safe_sheet_name(sheet.name))
        columns = sheet.columns
        last = len(columns) - 1
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(HEADER_ROW)
        ws.freeze_panes(HEADER_ROW + 1, 0)
        ws.set_row(0, 32)
        self._banner(ws, 0, last, sheet.title, self.formats["title"])
        ws.set_row(1, 20)
        self._banner(ws, 1, last, sheet.subtitle, self.formats["subtitle"])
        ws.set_row(HEADER_ROW, 30)
        for i, column in enumerate(columns):
            ws.write_string(HEADER_ROW, i, column.header, self.formats["header"])

        formats = [self.formats[c.kind] for c in columns]
        longest = [0] * len(columns)
        write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
        percent, date = self.formats["percent"], self.formats["date"]
        r = HEADER_ROW
        for r, row in enumerate(sheet.rows, start=HEADER_ROW + 1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    write_blank(r, c, None, formats[c])
                elif isinstance(value, str):
                    write_string(r, c, clean_text(value), formats[c])  # a string is text, never a formula
                elif isinstance(value, Percent):
                    write_number(r, c, value, percent)
                elif isinstance(value, datetime.date):
                    ws.write_datetime(r, c, value, date)
                else:
                    write_number(r, c, value, formats[c])
            if r <= HEADER_ROW + FIT_ROWS:
                for c, value in enumerate(row):
                    longest[c] = max(longest[c], display_width(_shown(value)))
        count = r - HEADER_ROW

        # xlsxwriter writes the column widths when the file closes, so they can follow the rows.
        for c, column in enumerate(columns):
            width = max(column.width, display_width(column.header) + 4)
            if column.kind != "wrap":
                width = max(width, min(longest[c] + 3, MAX_WIDTH))
            ws.set_column(c, c, width)
        if sheet.autofilter:
            ws.autofilter(HEADER_ROW, 0, HEADER_ROW + count, last)
        return count

    @staticmethod
    def _banner(ws, row, last, text, cell_format):
        """A line of text across the sheet's width (one merged cell)."""
        if last:
            ws.merge_range(row, 0, row, last, clean_text(text), cell_format)
        else:
            ws.write_string(row, 0, clean_text(text), cell_format)

    def close(self):
        self.workbook.close()


def write_workbook(sheets: Iterable[Sheet], target) -> list[int]:
    """Write ``sheets`` to ``target`` (a path or a binary file); returns the number of rows of each sheet. One
    typed sheet alone (``Sheet.typed``) is streamed by ``write_streamed``."""
    sheets = list(sheets)
    if len(sheets) == 1 and sheets[0].typed and len(sheets[0].columns) > 1:  # a title is merged across
        return [write_streamed(sheets[0], target)]
    writer = _Writer(target)
    counts = [writer.sheet(sheet) for sheet in sheets]
    writer.close()
    return counts


def _rust_formats():
    """The formats of ``_Writer``, in rustpy-xlsxwriter's terms."""
    from rustpy_xlsxwriter import Format

    def cell():
        return (
            Format()
            .set_font_name("宋体")
            .set_font_size(10)
            .set_border("thin")
            .set_border_color("#999999")
            .set_align("top")
        )

    return {
        "title": Format()
        .set_font_name("黑体")
        .set_font_size(16)
        .set_bold()
        .set_align("center")
        .set_align("vcenter"),
        "subtitle": Format()
        .set_font_name("宋体")
        .set_font_size(10)
        .set_font_color("#555555")
        .set_align("vcenter"),
        "header": cell()
        .set_font_name("黑体")
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_align("center")
        .set_align("vcenter")
        .set_text_wrap(),
        "text": cell(),
        "wrap": cell().set_text_wrap(),
        "center": cell().set_align("center"),
        "int": cell().set_align("center"),
        "date": cell().set_align("center").set_num_format(DATE_FORMAT),
    }


def write_streamed(sheet: Sheet, target) -> int:
    """Write one typed sheet (``Sheet.typed``) to ``target`` with rustpy-xlsxwriter, as ``_Writer`` lays it out:
    the title and subtitle merged across the table, the frozen header with its filter, repeated on every printed
    page, A4 landscape one page wide, the widths measured on the first ``FIT_ROWS`` rows; text always text,
    never a formula. Its cells take their format from the column, so an empty cell has none (no border): the
    sheet prints its gridlines, and the printed table is a whole grid. Returns the number of rows."""
    from rustpy_xlsxwriter import FastExcel

    columns = sheet.columns
    if any(c.kind not in ("text", "wrap", "center", "int", "date") for c in columns):
        raise ValueError("逐列格式的工作表只能有文本、整数和日期列。")
    headers = [c.header for c in columns]
    last = len(columns) - 1
    formats = _rust_formats()
    counted = [0]

    def cleaned(rows):
        for row in rows:
            counted[0] += 1
            yield {
                header: _cleaned(value) if value.__class__ is str else value
                for header, value in zip(headers, row, strict=True)
            }

    rows = iter(sheet.rows)
    head = list(islice(rows, FIT_ROWS))
    longest = [0] * len(columns)
    for row in head:
        for c, value in enumerate(row):
            longest[c] = max(longest[c], display_width(_shown(value)))
    widths = []
    for c, column in enumerate(columns):
        width = max(column.width, display_width(column.header) + 4)
        if column.kind != "wrap":
            width = max(width, min(longest[c] + 3, MAX_WIDTH))
        widths.append(width)
    banners = [(0, 0, 0, last, clean_text(sheet.title), formats["title"])]
    banners.append((1, 0, 1, last, clean_text(sheet.subtitle), formats["subtitle"]))
    if not last:
        raise ValueError("逐列格式的工作表至少要有两列（标题跨列合并）。")
    (
        FastExcel(target)
        .freeze(row=HEADER_ROW + 1)
        .sheet(
            safe_sheet_name(sheet.name),
            cleaned(chain(head, rows)),
            header_row=HEADER_ROW,
            header_format=formats["header"],
            column_formats=[formats[c.kind] for c in columns],
            column_widths=widths,
            merge_ranges=banners,
            row_heights={0: 32, 1: 20, HEADER_ROW: 30},
            autofilter=sheet.autofilter,
            page_setup={
                "landscape": True,
                "paper_size": 9,  # A4
                "fit_to_pages": (1, 0),
                "repeat_rows": HEADER_ROW,
                "print_gridlines": True,
            },
        )
        .save()
    )
    return counted[0]
