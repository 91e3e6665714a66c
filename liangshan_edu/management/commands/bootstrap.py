"""bootstrap: migrate, load counties and catalogue, create role groups; --demo adds demo users and figures.

It orchestrates every app (indicators, counties, assessment), so it lives in the project package: the apps
themselves do not import the ones above them.
"""
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load counties and catalogue, create role groups; --demo adds demo users and figures."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="also create demo users and synthetic figures")

    def handle(self, *args, **options):
        from counties import demo
        from liangshan_edu import groups

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("migrated")
        # With --demo, progress is recomputed once the demo figures are in, not before as well.
        call_command("load_catalogue", stdout=self.stdout, no_recompute=options["demo"])
        groups.ensure_groups()
        from alarms.defaults import load_default_rules

        load_default_rules()
        if options["demo"]:
            users = demo.create_users()
            self.stdout.write("demo users (password liangshan2025, demo only): " + ", ".join(users))
            n = demo.load(stdout=self.stdout)
            if n:
                self.stdout.write(f"demo figures (演示数据): {n}")
            else:
                self.stdout.write("demo figures (演示数据): already present, left unchanged")
            from assessment.services import recompute_all

            recompute_all()
            self.stdout.write("progress recomputed")
            from scoring import demo as scoring_demo

            scoring_demo.load(stdout=self.stdout)
        # The demo figures are bulk-created, without the signals that announce each write: announce them all.
        from liangshan_edu.dataversion import TOPICS, changed

        changed(*TOPICS)
