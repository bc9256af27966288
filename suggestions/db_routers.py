"""Reads that may go to a read replica (docs/scaling.md).

With ``DATABASE_REPLICA_URL`` set, settings add the database alias ``replica`` and this router. Everything goes to
the primary (``default``) except the reads of a view or job marked ``@replica_reads()``: the dashboard, the Excel
exports, the handling report and the public portal, pages that only read and can bear the replica's lag of a
moment. Even there a read goes to the primary

- inside a transaction on the primary (the workflow locks, re-checks and writes in one: what it reads must be
  what it writes on), and
- after the same request or job has written anything (a job row, a session): it reads its own writes;
- for the login session and the account: who is asking is always read where a login was just written.

Migrations run on the primary only; the replica receives them through replication.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# Per request or job: None outside replica_reads(); inside, a dict whose "wrote" turns True at the first write.
_reads = contextvars.ContextVar("replica_reads", default=None)


@contextmanager
def replica_reads():
    """Within this block (or the view or function it decorates) reads may go to the replica. Usable as
    ``with replica_reads():`` and as ``@replica_reads()``."""
    token = _reads.set({"wrote": False})
    try:
        yield
    finally:
        _reads.reset(token)


# Who is asking is always read from the primary: a login just written must be found, even by a public page.
PRIMARY_ONLY = {"sessions.session", settings.AUTH_USER_MODEL.lower()}


def reading_from_replica(model=None) -> bool:
    """Whether a read (of ``model``) made now would go to the replica (with the router installed)."""
    state = _reads.get()
    return (
        bool(state)
        and not state["wrote"]
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and (model is None or model._meta.label_lower not in PRIMARY_ONLY)
    )


class ReplicaRouter:
    """``DATABASE_ROUTERS = ["suggestions.db_routers.ReplicaRouter"]``, with a ``replica`` alias."""

    def db_for_read(self, model, **hints):
        return REPLICA if reading_from_replica(model) else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        state = _reads.get()
        if state is not None:
            state["wrote"] = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is the same database, a moment behind: rows read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
