"""Queries whose joins PostgreSQL should take in the order Django writes them.

A page's main row comes with its related rows in one query (``select_related``: the session, the deputies, the
delegations, the category, the leaders, the unit, who registered it) and, for a unit or a deputy, the condition
of what they may see. PostgreSQL searches every order of up to ``join_collapse_limit`` (8) joined tables for the
cheapest plan: for the suggestion page's one row that search took 9-22 ms of planning against 0.3 ms of running
(``docs/benchmarks.md``, "The suggestion page's planning"). Each join there goes from a row already found to its
related row by primary key, the order Django writes; ``joins_as_written`` has PostgreSQL keep it (``SET LOCAL``
inside a transaction of its own, so that nothing else, and no other client of a pooled connection, plans so).
"""

from contextlib import contextmanager

from django.db import connections, router, transaction


@contextmanager
def joins_as_written(model):
    """Within the block, the reads of ``model`` (and the prefetches they bring) on PostgreSQL plan their joins
    in the order written. Elsewhere (SQLite, which plans joins greedily) it does nothing."""
    using = router.db_for_read(model)
    if connections[using].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1; SET LOCAL from_collapse_limit = 1")
        yield
