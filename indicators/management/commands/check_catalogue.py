from django.core.management.base import BaseCommand, CommandError

from indicators import catalogue


class Command(BaseCommand):
    help = "Check the indicator catalogue (fixtures/catalogue/*.yaml, or the database with --database)."

    def add_arguments(self, parser):
        parser.add_argument("--database", action="store_true", help="check the catalogue as loaded in the database")

    def handle(self, *args, **options):
        data = catalogue.from_database() if options["database"] else catalogue.read_files()
        problems = catalogue.check(data)
        if problems:
            for line in problems:
                self.stderr.write(f"  - {line}")
            raise CommandError(f"catalogue is inconsistent: {len(problems)} problem(s)")
        n_ind = sum(len(d.get("indicators") or []) for d in data.plans)
        n_tgt = sum(len(i.get("targets") or []) for d in data.plans for i in d.get("indicators") or [])
        self.stdout.write(self.style.SUCCESS(
            f"catalogue OK: {len(data.plans)} plans, {n_ind} indicators, {n_tgt} targets"))
