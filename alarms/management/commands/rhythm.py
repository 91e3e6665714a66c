"""Run one job of the rhythm by hand: ``manage.py rhythm daily|weekly|monthly|quarterly [--date YYYY-MM-DD]``.
Idempotent per period, like the beat schedule that runs them."""
from datetime import date

from django.core.management.base import BaseCommand

from alarms import rhythm


class Command(BaseCommand):
    help = "Run 日动态 (daily), 周调度 (weekly), 月通报 (monthly) or 季挂榜 (quarterly) for the period of a date."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=rhythm.KINDS)
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="default: today")

    def handle(self, *args, **options):
        n = rhythm.run(options["kind"], options["date"])
        self.stdout.write(f"{options['kind']}: {n} created" if n else f"{options['kind']}: already done for this period")
