"""The benchmark harness (issue 12; docs/benchmarks.md, "Benchmark harness"): ``make bench``.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/suggestions_bench .venv/bin/python scripts/bench.py

Databases (throwaway: their names must contain "bench"): ``BENCH_DATABASE_URL`` filled by ``seed_bench`` with
``BENCH_SUGGESTIONS`` (default 100,000) suggestions unless it already holds that many (a database holding another
number is dropped and filled again; ``BENCH_TEMPLATE=bench_seed_100k`` clones that database instead of seeding),
and the same name with ``_demo`` (``seed_demo`` only) for the pages that must cost what a person sees.

Each page case is timed in this process with Django's test client (server-side time): a warm-up request, then
``BENCH_REPEAT`` (default 20) requests, each followed by one of its baseline (the plain admin changelist of
``config.bench_urls``, page 1 of the list for a deep page, the same page on the demo database), so that the
machine's drift hits both; the median and 90th percentile in ms, the SQL queries of one request, the ratio of the
medians and the issue's goal. ``BENCH_MAX_SECONDS`` stops a very slow case early (at least 3 requests; the JSON
says how many were timed). The export runs in a subprocess (its time and peak memory, ``ru_maxrss``) against
openpyxl's write-only mode writing the same row values in another; the import times preview and commit of a
5,000-row workbook into a new session, rolled back afterwards.

Writes ``BENCH_OUTPUT`` (default var/bench.json) in the issue's format and prints a Markdown table.
``BENCH_CASES=list_office_unfiltered,home_deputy`` runs a subset (``python scripts/bench.py --list`` names them);
``BENCH_PROFILE=home_office,...`` writes a pyinstrument profile of one more request of those page cases to
``var/bench-profiles/<case>.txt``.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/suggestions_bench"
ADMIN = "/bench-admin/suggestions/suggestion/"
ADMIN_USER = "bench_admin"

# The goals: ratio of medians to the baseline.
PAGE_GOAL = 0.5  # list, detail and home pages against the admin changelist
SEARCH_GOAL = 1.0
DASHBOARD_ALL_GOAL = 1.0
DEEP_GOAL = 1.5  # against page 1
DEMO_GOAL = 1.5  # against the same page on the demo database
EXPORT_GOAL = 0.5  # against openpyxl write-only
EXPORT_MEMORY_MB = 150
IMPORT_ROWS = 5000


@dataclass
class Case:
    name: str
    what: str  # the Chinese-free description printed with --list and in docs
    user: str | None = None  # username; None: anonymous
    url: str = ""  # may hold {current}, {category}, {unit}, {long}
    baseline: str | None = "admin_changelist"  # or "page_1", "demo_size", None
    goal: float | None = PAGE_GOAL
    base_url: str = ""  # for page_1
    kind: str = "page"  # page, similar, export, import
    fresh: bool = (
        False  # clear Django's cache before each request (a page cached for a minute: its real cost)
    )
    # write a suggestion of the current session before each request (untimed): its kept figures' tallies are
    # stale, so the page counts that session again (the cost of the figures right after someone's change)
    changed: bool = False


CASES = [
    Case("list_office_unfiltered", "office list, every session", "office", "/suggestions/?session=all"),
    Case("list_office_filtered", "office list, category + state + current session", "office",
         "/suggestions/?session={current}&category={category}&state=in_handling"),
    Case("list_unit", "office list of one unit's suggestions, every session", "office",
         "/suggestions/?session=all&lead_unit={unit}"),
    Case("search_two_chars", "office list, search 供热, every session", "office", "/suggestions/?session=all&q=供热",
         goal=SEARCH_GOAL),
    Case("search_long", "office list, search 老旧小区供热管网改造, every session", "office",
         "/suggestions/?session=all&q=老旧小区供热管网改造", goal=SEARCH_GOAL),
    Case("list_page_200", "office list page 200, every session", "office", "/suggestions/?session=all&page=200",
         baseline="page_1", goal=DEEP_GOAL, base_url="/suggestions/?session=all"),
    Case("list_page_2000", "office list page 2,000, every session", "office",
         "/suggestions/?session=all&page=2000", baseline="page_1", goal=DEEP_GOAL, base_url="/suggestions/?session=all"),
    Case("detail_long_timeline", "the suggestion page with the longest timeline (about 200 events)", "office",
         "/suggestions/{long}/"),
    Case("home_office", "the office's home", "office", "/"),
    Case("home_unit", "a unit clerk's home (unit1)", "unit1", "/"),
    Case("home_unit_head", "a unit head's home (unit1_head)", "unit1_head", "/"),
    Case("home_deputy", "a deputy's home (deputy1)", "deputy1", "/"),
    Case("home_leader", "a vice-mayor's home", "leader", "/"),
    Case("home_congress", "congress staff's home", "congress", "/"),
    Case("list_as_unit", "unit1's own list", "unit1", "/suggestions/"),
    Case("list_as_deputy", "deputy1's own list", "deputy1", "/suggestions/"),
    Case("home_unit_vs_demo", "unit1's home at N against the demo's size", "unit1", "/", "demo_size", DEMO_GOAL),
    Case("home_unit_head_vs_demo", "unit1_head's home at N against the demo's size", "unit1_head", "/", "demo_size",
         DEMO_GOAL),
    Case("home_deputy_vs_demo", "deputy1's home at N against the demo's size", "deputy1", "/", "demo_size",
         DEMO_GOAL),
    Case("list_as_unit_vs_demo", "unit1's list at N against the demo's size", "unit1", "/suggestions/", "demo_size",
         DEMO_GOAL),
    Case("list_as_deputy_vs_demo", "deputy1's list at N against the demo's size", "deputy1", "/suggestions/",
         "demo_size", DEMO_GOAL),
    Case("dashboard_session", "the dashboard, current session", "office", "/dashboard/?session={current}",
         baseline=None, goal=None),
    Case("dashboard_all", "the dashboard, every session", "office", "/dashboard/?session=all",
         goal=DASHBOARD_ALL_GOAL),
    Case("dashboard_all_after_change", "the dashboard, every session, each request right after a write in the "
         "current session (its tallies counted again)", "office", "/dashboard/?session=all", goal=DASHBOARD_ALL_GOAL,
         changed=True),
    Case("public_portal", "the public portal of replies (anonymous), its one-minute cache cleared before each request",
         None, "/public/", baseline=None, goal=None, fresh=True),
    Case("similar_query", "search.search() for a suggestion's text over the index", kind="similar", baseline=None,
         goal=None),
    Case("export_100k", "the 汇总表 of every suggestion (subprocess) against openpyxl write-only, same rows",
         kind="export", baseline="openpyxl_write_only", goal=EXPORT_GOAL),
    Case("import_5000", "preview + commit of a 5,000-row workbook into a new session (rolled back)",
         kind="import", baseline=None, goal=None),
]  # fmt: skip
BY_NAME = {c.name: c for c in CASES}


def env_int(name, default):
    return int(os.environ.get(name) or default)


# --- databases ------------------------------------------------------------------------------------------------


def demo_url(url):
    if urlparse(url).scheme.startswith("sqlite"):
        path = Path(database_name(url))
        return "sqlite:///" + str(path.with_name(path.stem + "_demo" + path.suffix))
    return url.rstrip("/") + "_demo"


def database_name(url):
    import dj_database_url

    return str(dj_database_url.parse(url)["NAME"])


def manage(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(f"manage.py {' '.join(args)}：\n{out.stdout[-2000:]}{out.stderr[-3000:]}")
    return out


def _server(url):
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password, dbname="postgres", autocommit=True,
    )  # fmt: skip


def vacuum(url):
    """VACUUM ANALYZE, as autovacuum does on a live database in its own time: a bench database just seeded or
    migrated (a migration that rewrites every row) has no visibility map yet, and an index-only scan (the list's
    deep pages) would read the table's pages as well."""
    if urlparse(url).scheme.startswith("sqlite"):
        return
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password, dbname=database_name(url), autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute("VACUUM (ANALYZE)")


def exists(url):
    if urlparse(url).scheme.startswith("sqlite"):
        return Path(database_name(url)).exists()
    with _server(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]).fetchone()


def create(url, template=None):
    name = database_name(url)
    if "bench" not in name:
        raise SystemExit(f"数据库名「{name}」不含 bench：基准只使用一次性数据库。")
    if urlparse(url).scheme.startswith("sqlite"):
        Path(name).unlink(missing_ok=True)
        return
    from psycopg import sql

    with _server(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        for attempt in range(10):  # a template somebody is connected to cannot be cloned: wait
            try:
                conn.execute(query)
                break
            except Exception:
                if not template or attempt == 9:
                    raise
                time.sleep(6)


def bulk_count(url):
    """Suggestions beyond the demo's in the database at ``url`` (None: not a bench database yet)."""
    code = "from suggestions.management.commands.seed_bench import bulk_count; print('bulk', bulk_count())"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], env=env, cwd=ROOT, capture_output=True,
        text=True,
    )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith("bulk ")]
    return int(lines[-1].split()[1]) if out.returncode == 0 and lines else None


def prepare(url, n):
    """``url`` holds the demo and ``n`` bench suggestions (and is migrated); filled when it does not."""
    template = os.environ.get("BENCH_TEMPLATE")
    have = bulk_count(url) if exists(url) else None
    if have != n:
        if have is not None:
            print(f"{database_name(url)}：现有{have}件基准建议，不是{n}件：重建。")
        create(url, template=template)
        manage(url, "migrate", "--no-input", "-v0")
        if not template:
            started = time.monotonic()
            manage(url, "seed_bench", "--suggestions", str(n), "-v0")
            print(f"seed_bench {n}：{time.monotonic() - started:.0f} s")
    else:
        manage(url, "migrate", "--no-input", "-v0")


def prepare_demo(url):
    if not exists(url) or bulk_count(url) is None:
        create(url)
        manage(url, "migrate", "--no-input", "-v0")
        manage(url, "seed_demo", "-v0")
    else:
        manage(url, "migrate", "--no-input", "-v0")


# --- measuring (in the Django process) -------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    samples: list = field(default_factory=list)
    base_samples: list = field(default_factory=list)
    queries: int | None = None
    extra: dict = field(default_factory=dict)


def pct(values, q):
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def entry(case, result):
    """The JSON row of one case, in the issue's format (plus p90_ms, requests and what a case adds)."""
    row = {"name": case.name}
    row["median_ms"] = round(statistics.median(result.samples), 1)
    row["p90_ms"] = round(pct(result.samples, 0.9), 1)
    row["queries"] = result.queries
    row["requests"] = len(result.samples)
    row.update(result.extra)
    if case.goal is not None and case.baseline and result.base_samples:
        base = statistics.median(result.base_samples)
        row["baseline"] = case.baseline
        row["baseline_median_ms"] = round(base, 1)
        # from the two figures as written, so that the JSON agrees with itself whatever the rounding
        row["ratio"] = (
            round(row["median_ms"] / row["baseline_median_ms"], 2) if row["baseline_median_ms"] else None
        )
        row["goal"] = case.goal
    return row


def report(results_rows, n, vendor):
    return {"suggestions": n, "database": vendor, "cases": results_rows}


def markdown(data):
    lines = [
        f"{data['suggestions']} suggestions, {data['database']}",
        "",
        "| case | median ms | p90 ms | queries | baseline | baseline ms | ratio | goal | met |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for c in data["cases"]:
        met = (
            ""
            if "goal" not in c or c.get("ratio") is None
            else ("yes" if c["ratio"] <= c["goal"] else "**no**")
        )
        if "peak_mb" in c:
            met += f" (peak {c['peak_mb']} MB)"
        lines.append(
            f"| {c['name']} | {c['median_ms']} | {c['p90_ms']} | {c['queries'] if c['queries'] is not None else ''} "
            f"| {c.get('baseline', '')} | {c.get('baseline_median_ms', '')} | {c.get('ratio', '')} "
            f"| {c.get('goal', '')} | {met} |"
        )
    return "\n".join(lines)


class Bench:
    """The page cases in this process: ``connections['default']`` is the N database; ``on_demo()`` points it at
    the demo database for one request (and back), so both are measured in turn."""

    def __init__(self, repeat, demo_name=None, max_seconds=None, out=print):
        from django.db import connection

        self.connection = connection
        self.repeat = repeat
        self.max_seconds = max_seconds
        self.main_name = connection.settings_dict["NAME"]
        self.demo_name = demo_name
        self.clients = {}
        # BENCH_PROFILE=detail_long_timeline,home_office: those page cases also write a pyinstrument profile
        self.profiles = {n.strip() for n in os.environ.get("BENCH_PROFILE", "").split(",") if n.strip()}
        self.out = out

    def use(self, name):
        if self.connection.settings_dict["NAME"] != name:
            self.connection.close()
            self.connection.settings_dict["NAME"] = name
            self.connection.ensure_connection()

    def client(self, username, db=None):
        from django.test import Client

        from accounts.models import User

        db = db or self.main_name
        key = (username, db)
        if key not in self.clients:
            self.use(db)
            client = Client()
            if username == ADMIN_USER:
                user = User.objects.filter(username=ADMIN_USER).first() or User.objects.create_superuser(
                    ADMIN_USER, password=None, name="基准管理员"
                )
                client.force_login(user)
            elif username:
                client.force_login(User.objects.get(username=username))
            self.clients[key] = client
        return self.clients[key]

    def context(self):
        from django.db.models import Count

        from suggestions.models import Category, CongressSession, Event, HandlingUnit, Suggestion

        self.use(self.main_name)
        current = CongressSession.objects.filter(is_current=True).first()
        category = Category.objects.order_by("order", "pk").first()
        unit = (
            Suggestion.objects.values("lead_unit")
            .exclude(lead_unit=None)
            .annotate(n=Count("pk"))
            .order_by("-n")
        ).first()
        long = Event.objects.values("suggestion").annotate(n=Count("pk")).order_by("-n").first()
        return {
            "current": current.pk if current else "",
            "category": category.pk if category else "",
            "unit": unit["lead_unit"] if unit else HandlingUnit.objects.first().pk,
            "long": long["suggestion"] if long else Suggestion.objects.first().pk,
        }

    def timed(self, client, url, db, fresh=False, changed=None):
        self.use(db)
        if fresh:
            from django.core.cache import cache

            cache.clear()
        if changed:  # a no-op write the triggers still count (``suggestions.tallies``)
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE suggestions_suggestion SET updated_at = updated_at WHERE id = "
                    "(SELECT id FROM suggestions_suggestion WHERE session_id = %s ORDER BY id LIMIT 1)",
                    [changed],
                )
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url}：HTTP {response.status_code}")
        return elapsed

    def page(self, case, ctx):
        from django.test.utils import CaptureQueriesContext

        url = case.url.format(**ctx)
        client = self.client(case.user)
        base = None
        if case.baseline == "admin_changelist":
            base = (self.client(ADMIN_USER), ADMIN, self.main_name)
        elif case.baseline == "page_1":
            base = (client, case.base_url.format(**ctx), self.main_name)
        elif case.baseline == "demo_size":
            if not self.demo_name:
                return None
            base = (self.client(case.user, self.demo_name), url, self.demo_name)
        result = Result(case.name)
        changed = ctx["current"] if case.changed else None
        self.timed(client, url, self.main_name, case.fresh, changed)  # warm-up
        if base:
            self.timed(*base)
        started = time.monotonic()
        for i in range(self.repeat):
            result.samples.append(self.timed(client, url, self.main_name, case.fresh, changed))
            if base:
                result.base_samples.append(self.timed(*base))
            if self.max_seconds and i >= 2 and time.monotonic() - started > self.max_seconds:
                break
        self.use(self.main_name)
        if case.fresh:
            from django.core.cache import cache

            cache.clear()
        with CaptureQueriesContext(self.connection) as queries:
            client.get(url)
        result.queries = len(queries)
        if case.name in self.profiles:
            self.profile(case, client, url)
        return result

    def profile(self, case, client, url):
        """One more request under pyinstrument, its call tree written to var/bench-profiles/<case>.txt."""
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        client.get(url)
        profiler.stop()
        folder = ROOT / "var" / "bench-profiles"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{case.name}.txt").write_text(
            profiler.output_text(unicode=True, color=False), encoding="utf-8"
        )

    def similar(self, case, ctx):
        from django.test.utils import CaptureQueriesContext

        from suggestions import search
        from suggestions.models import Suggestion

        self.use(self.main_name)
        s = Suggestion.objects.get(pk=ctx["long"])
        text = search.suggestion_text(s)
        search.search(text, exclude=s.pk)
        result = Result(case.name)
        for _ in range(self.repeat):
            started = time.perf_counter()
            search.search(text, exclude=s.pk)
            result.samples.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(self.connection) as queries:
            search.search(text, exclude=s.pk)
        result.queries = len(queries)
        return result

    def import_rows(self, case, ctx):
        """Preview (parse + check) and commit of a 5,000-row workbook into a new session, rolled back."""
        import io

        import openpyxl
        from django.db import transaction
        from django.test.utils import CaptureQueriesContext

        from accounts.models import User
        from suggestions import imports
        from suggestions.models import CongressSession, Deputy, HandlingUnit

        self.use(self.main_name)
        rows = env_int("BENCH_IMPORT_ROWS", IMPORT_ROWS)
        deputies = list(Deputy.objects.select_related("delegation").order_by("pk")[:600])
        units = list(HandlingUnit.objects.order_by("pk")[:60])
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("建议清单")
        sheet.append(["人大代表建议清单"])
        sheet.append(imports.TEMPLATE_HEADERS)
        from suggestions.bench_data import TOPICS

        for i in range(1, rows + 1):
            d = deputies[i % len(deputies)]
            category, titles, problems, proposals = TOPICS[i % len(TOPICS)]
            title = "关于" + titles[0].replace("{p}", "") + f"（第{i}件）的建议"
            values = {
                "建议编号": str(i), "标题": title, "领衔代表": d.name, "联名代表": "", "代表团": d.delegation.name,
                "类别": category, "内容": (problems[0] + proposals[0]).replace("{p}", ""),
                "建议主办单位": units[i % len(units)].name, "建议协办单位": "", "是否重点": "否",
            }  # fmt: skip
            sheet.append([values.get(h, "") for h in imports.TEMPLATE_HEADERS])
        data = io.BytesIO()
        book.save(data)
        office = User.objects.get(username="office")
        result = Result(case.name)
        repeat = env_int("BENCH_IMPORT_REPEAT", 1)
        for _ in range(repeat):
            with transaction.atomic():
                session = CongressSession.objects.create(
                    name="基准导入测试会议", year=2099, term=99, meeting=1
                )
                started = time.perf_counter()
                with CaptureQueriesContext(self.connection) as queries:
                    data.seek(0)
                    plan = imports.checked(imports.parse_file(data), session=session)
                    previewed = time.perf_counter()
                    imported = imports.run_import(plan, user=office)
                done = time.perf_counter()
                transaction.set_rollback(True)
            if plan.errors or len(imported.registered) != rows:
                raise SystemExit(f"导入失败：{plan.errors[:3]}")
            result.samples.append((done - started) * 1000)
            result.extra = {"rows": rows, "preview_ms": round((previewed - started) * 1000, 1)}
            result.queries = len(queries)
        return result

    def export(self, case, ctx):
        repeat = env_int("BENCH_EXPORT_REPEAT", 1)
        result = Result(case.name)
        for _ in range(repeat):
            mine = run_child("export")
            base = run_child("export_baseline")
            result.samples.append(mine["ms"])
            result.base_samples.append(base["ms"])
            result.queries = mine["queries"]
            result.extra = {"rows": mine["rows"], "peak_mb": mine["peak_mb"], "baseline_peak_mb": base["peak_mb"],
                            "memory_goal_mb": EXPORT_MEMORY_MB}  # fmt: skip
        return result

    def run(self, cases):
        ctx = self.context()
        rows = []
        for case in cases:
            started = time.monotonic()
            method = {
                "page": self.page,
                "similar": self.similar,
                "import": self.import_rows,
                "export": self.export,
            }
            result = method[case.kind](case, ctx)
            if result is None:
                continue
            rows.append(entry(case, result))
            self.out(f"{case.name}：{rows[-1]['median_ms']} ms（{time.monotonic() - started:.0f} s）")
        return rows


def run_child(mode):
    env = {**os.environ, "BENCH_CHILD": mode}
    out = subprocess.run([sys.executable, __file__], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(mode):
    """One export in this (fresh) process: the project's (``write_summary`` of every suggestion, as the office
    reads them) or the baseline (the same row values, built first and untimed, written with openpyxl's
    write-only mode). Prints the time, the rows and the peak memory."""
    import tempfile

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from suggestions import exports
    from suggestions.exports.summary import summary_sheet
    from suggestions.models import Suggestion

    office = User.objects.get(username="office")
    queryset = Suggestion.objects.visible_to(office).order_by("session_id", "number")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "export.xlsx"
        queries = None
        if mode == "export":
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                rows = exports.write_summary(queryset, target, reader=office)
            elapsed = time.perf_counter() - started
            queries = len(captured)
        else:
            import openpyxl

            sheet = summary_sheet(queryset, reader=office)
            values = list(sheet.rows)
            started = time.perf_counter()
            book = openpyxl.Workbook(write_only=True)
            ws = book.create_sheet(sheet.name)
            ws.append([sheet.title])
            ws.append([c.header for c in sheet.columns])
            for row in values:
                ws.append(row)
            book.save(target)
            elapsed = time.perf_counter() - started
            rows = len(values)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps({"ms": round(elapsed * 1000, 1), "rows": rows, "peak_mb": round(peak), "queries": queries})
    )


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "config.bench_urls"
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False


def selected():
    names = [n.strip() for n in os.environ.get("BENCH_CASES", "").split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"未知的基准用例：{'、'.join(unknown)}（python scripts/bench.py --list）")
    return [BY_NAME[n] for n in names] if names else CASES


def main():
    if "--list" in sys.argv:
        for case in CASES:
            print(f"{case.name:26} {case.what}")
        return
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    mode = os.environ.get("BENCH_CHILD")
    if mode:
        setup_django(url)
        child(mode)
        return
    n = env_int("BENCH_SUGGESTIONS", 100_000)
    cases = selected()
    prepare(url, n)
    vacuum(url)
    demo = None
    if any(c.baseline == "demo_size" for c in cases):
        demo = demo_url(url)
        prepare_demo(demo)
        vacuum(demo)
    setup_django(url)
    from django.db import connection

    max_seconds = float(os.environ.get("BENCH_MAX_SECONDS") or 0) or None
    bench = Bench(env_int("BENCH_REPEAT", 20), database_name(demo) if demo else None, max_seconds)
    rows = bench.run(cases)
    data = report(rows, n, connection.vendor)
    output = Path(os.environ.get("BENCH_OUTPUT") or ROOT / "var" / "bench.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(markdown(data))
    print(f"\n{output}")


if __name__ == "__main__":
    main()
