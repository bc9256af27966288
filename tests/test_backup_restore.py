"""Backups that restore: ``manage.py backup`` writes the demo and its uploaded files to one file; the database is
wiped, ``manage.py restore`` puts back every row and every file. On SQLite and on PostgreSQL (pg_dump and
pg_restore for real), whichever ``DATABASE_URL`` the suite runs on."""

import io
import json
import os
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from accounts.models import User
from suggestions import backups, workflow
from suggestions.models import Event, Notification, Rating, Reply, Suggestion
from tests.snapshots import empty_the_tables

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed

POSTGRESQL = connection.vendor == "postgresql"
LETTER = b"%PDF-1.4\n% the signed reply letter\n" + bytes(range(256)) * 40


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(demo_snapshot, transactional_db, media):
    """The demo committed, two replies with their signed letters on disk, and a file in a sub-folder."""
    with transaction.atomic():
        demo_snapshot.load()
    letters = {}
    for reply in Reply.objects.order_by("pk")[:2]:
        name = f"replies/{reply.assignment.suggestion.session_id}/{reply.assignment.suggestion_id}/答复函{reply.pk}.pdf"
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(LETTER + str(reply.pk).encode())
        Reply.objects.filter(pk=reply.pk).update(attachment=name)
        letters[reply.pk] = name
    return letters


def facts():
    """A few values a person would check by eye, beside the row counts."""
    return {
        "titles": list(
            Suggestion.objects.order_by("session__year", "number").values_list("title", flat=True)
        ),
        "states": list(Suggestion.objects.order_by("pk").values_list("state", "rating", "deadline")),
        "timeline": list(
            Event.objects.order_by("pk").values_list("pk", "action", "actor_name", "note", "created_at")
        ),
        "ratings": list(Rating.objects.order_by("pk").values_list("overall", "comment")),
        "accounts": list(User.objects.order_by("username").values_list("username", "password", "role")),
        "unread": Notification.objects.filter(read_at=None).count(),
    }


def run(*args, **kwargs):
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_the_demo_backed_up_wiped_and_restored_is_all_back(demo, media, tmp_path):
    counts, before = backups.table_counts(), facts()
    assert counts["suggestions_suggestion"] > 90 and counts["suggestions_event"] > 500
    archive = tmp_path / "backups" / "2026-12-01.tar.gz"

    said = run("backup", "-o", str(archive))
    assert said.startswith(f"已备份到 {archive}：") and "上传文件 2 个" in said

    empty_the_tables()
    for path in media.rglob("*.pdf"):
        path.unlink()
    (media / "新上传.pdf").write_bytes(b"%PDF- made after the backup")
    assert Suggestion.objects.count() == 0

    said = run("restore", str(archive), "--yes")
    assert "与备份一致" in said
    assert backups.table_counts() == counts
    assert facts() == before
    for pk, name in demo.items():
        reply = Reply.objects.get(pk=pk)
        assert reply.attachment.name == name
        with reply.attachment.open("rb") as f:
            assert f.read() == LETTER + str(pk).encode()
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) == sorted(
        demo.values()
    )

    event = Event.objects.order_by("pk").first()  # the append-only trigger came back with the tables
    with (
        pytest.raises(DatabaseError, match="办理日志只能追加"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("UPDATE suggestions_event SET note = 'x' WHERE id = %s", [event.pk])


def test_the_archive_says_what_it_holds(demo, tmp_path):
    archive = tmp_path / "b.tar.gz"
    run("backup", "-o", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert ("database.dump" if POSTGRESQL else "database.sqlite3") in names
    assert sorted(n for n in names if n.startswith("media/")) == sorted(f"media/{n}" for n in demo.values())
    assert manifest["format"] == "suggestions-backup" and manifest["app_version"] == "0.1.0"
    assert manifest["vendor"] == connection.vendor
    assert manifest["counts"]["suggestions_suggestion"] == Suggestion.objects.count()
    assert {f["path"] for f in manifest["files"]} == set(demo.values())


# --- what restore refuses ------------------------------------------------------------------------------------


@pytest.fixture
def one_suggestion(registered, media):
    return registered


def not_ours(tmp_path):
    """A text file renamed, a gzip of something else, a tar.gz with no manifest, one with someone else's."""
    text = tmp_path / "notes.tar.gz"
    text.write_text("这不是备份")
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        data = b"SELECT 1;"
        info = tarfile.TarInfo("dump.sql")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        data = json.dumps({"format": "another-app", "vendor": "sqlite"}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return [text, foreign, other]


def test_a_file_that_is_not_one_of_our_backups_is_refused_and_nothing_changes(one_suggestion, tmp_path):
    before = backups.table_counts()
    for path in not_ours(tmp_path):
        with pytest.raises(CommandError, match=f"「{path.name}」不是本系统的备份文件"):
            run("restore", str(path), "--yes")
    with pytest.raises(CommandError, match="找不到备份文件"):
        run("restore", str(tmp_path / "missing.tar.gz"), "--yes")
    assert backups.table_counts() == before


def test_restore_asks_before_overwriting_and_a_no_changes_nothing(one_suggestion, tmp_path, monkeypatch):
    archive = tmp_path / "b.tar.gz"
    run("backup", "-o", str(archive))
    Suggestion.objects.filter(pk=one_suggestion.pk).update(title="备份之后改过的标题")
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "no")
    with pytest.raises(CommandError, match="已取消，未做任何改动"):
        run("restore", str(archive))
    assert "恢复将覆盖数据库" in asked[0] and asked[0].endswith("输入 yes 继续：")
    assert Suggestion.objects.get(pk=one_suggestion.pk).title == "备份之后改过的标题"

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    run("restore", str(archive))
    assert Suggestion.objects.get(pk=one_suggestion.pk).title == one_suggestion.title


def test_a_damaged_file_inside_the_backup_is_refused_before_anything_is_overwritten(
    one_suggestion, media, tmp_path
):
    (media / "replies").mkdir()
    (media / "replies" / "a.pdf").write_bytes(b"%PDF-1.4 original")
    archive = tmp_path / "b.tar.gz"
    run("backup", "-o", str(archive))
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "media/replies/a.pdf":
                data = b"%PDF-1.4 changed!"
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    Suggestion.objects.filter(pk=one_suggestion.pk).update(title="现在的标题")
    with pytest.raises(CommandError, match="「replies/a.pdf」缺失或已损坏，未做任何恢复"):
        run("restore", str(tampered), "--yes")
    assert Suggestion.objects.get(pk=one_suggestion.pk).title == "现在的标题"
    assert (media / "replies" / "a.pdf").read_bytes() == b"%PDF-1.4 original"


def test_a_backup_of_the_other_database_is_refused(one_suggestion, tmp_path):
    archive = tmp_path / "b.tar.gz"
    run("backup", "-o", str(archive))
    other = "sqlite" if POSTGRESQL else "postgresql"
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(forged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                data = json.dumps(dict(json.loads(data), vendor=other)).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="不能恢复到这里"):
        run("restore", str(forged), "--yes")
    assert Suggestion.objects.get(pk=one_suggestion.pk).title == one_suggestion.title


# --- the daily backup: a directory, and --keep -----------------------------------------------------------------


def test_keep_prunes_older_backups_and_leaves_other_files(one_suggestion, tmp_path):
    folder = tmp_path / "daily"
    folder.mkdir()
    (folder / "readme.tar.gz").write_text("not a backup of ours")
    made = []
    for day in ("2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"):
        path = folder / f"suggestions-{day}.backup"  # any name: deploy/'s daily unit uses this one
        said = run("backup", "-o", str(path), "--keep", "2")
        made.append(path)
        stamp = made.index(path) * 1000 + 1_700_000_000
        os.utime(path, (stamp, stamp))
    assert "已删除较早的备份" in said
    assert sorted(p.name for p in folder.iterdir()) == [
        "readme.tar.gz",
        "suggestions-2026-11-30.backup",
        "suggestions-2026-12-01.backup",
    ]


def test_a_directory_as_output_gets_a_dated_name(one_suggestion, tmp_path):
    said = run("backup", "-o", str(tmp_path))
    (made,) = tmp_path.glob("suggestions-*.tar.gz")
    assert str(made) in said
    assert backups.read_manifest(made).counts["suggestions_suggestion"] == 1


@pytest.mark.skipif(not POSTGRESQL, reason="pg_dump is PostgreSQL's")
def test_without_pg_dump_on_the_path_the_backup_says_what_to_install(one_suggestion, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(
        CommandError, match="找不到 pg_dump：请安装与数据库服务器同一大版本的 PostgreSQL 客户端"
    ):
        run("backup", "-o", str(tmp_path / "b.tar.gz"))
    assert not list(Path(tmp_path).glob("*.tar.gz"))


@pytest.mark.skipif(not POSTGRESQL, reason="pg_dump is PostgreSQL's")
def test_an_older_pg_dump_than_the_server_is_refused(one_suggestion, tmp_path, monkeypatch):
    """A pg_dump 9 on the path (a real program that answers --version as an old one would)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    old = bin_dir / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(CommandError, match=r"pg_dump 的版本（9）低于数据库服务器（\d+）"):
        run("backup", "-o", str(tmp_path / "b.tar.gz"))


@pytest.mark.skipif(
    not POSTGRESQL, reason="SQLite's backup API copies under its own lock; the snapshot is PostgreSQL's"
)
def test_a_backup_taken_while_the_office_registers_holds_exactly_what_its_manifest_counts(
    one_suggestion, office, session, categories, deputies, tmp_path
):
    """Suggestions are registered, one after another, all through the backup: the manifest counts the rows of
    the dump's own snapshot, so the restore (which checks every count against it) finds them equal."""
    stop, written = threading.Event(), []

    def register():
        try:
            number = 100
            while not stop.is_set():
                workflow.register(
                    user=office, session=session, number=number, title=f"关于第{number}项的建议", content="内容",
                    lead_deputy=deputies["lead"], category=categories["城建交通"],
                )  # fmt: skip
                written.append(number)
                number += 1
        finally:
            connections.close_all()

    writer = threading.Thread(target=register)
    writer.start()
    try:
        while len(written) < 3:  # the office is busy before the backup starts
            time.sleep(0.01)
        archive = tmp_path / "busy.tar.gz"
        run("backup", "-o", str(archive))
    finally:
        stop.set()
        writer.join(timeout=30)
    held = backups.read_manifest(archive).counts
    assert 1 + 3 <= held["suggestions_suggestion"] < Suggestion.objects.count()  # more were written after
    assert held["suggestions_event"] == held["suggestions_suggestion"]  # each with its 登记 event, no half

    said = run("restore", str(archive), "--yes")
    assert "与备份一致" in said
    assert Suggestion.objects.count() == held["suggestions_suggestion"]
