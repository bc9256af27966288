"""Contact details removed from what the public portal shows (答复全文公开，隐去联系方式).

One function, ``mask_contacts``: 18-digit (and old 15-digit) ID numbers, e-mail addresses, mobile numbers (with or
without +86 and separators), landline numbers with an area code (0357-5620000, (0357)5620000, 0357 5620000-801),
any number that follows a word like 电话 or 手机, and the exact phone strings the caller names (the deputy's, the
reply's contact phone) in whatever shape they were typed. Digits may be half- or full-width.
"""

import re

D = "[0-9０-９]"  # a digit, half- or full-width
NOT_DIGIT_BEFORE = r"(?<![0-9０-９])"
NOT_DIGIT_AFTER = r"(?![0-9０-９])"
SEP = r"[-－—\s]?"
EXTENSION = r"(?:[-－—\s]|转)?"  # 0357-5620000-801, 0357-5620000转801
GAP = r"\s*(?:号码)?\s*(?:为|是)?\s*[:：]?\s*"  # 电话号码为：, 手机 , 电话:

ID_NUMBER = re.compile(
    rf"{NOT_DIGIT_BEFORE}(?:{D}{{17}}[0-9０-９XxＸｘ]|{D}{{15}}){NOT_DIGIT_AFTER}(?![XxＸｘ])"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s?[@＠]\s?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
MOBILE = re.compile(
    rf"{NOT_DIGIT_BEFORE}(?:[+＋]?(?:86|８６){SEP})?[1１][3-9３-９]{D}{SEP}{D}{{4}}{SEP}{D}{{4}}{NOT_DIGIT_AFTER}"
)
LANDLINE = re.compile(
    rf"(?:[(（]\s?[0０]{D}{{2,3}}\s?[)）]\s?|{NOT_DIGIT_BEFORE}[0０]{D}{{2,3}}{SEP})"
    rf"{D}{{7,8}}(?:{EXTENSION}{D}{{1,5}})?{NOT_DIGIT_AFTER}"
)
# after a word naming a contact detail: whatever digits follow (a local 5620000, 12345-6 ...)
NAMED = re.compile(
    r"(?P<word>电话|手机|座机|固话|热线|传真|联系方式|联系号码|微信|QQ|qq|Tel|TEL|tel)"
    rf"(?P<gap>{GAP})(?P<number>[(（]?{D}[0-9０-９()（）\-－—\s]{{3,}}{D})"
)

PHONE_MASK = "［电话已隐去］"
ID_MASK = "［身份证号已隐去］"
EMAIL_MASK = "［邮箱已隐去］"


def _digits(text):
    return "".join(c for c in text if c.isdigit())


def _exact(phone):
    """A pattern for the digits of ``phone`` with any separators between them."""
    digits = _digits(phone)
    if len(digits) < 5:
        return None
    return re.compile(
        NOT_DIGIT_BEFORE + r"[\s\-－—()（）]*".join(re.escape(d) for d in digits) + NOT_DIGIT_AFTER
    )


def mask_contacts(text, *, phones=()):
    """``text`` with every contact detail replaced by a bracketed note; ``phones``: numbers known to be someone's
    (the deputy's, the reply's contact phone), masked whatever their shape."""
    if not text:
        return text or ""
    for phone in phones:
        pattern = _exact(phone or "")
        if pattern is not None:
            text = pattern.sub(PHONE_MASK, text)
    text = EMAIL.sub(EMAIL_MASK, text)
    text = ID_NUMBER.sub(ID_MASK, text)
    text = MOBILE.sub(PHONE_MASK, text)
    text = LANDLINE.sub(PHONE_MASK, text)
    return NAMED.sub(lambda m: m["word"] + m["gap"] + PHONE_MASK, text)
