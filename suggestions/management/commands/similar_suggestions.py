import json

from django.core.management.base import BaseCommand, CommandError

from suggestions import search
from suggestions.formats import number_label
from suggestions.management import query_text
from suggestions.models import Suggestion


class Command(BaseCommand):
    help = (
        "查找与一段文字或一件建议最相似的建议（历次会议、所有代表），按 BM25 相似度从高到低列出，不含该建议本身。"
        "索引由登记、修改和历史导入随时维护，可用 index_suggestions 重建。"
    )

    def add_arguments(self, parser):
        query_text.add_arguments(parser)
        parser.add_argument("--top", type=int, default=5, metavar="K", help="列出的件数，默认 5")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        if not 1 <= options["top"] <= 100:
            raise CommandError("--top 应为1到100之间的整数。")
        text, exclude = query_text.text_and_exclude(options)
        hits = search.search(text, exclude=exclude, limit=options["top"])
        found = Suggestion.objects.select_related("session").in_bulk([h.suggestion_id for h in hits])
        rows = [
            {
                "id": h.suggestion_id,
                "session": found[h.suggestion_id].session.name,
                "number": found[h.suggestion_id].number,
                "title": found[h.suggestion_id].title,
                "score": round(h.score, 4),
            }
            for h in hits
            if h.suggestion_id in found
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("未找到相似的建议。")
        for row in rows:
            self.stdout.write(
                f"{row['score']:8.3f}  {row['session']}{number_label(row['number'])}  {row['title']}"
            )
