"""manage.py prune_downloads: delete the background jobs kept past their time (settings.DOWNLOADS_KEEP_DAYS)
and their files from 「我的下载」. send_reminders' daily run does the same."""

from django.core.management.base import BaseCommand

from suggestions import jobs


class Command(BaseCommand):
    help = "删除「我的下载」中已过保留期的后台任务及其文件（保留天数见 DOWNLOADS_KEEP_DAYS）。"

    def handle(self, *args, **options):
        self.stdout.write(f"已删除过期的下载{jobs.prune()}项。")
