"""The statistics workbook: the dashboard's figures (``suggestions.statistics``) as sheets, so the numbers an
office hands over are the numbers it saw on screen."""

import datetime

from django.utils import timezone

from .. import assessment, rules, statistics
from ..formats import NO_RATE, date_cn
from .xlsx import Column, Percent, Sheet


def percent(value):
    return NO_RATE if value is None else Percent(value)


def statistics_sheets(queryset, *, scope: str = "", today: datetime.date | None = None) -> list[Sheet]:
    """概况, 按类别, 按承办单位, 按分管领导, 按答复类别, 满意度 and 承办单位考核 for ``queryset``; ``scope`` names it in the titles
    (a session's name, or 全部届次)."""
    today = today or timezone.localdate()
    figures = statistics.session_figures(queryset, today)
    subtitle = f"导出日期：{date_cn(today)}"

    def sheet(name, title, columns, rows):
        return Sheet(
            name=name,
            title=f"{scope} {title}" if scope else title,
            subtitle=subtitle,
            columns=columns,
            rows=rows,
            autofilter=False,
        )

    return [
        sheet("概况", "建议办理情况概况", OVERVIEW_COLUMNS, overview_rows(figures)),
        sheet("按类别", "建议按类别统计", share_columns("类别"), category_rows(figures)),
        sheet("按承办单位", "建议按承办单位统计", UNIT_COLUMNS, unit_rows(figures["by_unit"])),
        sheet("按分管领导", "建议按分管领导统计", PORTFOLIO_COLUMNS, portfolio_rows(figures["by_portfolio"])),
        sheet("按答复类别", "答复按类别统计", share_columns("答复类别"), result_class_rows(figures)),
        sheet("满意度", "代表评价统计", SATISFACTION_COLUMNS, satisfaction_rows(figures)),
        sheet("承办单位考核", "承办单位办理工作考核", assessment_columns(), assessment_rows(queryset, today)),
    ]


OVERVIEW_COLUMNS = (Column("项目", 16), Column("数值", 12, "int"), Column("说明", 36))


OVERVIEW_FIGURES = (
    "total",
    "government_handled",
    "not_government",
    "withdrawn",
    "key",
    "key_closed",
    "replied",
    "reply_rate",
    "closed",
    "completion_rate",
    "on_time",
    "on_time_rate",
    "overdue",
    "face_to_face",
    "face_to_face_rate",
    "contacted",
    "contact_rate",
    "rated",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "satisfaction_rate",
    "first_rated",
    "first_satisfaction_rate",
    "ever_unsatisfied",
    "rehandling",
)


def figure_row(f, key) -> list:
    """One figure as 项目, 数值, 说明: its label and note from ``statistics``, so the sheet says what it counts."""
    value = percent(f[key]) if key.endswith("_rate") else f[key]
    return [statistics.LABELS[key], value, statistics.NOTES.get(key, "")]


def overview_rows(f) -> list[list]:
    commitments = f["commitments"]
    classes = f["by_result_class"]
    committed = rules.commitment_classes_label()
    return [
        *(figure_row(f, key) for key in OVERVIEW_FIGURES),
        *([f"{code}类答复", classes[code], label] for code, label in rules.result_class_choices()),
        [f"{committed}承诺事项", commitments["total"], f"已答复的{committed}答复中的承诺"],
        [f"{committed}承诺已落实", commitments["done"], ""],
        [f"{committed}承诺未落实", commitments["open"], ""],
        *(figure_row(f, key) for key in ("commitments_due", "commitments_kept", "commitment_kept_rate")),
    ]


def share_columns(what, share="占比"):
    return (Column(what, 16), Column("件数", 10, "int"), Column(share, 12, "percent"))


def category_rows(f) -> list[list]:
    whole = f["government_handled"]
    rows = [[c["name"], c["count"], percent(statistics.rate(c["count"], whole))] for c in f["by_category"]]
    return [*rows, ["合计", whole, percent(statistics.rate(whole, whole))]]


SATISFACTION_COLUMNS = (Column("代表评价", 16), Column("件数", 10, "int"), Column("占已评价", 12, "percent"))

UNIT_COLUMNS = (
    Column("承办单位", 24),
    Column("主办", 8, "int"),
    Column("协办", 8, "int"),
    Column("分办", 8, "int"),
    Column("已答复或反馈", 14, "int"),
    Column("超期", 8, "int"),
)
UNIT_FIGURES = ("lead", "co", "separate", "done", "overdue")


def unit_rows(units) -> list[list]:
    rows = [[u["unit"], *(u[k] for k in UNIT_FIGURES)] for u in units]
    return [*rows, ["合计", *(sum(u[k] for u in units) for k in UNIT_FIGURES)]]


PORTFOLIO_COLUMNS = (
    Column("分管领导", 16),
    Column("件数", 8, "int"),
    Column("重点建议", 10, "int"),
    Column("已办结", 8, "int"),
    Column("办结率", 10, "percent"),
)


def portfolio_rows(portfolios) -> list[list]:
    rows = [
        [p["leader"], p["total"], p["key"], p["closed"], percent(p["completion_rate"])] for p in portfolios
    ]
    total, key, closed = (sum(p[k] for p in portfolios) for k in ("total", "key", "closed"))
    return [*rows, ["合计", total, key, closed, percent(statistics.rate(closed, total))]]


def result_class_rows(f) -> list[list]:
    counts = f["by_result_class"]
    whole = sum(counts.values())
    rows = [
        [label, counts[value], percent(statistics.rate(counts[value], whole))]
        for value, label in rules.result_class_choices()
    ]
    return [*rows, ["合计", whole, percent(statistics.rate(whole, whole))]]


def satisfaction_rows(f) -> list[list]:
    """The final rating (each suggestion's latest round), then the first round's, then how many were ever
    rated 不满意 and how many are being handled again: a 不满意 followed by a 满意 shows in the last three."""
    labels = statistics.LABELS
    rated, first = f["rated"], f["first_rated"]

    def share(n, whole):
        return percent(statistics.rate(n, whole))

    return [
        [labels["satisfied"], f["satisfied"], percent(f["satisfied_rate"])],
        [labels["basically_satisfied"], f["basically_satisfied"], percent(f["basically_satisfied_rate"])],
        [labels["unsatisfied"], f["unsatisfied"], share(f["unsatisfied"], rated)],
        [labels["rated"], rated, share(rated, rated)],
        [
            labels["satisfaction_rate"],
            f["satisfied"] + f["basically_satisfied"],
            percent(f["satisfaction_rate"]),
        ],
        [labels["first_satisfied"], f["first_satisfied"], share(f["first_satisfied"], first)],
        [
            labels["first_basically_satisfied"],
            f["first_basically_satisfied"],
            share(f["first_basically_satisfied"], first),
        ],
        [labels["first_unsatisfied"], f["first_unsatisfied"], share(f["first_unsatisfied"], first)],
        [labels["first_rated"], first, share(first, first)],
        [
            labels["first_satisfaction_rate"],
            f["first_satisfied"] + f["first_basically_satisfied"],
            percent(f["first_satisfaction_rate"]),
        ],
        [labels["ever_unsatisfied"], f["ever_unsatisfied"], NO_RATE],
        [labels["rehandling"], f["rehandling"], NO_RATE],
    ]


def assessment_columns():
    """名次, 承办单位, 总分, then each item's points (满分 from the rules) and what was measured."""
    columns = [Column("名次", 6, "int"), Column("承办单位", 24), Column("总分", 8, "int")]
    for (name, _), weight in zip(assessment.ITEMS.values(), assessment.weights().values(), strict=True):
        columns += [Column(f"{name}（满分{weight:g}）", 10, "int"), Column(f"{name}实测", 14, "center")]
    return columns


def assessment_rows(queryset, today) -> list[list]:
    rows = []
    for u in assessment.unit_scores(queryset, today):
        row = [u.rank, u.unit, u.score]
        for item in u.items:
            row += [item.points, item.measured]
        rows.append(row)
    return rows
