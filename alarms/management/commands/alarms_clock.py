"""Run the alarms' clock by hand (submission due/late, registered sources, escalation), as beat does hourly."""
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Judge the clock-driven alarms now and escalate the overdue ones."

    def handle(self, *args, **options):
        from alarms import evaluation

        self.stdout.write(str(evaluation.clock()))
