"""The progress engine on the database: approval recomputes, full runs are idempotent, roll-ups are ratios."""
from decimal import Decimal as D

import pytest

from assessment.models import Progress
from assessment.services import recompute_all, recompute_for_figure
from counties import services
from places.models import County
from counties.models import Figure
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


def approved(county_code, indicator_code, year, **values):
    return Figure.objects.create(county=County.objects.get(code=county_code),
                                 indicator=Indicator.objects.get(code=indicator_code), year=year,
                                 status="approved", **values)


def row(area, code, year):
    return Progress.objects.get(area=area, indicator__code=code, year=year)


def test_full_recompute_of_a_hand_worked_rate():
    # PRE-01 学前三年毛入园率 ≥ 92 % by 2025: 西昌 80 % in 2021, 86 % in 2023 → on the straight line.
    approved("513401", "PRE-01", 2021, value=D(80), numerator=D(800), denominator=D(1000))
    approved("513401", "PRE-01", 2023, value=D(86), numerator=D(860), denominator=D(1000))
    recompute_all()
    r = row("513401", "PRE-01", 2023)
    assert (r.status, r.expected, r.target, r.target_year, r.baseline) == ("on_track", D(86), D(92), 2025, D(80))
    assert r.gap == D(60)  # 920 − 860 children
    assert row("513401", "PRE-01", 2022).status == "no_data"
    assert row("513431", "PRE-01", 2023).status == "no_data"


def test_prefecture_rollup_is_the_ratio_of_summed_numerators_and_denominators():
    approved("513401", "PRE-01", 2024, value=D(90), numerator=D(900), denominator=D(1000))
    approved("513431", "PRE-01", 2024, value=D(50), numerator=D(50), denominator=D(100))
    recompute_all()
    r = row("prefecture", "PRE-01", 2024)
    assert (r.numerator, r.denominator, r.value) == (D(950), D(1100), D("86.3636"))


def test_tier_targets_apply_per_county():
    code = Indicator.objects.get(plan__code="compulsory", name__contains="学业合格率").code
    approved("513401", code, 2025, value=D(80), numerator=D(80), denominator=D(100))
    approved("513431", code, 2025, value=D(62), numerator=D(62), denominator=D(100))
    recompute_all()
    assert (row("513401", code, 2025).target, row("513401", code, 2025).status) == (D(85), "off_track")
    assert (row("513431", code, 2025).target, row("513431", code, 2025).status) == (D(60), "achieved")
    assert not Progress.objects.filter(area="prefecture", indicator__code=code).exists()


def test_running_twice_gives_the_same_rows():
    from counties.demo import create_figures

    create_figures()
    recompute_all()
    fields = ["area", "indicator_id", "year", "value", "target", "expected", "status", "overdue", "projected", "gap"]
    first = sorted(Progress.objects.values_list(*fields))
    recompute_all()
    assert sorted(Progress.objects.values_list(*fields)) == first


def test_incremental_recompute_touches_only_the_county_and_the_prefecture():
    from counties.demo import create_figures

    create_figures()
    recompute_all()
    figure = Figure.objects.filter(county__code="513431", indicator__code="PRE-01", year=2024).get()
    others = list(Progress.objects.exclude(indicator=figure.indicator).order_by("id").values_list("id", flat=True))
    Figure.objects.filter(pk=figure.pk).update(value=D(100), numerator=figure.denominator)
    recompute_for_figure(figure.indicator_id, figure.county_id)
    assert row("513431", "PRE-01", 2024).status == "achieved"
    assert list(Progress.objects.exclude(indicator=figure.indicator).order_by("id").values_list("id", flat=True)) == others
    full = {(p.area, p.year): (p.value, p.status) for p in Progress.objects.filter(indicator=figure.indicator)}
    recompute_all()
    assert {(p.area, p.year): (p.value, p.status) for p in Progress.objects.filter(indicator=figure.indicator)} == full


def test_approval_recomputes_after_commit(clerk_zhaojue, official, django_capture_on_commit_callbacks):
    zhaojue = County.objects.get(code="513431")
    pre01 = Indicator.objects.get(code="PRE-01")
    figure = services.save_draft(clerk_zhaojue, zhaojue, pre01, 2024, numerator=93, denominator=100).figure
    services.submit(clerk_zhaojue, figure)
    assert not Progress.objects.filter(area="513431", indicator=pre01, year=2024).exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.approve(official, figure)
    # One announcement of the approval (the others renew the data version, liangshan_edu.dataversion).
    assert len([c for c in callbacks if "_announce_after_commit" in c.__qualname__]) == 1
    assert row("513431", "PRE-01", 2024).status == "achieved"


def test_only_approved_figures_count():
    approved("513401", "PRE-01", 2024, value=D(95), numerator=D(95), denominator=D(100))
    Figure.objects.create(county=County.objects.get(code="513431"), indicator=Indicator.objects.get(code="PRE-01"),
                          year=2024, value=D(99), numerator=D(99), denominator=D(100), status="submitted")
    recompute_all()
    assert row("513431", "PRE-01", 2024).status == "no_data"
    assert row("prefecture", "PRE-01", 2024).value == D(95)


def test_a_job_that_fails_midway_leaves_the_previous_results(monkeypatch, official):
    from assessment import engine
    from assessment.models import RecomputeJob
    from assessment.services import run_job
    from counties.demo import create_figures

    create_figures()
    recompute_all()
    before = sorted(Progress.objects.values_list("area", "indicator_id", "year", "status", "value"))
    real, calls = engine._county_rows, {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 500:   # well into the run: some rows are already written
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_county_rows", failing)
    job = RecomputeJob.objects.create(requested_by=official)
    with pytest.raises(RuntimeError):
        run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "failure" and "went away" in job.error
    assert calls["n"] > 500
    assert sorted(Progress.objects.values_list("area", "indicator_id", "year", "status", "value")) == before


def test_an_all_rollup_counts_the_counties_meeting_their_own_target():
    # TCH-06: every teacher ≥ 90 training hours a year (standing rule, rolled up as "all counties").
    approved("513401", "TCH-06", 2024, value=D(96))
    approved("513431", "TCH-06", 2024, value=D(72))
    recompute_all()
    r = row("prefecture", "TCH-06", 2024)
    assert (r.value, r.target, r.status) == (D(1), D(17), "off_track")
    assert row("513401", "TCH-06", 2024).status == "achieved"


def test_an_all_rollup_over_named_counties_and_incremental_agree_with_full():
    code = Indicator.objects.get(plan__code="teachers", kind="milestone", targets__counties__code="513424").code
    target_year = Indicator.objects.get(code=code).targets.get().year
    first = approved("513401", code, target_year, value=D(1), done_on=f"{target_year}-06-30")
    recompute_all()
    r = row("prefecture", code, target_year)
    assert (r.value, r.target) == (D(1), D(2))   # 西昌 done, 德昌 not yet: 1 of the 2 pilot counties
    second = approved("513424", code, target_year, value=D(1), done_on=f"{target_year}-06-30")
    recompute_for_figure(second.indicator_id, second.county_id)
    incremental = row("prefecture", code, target_year)
    assert (incremental.value, incremental.status) == (D(2), "achieved")
    recompute_all()
    assert row("prefecture", code, target_year).status == "achieved"
    assert first.pk


def test_a_county_level_sum_is_compared_with_the_sum_of_county_targets():
    # TCH-14: each county's budget ≥ 200 万元 a year; summed, the prefecture needs 17 × 200. (The catalogue rolls
    # TCH-14 up as counties meeting their floor since issue 14; the sum roll-up is set here to test the engine.)
    Indicator.objects.filter(code="TCH-14").update(rollup="sum")
    approved("513401", "TCH-14", 2024, value=D(300))
    recompute_all()
    assert row("prefecture", "TCH-14", 2024).target == D(3400)
