"""The labelled set of similar suggestions (tests/data/similar_queries.json), and its two measures.

``measure(rank)`` gives recall@5 (of the suggestions really about the query's matter, the part found in the first
five) and precision@1 (the queries whose first answer is about the same matter), averaged over the queries.
``rank(text)`` returns corpus ids, best first. ``bigram_tfidf`` is the plain baseline the BM25 search is
measured against: character bigrams of title and content, TF-IDF weights, cosine similarity.

    .venv/bin/pytest -q -s tests/test_similar_suggestions.py -k figures   # prints both
"""

import json
import math
import re
from collections import Counter
from pathlib import Path

from suggestions import search, workflow

DATA = Path(__file__).parent / "data" / "similar_queries.json"


def labelled():
    return json.loads(DATA.read_text(encoding="utf-8"))


def register_corpus(*, office, session, category, deputy, at=None):
    """Every suggestion of the corpus registered through the workflow (so indexed as registration indexes);
    ``{suggestion pk: corpus id}``."""
    corpus = labelled()["corpus"]
    entries = [
        dict(
            session=session,
            number=row["id"],
            title=row["title"],
            content=row["content"],
            lead_deputy=deputy,
            category=category,
        )
        for row in corpus
    ]
    saved = workflow.register_many(user=office, entries=entries, at=at)
    return {s.pk: s.number for s in saved}


def measure(rank):
    queries = labelled()["queries"]
    recall = precision = 0.0
    for q in queries:
        found = rank(q["text"])[:5]
        relevant = set(q["relevant"])
        recall += len(relevant & set(found)) / len(relevant)
        precision += bool(found) and found[0] in relevant
    return recall / len(queries), precision / len(queries)


def bm25_rank(corpus_ids):
    return lambda text: [corpus_ids[h.suggestion_id] for h in search.search(text, limit=5)]


_NOT_TEXT = re.compile(r"[\W_]+")


def _bigrams(text):
    text = _NOT_TEXT.sub("", text)
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def bigram_tfidf():
    corpus = labelled()["corpus"]
    docs = {row["id"]: _bigrams(row["title"] + row["content"]) for row in corpus}
    df = Counter(b for counts in docs.values() for b in counts)
    n = len(docs)

    def vector(counts):
        v = {b: tf * math.log(n / df[b]) for b, tf in counts.items() if b in df}
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        return {b: w / norm for b, w in v.items()}

    vectors = {i: vector(c) for i, c in docs.items()}

    def rank(text):
        q = vector(_bigrams(text))
        scores = {i: sum(w * v.get(b, 0.0) for b, w in q.items()) for i, v in vectors.items()}
        return sorted(scores, key=lambda i: (-scores[i], i))[:5]

    return rank


def cluster_pairs(corpus_ids):
    """(precision, recall, largest group) of ``search.clusters`` over the whole corpus, counted in pairs: of the
    pairs put in one group, the part really about one matter; of the pairs about one matter, the part grouped."""
    from itertools import combinations

    from suggestions.models import Suggestion

    truth = {pair for q in labelled()["queries"] for pair in combinations(sorted(q["relevant"]), 2)}
    groups = [
        sorted(corpus_ids[pk] for pk in g)
        for g in search.clusters(Suggestion.objects.all(), Suggestion.objects.all())
    ]
    pairs = {pair for g in groups for pair in combinations(g, 2)}
    found = len(pairs & truth)
    return found / max(len(pairs), 1), found / len(truth), max(map(len, groups), default=0)
