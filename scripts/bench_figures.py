"""The pages that show figures against the plain Django admin changelist, in one run (docs/benchmarks.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h5 .venv/bin/python scripts/bench_figures.py

Times the dashboard (the current session, and all sessions), the office's, leader's and congress staff's homes,
and, as the baseline, a ``ModelAdmin`` of ``Suggestion`` with its defaults on an admin site of its own (the
page every Django user knows), each the median and p90 of ``RUNS`` (20) requests after two warm-ups, with the
queries of one request. Reads the database as it is (fill it first: ``scripts/bench_pages.py`` or
``manage.py seed_bench``); writes nothing but a bench superuser.
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

from django.contrib import admin  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402

from accounts.models import User  # noqa: E402
from suggestions.models import Suggestion  # noqa: E402

RUNS = int(os.environ.get("RUNS", 20))

bench_site = admin.AdminSite(name="bench_admin")
bench_site.register(Suggestion)
urlpatterns = [path("bench-admin/", bench_site.urls), path("", include("config.urls"))]


def timed(client, url):
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    runs = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        client.get(url)
        runs.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    runs.sort()
    return statistics.median(runs), runs[int(len(runs) * 0.9) - 1], len(queries)


def main():
    total = Suggestion.objects.count()
    boss, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_staff": True, "is_superuser": True}
    )
    cases = [
        (boss, "admin changelist (baseline)", "/bench-admin/suggestions/suggestion/"),
        ("office", "dashboard, current session", "/dashboard/"),
        ("office", "dashboard, all sessions", "/dashboard/?session=all"),
        ("office", "office home", "/"),
        ("leader", "leader home", "/"),
        ("leader", "leader dashboard", "/dashboard/"),
        ("congress", "congress home", "/"),
    ]
    print(f"{total} suggestions ({connection.vendor}), {RUNS} runs each")
    print(f"{'user':8} {'page':30} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'ratio':>6}")
    base = None
    with override_settings(ROOT_URLCONF=sys.modules[__name__]):
        for who, name, url in cases:
            user = who if isinstance(who, User) else User.objects.get(username=who)
            client = Client()
            client.force_login(user)
            median, p90, count = timed(client, url)
            base = base or median
            print(f"{user.username:8} {name:30} {median:10.1f} {p90:8.1f} {count:8} {median / base:6.2f}")


if __name__ == "__main__":
    main()
