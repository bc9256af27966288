"""How the office writes dates, rates and suggestion numbers, in one place: pages, workbooks, the handling
report, reminders and the import all call these.

    date_cn(datetime.date(2025, 3, 3))     # 2025年3月3日
    percent(0.9523)                        # 95.2%
    percent(1.0), percent(1.0, trim=True)  # 100.0%, 100% (the report's way)
    number_label(12)                       # 第12号
    parse_number("第012号")                 # 12

Templates keep Django's ``|date:"Y年n月j日"``; Python code uses ``date_cn``.
"""

import datetime
import re
import unicodedata

from django.utils import timezone

NO_RATE = "—"  # a rate with nothing to divide by
MAX_NUMBER = 2_147_483_647  # the largest number the database column holds

_NUMBER = re.compile(r"第?0*(\d+)(?:\.0+)?号?(?:建议)?")
_NUMBER_LABEL = re.compile(r"第\s*(\d+)\s*号")
_IGNORED = re.compile("[\\s\u200b\u200c\u200d\u2060\ufeff]+")  # whitespace and zero-width characters


def date_cn(day: datetime.date | datetime.datetime | None) -> str:
    """2025年3月3日: no leading zeros; "" for None. An aware datetime is first turned into the local date
    (Asia/Shanghai: 2025-03-02 16:30 UTC is 2025年3月3日); a naive one is taken as local already."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = (timezone.localtime(day) if timezone.is_aware(day) else day).date()
    return f"{day.year}年{day.month}月{day.day}日"


def percent(value: float | None, digits: int = 1, *, trim: bool = False) -> str:
    """A ratio (0.952 is 95.2%) with ``digits`` decimals; "—" for None (nothing to divide by).

    Rounding is Python's: the float ``value * 100`` to the nearest, a tie decided by its binary value
    (0.9525 gives 95.2%, 0.0125 gives 1.2%), and a rate just short of one can read 100.0% (0.9995).
    Pages and workbooks show every decimal (100.0%, 50.0%); the handling report passes ``trim=True`` and
    drops trailing zeros after the point (100%, 50%, 96.7%)."""
    if value is None:
        return NO_RATE
    text = f"{value * 100:.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def number_label(number: int) -> str:
    """第12号, how a suggestion is named everywhere."""
    return f"第{number}号"


def parse_number(value) -> int | None:
    """A suggestion number as offices write it, or None.

    Accepted: 12, 12.0 (a number cell), "12", "0012", "１２" (full-width), "12.0", "第12号", "第 12 号",
    "12号", "12号建议"; spaces and zero-width characters are ignored. Refused (None): empty, 0, negative,
    12.5, "12-1", a boolean, text around the number, and written numbers above the database's integer range
    (a number cell is taken as it is: the registration refuses one that is too large)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 1 else None
    match = _NUMBER.fullmatch(_IGNORED.sub("", unicodedata.normalize("NFKC", str(value))))
    if not match:
        return None
    number = int(match.group(1))
    return number if 1 <= number <= MAX_NUMBER else None


def strip_number_labels(text: str) -> str:
    """A search text with each 第12号 (or 第 12 号) written as 12, so a search for 「第12号」 finds number 12."""
    return _NUMBER_LABEL.sub(r"\1", text or "")
