"""What pages, the API and higher apps (dashboards, the red/black lists) read: published assessments and, for
those who may, a preview. Higher apps use these functions, never the models' internals."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied

from liangshan_edu.roles import can_read_county, can_recompute
from scoring import schools, services
from scoring.models import Assessment
from scoring.schools import SchoolRow
from scoring.services import Outcome


class NotPublished(LookupError):
    """No published assessment for the year (or not that version)."""


def published_years() -> list[int]:
    return sorted(set(Assessment.objects.values_list("year", flat=True)), reverse=True)


def latest_published() -> Outcome | None:
    """The latest version of the latest published year (what the red/black lists use), or None."""
    latest = Assessment.objects.order_by("-year", "-version").first()
    return services.published_outcome(latest) if latest else None


def versions(year: int) -> list[Assessment]:
    return list(Assessment.objects.filter(year=year).select_related("published_by").order_by("version"))


def may_preview(user) -> bool:
    """Officials (and administrators, who set the scheme) look at a year's assessment before it is published."""
    return can_recompute(user)


def outcome_for(user, year: int, *, version: int | None = None, preview: bool = False) -> Outcome:
    """The year's assessment as the user may see it: a published version (the latest unless ``version``), or
    the preview computed now (officials and administrators only)."""
    if preview:
        if not may_preview(user):
            raise PermissionDenied
        return services.compute(year)
    return services.published_outcome(published(year, version))


def published(year: int, version: int | None = None) -> Assessment:
    """The year's published version (the latest unless ``version``), or ``NotPublished``."""
    qs = Assessment.objects.filter(year=year)
    found = (qs.filter(version=version) if version else qs.order_by("-version")).first()
    if found is None:
        raise NotPublished(year)
    return found


def school_ranking_for(user, year: int, stage: str, *, version: int | None = None,
                       preview: bool = False) -> tuple[list[SchoolRow], Assessment | None]:
    """A stage's school ranking as the user may see it: as frozen with a published version of the year (the
    latest unless ``version``), or computed now from the approved scores (officials and administrators only).
    Returns the rows and the version they come from (None for a preview)."""
    if preview:
        if not may_preview(user):
            raise PermissionDenied
        return schools.stage_ranking(year, stage), None
    found = published(year, version)
    return schools.published_stage_ranking(found, stage), found


def breakdown_visible(user, county) -> bool:
    """A county's breakdown: readers of everything, and that county's clerk. (The ranking itself is published
    to every role, as the prefecture announces it.)"""
    return can_read_county(user, county)


def movement(user, county_code: str, year: int) -> dict | None:
    """A county's published score and rank this year against last year's (None when last year is not published)."""
    try:
        last = outcome_for(user, year - 1)
    except NotPublished:
        return None
    row = next((r for r in last.rows if r.code == county_code), None)
    return None if row is None else {"year": year - 1, "score": row.score, "rank": row.rank,
                                     "award": row.award.label if row.award else "", "lines": row.lines}
