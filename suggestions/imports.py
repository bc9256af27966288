"""Importing the list of suggestions the congress office hands over as an Excel workbook (.xlsx).

    plan = read_plan(file, session=session)        # parse, match names, validate; writes nothing
    plan.errors / plan.warnings                    # Problem: Excel row, column, message
    run_import(plan, user=office, assign=False)    # all rows or none, in one transaction

The header row is found among the first rows of the sheet (a title row or merged cells may sit above it), its
columns in any order under the names offices use (see COLUMNS). Deputies, categories and units are matched by
name; a lead deputy or a category that cannot be matched is an error for its row, a joint deputy or a proposed
unit that cannot be matched is a warning and is left out. The proposed units (建议主办/协办单位) are the congress
office's proposal: they are assigned right away only when the office asks for it (``assign=True``); otherwise
they are written into the suggestion's remarks and the office assigns later.

Registration writes, in bulk, exactly what ``workflow.register`` writes (the suggestion, its joint deputies and
its 登记 event): per row through ``register`` a 5,000-row list took minutes (docs/benchmarks.md). Assignment goes
through ``workflow.perform("assign")`` row by row, like an assignment made on the suggestion's page.
"""

import datetime
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import workflow
from .models import Category, CongressSession, Delegation, Deputy, HandlingUnit, Leader, Suggestion

HEADER_SCAN_ROWS = 15  # the header row is looked for among this many rows at the top of a sheet
MAX_ROWS = 20_000  # a guard against runaway sheets; a session has a few hundred suggestions
ERROR, WARNING = "error", "warning"


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
TEMPLATE_HEADERS = [c.label for c in COLUMNS if c.key not in ("supervising_leader", "remarks")]
TEMPLATE_EXAMPLE = [
    "12",
    "关于加快农村道路提档升级的建议",
    "赵明远",
    "钱晓梅、孙志强",
    "开元街道代表团",
    "城建交通",
    "部分农村道路路面破损严重, 建议纳入年度计划提档升级。",
    "市交通运输局",
    "市财政局",
    "否",
]

YES = {"是", "√", "✓", "✔", "Y", "YES", "TRUE", "1", "重点", "重点建议"}
NO = {"", "否", "×", "✗", "X", "N", "NO", "FALSE", "0", "一般"}


# --- problems and rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file: an error blocks the import, a warning is shown and the row goes in."""

    message: str
    row: int | None = None  # the Excel row number, as the office sees it
    column: str = ""  # the header as written in the file
    level: str = ERROR

    @property
    def is_error(self):
        return self.level == ERROR

    def __str__(self):
        where = f"第{self.row}行" if self.row else ""
        if self.column:
            where += f"「{self.column}」"
        return f"{where}: {self.message}" if where else self.message


class ImportFileError(Exception):
    """The file cannot be read as a list of suggestions at all; ``problem`` says why."""

    def __init__(self, message, row=None, column=""):
        self.problem = Problem(message, row, column)
        super().__init__(str(self.problem))


class ImportFailed(Exception):
    """The import was refused or rolled back; nothing was written."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass
class ImportRow:
    """One suggestion of the file: what was written there and what it matched."""

    row: int
    number: int | None = None
    title: str = ""
    content: str = ""
    lead_name: str = ""
    joint_names: list = field(default_factory=list)
    delegation_name: str = ""
    category_name: str = ""
    lead_unit_name: str = ""
    co_unit_names: list = field(default_factory=list)
    is_key: bool = False
    leader_name: str = ""
    remarks: str = ""
    lead_deputy: Deputy | None = None
    joint_deputies: list = field(default_factory=list)
    category: Category | None = None
    lead_unit: HandlingUnit | None = None
    co_units: list = field(default_factory=list)
    supervising_leader: Leader | None = None
    problems: list = field(default_factory=list)

    @property
    def errors(self):
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self):
        return [p for p in self.problems if not p.is_error]

    @property
    def can_assign(self):
        return self.lead_unit is not None

    def fields(self, *, session, assign):
        """The suggestion's fields, as ``workflow.register`` takes them."""
        return {
            "session": session,
            "number": self.number,
            "title": self.title,
            "content": self.content,
            "lead_deputy": self.lead_deputy,
            "category": self.category,
            "is_key": self.is_key,
            "supervising_leader": self.supervising_leader,
            "remarks": self._remarks(assign),
        }

    def _remarks(self, assign):
        lines = [self.remarks] if self.remarks else []
        assigned_as_proposed = (
            assign
            and self.lead_unit is not None
            and len(self.co_units) == len(self.co_unit_names)
            and self.lead_unit_name
        )
        if (self.lead_unit_name or self.co_unit_names) and not assigned_as_proposed:
            proposal = []
            if self.lead_unit_name:
                proposal.append(f"建议主办单位: {self.lead_unit_name}")
            if self.co_unit_names:
                proposal.append(f"建议协办单位: {'、'.join(self.co_unit_names)}")
            lines.append("人大交办清单" + "; ".join(proposal))
        return "\n".join(lines)


@dataclass
class ImportPlan:
    """A parsed file: its rows and every problem found, ready to show or to import."""

    session: CongressSession
    sheet_title: str = ""
    header_row: int | None = None
    headers: dict = field(default_factory=dict)  # column key -> header as written in the file
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # about the file as a whole

    @property
    def all_problems(self):
        found = list(self.problems)
        for row in self.rows:
            found.extend(row.problems)
        return found

    @property
    def errors(self):
        return [p for p in self.all_problems if p.is_error]

    @property
    def warnings(self):
        return [p for p in self.all_problems if not p.is_error]

    @property
    def ok(self):
        return bool(self.rows) and not self.errors

    @property
    def assignable(self):
        return sum(1 for r in self.rows if r.can_assign)


# --- text ------------------------------------------------------------------------------------------------------

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_SPACE_NEAR_CJK = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")
_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_NAME_SEPARATORS = re.compile(r"[、,;/|\n]+")
_NUMBER = re.compile(r"第?0*(\d+)(?:\.0+)?号?(?:建议)?")


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


def parse_number(value) -> int | None:
    """12, 12.0, "12", "１２", "第12号", "12.0" -> 12; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 1 else None
    match = _NUMBER.fullmatch(key(value))
    if not match:
        return None
    number = int(match.group(1))
    return number if 1 <= number <= 2_147_483_647 else None


def parse_flag(value) -> bool | None:
    text = key(value).upper()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


# --- reading the workbook --------------------------------------------------------------------------------------

XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_workbook(file):
    """An openpyxl workbook (read-only, cached values rather than formulas) or ImportFileError."""
    import openpyxl

    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head:
        raise ImportFileError("上传的文件是空的。")
    if head.startswith(XLS_SIGNATURE):
        raise ImportFileError("这是旧版Excel (.xls) 文件, 请在Excel或WPS中「另存为」.xlsx 格式后再导入。")
    if not head.startswith(b"PK"):
        raise ImportFileError("文件不是Excel (.xlsx) 工作簿, 请上传 .xlsx 格式的文件。")
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except zipfile.BadZipFile as exc:
        raise ImportFileError("文件已损坏, 无法打开 (不是完整的 .xlsx 文件)。") from exc
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        raise ImportFileError("无法读取该文件: 它不是有效的Excel (.xlsx) 工作簿。") from exc


def _rows(sheet):
    sheet.reset_dimensions()  # files from other programs often carry wrong dimensions
    return enumerate(sheet.iter_rows(values_only=True), start=1)


def _match_header(values):
    """Column index of each known column in a candidate header row: {key: (index, header as written)}."""
    best = {}
    for index, value in enumerate(values or ()):
        text = header_key(value)
        # 案由/标题: the whole header, else its first part that is a known name
        for candidate in [text, *text.split("/")] if text else []:
            column = ALIASES.get(candidate)
            if column is None:
                continue
            rank = column.aliases.index(candidate)
            if column.key not in best or rank < best[column.key][0]:
                best[column.key] = (rank, index, key(value))
            break
    return {k: (index, written) for k, (_rank, index, written) in best.items()}


def find_header(workbook):
    """(sheet, header row number, columns) of the sheet whose header matches most known columns."""
    found = None
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue
        for number, values in _rows(sheet):
            if number > HEADER_SCAN_ROWS:
                break
            columns = _match_header(values)
            if len(columns) >= 2 and (found is None or len(columns) > len(found[2])):
                found = (sheet, number, columns)
    if found is None:
        if all(_is_empty_sheet(s) for s in workbook.worksheets):
            raise ImportFileError("工作簿是空的, 没有任何数据。")
        raise ImportFileError(
            f"在前{HEADER_SCAN_ROWS}行中找不到表头: 请保留「建议编号」「标题」「领衔代表」「类别」等列名 "
            "(可下载导入模板对照)。"
        )
    sheet, number, columns = found
    missing = [REQUIRED_LABELS.get(c.key, c.label) for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        raise ImportFileError(f"表头缺少必需的列: {'、'.join(f'「{m}」' for m in missing)}。", row=number)
    return sheet, number, columns


def _is_empty_sheet(sheet):
    if not hasattr(sheet, "iter_rows"):
        return True
    return not any(any(cell_text(v) for v in values) for _n, values in _rows(sheet))


def check_file(file):
    """Opens the file and finds its header, or raises ImportFileError: the quick check made on upload."""
    workbook = open_workbook(file)
    try:
        find_header(workbook)
    finally:
        workbook.close()


# --- matching names --------------------------------------------------------------------------------------------


def _strip_suffix(text, suffix):
    return text[: -len(suffix)] if text.endswith(suffix) and len(text) > len(suffix) else text


class Directory:
    """Deputies, delegations, categories, units and leaders, loaded once and looked up by normalized name."""

    def __init__(self):
        self.deputies = defaultdict(list)
        for deputy in Deputy.objects.select_related("delegation"):
            self.deputies[key(deputy.name)].append(deputy)
        self.delegations = {}
        for delegation in Delegation.objects.all():
            self.delegations[key(delegation.name)] = delegation
            self.delegations.setdefault(_strip_suffix(key(delegation.name), "代表团"), delegation)
        self.categories = {key(c.name): c for c in Category.objects.all()}
        self.units = [
            (key(u.name), key(u.short_name), u)
            for u in HandlingUnit.objects.filter(is_active=True).select_related("leader")
        ]
        self.leaders = [(key(leader.name), leader) for leader in Leader.objects.filter(is_active=True)]

    def delegation(self, name):
        text = key(name)
        return self.delegations.get(text) or self.delegations.get(_strip_suffix(text, "代表团"))

    def deputy(self, name, delegation=None):
        """(deputy, None) or (None, why not)."""
        candidates = self.deputies.get(key(name), [])
        if not candidates:
            return None, f"找不到代表“{name}”"
        if len(candidates) == 1:
            return candidates[0], None
        if delegation is not None:
            same = [d for d in candidates if d.delegation_id == delegation.pk]
            if len(same) == 1:
                return same[0], None
        active = [d for d in candidates if d.is_active]
        if len(active) == 1:
            return active[0], None
        where = "、".join(d.delegation.name for d in candidates)
        return None, f"代表“{name}”有{len(candidates)}人重名 ({where}), 请在「代表团」列注明所在代表团"

    def category(self, name):
        return self.categories.get(key(name))

    def unit(self, name):
        """(unit, None) or (None, why not): the full name, the short name, then a unique containment
        (交通运输局 -> 市交通运输局, 霍州市财政局 -> 市财政局)."""
        text = key(name)
        tiers = (
            lambda full, short: full == text,
            lambda full, short: short == text,
            lambda full, short: text in full or (short and text in short),
            lambda full, short: full in text or (len(short) >= 2 and short in text),
        )
        for tier in tiers:
            found = [u for full, short, u in self.units if tier(full, short)]
            if len(found) == 1:
                return found[0], None
            if len(found) > 1:
                return None, f"单位“{name}”不能确定是哪一个 ({'、'.join(u.name for u in found[:5])})"
        return None, f"找不到承办单位“{name}”"

    def leader(self, name):
        text = key(name)
        found = [leader for k, leader in self.leaders if k == text] or [
            leader for k, leader in self.leaders if k and k in text
        ]
        return found[0] if len(found) == 1 else None


# --- parsing ---------------------------------------------------------------------------------------------------


def read_plan(file, *, session) -> ImportPlan:
    """Reads ``file`` (a path or a binary file object) into a plan for ``session``. Writes nothing.

    A file that cannot be read at all gives a plan with one file-level error and no rows."""
    if isinstance(file, bytes):
        file = io.BytesIO(file)
    if isinstance(file, str) or hasattr(file, "__fspath__"):
        with open(file, "rb") as handle:
            return read_plan(handle, session=session)
    plan = ImportPlan(session=session)
    try:
        workbook = open_workbook(file)
        try:
            sheet, header_row, columns = find_header(workbook)
            plan.sheet_title, plan.header_row = sheet.title, header_row
            plan.headers = {k: written for k, (_index, written) in columns.items()}
            _read_rows(plan, sheet, columns)
        finally:
            workbook.close()
    except ImportFileError as exc:
        plan.problems.append(exc.problem)
        plan.rows = []
        return plan
    if "number" in columns and header_key(plan.headers["number"]) == "序号":
        plan.problems.append(
            Problem("文件没有「建议编号」列, 以「序号」作为建议编号。", header_row, "序号", WARNING)
        )
    if not plan.rows:
        plan.problems.append(Problem("表头下面没有任何建议。", header_row))
        return plan
    _validate(plan, Directory())
    return plan


def _read_rows(plan, sheet, columns):
    for number, values in _rows(sheet):
        if number <= plan.header_row:
            continue
        cells = {k: (values[i] if i < len(values) else None) for k, (i, _w) in columns.items()}
        texts = {k: cell_text(v) for k, v in cells.items()}
        filled = [k for k, t in texts.items() if t]
        if not filled:
            continue
        if not texts.get("number") and len(filled) == 1 and _looks_like_a_note(texts[filled[0]]):
            note = texts[filled[0]]  # 合计 / 填表说明 lines under the table
            plan.problems.append(Problem(f"“{note[:20]}”不是一条建议, 已跳过", number, level=WARNING))
            continue
        if len(plan.rows) >= MAX_ROWS:
            raise ImportFileError(f"文件超过{MAX_ROWS}行, 请分批导入。")
        plan.rows.append(_read_row(number, cells, plan.headers))


def _looks_like_a_note(text):
    return key(text).startswith(("合计", "总计", "共计", "注", "说明", "填表说明", "备注"))


def _read_row(number, cells, headers):
    row = ImportRow(row=number)

    def problem(column_key, message, level=ERROR):
        row.problems.append(Problem(message, number, headers.get(column_key, ""), level))

    raw_number = cells.get("number")
    row.number = parse_number(raw_number)
    if not cell_text(raw_number):
        problem("number", "没有填写建议编号")
    elif row.number is None:
        problem("number", f"“{cell_text(raw_number)}”不是有效的建议编号 (应为正整数, 如12或第12号)")

    row.title = one_line(cells.get("title"))
    if not row.title:
        problem("title", "没有填写标题")
    elif len(row.title) > Suggestion._meta.get_field("title").max_length:
        problem("title", f"标题超过{Suggestion._meta.get_field('title').max_length}字")
    row.content = paragraphs(cells.get("content"))

    leads = split_names(cells.get("lead_deputy"))
    if not leads:
        problem("lead_deputy", "没有填写领衔代表")
    else:
        row.lead_name = leads[0]
        if len(leads) > 1:
            problem("lead_deputy", f"领衔代表只能一人, {'、'.join(leads[1:])}按联名代表导入", WARNING)
    row.joint_names = [n for n in leads[1:] + split_names(cells.get("joint_deputies")) if n != row.lead_name]
    row.joint_names = list(dict.fromkeys(row.joint_names))
    row.delegation_name = key(cells.get("delegation"))
    row.category_name = key(cells.get("category"))
    if not row.category_name:
        problem("category", "没有填写类别")
    units = split_names(cells.get("lead_unit"))
    row.lead_unit_name = units[0] if units else ""
    row.co_unit_names = [n for n in units[1:] + split_names(cells.get("co_units")) if n != row.lead_unit_name]
    row.co_unit_names = list(dict.fromkeys(row.co_unit_names))
    if len(units) > 1:
        problem("lead_unit", f"建议主办单位只能一个, {'、'.join(units[1:])}按协办单位处理", WARNING)
    flag = parse_flag(cells.get("is_key"))
    if flag is None:
        problem("is_key", f"无法识别“{cell_text(cells.get('is_key'))}”, 按非重点建议导入", WARNING)
    row.is_key = bool(flag)
    row.leader_name = key(cells.get("supervising_leader"))
    row.remarks = paragraphs(cells.get("remarks"))
    return row


def _validate(plan, directory):
    existing = set(Suggestion.objects.filter(session=plan.session).values_list("number", flat=True))
    first_row = {}
    headers = plan.headers
    for row in plan.rows:

        def problem(column_key, message, level=ERROR, row=row):
            row.problems.append(Problem(message, row.row, headers.get(column_key, ""), level))

        if row.number is not None:
            if row.number in first_row:
                problem("number", f"{row.number}号与第{first_row[row.number]}行重复")
            else:
                first_row[row.number] = row.row
                if row.number in existing:
                    problem("number", f"{plan.session.name}已有第{row.number}号建议")

        delegation = directory.delegation(row.delegation_name) if row.delegation_name else None
        if row.delegation_name and delegation is None:
            problem("delegation", f"找不到代表团“{row.delegation_name}”", WARNING)
        if row.lead_name:
            row.lead_deputy, why = directory.deputy(row.lead_name, delegation)
            if why:
                problem("lead_deputy", why)
            elif delegation and row.lead_deputy.delegation_id != delegation.pk:
                problem(
                    "lead_deputy",
                    f"代表“{row.lead_name}”属于{row.lead_deputy.delegation.name}, 与「代表团」列不符, "
                    f"按{row.lead_deputy.delegation.name}导入",
                    WARNING,
                )
        around = delegation or (row.lead_deputy.delegation if row.lead_deputy else None)
        for name in row.joint_names:
            deputy, why = directory.deputy(name, around)
            if why:
                problem("joint_deputies", f"{why}, 该联名代表未导入", WARNING)
            elif deputy != row.lead_deputy and deputy not in row.joint_deputies:
                row.joint_deputies.append(deputy)

        if row.category_name:
            row.category = directory.category(row.category_name)
            if row.category is None:
                names = "、".join(directory.categories[k].name for k in list(directory.categories)[:10])
                problem(
                    "category",
                    f"找不到类别“{row.category_name}”" + (f" (现有类别: {names})" if names else ""),
                )

        if row.lead_unit_name:
            row.lead_unit, why = directory.unit(row.lead_unit_name)
            if why:
                problem("lead_unit", f"{why}, 交办时请另行指定", WARNING)
        for name in row.co_unit_names:
            unit, why = directory.unit(name)
            if why:
                problem("co_units", f"{why}, 该协办单位未采用", WARNING)
            elif unit == row.lead_unit:
                problem("co_units", f"{unit.name}已是主办单位, 不再作为协办单位", WARNING)
            elif unit not in row.co_units:
                row.co_units.append(unit)

        _validate_key(row, directory, problem)


def _validate_key(row, directory, problem):
    if row.leader_name:
        row.supervising_leader = directory.leader(row.leader_name)
        if row.supervising_leader is None:
            problem("supervising_leader", f"找不到领导“{row.leader_name}”", WARNING)
        else:
            row.is_key = True
    if row.is_key and row.supervising_leader is None:
        leader = row.lead_unit.leader if row.lead_unit else None
        if leader is not None:
            row.supervising_leader = leader
            problem("is_key", f"重点建议的督办领导按建议主办单位的分管领导定为{leader}", WARNING)
        else:
            row.is_key = False
            row.remarks = "\n".join(filter(None, [row.remarks, "人大交办清单标注为重点建议"]))
            problem(
                "is_key", "重点建议须指定督办领导, 现按一般建议导入 (已记入备注), 请在交办时标记", WARNING
            )


# --- importing -------------------------------------------------------------------------------------------------


# A refusal from the workflow names a model field; the problem names the file's column.
FIELD_COLUMNS = {
    "number": "number",
    "title": "title",
    "lead_deputy": "lead_deputy",
    "delegation": "lead_deputy",
    "category": "category",
    "lead_unit": "lead_unit",
    "co_units": "co_units",
    "supervising_leader": "supervising_leader",
}


@dataclass
class ImportResult:
    registered: list
    assigned: int


def run_import(plan: ImportPlan, *, user, assign=False, at=None) -> ImportResult:
    """Registers every row of ``plan`` (and, with ``assign``, assigns those with a matched lead unit) in one
    transaction: all rows or none. Raises ImportFailed, with nothing written, when any row cannot be."""
    if not plan.rows:
        raise ImportFailed(plan.errors or [Problem("文件中没有可导入的建议。")])
    if plan.errors:
        raise ImportFailed(plan.errors)
    if not user.has_perm(workflow.REGISTER.permission) or not user.has_perm("suggestions.import"):
        raise ImportFailed([Problem("您没有权限导入建议。")])
    at = at or timezone.now()
    assigned = 0
    try:
        with transaction.atomic():
            registered = _register_all(plan, user, at, assign)
            for row, suggestion in zip(plan.rows, registered, strict=True):
                if not (assign and row.can_assign):
                    continue
                try:
                    workflow.perform(
                        "assign",
                        user=user,
                        suggestion=suggestion,
                        at=at,
                        lead_unit=row.lead_unit,
                        co_units=row.co_units,
                    )
                except workflow.WorkflowError as exc:
                    column = FIELD_COLUMNS.get(exc.field) or "lead_unit"
                    raise ImportFailed([Problem(exc.message, row.row, plan.headers.get(column, ""))]) from exc
                assigned += 1
    except IntegrityError as exc:  # a number registered by someone else at the same moment
        raise ImportFailed(
            [Problem("建议编号与刚刚登记的建议冲突 (可能有人同时在登记或导入), 请重新预览后再导入。")]
        ) from exc
    return ImportResult(registered=registered, assigned=assigned)


def _register_all(plan, user, at, assign):
    """登记 every row through ``workflow.register_many`` (a few queries per 500 rows, docs/benchmarks.md); a
    refusal names the row and the column it concerns."""
    entries = [
        dict(row.fields(session=plan.session, assign=assign), joint_deputies=row.joint_deputies)
        for row in plan.rows
    ]
    try:
        return workflow.register_many(user=user, entries=entries, at=at)
    except workflow.RegistrationError as exc:
        row = plan.rows[exc.index].row if exc.index is not None else None
        column = plan.headers.get(FIELD_COLUMNS.get(exc.field, ""), "") if exc.field else ""
        message = exc.message
        if exc.message.startswith("本届次会议中已有") and exc.index is not None:
            message = f"{plan.session.name}已有第{plan.rows[exc.index].number}号建议"
        raise ImportFailed([Problem(message, row, column)]) from exc


# --- the template ----------------------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """The import template: a title row, the header row and one example row."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "建议清单"
    sheet.append(["人大代表建议清单 (导入模板: 请从第3行起逐行填写, 可删除示例行)"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    widths = {"标题": 40, "内容": 60, "联名代表": 24, "建议主办单位": 20, "建议协办单位": 24}
    for index, header in enumerate(TEMPLATE_HEADERS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(header, 12)
        sheet[f"{letter}3"].number_format = "@"
    sheet.freeze_panes = "A3"
    notes = workbook.create_sheet("填写说明")
    for line in (
        ["列名", "说明"],
        ["建议编号", "必填。本届次会议内唯一的正整数, 可写作 12 或 第12号。"],
        ["标题", "必填。也可用列名「案由」。"],
        ["领衔代表", "必填。须与系统中的代表姓名一致; 重名时请填写「代表团」列。"],
        ["联名代表", "多人用顿号、逗号、分号或空格分隔。"],
        ["类别", "必填。须与系统中的类别名称一致, 如 城建交通。"],
        ["建议主办单位", "单位全称或简称。导入时可选择按建议主办、协办单位直接交办。"],
        ["建议协办单位", "可填多个, 用顿号等分隔。"],
        ["是否重点", "是 / 否 / √ / 空。"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
