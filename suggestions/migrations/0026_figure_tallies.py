"""The figures' tallies kept per session and scope (``suggestions.tallies``), and the revision that tells them
stale: database triggers add one to a session's ``FigureRevision`` in the transaction that inserts, updates or
deletes one of its suggestions, or a part, reply or commitment of one, whoever sends the statement (the
workflow, an import, the admin, a raw ``UPDATE`` in psql). A tally is read only at the revision it was counted at.

PostgreSQL: one row trigger a table (PL/pgSQL). SQLite: three a table (one per statement kind). ``TRUNCATE`` on
PostgreSQL fires no row trigger; it empties the tallies too where it is used (``flush``, the tests'). SQLite
drops a table's triggers when Django rebuilds the table (an AlterField): a later migration that rebuilds one of
these four tables must create them again (``tests/test_tallies.py`` checks they are all there).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = {
    "suggestions_suggestion": "ROW.session_id",
    "suggestions_assignment": "(SELECT s.session_id FROM suggestions_suggestion s WHERE s.id = ROW.suggestion_id)",
    "suggestions_reply": (
        "(SELECT s.session_id FROM suggestions_assignment a JOIN suggestions_suggestion s ON s.id = a.suggestion_id"
        " WHERE a.id = ROW.assignment_id)"
    ),
    "suggestions_commitment": (
        "(SELECT s.session_id FROM suggestions_reply r JOIN suggestions_assignment a ON a.id = r.assignment_id"
        " JOIN suggestions_suggestion s ON s.id = a.suggestion_id WHERE r.id = ROW.reply_id)"
    ),
}
BUMP = """INSERT INTO suggestions_figurerevision (session_id, revision) SELECT {session}, 1 WHERE {session} IS NOT NULL
ON CONFLICT (session_id) DO UPDATE SET revision = suggestions_figurerevision.revision + 1"""


def postgresql_forward():
    for table, session in TABLES.items():
        old, new = session.replace("ROW", "OLD"), session.replace("ROW", "NEW")
        yield f"""
CREATE OR REPLACE FUNCTION {table}_figures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        {BUMP.format(session=old)};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {BUMP.format(session=new)};
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS {table}_figures ON {table};
CREATE TRIGGER {table}_figures AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_figures();"""


def postgresql_backward():
    for table in TABLES:
        yield f"DROP TRIGGER IF EXISTS {table}_figures ON {table}; DROP FUNCTION IF EXISTS {table}_figures();"


def sqlite_forward():
    for table, session in TABLES.items():
        old, new = session.replace("ROW", "OLD"), session.replace("ROW", "NEW")
        rows = {"insert": [new], "update": [old, new], "delete": [old]}
        for event, sessions in rows.items():
            bumps = "".join(f"    {BUMP.format(session=s)};\n" for s in sessions)
            yield f"CREATE TRIGGER IF NOT EXISTS {table}_figures_{event} AFTER {event.upper()} ON {table}\nBEGIN\n{bumps}END;"


def sqlite_backward():
    for table in TABLES:
        for event in ("insert", "update", "delete"):
            yield f"DROP TRIGGER IF EXISTS {table}_figures_{event};"


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": postgresql_forward, "sqlite": sqlite_forward})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": postgresql_backward, "sqlite": sqlite_backward})


def _run(schema_editor, statements_by_vendor):
    statements = statements_by_vendor.get(schema_editor.connection.vendor)
    for sql in statements() if statements else ():
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0025_contact_flags"),
    ]

    operations = [
        migrations.CreateModel(
            name="FigureRevision",
            fields=[
                (
                    "session",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="suggestions.congresssession",
                        verbose_name="届次会议",
                    ),
                ),
                ("revision", models.BigIntegerField(default=0, verbose_name="修订号")),
            ],
            options={
                "verbose_name": "统计数据修订号",
                "verbose_name_plural": "统计数据修订号",
            },
        ),
        migrations.CreateModel(
            name="FigureTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(max_length=40, verbose_name="范围")),
                ("day", models.DateField(verbose_name="统计日期")),
                ("revision", models.BigIntegerField(verbose_name="修订号")),
                ("basis", models.TextField(verbose_name="口径")),
                ("tallies", models.JSONField(verbose_name="计数")),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="suggestions.congresssession",
                        verbose_name="届次会议",
                    ),
                ),
            ],
            options={
                "verbose_name": "统计计数",
                "verbose_name_plural": "统计计数",
                "constraints": [
                    models.UniqueConstraint(fields=("session", "scope"), name="one_tally_per_session_scope")
                ],
            },
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
