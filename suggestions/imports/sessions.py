"""A congress session named as offices write it: 第八届人民代表大会第三次会议, 市八届人大三次会议,
县十八届人大四次会议 (届 and 次 in Chinese numerals or digits, a place before them). The history import finds
the session by its 届 and 次, or creates it under the full name (``CongressSession.name``'s form).

    parse_session_name("市八届人大三次会议")   # SessionName(term=8, meeting=3, year=None)
    find_or_new_session("县十八届人大四次会议", year=2023)   # an existing CongressSession, or a new unsaved one
"""

import re
import unicodedata
from dataclasses import dataclass

from ..models import CongressSession
from .problems import ImportFileError

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERAL = "[〇零一二两三四五六七八九十百0-9]+"
_NAME = re.compile(r"第?(?P<term>" + _NUMERAL + r")届.*?第?(?P<meeting>" + _NUMERAL + r")次(?:会议)?")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
YEAR_RANGE = (1950, 2100)


def chinese_number(text: str) -> int | None:
    """十八 -> 18, 二十三 -> 23, 一百零二 -> 102, 八 -> 8, 18 -> 18; None when it is not a number."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch not in "十百" for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            unit = 10 if ch == "十" else 100
            total += (1 if digit is None else digit) * unit
            digit = None
    return total + (digit or 0)


def chinese_numeral(n: int) -> str:
    """18 -> 十八, as the session's full name writes it (CongressSession.short_name's numerals)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")
    return str(n)


@dataclass(frozen=True)
class SessionName:
    term: int
    meeting: int
    year: int | None  # a year written in the name: 2023年第八届人民代表大会第三次会议

    @property
    def full_name(self):
        return f"第{chinese_numeral(self.term)}届人民代表大会第{chinese_numeral(self.meeting)}次会议"


def parse_session_name(name: str) -> SessionName:
    """The 届 and 次 (and a year, if written) of a session's name; ImportFileError when they cannot be read."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))
    match = _NAME.search(text)
    term = chinese_number(match["term"]) if match else None
    meeting = chinese_number(match["meeting"]) if match else None
    if not term or not meeting:
        raise ImportFileError(
            f"无法从“{name}”看出是第几届第几次会议：请写作「第八届人民代表大会第三次会议」"
            "或「市八届人大三次会议」。"
        )
    year = _YEAR.search(text)
    return SessionName(term, meeting, int(year[1]) if year else None)


def find_or_new_session(name: str, *, year: int | None = None, file_year: int | None = None):
    """(session, created): the session of that 届 and 次 (or of that very name), else a new unsaved one under
    the full name, its year from ``year`` (--year), the name, the same 届's other sessions (one a year), or the
    file (``file_year``: its earliest assignment date), in that order. ImportFileError when none tells it."""
    existing = CongressSession.objects.filter(name=(name or "").strip()).first()
    if existing is not None:
        return existing, False
    parsed = parse_session_name(name)
    existing = CongressSession.objects.filter(term=parsed.term, meeting=parsed.meeting).first()
    if existing is not None:
        return existing, False
    found = year or parsed.year or _year_from_term(parsed) or file_year
    if found is None:
        raise ImportFileError(
            f"无法确定“{name}”是哪一年的会议：请指定年度（命令行加 --year 2023，或在页面上填写年度）。"
        )
    if not YEAR_RANGE[0] <= found <= YEAR_RANGE[1]:
        raise ImportFileError(f"年度“{found}”不对，请填写四位数的年份，如2023。")
    return CongressSession(name=parsed.full_name, year=found, term=parsed.term, meeting=parsed.meeting), True


def _year_from_term(parsed):
    """A congress meets once a year: the 3rd meeting of a term whose 4th was in 2024 was in 2023."""
    other = CongressSession.objects.filter(term=parsed.term).order_by("meeting").first()
    return other.year + (parsed.meeting - other.meeting) if other else None
