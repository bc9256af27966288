"""manage.py requeue_deliveries: queue again the emails and text messages whose sending task was lost."""

from django.core.management.base import BaseCommand

from suggestions.deliveries import requeue_stale


class Command(BaseCommand):
    help = (
        "把超过时间仍「待发送」的邮件和短信重新放入后台队列（发送它们的任务已丢失，如发送中途后台进程被终止）。"
        "可随时运行，重复运行不会重复发送。"
    )

    def handle(self, *args, **options):
        count = requeue_stale()
        self.stdout.write(f"重新排队待发送消息 {count} 条。")
