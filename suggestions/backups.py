"""Backups that restore: the whole database and the uploaded files in one ``.tar.gz``.

The archive holds, in this order:

- ``manifest.json``: what it is (``format``), when it was made, the app's version, the database vendor, the rows
  per table and the files (path, size, SHA-256), so ``restore`` recognises one of ours and checks what it wrote;
- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite, its backup API);
- ``media/...``: every file under ``MEDIA_ROOT`` (the signed reply letters).

``restore`` puts the database back with ``pg_restore --clean --if-exists --single-transaction`` (the tables are
dropped and recreated, so the event log's append-only trigger never sees an UPDATE or DELETE) or SQLite's backup
API into the live database, then replaces the files under ``MEDIA_ROOT``; it then counts the rows again.
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = "suggestions-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA = "media"
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


class BackupError(Exception):
    """Why a backup or a restore cannot be made; the message is for the person running the command."""


@dataclass
class Manifest:
    data: dict

    @property
    def counts(self) -> dict[str, int]:
        return self.data["counts"]

    @property
    def files(self) -> list[dict]:
        return self.data["files"]

    @property
    def created_at(self) -> str:
        return self.data["created_at"]


def app_version() -> str:
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""


def table_counts() -> dict[str, int]:
    """Rows per table of every model's table in the database (Django's own included)."""
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(
            connection.introspection.django_table_names(only_existing=True, include_views=False)
        ):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def media_files(root: Path) -> list[dict]:
    if not root.is_dir():
        return []
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        found.append(
            {"path": path.relative_to(root).as_posix(), "size": path.stat().st_size, "sha256": _sha256(path)}
        )
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- backup ----------------------------------------------------------------------------------------------------


def backup(output: Path, *, at=None) -> Manifest:
    """Write the database and ``MEDIA_ROOT`` to ``output`` (a ``.tar.gz``); the file appears whole or not at all."""
    vendor = _vendor()
    media_root = Path(settings.MEDIA_ROOT)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="suggestions-backup-") as work:
        dump = Path(work) / DUMPS[vendor]
        counts = _pg_dump(dump) if vendor == "postgresql" else _sqlite_copy(dump)
        manifest = Manifest(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": (at or timezone.now()).isoformat(),
                "app_version": app_version(),
                "vendor": vendor,
                "counts": counts,
                "files": media_files(media_root),
            }
        )
        partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest.data, ensure_ascii=False, indent=2).encode())
                tar.add(dump, arcname=DUMPS[vendor])
                for f in manifest.files:
                    tar.add(media_root / f["path"], arcname=f"{MEDIA}/{f['path']}")
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _add_bytes(tar, name, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def prune(directory: Path, keep: int, *, exclude: Path | None = None) -> list[Path]:
    """Delete all but the ``keep`` newest of our backups in ``directory``, whatever their names (files that are
    not ours stay; a backup being written, ``.name.partial``, is not looked at)."""
    ours = []
    for path in directory.iterdir():
        if path.is_file() and not path.name.startswith(".") and read_manifest(path, quiet=True) is not None:
            ours.append(path)
    ours.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    removed = []
    for path in ours[keep:]:
        if exclude is not None and path.resolve() == exclude.resolve():
            continue
        path.unlink()
        removed.append(path)
    return removed


# --- restore ---------------------------------------------------------------------------------------------------

NOT_OURS = "「{name}」不是本系统的备份文件（应为 manage.py backup 生成的 .tar.gz 文件）。"


def read_manifest(path: Path, *, quiet=False) -> Manifest | None:
    """The manifest of a backup of ours; ``BackupError`` (or None when ``quiet``) for anything else."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST or not member.isfile() or member.size > 50_000_000:
                raise ValueError
            data = json.loads(tar.extractfile(member).read())
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError
        if data.get("format_version") != FORMAT_VERSION or data.get("vendor") not in DUMPS:
            raise ValueError
    except (OSError, EOFError, tarfile.TarError, ValueError, UnicodeDecodeError):
        if quiet:
            return None
        raise BackupError(NOT_OURS.format(name=path.name)) from None
    return Manifest(data)


def restore(path: Path) -> Manifest:
    """Replace the database and ``MEDIA_ROOT`` with what the backup at ``path`` holds."""
    manifest = read_manifest(path)
    vendor = _vendor()
    _outside_a_transaction()
    if manifest.data["vendor"] != vendor:
        raise BackupError(
            f"该备份来自 {VENDOR_NAMES[manifest.data['vendor']]} 数据库，当前使用 {VENDOR_NAMES[vendor]}，"
            "不能恢复到这里。"
        )
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="suggestions-restore-") as work:
        work = Path(work)
        _extract(path, work)
        dump = work / DUMPS[vendor]
        if not dump.is_file():
            raise BackupError(NOT_OURS.format(name=path.name))
        _check_files(manifest, work / MEDIA)
        connections.close_all()
        if vendor == "postgresql":
            _pg_restore(dump)
        else:
            _sqlite_restore(dump)
        _replace_media(work / MEDIA, media_root)
    found = table_counts()
    differing = {t: (n, found.get(t)) for t, n in manifest.counts.items() if found.get(t) != n}
    if differing:
        listed = "；".join(f"{t}：备份 {n} 行，恢复后 {m} 行" for t, (n, m) in sorted(differing.items()))
        raise BackupError(f"恢复后的行数与备份不一致：{listed}。")
    return manifest


def _extract(path: Path, into: Path):
    try:
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(into, filter="data")  # no absolute paths, no "..", no links out, no devices
    except (OSError, EOFError, tarfile.TarError) as exc:
        raise BackupError(f"备份文件「{path.name}」已损坏，无法读取：{exc}") from exc


def _check_files(manifest, media: Path):
    for f in manifest.files:
        path = media / f["path"]
        if not path.is_file() or path.stat().st_size != f["size"] or _sha256(path) != f["sha256"]:
            raise BackupError(f"备份中的上传文件「{f['path']}」缺失或已损坏，未做任何恢复。")


def _replace_media(source: Path, media_root: Path):
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if source.is_dir():
        shutil.copytree(source, media_root, dirs_exist_ok=True)


# --- the databases ---------------------------------------------------------------------------------------------


def _vendor():
    if connection.vendor not in DUMPS:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库（仅支持 PostgreSQL 和 SQLite）。")
    return connection.vendor


def _sqlite_copy(target: Path) -> dict[str, int]:
    """SQLite's online backup API: a consistent copy even while the app writes; the rows counted in the copy."""
    _outside_a_transaction()
    connection.ensure_connection()
    wanted = set(connection.introspection.django_table_names(only_existing=True, include_views=False))
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        tables = [name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            t: copy.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in sorted(tables)
            if t in wanted
        }
    finally:
        copy.close()


def _outside_a_transaction():
    if connection.in_atomic_block:
        raise BackupError("备份和恢复不能在数据库事务中进行。")


def _sqlite_restore(dump: Path):
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _pg_env():
    s = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if s.get(key):
            env[name] = str(s[key])
    env["PGDATABASE"] = s["NAME"]
    return env


def _pg_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装与数据库服务器同一大版本的 PostgreSQL 客户端（如 apt-get install postgresql-client）。"
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", output)
    if not match:
        raise BackupError(f"无法识别 {name} 的版本：{output.strip()}")
    return path, int(match.group(1))


def _server_major():
    connection.ensure_connection()
    return connection.pg_version // 10000


def _check_version(name):
    path, major = _pg_tool(name)
    server = _server_major()
    if major < server:
        raise BackupError(
            f"{name} 的版本（{major}）低于数据库服务器（{server}），无法处理该数据库："
            f"请安装 PostgreSQL {server} 或更高版本的客户端。"
        )
    return path


def _pg_dump(target: Path) -> dict[str, int]:
    """``pg_dump`` reads the snapshot of a transaction of ours, in which the rows are counted too: the counts are
    exactly what the dump holds, however busy the office is meanwhile."""
    path = _check_version("pg_dump")
    _outside_a_transaction()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        args = [path, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        _run([*args, f"--file={target}"], "pg_dump")
        return table_counts()


def _pg_restore(dump: Path):
    path = _check_version("pg_restore")
    _run(
        [
            path, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
            "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(dump),
        ],
        "pg_restore",
    )  # fmt: skip


def _run(args, name):
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{name} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


def default_name(at=None) -> str:
    at = timezone.localtime(at or timezone.now())
    return f"suggestions-{at:%Y-%m-%d-%H%M%S}.tar.gz"
