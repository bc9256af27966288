import argparse
import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from suggestions import rules, statistics
from suggestions.formats import percent
from suggestions.models import CongressSession, Suggestion

SUMMARY_FIGURES = (
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
    "rated",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "satisfaction_rate",
    "satisfied_rate",
    "basically_satisfied_rate",
    "first_rated",
    "first_satisfied",
    "first_basically_satisfied",
    "first_unsatisfied",
    "first_satisfaction_rate",
    "ever_unsatisfied",
    "rehandling",
    "on_time",
    "on_time_rate",
    "overdue",
    "face_to_face",
    "face_to_face_rate",
    "contacted",
    "contact_rate",
)
SUMMARY_ROWS = [(statistics.LABELS[key], key) for key in SUMMARY_FIGURES]
COMMITMENTS = {"total": "承诺事项", "done": "已落实", "open": "未落实"}


class Command(BaseCommand):
    help = (
        "打印一个届次会议的建议办理统计：总数、政府承办、各类别件数、重点建议、办结率、满意率、"
        "答复类别、B类承诺落实、各承办单位和各分管领导的办理情况。数字与统计页面、Excel 和办理情况报告同源。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--session", required=True, help="届次会议名称，如“第八届人民代表大会第四次会议”")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（比率为 0 到 1 的小数）")
        parser.add_argument(
            "--today", type=parse_day, help="按此日期计算超期（YYYY-MM-DD），默认今天", metavar="YYYY-MM-DD"
        )

    def handle(self, *args, session, json=False, today=None, **options):
        found = CongressSession.objects.filter(name=session).first()
        if found is None:
            names = "、".join(CongressSession.objects.values_list("name", flat=True)) or "（无）"
            raise CommandError(f"没有名为“{session}”的届次会议。现有届次会议：{names}", returncode=1)
        today = today or timezone.localdate()
        figures = statistics.session_figures(Suggestion.objects.filter(session=found), today)
        if json:
            self.stdout.write(dump_json(figures))
        else:
            self.stdout.write("\n".join(table(found, figures, today)))


def parse_day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def dump_json(figures):
    return json.dumps(figures, ensure_ascii=False, indent=2)


def cell(key, value):
    return percent(value) if key.endswith("_rate") else str(value)


def display_width(text):
    """Columns a terminal gives ``text``: two for each Chinese character."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def pad(text, width):
    return text + " " * (width - display_width(text))


def columns(rows):
    """Rows of cells, each column padded to its widest cell (a Chinese character takes two columns)."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def table(session, figures, today):
    lines = [f"{session.name}（{session.year}年）建议办理情况（截至{today:%Y-%m-%d}）", "", "总体情况"]
    lines += columns([(label, cell(key, figures[key])) for label, key in SUMMARY_ROWS])
    lines += ["", "按类别（政府承办）"]
    lines += columns([(c["name"], str(c["count"])) for c in figures["by_category"]])
    lines += ["", "答复类别"]
    lines += columns(
        [(label, str(figures["by_result_class"][code])) for code, label in rules.result_class_choices()]
    )
    lines += ["", f"{rules.commitment_classes_label()}承诺落实"]
    lines += columns([(label, str(figures["commitments"][k])) for k, label in COMMITMENTS.items()])
    lines += ["", "按办理状态"]
    lines += columns([(state.label, str(figures["by_state"][state])) for state in Suggestion.State])
    if figures["by_unit"]:
        lines += ["", "按承办单位"]
        header = ("承办单位", "主办", "协办", "分办", "已完成", "超期")
        rows = [
            (r["unit"], *(str(r[k]) for k in ("lead", "co", "separate", "done", "overdue")))
            for r in figures["by_unit"]
        ]
        lines += columns([header, *rows])
    if figures["by_portfolio"]:
        lines += ["", "按分管领导"]
        header = ("分管领导", "件数", "重点", "办结", "办结率")
        rows = [
            (r["leader"], str(r["total"]), str(r["key"]), str(r["closed"]), percent(r["completion_rate"]))
            for r in figures["by_portfolio"]
        ]
        lines += columns([header, *rows])
    return lines
