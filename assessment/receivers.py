"""How assessment reacts to the apps below it: it recomputes what their changes affect."""
from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext as _

from assessment import basis, jobs, tasks
from counties.signals import approved_figures_changed
from liangshan_edu.watch import catalogue_write


@receiver(approved_figures_changed, dispatch_uid="assessment.recompute_for_figure")
def recompute_what_an_approval_affects(sender, indicator_id: int, county_id: int | None, year: int, **kwargs):
    """An approval or reopening committed: recompute its county's and the prefecture's rows (a Celery task)."""
    tasks.recompute_for_figure.delay(indicator_id, county_id, year)


@receiver(catalogue_write, dispatch_uid="assessment.recompute_on_catalogue_write")
def recompute_when_the_basis_changes(sender, phase: str, state: dict, user, **kwargs) -> str | None:
    """An administrator wrote in the admin: if what progress is computed from changed (``basis.digest``), start a
    full recompute (one at a time) and say so."""
    if phase == "before":
        state["assessment.digest"] = basis.digest()
        return None
    if basis.digest() == state.get("assessment.digest"):
        return None
    jobs.start_recompute(user)
    return _("目标或适用范围已变，进度将重新计算（后台任务）。")
