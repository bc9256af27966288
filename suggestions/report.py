"""The yearly handling report (办理工作情况报告), composed from the data as a draft the office edits.

``compose`` returns a ``Report``: a title and a list of blocks (headings, paragraphs, tables) as plain Python
values, so that the text printed by ``manage.py handling_report`` and the Word file of ``report_docx`` say the
same thing. Every figure comes from ``suggestions.statistics``, like the dashboard and the workbook.

The draft follows the published Huozhou report of 2024 (seed/huozhou-2024-handling-report.txt), section by
section, in the official full-width punctuation (「共提出建议、批评和意见62件，其中，政府承办61件，……」):

一、办理工作落实情况: the figures (categories in the session's own names, each result class's count and share in
the scheme's words, the ratings) and the key suggestions, in the order the office set (``Suggestion.key_order``);
二、办理工作的主要做法: contacts with the deputies by method, supervision notes and leaders' 批示, reminders sent,
reassignments and extensions ruled, the key suggestions' meetings, all counted from the records;
三、办理工作的努力方向: what the data show is still wrong (classes not solved, unsatisfied first rounds, overdue
parts, open commitments), then the seed's commitments for next year;
附件: the statistics tables.

Where the data differ from that report (not all closed, ratings mixed, no key suggestions) the sentences say so;
no sentence states a figure the data do not give. A sentence kept from the seed that the data cannot prove (「市政
府高度重视」) is listed in its paragraph's ``check`` and marked in the Word draft for the office to check; a
paragraph the office must write is a ``placeholder``.

The place and city come from the regional rules (``rules.place()``: 市, 县 or 区; ``rules.city()``: 霍州).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from . import access, formats, rules, statistics, workflow
from .models import Assignment, ContactRecord, Reminder, Ruling, Suggestion, SupervisionNote
from .statistics import LABELS

S = Suggestion.State
ANSWERING = (Assignment.Role.LEAD, Assignment.Role.SEPARATE)
SECTION_NUMBERS = "一二三四五六七八九十"


# --- the report as plain values --------------------------------------------------------------------------------


@dataclass
class Heading:
    text: str
    level: int = 1  # 1: 一、 2: (一) 3: ① a key suggestion


@dataclass
class Paragraph:
    text: str
    placeholder: bool = False  # for the office to write: shown highlighted in the Word draft
    align: str = "justify"  # or "right" (the date line)
    check: tuple[str, ...] = ()  # parts of ``text`` kept from the seed's wording that the office should check


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    note: str = ""  # printed under the table


@dataclass
class Report:
    title: str
    session_name: str
    scope: str = ""  # e.g. 副市长王建国分管领域; "" for the whole session
    blocks: list = field(default_factory=list)

    @property
    def filename(self):
        return f"{self.title}.docx"

    def paragraphs(self):
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self):
        return [b for b in self.blocks if isinstance(b, Table)]

    def text(self) -> str:
        lines = [self.title, ""]
        for block in self.blocks:
            if isinstance(block, Heading):
                if block.level == 1 and lines[-1]:
                    lines.append("")
                lines.append(block.text)
            elif isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                lines.extend(_table_lines(block))
        return "\n".join(lines).rstrip() + "\n"


def _table_lines(table: Table) -> list[str]:
    rows = [table.header, *table.rows]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(table.header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return [*lines, *([table.note] if table.note else [])]


def _width(text):
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


# --- formatting ------------------------------------------------------------------------------------------------


def percent(value) -> str:
    """A rate from ``statistics`` as reports write it: 100%, 96.7%, 50%; "—" when there is none.

    Rounded like the dashboard's ``percent`` filter (one decimal), with a trailing ".0" dropped."""
    return formats.percent(value, trim=True)


def circled(n: int) -> str:
    """①, ②, … ⑳, then (21)."""
    return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"（{n}）"


def quoted_title(title: str) -> str:
    """关于有效提升辖区消防能力的建议 -> 关于“有效提升辖区消防能力的建议”."""
    return f"关于“{title.removeprefix('关于')}”"


def place() -> str:
    return rules.place()


def city() -> str:
    return rules.city()


# --- composing -------------------------------------------------------------------------------------------------


def compose(
    suggestions, *, session, scope: str = "", today: datetime.date | None = None, reader=None
) -> Report:
    """The report of ``suggestions`` (already limited to ``session`` and to what the reader may see).

    ``scope`` names a part of the session, e.g. 副市长王建国分管领域 for a leader's portfolio; with ``reader``, the
    replies it quotes are those ``access`` lets that person read."""
    today = today or timezone.localdate()
    figures = statistics.summary(suggestions, today)
    done = statistics.practice(suggestions, today)
    title = f"关于{session.year}年{session.short_name}{scope}代表建议办理工作情况的报告（草稿）"
    report = Report(title=title, session_name=session.name, scope=scope)
    add = report.blocks.append

    add(Heading("一、办理工作落实情况"))
    add(Paragraph(overview_paragraph(figures, session=session, scope=scope), check=overview_checks(figures)))
    if figures["government_handled"]:
        add(Paragraph(classes_paragraph(figures)))
    keys = key_suggestions(suggestions)
    if keys:
        key_figures = statistics.summary(suggestions.filter(pk__in=[s.pk for s in keys]), today)
        add(Paragraph(key_paragraph(figures, key_figures), check=KEY_CHECKS))
        for n, suggestion in enumerate(keys, 1):
            add(Heading(f"{circled(n)}{quoted_title(suggestion.title)}办理情况", level=3))
            add(Paragraph(handling_text(suggestion, today, reader)))

    add(Heading("二、办理工作的主要做法"))
    for heading, paragraph in practice_sections(figures, done, keys):
        add(Heading(heading, level=2))
        add(paragraph)

    add(Heading("三、办理工作的努力方向"))
    for paragraph in direction_paragraphs(figures, done, session=session, today=today, scope=scope):
        add(paragraph)

    if city():
        add(Paragraph(f"{city()}{place()}人民政府", align="right"))
    add(Paragraph(formats.date_cn(today), align="right"))

    add(Heading("附件：办理情况统计表"))
    for n, (heading, table) in enumerate(statistics_tables(suggestions, figures, today), 1):
        add(Heading(f"（{SECTION_NUMBERS[n - 1]}）{heading}", level=2))
        add(table)
    return report


def overview_paragraph(figures, *, session, scope="") -> str:
    """The first paragraph: who proposed how many, how many the government handles, by category, the rates."""
    p = place()
    total, gov = figures["total"], figures["government_handled"]
    opening = f"{session.year}年{session.short_name}期间，"
    if scope:
        counted = f"我{p}人大代表提出的建议、批评和意见中，属于{scope}的共{total}件"
    else:
        counted = f"我{p}人大代表{deputies_phrase()}，共提出建议、批评和意见{total}件"
    if total == 0:
        return opening + (
            f"暂无属于{scope}的代表建议、批评和意见。" if scope else "暂无登记的代表建议、批评和意见。"
        )
    if gov == 0:
        return f"{opening}{counted}，均不属于政府承办范围。"
    handled = "均由政府承办" if gov == total else f"其中，政府承办{gov}件"
    parts = [f"{c['name']}方面{c['count']}件" for c in figures["by_category"] if c["count"]]
    categories = ("分别涉及" if len(parts) > 1 else "涉及") + "，".join(parts)
    return f"{opening}{counted}，{handled}，{categories}。{care_phrase()}{outcome_sentence(figures)}"


def deputies_phrase() -> str:
    return (
        f"认真履行代表职责，立足于{city() or '全' + place()}发展实际，围绕转型发展、改革创新、"
        "保障民生等问题，积极建言献策"
    )


def care_phrase() -> str:
    p = place()
    return (
        f"对于这些意见、建议，{p}政府高度重视，以对人大代表和全{p}人民高度负责的态度，认真研究，专人落实，"
        "强化督办，做了大量的工作。"
    )


def overview_checks(figures) -> tuple[str, ...]:
    """The seed's sentences in the first paragraph that no record proves, for the office to check."""
    if not figures["government_handled"]:
        return ()
    return (deputies_phrase(), care_phrase())


def class_name(code) -> str:
    """How a report names a result class: A类, 甲类."""
    return f"{code}类"


def share(part, whole) -> str:
    """A class's share as reports state it, always one decimal: 50.0%, 100.0%."""
    return formats.percent(statistics.rate(part, whole))


def classes_paragraph(figures) -> str:
    """Each result class of the scheme with its count and share of the replied suggestions, in the scheme's
    words (「A类（已解决或采纳）53件，占86.9%」), then the ratings split into 满意 and 基本满意."""
    replied, classes = figures["replied"], figures["by_result_class"]
    if not replied:
        return "截至目前，尚无已答复的建议。"
    parts = [
        f"{class_name(c.code)}（{c.label}）{classes[c.code]}件，占{share(classes[c.code], replied)}"
        for c in rules.result_classes()
    ]
    text = f"从答复类别看，已答复的{replied}件建议中，" + "；".join(parts) + "。"
    rated = figures["rated"]
    if rated:
        kinds = [
            ("满意", figures["satisfied"]),
            ("基本满意", figures["basically_satisfied"]),
            ("不满意", figures["unsatisfied"]),
        ]
        split = "，".join(f"{label}{n}件，占{share(n, rated)}" for label, n in kinds if n)
        text += f"从代表评价看，已评价的{rated}件建议中，{split}。"
        if figures["first_rated"] and figures["first_unsatisfied"]:
            text += (
                f"初次办理评价不满意{figures['first_unsatisfied']}件，"
                f"初次办理满意率{percent(figures['first_satisfaction_rate'])}。"
            )
    return text


def outcome_sentence(figures) -> str:
    """截至目前, …: how many are closed and how the deputies rated them.

    The rates are of the final rating (each suggestion's latest round). When that hides something (a
    suggestion rated 不满意 in an earlier round, or one being handled again), the sentence says so: the
    first round's 满意率, how many were ever rated 不满意 and how many are being re-handled now."""
    gov, closed, rated = figures["government_handled"], figures["closed"], figures["rated"]
    satisfied, basic, unsatisfied = (
        figures["satisfied"],
        figures["basically_satisfied"],
        figures["unsatisfied"],
    )
    history = rating_history(figures)
    basis = "按最终评价计" if history else ""
    if closed == gov and rated == gov and not unsatisfied:
        # as the seed words it: 满意率 counts 基本满意 too, and the split is stated in the next paragraph; when the
        # final rating hides an earlier 不满意, the sentence says what it counts and the split right here
        inner = "，".join(
            x for x in (basis, f"其中满意{satisfied}件、基本满意{basic}件" if basic and history else "") if x
        )
        split = f"（{inner}）" if inner else ""
        return f"截至目前，{gov}件建议全部办理完结并取得代表满意，办结率和满意率均为100%{split}{history}。"
    if closed == gov:
        done = f"{gov}件建议全部办理完结，办结率100%"
    else:
        done = f"已办结{closed}件，办结率{percent(figures['completion_rate'])}"
    if not rated:
        return f"截至目前，{done}，代表尚未作出评价{history}。"
    kinds = [("满意", satisfied), ("基本满意", basic), ("不满意", unsatisfied)]
    split = "、".join(f"{label}{n}件" for label, n in kinds if n)
    unrated = figures["replied"] - rated
    waiting = f"，另有{unrated}件答复代表尚未评价" if unrated > 0 else ""
    inner = "，".join(x for x in (basis, f"其中{split}") if x)
    return f"截至目前，{done}，满意率{percent(figures['satisfaction_rate'])}（{inner}）{waiting}{history}。"


def rating_history(figures) -> str:
    """What the final rating does not show, as a clause to add (";初次办理满意率50%,代表曾评价不满意的建议
    2件(其中初次办理评价不满意2件),目前正在重新办理1件"), or "" when it hides nothing."""
    ever, rehandling = figures["ever_unsatisfied"], figures["rehandling"]
    if ever <= figures["unsatisfied"] and not rehandling:
        return ""
    parts = [f"初次办理满意率{percent(figures['first_satisfaction_rate'])}"]
    if ever:
        parts.append(
            f"代表曾评价不满意的建议{ever}件（其中初次办理评价不满意{figures['first_unsatisfied']}件）"
        )
    if rehandling:
        parts.append(f"目前正在重新办理{rehandling}件")
    return "；" + "，".join(parts)


def key_suggestions(suggestions) -> list:
    """The key suggestions in the office's order (``key_order``), those without a place after, by number."""
    return list(
        suggestions.government_handled()
        .filter(is_key=True)
        .select_related("lead_unit", "supervising_leader")
        .order_by(F("key_order").asc(nulls_last=True), "number")
    )


KEY_CHECKS = ("高度重视", "并召开专题会议研究落实", "多次协调解决建议办理过程中遇到的问题")


def key_paragraph(figures, key_figures) -> str:
    p = place()
    key, closed = key_figures["government_handled"], key_figures["closed"]
    opening = (
        f"在{figures['government_handled']}件代表建议、批评和意见中，共确定了{key}项具有代表性的重点建议，"
        f"对此，{p}政府高度重视，将{key}项重点建议的办理纳入政府重点工作，并召开专题会议研究落实。"
        f"分管副{p}长亲自督办，多次协调解决建议办理过程中遇到的问题。"
    )
    if closed == key:
        state = f"目前，{key}项重点建议已办结"
    elif closed:
        state = f"目前，{key}项重点建议中已办结{closed}项，其余{key - closed}项正在办理"
    else:
        state = f"目前，{key}项重点建议正在办理"
    rated = key_figures["rated"]
    satisfied, basic, unsatisfied = (
        key_figures["satisfied"],
        key_figures["basically_satisfied"],
        key_figures["unsatisfied"],
    )
    if rated == key and satisfied == key:
        ratings = "代表均给予满意评价"
    elif rated == key and not unsatisfied:
        ratings = f"代表均给予满意或基本满意评价（其中满意{satisfied}项、基本满意{basic}项）"
    elif not rated:
        ratings = "代表尚未作出评价"
    else:
        kinds = [("满意", satisfied), ("基本满意", basic), ("不满意", unsatisfied)]
        ratings = "代表评价" + "、".join(f"{label}{n}项" for label, n in kinds if n)
        if rated < key:
            ratings += f"，其余{key - rated}项尚未评价"
    ever = key_figures["ever_unsatisfied"]
    if ever > unsatisfied:  # a 不满意 of an earlier round, behind the final ratings above
        ratings += f"，其中{ever}项曾被代表评价不满意"
    return f"{opening}{state}，{ratings}。具体情况如下："


def handling_text(suggestion, today, reader=None) -> str:
    """What was done on one key suggestion: the answering units' accepted replies of the current round, or
    where its handling stands."""
    s = suggestion
    if s.state in (S.REPLIED, S.CLOSED):
        replies = [
            r
            for r in workflow.accepted_replies(s)
            if r.assignment.round == s.round
            and r.assignment.role in ANSWERING
            and (reader is None or access.may_read_reply(reader, r))
        ]
        if replies:
            texts = [
                r.text.strip() if len(replies) == 1 else f"{r.assignment.unit.name}:{r.text.strip()}"
                for r in replies
            ]
            open_commitments = [r for r in replies if r.commitment_open]
            notes = [
                f"（答复承诺事项“{r.commitment.strip().rstrip('。')}”尚在落实中，承诺完成时间{formats.date_cn(r.commitment_due)}。）"
                for r in open_commitments
            ]
            return "".join(texts + notes)
    unit = s.lead_unit.name if s.lead_unit else "承办单位"
    deadline = f"，办理期限{formats.date_cn(s.deadline)}" if s.deadline else ""
    late = "，已超期" if s.is_overdue(today) else ""
    if s.state == S.REGISTERED:
        return "该建议已登记，尚未交办。"
    if s.state == S.ASSIGNED:
        return f"该建议已交{unit}办理，尚待签收{deadline}{late}。"
    if s.state == S.REHANDLING:
        return f"代表对答复不满意，目前正由{unit}重新办理{deadline}{late}。"
    return f"该建议正由{unit}办理，尚未答复{deadline}{late}。"


def statistics_tables(suggestions, figures, today) -> list[tuple[str, Table]]:
    """Section two: (heading, table) pairs, every cell a string."""
    gov, replied = figures["government_handled"], figures["replied"]

    overview = Table(
        ["项目", "件数", "比率"],
        [
            ["建议、批评和意见总数", str(figures["total"]), ""],
            ["政府承办", str(gov), ""],
            ["转交其他机关办理", str(figures["not_government"]), ""],
            ["代表撤回", str(figures["withdrawn"]), ""],
            ["重点建议", str(figures["key"]), ""],
            ["已答复（办复率）", str(replied), percent(figures["reply_rate"])],
            ["已办结（办结率）", str(figures["closed"]), percent(figures["completion_rate"])],
            ["按期答复（按期答复率）", str(figures["on_time"]), percent(figures["on_time_rate"])],
            [
                LABELS["face_to_face_rate"],
                str(figures["face_to_face"]),
                percent(figures["face_to_face_rate"]),
            ],
            [LABELS["contact_rate"], str(figures["contacted"]), percent(figures["contact_rate"])],
            [LABELS["overdue"], str(figures["overdue"]), ""],
        ],
        note=(
            "注：办复率、办结率、见面率、沟通率以政府承办件数为基数，按期答复率以已答复件数为基数；"
            f"见面率只计答复前与代表{statistics.FACE_TO_FACE_METHODS}的建议，沟通率计有任一沟通记录（含电话交流）的建议；"
            "超期未办结指有承办单位（主办、分办或协办）超过办理期限仍未完成的建议。"
        ),
    )

    categories = Table(
        ["类别", "件数", "占比"],
        [
            [c["name"], str(c["count"]), percent(statistics.rate(c["count"], gov))]
            for c in figures["by_category"]
        ]
        + [["合计", str(gov), percent(statistics.rate(gov, gov))]],
    )

    units = statistics.by_unit(suggestions, today)
    columns = ("lead", "co", "separate", "done", "overdue")
    unit_table = Table(
        ["承办单位", "主办", "协办", "分办", "已答复", "超期"],
        [[row["unit"], *(str(row[c]) for c in columns)] for row in units]
        + [["合计", *(str(sum(row[c] for row in units)) for c in columns)]],
        note="注：已答复含协办单位已报送协办意见；超期指该单位已过办理期限仍未完成的答复或协办意见（项）。",
    )

    classes = figures["by_result_class"]
    commitments = figures["commitments"]
    committing = rules.commitment_codes()
    class_table = Table(
        ["答复类别", "件数", "占比", "承诺已落实", "承诺未落实"],
        [
            [
                label,
                str(classes[value]),
                percent(statistics.rate(classes[value], replied)),
                *(
                    (str(commitments["by_class"][value]["done"]), str(commitments["by_class"][value]["open"]))
                    if value in committing
                    else ("—", "—")
                ),
            ]
            for value, label in rules.result_class_choices()
        ]
        + [
            [
                "合计",
                str(sum(classes.values())),
                percent(statistics.rate(sum(classes.values()), replied)),
                str(commitments["done"]),
                str(commitments["open"]),
            ]
        ],
        note=f"注：占比以已答复件数为基数；承诺事项按{rules.commitment_classes_label()}答复函计数。"
        f"{LABELS['commitment_kept_rate']}{percent(figures['commitment_kept_rate'])}"
        f"（到期承诺事项{figures['commitments_due']}项，按期落实{figures['commitments_kept']}项）。",
    )

    portfolios = statistics.by_portfolio(suggestions)
    portfolio_table = Table(
        ["分管领导", "建议件数", "重点建议", "已办结", "办结率"],
        [
            [
                row["leader"],
                str(row["total"]),
                str(row["key"]),
                str(row["closed"]),
                percent(row["completion_rate"]),
            ]
            for row in portfolios
        ]
        + [
            [
                "合计",
                str(gov),
                str(figures["key"]),
                str(figures["closed"]),
                percent(figures["completion_rate"]),
            ]
        ],
    )

    rated, first = figures["rated"], figures["first_rated"]
    rating_table = Table(
        ["项目", "件数", "比率"],
        [
            [LABELS["rated"], str(rated), ""],
            [LABELS["satisfied"], str(figures["satisfied"]), percent(figures["satisfied_rate"])],
            [
                LABELS["basically_satisfied"],
                str(figures["basically_satisfied"]),
                percent(figures["basically_satisfied_rate"]),
            ],
            [
                LABELS["unsatisfied"],
                str(figures["unsatisfied"]),
                percent(statistics.rate(figures["unsatisfied"], rated)),
            ],
            [
                LABELS["satisfaction_rate"],
                str(figures["satisfied"] + figures["basically_satisfied"]),
                percent(figures["satisfaction_rate"]),
            ],
            [LABELS["first_rated"], str(first), ""],
            [
                LABELS["first_unsatisfied"],
                str(figures["first_unsatisfied"]),
                percent(statistics.rate(figures["first_unsatisfied"], first)),
            ],
            [
                LABELS["first_satisfaction_rate"],
                str(figures["first_satisfied"] + figures["first_basically_satisfied"]),
                percent(figures["first_satisfaction_rate"]),
            ],
            [LABELS["ever_unsatisfied"], str(figures["ever_unsatisfied"]), ""],
            [LABELS["rehandling"], str(figures["rehandling"]), ""],
            ["已答复尚未评价", str(replied - rated), ""],
        ],
        note=(
            "注：最终评价为每件建议最后一轮答复的评价，初次办理为第一轮答复的评价，几位代表评价不同时取最低的评价；"
            "满意率为满意和基本满意件数之和占已评价件数的比例；曾评价不满意含重新办理后满意的建议。"
        ),
    )
    return [
        ("总体情况", overview),
        ("按类别统计", categories),
        ("按承办单位统计", unit_table),
        ("按答复类别统计", class_table),
        ("按分管领域统计", portfolio_table),
        ("代表评价情况", rating_table),
    ]


# --- 二、办理工作的主要做法 and 三、办理工作的努力方向, from the records -----------------------------------------------


def counted(pairs, unit="次") -> str:
    """「实地调研3次、专题会议2次」: the non-zero (label, count) pairs."""
    return "、".join(f"{label}{n}{unit}" for label, n in pairs if n)


# The seed's words in section two that no record proves: marked for the office to check.
HARD_ONES = "对建议中涉及职能交叉和办理难度相对较大的建议，明确办理牵头单位，加大督办力度。"
PROGRESS = "及时了解办理进度，协调解决办理中遇到的问题。"
KEY_EFFORT = "认真分析原因，进一步加大建议落实力度。"


def practice_sections(figures, done, keys) -> list[tuple[str, Paragraph]]:
    """Section two's three parts, as the seed titles them: each the seed's wording where a record supports
    it, and the records' counts."""
    p = place()
    notes, key_notes = done["notes"], done["key_notes"]
    methods = SupervisionNote.Method
    kind = SupervisionNote.Kind

    # (一) the leaders and the office supervising
    opening = "认真做好人大建议办理工作，是政府部门依法接受监督、改进政府工作的重要内容，也是转变工作作风、为民办实事的重要途径。"
    first = [opening]
    comments = notes[kind.COMMENT]
    if comments["count"]:
        first.append(f"{p}政府领导对{comments['suggestions']}件建议作出批示{comments['count']}次。")
    supervised = notes[kind.SUPERVISE]
    if supervised["count"]:
        ways = counted((methods(m).label, n) for m, n in supervised["by_method"].items())
        first.append(f"{p}政府办督查室通过{ways}等方式督办建议{supervised['suggestions']}件，{HARD_ONES}")
    units_line = (
        "各承办单位进一步健全一把手负总责、分管领导具体负责的办理工作机制，切实改进工作作风，履行办理职责。"
    )
    first.append(units_line)
    one = Paragraph("".join(first), check=(opening, HARD_ONES, units_line))

    # (二) sorting, assigning, contacting the deputies
    gov = figures["government_handled"]
    second = []
    if gov:
        second.append(
            f"对代表提出的{gov}项建议，按副{p}长分管领域进行了梳理归类、登记造册、预先分办，"
            f"交由{done['units']}个承办单位办理（其中主办或分办单位{done['answering_units']}个）。"
        )
    requests = []
    moved = done["reassignments"]
    if sum(moved.values()):
        requests.append(
            f"承办单位申请调整{sum(moved.values())}件，同意调整{moved[Ruling.APPROVED]}件、"
            f"不同意{moved[Ruling.REFUSED]}件"
            + (f"、待审批{moved[Ruling.PENDING]}件" if moved[Ruling.PENDING] else "")
        )
    longer = done["extensions"]
    if sum(longer.values()):
        requests.append(
            f"申请延期{sum(longer.values())}件，批准{longer[Ruling.APPROVED]}件、不批准{longer[Ruling.REFUSED]}件"
            + (f"、待审批{longer[Ruling.PENDING]}件" if longer[Ruling.PENDING] else "")
        )
    if requests:
        second.append("办理过程中，" + "；".join(requests) + "。")
    if figures["contacted"]:
        ways = counted(((ContactRecord.Method(m).label, n) for m, n in done["contacts"].items()), unit="件")
        second.append(
            f"各承办单位答复前与代表沟通的建议{figures['contacted']}件，沟通率{percent(figures['contact_rate'])}，"
            f"其中{ways}（一件建议可有多种方式）；见面沟通{figures['face_to_face']}件，"
            f"见面率{percent(figures['face_to_face_rate'])}。"
        )
    if figures["replied"]:
        second.append(f"按期答复{figures['on_time']}件，按期答复率{percent(figures['on_time_rate'])}。")
    if not second:
        two = Paragraph("（系统中暂无交办和沟通记录，请办公室补充。）", placeholder=True)
    else:
        two = Paragraph("".join(second))

    # (三) following up
    third_open = f"在抓好办理工作的同时，{p}政府十分注重加强对各承办单位建议办理情况的跟踪督查"
    third = [third_open]
    sent = done["reminders"]
    stages = counted((Reminder.Stage(stage).label, n) for stage, n in sent.items())
    chased = notes[kind.CHASE]["count"]
    chasing = [
        x for x in (f"系统自动发送{stages}" if stages else "", f"督查室催办{chased}次" if chased else "") if x
    ]
    third.append(("，" + "，".join(chasing)) if chasing else "")
    third.append(f"，{PROGRESS}")
    if keys:
        key_ways = counted((methods(m).label, n) for m, n in key_notes[kind.SUPERVISE]["by_method"].items())
        key_comments = key_notes[kind.COMMENT]["count"]
        work = "、".join(x for x in (key_ways, f"领导批示{key_comments}次" if key_comments else "") if x)
        third.append(
            f"特别是对{len(keys)}项重点建议" + (f"，督办中{work}" if work else "") + f"，{KEY_EFFORT}"
        )
    if figures["ever_unsatisfied"]:
        third.append(
            f"对代表评价不满意的{figures['ever_unsatisfied']}件建议，退回承办单位重新办理"
            + (f"，目前正在重新办理{figures['rehandling']}件" if figures["rehandling"] else "")
            + "。"
        )
    closing = "确保建议、批评和意见件件有着落，事事有回音。"
    third.append(closing)
    three = Paragraph("".join(third), check=(third_open, PROGRESS, KEY_EFFORT, closing))
    return [
        ("（一）高度重视，不断加大办理工作力度", one),
        ("（二）强化措施，努力提高办理工作质量", two),
        ("（三）狠抓落实，切实加强办理工作监督", three),
    ]


def unsolved_classes():
    """The scheme's classes that are neither solved (the first) nor carry a commitment: C 因条件限制暂时无法解决,
    D 因条件限制留作参考, 丙类."""
    return [c for c in rules.result_classes()[1:] if not c.commitment]


def problems(figures, done) -> list[str]:
    """What the records show is not yet right, as clauses: 「C类答复（因条件限制暂时无法解决）4件」."""
    classes, found = figures["by_result_class"], []
    for c in unsolved_classes():
        if classes[c.code]:
            found.append(f"{class_name(c.code)}答复（{c.label}）{classes[c.code]}件")
    if figures["ever_unsatisfied"]:
        found.append(
            f"代表曾评价不满意{figures['ever_unsatisfied']}件（其中初次办理评价不满意"
            f"{figures['first_unsatisfied']}件，最终评价不满意{figures['unsatisfied']}件）"
        )
    if figures["rehandling"]:
        found.append(f"正在重新办理{figures['rehandling']}件")
    if figures["overdue"]:
        found.append(
            f"{LABELS['overdue']}{figures['overdue']}件（超期未完成的承办任务{done['overdue_parts']}项）"
        )
    unrated = figures["replied"] - figures["rated"]
    if unrated > 0:
        found.append(f"已答复尚待代表评价{unrated}件")
    if figures["commitments"]["open"]:
        found.append(
            f"{rules.commitment_classes_label()}答复承诺事项尚未落实{figures['commitments']['open']}项"
        )
    return found


DIRECTIONS = (
    "（一）突出责任落实，切实加强组织领导。进一步强化对建议办理工作重要性的认识，把办理建议作为自觉接受人大监督、"
    "切实改进政府工作的重要途径，主要领导亲自抓办理工作，切实做到办理人员、办理责任和办理时限“三落实”。"
    "对所有办理结果的答复函件，承办单位的主要负责同志必须亲自审核、签发，给代表一个实实在在的答复。",
    "（二）突出重点难点，力求办理工作实效。坚持深入实际、调查研究，对能够解决的问题，务必要在规定的时限内办理完结；"
    "对有一定困难，但经过扎实工作能够解决的，要积极创造条件，力争尽快解决；对因现实条件限制，一时难以办到的，"
    "不回避问题，认真细致地按规定程序作出答复，必须如实向代表说明情况；对关系群众切身利益的建议和代表反复提、"
    "多人提的建议重点办理，促使问题得到解决。",
    "（三）突出沟通协调，不断提升办理质量。进一步拓宽同代表联系的渠道，广泛听取代表意见，采取登门走访、电话交流、"
    "实地调研等方式充分了解代表提出建议的缘由、目的和要求，就实际问题与代表进行深入商讨，取得共识，让代表们满意。",
)


def direction_paragraphs(figures, done, *, session, today, scope="") -> list[Paragraph]:
    """Section three: the problems the records show (or that they show none of those counted), then the seed's
    three directions for next year, for the office to check."""
    p = place()
    work = f"{p}{session.short_name}{scope}代表建议办理工作"
    praise = "在市人大的关心、支持、监督下，开展顺利，扎实有效，得到代表们的肯定。".replace(
        "市人大", f"{p}人大"
    )
    found = problems(figures, done)
    gap = "但是办理工作与当前形势发展和工作任务的要求相比，与代表们的期望相比还有一定距离"
    if found:
        facts = f"从办理数据看，截至{formats.date_cn(today)}，{'；'.join(found)}。"
    else:
        facts = f"从办理数据看，截至{formats.date_cn(today)}，没有超期未办结、初次办理不满意和尚未落实的承诺事项。"
    weakness = (
        "工作中还存在诸如主动性不够，重答复、轻落实等不足。"
        if figures["commitments"]["open"]
        else "工作中还存在诸如主动性不够等不足。"
    )
    plan = "为此，在今后的工作中，我们将采取积极的改进措施，全力做好人大代表建议办理工作。具体地讲，就是要抓好以下几个方面工作。"
    intro = Paragraph(f"{work}，{praise}{gap}。{facts}{weakness}{plan}", check=(praise, gap, "主动性不够"))
    return [intro, *(Paragraph(text, check=(text,)) for text in DIRECTIONS)]
