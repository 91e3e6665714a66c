from django.core.management.base import BaseCommand, CommandError

from indicators import catalogue
from liangshan_edu.progressbar import ProgressBar


class Command(BaseCommand):
    help = "Load the counties and the indicator catalogue from fixtures/ (safe to run again)."

    def handle(self, *args, **options):
        try:
            stats = catalogue.load(catalogue.read_files(), progress=ProgressBar("catalogue", self.stdout))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(", ".join(f"{k}: {v}" for k, v in stats.items())))
