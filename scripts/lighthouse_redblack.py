"""Lighthouse setup (LH_SETUP) for the red/black pages the demo does not have: a published 2026-Q3 list of the
demo's 2025 data, a correction of it (version 2: /redblack/publications/2/), and a publication job still queued
(/redblack/jobs/00000000-0000-0000-0000-000000000001/). Run by scripts/lighthouse.sh in `manage.py shell`."""
import uuid

from django.contrib.auth.models import User

from redblack import lists
from redblack.models import ListJob

official = User.objects.get(username="official")
first = lists.publish(official, "2026-Q3", 2025)
black = first.entries.filter(list="black").order_by("position").first()
lists.correct(official, first, remove=[black.pk], reason="申诉成立，撤下一条")
ListJob.objects.create(id=uuid.UUID(int=1), action=ListJob.Action.PUBLISH, period="2026-Q4", year=2025,
                       requested_by=official, step="规则：严重滞后或逾期指标", done=2, total=7, state="running")
print("red/black pages ready:", first.pk, "and its correction")
