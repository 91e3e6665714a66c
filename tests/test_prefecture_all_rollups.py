"""Every county-level ``all`` roll-up of the catalogue (每县…, 每名教师…): the prefecture's rows count counties, so
their target is the number of counties the indicator governs — worked out here with the entry paths' own scope
predicate (``indicators.targets.in_scope``), not the engine's ``scope_count``. A band's or a per-county target
leaking into the prefecture's row (the bug a golden file caught on PostgreSQL only) fails it for the indicator."""
from __future__ import annotations

import pytest

from assessment.choices import PREFECTURE
from assessment.models import Evaluation, Progress
from assessment.scope import counts_counties, load_indicators
from assessment.services import recompute_all
from indicators.models import Indicator
from indicators.targets import in_scope, targets_for
from places.models import County, county_facts

pytestmark = pytest.mark.django_db


def _governed(info, counties, facts) -> int:
    return sum(1 for code, tier in counties
               if in_scope(targets_for(info.targets, code, tier), facts.get(code, {}), 9999) is True)


def test_the_prefectures_target_of_every_all_rollup_is_the_counties_it_governs():
    recompute_all()
    counties = list(County.objects.values_list("code", "tier"))
    facts = county_facts()
    infos = [i for i in load_indicators() if counts_counties(i.level, i.rollup) and i.targets]
    assert len(infos) >= 10  # the catalogue has many 每县… targets: the test must be looking at them
    codes = dict(Indicator.objects.values_list("id", "code"))
    wrong = {}
    for info in infos:
        n = _governed(info, counties, facts)
        progress = set(Progress.objects.filter(area=PREFECTURE, indicator_id=info.id).values_list("target", flat=True))
        evaluation = set(Evaluation.objects.filter(area=PREFECTURE, indicator_id=info.id)
                         .values_list("target", flat=True))
        if n and ({int(t) for t in progress} != {n} or {int(t) for t in evaluation} - {n}):
            wrong[codes[info.id]] = (n, sorted(progress), sorted(evaluation))
        elif not n and (progress or evaluation):
            wrong[codes[info.id]] = (n, sorted(progress), sorted(evaluation))
    assert wrong == {}
