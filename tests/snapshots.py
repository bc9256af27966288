"""Rows built once and written back many times: the demo for the tests that read it, a world for a module.

Seeding the demo takes about nine hundred workflow actions (ten seconds and more); writing its rows back takes one
INSERT per table (a fraction of a second). ``Snapshot.take()`` reads every row of the project's tables,
``Snapshot.load()`` writes them back into the caller's transaction, with the same primary keys, and moves the
tables' sequences past them (PostgreSQL), so that what a test then creates gets new keys.

Under pytest-xdist, ``once_per_run`` lets the first worker that asks build the snapshot and the others read it
from a file in the run's shared temporary directory.
"""

import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

APPS = ("accounts", "suggestions")


# The figures' bookkeeping is not data: the database's triggers count the revisions again as a snapshot's rows go
# in, and a tally kept at an old revision could match a recounted one by chance.
DERIVED = {"suggestions.figurerevision", "suggestions.figuretally"}


def project_models():
    """The project's models with the many-to-many tables Django makes for them (not the figures' bookkeeping)."""
    return [
        m
        for label in APPS
        for m in apps.get_app_config(label).get_models(include_auto_created=True)
        if m._meta.label_lower not in DERIVED
    ]


@dataclass
class Snapshot:
    rows: dict[str, tuple[list[str], list[tuple]]]  # model label -> (column attnames, rows)
    report: object = None  # what building it returned (the demo's SeedReport)
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def take(cls, report=None):
        rows = {}
        for model in project_models():
            names = [f.attname for f in model._meta.concrete_fields]
            rows[model._meta.label] = (names, list(model._base_manager.order_by("pk").values_list(*names)))
        return cls(rows, report, {label: len(r) for label, (_, r) in rows.items()})

    def load(self):
        """Write the rows back: raw INSERTs, so no ``save()``, signal or ``auto_now`` touches them. Foreign keys
        are checked when the outermost transaction commits (Django makes them deferrable), so the order of the
        tables does not matter."""
        with transaction.atomic(), connection.cursor() as cursor:
            for label, (names, rows) in self.rows.items():
                if rows:
                    cursor.executemany(*_insert(apps.get_model(label), names, rows))
            for sql in connection.ops.sequence_reset_sql(no_style(), project_models()):
                cursor.execute(sql)


def _insert(model, names, rows):
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    params = [
        [f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True)] for row in rows
    ]
    return sql, params


def rows_elsewhere():
    """Rows per table outside the project's apps (what a snapshot does not keep)."""
    ours = {m._meta.db_table for m in project_models()} | {apps.get_model(m)._meta.db_table for m in DERIVED}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            if table not in ours:
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def empty_the_tables():
    """Delete every row but the content types and permissions ``migrate`` made (which every test relies on).

    Django's flush SQL: ``TRUNCATE`` on PostgreSQL, which the event log's append-only row trigger does not see;
    ``DELETE`` on SQLite, where that trigger refuses only ``UPDATE`` (migration 0010)."""
    kept = {apps.get_model(label)._meta.db_table for label in ("contenttypes.ContentType", "auth.Permission")}
    tables = [
        t for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
        if t not in kept
    ]  # fmt: skip
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))


def once_per_run(name, build, shared_dir: Path | None, wait=900):
    """``build()`` in one process of the run; the others load its result from ``shared_dir``.

    Without xdist (``shared_dir`` None) it simply builds. The first worker to claim the name builds and writes
    the pickle; the others wait for it. If building fails, the failure is marked and each worker builds
    itself, so that the error is reported where the tests are."""
    if shared_dir is None:
        return build()
    result, claim, failed = (shared_dir / f"{name}.{suffix}" for suffix in ("pickle", "claim", "failed"))
    try:
        os.close(os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        deadline = time.monotonic() + wait
        while not result.exists() and not failed.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if result.exists():
            return pickle.loads(result.read_bytes())
        return build()
    try:
        value = build()
    except BaseException:
        failed.touch()
        raise
    partial = result.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(pickle.dumps(value))
    partial.replace(result)  # atomic: a waiting worker never reads half a file
    return value
