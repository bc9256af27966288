"""The statistics workbook: the dashboard's figures (``suggestions.statistics``) as sheets, so the numbers an
office hands over are the numbers it saw on screen."""

import datetime

from django.utils import timezone

from .. import statistics
from ..formats import NO_RATE, date_cn
from ..models import ResultClass
from .xlsx import Column, Percent, Sheet


def percent(value):
    return NO_RATE if value is None else Percent(value)


def statistics_sheets(queryset, *, scope: str = "", today: datetime.date | None = None) -> list[Sheet]:
    """概况, 按类别, 按承办单位, 按分管领导, 按答复类别 and 满意度 for ``queryset``; ``scope`` names it in the titles
    (a session's name, or 全部届次)."""
    today = today or timezone.localdate()
    figures = statistics.session_figures(queryset, today)
    subtitle = f"导出日期: {date_cn(today)}"

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
        sheet("满意度", "代表评价统计", share_columns("代表评价", "占已评价"), satisfaction_rows(figures)),
    ]


OVERVIEW_COLUMNS = (Column("项目", 16), Column("数值", 12, "int"), Column("说明", 36))


def overview_rows(f) -> list[list]:
    commitments = f["commitments"]
    classes = f["by_result_class"]
    return [
        ["建议总数", f["total"], "本范围内登记的建议"],
        ["政府承办", f["government_handled"], "不含转交其他机关和撤回的建议"],
        ["非政府承办", f["not_government"], "转交法院、检察院或党委部门"],
        ["已撤回", f["withdrawn"], ""],
        ["重点建议", f["key"], ""],
        ["重点建议已办结", f["key_closed"], ""],
        ["已答复", f["replied"], "已答复和已办结"],
        ["答复率", percent(f["reply_rate"]), "已答复 ÷ 政府承办"],
        ["已办结", f["closed"], ""],
        ["办结率", percent(f["completion_rate"]), "已办结 ÷ 政府承办"],
        ["按期答复", f["on_time"], "在办理期限内答复"],
        ["按期答复率", percent(f["on_time_rate"]), "按期答复 ÷ 已答复"],
        ["超期未答复", f["overdue"], "办理期限已过仍在办理"],
        ["已沟通", f["contacted"], "有沟通记录的政府承办建议"],
        ["见面率", percent(f["contact_rate"]), "已沟通 ÷ 政府承办"],
        ["已评价", f["rated"], ""],
        ["满意", f["satisfied"], ""],
        ["基本满意", f["basically_satisfied"], ""],
        ["不满意", f["unsatisfied"], ""],
        ["满意率", percent(f["satisfaction_rate"]), "(满意 + 基本满意) ÷ 已评价"],
        *([f"{code}类答复", classes[code], label] for code, label in ResultClass.choices),
        ["B类承诺事项", commitments["total"], "已答复的B类承诺"],
        ["B类承诺已落实", commitments["done"], ""],
        ["B类承诺未落实", commitments["open"], ""],
    ]


def share_columns(what, share="占比"):
    return (Column(what, 16), Column("件数", 10, "int"), Column(share, 12, "percent"))


def category_rows(f) -> list[list]:
    whole = f["government_handled"]
    rows = [[c["name"], c["count"], percent(statistics.rate(c["count"], whole))] for c in f["by_category"]]
    return [*rows, ["合计", whole, percent(statistics.rate(whole, whole))]]


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
        for value, label in ResultClass.choices
    ]
    return [*rows, ["合计", whole, percent(statistics.rate(whole, whole))]]


def satisfaction_rows(f) -> list[list]:
    rated = f["rated"]
    return [
        ["满意", f["satisfied"], percent(f["satisfied_rate"])],
        ["基本满意", f["basically_satisfied"], percent(f["basically_satisfied_rate"])],
        ["不满意", f["unsatisfied"], percent(statistics.rate(f["unsatisfied"], rated))],
        ["已评价合计", rated, percent(statistics.rate(rated, rated))],
        [
            "满意率 (满意+基本满意)",
            f["satisfied"] + f["basically_satisfied"],
            percent(f["satisfaction_rate"]),
        ],
    ]
