"""Bands (issue 14 item 3): 普职招生比大体相当 as a ``between`` target (HS-02, 45–55 % vocational; VOC-11 refers to
it), and the benefit ranges TCH-02 2—100万元 and TCH-03 800—2000元/月."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment import engine
from assessment.rules import Rule, evaluate, judge
from indicators import catalogue
from indicators.targets import TargetSpec

RULE = Rule(lagging_share=D("0.8"), base_year=2021)


def band(year, values, target_year=2025):
    return evaluate(kind="rate", direction="between", year=year, values=values, target=D(45), upper=D(55),
                    target_year=target_year, rule=RULE)


def test_48_percent_is_within_the_band_and_40_outside():
    assert band(2025, {2025: D(48)}).status == "achieved"
    outside = band(2025, {2025: D(40)})
    assert (outside.status, outside.overdue, outside.target, outside.gap) == ("off_track", True, D(45), D(5))


def test_above_the_band_moves_toward_the_upper_bound():
    o = band(2025, {2025: D(60)})
    assert (o.status, o.target, o.gap) == ("off_track", D(55), D(5))
    # on the way down from 70 % in 2021 to at most 55 % by 2025: 63 % in 2023 is on the line (62.5) within 80 %
    assert band(2023, {2021: D(70), 2023: D(63)}).status == "lagging"
    assert band(2023, {2021: D(70), 2023: D(62)}).status == "on_track"


def test_the_final_evaluation_of_a_band():
    met = judge(kind="rate", direction="between", target=D(45), upper=D(55), target_year=2025,
                values={2025: D(48)})
    assert met.result == "met_on_time"
    missed = judge(kind="rate", direction="between", target=D(45), upper=D(55), target_year=2025,
                   values={2025: D(56)})
    assert missed.result == "missed"


def test_the_fast_path_gives_the_rules_rows_for_a_band():
    ind = engine.IndicatorInfo(1, "rate", "between", "county", "ratio", list(range(2021, 2026)),
                               [TargetSpec(2025, D(45), upper=D(55))])
    figures = [(2021, D(30), D(30), D(100)), (2023, D(40), D(40), D(100)), (2025, D(48), D(48), D(100))]
    plan = engine._Plan(ind)
    scaled = [(None, None, y, engine._scaled(v), engine._scaled(n), engine._scaled(d)) for y, v, n, d in figures]
    fast = [engine._as_row(raw, "now") for raw in engine._county_rows(
        plan, plan.years_for("513401", 1), "513401", scaled, RULE, RULE.lagging_share.as_integer_ratio())]
    assert fast == list(engine.county_rows(ind, "513401", 1, figures, RULE, "now"))
    assert [r[11] for r in fast] == ["on_track", "no_data", "on_track", "no_data", "achieved"]


def test_the_prefecture_judges_a_band_once_when_its_value_crossed_it():
    """The rows above the band carry its upper bound as their target, the row inside it the lower: one judgement
    for the deadline, against the band (two made the evaluation's unique constraint fail, bench_progress)."""
    from assessment.evaluation import prefecture_judgements

    ind = engine.IndicatorInfo(1, "rate", "between", "county", "ratio", list(range(2021, 2026)),
                               [TargetSpec(2025, D(45), upper=D(55))])
    rows = [(2021, D("77.0"), D(55), 2025), (2024, D("57.4"), D(55), 2025), (2025, D("51.5"), D(45), 2025)]
    judged = list(prefecture_judgements(ind, rows, None, (2021, 2025)))
    assert [(r[2], r[3]) for r in judged] == [(2025, D(45))]
    assert judged[0][4].result == "met_on_time"


def _indicator(cat, code):
    return next(i for d in cat.plans for i in d.get("indicators") or [] if i["code"] == code)


def test_the_catalogue_models_the_bands():
    cat = catalogue.read_files()
    hs02 = _indicator(cat, "HS-02")
    assert (hs02["direction"], hs02["targets"][0]["value"], hs02["targets"][0]["upper"]) == ("between", 45, 55)
    voc11 = _indicator(cat, "VOC-11")
    assert (voc11["same_as"], voc11["retired"]) == ("HS-02", True)
    assert [(t["value"], t["upper"]) for t in _indicator(cat, "TCH-02")["targets"]] == [(2, 100)]
    assert [(t["value"], t["upper"]) for t in _indicator(cat, "TCH-03")["targets"]] == [(800, 2000)]


def test_check_refuses_a_between_target_without_both_bounds():
    cat = catalogue.read_files()
    del _indicator(cat, "HS-02")["targets"][0]["upper"]
    assert any("HS-02" in p and "needs both bounds" in p for p in catalogue.check(cat))


def test_check_refuses_one_requirement_twice_unless_one_refers_to_the_other():
    cat = catalogue.read_files()
    voc11 = _indicator(cat, "VOC-11")
    del voc11["same_as"]
    voc11["retired"] = False
    assert any("VOC-11" in p and "HS-02" in p and "same_as" in p for p in catalogue.check(cat))
    voc11["same_as"] = "HS-02"
    assert catalogue.check(cat) == []


@pytest.mark.django_db
def test_hs02_on_the_database_and_voc11_has_no_rows_of_its_own():
    from assessment.models import Progress
    from assessment.services import recompute_all
    from counties.models import Figure
    from indicators.models import Indicator
    from places.models import County

    hs02 = Indicator.objects.get(code="HS-02")
    assert Indicator.objects.get(code="VOC-11").same_as == hs02
    for code, share in [("513401", 48), ("513431", 40)]:
        Figure.objects.create(county=County.objects.get(code=code), indicator=hs02, year=2025, value=D(share),
                              numerator=D(share), denominator=D(100), status="approved")
    recompute_all()
    rows = Progress.objects.filter(indicator=hs02, year=2025)
    assert rows.get(area="513401").status == "achieved"
    assert (rows.get(area="513431").status, rows.get(area="513431").target) == ("off_track", D(45))
    assert rows.get(area="prefecture").value == D("44.0000")  # 88 / 200
    assert not Progress.objects.filter(indicator__code="VOC-11").exists()


# A band's projection (the trend at the deadline) meets the target only inside the band: worked by hand with
# the least-squares line through two points, which is the line through them.
@pytest.mark.parametrize("values, projected, will_meet", [
    ({2021: D(30), 2023: D(40)}, D(50), True),    # below, rising 5 a year: 50 in 2025, inside
    ({2021: D(30), 2023: D(50)}, D(70), False),   # rising 10 a year: overshoots the upper bound 55
    ({2021: D(70), 2023: D(62)}, D(54), True),    # above, falling 4 a year: 54, inside
    ({2021: D(80), 2023: D(60)}, D(40), False),   # falling 10 a year: below the lower bound 45
    ({2021: D(45), 2023: D(53)}, D(61), False),   # inside, drifting up 4 a year: 61, above the band
])
def test_a_bands_projection_looks_at_both_bounds(values, projected, will_meet):
    o = band(2023, values)
    assert (o.projected, o.will_meet) == (projected, will_meet)


def test_the_engine_gives_the_rules_projection_for_a_band():
    ind = engine.IndicatorInfo(1, "rate", "between", "county", "ratio", list(range(2021, 2026)),
                               [TargetSpec(2025, D(45), upper=D(55))])
    figures = [(2021, D(30), D(30), D(100)), (2023, D(50), D(50), D(100))]
    plan = engine._Plan(ind)
    scaled = [(None, None, y, engine._scaled(v), engine._scaled(n), engine._scaled(d)) for y, v, n, d in figures]
    fast = [engine._as_row(raw, "now") for raw in engine._county_rows(
        plan, plan.years_for("513401", 1), "513401", scaled, RULE, RULE.lagging_share.as_integer_ratio())]
    assert fast == list(engine.county_rows(ind, "513401", 1, figures, RULE, "now"))
    row_2023 = next(r for r in fast if r[2] == 2023)
    assert (row_2023[11], row_2023[13], row_2023[14]) == ("achieved", D(70), False)
