"""``session_stats``: the figures of one session, as JSON or as a table, and a clear error for an unknown one."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from suggestions.management.commands.session_stats import Command
from tests.test_seed_demo import CURRENT_SESSION, REPORT_SESSION

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def stats(*args):
    out = io.StringIO()
    call_command("session_stats", *args, stdout=out)
    return out.getvalue()


def test_json_gives_the_figures_of_the_huozhou_report():
    figures = json.loads(stats("--session", REPORT_SESSION, "--json"))
    assert figures["total"] == 62
    assert figures["government_handled"] == 61
    assert figures["by_category"] == {
        "城建交通": 24,
        "农林水利": 8,
        "教科文卫": 11,
        "社会民生": 11,
        "经济环保": 7,
    }
    assert figures["key"] == 6
    assert figures["key_closed"] == 6
    assert figures["closed"] == 61
    assert figures["completion_rate"] == 1.0
    assert figures["satisfaction_rate"] == 1.0
    assert figures["satisfied"] + figures["basically_satisfied"] == 61
    assert figures["overdue"] == 0


def test_json_keeps_chinese_readable():
    output = stats("--session", REPORT_SESSION, "--json")
    assert "城建交通" in output
    assert output.startswith("{\n  ")


def test_table_shows_rates_as_percentages():
    output = stats("--session", REPORT_SESSION)
    assert REPORT_SESSION in output
    assert "办结率" in output
    assert "满意率" in output
    assert "100.0%" in output
    assert "城建交通  24" in output


def test_today_decides_what_is_overdue():
    long_ago = json.loads(stats("--session", CURRENT_SESSION, "--json", "--today", "2000-01-01"))
    now = json.loads(stats("--session", CURRENT_SESSION, "--json"))
    assert long_ago["overdue"] == 0
    assert now["overdue"] > 0


def test_an_unknown_session_names_the_sessions_that_exist():
    with pytest.raises(CommandError) as raised:
        stats("--session", "第九届人民代表大会第一次会议")
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert "第九届人民代表大会第一次会议" in message
    assert REPORT_SESSION in message and CURRENT_SESSION in message


def test_an_unknown_session_exits_with_status_1_and_says_why_on_stderr(monkeypatch):
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's database connection
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        Command(stdout=out, stderr=err).run_from_argv(["manage.py", "session_stats", "--session", "不存在"])
    assert exited.value.code == 1
    assert REPORT_SESSION in err.getvalue()
    assert out.getvalue() == ""


def test_a_malformed_today_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        stats("--session", REPORT_SESSION, "--today", "26/11/2026")
