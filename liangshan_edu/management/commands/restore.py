"""restore: a backup folder written by ``manage.py backup`` into an empty database, then verified.

    python manage.py restore /backups/20260101-020000 [--database-url postgres://…] [--media-root PATH] [--force]
    python manage.py restore /backups/20260101-020000 --check     # only check the files against the manifest

The files are checked against the manifest first (nothing is touched if one differs). The database (the app's own,
or ``--database-url``) must be empty — a freshly created one — unless ``--force``, which drops and replaces the
objects of the backup; pg_restore runs in one transaction, so a failed restore leaves the database as it was.
Afterwards the row counts and the digests of approved figures and audit rows are computed on the restored database
and compared with the manifest; the command fails if any differs. See docs/operations.md.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liangshan_edu import backups


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database (and the media folder), then verify it against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a backup folder (with manifest.json)")
        parser.add_argument("--database-url", help="restore into this database instead of the app's own (DATABASE_URL)")
        parser.add_argument("--media-root", help="unpack the media here instead of MEDIA_ROOT")
        parser.add_argument("--no-media", action="store_true", help="restore the database only")
        parser.add_argument("--force", action="store_true",
                            help="replace what a non-empty database (or media folder) holds")
        parser.add_argument("--check", action="store_true", help="only check the backup's files against its manifest")

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        try:
            manifest = backups.verify_files(folder)
            self.stdout.write(f"files match the manifest of {manifest['created_at']}")
            if options["check"]:
                return
            if options["database_url"]:
                with backups.database_at(options["database_url"]) as alias:
                    self._restore(folder, manifest, alias, options)
            else:
                self._restore(folder, manifest, "default", options)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error

    def _restore(self, folder: Path, manifest: dict, using: str, options: dict) -> None:
        backups.restore_database(folder, using, options["force"])
        self.stdout.write("database restored")
        if not options["no_media"]:
            media_root = Path(options["media_root"] or settings.MEDIA_ROOT)
            n = backups.restore_media(folder, media_root, manifest, options["force"])
            self.stdout.write(f"{n} media files restored into {media_root}, each matching its SHA-256")
        wrong = backups.differences(manifest, backups.database_manifest(using))
        if wrong:
            raise CommandError(_("已恢复，但数据库与备份清单不符：") + "\n" + "\n".join(wrong))
        self.stdout.write(f"verified: {len(manifest['counts'])} tables' row counts, the approved figures' and the "
                          "audit rows' digests match the manifest")
