"""The quarterly ranking (季挂榜, issue 9) by the plan-8 assessment score: once an assessment is published, the
alarms app's ranking ranks the counties by its score (the latest version of the latest published year) instead of
its own measure. Registered with ``alarms.publishing.register_ranking_measure`` — alarms sits below this app and
never imports it."""
from __future__ import annotations

from django.utils.translation import gettext as _

from alarms.publishing import Scores, register_ranking_measure
from scoring import queries


def assessment_scores(period: str) -> Scores | None:
    """Each county's score in the latest published assessment (None: nothing published yet)."""
    outcome = queries.latest_published()
    if outcome is None:
        return None
    return Scores(label=_("年度考核得分"), unit=_("分"),
                  by_county={r.code: float(r.score) for r in outcome.rows},
                  basis=_("%(year)s年度考核（第%(version)s版）") % {"year": outcome.year, "version": outcome.version})


def register() -> None:
    register_ranking_measure("assessment", assessment_scores, priority=200)
