"""Targets whose scope is a condition on a county attribute (issue 14 item 1: CMP-20 30万人口以上的县（市）,
CMP-16/17 and HS-39/42/43 where a county has such a model high school).

Plain functions first (no database), then the engine on the database and the API.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment import engine
from assessment.rules import Rule
from indicators import catalogue
from indicators.targets import Condition, TargetSpec, in_force, value_in_force

RULE = Rule(lagging_share=D("0.8"), base_year=2021)
OVER_300K = Condition("population", "gte", D(300000), "30万人口以上的县（市）")


# ------------------------------------------------------------------------------------------ plain values --

def test_the_value_in_force_is_the_latest_recorded_up_to_the_year():
    series = [(2020, D(290000)), (2023, D(305000))]
    assert value_in_force(series, 2019) is None
    assert value_in_force(series, 2022) == D(290000)
    assert value_in_force(series, 2025) == D(305000)


def test_a_condition_holds_is_false_or_is_not_decided():
    assert OVER_300K.holds({"population": [(2020, D(300000))]}, 2025) is True  # 以上 includes the number
    assert OVER_300K.holds({"population": [(2020, D(299999))]}, 2025) is False
    assert OVER_300K.holds({}, 2025) is None
    assert OVER_300K.holds({"population": [(2024, D(400000))]}, 2023) is None


def test_in_force_keeps_unconditional_targets_and_says_when_a_condition_is_undecided():
    plain = TargetSpec(2025, D(90))
    conditional = TargetSpec(2025, D(1), condition=OVER_300K)
    assert in_force([plain, conditional], {}, 2025) == ([plain], True)
    assert in_force([conditional], {"population": [(2020, D(1))]}, 2025) == ([], False)


def _ind(targets):
    return engine.IndicatorInfo(1, "count", "at_least", "county", "all", list(range(2021, 2026)), list(targets))


def _both(ind, facts, figures):
    plan = engine._Plan(ind)
    entries = plan.years_for("513401", 1, facts)
    scaled = [(None, None, y, engine._scaled(v), engine._scaled(n), engine._scaled(d)) for y, v, n, d in figures]
    share = RULE.lagging_share.as_integer_ratio()
    fast = [] if entries is None else [engine._as_row(raw, "now") for raw in
                                       engine._county_rows(plan, entries, "513401", scaled, RULE, share)]
    reference = list(engine.county_rows(ind, "513401", 1, figures, RULE, "now", facts))
    assert fast == reference
    return {row[2]: row[11] for row in reference}


@pytest.mark.parametrize("facts, expected", [
    ({}, {y: "not_determined" for y in range(2021, 2026)}),
    ({"population": [(2020, D(250000))]}, {}),
    ({"population": [(2020, D(350000))]}, {2021: "on_track", 2022: "no_data", 2023: "no_data", 2024: "no_data",
                                           2025: "achieved"}),
    # recorded from 2023 only: not determined before, judged from then on
    ({"population": [(2023, D(350000))]}, {2021: "not_determined", 2022: "not_determined", 2023: "no_data",
                                           2024: "no_data", 2025: "achieved"}),
])
def test_the_fast_path_and_the_rule_agree_on_a_conditional_scope(facts, expected):
    ind = _ind([TargetSpec(2025, D(1), condition=OVER_300K)])
    figures = [(2021, D(0), None, None), (2025, D(1), None, None)]
    assert _both(ind, facts, figures) == expected


# ----------------------------------------------------------------------------------------- the catalogue --

def _cmp20(cat):
    doc = next(d for d in cat.plans if d["plan"]["code"] == "compulsory")
    return next(i for i in doc["indicators"] if i["code"] == "CMP-20")


def test_the_catalogue_states_cmp20_as_a_population_condition():
    t = _cmp20(catalogue.read_files())["targets"][0]
    assert t["condition"] == {"attribute": "population", "operator": "gte", "value": 300000,
                              "text": "30万人口以上的县（市）"}


def test_check_refuses_a_condition_naming_an_unknown_attribute():
    cat = catalogue.read_files()
    _cmp20(cat)["targets"][0]["condition"] = {"attribute": "inhabitants", "operator": "gte", "value": 1,
                                              "text": "x"}
    assert any("unknown county attribute 'inhabitants'" in p for p in catalogue.check(cat))


# ---------------------------------------------------------------------------------- database and the API --

def _population(code, value, year=2020):
    from places.models import Attribute, AttributeValue, County

    AttributeValue.objects.create(county=County.objects.get(code=code), attribute=Attribute.objects.get(
        code="population"), year=year, value=value, source="测试数据")


@pytest.mark.django_db
def test_cmp20_is_judged_only_in_counties_over_300000_and_not_determined_where_unknown():
    from assessment.models import Progress
    from assessment.services import recompute_all
    from counties.models import Figure
    from indicators.models import Indicator
    from places.models import County

    _population("513401", D(950000))   # 西昌: over
    _population("513422", D(140000))   # 木里: under
    Figure.objects.create(county=County.objects.get(code="513401"), indicator=Indicator.objects.get(code="CMP-20"),
                          year=2025, value=D(1), status="approved")
    recompute_all()
    rows = Progress.objects.filter(indicator__code="CMP-20", year=2025)
    assert rows.get(area="513401").status == "achieved"
    assert not rows.filter(area="513422").exists()
    assert rows.get(area="513431").status == "not_determined"
    # the prefecture counts the counties the condition selects now (西昌 only) and how many meet it
    prefecture = rows.get(area="prefecture")
    assert (prefecture.value, prefecture.target, prefecture.status) == (D(1), D(1), "achieved")


@pytest.mark.django_db
def test_the_api_lists_the_counties_the_condition_selects_now_and_the_condition(auditor):
    from tests.conftest import api_for

    _population("513401", D(950000))
    _population("513422", D(140000))
    data = api_for(auditor).get("/api/v1/indicators/", {"plan": "compulsory"}).json()
    data = data["results"] if isinstance(data, dict) else data
    target = next(i for i in data if i["code"] == "CMP-20")["targets"][0]
    assert target["counties"] == ["513401"]
    assert target["condition"] == {"attribute": "population", "operator": "gte", "value": 300000,
                                   "text": "30万人口以上的县（市）"}
    unconditional = next(i for i in data if i["code"] == "CMP-01")["targets"][0]
    assert (unconditional["counties"], unconditional["condition"]) == (None, None)


@pytest.mark.django_db
def test_recording_an_attribute_changes_what_progress_is_computed_from():
    # The admin recomputes when ``basis.digest`` changes (assessment.receivers): an attribute value counts.
    from assessment import basis

    before = basis.digest()
    _population("513401", D(950000))
    assert basis.digest() != before


def test_random_series_under_a_condition_match_the_rule():
    import random

    rng = random.Random(14)
    for _ in range(150):
        goal = D(rng.randint(1, 60))
        target_year = rng.choice([None, 2023, 2025])
        ind = engine.IndicatorInfo(1, "count", rng.choice(["at_least", "at_most"]), "county", "all",
                                   list(range(2021, 2026)), [TargetSpec(target_year, goal, condition=OVER_300K)])
        facts = {"population": sorted({(rng.randint(2019, 2026), D(rng.choice([250000, 300000, 350000])))
                                       for _ in range(rng.randint(0, 3))})}
        figures = [(y, D(rng.randint(0, 80)), None, None) for y in range(2021, 2026) if rng.random() < 0.8]
        _both(ind, facts, figures)


@pytest.mark.django_db
def test_the_county_page_says_not_applicable_not_determined_or_the_status(official):
    import re

    from django.urls import reverse

    from assessment.services import recompute_all
    from tests.conftest import client_for

    _population("513401", D(950000))
    _population("513422", D(140000))
    recompute_all()

    def cmp20_row(code):
        html = client_for(official).get(reverse("county-page", args=[code]), {"year": 2025}).content.decode()
        return re.search(r'<tr id="row-CMP-20">.*?</tr>', html, re.S).group(0)

    assert "不适用" in cmp20_row("513422") and "30万人口以上的县（市）" in cmp20_row("513422")
    assert "status-not_determined" in cmp20_row("513431")
    xichang = cmp20_row("513401")
    assert "status-no_data" in xichang and "不适用" not in xichang
