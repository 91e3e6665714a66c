"""Snapshots of progress for bulletins (月通报) and rankings (季挂榜): published once, kept forever."""
from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from assessment.models import Progress, Snapshot, SnapshotRow


def period_of(kind: str, day: date) -> str:
    """The period label of a date: '2026-11' for a monthly bulletin, '2026Q4' for a quarterly ranking."""
    if kind == Snapshot.Kind.QUARTERLY:
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if kind == Snapshot.Kind.MONTHLY:
        return f"{day.year}-{day.month:02d}"
    return timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")


@transaction.atomic
def take_snapshot(kind: str, period: str | None = None, user=None, note: str = "") -> Snapshot:
    """Copy the current progress into a snapshot. Idempotent: a period already published is returned as is."""
    period = period or period_of(kind, timezone.localdate())
    existing = Snapshot.objects.filter(kind=kind, period=period).first()
    if existing is not None:
        return existing
    snapshot = Snapshot.objects.create(kind=kind, period=period, taken_by=user, note=note)
    rows, progress = SnapshotRow._meta.db_table, Progress._meta.db_table
    from indicators.models import Indicator

    indicators = Indicator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {rows} (snapshot_id, area, indicator_code, year, value, target, target_year, expected,"
            f" status, overdue, projected)"
            f" SELECT %s, p.area, i.code, p.year, p.value, p.target, p.target_year, p.expected, p.status,"
            f" p.overdue, p.projected FROM {progress} p JOIN {indicators} i ON i.id = p.indicator_id",
            [snapshot.pk],
        )
        count = cursor.rowcount
    Snapshot.objects.filter(pk=snapshot.pk).update(rows=count)
    snapshot.rows = count
    return snapshot
