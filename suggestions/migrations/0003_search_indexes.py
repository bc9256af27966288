"""On PostgreSQL, trigram indexes that keep the list's substring search (建议标题、内容) fast at 100,000 rows.

Django's ``icontains`` becomes ``UPPER(col::text) LIKE UPPER('%…%')``; a GIN index with ``gin_trgm_ops`` on the
same expression serves it for Chinese text too (pg_trgm makes trigrams of multibyte characters). SQLite has no
such index and needs none at the size a county office has.
"""

from django.db import migrations

INDEXES = {
    "suggestions_title_trgm": "title",
    "suggestions_content_trgm": "content",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON suggestions_suggestion USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0002_reminders")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
