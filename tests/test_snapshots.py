"""Snapshots keep what was published, exactly, and taking one twice for a period changes nothing."""
from datetime import date

import pytest

from assessment.models import Progress, Snapshot, SnapshotRow
from assessment.services import recompute_all
from assessment.snapshots import period_of, take_snapshot
from assessment.tasks import snapshot_progress
from counties.demo import create_figures

pytestmark = pytest.mark.django_db


def test_period_labels():
    assert period_of("monthly", date(2026, 11, 29)) == "2026-11"
    assert period_of("quarterly", date(2026, 11, 29)) == "2026Q4"
    assert period_of("quarterly", date(2026, 1, 1)) == "2026Q1"


def test_snapshot_copies_progress_and_is_idempotent_per_period():
    create_figures()
    recompute_all()
    snap = take_snapshot("monthly", "2026-11")
    assert snap.rows == Progress.objects.count() == SnapshotRow.objects.filter(snapshot=snap).count()
    row = Progress.objects.exclude(value=None).select_related("indicator").first()
    copied = SnapshotRow.objects.get(snapshot=snap, area=row.area, indicator_code=row.indicator.code, year=row.year)
    assert (copied.value, copied.status, copied.target) == (row.value, row.status, row.target)
    again = take_snapshot("monthly", "2026-11")
    assert again.pk == snap.pk and SnapshotRow.objects.count() == snap.rows


def test_later_recomputation_does_not_change_what_was_published():
    create_figures()
    recompute_all()
    snap = take_snapshot("quarterly", "2026Q4")
    before = list(SnapshotRow.objects.filter(snapshot=snap).order_by("id").values_list("status", flat=True))
    Progress.objects.update(status="off_track")
    assert list(SnapshotRow.objects.filter(snapshot=snap).order_by("id").values_list("status", flat=True)) == before


def test_snapshot_task_runs_eagerly():
    pk = snapshot_progress.delay("monthly", "2025-01").get()
    assert Snapshot.objects.get(pk=pk).period == "2025-01"
