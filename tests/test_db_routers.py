"""Where the replica router sends each query (suggestions/db_routers.py), on one database: the read-only pages
would read the replica, the workflow and every other page the primary. tests/test_read_replica.py runs it
against a real streaming replica on PostgreSQL."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.urls import reverse

from accounts.models import User
from suggestions import exports, workflow
from suggestions.db_routers import REPLICA, ReplicaRouter, replica_reads
from suggestions.models import Suggestion

from .conftest import AT

router = ReplicaRouter()


def test_reads_go_to_the_primary_unless_marked():
    assert router.db_for_read(Suggestion) == "default"
    with replica_reads():
        assert router.db_for_read(Suggestion) == REPLICA
    assert router.db_for_read(Suggestion) == "default"


def test_after_a_write_the_same_block_reads_the_primary():
    with replica_reads():
        assert router.db_for_write(Suggestion) == "default"
        assert router.db_for_read(Suggestion) == "default"
    with replica_reads():  # the next request starts afresh
        assert router.db_for_read(Suggestion) == REPLICA


@replica_reads()
def _marked_view():
    return router.db_for_read(Suggestion)


def test_the_decorator_marks_each_call_afresh():
    assert _marked_view() == REPLICA
    assert _marked_view() == REPLICA
    assert router.db_for_read(Suggestion) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "suggestions", "suggestion") is True
    assert router.allow_migrate(REPLICA, "suggestions", "suggestion") is False


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary():
    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(Suggestion) == "default"
        assert router.db_for_read(Suggestion) == REPLICA


class Recording(ReplicaRouter):
    """Says where each read would go, and sends it to the one database there is. ``inside`` lists the reads
    made inside a transaction on it."""

    reads = []
    inside = []

    def db_for_read(self, model, **hints):
        chosen = (model._meta.label, super().db_for_read(model, **hints))
        (self.inside if connections["default"].in_atomic_block else self.reads).append(chosen)
        return "default"


@pytest.fixture
def recorded(settings):
    settings.DATABASE_ROUTERS = [f"{__name__}.Recording"]
    Recording.reads, Recording.inside = [], []
    return Recording.reads


def test_who_is_asking_is_read_from_the_primary():
    with replica_reads():
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(Suggestion) == REPLICA


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name,model",
    [
        ("suggestions:dashboard", "suggestions.Suggestion"),
        ("suggestions:export_summary", "suggestions.Suggestion"),
        ("suggestions:export_statistics", "suggestions.Suggestion"),
        ("suggestions:handling_report", "suggestions.Suggestion"),
        ("suggestions:public", "suggestions.Reply"),
    ],
)
def test_the_read_only_pages_read_the_replica(client, office, registered, recorded, name, model):
    client.force_login(office)
    recorded.clear()
    # (on PostgreSQL the 汇总表 reads inside a transaction of its own on the database it chose, here the one
    # there is: those reads are in Recording.inside, and on a real replica they stay there: test_read_replica.py)
    response = client.get(reverse(name), {"session": registered.session_id})
    assert response.status_code == 200
    assert (model, REPLICA) in recorded
    assert (model, "default") not in recorded
    assert ("sessions.Session", REPLICA) not in recorded and ("accounts.User", REPLICA) not in recorded


@pytest.mark.django_db(transaction=True)
def test_the_list_the_suggestion_page_and_the_workflow_read_the_primary(
    client, office, registered, units, recorded
):
    client.force_login(office)
    recorded.clear()
    assert client.get(reverse("suggestions:list")).status_code == 200
    assert client.get(reverse("suggestions:detail", args=[registered.pk])).status_code == 200
    with replica_reads():  # even where a page is marked, the workflow's transaction reads the primary
        workflow.perform("assign", user=office, suggestion=registered, at=AT, lead_unit=units["transport"])
    assert Recording.inside and all(db == "default" for _label, db in Recording.inside)  # the workflow's
    assert recorded and all(db == "default" for _label, db in recorded)
    assert Suggestion.objects.get(pk=registered.pk).state == Suggestion.State.ASSIGNED


@pytest.mark.django_db(transaction=True)
def test_the_export_streams_its_rows_inside_one_transaction_on_postgresql(registered, office, tmp_path):
    """Behind PgBouncer in transaction mode a server-side cursor must not outlive its transaction
    (docs/scaling.md): the 汇总表's rows are read inside one."""
    if connection.vendor != "postgresql":
        pytest.skip("服务器端游标只在 PostgreSQL 上使用")
    seen = []
    rows = exports.write_summary(
        Suggestion.objects.all(),
        tmp_path / "汇总表.xlsx",
        reader=office,
        progress=lambda done: seen.append(connection.in_atomic_block),
    )
    assert rows == 1 and seen == [True]
    assert not connection.in_atomic_block
