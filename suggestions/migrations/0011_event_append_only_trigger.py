"""The event log is append-only in the database too, not only in ``EventQuerySet`` and ``Event.save``.

PostgreSQL: a row trigger refuses every UPDATE and DELETE on ``suggestions_event``, whoever sends it (a raw
``UPDATE`` in psql included). ``TRUNCATE`` is a different statement and fires no row trigger, so emptying the
tables between tests (``flush``, which truncates on PostgreSQL) and ``pg_restore --clean`` (which drops and
recreates the table) still work.

SQLite: a trigger refuses UPDATE. DELETE stays open there because Django's ``flush`` empties SQLite tables with
``DELETE FROM`` (the tests' TransactionTestCase flush); ``Event.delete`` and ``EventQuerySet.delete`` refuse it in
Python. SQLite drops a table's triggers when Django rebuilds the table (an AlterField): a later migration that
rebuilds the event table must create the trigger again (``tests/test_event_append_only.py`` checks it is there).
"""

from django.db import migrations

MESSAGE = "办理日志只能追加，不能修改或删除。"

POSTGRESQL_FORWARD = f"""
CREATE OR REPLACE FUNCTION suggestions_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}（%）', TG_OP;
END
$$;
DROP TRIGGER IF EXISTS suggestions_event_append_only ON suggestions_event;
CREATE TRIGGER suggestions_event_append_only
    BEFORE UPDATE OR DELETE ON suggestions_event
    FOR EACH ROW EXECUTE FUNCTION suggestions_event_append_only();
"""

POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS suggestions_event_append_only ON suggestions_event;
DROP FUNCTION IF EXISTS suggestions_event_append_only();
"""

SQLITE_FORWARD = f"""
CREATE TRIGGER IF NOT EXISTS suggestions_event_append_only
BEFORE UPDATE ON suggestions_event
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""

SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS suggestions_event_append_only;"


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD})


def _run(schema_editor, sql_by_vendor):
    sql = sql_by_vendor.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0010_job"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
