"""The alarm rules as plain functions over plain values (tested without the database).

Each returns a verdict: ``RAISE`` (the cause is there: raise, or keep the open alarm), ``CLEAR`` (the cause is
gone: resolve the open alarm) or ``KEEP`` (in the band between: change nothing). The band is the no-flapping
rule (hysteresis): an off-track alarm is raised at 严重滞后 and cleared only at 正常推进 or better, so a value
hovering at the 80 % line (滞后 ↔ 严重滞后) neither raises nor resolves on each recompute; a year without a
figure (未填报) changes nothing either.
"""
from __future__ import annotations

from datetime import date

from assessment.choices import ProgressStatus

RAISE, KEEP, CLEAR = "raise", "keep", "clear"

RANK = {ProgressStatus.ACHIEVED: 4, ProgressStatus.ON_TRACK: 3, ProgressStatus.LAGGING: 2, ProgressStatus.OFF_TRACK: 1}
GOOD = (ProgressStatus.ACHIEVED, ProgressStatus.ON_TRACK)


def off_track(status: str | None, overdue: bool) -> str:
    """严重滞后 raises; 正常推进 or 已达标 clears; 滞后 and 未填报 keep. An overdue target is the overdue rule's
    (red) alarm, not this one's: keep."""
    if status == ProgressStatus.OFF_TRACK and not overdue:
        return RAISE
    if status in GOOD:
        return CLEAR
    return KEEP


def status_fall(status: str | None, previous: str | None) -> str:
    """The latest year's status is worse than the year before's and is 滞后 or 严重滞后: raise. Back to the
    previous year's level or better (or to 正常推进): clear. Without both years' figures: keep."""
    if status not in RANK:
        return KEEP
    if status in GOOD:
        return CLEAR
    if previous not in RANK:
        return KEEP
    return RAISE if RANK[status] < RANK[previous] else CLEAR


def overdue(status: str | None, is_overdue: bool) -> str:
    """A deadline passed without achievement: raise; achieved: clear; a year without a figure: keep."""
    if is_overdue:
        return RAISE
    if status in RANK:
        return CLEAR
    return KEEP


def submission_due(today: date, deadline: date | None, missing: int, days: int) -> str:
    """蓝: figures still missing and the deadline within ``days`` days (today included). Else clear: all
    submitted, no deadline, or the deadline passed (then it is the late rule's)."""
    if deadline is None or missing <= 0:
        return CLEAR
    return RAISE if 0 <= (deadline - today).days <= days else CLEAR


def submission_late(today: date, deadline: date | None, missing: int) -> str:
    """黄: figures still missing after the deadline day."""
    if deadline is None or missing <= 0:
        return CLEAR
    return RAISE if today > deadline else CLEAR


def correction(previous: float | None, new: float | None, max_share: float) -> bool:
    """An approved value corrected by more than ``max_share`` of itself (from zero: any change)."""
    if previous is None or new is None or previous == new:
        return False
    if previous == 0:
        return True
    return abs(new - previous) / abs(previous) > max_share
