"""How alarms react to the apps below: the recompute's rows (progress kinds), approvals (corrections) and
submissions (the late alarm resolves when the county has submitted). A failure here is logged and never fails
the recompute or the workflow: the nightly clock and recompute judge everything again."""
from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from assessment.signals import progress_recompute_starting, progress_recomputed
from counties.choices import FigureStatus
from counties.models import Figure
from counties.signals import approved_figures_changed, figure_returned

log = logging.getLogger(__name__)


@receiver(progress_recompute_starting, dispatch_uid="alarms.watch_full_recompute")
def watch_full_recompute(sender, using: str = "default", **kwargs):
    """A full recompute starts: give it a tap that keeps what the progress rules judge as the rows are computed
    (``sources.Seen``), so that alarms need not read them back (issue 9: "evaluated inside the recompute, not by
    another pass over all rows"). None (no tap) when no year is judged yet or on any failure."""
    from alarms import sources

    try:
        year = sources.judged_year(using)
    except Exception:  # noqa: BLE001 — alarms never fail a recompute
        log.exception("alarms: preparing to watch the recompute failed")
        return None
    return sources.Seen(year) if year is not None else None


@receiver(progress_recomputed, dispatch_uid="alarms.judge_progress")
def judge_progress(sender, rows, indicator_id, using: str = "default", taps=(), **kwargs) -> None:
    from alarms import evaluation, sources

    try:
        with transaction.atomic(using=using):
            if rows is None:
                seen = next((tap for tap in taps if isinstance(tap, sources.Seen)), None)
                evaluation.after_full_recompute(using=using, seen=seen)
            else:
                evaluation.after_incremental(rows, using=using)
    except Exception:  # noqa: BLE001 — alarms never fail a recompute
        log.exception("alarms: judging the recompute's rows failed")


@receiver(approved_figures_changed, dispatch_uid="alarms.judge_correction")
def judge_correction(sender, indicator_id: int, county_id: int | None, year: int, **kwargs) -> None:
    from alarms import evaluation

    if county_id is None:
        return
    try:
        evaluation.correction(indicator_id, county_id, year)
    except Exception:  # noqa: BLE001
        log.exception("alarms: judging a correction failed")


@receiver(post_save, sender=Figure, dispatch_uid="alarms.submission_changed")
def submission_changed(sender, instance: Figure, **kwargs) -> None:
    """A figure was submitted or approved: once the transaction commits, see whether its county's submission
    alarms can resolve (raising is the clock's job)."""
    if instance.county_id is None or instance.status not in (FigureStatus.SUBMITTED, FigureStatus.APPROVED):
        return
    county_id, year = instance.county_id, instance.year

    def run() -> None:
        from alarms import evaluation

        try:
            evaluation.after_submission(county_id, year)
        except Exception:  # noqa: BLE001
            log.exception("alarms: judging submissions failed")

    transaction.on_commit(run)


@receiver(figure_returned, dispatch_uid="alarms.figure_returned")
def figure_was_returned(sender, county_id: int, indicator_id: int, year: int, reason: str = "",
                        reopened: bool = False, **kwargs) -> None:
    """A returned (or reopened) figure: its county's clerks get a bell item."""
    from alarms import services

    try:
        services.notify_returned(county_id, indicator_id, year, reason, reopened)
    except Exception:  # noqa: BLE001 — the bell never fails the workflow
        log.exception("alarms: telling the clerks of a returned figure failed")
