import json

from django.core.management.base import BaseCommand, CommandError

from suggestions import recommend
from suggestions.management import query_text


class Command(BaseCommand):
    help = (
        "按最相似的以往建议如何交办、交办是否稳定（未调整、代表初次评价），建议主办单位（--co 为协办单位），"
        "从高到低列出并说明理由；对已有建议不使用其本身的交办。"
    )

    def add_arguments(self, parser):
        query_text.add_arguments(parser)
        parser.add_argument("--top", type=int, default=3, metavar="K", help="列出的单位数，默认 3")
        parser.add_argument("--co", action="store_true", help="建议协办单位，而非主办单位")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        if not 1 <= options["top"] <= 100:
            raise CommandError("--top 应为1到100之间的整数。")
        text, exclude = query_text.text_and_exclude(options)
        found = recommend.recommend_units(
            text, exclude=exclude, top=options["top"], role="co" if options["co"] else "lead"
        )
        rows = [{"unit": unit.name, "score": score, "reason": reason} for unit, score, reason in found]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("没有足够相似的以往建议，无法建议承办单位。")
        for row in rows:
            self.stdout.write(f"{row['score']:6.3f}  {row['unit']}  {row['reason']}")
