"""manage.py handling_report [--session NAME] [-o FILE.docx | -o -] [--format docx|txt] [--today YYYY-MM-DD]:
the yearly 办理工作情况报告 draft of a session (suggestions/report.py)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from suggestions import report_docx, selectors
from suggestions.models import CongressSession, Suggestion
from suggestions.report import compose


def find_session(value):
    """The session named ``value`` (full name 第八届人民代表大会第四次会议, short name 八届人大四次会议, or id);
    the current session when ``value`` is empty."""
    if not value:
        session = selectors.current_session()
        if session is None:
            raise CommandError("还没有届次会议，请先登记届次会议。")
        return session
    value = value.strip()
    sessions = list(CongressSession.objects.all())
    for session in sessions:
        if value in (session.name, session.short_name, str(session.pk)):
            return session
    names = "、".join(s.name for s in sessions) or "无"
    raise CommandError(f"没有名为「{value}」的届次会议。已有的届次会议：{names}")


class Command(BaseCommand):
    help = (
        "生成代表建议办理工作情况报告（草稿）：-o 文件.docx 写入 Word 文件；-o - 或 --format txt 把正文输出到屏幕。"
        " 数字与统计页、导出的汇总表一致。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--session", default="", help="届次会议名称（如 第八届人民代表大会第四次会议），默认为当前会议"
        )
        parser.add_argument("-o", "--output", default="", help="输出文件；- 表示输出正文到屏幕")
        parser.add_argument(
            "--format", choices=["docx", "txt"], default="", help="输出格式，默认按文件扩展名"
        )
        parser.add_argument("--today", default="", help="按这一天统计超期等（YYYY-MM-DD），默认为今天")

    def handle(self, *args, session="", output="", format="", today="", **options):
        chosen = find_session(session)
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD: {today}") from exc
        report = compose(Suggestion.objects.filter(session=chosen), session=chosen, today=day)

        kind = format or ("txt" if output == "-" or output.endswith(".txt") else "docx")
        if output == "-" or (kind == "txt" and not output):
            if kind == "docx":
                raise CommandError("Word 文件不能输出到屏幕，请用 -o 指定文件名，或使用 --format txt。")
            self.stdout.write(report.text(), ending="")
            return
        path = Path(output or report.filename)
        try:
            if kind == "txt":
                path.write_text(report.text(), encoding="utf-8")
            else:
                path.write_bytes(report_docx.render(report))
        except OSError as exc:
            raise CommandError(f"无法写入 {path}: {exc.strerror or exc}") from exc
        self.stdout.write(f"已生成 {path}")
