"""backup: a dated folder with a pg_dump (custom format), a tar of the media folder and a manifest; prunes old ones.

    python manage.py backup [--dir /backups] [--keep-days 14]

Defaults from the environment: ``BACKUP_DIR`` (``backups/`` in the project), ``BACKUP_KEEP_DAYS`` (14). The
folder is named after the local time (``20260101-020000``) and appears only once complete. See
docs/operations.md; ``manage.py restore`` reads it back.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liangshan_edu import backups
from liangshan_edu.env import env, envint


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the media folder into a dated folder with a manifest; prune old ones."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=env("BACKUP_DIR") or str(Path(settings.BASE_DIR) / "backups"),
                            help="where the dated backup folders go (BACKUP_DIR)")
        parser.add_argument("--keep-days", type=int, default=envint("BACKUP_KEEP_DAYS", 14),
                            help="delete backups older than this many days; the newest is always kept (BACKUP_KEEP_DAYS)")

    def handle(self, *args, **options):
        if options["keep_days"] < 0:
            raise CommandError(_("--keep-days 不能是负数。"))
        directory = Path(options["dir"])
        try:
            folder = backups.create_backup(directory, Path(settings.MEDIA_ROOT))
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backups.verify_files(folder)
        counts = manifest["counts"]
        self.stdout.write(f"backup {folder}: {counts.get('counties.Figure', 0)} figures, "
                          f"{len(manifest['media'])} media files, "
                          f"approved figures sha256 {manifest['digests']['approved_figures'][:16]}…")
        for name in backups.prune(directory, options["keep_days"]):
            self.stdout.write(f"pruned {name} (older than {options['keep_days']} days)")
