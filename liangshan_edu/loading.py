"""Loading the fixtures of every app, in order (orchestration: the one place that knows every app)."""
from __future__ import annotations

from typing import Callable

from django.db import transaction

from assessment import rulesets
from indicators import catalogue as indicator_catalogue
from places import loading as places_loading


@transaction.atomic
def load_catalogue(catalogue: indicator_catalogue.Catalogue,
                   progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Counties, units, plans, tasks, indicators and targets (``indicators.catalogue``), then the assessment
    plan's rules (``assessment.rulesets``), in one transaction."""
    places_loading.load_attributes(catalogue.attributes)
    stats = indicator_catalogue.load(catalogue, progress=progress)
    if rulesets.load_plan_rules(catalogue):
        stats["assessment rules"] = 1
    return stats
