"""manage.py restore FILE.tar.gz [--yes]: puts back the database and the uploaded files a backup holds
(docs/operations.md, 备份与恢复)."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from suggestions import backups


def _local(iso):
    try:
        return f"{timezone.localtime(datetime.datetime.fromisoformat(iso)):%Y-%m-%d %H:%M:%S}"
    except (TypeError, ValueError):
        return str(iso)


class Command(BaseCommand):
    help = "从 manage.py backup 生成的备份文件恢复数据库和上传文件；将覆盖当前的全部数据。请先停止应用和后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（.tar.gz）")
        parser.add_argument(
            "--yes",
            "--no-input",
            "--noinput",
            action="store_true",
            dest="yes",
            help="不再询问，直接覆盖当前数据",
        )

    def handle(self, *args, file, yes=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到备份文件：{file}")
        try:
            manifest = backups.read_manifest(path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"备份时间：{_local(manifest.created_at)}，版本：{manifest.data.get('app_version') or '未知'}，"
            f"{len(manifest.counts)} 张表共 {rows} 行，上传文件 {len(manifest.files)} 个。"
        )
        target = f"数据库「{connection.settings_dict['NAME']}」和上传文件目录「{settings.MEDIA_ROOT}」"
        if not yes:
            answer = input(f"恢复将覆盖{target}中的全部数据。输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何改动。")
        try:
            backups.restore(path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已恢复{target}：{rows} 行，上传文件 {len(manifest.files)} 个，与备份一致。")
