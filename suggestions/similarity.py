"""Titles alike: registering warns when the lead deputy already has a suggestion with a title like the new one.

Two titles are compared by their pairs of neighbouring characters (bigrams), once the words nearly every title
has are taken off: 「关于」 at the start, 「的建议」「的意见」 (and the like) at the end, punctuation and spaces.
The score is Dice's coefficient: 2 × shared bigrams ÷ (bigrams of one + bigrams of the other), from 0 to 1.
Titles are alike from ``THRESHOLD`` (0.5): half their bigrams in common.

    similarity("关于农村道路提档升级的建议", "关于加快农村道路提档升级的建议")  # 0.875: alike
    similarity("关于农村道路提档升级的建议", "关于城区道路改造的建议")          # 0.167: not alike
"""

import re
import unicodedata

THRESHOLD = 0.5

_START = ("关于",)
_END = ("的建议和意见", "的意见和建议", "的建议", "的意见", "的提案", "建议", "意见")
_NOT_TEXT = re.compile(r"[\W_]+")  # spaces and punctuation, full-width or not


def core(title: str) -> str:
    """The title without its set words and punctuation: 「关于加快农村道路提档升级的建议」 -> 「加快农村道路提档升级」."""
    text = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", title or ""))
    for start in _START:
        text = text.removeprefix(start)
    for end in _END:
        if text.endswith(end) and len(text) > len(end):
            text = text[: -len(end)]
            break
    return text


def bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    first, second = bigrams(core(a)), bigrams(core(b))
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def alike(a: str, b: str) -> bool:
    return similarity(a, b) >= THRESHOLD
