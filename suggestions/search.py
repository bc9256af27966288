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


# --- groups of suggestions about one matter (the office's page 相关建议) -------------------------------------------

# Each suggestion asks the index with its own most telling words: at most ``CLUSTER_TERMS`` of them, the highest
# idf·tf first, and none found in more than ``CLUSTER_MAX_DF`` of all suggestions (a word that common says
# little about one matter and would make the postings read grow with the index),
CLUSTER_TERMS = 20
CLUSTER_MAX_DF = 0.005
CLUSTER_MIN_DF_CAP = 50  # ... over a small index no word is left out for being common
# ... and of those, rarest first, no more than ``CLUSTER_QUERY_POSTINGS`` postings summed for one suggestion (at
# least its rarest word), so a session of thousands over a large index stays in seconds; the words left out
# still count in the suggestion's weight (its shares are not inflated by them).
CLUSTER_QUERY_POSTINGS = 1000
# Two suggestions are linked when each is among the other's ``CLUSTER_NEIGHBOURS`` closest and each matches at
# least ``CLUSTER_SHARE`` of the other's words' weight (mutual: a suggestion on two matters does not chain them).
CLUSTER_NEIGHBOURS = 2
CLUSTER_SHARE = 0.3


def neighbours(queries, *, terms_per_query=None, threshold=None, top=None, counted=None):
    """{query id: [(other id, share), ...]}: for each suggestion of ``queries`` (a queryset of suggestions, or
    ids), the indexed suggestions (any session) whose BM25 score against the query's own most telling words
    reaches ``threshold`` of their weight, best first, at most ``top``.

    Three statements whatever the number of queries: the queries' postings, the document frequency of their
    words (from the covering index; a word already too common among the queries is not counted), the postings
    of the words kept; the scores are summed in Python (the work grows with the queries times the postings of
    their rare words, at most ``CLUSTER_QUERY_POSTINGS`` each, not with all pairs). ``counted``: a dict kept
    between calls, the index's size and the document frequencies already counted (not counted again)."""
    terms_per_query = terms_per_query or CLUSTER_TERMS
    threshold = CLUSTER_SHARE if threshold is None else threshold
    top = top or CLUSTER_NEIGHBOURS
    counted = {} if counted is None else counted
    if "n" not in counted:
        stats = SearchDocument.objects.aggregate(n=Count("pk"), avg=Avg("length"))
        counted.update(n=stats["n"], avg=float(stats["avg"] or 0) or 1.0, df={}, postings={})
    n, avg, known, postings = counted["n"], counted["avg"], counted["df"], counted["postings"]
    if not n:
        return {}
    own = {}
    for sid, term, tf in SearchTerm.objects.filter(suggestion_id__in=_ids(queries)).values_list(
        "suggestion_id", "term", "tf"
    ):
        own.setdefault(sid, {})[term] = tf
    if not own:
        return {}
    cap = max(CLUSTER_MIN_DF_CAP, int(n * CLUSTER_MAX_DF))
    # a word in more than ``cap`` of the queries themselves is in more than ``cap`` of all: not counted at all
    local = Counter(t for doc in own.values() for t in doc)
    words = {t for t, f in local.items() if f <= cap}
    missing = words - known.keys()
    if missing:
        known.update(dict.fromkeys(missing))  # None: over the cap (or only counted below)
        known.update(
            SearchTerm.objects.filter(term__in=missing)
            .values_list("term")
            .annotate(df=Count("*"))
            .filter(df__lte=cap)
            .order_by()
        )
    df = {t: known[t] for t in words if known[t] is not None}
    idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    chosen, ceilings = {}, {}
    for sid, doc in own.items():
        kept = sorted((t for t in doc if t in idf), key=lambda t: (-idf[t] * min(doc[t], 2), t))
        kept = kept[:terms_per_query]
        ceilings[sid] = sum(idf[t] for t in kept)
        summed, budget = [], 0
        for t in sorted(kept, key=lambda t: (df[t], t)):
            if summed and budget + df[t] > CLUSTER_QUERY_POSTINGS:
                break
            summed.append(t)
            budget += df[t]
        chosen[sid] = summed
    wanted = {t for kept in chosen.values() for t in kept} - postings.keys()
    for t in wanted:
        postings[t] = []
    for term, sid, tf, length in SearchTerm.objects.filter(term__in=wanted).values_list(
        "term", "suggestion_id", "tf", "length"
    ):
        norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))
        postings[term].append((sid, idf[term] * norm))
    found = {}
    for sid, kept in chosen.items():
        ceiling = ceilings[sid]
        if not ceiling:
            continue
        scores = Counter()
        for t in kept:
            for other, weight in postings.get(t, ()):
                scores[other] += weight
        scores.pop(sid, None)
        close = [(o, min(s / ceiling, 1.0)) for o, s in scores.items() if s >= threshold * ceiling]
        close.sort(key=lambda pair: (-pair[1], pair[0]))
        if close:
            found[sid] = close[:top]
    return found


def _ids(queries):
    if hasattr(queries, "values"):
        return queries.values("pk")
    return list(queries)


def clusters(queries, allowed):
    """Groups of suggestions about one matter: each suggestion of ``queries`` linked with those of its
    ``neighbours`` that count it among theirs (union-find), only those of ``allowed`` (a queryset: what the
    reader may see) kept; each group has one of ``queries``. A list of lists of ids, largest group first; a
    suggestion alike to none is in no group. The neighbours found outside ``queries`` are asked too (a
    second ``neighbours`` call for them), so the links are mutual across sessions as well."""
    counted = {}
    edges = neighbours(queries, counted=counted)
    asked = set(edges)
    others = {o for close in edges.values() for o, _ in close} - asked
    if others:
        edges.update(neighbours(sorted(others), counted=counted))
    close = {sid: {o for o, _ in pairs} for sid, pairs in edges.items()}
    links = [(a, b) for a, near in close.items() for b in near if a < b and a in close.get(b, ())]
    if not links:
        return []
    kept = set(allowed.filter(pk__in={i for pair in links for i in pair}).values_list("pk", flat=True))
    parent = {i: i for i in kept}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        if a in kept and b in kept:
            parent[root(b)] = root(a)
    groups = {}
    for i in sorted(kept):
        groups.setdefault(root(i), []).append(i)
    found = [g for g in groups.values() if len(g) > 1 and asked.intersection(g)]
    return sorted(found, key=lambda g: (-len(g), g[0]))
