"""Progress, the final evaluation and their tallies as the user may see them: every page, API and export goes
through these querysets."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from assessment.choices import PREFECTURE
from assessment.models import AreaTally, Evaluation, Progress
from liangshan_edu.roles import can_read_all, county_of


def scoped_to(user, qs: QuerySet) -> QuerySet:
    """The one scoping rule of everything kept per area: officials, auditors and administrators see every area;
    a clerk sees their county and the prefecture; anyone else nothing."""
    if can_read_all(user):
        return qs
    county = county_of(user)
    if county is None:
        return qs.none()
    return qs.filter(Q(area=county.code) | Q(area=PREFECTURE))


def progress_visible_to(user) -> QuerySet[Progress]:
    return scoped_to(user, Progress.objects.select_related("indicator__plan", "indicator__unit"))


def evaluation_visible_to(user) -> QuerySet[Evaluation]:
    """The final evaluation as the user may see it: the same scope as progress."""
    return scoped_to(user, Evaluation.objects.select_related("indicator__plan", "indicator__unit"))


def tallies_visible_to(user) -> QuerySet[AreaTally]:
    """Per-area counts of statuses and evaluation results, in the same scope as progress."""
    return scoped_to(user, AreaTally.objects.all())


def default_year(user) -> int | None:
    """The one default year of every progress page: the latest year with approved figures the user can see."""
    from django.db.models import Max

    from counties.models import Figure

    return Figure.objects.visible_to(user).approved().aggregate(y=Max("year"))["y"]
