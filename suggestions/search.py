"""相似建议: the suggestions most like a text, across all sessions and deputies, ranked with BM25.

Words: jieba's search mode (``lcut_for_search``: 「农村道路」 gives 农村、道路 and 农村道路), its dictionary shipped
in the package, nothing downloaded; words of one character, punctuation and the words nearly every suggestion
has (``STOP``: 关于、建议、我县 ...) are left out. A suggestion's document is its title, counted ``TITLE_WEIGHT``
times, and its content.

Index: ``SearchTerm`` rows (suggestion, word, count in the document, the document's length) with an index on the
word, and ``SearchDocument`` (suggestion, length). ``index`` rewrites a suggestion's rows; registration, edit and
the history import call it in their transaction, ``manage.py index_suggestions`` rebuilds them all. A query
reads the postings of its own words only: one count per word (document frequency, from the index alone), then
one grouped sum over the rarest words' postings (``_selective``: at most ``POSTINGS_BUDGET`` of them), read
from the covering index (word, suggestion, tf, length) without touching the table:

    score(d) = Σ idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·len(d)/avglen))
    idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))

The same SQL on PostgreSQL and SQLite (the ORM's ``Case``/``Sum``). ``share`` is the score over the query's
ceiling (Σ idf of its words): about the part of the query's weight a suggestion matches, from 0 to 1.
"""

import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

from django.db import transaction
from django.db.models import Avg, Case, Count, F, FloatField, Q, Sum, Value, When
from django.db.models.functions import Cast

from .models import SearchDocument, SearchTerm

K1, B = 1.2, 0.75
TITLE_WEIGHT = 2
MAX_QUERY_TERMS = 48  # the rarest words of a long text are enough
MIN_QUERY_TERMS = 3
POSTINGS_BUDGET = (
    20_000  # postings a query sums at most, beyond its rarest MIN_QUERY_TERMS words (``_selective``)
)
MAX_TERM_LENGTH = 32
# A suggestion is shown as similar from this share of the query's weight (registration and the page).
MIN_SHARE = 0.2
_STOP_WORDS = """
    关于 建议 意见 提案 我县 我市 本县 全县 县城 县委 县政府 政府 有关 相关 部门 进一步 加快 加强 推进 推动
    问题 工作 目前 当前 存在 希望 建议县 群众 百姓 老百姓 人民 进行 开展 实施 做好 提高 提升 改善 完善 解决
    情况 方面 以及 及时 没有 一些 部分 很多 严重 影响 造成 需要 应当 能够 可以 我们 他们 群众反映 反映 的 了
    是 在 和 与 及 对 将 把 为 等 由于 因为 所以 但是 而且 并且 已经 近年来 近年 今年 每年 一个 尽快
"""
STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"\w", re.UNICODE)


@cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def terms(text: str) -> list[str]:
    """The words of ``text`` the index keeps, with repeats, in order."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if not text.strip():
        return []
    words = []
    for word in _tokenizer().lcut_for_search(text):
        word = word.strip()
        if len(word) < 2 or word in STOP or not _WORD.search(word) or "_" in word:
            continue
        words.append(word[:MAX_TERM_LENGTH])
    return words


def document(title: str, content: str) -> Counter:
    counts = Counter()
    for _ in range(TITLE_WEIGHT):
        counts.update(terms(title))
    counts.update(terms(content))
    return counts


def index(suggestions) -> None:
    """(Re)write the index rows of ``suggestions`` (objects with ``pk``, ``title`` and ``content``)."""
    suggestions = [s for s in suggestions if s.pk]
    if not suggestions:
        return
    ids = [s.pk for s in suggestions]
    docs, postings = [], []
    for s in suggestions:
        counts = document(s.title, s.content)
        length = sum(counts.values())
        docs.append(SearchDocument(suggestion_id=s.pk, length=length))
        postings.extend(
            SearchTerm(suggestion_id=s.pk, term=t, tf=min(tf, 32767), length=length)
            for t, tf in counts.items()
        )
    with transaction.atomic():
        SearchTerm.objects.filter(suggestion_id__in=ids).delete()
        SearchDocument.objects.filter(suggestion_id__in=ids).delete()
        SearchDocument.objects.bulk_create(docs, batch_size=1000)
        SearchTerm.objects.bulk_create(postings, batch_size=2000)


def rebuild(queryset=None, *, chunk=1000) -> int:
    """Index every suggestion of ``queryset`` (all of them by default); the number indexed."""
    from .models import Suggestion

    rows = (queryset if queryset is not None else Suggestion.objects.all()).only("pk", "title", "content")
    if queryset is None:
        SearchTerm.objects.all().delete()
        SearchDocument.objects.all().delete()
    done, batch = 0, []
    # one transaction: the server-side cursor of .iterator() lives inside it (PgBouncer, docs/scaling.md)
    with transaction.atomic():
        for s in rows.order_by("pk").iterator(chunk_size=chunk):
            batch.append(s)
            if len(batch) == chunk:
                index(batch)
                done, batch = done + len(batch), []
        index(batch)
    return done + len(batch)


@dataclass(frozen=True)
class Hit:
    suggestion_id: int
    score: float
    share: float


def search(text: str, *, exclude=None, limit=5) -> list[Hit]:
    """The indexed suggestions most like ``text``, best first (ties: the lower id), without ``exclude``."""
    words = set(terms(text))
    if not words:
        return []
    stats = SearchDocument.objects.aggregate(n=Count("pk"), avg=Avg("length"))
    n, avg = stats["n"], float(stats["avg"] or 0) or 1.0
    if not n:
        return []
    df = dict(
        SearchTerm.objects.filter(term__in=words).values_list("term").annotate(df=Count("*")).order_by()
    )
    kept = _selective(df)
    if not kept:
        return []
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in kept}
    ceiling = sum(idf.values())
    weight = Case(*(When(term=t, then=Value(idf[t])) for t in kept), output_field=FloatField())
    tf = Cast("tf", FloatField())
    norm = tf * (K1 + 1) / (tf + Value(K1 * (1 - B)) + Value(K1 * B / avg) * Cast(F("length"), FloatField()))
    rows = SearchTerm.objects.filter(term__in=kept)
    if exclude is not None:
        rows = rows.filter(~Q(suggestion_id=exclude))
    rows = (
        rows.values("suggestion_id")
        .annotate(score=Sum(weight * norm, output_field=FloatField()))
        .order_by("-score", "suggestion_id")[:limit]
    )
    return [Hit(r["suggestion_id"], r["score"], min(r["score"] / ceiling, 1.0)) for r in rows]


def _selective(df) -> list[str]:
    """The query's words to score, rarest first: at most ``MAX_QUERY_TERMS``, and once ``MIN_QUERY_TERMS`` are
    in, no more than ``POSTINGS_BUDGET`` postings in all (the commonest words, which weigh least, are left out
    of a query over a large index; over a few thousand suggestions nothing is)."""
    kept, postings = [], 0
    for t in sorted(df, key=lambda t: (df[t], t)):
        if len(kept) >= MAX_QUERY_TERMS or (
            len(kept) >= MIN_QUERY_TERMS and postings + df[t] > POSTINGS_BUDGET
        ):
            break
        kept.append(t)
        postings += df[t]
    return kept


def suggestion_text(suggestion) -> str:
    return f"{suggestion.title}\n{suggestion.title}\n{suggestion.content}"
