"""manage.py backup -o FILE.tar.gz [--keep N]: the database and the uploaded files in one file
(docs/operations.md, 备份与恢复)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from suggestions import backups


class Command(BaseCommand):
    help = (
        "备份数据库和上传文件（MEDIA_ROOT）到一个 .tar.gz 文件。"
        "PostgreSQL 用 pg_dump，SQLite 用其备份接口；可在系统运行时进行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            help="备份文件路径（一个 .tar.gz 文件，名称可自定）；给出目录时在其中生成 suggestions-日期-时间.tar.gz",
        )
        parser.add_argument(
            "--keep", type=int, help="只保留输出目录中最新的 N 份备份，删除更早的（只删本系统的备份文件）"
        )

    def handle(self, *args, output, keep=None, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep 至少为 1。")
        path = Path(output)
        if path.is_dir() or output.endswith("/"):
            path = path / backups.default_name()
        try:
            manifest = backups.backup(path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.counts.values())
        size = sum(f["size"] for f in manifest.files)
        self.stdout.write(
            f"已备份到 {path}：{len(manifest.counts)} 张表共 {rows} 行，"
            f"上传文件 {len(manifest.files)} 个（{size} 字节）。"
        )
        if keep is not None:
            for removed in backups.prune(path.parent, keep, exclude=path):
                self.stdout.write(f"已删除较早的备份 {removed}")
