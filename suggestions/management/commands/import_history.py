"""manage.py import_history FILE.xlsx --session NAME [--year YYYY] [--dry-run] [--user USERNAME]."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from suggestions.imports import history, sessions
from suggestions.imports.problems import ImportFailed, ImportFileError
from suggestions.management.commands.import_suggestions import Command as ImportCommand


class Command(BaseCommand):
    help = (
        "导入往届建议（历史导入）：读取系统导出格式的建议办理情况汇总表，届次会议不存在时按名称新建，"
        "每件建议按办理状态（默认已办结）连同交办、答复和评价写入；有任何错误则不写入（退出码1）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件（建议办理情况汇总表）")
        parser.add_argument(
            "--session",
            required=True,
            help="届次会议名称，如 第八届人民代表大会第三次会议、市八届人大三次会议",
        )
        parser.add_argument("--year", type=int, help="会议年度（届次会议不存在且无法从名称或文件看出时必填）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出问题，不写入数据")
        parser.add_argument("--user", help="记入办理日志的操作人用户名（默认：第一个启用的政府办账号）")

    def handle(self, *args, file, session, year=None, dry_run=False, user=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if path.stat().st_size > settings.UPLOAD_MAX_BYTES:
            raise CommandError(f"文件超过{settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB。")
        actor = ImportCommand()._user(user)
        try:
            plan = history.parse_history(path)
            congress_session, created = sessions.find_or_new_session(
                session, year=year, file_year=history.file_year(plan)
            )
        except ImportFileError as error:
            raise CommandError(str(error.problem)) from error
        plan = history.checked_history(plan, session=congress_session, created=created)
        for problem in plan.all_problems:
            if problem.is_error:
                self.stderr.write(self.style.ERROR(f"错误 {problem}"))
            else:
                self.stderr.write(self.style.WARNING(f"提示 {problem}"))
        where = f"{congress_session.name}（{congress_session.year}年，{'新建' if created else '已有'}）"
        if not plan.ok:
            raise CommandError(f"共{len(plan.rows)}行，{len(plan.errors)}个错误，没有导入任何建议。")
        if dry_run:
            self.stdout.write(
                f"试运行：{where}，共{len(plan.rows)}行，没有错误，{len(plan.warnings)}个提示；未写入数据。"
            )
            return
        try:
            result = history.run_history_import(plan, user=actor, source=path.name)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(self.style.ERROR(f"错误 {problem}"))
            raise CommandError("导入失败，没有写入任何数据。") from failure
        line = f"已导入{len(result.written)}件往届建议到{where}"
        if result.created:
            line += f"，新建{len(result.created)}个代表、代表团、类别、承办单位或领导"
        self.stdout.write(self.style.SUCCESS(line + "。"))
