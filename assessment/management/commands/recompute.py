from django.core.management.base import BaseCommand

from assessment.services import recompute_all
from liangshan_edu.progressbar import ProgressBar


class Command(BaseCommand):
    help = "Recompute every county's progress against its targets (prints a progress bar)."

    def handle(self, *args, **options):
        rows = recompute_all(progress=ProgressBar("recompute", self.stdout))
        self.stdout.write(self.style.SUCCESS(f"progress rows written: {rows}"))
