"""manage.py reply_letter --session NAME --number N [--unit NAME] -o FILE.docx: a suggestion's 答复函 as a Word
file (suggestions/reply_letters.py), the latest round's reply; a draft comes out marked 草稿."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from suggestions import reply_letters
from suggestions.formats import parse_number
from suggestions.models import Reply, Suggestion

from .handling_report import find_session


def find_reply(suggestion, unit=""):
    """The reply the letter is written from: the latest round's, of ``unit`` when given (its name or short
    name), else of the one unit that replied in that round."""
    replies = Reply.objects.filter(assignment__suggestion=suggestion).select_related(
        "assignment__unit", "assignment__suggestion__session", "assignment__suggestion__lead_deputy"
    )
    if unit:
        unit = unit.strip()
        replies = [r for r in replies if unit in (r.assignment.unit.name, r.assignment.unit.short_name)]
        if not replies:
            raise CommandError(f"{suggestion.number_label}建议没有「{unit}」的答复。")
    replies = sorted(replies, key=lambda r: (r.assignment.round, r.drafted_at, r.pk))
    if not replies:
        raise CommandError(f"{suggestion.number_label}建议还没有答复。")
    latest = replies[-1].assignment.round
    units = {r.assignment.unit.name for r in replies if r.assignment.round == latest}
    if len(units) > 1:
        raise CommandError(
            f"{suggestion.number_label}建议有多个单位的答复（{'、'.join(sorted(units))}），请用 --unit 指定单位。"
        )
    return replies[-1]


class Command(BaseCommand):
    help = (
        "生成一件建议的答复函（Word）：最新一轮的答复；未签发的答复生成草稿，供单位负责人签发。"
        " 分办的建议用 --unit 指定单位。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--session", default="", help="届次会议名称，默认为当前会议")
        parser.add_argument("--number", required=True, help="建议编号（如 12 或 第12号）")
        parser.add_argument("--unit", default="", help="承办单位名称或简称（分办时必填）")
        parser.add_argument("-o", "--output", required=True, help="输出的 Word 文件（.docx）")

    def handle(self, *args, session="", number="", unit="", output="", **options):
        chosen = find_session(session)
        value = parse_number(number)
        if value is None:
            raise CommandError(f"建议编号应为数字（如 12 或 第12号），不能是「{number}」。")
        suggestion = Suggestion.objects.filter(session=chosen, number=value).first()
        if suggestion is None:
            raise CommandError(f"{chosen.name}没有第{value}号建议。")
        reply = find_reply(suggestion, unit)
        data, _name = reply_letters.letter_file(reply)
        path = Path(output)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入 {path}：{exc.strerror or exc}") from exc
        draft = "（草稿）" if reply_letters.is_draft(reply) else ""
        self.stdout.write(f"已生成{suggestion.number_label}建议的答复函{draft}：{path}")
