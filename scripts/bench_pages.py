"""Server-side time of the main pages with 100,000 suggestions (see docs/benchmarks.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/suggestions_bench .venv/bin/python scripts/bench_pages.py

Creates the demo data plus N bulk suggestions in the current session in the database named by DATABASE_URL
(use a throwaway one: it is migrated and filled), then times each page with Django's test client (median of
7 runs after one warm-up) and counts its queries.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from suggestions.models import Assignment, Category, CongressSession, Deputy, HandlingUnit, Suggestion  # noqa: E402

N = int(os.environ.get("ROWS", 100_000))
S = Suggestion.State


def fill():
    call_command("migrate", verbosity=0)
    if not CongressSession.objects.exists():
        call_command("seed_demo", verbosity=0)
    session = CongressSession.objects.get(is_current=True)
    have = Suggestion.objects.filter(session=session).count()
    if have >= N:
        return session
    rng = random.Random(7)
    categories, deputies = list(Category.objects.all()), list(Deputy.objects.select_related("delegation"))
    units = list(HandlingUnit.objects.all())
    today = timezone.localdate()
    states = [S.REGISTERED, S.ASSIGNED, S.IN_HANDLING, S.IN_HANDLING, S.REPLIED, S.CLOSED, S.CLOSED, S.CLOSED]
    start = Suggestion.objects.order_by("-number").values_list("number", flat=True).first() + 1
    batch = []
    for number in range(start, start + N - have):
        deputy, unit, state = rng.choice(deputies), rng.choice(units), rng.choice(states)
        assigned = today - timedelta(days=rng.randint(0, 200))
        batch.append(
            Suggestion(
                session=session, number=number, title=f"关于第{number}项民生工作的建议{rng.choice(['道路', '供热', '教育', '医疗', '养老'])}",
                content="建议内容" * 50, lead_deputy=deputy, delegation=deputy.delegation,
                category=rng.choice(categories), leader=unit.leader, state=state,
                lead_unit=None if state == S.REGISTERED else unit,
                assigned_on=None if state == S.REGISTERED else assigned,
                deadline=None if state == S.REGISTERED else assigned + timedelta(days=91),
                rating=3 if state == S.CLOSED else None, result_class="A" if state in (S.REPLIED, S.CLOSED) else "",
            )
        )  # fmt: skip
    Suggestion.objects.bulk_create(batch, batch_size=5000)
    parts = [
        Assignment(suggestion=s, unit=s.lead_unit, role="lead", assigned_on=s.assigned_on, deadline=s.deadline,
                   original_deadline=s.deadline, state="signed" if s.state == S.IN_HANDLING else "pending")
        for s in Suggestion.objects.filter(session=session, lead_unit__isnull=False, assignments__isnull=True)
    ]  # fmt: skip
    Assignment.objects.bulk_create(parts, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else cursor.execute("ANALYZE")
    return session


def timed(client, url):
    client.get(url)
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        response = client.get(url)
        runs.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return statistics.median(runs), len(queries)


def main():
    session = fill()
    total = Suggestion.objects.count()
    detail = Suggestion.objects.filter(session=session, state=S.IN_HANDLING).order_by("-pk").first()
    own = Suggestion.objects.filter(lead_unit__isnull=False).order_by("-pk").first()
    pages = {
        "office": ["/", "/suggestions/", "/suggestions/?q=供热", "/suggestions/?q=第12345号",
                   "/suggestions/?state=in_handling&ordering=-deadline", "/suggestions/?overdue=true",
                   "/suggestions/?page=500", "/dashboard/", f"/suggestions/{detail.pk}/"],
        "unit1": ["/", "/suggestions/"],
        "leader": ["/", "/suggestions/", "/dashboard/"],
        "deputy1": ["/", "/suggestions/"],
    }  # fmt: skip
    print(f"{total} suggestions in the database ({connection.vendor})")
    print(f"{'user':8} {'page':55} {'median ms':>10} {'queries':>8}")
    for username, urls in pages.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in urls:
            ms, count = timed(client, url)
            print(f"{username:8} {url:55} {ms:10.1f} {count:8}")
    del own


if __name__ == "__main__":
    main()
