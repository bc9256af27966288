"""manage.py import_suggestions FILE.xlsx --session NAME [--assign] [--dry-run] [--user USERNAME]."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.roles import Role
from suggestions import imports
from suggestions.models import CongressSession


class Command(BaseCommand):
    help = (
        "从Excel（.xlsx）导入人大交来的建议清单：先检查全部行，有任何错误则不写入（退出码1）；"
        "全部通过后在一个事务中登记全部建议。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--session", required=True, help="届次会议名称，如 第八届人民代表大会第五次会议")
        parser.add_argument(
            "--assign", action="store_true", help="按建议主办、协办单位直接交办（交办日期为今天）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出问题，不写入数据")
        parser.add_argument("--user", help="记入办理日志的操作人用户名（默认：第一个启用的政府办账号）")

    def handle(self, *args, file, session, assign=False, dry_run=False, user=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if path.stat().st_size > settings.UPLOAD_MAX_BYTES:
            raise CommandError(f"文件超过{settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB。")
        congress_session = self._session(session)
        actor = self._user(user)
        plan = imports.read_plan(path, session=congress_session)
        for problem in plan.all_problems:
            if problem.is_error:
                self.stderr.write(self.style.ERROR(f"错误 {problem}"))
            else:
                self.stderr.write(self.style.WARNING(f"提示 {problem}"))
        if not plan.ok:
            raise CommandError(f"共{len(plan.rows)}行，{len(plan.errors)}个错误，没有导入任何建议。")
        if dry_run:
            self.stdout.write(
                f"试运行：共{len(plan.rows)}行，没有错误，{len(plan.warnings)}个提示；未写入数据。"
                + (f" 其中{plan.assignable}件可按建议主办单位交办。" if assign else "")
            )
            return
        try:
            result = imports.run_import(plan, user=actor, assign=assign)
        except imports.ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(self.style.ERROR(f"错误 {problem}"))
            raise CommandError("导入失败，没有写入任何数据。") from failure
        line = f"已导入{len(result.registered)}件"
        if assign:
            line += f"，其中{result.assigned}件已交办"
        self.stdout.write(self.style.SUCCESS(line + f"（{congress_session.name}）。"))

    def _session(self, name):
        found = CongressSession.objects.filter(name=name.strip()).first()
        if found is None:
            names = "、".join(CongressSession.objects.values_list("name", flat=True)[:10]) or "（无）"
            raise CommandError(f"找不到届次会议“{name}”。现有：{names}")
        return found

    def _user(self, username):
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到启用的用户“{username}”。")
            if not actor.has_perm("suggestions.import"):
                raise CommandError(f"用户“{username}”没有导入建议的权限（须为政府办工作人员）。")
            return actor
        actor = User.objects.filter(role=Role.OFFICE, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("没有启用的政府办账号；请先创建，或用 --user 指定操作人。")
        return actor
