import json

from django.core.management.base import BaseCommand, CommandError

from suggestions import search
from suggestions.formats import number_label, parse_number
from suggestions.models import Suggestion


class Command(BaseCommand):
    help = (
        "查找与一段文字或一件建议最相似的建议（历次会议、所有代表），按 BM25 相似度从高到低列出，不含该建议本身。"
        "索引由登记、修改和历史导入随时维护，可用 index_suggestions 重建。"
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--text", help="一段文字，如建议的标题和正文")
        which.add_argument("--suggestion", type=int, metavar="ID", help="建议的编号（数据库 ID）")
        which.add_argument("--session", help="届次会议名称，与 --number 一起指定一件建议")
        parser.add_argument("--number", help="建议编号，如 12 或“第12号”（与 --session 一起）")
        parser.add_argument("--top", type=int, default=5, metavar="K", help="列出的件数，默认 5")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        if not 1 <= options["top"] <= 100:
            raise CommandError("--top 应为1到100之间的整数。")
        suggestion = self._suggestion(options)
        if suggestion is None:
            text, exclude = options["text"], None
        else:
            text, exclude = search.suggestion_text(suggestion), suggestion.pk
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

    def _suggestion(self, options):
        if options["suggestion"] is not None:
            found = Suggestion.objects.filter(pk=options["suggestion"]).first()
            if found is None:
                raise CommandError(f"没有 ID 为 {options['suggestion']} 的建议。")
            return found
        if options["session"] is not None:
            number = parse_number(options["number"] or "")
            if number is None:
                raise CommandError("请用 --number 指定建议编号，如 --number 12。")
            found = Suggestion.objects.filter(session__name=options["session"], number=number).first()
            if found is None:
                raise CommandError(f"“{options['session']}”没有{number_label(number)}建议。")
            return found
        if options["number"] is not None:
            raise CommandError("--number 须与 --session 一起使用。")
        if not search.terms(options["text"]):
            raise CommandError("--text 中没有可检索的词语。")
        return None
