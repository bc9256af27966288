"""``session_stats``: the figures of one session, as JSON or as a table, and a clear error for an unknown one."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from suggestions import rules
from suggestions.management.commands.session_stats import Command
from suggestions.models import Category, Suggestion
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
    assert {row["name"]: row["count"] for row in figures["by_category"]} == {
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


def test_json_keys_states_and_result_classes_by_value_and_lists_categories_with_their_id():
    figures = json.loads(stats("--session", REPORT_SESSION, "--json"))
    assert list(figures["by_state"]) == Suggestion.State.values
    assert figures["by_state"]["closed"] == 61
    assert figures["by_result_class"] == {"A": 53, "B": 4, "C": 4}
    assert [(row["category_id"], row["name"]) for row in figures["by_category"]] == list(
        Category.objects.values_list("pk", "name")
    )


def test_json_gives_the_figures_reports_state_by_the_names_they_use():
    figures = json.loads(stats("--session", REPORT_SESSION, "--json"))
    assert figures["by_class"] == {"A": 53, "B": 4, "C": 4}
    assert list(figures["by_class"]) == rules.codes()
    assert figures["reply_rate"] == 1.0  # 办复率: replied, apart from 办结率 (closed)
    assert figures["first_round_satisfaction_rate"] == figures["first_satisfaction_rate"] == 1.0
    assert figures["meeting_rate"] == figures["face_to_face_rate"]
    assert figures["meeting_rate"] < figures["contact_rate"]  # phone calls count as contact, not as meeting


def test_table_labels_the_reply_rate_apart_from_the_completion_rate():
    rows = dict(section(stats("--session", REPORT_SESSION), "总体情况"))
    assert rows["办复率"] == "100.0%"
    assert rows["办结率"] == "100.0%"


def section(output, heading):
    """The rows under ``heading`` as (name, figure) pairs, up to the next blank line."""
    lines = output.splitlines()
    start = lines.index(heading) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return [tuple(line.strip().rsplit(None, 1)) for line in lines[start:end]]


def test_table_names_each_state_and_result_class_in_chinese():
    output = stats("--session", REPORT_SESSION)
    states = section(output, "按办理状态")
    assert [name for name, _ in states] == Suggestion.State.labels
    assert dict(states)["已办结"] == "61"
    assert section(output, "答复类别") == [
        ("A 已解决或采纳", "53"),
        ("B 正在解决或列入计划解决", "4"),
        ("C 因条件限制暂时无法解决", "4"),
    ]


@pytest.mark.usefixtures("four_result_classes")
def test_table_and_json_list_a_result_class_added_to_the_choices():
    closed = Suggestion.objects.filter(session__name=REPORT_SESSION, result_class="C")
    Suggestion.objects.filter(pk=closed.first().pk).update(result_class="D")
    assert section(stats("--session", REPORT_SESSION), "答复类别") == [
        ("A 所提问题已经解决或基本解决", "53"),
        ("B 所提问题正在解决", "4"),
        ("C 所提问题已列入规划逐步解决", "3"),
        ("D 因条件限制留作参考", "1"),
    ]
    figures = json.loads(stats("--session", REPORT_SESSION, "--json"))
    assert figures["by_result_class"] == {"A": 53, "B": 4, "C": 3, "D": 1}
    assert list(figures["by_class"]) == ["A", "B", "C", "D"]


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
