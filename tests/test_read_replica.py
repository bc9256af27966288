"""A read replica for real (docs/scaling.md): a PostgreSQL primary and a streaming replica of it, two clusters of
their own on free ports, with the app's schema; the ``replica`` alias points at the replica and the router
(suggestions/db_routers.py) is on. The workflow writes on the primary; the dashboard, the exports, the handling
report and the portal read what it wrote on the replica once replay has caught up, and only then (replay paused,
they still show the old figures while the list, which reads the primary, shows the new); a write on the replica
is refused; the workflow inside ``replica_reads()`` still reads and writes the primary.

Why two clusters of its own rather than a replica of the server the suite runs on: streaming replication needs a
``replication`` line in pg_hba.conf, which the machine's server (and CI's) does not have and the tests do not
change. The pair is made with initdb (pg_hba trusting replication on 127.0.0.1), the test database's schema is
copied with pg_dump, and pg_basebackup -R -X stream makes the replica. PostgreSQL only; skipped when the server
programs are missing, or when running as root with no ``postgres`` account to run them. About 10 s."""

import contextlib
import copy
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import workflow
from suggestions.db_routers import REPLICA, replica_reads
from suggestions.models import Category, Rating

from .conftest import AT, Journey

pytestmark = [pytest.mark.replica, pytest.mark.django_db(transaction=True)]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_bin(major):
    found = sorted(glob.glob(f"/usr/lib/postgresql/{major}/bin")) + [
        str(Path(p).parent) for p in filter(None, [shutil.which("initdb")])
    ]
    for folder in found:
        if all(os.access(Path(folder) / name, os.X_OK) for name in ("initdb", "pg_ctl", "pg_basebackup")):
            return Path(folder)
    return None


class Clusters:
    """A primary and its streaming replica, run as ``postgres`` when the tests run as root."""

    def __init__(self, bin_dir, base, as_user):
        self.bin, self.base, self.as_user = bin_dir, base, as_user
        self.primary_port, self.replica_port = _free_port(), _free_port()
        self.started = []

    def run(self, name, *args, stdin=None):
        command = [str(self.bin / name), *map(str, args)]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        result = subprocess.run(command, input=stdin, capture_output=True, timeout=60, cwd=self.base)
        if result.returncode != 0:
            raise RuntimeError(f"{name} failed: {result.stderr.decode(errors='replace')}")
        return result.stdout

    def start(self, data, port):
        options = (
            f"-p {port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB"
        )
        self.run("pg_ctl", "-D", data, "-w", "-t", "30", "-l", f"{data}.log", "-o", options, "start")
        self.started.append(data)

    def stop(self):
        for data in reversed(self.started):
            with contextlib.suppress(Exception):
                self.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")


@pytest.fixture(scope="module")
def clusters(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("读副本测试需要 PostgreSQL（DATABASE_URL=postgres://…）：SQLite 没有流复制")
    with django_db_blocker.unblock():
        major = connection.cursor().connection.info.server_version // 10000
        with connection.cursor() as cursor:
            cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            (collate,) = cursor.fetchone()
    bin_dir = _server_bin(major)
    if bin_dir is None:
        pytest.skip(f"没有找到 PostgreSQL {major} 的服务器程序（initdb、pg_ctl、pg_basebackup）")
    as_user = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("以 root 运行且没有 postgres 账户：PostgreSQL 服务器不能以 root 运行")
        as_user = "postgres"
    base = Path(tempfile.mkdtemp(prefix="replica-", dir="/tmp"))  # short: the sockets live here
    if as_user:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    pair = Clusters(bin_dir, base, as_user)
    db = connection.settings_dict
    try:
        pair.run("initdb", "-D", base / "primary", "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 f"--locale={collate}", "-N")  # fmt: skip
        pair.start(base / "primary", pair.primary_port)
        schema = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", "-h", db["HOST"] or "127.0.0.1", "-p",
             str(db["PORT"] or 5432), "-U", db["USER"] or "postgres", db["NAME"]],
            capture_output=True, check=True, timeout=60, env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
        ).stdout  # fmt: skip
        target = ["-h", "127.0.0.1", "-p", pair.primary_port, "-U", "postgres"]
        pair.run("createdb", *target, db["NAME"])
        pair.run("psql", *target, "-q", "-v", "ON_ERROR_STOP=1", "-d", db["NAME"], stdin=schema)
        pair.run(
            "pg_basebackup", *target, "-D", base / "replica", "-R", "-X", "stream", "-c", "fast", "--no-sync"
        )
        pair.start(base / "replica", pair.replica_port)
        yield pair
    finally:
        pair.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def replica(clusters, transactional_db, settings):
    """The ``default`` alias on the pair's primary, ``replica`` on its replica, the router on; then back."""
    default = connections["default"]
    saved = copy.deepcopy(default.settings_dict)
    default.close()
    default.settings_dict.update(HOST="127.0.0.1", PORT=clusters.primary_port, USER="postgres", PASSWORD="")
    # Set as this thread's connection, not added to the settings: the test case then lets it connect (an alias in
    # the settings would have to be in its ``databases``, checked before this fixture runs).
    replica_settings = {**copy.deepcopy(default.settings_dict), "PORT": clusters.replica_port}
    connections[REPLICA] = load_backend(replica_settings["ENGINE"]).DatabaseWrapper(replica_settings, REPLICA)
    settings.DATABASE_ROUTERS = ["suggestions.db_routers.ReplicaRouter"]
    cache.clear()  # the portal's pages are cached for a minute
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]
    default.close()
    default.settings_dict.clear()
    default.settings_dict.update(saved)
    cache.clear()


def caught_up(replica_connection, timeout=10):
    """Wait until the replica has replayed all the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with replica_connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "副本在10秒内没有追上主库"
            time.sleep(0.05)


@contextlib.contextmanager
def replay_paused(replica_connection):
    with replica_connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with replica_connection.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


def replied(number, *, office, clerk, head, units, session, categories, deputies, deputy_user):
    s = workflow.register(
        user=office,
        at=AT,
        session=session,
        number=number,
        title=f"关于农村道路提档升级的建议（{number}）",
        content="部分农村道路路面破损，建议提档升级。",
        lead_deputy=deputies["lead"],
        category=categories["城建交通"],
    )
    Journey(s, office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user).assign().reply()
    return s


def dashboard_total(client, session):
    response = client.get(reverse("suggestions:dashboard"), {"session": session.pk})
    assert response.status_code == 200
    return response.context["figures"]["total"]


def test_read_only_pages_read_the_replica_and_the_rest_the_primary(
    replica, client, office, clerk, head, units, session, categories, deputies, deputy_user
):
    people = dict(
        office=office, clerk=clerk, head=head, units=units, session=session, categories=categories,
        deputies=deputies, deputy_user=deputy_user,
    )  # fmt: skip
    first = replied(1, **people)
    caught_up(replica)
    client.force_login(office)

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        assert dashboard_total(client, session) == 1
    assert any("suggestions_suggestion" in q["sql"] for q in on_replica.captured_queries)
    # the primary only serves the login session and the user, read before the view, and keeps the tallies
    # counted on the replica (``suggestions.tallies``)
    ours = [q["sql"] for q in on_primary.captured_queries if "suggestions_" in q["sql"]]
    assert len(ours) == 1 and ours[0].startswith('INSERT INTO "suggestions_figuretally"'), ours
    with CaptureQueriesContext(connections["default"]) as on_primary:
        assert dashboard_total(client, session) == 1
    assert not any("suggestions_" in q["sql"] for q in on_primary.captured_queries)  # the tallies kept: read
    public = client.get(reverse("suggestions:public"))
    assert "关于农村道路提档升级的建议（1）" in public.content.decode()

    with replay_paused(replica):
        second = replied(2, **people)
        # the replica has not replayed it: the read-only pages do not know it yet ...
        assert dashboard_total(client, session) == 1
        cache.clear()
        assert "（2）" not in client.get(reverse("suggestions:public")).content.decode()
        with CaptureQueriesContext(replica) as exported:
            response = client.get(reverse("suggestions:export_summary"), {"session": session.pk})
        assert response.status_code == 200 and exported.captured_queries
        response = client.get(reverse("suggestions:handling_report"), {"session": session.pk})
        assert response.status_code == 200
        # ... the list and the suggestion's page read the primary
        listed = client.get(reverse("suggestions:list"), {"session": session.pk}).content.decode()
        assert "（1）" in listed and "（2）" in listed
        assert client.get(reverse("suggestions:detail", args=[second.pk])).status_code == 200
        # and the workflow, even inside replica_reads(), reads and writes the primary
        with replica_reads():
            workflow.perform("rate", user=deputy_user, suggestion=second, at=AT, overall=3, comment="")
        assert Rating.objects.filter(reply__assignment__suggestion=second).count() == 1

    caught_up(replica)
    assert dashboard_total(client, session) == 2
    cache.clear()
    assert "关于农村道路提档升级的建议（2）" in client.get(reverse("suggestions:public")).content.decode()
    assert first.pk != second.pk


def test_the_replica_refuses_writes_and_migrations_stay_on_the_primary(replica):
    with pytest.raises(DatabaseError, match="read-only"):
        Category.objects.using(REPLICA).create(name="副本上不能写", order=99)
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    from django.db import router

    assert router.allow_migrate(REPLICA, "suggestions") is False
    assert router.allow_migrate("default", "suggestions") is True
