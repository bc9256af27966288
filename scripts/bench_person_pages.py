"""Each person's pages against the plain admin changelist, in one run (docs/benchmarks.md, issue 12).

    createdb -h 127.0.0.1 -U postgres -T bench_seed_100k bench_mine
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_mine DEBUG=1 .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_mine LONG_TIMELINE=200 .venv/bin/python scripts/bench_person_pages.py

Times each role's home and list, the suggestion page of deputy1's 第1号 of the current session for three
readers, and three notification lists (Django test client, median of RUNS=11 after a warm-up, queries per
page), and the plain admin changelist of suggestions (``AdminSite`` + ``register(Suggestion)``, measuring
only). ``LONG_TIMELINE=200`` first adds 200 events to that suggestion once (a throwaway database only).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.admin import AdminSite  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402

from accounts.models import User  # noqa: E402
from suggestions.models import Event, Suggestion  # noqa: E402

RUNS = int(os.environ.get("RUNS", 11))


class BenchUrls:
    """The app's URLs plus a plain admin site of the suggestion model, for this script only."""

    site = AdminSite(name="bench_admin")
    site.register(Suggestion)
    urlpatterns = [path("bench-admin/", site.urls), path("", include("config.urls"))]


def timed(client, url):
    client.get(url)
    runs = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        response = client.get(url)
        runs.append((time.perf_counter() - t0) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(runs), len(queries)


def main():
    settings.ROOT_URLCONF = BenchUrls
    clear_url_caches()
    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_staff": True, "is_superuser": True}
    )
    deputy1 = User.objects.get(username="deputy1")
    long_one = Suggestion.objects.get(lead_deputy_id=deputy1.deputy_id, session__is_current=True, number=1)
    extra = int(os.environ.get("LONG_TIMELINE", 0))
    if extra and not long_one.events.filter(action="bench_note").exists():
        audiences = list(Event.Audience.values)
        part = long_one.assignments.first()
        Event.objects.bulk_create(
            Event(suggestion=long_one, assignment=part if i % 2 else None, action="bench_note", label="沟通",
                  actor_name="测试", audience=audiences[i % len(audiences)], note=f"第{i}次沟通记录")
            for i in range(extra)
        )  # fmt: skip
    pages = [("admin", "/bench-admin/suggestions/suggestion/")]
    for name in ["office", "unit1", "unit1_head", "deputy1", "leader", "congress"]:
        pages += [(name, "/"), (name, "/suggestions/")]
    pages += [(name, f"/suggestions/{long_one.pk}/") for name in ["office", "unit1", "deputy1"]]
    pages += [(name, "/notifications/") for name in ["office", "unit1", "deputy1"]]
    print(
        f"{Suggestion.objects.count()} suggestions ({connection.vendor}), {long_one.events.count()} events on one"
    )
    clients = {}
    for name, url in pages:
        if name not in clients:
            clients[name] = Client()
            clients[name].force_login(admin if name == "admin" else User.objects.get(username=name))
        ms, count = timed(clients[name], url)
        print(f"{name:11} {url:40} {ms:8.1f} ms {count:4} queries", flush=True)


if __name__ == "__main__":
    main()
