"""manage.py send_reminders [--today YYYY-MM-DD] [--dry-run]: the daily 催办 reminders (docs/reminders.md)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from suggestions import jobs
from suggestions.reminders import send_reminders


def parse_day(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD: {value}") from exc


class Command(BaseCommand):
    help = (
        "发送催办提醒：办理期限前N天（SUGGESTION_RULES['remind_days_before']，默认7天）、到期当天、超期后各一次。"
        " 每天运行一次；重复运行不会重复发送。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按这一天计算（YYYY-MM-DD），默认为今天")
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将要发送的提醒，不写入数据、不发邮件"
        )

    def handle(self, *args, today=None, dry_run=False, verbosity=1, **options):
        day = parse_day(today) if today else None
        outcome = send_reminders(day, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"试运行（{outcome.today.isoformat()}）：不写入数据，不发送邮件。")
        if dry_run or verbosity >= 2:
            for planned in outcome.planned:
                self.stdout.write(planned.describe())
        for planned in outcome.unreachable:
            self.stderr.write(
                self.style.WARNING(f"未发送（没有可接收的启用账号，下次运行时再试）：{planned.describe()}")
            )
        for line in outcome.summary_lines():
            self.stdout.write(line)
        if not dry_run:
            self.stdout.write(
                f"共生成通知 {outcome.notifications} 条，待发送邮件 {outcome.emailed} 封、短信 {outcome.texted} 条"
                "（由后台任务发送）。"
            )
            if pruned := jobs.prune():  # the daily run also clears 「我的下载」 of files kept past their time
                self.stdout.write(f"已删除过期的下载{pruned}项。")
