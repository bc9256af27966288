"""The history import: a past session's 汇总表 (the layout ``exports.summary`` writes, or an office's own with
the same headers) brought in as the suggestions ended, through ``workflow.record_history``.

    plan = parse_history(file)                        # the rows as written (on upload), nothing matched
    plan = checked_history(plan, session=session)     # names matched; unknown ones to be created; numbers checked
    run_history_import(plan, user=office)             # all rows or none

It reads what the import reads (the same header aliases, name matching and problems: row, column, message) and
the columns of how a suggestion was handled: 交办日期, 办理期限, 答复日期, 文号, 签发人, 答复类别 (the code or the
label of the office's scheme, ``rules``), 沟通方式, 代表评价 (one per round: 「第1轮：不满意；第2轮：满意」), 是否公开 and
办理状态 (已办结 when empty). A deputy, delegation, category, unit or leader the database does not know is created
as named (deputies, units and leaders as no longer active: they are the past's), and the preview says so.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from .. import rules, workflow
from ..formats import number_label
from ..models import (
    Category,
    ContactRecord,
    Delegation,
    Deputy,
    HandlingUnit,
    Leader,
    RatingLevel,
    Suggestion,
)
from .cells import COLUMNS, Column, cell_text, find_header, key, open_workbook, split_names
from .matching import Directory
from .plan import PARSED, ImportPlan, ImportRow, _read_row, _read_rows
from .problems import ERROR, WARNING, ImportFailed, ImportFileError, Problem

S = Suggestion.State

HISTORY_COLUMNS = (
    *COLUMNS,
    Column("assigned_on", "交办日期", ("交办日期", "交办时间")),
    Column("deadline", "办理期限", ("办理期限", "答复期限")),
    Column("replied_on", "答复日期", ("答复日期", "答复时间", "办复日期")),
    Column("document_number", "文号", ("文号", "答复文号", "答复函文号")),
    Column("signer", "签发人", ("签发人", "领导签发", "主管领导签字")),
    Column("result_class", "答复类别", ("答复类别", "办复类别", "答复类型")),
    Column("contact", "沟通方式", ("沟通方式",)),
    Column("rating", "代表评价", ("代表评价", "评价", "满意度", "代表满意度")),
    Column("publicity", "是否公开", ("是否公开", "公开情况")),
    Column("state", "办理状态", ("办理状态", "状态")),
)
HISTORY_PARSED = (
    *PARSED,
    "answering_names",
    "assigned_on",
    "deadline",
    "replied_on",
    "document_numbers",
    "signers",
    "result_class",
    "contact_methods",
    "ratings",
    "rounds",
    "publicity",
    "state",
    "other_organ",
)
ASSIGNED_STATES = (S.ASSIGNED, S.IN_HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED)
REPLIED_STATES = (S.REPLIED, S.CLOSED)
PUBLICITY = ("公开", "不公开", "未公开")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_ROUND = re.compile(r"第(\d+)轮[:：]?(.+)")
_HANDED_OVER = re.compile(r"转交(.+)办理")
_ROUND_REMARK = re.compile(r"第\d+轮办理")
_LEADER_TITLE = re.compile(r"^(.*?(?:市长|县长|区长|旗长|州长|主任|书记|主席))(.+)$")


# --- the rows -------------------------------------------------------------------------------------------------


@dataclass
class HistoryRow(ImportRow):
    """A row of the 汇总表: what the import reads, and how the suggestion was handled (dates as YYYY-MM-DD)."""

    answering_names: list = field(default_factory=list)
    assigned_on: str = ""
    deadline: str = ""
    replied_on: str = ""
    document_numbers: list = field(default_factory=list)
    signers: list = field(default_factory=list)
    result_class: str = ""
    contact_methods: list = field(default_factory=list)
    ratings: list = field(default_factory=list)  # [round, RatingLevel value]
    rounds: int = 1
    publicity: str = ""
    state: str = S.CLOSED
    other_organ: str = ""
    answering: list = field(default_factory=list)
    delegation: Delegation | None = None
    new_names: list = field(default_factory=list)  # what the import will create for this row, for the preview

    @property
    def state_label(self):
        return S(self.state).label

    @property
    def rating_label(self):
        return "；".join(f"第{r}轮：{RatingLevel(level).label}" for r, level in self.ratings)

    def entry(self, source=""):
        """What ``workflow.record_history`` writes for this row."""
        day = lambda text: datetime.date.fromisoformat(text) if text else None  # noqa: E731
        return workflow.PastSuggestion(
            fields={
                "session": None,
                "number": self.number,
                "title": self.title,
                "content": self.content,
                "lead_deputy": self.lead_deputy,
                "delegation": self.delegation,
                "category": self.category,
                "is_key": self.is_key,
                "supervising_leader": self.supervising_leader,
                "remarks": self.remarks,
            },
            joint_deputies=self.joint_deputies,
            state=self.state,
            other_organ=self.other_organ,
            answering=self.answering,
            co_units=self.co_units,
            assigned_on=day(self.assigned_on),
            deadline=day(self.deadline),
            replied_on=day(self.replied_on),
            document_numbers=self.document_numbers,
            signers=self.signers,
            result_class=self.result_class,
            contact_methods=self.contact_methods,
            ratings={r: level for r, level in self.ratings},
            rounds=self.rounds,
            publicity=self.publicity,
            source=source,
        )


class HistoryPlan(ImportPlan):
    row_class = HistoryRow
    parsed = HISTORY_PARSED
    session_created = False  # the session is new: created on import


def parse_history(file) -> HistoryPlan:
    """The rows of a 汇总表 as written (no session yet): ImportFileError when it cannot be read at all."""
    import io

    if isinstance(file, bytes):
        file = io.BytesIO(file)
    if isinstance(file, str) or hasattr(file, "__fspath__"):
        with open(file, "rb") as handle:
            return parse_history(handle)
    plan = HistoryPlan(session=None)
    workbook = open_workbook(file)
    try:
        sheet, header_row, columns = find_header(workbook, HISTORY_COLUMNS)
        plan.sheet_title, plan.header_row = sheet.title, header_row
        plan.headers = {k: written for k, (_index, written) in columns.items()}
        _read_rows(plan, sheet, columns, read_row=_read_history_row)
    finally:
        workbook.close()
    if not plan.rows:
        plan.problems.append(Problem("表头下面没有任何建议。", header_row))
    return plan


def file_year(plan) -> int | None:
    """The year of the earliest assignment date in the file: a session's year when nothing else says it."""
    days = [r.assigned_on for r in plan.rows if r.assigned_on]
    return int(min(days)[:4]) if days else None


def _day(value):
    """A date cell (a date, 2025-03-03, 2025/3/3, 2025年3月3日) as YYYY-MM-DD, "" when empty, None when unreadable."""
    text = cell_text(value)
    if not text:
        return ""
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    try:
        return datetime.date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def _state(text):
    text = key(text)
    if not text:
        return S.CLOSED
    for state in S:
        if text in (state.label, state.value) or (state == S.ASSIGNED and text == "已交办（待签收）"):
            return state.value
    if text in ("办结", "已办复"):
        return S.CLOSED.value
    return None


def _result_class(text):
    text = key(text)
    if not text:
        return ""
    for c in rules.result_classes():
        if text in (c.code, f"{c.code}类", key(c.label), key(c.display), key(f"{c.code}类{c.label}")):
            return c.code
    return None


def _rating_level(text):
    text = key(text)
    return next((level.value for level in RatingLevel if level.label == text), None)


def _read_history_row(number, cells, headers):
    base = _read_row(number, cells, headers)
    row = HistoryRow(**{name: getattr(base, name) for name in PARSED}, problems=base.problems)
    unit_column = headers.get("lead_unit", "")
    # the 汇总表 writes every answering unit (分办) in 主办单位: not the import's "one lead unit" warning
    row.problems = [p for p in row.problems if p.column != unit_column or p.is_error]

    unreadable = set()  # columns already refused: not also reported as missing

    def problem(column_key, message, level=ERROR):
        row.problems.append(Problem(message, number, headers.get(column_key, ""), level))
        if level == ERROR:
            unreadable.add(column_key)

    row.answering_names = split_names(cells.get("lead_unit"))
    row.lead_unit_name = row.answering_names[0] if row.answering_names else ""
    row.co_unit_names = [n for n in split_names(cells.get("co_units")) if n not in row.answering_names]

    state = _state(cells.get("state"))
    if state is None:
        labels = "、".join(s.label for s in S)
        problem("state", f"无法识别办理状态“{cell_text(cells.get('state'))}”（可填写：{labels}）")
    else:
        row.state = state

    for name in ("assigned_on", "deadline", "replied_on"):
        day = _day(cells.get(name))
        if day is None:
            problem(name, f"“{cell_text(cells.get(name))}”不是日期（应如2024-03-15或2024年3月15日）")
        else:
            setattr(row, name, day)

    row.document_numbers = _pieces(cells.get("document_number"))
    row.signers = _pieces(cells.get("signer"))
    code = _result_class(cells.get("result_class"))
    if code is None:
        shown = "、".join(c.code for c in rules.result_classes())
        problem(
            "result_class",
            f"无法识别答复类别“{cell_text(cells.get('result_class'))}”（可填写：{shown}或其名称）",
        )
    else:
        row.result_class = code

    labels = {m.label: m.value for m in ContactRecord.Method}
    for text in split_names(cells.get("contact")):
        if text in labels:
            row.contact_methods.append(labels[text])
        else:
            problem("contact", f"无法识别沟通方式“{text}”，未导入", WARNING)

    _read_ratings(row, cells.get("rating"), problem)

    publicity = key(cells.get("publicity"))
    if publicity in PUBLICITY:
        row.publicity = publicity
    elif publicity:
        problem("publicity", f"无法识别“{publicity}”（可填写：公开、不公开、未公开），按未公开导入", WARNING)

    remarks = []
    for part in row.remarks.split("；") if row.remarks else []:
        handed = _HANDED_OVER.fullmatch(part.strip())
        if handed and row.state == S.NOT_GOVERNMENT:
            row.other_organ = handed[1][:100]
        elif not _ROUND_REMARK.fullmatch(part.strip()):
            remarks.append(part)
    row.remarks = "；".join(remarks)
    _check_handling(row, lambda column_key, *args: column_key in unreadable or problem(column_key, *args))
    return row


def _pieces(value):
    return [p for p in (s.strip() for s in re.split("[、\n]", cell_text(value))) if p]


def _read_ratings(row, value, problem):
    """代表评价: 「满意」 for one round, 「第1轮：不满意；第2轮：满意」 once re-handled; 未评价 or empty: none."""
    text = key(value)
    if not text:
        return
    rounds = 1
    for index, part in enumerate(p for p in re.split("[；;]", text) if p):
        match = _ROUND.fullmatch(part)
        round_, label = (int(match[1]), match[2]) if match else (index + 1, part)
        rounds = max(rounds, round_)
        if label == "未评价":
            continue
        level = _rating_level(label)
        if level is None:
            problem(
                "rating",
                f"无法识别代表评价“{part}”（可填写：满意、基本满意、不满意，或「第1轮：不满意；第2轮：满意」）",
            )
            return
        row.ratings.append([round_, level])
    row.rounds = rounds


def _check_handling(row, problem):
    """What the state needs: the units and dates of an assigned suggestion, the reply of a replied one."""
    if row.state == S.REHANDLING:
        row.rounds += 1  # the round being handled now has no rating yet
    if row.state in ASSIGNED_STATES:
        if not row.answering_names:
            problem("lead_unit", f"办理状态为「{S(row.state).label}」的建议须填写主办单位")
        if not row.assigned_on:
            problem("assigned_on", f"办理状态为「{S(row.state).label}」的建议须填写交办日期")
    elif row.answering_names and row.state not in (S.WITHDRAWN,):
        problem("lead_unit", f"办理状态为「{S(row.state).label}」，主办单位未导入", WARNING)
        row.answering_names, row.co_unit_names = [], []
    if row.state == S.WITHDRAWN and row.answering_names and not row.assigned_on:
        problem("assigned_on", "填写了主办单位的建议须填写交办日期")
    if row.state in (*REPLIED_STATES, S.REHANDLING):  # re-handled: the round before was replied
        if not row.replied_on:
            problem("replied_on", f"办理状态为「{S(row.state).label}」的建议须填写答复日期")
        if not row.result_class:
            problem("result_class", f"办理状态为「{S(row.state).label}」的建议须填写答复类别")
    last_rated = [r for r, _level in row.ratings if r == row.rounds]
    if last_rated and row.state not in REPLIED_STATES:
        problem("rating", f"办理状态为「{S(row.state).label}」，最后一轮的评价未导入", WARNING)
        row.ratings = [[r, level] for r, level in row.ratings if r != row.rounds]
    if row.assigned_on and row.deadline and row.deadline < row.assigned_on:
        problem("deadline", "办理期限早于交办日期")
    if row.assigned_on and row.replied_on and row.replied_on < row.assigned_on:
        problem("replied_on", "答复日期早于交办日期")


# --- matching against the database ----------------------------------------------------------------------------


class HistoryDirectory(Directory):
    """The import's directory, with the units and leaders no longer active too (a past session's), and what
    the history import creates when a name is not found, one object per name for the whole file."""

    def __init__(self):
        super().__init__()
        self.units = [
            (key(u.name), key(u.short_name), u)
            for u in HandlingUnit.objects.order_by("-is_active", "pk").select_related("leader")
        ]
        self.leaders = [(key(leader.name), leader) for leader in Leader.objects.order_by("-is_active", "pk")]
        self.new = {}

    def unit(self, name):
        found, why = super().unit(name)
        if found is None and why.startswith("找不到"):
            return self._new(HandlingUnit, name, {"name": name[:100], "is_active": False}), None
        return found, why

    def made(self, model, written, values):
        return self._new(model, written, values)

    def _new(self, model, written, values):
        slot = (model, key(written))
        if slot not in self.new:
            self.new[slot] = model(**values)
        return self.new[slot]

    def created(self):
        """The new objects, in the order they must be saved (a deputy after its delegation)."""
        order = [Delegation, Category, Leader, HandlingUnit, Deputy]
        return sorted(self.new.values(), key=lambda obj: order.index(type(obj)))


def checked_history(plan, *, session, created=False) -> HistoryPlan:
    """``plan`` (as ``parse_history`` or ``from_json`` gives it) for ``session`` (``created``: not saved yet):
    names matched, unknown ones to be created, numbers checked against the file and the session."""
    plan.session, plan.session_created = session, created
    directory = plan.directory = HistoryDirectory()
    existing = set()
    if session.pk:
        existing = set(Suggestion.objects.filter(session=session).values_list("number", flat=True))
    first_row = {}
    for row in plan.rows:
        _match(row, plan, directory, existing, first_row)
    taken = sorted({r.number for r in plan.rows if r.number in existing})
    if taken:
        shown = "、".join(number_label(n) for n in taken[:10]) + ("等" if len(taken) > 10 else "")
        plan.problems.append(
            Problem(f"{session.name}已有{shown}建议，不能再次导入：请导入到另一届次会议，或删去这些行。")
        )
    return plan


def _match(row, plan, directory, existing, first_row):
    headers = plan.headers

    def problem(column_key, message, level=ERROR):
        row.problems.append(Problem(message, row.row, headers.get(column_key, ""), level))

    def new(model, written, what, **values):
        obj = directory.made(model, written, values)
        if obj.pk is None and f"{what}“{written}”" not in row.new_names:
            row.new_names.append(f"{what}“{written}”")
        return obj

    if row.number is not None:
        if row.number in first_row:
            problem("number", f"{row.number}号与第{first_row[row.number]}行重复")
        else:
            first_row[row.number] = row.row
            if row.number in existing:
                problem("number", f"{plan.session.name}已有{number_label(row.number)}建议")

    delegation = directory.delegation(row.delegation_name) if row.delegation_name else None
    if row.delegation_name and delegation is None:
        delegation = new(Delegation, row.delegation_name, "代表团", name=row.delegation_name[:50])
    row.delegation = delegation
    if row.lead_name:
        row.lead_deputy = _deputy(row.lead_name, delegation, directory, problem, new, "lead_deputy")
        if row.lead_deputy is not None and row.delegation is None:
            row.delegation = row.lead_deputy.delegation
    for name in row.joint_names:
        deputy = _deputy(name, row.delegation, directory, problem, new, "joint_deputies")
        if deputy is not None and deputy is not row.lead_deputy and deputy not in row.joint_deputies:
            row.joint_deputies.append(deputy)
    if row.category_name:
        row.category = directory.category(row.category_name) or new(
            Category, row.category_name, "类别", name=row.category_name[:30], order=len(directory.categories)
        )
    units = []
    for name in row.answering_names + row.co_unit_names:
        unit, why = directory.unit(name)
        if why:
            problem("lead_unit" if name in row.answering_names else "co_units", why)
        elif unit.pk is None and f"承办单位“{name}”" not in row.new_names:
            row.new_names.append(f"承办单位“{name}”")
        units.append(unit)
    row.answering = [u for u in units[: len(row.answering_names)] if u is not None]
    row.co_units = [u for u in units[len(row.answering_names) :] if u is not None and u not in row.answering]
    row.lead_unit = row.answering[0] if len(row.answering) == 1 else None
    if row.leader_name:
        row.supervising_leader = directory.leader(row.leader_name)
        if row.supervising_leader is None:
            title, name = _leader_parts(row.leader_name)
            row.supervising_leader = new(
                Leader, row.leader_name, "领导", name=name, title=title, is_active=False
            )
        row.is_key = True
    if row.is_key and row.supervising_leader is None:
        leader = row.answering[0].leader if row.answering and row.answering[0].pk else None
        if leader is None:
            problem("supervising_leader", "重点建议须填写督办领导")
        else:
            row.supervising_leader = leader
            problem("is_key", f"重点建议的督办领导按主办单位的分管领导定为{leader}", WARNING)
    if row.new_names:
        problem(
            "", "将新建" + "、".join(row.new_names) + "（代表、承办单位和领导按不在任、停用新建）", WARNING
        )


def _deputy(name, delegation, directory, problem, new, column):
    deputy, why = directory.deputy(name, delegation)
    if deputy is not None:
        return deputy
    if not why.startswith("找不到"):
        problem(column, why)
        return None
    if delegation is None:
        problem(column, f"找不到代表“{name}”，新建代表须填写「代表团」")
        return None
    return new(
        Deputy, f"{name}（{delegation.name}）", "代表", name=name[:50], delegation=delegation, is_active=False
    )


def _leader_parts(text):
    match = _LEADER_TITLE.match(text)
    return (match[1][:50], match[2][:50]) if match else ("", text[:50])


# --- writing --------------------------------------------------------------------------------------------------


@dataclass
class HistoryResult:
    session: object
    session_created: bool
    written: list
    created: list


def run_history_import(plan, *, user, source="", progress=None) -> HistoryResult:
    """Writes ``plan`` (as ``checked_history`` gives it), all rows or none: the session if new, the names to
    be created, then every suggestion through ``workflow.record_history``. Raises ImportFailed, nothing
    written, when any row cannot be."""
    from django.db import transaction

    if not plan.rows:
        raise ImportFailed(plan.errors or [Problem("文件中没有可导入的建议。")])
    if plan.errors:
        raise ImportFailed(plan.errors)
    if not user.has_perm(workflow.HISTORY_IMPORT.permission):
        raise ImportFailed([Problem("您没有权限导入往届建议。")])
    created = plan.directory.created()
    try:
        with transaction.atomic():
            if plan.session.pk is None:
                plan.session.save()
            for obj in created:
                obj.save()
            entries = []
            for row in plan.rows:
                entry = row.entry(f"{source}第{row.row}行" if source else f"第{row.row}行")
                entry.fields["session"] = plan.session
                entry.joint_deputies = list(row.joint_deputies)
                entries.append(entry)
            written = workflow.record_history(user=user, entries=entries, progress=progress)
    except workflow.RegistrationError as exc:
        row = plan.rows[exc.index].row if exc.index is not None else None
        raise ImportFailed([Problem(exc.message, row, plan.headers.get(exc.field or "", ""))]) from exc
    except Exception as exc:
        from django.db import IntegrityError

        if isinstance(exc, IntegrityError):
            raise ImportFailed(
                [Problem("导入与他人的操作冲突（可能有人同时在导入），请重新预览后再导入。")]
            ) from exc
        raise
    return HistoryResult(plan.session, plan.session_created, written, created)


__all__ = [
    "HISTORY_COLUMNS",
    "HistoryPlan",
    "HistoryRow",
    "ImportFileError",
    "checked_history",
    "file_year",
    "parse_history",
    "run_history_import",
]
