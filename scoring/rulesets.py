"""Which assessment rules apply to a year: the year's own ``AssessmentRuleSet``, else the plan's default."""
from __future__ import annotations

from django.db.models import Q

from assessment.models import AssessmentRuleSet


def rules_for(year: int) -> dict:
    found = dict(AssessmentRuleSet.objects.filter(Q(year=year) | Q(year__isnull=True)).values_list("year", "rules"))
    return found.get(year) or found.get(None) or {}
