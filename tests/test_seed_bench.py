"""seed_bench (a province's volume on top of the demo) and the harness's JSON (scripts/bench.py, issue 12).

``seeded`` (conftest) is the demo seeded once per test run and loaded for this module."""

import importlib.util
import io
import json
import re
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import override_settings

from suggestions import rules
from suggestions.bench_data import LONG_TIMELINE_EVENTS
from suggestions.models import (
    Assignment,
    CongressSession,
    ContactRecord,
    Deputy,
    Event,
    HandlingUnit,
    Rating,
    Rehandling,
    Reply,
    SearchDocument,
    Suggestion,
    SuggestionSearchText,
)

pytestmark = pytest.mark.django_db

N = 300
ROOT = Path(__file__).resolve().parents[1]


def demo_state():
    """What the demo's people see: their suggestions, parts, replies and events, as rows."""
    return {
        "suggestions": sorted(
            Suggestion.objects.values_list("pk", "state", "lead_unit_id", "rating", "updated_at")
        ),
        "parts": sorted(Assignment.objects.values_list("pk", "unit_id", "state")),
        "replies": sorted(Reply.objects.values_list("pk", "document_number", "state")),
        "events": Event.objects.count(),
        "units": sorted(HandlingUnit.objects.values_list("pk", "name")),
        "deputies": sorted(Deputy.objects.values_list("pk", "name")),
    }


@pytest.fixture
def bench(seeded):
    before = demo_state()
    with override_settings(DEBUG=True):
        out = io.StringIO()
        call_command("seed_bench", suggestions=N, stdout=out)
    return before, out.getvalue()


def test_seed_bench_adds_the_promised_shape_beside_an_untouched_demo(bench):
    before, out = bench
    demo_ids = {pk for pk, *_ in before["suggestions"]}
    added = Suggestion.objects.exclude(pk__in=demo_ids)
    assert added.count() == N
    assert f"{N}件建议" in out and "内存峰值" in out

    # the demo: its suggestions, parts, replies, units and deputies as they were; nothing new is theirs
    assert sorted(Suggestion.objects.filter(pk__in=demo_ids).values_list(
        "pk", "state", "lead_unit_id", "rating", "updated_at")) == before["suggestions"]  # fmt: skip
    demo_units = {pk for pk, _ in before["units"]}
    demo_deputies = {pk for pk, _ in before["deputies"]}
    assert not Assignment.objects.filter(suggestion__in=added, unit_id__in=demo_units).exists()
    assert not added.filter(lead_deputy_id__in=demo_deputies).exists()
    assert not Rating.objects.filter(
        reply__assignment__suggestion__in=added, deputy_id__in=demo_deputies
    ).exists()

    # the volume around them: units, deputies, ten past sessions plus the current one, a tenth in the current
    assert HandlingUnit.objects.exclude(pk__in=demo_units).count() == 60
    assert Deputy.objects.exclude(pk__in=demo_deputies).count() == 600
    sessions = added.values("session").distinct().count()
    assert sessions == 11
    assert CongressSession.objects.count() == 12
    in_current = added.filter(session__is_current=True).count()
    assert in_current == N // 10

    # about 1.3 parts per assigned suggestion, replies with 文号 and the rules' classes, ratings, re-handling
    assigned = added.exclude(lead_unit=None)
    parts = Assignment.objects.filter(suggestion__in=assigned, round=1).count()
    assert 1.15 <= parts / assigned.count() <= 1.45
    replies = Reply.objects.filter(assignment__suggestion__in=added)
    assert replies.count() >= 0.8 * N
    assert set(replies.values_list("result_class", flat=True)) <= set(rules.codes())
    assert all(
        re.fullmatch(r".+〔\d{4}〕\d+号", n) for n in replies.values_list("document_number", flat=True)
    )
    ratings = Rating.objects.filter(reply__assignment__suggestion__in=added)
    assert ratings.filter(overall=1).exists() and ratings.filter(overall=3).exists()
    rehandled = Rehandling.objects.filter(suggestion__in=added)
    assert rehandled.exists()
    assert all(s.rated_unsatisfied and s.round == 2 for s in added.filter(rehandlings__isnull=False))
    assert ContactRecord.objects.filter(assignment__suggestion__in=added).count() >= 0.8 * N
    closed = added.filter(state=Suggestion.State.CLOSED)
    assert closed.filter(closed_at__isnull=False, rating__isnull=False).count() == closed.count()

    # about ten events each, one suggestion with a long timeline, and every suggestion in the similar index
    events = Event.objects.filter(suggestion__in=added)
    assert 7 <= events.count() / N <= 14
    longest = events.values("suggestion").annotate(n=Count("pk")).order_by("-n").first()
    assert longest["n"] >= LONG_TIMELINE_EVENTS
    assert f"ID {longest['suggestion']}" in out
    assert SearchDocument.objects.filter(suggestion__in=added).count() == N
    # the list's search rows too: a two-character search at 100,000 reads its index, not every title
    assert SuggestionSearchText.objects.filter(suggestion__in=added).count() == N

    # a second run refuses (the database holds more than the demo) unless forced
    with override_settings(DEBUG=True), pytest.raises(CommandError, match="已有演示以外的数据"):
        call_command("seed_bench", suggestions=10, stdout=io.StringIO())


def test_seed_bench_refuses_a_database_not_named_for_the_bench_when_debug_is_off(seeded):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="名称不含 bench"):
        call_command("seed_bench", suggestions=10, stdout=io.StringIO())
    assert (
        not Suggestion.objects.filter(session__is_current=False)
        .exclude(session__name="第八届人民代表大会第四次会议")
        .exists()
    )


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_script", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_script", module)
    spec.loader.exec_module(module)
    return module


@override_settings(ROOT_URLCONF="config.bench_urls")
def test_the_harness_writes_the_issues_format(bench, tmp_path):
    """A tiny run of the page cases in this test's database (two requests each), written as var/bench.json is."""
    script = load_bench()
    cases = [script.BY_NAME[n] for n in ("list_office_unfiltered", "list_page_200", "home_deputy_vs_demo",
                                         "public_portal", "similar_query")]  # fmt: skip
    from django.db import connection

    bench = script.Bench(repeat=2, demo_name=connection.settings_dict["NAME"], out=lambda text: None)
    data = script.report(bench.run(cases), N, connection.vendor)
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    data = json.loads(path.read_text())

    assert data["suggestions"] == N and data["database"] == connection.vendor
    rows = {row["name"]: row for row in data["cases"]}
    assert list(rows) == [c.name for c in cases]
    issue_keys = ["name", "median_ms", "p90_ms", "queries", "baseline", "baseline_median_ms", "ratio", "goal"]
    listed = rows["list_office_unfiltered"]
    assert [k for k in listed if k in issue_keys] == issue_keys
    assert listed["baseline"] == "admin_changelist" and listed["goal"] == 0.5
    assert listed["requests"] == 2 and listed["queries"] > 0
    assert listed["ratio"] == round(listed["median_ms"] / listed["baseline_median_ms"], 2)
    assert rows["list_page_200"]["baseline"] == "page_1" and rows["list_page_200"]["goal"] == 1.5
    assert rows["home_deputy_vs_demo"]["baseline"] == "demo_size"
    for name in ("public_portal", "similar_query"):  # no goal: the last four keys left out
        assert not {"baseline", "baseline_median_ms", "ratio", "goal"} & set(rows[name])
        assert rows[name]["median_ms"] >= 0
    table = script.markdown(data)
    assert "| list_office_unfiltered |" in table and "admin_changelist" in table


def test_the_plain_admin_baseline_lists_suggestions_only_in_the_bench_urls(seeded, client):
    from accounts.models import User

    admin = User.objects.create_superuser("bench_admin_test", password=None)
    client.force_login(admin)
    with override_settings(ROOT_URLCONF="config.bench_urls"):
        page = client.get("/bench-admin/suggestions/suggestion/")
    assert page.status_code == 200
    assert "第1号" in page.content.decode() or Suggestion.objects.first().title in page.content.decode()
    assert client.get("/bench-admin/suggestions/suggestion/").status_code == 404
