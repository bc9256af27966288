import time

from django.core.management.base import BaseCommand

from suggestions import listsearch, search


class Command(BaseCommand):
    help = (
        "重建相似建议的检索索引（每件建议标题和正文的词语及词频）。登记、修改和历史导入会随时更新索引，"
        "此命令用于已有数据或索引规则改变之后；同时重建建议列表的关键词检索文本。"
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        done = search.rebuild()
        self.stdout.write(f"已为{done}件建议建立相似检索索引，用时{time.monotonic() - started:.1f}秒。")
        started = time.monotonic()
        done = listsearch.fill()
        self.stdout.write(f"已为{done}件建议建立列表检索文本，用时{time.monotonic() - started:.1f}秒。")
