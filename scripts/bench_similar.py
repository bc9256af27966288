"""One similar-suggestion query over 100,000 indexed suggestions (see docs/benchmarks.md).

    createdb -h 127.0.0.1 -U postgres suggestions_bench_similar
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/suggestions_bench_similar .venv/bin/python scripts/bench_similar.py

Use a throwaway database: it is migrated and filled. N suggestions are bulk-inserted, each made of two random
suggestions of the labelled set (tests/data/similar_queries.json) and a made-up place name (one of 5,000), so
the words are real and their postings long: a word of the set is in about 1 suggestion of 90. Their postings
are written as ``search.index`` writes them (COPY, for speed), then every query of the labelled set is timed
with ``search.search`` (median and 90th percentile, after one warm-up run), and ``search.index`` itself is
timed on 1,000 of them (what registration adds). Last, the groups of the office's page 相关建议
(``search.clusters``) are timed with the first 500, 2,000 and 10,000 suggestions as the session asking (what a
session of that size costs over the 100,000).
"""

import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from suggestions import search  # noqa: E402
from suggestions.models import Category, CongressSession, Delegation, Deputy, Suggestion  # noqa: E402

N = int(os.environ.get("BENCH_N", 100_000))
DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "similar_queries.json"
PLACES = "东西南北中上下前后新老大小"


def place(i):
    return f"{PLACES[i % 13]}{PLACES[(i // 13) % 13]}{'庄村屯沟堡'[(i // 169) % 5]}{i % 7 + 1}组"


def main():
    assert connection.vendor == "postgresql", "run it on PostgreSQL (DATABASE_URL)"
    data = json.loads(DATA.read_text(encoding="utf-8"))
    if os.environ.get("BENCH_REUSE"):  # filled by an earlier run: time the queries again
        time_queries(data, list(Suggestion.objects.order_by("pk")[:1000]))
        return time_clusters()
    call_command("migrate", verbosity=0)
    corpus = data["corpus"]
    rng = random.Random(11)
    session = CongressSession.objects.create(name="基准会议", year=2030, term=9, meeting=1)
    delegation = Delegation.objects.create(name="基准代表团")
    deputy = Deputy.objects.create(name="基准代表", delegation=delegation)
    category = Category.objects.create(name="基准类别", order=1)
    words = {row["id"]: (search.terms(row["title"]), search.terms(row["content"])) for row in corpus}
    started = time.monotonic()
    now = timezone.now()
    rows, docs = [], []
    for n in range(1, N + 1):
        a, b = rng.sample(corpus, 2)
        where = place(rng.randrange(5000))
        rows.append(
            Suggestion(
                session=session,
                number=n,
                title=a["title"],
                content=f"{where}{a['content']}{b['content']}",
                lead_deputy=deputy,
                delegation=delegation,
                category=category,
                created_at=now,
            )
        )
        docs.append((a["id"], b["id"], where))
    Suggestion.objects.bulk_create(rows, batch_size=5000)
    documents = []
    for s, (a, b, where) in zip(rows, docs, strict=True):
        counts = Counter()
        for _ in range(search.TITLE_WEIGHT):
            counts.update(words[a][0])
        counts.update(search.terms(where))
        counts.update(words[a][1])
        counts.update(words[b][1])
        documents.append((s.pk, counts, sum(counts.values())))
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy("COPY suggestions_searchdocument (suggestion_id, length) FROM STDIN") as copy:
            for pk, _, length in documents:
                copy.write_row((pk, length))
        with raw.cursor().copy(
            "COPY suggestions_searchterm (suggestion_id, term, tf, length) FROM STDIN"
        ) as copy:
            for pk, counts, length in documents:
                for term, tf in counts.items():
                    copy.write_row((pk, term, tf, length))
        cursor.execute("VACUUM ANALYZE suggestions_searchterm")  # as autovacuum would: index-only scans
        cursor.execute("VACUUM ANALYZE suggestions_searchdocument")
        cursor.execute("SELECT count(*) FROM suggestions_searchterm")
        postings = cursor.fetchone()[0]
    print(f"{N} suggestions, {postings} postings written in {time.monotonic() - started:.0f} s")
    time_queries(data, rows[:1000])
    time_clusters()


def time_clusters():
    everything = Suggestion.objects.all()
    first = list(everything.order_by("pk").values_list("pk", flat=True)[:10_000])
    for size in (500, 2000, 10_000):
        asking = Suggestion.objects.filter(pk__in=first[:size])
        search.clusters(asking, everything)  # warm-up
        times, groups = [], []
        for _ in range(3):
            t = time.perf_counter()
            groups = search.clusters(asking, everything)
            times.append((time.perf_counter() - t) * 1000)
        grouped = sum(map(len, groups))
        print(
            f"clusters of {size} asking: median {statistics.median(times):.0f} ms, "
            f"{len(groups)} groups, {grouped} suggestions in them, largest {max(map(len, groups), default=0)}"
        )


def time_queries(data, rows):

    queries = [q["text"] for q in data["queries"]]
    for text in queries:  # warm-up
        search.search(text, limit=10)
    times = []
    for text in queries:
        t = time.perf_counter()
        search.search(text, limit=10)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p90 = times[int(len(times) * 0.9)]
    print(
        f"{len(times)} queries: median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, max {times[-1]:.1f} ms"
    )
    long_text = search.suggestion_text(rows[0])
    t = time.perf_counter()
    search.search(long_text, exclude=rows[0].pk, limit=10)
    print(f"a whole suggestion as the query: {(time.perf_counter() - t) * 1000:.1f} ms")
    t = time.perf_counter()
    search.index(rows[:1000])
    print(f"search.index of 1,000 suggestions: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
