"""manage.py export_summary --session NAME -o FILE.xlsx [--statistics]: the 建议办理情况汇总表 of a session
(or, with --statistics, its statistics workbook), without going through the browser."""

from django.core.management.base import BaseCommand, CommandError
from xlsxwriter.exceptions import FileCreateError

from suggestions import exports
from suggestions.models import CongressSession, Suggestion


class Command(BaseCommand):
    help = "导出一个届次会议的建议办理情况汇总表（Excel）；加 --statistics 导出统计表。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--session", required=True, help="届次会议名称，如「第八届人民代表大会第五次会议」"
        )
        parser.add_argument("-o", "--output", required=True, help="输出文件，如 汇总表.xlsx")
        parser.add_argument(
            "--statistics", action="store_true", help="导出统计表（概况、按类别、按承办单位等）"
        )

    def handle(self, *args, session, output, statistics=False, **options):
        found = CongressSession.objects.filter(name=session.strip()).first()
        if found is None:
            names = "、".join(CongressSession.objects.values_list("name", flat=True)) or "（尚无届次会议）"
            raise CommandError(f"没有名为「{session}」的届次会议。已有：{names}")
        suggestions = Suggestion.objects.filter(session=found).order_by("number")
        try:
            if statistics:
                sheets = exports.write_statistics(suggestions, output, scope=found.name)
                self.stdout.write(
                    f"已导出{found.name}统计表（{sheets}张工作表，建议{suggestions.count()}件）：{output}"
                )
            else:
                rows = exports.write_summary(suggestions, output)
                self.stdout.write(f"已导出{found.name}建议办理情况汇总表，共{rows}行：{output}")
        except (OSError, FileCreateError) as exc:
            raise CommandError(f"无法写入文件 {output}: {exc}") from exc
