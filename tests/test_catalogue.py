"""The catalogue as loaded from the plans: concrete entries an auditor can check against the seed text."""
from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators import catalogue
from indicators.models import Indicator, Plan, Task

pytestmark = pytest.mark.django_db


def test_check_catalogue_passes_on_the_files_and_the_database():
    call_command("check_catalogue")
    call_command("check_catalogue", "--database")


def test_eight_plans_with_their_codes():
    assert list(Plan.objects.values_list("code", flat=True)) == catalogue.PLAN_ORDER


def test_well_over_a_hundred_indicators_each_with_source_and_targets():
    indicators = Indicator.objects.prefetch_related("targets")
    assert indicators.count() > 150
    for ind in indicators:
        assert ind.source.strip(), ind.code
        assert ind.targets.exists(), ind.code


def test_preschool_gross_enrolment_92_by_2025():
    ind = Indicator.objects.get(plan__code="preschool", name__contains="毛入园率")
    [target] = ind.targets.all()
    assert (target.year, target.value, target.tier) == (2025, Decimal(92), None)
    assert ind.kind == "rate" and ind.direction == "at_least" and ind.unit.code == "%"
    assert ind.may_exceed_100 and ind.denominator_rule
    assert "毛入园率达92%" in ind.source


def test_academic_pass_rate_has_three_tier_targets():
    ind = Indicator.objects.get(plan__code="compulsory", name__contains="学业合格率")
    tiers = {t.tier: t.value for t in ind.targets.all()}
    assert tiers == {1: Decimal(85), 2: Decimal(70), 3: Decimal(60)}


def test_five_named_counties_of_the_preschool_assessment():
    ind = Indicator.objects.get(plan__code="preschool", kind="milestone", source__contains="普及普惠工作通过国家督导评估")
    [target] = ind.targets.all()
    assert sorted(c.name for c in target.counties.all()) == sorted(["西昌市", "会理市", "德昌县", "会东县", "宁南县"])
    assert target.year == 2025


def test_big_classes_keep_the_intermediate_targets():
    big = Indicator.objects.filter(plan__code="compulsory", source__contains="56人及以上")
    years = sorted(t.year for ind in big for t in ind.targets.all())
    assert 2022 in years and 2023 in years
    assert all(ind.direction == "zero" for ind in big)


def test_principal_grade_pilot_names_xichang_and_dechang():
    ind = Indicator.objects.filter(plan__code="teachers", kind="milestone", targets__counties__code="513424").first()
    assert ind is not None
    codes = {c.code for t in ind.targets.all() for c in t.counties.all()}
    assert codes == {"513401", "513424"}


def test_responsible_units_keep_lead_and_cooperating_apart():
    task = Task.objects.get(plan__code="preschool", number=1)
    assert [u.name for u in task.lead_units.all()] == ["州教育体育局"]
    assert "州财政局" in {u.name for u in task.cooperating_units.all()}


def test_prefecture_wide_total_is_marked_and_sums():
    ind = Indicator.objects.get(plan__code="compulsory", name__contains="办学管理标准示范学校")
    assert ind.level == "prefecture" and ind.rollup == "sum"
    assert ind.targets.get().value == 20


def test_assessment_rules_are_stored_as_data():
    from assessment.models import AssessmentRuleSet

    rules = AssessmentRuleSet.objects.get(year=None).rules
    ranks = [(a["rank_from"], a["rank_to"], a["bonus"]) for a in rules["county_awards"]]
    assert ranks == [(1, 3, 5), (4, 7, 4), (8, 12, 3)]
    assert [a["below"] for a in rules["accountability"]] == [70, 60]


def test_loading_twice_changes_nothing():
    from indicators.models import Target

    before = (Indicator.objects.count(), Target.objects.count(), Indicator.history.count())
    catalogue.load(catalogue.read_files())
    assert (Indicator.objects.count(), Target.objects.count(), Indicator.history.count()) == before


def _broken(mutate):
    data = catalogue.read_files()
    mutate(data)
    return catalogue.check(data)


def test_check_reports_each_kind_of_inconsistency():
    def first_rate(d):
        return next(i for p in d.plans for i in p.get("indicators") or [] if i["kind"] == "rate")

    def first(d):
        return d.plans[0]["indicators"][0]

    assert any("without target" in p for p in _broken(lambda d: first(d).update(targets=[])))
    assert any("denominator" in p for p in _broken(lambda d: first_rate(d).update(denominator=None)))
    assert any("unknown unit" in p for p in _broken(lambda d: first(d).update(unit="furlong")))
    assert any("does not exist" in p for p in _broken(
        lambda d: first(d)["targets"][0].update(counties=["519999"])))
    assert any("duplicate code" in p for p in _broken(
        lambda d: d.plans[1]["indicators"][0].update(code=first(d)["code"])))


def test_check_catalogue_command_fails_with_the_list(tmp_path, monkeypatch):
    data = catalogue.read_files()
    data.plans[0]["indicators"][0]["targets"] = []
    monkeypatch.setattr(catalogue, "read_files", lambda: data)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_catalogue")
