from django.core.management.base import BaseCommand

from scoring.schools import SCHOOLS_FILE, load_schools


class Command(BaseCommand):
    help = "Create or update the schools of a reviewable YAML file (default fixtures/schools/schools.yaml)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(SCHOOLS_FILE))

    def handle(self, *args, path, **options):
        self.stdout.write(f"schools created or changed: {load_schools(path)}")
