"""The plan: every row of the file read into an ``ImportRow``, matched and checked (``matching``), with the
problems found; nothing is written.

The proposed units (建议主办/协办单位) are the congress office's proposal: they are assigned right away only when
the office asks for it (``assign=True``); otherwise they are written into the suggestion's remarks
(``ImportRow.fields``) and the office assigns later.
"""

import dataclasses
import io
import json
from dataclasses import dataclass, field

from ..formats import parse_number
from ..models import Category, CongressSession, Deputy, HandlingUnit, Leader, Suggestion
from .cells import (
    MAX_ROWS,
    Formula,
    cell_text,
    find_header,
    header_key,
    key,
    one_line,
    open_workbook,
    paragraphs,
    parse_flag,
    sheet_rows,
    split_names,
)
from .matching import Directory, match_rows
from .problems import ERROR, WARNING, ImportFileError, Problem

MAX_CELL_CHARS = 20_000  # a suggestion's text runs to a few thousand characters; Excel's own limit is 32,767

# What reading the file finds in a row, before any name is matched: kept between the preview and the import.
PARSED = (
    "row",
    "number",
    "title",
    "content",
    "lead_name",
    "joint_names",
    "delegation_name",
    "category_name",
    "lead_unit_name",
    "co_unit_names",
    "is_key",
    "leader_name",
    "remarks",
)


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
                proposal.append(f"建议主办单位：{self.lead_unit_name}")
            if self.co_unit_names:
                proposal.append(f"建议协办单位：{'、'.join(self.co_unit_names)}")
            lines.append("人大交办清单" + "；".join(proposal))
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

    # What a row of this kind of plan is, and what of it is kept between the preview and the import.
    row_class = ImportRow
    parsed = PARSED

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

    # The file is read once, on upload; the preview and the import check what was read (``checked``) against
    # the database as it is then. ``to_json``/``from_json`` keep what was read in between.

    def to_json(self) -> str:
        return json.dumps(
            {
                "sheet_title": self.sheet_title,
                "header_row": self.header_row,
                "headers": self.headers,
                "problems": [dataclasses.asdict(p) for p in self.problems],
                "rows": [
                    {
                        **{name: getattr(r, name) for name in self.parsed},
                        "problems": [dataclasses.asdict(p) for p in r.problems],
                    }
                    for r in self.rows
                ],
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text, *, session) -> "ImportPlan":
        data = json.loads(text)
        rows = [
            cls.row_class(
                **{name: r[name] for name in cls.parsed}, problems=[Problem(**p) for p in r["problems"]]
            )
            for r in data["rows"]
        ]
        return cls(
            session=session,
            sheet_title=data["sheet_title"],
            header_row=data["header_row"],
            headers=data["headers"],
            rows=rows,
            problems=[Problem(**p) for p in data["problems"]],
        )


# --- reading ---------------------------------------------------------------------------------------------------


def read_plan(file, *, session) -> ImportPlan:
    """Reads ``file`` (a path, bytes or a binary file object) into a plan for ``session``. Writes nothing.

    A file that cannot be read at all gives a plan with one file-level error and no rows."""
    try:
        plan = parse_file(file)
    except ImportFileError as exc:
        return ImportPlan(session=session, problems=[exc.problem])
    return checked(plan, session=session)


def parse_file(file) -> ImportPlan:
    """The rows of ``file`` as written, not yet matched against the database (no session): ImportFileError
    when the file cannot be read as a list of suggestions at all."""
    if isinstance(file, bytes):
        file = io.BytesIO(file)
    if isinstance(file, str) or hasattr(file, "__fspath__"):
        with open(file, "rb") as handle:
            return parse_file(handle)
    plan = ImportPlan(session=None)
    workbook = open_workbook(file)
    try:
        sheet, header_row, columns = find_header(workbook)
        plan.sheet_title, plan.header_row = sheet.title, header_row
        plan.headers = {k: written for k, (_index, written) in columns.items()}
        _read_rows(plan, sheet, columns)
    finally:
        workbook.close()
    if header_key(plan.headers["number"]) == "序号":
        plan.problems.append(
            Problem("文件没有「建议编号」列，以「序号」作为建议编号。", header_row, "序号", WARNING)
        )
    if not plan.rows:
        plan.problems.append(Problem("表头下面没有任何建议。", header_row))
    return plan


def checked(plan, *, session) -> ImportPlan:
    """``plan`` (as ``parse_file`` or ``ImportPlan.from_json`` gives it) for ``session``, its names matched and
    its numbers checked against the database as it is now."""
    plan.session = session
    if plan.rows:
        match_rows(plan, Directory())
    return plan


def _read_rows(plan, sheet, columns, read_row=None):
    """Every row under the header into ``plan.rows``, each read by ``read_row(number, cells, headers)``."""
    read_row = read_row or _read_row
    for number, values in sheet_rows(sheet, last=plan.header_row + MAX_ROWS):
        if number <= plan.header_row:
            continue
        formula = next((i for i, v in enumerate(values) if isinstance(v, Formula)), None)
        if formula is not None:
            raise ImportFileError(_formula_message(number, formula, values[formula], columns), row=None)
        cells = {k: (values[i] if i < len(values) else None) for k, (i, _w) in columns.items()}
        texts = {k: cell_text(v) for k, v in cells.items()}
        filled = [k for k, t in texts.items() if t]
        if not filled:
            continue
        if not texts.get("number") and len(filled) == 1 and _looks_like_a_note(texts[filled[0]]):
            note = texts[filled[0]]  # 合计 / 填表说明 lines under the table
            plan.problems.append(Problem(f"“{note[:20]}”不是一条建议，已跳过", number, level=WARNING))
            continue
        too_long = [k for k, t in texts.items() if len(t) > MAX_CELL_CHARS]
        for k in too_long:  # read no further than its start: the plan holds no huge strings
            cells[k] = texts[k][:40] + "…"
        row = read_row(number, cells, plan.headers)
        row.problems.extend(
            Problem(f"超过{MAX_CELL_CHARS}字，请精简后再导入", number, plan.headers[k]) for k in too_long
        )
        plan.rows.append(row)


def _formula_message(number, index, formula, columns):
    header = next((written for _k, (i, written) in columns.items() if i == index), "")
    where = f"第{number}行「{header}」" if header else f"第{number}行第{index + 1}列"
    shown = formula if len(formula) <= 30 else formula[:30] + "…"
    return (
        f"{where}是公式（{shown}），导入只接受数值和文字：请在Excel中选中整张表复制，"
        "「选择性粘贴—数值」后保存，再导入。"
    )


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
        problem("number", f"“{cell_text(raw_number)}”不是有效的建议编号（应为正整数，如12或第12号）")

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
            problem("lead_deputy", f"领衔代表只能一人，{'、'.join(leads[1:])}按联名代表导入", WARNING)
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
        problem("lead_unit", f"建议主办单位只能一个，{'、'.join(units[1:])}按协办单位处理", WARNING)
    flag = parse_flag(cells.get("is_key"))
    if flag is None:
        problem("is_key", f"无法识别“{cell_text(cells.get('is_key'))}”，按非重点建议导入", WARNING)
    row.is_key = bool(flag)
    row.leader_name = key(cells.get("supervising_leader"))
    row.remarks = paragraphs(cells.get("remarks"))
    return row
