"""The yearly handling report (办理工作情况报告), composed from the data as a draft the office edits.

``compose`` returns a ``Report``: a title and a list of blocks (headings, paragraphs, tables) as plain Python
values, so that the text printed by ``manage.py handling_report`` and the Word file of ``report_docx`` say the
same thing. Every figure comes from ``suggestions.statistics``, like the dashboard and the workbook.

The narrative paragraphs follow the published Huozhou report of 2024 (seed/huozhou-2024-handling-report.txt),
punctuation included: its body text uses half-width commas, colons and parentheses (「共提出建议、批评和意见62件,
其中,政府承办61件,……」), and so do the paragraphs written here. Where the data differ from that report (not all
closed, ratings mixed, no key suggestions) the sentences say so. Section three is left for the office to write,
with the facts it should address.

Settings: ``REPORT_PLACE`` (default "市": 我市, 市政府, 分管副市长; a county sets "县") and ``REPORT_CITY``
(default "": the city's name as the report uses it, e.g. "霍州").
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from . import access, formats, rules, statistics, workflow
from .models import Assignment, Suggestion
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
    title = f"关于{session.year}年{session.short_name}{scope}代表建议办理工作情况的报告（草稿）"
    report = Report(title=title, session_name=session.name, scope=scope)
    add = report.blocks.append

    add(Heading("一、办理工作落实情况"))
    add(Paragraph(overview_paragraph(figures, session=session, scope=scope)))
    keys = key_suggestions(suggestions)
    if keys:
        key_figures = statistics.summary(suggestions.filter(pk__in=[s.pk for s in keys]), today)
        add(Paragraph(key_paragraph(figures, key_figures)))
        for n, suggestion in enumerate(keys, 1):
            add(Heading(f"{circled(n)}{quoted_title(suggestion.title)}办理情况", level=3))
            add(Paragraph(handling_text(suggestion, today, reader)))

    add(Heading("二、办理情况统计"))
    for n, (heading, table) in enumerate(statistics_tables(suggestions, figures, today), 1):
        add(Heading(f"（{SECTION_NUMBERS[n - 1]}）{heading}", level=2))
        add(table)

    add(Heading("三、存在的问题和下一步工作"))
    add(Paragraph(problems_placeholder(figures, today), placeholder=True))

    if city():
        add(Paragraph(f"{city()}{place()}人民政府", align="right"))
    add(Paragraph(formats.date_cn(today), align="right"))
    return report


def overview_paragraph(figures, *, session, scope="") -> str:
    """The first paragraph: who proposed how many, how many the government handles, by category, the rates."""
    p = place()
    total, gov = figures["total"], figures["government_handled"]
    opening = f"{session.year}年{session.short_name}期间，"
    if scope:
        counted = f"我{p}人大代表提出的建议、批评和意见中，属于{scope}的共{total}件"
    else:
        counted = (
            f"我{p}人大代表认真履行代表职责，立足于{city() or '全' + p}发展实际，围绕转型发展、改革创新、"
            f"保障民生等问题，积极建言献策，共提出建议、批评和意见{total}件"
        )
    if total == 0:
        return opening + (
            f"暂无属于{scope}的代表建议、批评和意见。" if scope else "暂无登记的代表建议、批评和意见。"
        )
    if gov == 0:
        return f"{opening}{counted}，均不属于政府承办范围。"
    handled = "均由政府承办" if gov == total else f"其中，政府承办{gov}件"
    parts = [f"{c['name']}方面{c['count']}件" for c in figures["by_category"] if c["count"]]
    categories = ("分别涉及" if len(parts) > 1 else "涉及") + "，".join(parts)
    care = (
        f"对于这些意见、建议，{p}政府高度重视，以对人大代表和全{p}人民高度负责的态度，认真研究，专人落实，"
        "强化督办，做了大量的工作。"
    )
    return f"{opening}{counted}，{handled}，{categories}。{care}{outcome_sentence(figures)}"


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
        inner = "，".join(
            x for x in (basis, f"其中满意{satisfied}件、基本满意{basic}件" if basic else "") if x
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
    return list(
        suggestions.government_handled()
        .filter(is_key=True)
        .select_related("lead_unit", "supervising_leader")
        .order_by("number")
    )


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
            ["已答复（答复率）", str(replied), percent(figures["reply_rate"])],
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
            "注：答复率、办结率、见面率、沟通率以政府承办件数为基数，按期答复率以已答复件数为基数；"
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
        note=f"注：占比以已答复件数为基数；承诺事项按{rules.commitment_classes_label()}答复函计数。",
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


def problems_placeholder(figures, today) -> str:
    unrated = figures["replied"] - figures["rated"]
    rehandling = figures["rehandling"]
    facts = [
        f"{LABELS['overdue']}{figures['overdue']}件",
        f"已答复尚待代表评价{unrated}件",
        f"代表曾评价不满意{figures['ever_unsatisfied']}件（其中初次办理评价不满意{figures['first_unsatisfied']}件，"
        f"最终评价不满意{figures['unsatisfied']}件）",
        f"正在重新办理{rehandling}件",
        f"B类答复承诺事项尚未落实{figures['commitments']['open']}项（需防止“重答复、轻落实”）",
    ]
    return (
        "（此处请办公室结合实际补充存在的问题和下一步工作。"
        f"系统统计供参考：截至{formats.date_cn(today)}，" + "；".join(facts) + "。）"
    )
