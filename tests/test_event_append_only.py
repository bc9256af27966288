"""Nothing rewritten: the event log refuses UPDATE (and on PostgreSQL DELETE) in the database itself, whoever
sends the SQL; and no code of the app deletes a suggestion, a reply, a rating or an event."""

import ast
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from suggestions.models import Event
from tests.snapshots import empty_the_tables

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"
REFUSED = "办理日志只能追加，不能修改或删除"


def raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_raw_update_of_an_event_fails_and_changes_nothing(registered):
    event = Event.objects.get(suggestion=registered)
    with pytest.raises(DatabaseError, match=REFUSED):
        raw(
            "UPDATE suggestions_event SET note = %s, actor_name = %s WHERE id = %s",
            ["改写", "某人", event.pk],
        )
    assert Event.objects.filter(pk=event.pk).values_list("note", "actor_name").get() == (
        event.note,
        event.actor_name,
    )


def test_a_raw_update_of_every_event_fails(journey):
    journey.assign()
    before = list(Event.objects.values_list("pk", "action", "created_at"))
    with pytest.raises(DatabaseError, match=REFUSED):
        raw("UPDATE suggestions_event SET created_at = created_at")
    assert list(Event.objects.values_list("pk", "action", "created_at")) == before


@pytest.mark.skipif(not POSTGRESQL, reason="SQLite's flush deletes rows: only UPDATE is refused there")
def test_a_raw_delete_of_an_event_fails_on_postgresql(journey):
    journey.assign()
    before = list(Event.objects.values_list("pk", flat=True))
    with pytest.raises(DatabaseError, match=REFUSED):
        raw("DELETE FROM suggestions_event WHERE id = %s", [before[-1]])
    with pytest.raises(DatabaseError, match=REFUSED):
        raw("DELETE FROM suggestions_event")
    assert list(Event.objects.values_list("pk", flat=True)) == before


def test_the_trigger_is_in_the_migrated_database():
    """SQLite drops a table's triggers when a migration rebuilds the table: this fails if one did."""
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'suggestions_event'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'suggestions_event'"
            )
        assert [name for (name,) in cursor.fetchall()] == ["suggestions_event_append_only"]


@pytest.mark.django_db(transaction=True)
def test_emptying_the_tables_between_tests_still_works(registered):
    """Flush truncates on PostgreSQL (no row trigger fires) and deletes on SQLite (no DELETE trigger there)."""
    assert Event.objects.exists()
    empty_the_tables()
    assert not Event.objects.exists()


# --- no hard delete anywhere in the app --------------------------------------------------------------------------

APP = Path(__file__).resolve().parent.parent / "suggestions"


def delete_calls():
    """Every ``something.delete(...)`` call in the app's code (migrations apart), as file:line; a file storage's
    ``storage.delete(name)`` (a letter a failed action had written) or ``default_storage.delete(name)`` (an
    import's previewed rows, suggestions/imports/pending.py) deletes no record and is left out."""
    found = []
    for path in sorted(APP.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "delete"
                and not (isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "storage")
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "default_storage")
            ):
                found.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    return found


# What may be deleted: 「我的下载」's files and their job rows once kept DOWNLOADS_KEEP_DAYS (a copy made for one
# person, not a record of the handling).
TEMPORARY = ("suggestions/jobs.py",)
# And a year's 节假日安排, reference data the office replaces or removes as a whole (suggestions.holidays): each
# deadline it moves is an event in the suggestion's timeline (recompute_deadline), which stays.
REPLACEABLE = ("suggestions/holidays.py",)
# And the similar-suggestion index (suggestions.search): words counted from a suggestion's title and content,
# rewritten whenever they change; no record of the handling.
DERIVED = ("suggestions/search.py",)
# And a draft reply's commitments, rewritten with each redraft while the reply is still the unit's working copy
# (suggestions.commitments.replace refuses any other reply): nothing outside the unit has seen them.
DRAFT_COPIES = ("suggestions/commitments.py",)


def test_no_code_of_the_app_deletes_records():
    allowed = TEMPORARY + REPLACEABLE + DERIVED + DRAFT_COPIES
    assert [call for call in delete_calls() if not call.startswith(allowed)] == []


def test_the_orm_refuses_to_delete_or_rewrite_events(registered):
    event = Event.objects.get(suggestion=registered)
    with pytest.raises(Exception, match="只能追加"):
        event.delete()
    with pytest.raises(Exception, match="只能追加"):
        Event.objects.filter(pk=event.pk).update(note="改写")
    event.note = "改写"
    with pytest.raises(Exception, match="只能追加"):
        event.save()
    assert Event.objects.get(pk=event.pk).note != "改写"
