from django.core.management.base import BaseCommand, CommandError

from assessment import basis, services
from indicators import catalogue
from liangshan_edu.loading import load_catalogue
from liangshan_edu.progressbar import ProgressBar


class Command(BaseCommand):
    help = ("Load the counties and the indicator catalogue from fixtures/ (safe to run again); recompute progress "
            "when targets, indicators or tiers changed.")

    def add_arguments(self, parser):
        parser.add_argument("--no-recompute", action="store_true",
                            help="do not recompute progress even if the targets changed (the nightly run will)")

    def handle(self, *args, **options):
        before = basis.digest()
        try:
            stats = load_catalogue(catalogue.read_files(), progress=ProgressBar("catalogue", self.stdout))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(", ".join(f"{k}: {v}" for k, v in stats.items())))
        if basis.digest() == before:
            self.stdout.write("targets unchanged: progress kept")
        elif options["no_recompute"]:
            self.stdout.write("targets changed: progress NOT recomputed (--no-recompute)")
        else:
            rows = services.recompute_all(progress=ProgressBar("progress", self.stdout))
            self.stdout.write(f"targets changed: progress recomputed ({rows} rows)")
