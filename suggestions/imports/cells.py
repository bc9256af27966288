"""Reading the workbook: opening the file, finding the header row and its columns, and reading a cell as the
text, names or flag it holds (a suggestion number is read by ``formats.parse_number``).

The header row is found among the first rows of the sheet (a title row or merged cells may sit above it), its
columns in any order under the names offices use (see COLUMNS).
"""

import datetime
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from .archive import inspect_package
from .problems import ImportFileError

MAX_ROWS = 20_000  # rows scanned below a header, empty ones too; a session has a few hundred suggestions
HEADER_SCAN_ROWS = 15  # the header row is looked for among this many rows at the top of a sheet
MAX_COLUMNS = 100  # cells right of this column are not read (a list has a dozen columns)


# --- columns ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the standard header, as the template writes it
    aliases: tuple  # accepted headers, best first: when two columns match, the better alias wins
    required: bool = False


COLUMNS = (
    Column("number", "建议编号", ("建议编号", "编号", "建议号", "序号"), required=True),
    Column("title", "标题", ("标题", "案由", "建议标题", "建议案由", "题目", "建议名称"), required=True),
    Column(
        "lead_deputy", "领衔代表", ("领衔代表", "领衔人", "领衔代表姓名", "提出人", "代表姓名"), required=True
    ),
    Column("joint_deputies", "联名代表", ("联名代表", "附议代表", "联名人", "附议人")),
    Column("delegation", "代表团", ("代表团", "所在代表团", "所属代表团")),
    Column("category", "类别", ("类别", "建议类别", "分类", "类型"), required=True),
    Column("content", "内容", ("内容", "建议内容", "正文", "建议正文")),
    Column("lead_unit", "建议主办单位", ("建议主办单位", "主办单位", "牵头单位", "建议承办单位", "承办单位")),
    Column("co_units", "建议协办单位", ("建议协办单位", "协办单位", "会办单位")),
    Column("is_key", "是否重点", ("是否重点", "是否重点建议", "重点建议", "重点")),
    Column("supervising_leader", "督办领导", ("督办领导", "领衔督办领导")),
    Column("remarks", "备注", ("备注",)),
)
ALIASES = {alias: c for c in COLUMNS for alias in c.aliases}
REQUIRED_LABELS = {"title": "标题/案由"}

YES = {"是", "√", "✓", "✔", "Y", "YES", "TRUE", "1", "重点", "重点建议"}
NO = {"", "否", "×", "✗", "X", "N", "NO", "FALSE", "0", "一般"}


# --- text ------------------------------------------------------------------------------------------------------

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_SPACE_NEAR_CJK = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")
_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_NAME_SEPARATORS = re.compile(r"[、,;/|\n]+")


def cell_text(value) -> str:
    """A cell as text: numbers without a trailing .0, dates as YYYY-MM-DD, stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _INVISIBLE.sub("", str(value)).strip()


def key(value) -> str:
    """The form names are compared in: NFKC (full-width letters and digits to half-width), no whitespace."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", cell_text(value)))


def header_key(value) -> str:
    """A header cell's key, without a bracketed note or a required-mark: 建议编号(必填)* -> 建议编号."""
    return _BRACKETED.sub("", key(value)).strip("*:")


def one_line(value) -> str:
    """A title: one line, stray spaces and line breaks removed (kept only between Latin words)."""
    text = _WHITESPACE.sub(" ", cell_text(value)).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def paragraphs(value) -> str:
    """A text body: line breaks kept, each line stripped, no blank lines at either end."""
    lines = [line.strip() for line in cell_text(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def split_names(value) -> list[str]:
    """联名代表 and 协办单位: names separated by 、，, ; / or spaces. A space inside a two-character name padded
    to three (王  伟) is not a separator: a piece is split on spaces only if every part is two characters or more."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    names = []
    for piece in _NAME_SEPARATORS.split(text):
        parts = piece.split()
        if len(parts) > 1 and all(len(p) >= 2 for p in parts):
            names.extend(parts)
        elif parts:
            names.append("".join(parts))
    return list(dict.fromkeys(names))


def parse_flag(value) -> bool | None:
    text = key(value).upper()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


# --- reading the workbook --------------------------------------------------------------------------------------

XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Formula(str):
    """A formula cell's text (=A1+1): the import refuses it rather than guess at the value Excel last showed."""


def open_workbook(file):
    """An openpyxl workbook (read-only; formulas as formulas, so that they can be refused) or ImportFileError.
    The package is inspected first (``archive``): nothing of a zip bomb, a macro workbook or a renamed file is
    parsed."""
    import openpyxl

    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head:
        raise ImportFileError("上传的文件是空的。")
    if head.startswith(XLS_SIGNATURE):
        raise ImportFileError("这是旧版Excel（.xls）文件，请在Excel或WPS中「另存为」.xlsx 格式后再导入。")
    if not head.startswith(b"PK"):
        raise ImportFileError("文件不是Excel（.xlsx）工作簿，请上传 .xlsx 格式的文件。")
    inspect_package(file)
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=False, keep_links=False)
    except zipfile.BadZipFile as exc:
        raise ImportFileError("文件已损坏，无法打开（不是完整的 .xlsx 文件）。") from exc
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        raise ImportFileError("无法读取该文件：它不是有效的Excel（.xlsx）工作簿。") from exc


def sheet_rows(sheet, *, last=None):
    """(row number, values) of every row, from 1, at most MAX_COLUMNS wide; a formula cell's value is a
    ``Formula``. Empty rows count: reading stops with ImportFileError past row ``last``, however little the rows
    hold, so a sheet of a million rows (in a column the import does not even read) costs no more than ``last``."""
    sheet.reset_dimensions()  # files from other programs often carry wrong dimensions
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        if last is not None and number > last:
            raise ImportFileError(
                f"工作表「{sheet.title}」超过{last}行（空行和其他列的内容也计算在内），"
                "请删去表格下方多余的行，或分批导入。"
            )
        yield number, tuple(_value(cell) for cell in cells)


def _value(cell):
    if cell.data_type == "f":
        return Formula(getattr(cell.value, "text", None) or cell.value or "=")
    return cell.value


def _match_header(values, aliases=ALIASES):
    """Column index of each known column in a candidate header row: {key: (index, header as written)}."""
    best = {}
    for index, value in enumerate(values or ()):
        text = header_key(value)
        # 案由/标题: the whole header, else its first part that is a known name
        for candidate in [text, *text.split("/")] if text else []:
            column = aliases.get(candidate)
            if column is None:
                continue
            rank = column.aliases.index(candidate)
            if column.key not in best or rank < best[column.key][0]:
                best[column.key] = (rank, index, key(value))
            break
    return {k: (index, written) for k, (_rank, index, written) in best.items()}


def find_header(workbook, columns=COLUMNS):
    """(sheet, header row number, columns) of the sheet whose header matches most of ``columns`` (the import's
    COLUMNS unless a caller reads more of them: the history import)."""
    aliases = ALIASES if columns is COLUMNS else {alias: c for c in columns for alias in c.aliases}
    found = None
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue
        for number, values in sheet_rows(sheet):
            if number > HEADER_SCAN_ROWS:
                break
            matched = _match_header(values, aliases)
            if len(matched) >= 2 and (found is None or len(matched) > len(found[2])):
                found = (sheet, number, matched)
    if found is None:
        if all(_is_empty_sheet(s) for s in workbook.worksheets):
            raise ImportFileError("工作簿是空的，没有任何数据。")
        raise ImportFileError(
            f"在前{HEADER_SCAN_ROWS}行中找不到表头：请保留「建议编号」「标题」「领衔代表」「类别」等列名 "
            "（可下载导入模板对照）。"
        )
    sheet, number, matched = found
    missing = [REQUIRED_LABELS.get(c.key, c.label) for c in columns if c.required and c.key not in matched]
    if missing:
        raise ImportFileError(f"表头缺少必需的列：{'、'.join(f'「{m}」' for m in missing)}。", row=number)
    return sheet, number, matched


def _is_empty_sheet(sheet):
    if not hasattr(sheet, "iter_rows"):
        return True
    try:
        return not any(any(cell_text(v) for v in values) for _n, values in sheet_rows(sheet, last=MAX_ROWS))
    except ImportFileError:  # too long to be empty
        return False
