"""Progress as the user may see it: every page, API and export goes through ``progress_visible_to``."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from assessment.choices import PREFECTURE
from assessment.models import AreaTally, Evaluation, Progress
from liangshan_edu.roles import can_read_all, county_of


def progress_visible_to(user) -> QuerySet[Progress]:
    """Officials, auditors and administrators see all; a clerk sees their county and the prefecture."""
    qs = Progress.objects.select_related("indicator__plan", "indicator__unit")
    if can_read_all(user):
        return qs
    county = county_of(user)
    if county is None:
        return qs.none()
    return qs.filter(Q(area=county.code) | Q(area=PREFECTURE))


def evaluation_visible_to(user) -> QuerySet[Evaluation]:
    """The final evaluation as the user may see it: the same scope as progress."""
    qs = Evaluation.objects.select_related("indicator__plan", "indicator__unit")
    if can_read_all(user):
        return qs
    county = county_of(user)
    if county is None:
        return qs.none()
    return qs.filter(Q(area=county.code) | Q(area=PREFECTURE))


def default_year(user) -> int | None:
    """The one default year of every progress page: the latest year with approved figures the user can see."""
    from django.db.models import Max

    from counties.models import Figure

    return Figure.objects.visible_to(user).approved().aggregate(y=Max("year"))["y"]


def tallies_visible_to(user) -> QuerySet[AreaTally]:
    """Per-area counts of statuses and evaluation results, in the same scope as progress."""
    qs = AreaTally.objects.all()
    if can_read_all(user):
        return qs
    county = county_of(user)
    if county is None:
        return qs.none()
    return qs.filter(Q(area=county.code) | Q(area=PREFECTURE))
