"""What the similar-suggestion commands ask about (``similar_suggestions``, ``recommend_units``): a text, or a
suggestion by its ID or by session and number, whose own record is then left out of the answer."""

from django.core.management.base import CommandError

from suggestions import search
from suggestions.formats import number_label, parse_number
from suggestions.models import Suggestion


def add_arguments(parser):
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--text", help="一段文字，如建议的标题和正文")
    which.add_argument("--suggestion", type=int, metavar="ID", help="建议的编号（数据库 ID）")
    which.add_argument("--session", help="届次会议名称，与 --number 一起指定一件建议")
    parser.add_argument("--number", help="建议编号，如 12 或“第12号”（与 --session 一起）")


def text_and_exclude(options):
    """(the text to search with, the suggestion's id to leave out or None); ``CommandError`` in Chinese."""
    suggestion = _suggestion(options)
    if suggestion is None:
        return options["text"], None
    return search.suggestion_text(suggestion), suggestion.pk


def _suggestion(options):
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
