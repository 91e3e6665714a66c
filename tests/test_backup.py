"""Backups restore: demo data → ``backup`` → ``restore`` into a fresh PostgreSQL database → the same row counts and
the same digests of approved figures and audit rows; the media files come back byte for byte.

The round trip needs PostgreSQL and pg_dump / pg_restore (marked ``integration``; skipped locally without them,
failed in CI). Refusals (a damaged file, a non-empty database, SQLite) and pruning are checked as well.
"""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from liangshan_edu import backups
from tests.conftest import require_service


def _fake_backup(directory: Path, name: str) -> Path:
    folder = directory / name
    folder.mkdir(parents=True)
    (folder / backups.MANIFEST).write_text("{}", encoding="utf-8")
    return folder


def test_prune_deletes_complete_backups_older_than_the_kept_days_and_never_the_newest(tmp_path):
    now = timezone.make_aware(datetime(2026, 3, 20, 2, 0))
    for days in (30, 15, 13, 1):
        _fake_backup(tmp_path, (now - timedelta(days=days)).strftime(backups.STAMP))
    (tmp_path / "notes").mkdir()  # not a backup: left alone
    (tmp_path / "20000101-000000").mkdir()  # no manifest (never finished): left alone
    removed = backups.prune(tmp_path, keep_days=14, now=now)
    assert removed == ["20260218-020000", "20260305-020000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["20000101-000000", "20260307-020000", "20260319-020000",
                                                          "notes"]
    assert backups.prune(tmp_path, keep_days=0, now=now + timedelta(days=400)) == ["20260307-020000"]
    assert (tmp_path / "20260319-020000").exists()  # the newest stays whatever its age


@pytest.mark.django_db
def test_backup_on_sqlite_says_it_needs_postgresql(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite refusal")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("backup", dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def _postgres_tools():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL (DATABASE_URL=postgres://…)")
    for program in ("pg_dump", "pg_restore"):
        if shutil.which(program) is None:
            require_service(program)


def _url(name: str) -> str:
    s = connection.settings_dict
    credentials = f"{s['USER']}:{s['PASSWORD']}@" if s.get("PASSWORD") else (f"{s['USER']}@" if s.get("USER") else "")
    return f"postgres://{credentials}{s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/{name}"


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    _postgres_tools()
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_round_trip_restores_the_same_rows_digests_and_media(tmp_path, settings, fresh_database):
    # given: demo data (approved figures with their change history) and an uploaded evidence file
    from counties import demo

    assert demo.create_figures() > 0
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = settings.MEDIA_ROOT / "evidence" / "513401" / "2025 验收报告.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4 evidence " * 1000)
    source = backups.database_manifest()
    assert source["counts"]["counties.Figure"] > 1000 and source["counts"]["counties.HistoricalFigure"] > 3000

    # when: backed up, then restored into a fresh database and an empty media folder
    call_command("backup", dir=str(tmp_path / "backups"))
    [folder] = [p for p in (tmp_path / "backups").iterdir()]
    manifest = json.loads((folder / backups.MANIFEST).read_text(encoding="utf-8"))
    assert {k: manifest[k] for k in ("counts", "digests")} == source
    assert sorted(p.name for p in folder.iterdir()) == ["database.dump", "manifest.json", "media.tar"]
    restored_media = tmp_path / "restored-media"
    call_command("restore", str(folder), database_url=fresh_database, media_root=str(restored_media))

    # then: the restored database has the same counts and digests, computed afresh, and the same files
    with backups.database_at(fresh_database) as alias:
        assert backups.database_manifest(alias) == source
    assert (restored_media / evidence.relative_to(settings.MEDIA_ROOT)).read_bytes() == evidence.read_bytes()

    # and a second restore into the now non-empty database is refused, changing nothing
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(folder), database_url=fresh_database, no_media=True)
    with backups.database_at(fresh_database) as alias:
        assert backups.database_manifest(alias) == source

    # and with --force it replaces the objects and still verifies
    call_command("restore", str(folder), database_url=fresh_database, no_media=True, force=True)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path, settings, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", dir=str(tmp_path / "backups"))
    [folder] = list((tmp_path / "backups").iterdir())
    call_command("restore", str(folder), check=True)
    dump = folder / backups.DUMP
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="database.dump"):
        call_command("restore", str(folder), check=True)
    with pytest.raises(CommandError, match="database.dump"):
        call_command("restore", str(folder), database_url=fresh_database)
    with backups.database_at(fresh_database) as alias:
        assert backups.is_empty(alias)
