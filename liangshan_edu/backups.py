"""Backups that restore: a pg_dump (custom format) and a tar of the media folder, with a manifest that proves a
restore complete (``manage.py backup`` / ``manage.py restore``; docs/operations.md).

The manifest holds the row counts of the product's tables, a SHA-256 digest of the approved figures and one of the
audit rows (every change-history table and the failed-login log), and the SHA-256 of each file. The counts and
digests are read in the same snapshot that pg_dump dumps (``pg_export_snapshot``), so they describe exactly what the
dump holds, even while clerks keep working. After a restore the same counts and digests are computed on the restored
database and compared.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_TAR = "media.tar"
FORMAT = 1
STAMP = "%Y%m%d-%H%M%S"
STAMP_RE = re.compile(r"^\d{8}-\d{6}$")
# Counted in the manifest: the product's apps, users and their groups, API tokens, the login log.
COUNTED_APPS = ("places", "indicators", "counties", "assessment", "dashboards", "auth", "authtoken", "axes")
# Audit rows besides the change history (every simple_history table): failed logins.
AUDIT_MODELS = ("axes.AccessFailureLog",)
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _postgres(using: str) -> dict:
    settings_dict = connections[using].settings_dict
    if connections[using].vendor != "postgresql":
        raise BackupError(_("备份与恢复只支持 PostgreSQL（请设置 DATABASE_URL=postgres://…）。"))
    return settings_dict


def _libpq_env(settings_dict: dict) -> dict[str, str]:
    """pg_dump / pg_restore connect through libpq's variables: the password never appears on a command line."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGDATABASE", "NAME")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(_("找不到 %(program)s：请安装 PostgreSQL 客户端（postgresql-client）。") % {"program": command[0]})
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(_("%(program)s 失败：%(error)s") % {"program": command[0], "error": result.stderr.strip()[-2000:]})


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _counted_models() -> list:
    return sorted((m for m in apps.get_models() if m._meta.app_label in COUNTED_APPS), key=lambda m: m._meta.label)


def _audit_models() -> list:
    history = [m for m in apps.get_models() if hasattr(m, "instance_type") and m._meta.pk.name == "history_id"]
    return sorted(history + [apps.get_model(label) for label in AUDIT_MODELS], key=lambda m: m._meta.label)


def _digest_rows(digest, queryset) -> None:
    """Every stored column of every row, in primary-key order, one JSON line per row."""
    model = queryset.model
    columns = [f.attname for f in model._meta.concrete_fields]
    digest.update(f"{model._meta.label}\n".encode())
    for row in queryset.order_by("pk").values_list(*columns).iterator(chunk_size=2000):
        digest.update(json.dumps(row, default=str, ensure_ascii=False).encode() + b"\n")


def database_manifest(using: str = "default") -> dict:
    """Row counts and digests of the database ``using`` (call it inside one transaction for one snapshot)."""
    counts = {m._meta.label: m._default_manager.using(using).count() for m in _counted_models()}
    figures = hashlib.sha256()
    Figure = apps.get_model("counties", "Figure")
    _digest_rows(figures, Figure._base_manager.using(using).filter(status="approved"))
    audit = hashlib.sha256()
    for model in _audit_models():
        _digest_rows(audit, model._base_manager.using(using).all())
    return {"counts": counts, "digests": {"approved_figures": figures.hexdigest(), "audit_rows": audit.hexdigest()}}


def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def create_backup(directory: Path, media_root: Path, using: str = "default", now: datetime | None = None) -> Path:
    """A new dated folder in ``directory`` holding the dump, the media tar and the manifest; returns its path."""
    settings_dict = _postgres(using)
    now = timezone.localtime(now)
    directory.mkdir(parents=True, exist_ok=True)
    folder = directory / now.strftime(STAMP)
    if folder.exists():
        raise BackupError(_("备份 %(name)s 已存在。") % {"name": folder.name})
    partial = directory / f".{folder.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        with transaction.atomic(using=using):
            with connections[using].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={partial / DUMP}"],
                 _libpq_env(settings_dict))
            manifest = database_manifest(using)
        media = {}
        with tarfile.open(partial / MEDIA_TAR, "w") as tar:
            for path in _media_files(media_root):
                relative = path.relative_to(media_root).as_posix()
                tar.add(path, arcname=f"media/{relative}", recursive=False)
                media[relative] = file_sha256(path)
        manifest = {
            "format": FORMAT, "created_at": now.isoformat(), "database": "postgresql", **manifest,
            "files": {name: {"sha256": file_sha256(partial / name), "bytes": (partial / name).stat().st_size}
                      for name in (DUMP, MEDIA_TAR)},
            "media": media,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder


def prune(directory: Path, keep_days: int, now: datetime | None = None) -> list[str]:
    """Deletes the complete backups older than ``keep_days`` days, never the newest; returns their names."""
    now = timezone.localtime(now)
    complete = sorted(p for p in directory.iterdir() if p.is_dir() and STAMP_RE.match(p.name)
                      and (p / MANIFEST).is_file()) if directory.is_dir() else []
    cutoff = now - timedelta(days=keep_days)
    removed = []
    for folder in complete[:-1]:
        made = timezone.make_aware(datetime.strptime(folder.name, STAMP), now.tzinfo)
        if made < cutoff:
            shutil.rmtree(folder)
            removed.append(folder.name)
    return removed


def verify_files(folder: Path) -> dict:
    """The manifest, once every file of the backup has the SHA-256 it records."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(_("%(folder)s 不是一个完整的备份（没有可读的 manifest.json）。") % {"folder": folder})
    if manifest.get("format") != FORMAT:
        raise BackupError(_("备份格式 %(format)s 无法识别。") % {"format": manifest.get("format")})
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or file_sha256(path) != expected["sha256"]:
            raise BackupError(_("备份文件 %(name)s 缺失或已损坏（SHA-256 不符）。") % {"name": name})
    return manifest


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs between two database manifests, one line each (empty when they agree)."""
    lines = [f"{label}: {expected['counts'].get(label)} → {actual['counts'].get(label)}"
             for label in sorted(set(expected["counts"]) | set(actual["counts"]))
             if expected["counts"].get(label) != actual["counts"].get(label)]
    lines += [f"{name}: {expected['digests'][name][:12]}… → {actual['digests'].get(name, '')[:12]}…"
              for name in expected["digests"] if expected["digests"][name] != actual["digests"].get(name)]
    return lines


def is_empty(using: str) -> bool:
    return not connections[using].introspection.table_names()


def restore_database(folder: Path, using: str, force: bool) -> None:
    """pg_restore the dump into ``using``, all or nothing; a database with tables only with ``force``."""
    settings_dict = _postgres(using)
    if not is_empty(using) and not force:
        raise BackupError(_("数据库 %(name)s 不是空的：请恢复到一个新建的空数据库，或加 --force 覆盖它。")
                          % {"name": settings_dict["NAME"]})
    connections[using].close()
    command = ["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
               f"--dbname={settings_dict['NAME']}"]
    if force:
        command += ["--clean", "--if-exists"]
    _run(command + [str(folder / DUMP)], _libpq_env(settings_dict))


def restore_media(folder: Path, media_root: Path, manifest: dict, force: bool) -> int:
    """Unpacks the media tar into ``media_root`` (refused if it holds files, unless ``force``); checks each file."""
    if any(_media_files(media_root)) and not force:
        raise BackupError(_("媒体目录 %(path)s 不是空的：请换一个空目录，或加 --force 覆盖。") % {"path": media_root})
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA_TAR) as tar:
        members = []
        for member in tar.getmembers():
            if not member.name.startswith("media/"):
                raise BackupError(_("媒体归档中有意外的条目：%(name)s") % {"name": member.name})
            member.name = member.name.removeprefix("media/")
            members.append(member)
        tar.extractall(media_root, members=members, filter="data")
    for relative, expected in manifest["media"].items():
        path = media_root / relative
        if not path.is_file() or file_sha256(path) != expected:
            raise BackupError(_("恢复后的媒体文件 %(name)s 与备份记录不符。") % {"name": relative})
    return len(manifest["media"])


@contextmanager
def database_at(url: str) -> Iterator[str]:
    """A temporary connection alias for the database at ``url`` (the other settings as the default's).

    The connection is made here and handed to Django's connection handler for this thread only; the database
    settings themselves are not changed.
    """
    import dj_database_url
    from django.db.utils import load_backend

    alias = "backup_target"
    settings_dict = {**connections["default"].settings_dict, **dj_database_url.parse(url)}
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
