"""What a user reads is written with official full-width punctuation: no half-width comma, colon, semicolon or
parenthesis next to Chinese in the app's messages, labels and templates (docstrings and comments aside)."""

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAN = "\u4e00-\u9fff"
# a half-width mark touching a Chinese character (or a full-width mark), either side
HALF_WIDTH = re.compile(
    rf"[{HAN}」》）][ \t]*[,;]|[,;][ \t]*[{HAN}「《（]|[{HAN}」》][ \t]*:(?!//)|"
    rf":[ \t]*[{HAN}「《]|[{HAN}」》]\(|\([{HAN}「《]|[{HAN}」》]\)|\)[{HAN}「《，。]"
)
TAG = re.compile(r"(\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<[^>]*>)", re.S)


def python_texts(path):
    """(line, text) of every string literal that is not a docstring, and of every f-string's text parts."""
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
    previous = None
    for token in tokens:
        if token.type == tokenize.STRING:
            docstring = token.string.lstrip("rRbBuUfF").startswith(('"""', "'''"))
            raw = "r" in re.match(r"[a-zA-Z]*", token.string)[0].lower()
            if not docstring and not raw:
                yield token.start[0], token.string
        elif token.type == tokenize.FSTRING_MIDDLE and not (previous and previous.string == ":"):
            yield token.start[0], token.string
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token


def template_texts(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        yield number, "".join(part for part in TAG.split(line) if not TAG.fullmatch(part))


def offenders():
    found = []
    for path in sorted([*ROOT.glob("suggestions/**/*.py"), *ROOT.glob("accounts/**/*.py")]):
        if "migrations" in path.parts:
            continue
        found += [f"{path.relative_to(ROOT)}:{n}: {t}" for n, t in python_texts(path) if HALF_WIDTH.search(t)]
    for path in sorted(ROOT.glob("templates/**/*.html")):
        found += [
            f"{path.relative_to(ROOT)}:{n}: {t}" for n, t in template_texts(path) if HALF_WIDTH.search(t)
        ]
    return found


def test_the_chinese_a_user_reads_uses_full_width_punctuation():
    assert offenders() == []


def test_the_check_finds_a_half_width_comma_in_chinese():
    assert (
        HALF_WIDTH.search("已撤回, 无需审批")
        and HALF_WIDTH.search("办结: 按期")
        and HALF_WIDTH.search("建议(待审批)")
    )
    assert not HALF_WIDTH.search("已撤回，无需审批（待审批）：") and not HALF_WIDTH.search("http://例子")
