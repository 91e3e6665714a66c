"""Reports as of a past moment, rebuilt from the figure history with the engine's own functions."""
from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import Evaluation, Progress
from assessment.services import recompute_all
from counties import services as workflow
from places.models import County
from counties.models import Figure
from indicators.models import Indicator
from reports import asof
from tests.conftest import api_for
from tests.reports_data import XICHANG, ZHAOJUE, csv_rows, figure, series

pytestmark = pytest.mark.django_db
PROGRESS = "/api/v1/reports/progress/"
EVALUATION = "/api/v1/reports/evaluation/"
COLUMNS = ("area", "indicator_id", "year", "value", "numerator", "denominator", "baseline", "baseline_year",
           "target", "target_year", "expected", "status", "overdue", "projected", "will_meet", "gap")


@pytest.fixture
def data(official):
    series(official)
    # A 每县… milestone counted by counties meeting it, and a prefecture-only figure.
    counted = Indicator.objects.filter(kind="milestone", level="county", rollup="all", retired=False).first()
    for code in (XICHANG, ZHAOJUE):
        figure(code, counted.code, 2023, 1)
    own = Indicator.objects.filter(level="prefecture", rollup="none", retired=False).exclude(kind="milestone").first()
    if own is not None:
        figure(None, own.code, 2024, 50)
    recompute_all()


def test_rebuilt_at_now_equals_every_stored_progress_and_evaluation_row(data):
    now = timezone.now()
    rebuilt = asof.approved_at_moment(now)
    progress = asof.progress_rows(rebuilt, now)
    stored = sorted(Progress.objects.values_list(*COLUMNS))
    assert sorted(r[:16] for r in progress) == stored and len(stored) > 100
    judged = sorted((a, i, ty or 0, t, j.value_at_deadline, j.met_year, j.result, j.latest_value, j.latest_year,
                     j.years_met, j.years_reported) for a, i, ty, t, j in asof.evaluation_rows(rebuilt, progress))
    kept = sorted((a, i, ty or 0, t, v, m, r, lv, ly, ym, yr) for a, i, ty, t, v, m, r, lv, ly, ym, yr in
                  Evaluation.objects.values_list("area", "indicator_id", "target_year", "target", "value_at_deadline",
                                                 "met_year", "result", "latest_value", "latest_year", "years_met",
                                                 "years_reported"))
    assert judged == kept


def _approve_2025(clerk, official, value) -> Figure:
    county = County.objects.get(code=ZHAOJUE)
    ind = Indicator.objects.get(code="CMP-01")
    saved = workflow.save_draft(clerk, county, ind, 2025, numerator=D(value), denominator=D(100), expected_version=0,
                                note="test")
    fig = workflow.submit(clerk, saved.figure)
    return workflow.approve(official, fig)


def test_a_figure_approved_after_the_moment_is_not_in_the_report(data, official, auditor, clerk_zhaojue):
    moment = timezone.now()
    _approve_2025(clerk_zhaojue, official, 98)
    recompute_all()
    api = api_for(auditor)
    now_rows = csv_rows(api.get(PROGRESS, {"county": ZHAOJUE, "year": 2025, "format": "csv"}))
    then = api.get(PROGRESS, {"county": ZHAOJUE, "year": 2025, "format": "csv", "as_of": moment.isoformat()})
    then_rows = csv_rows(then)
    now_row = next(r for r in now_rows if r["indicator"] == "CMP-01")
    then_row = next(r for r in then_rows if r["indicator"] == "CMP-01")
    assert now_row["value"] == "98" and now_row["status"] == "achieved" and now_row["entered_by"] == "clerk_zhaojue"
    # 2024's 97 met the target already; as of the moment nothing was approved for 2025.
    assert then_row["value"] == "" and then_row["status"] == "no_data" and then_row["approved_by"] == ""
    assert {r["indicator"] for r in then_rows} == {r["indicator"] for r in now_rows}
    record = then.get("X-Export-Id")
    from reports.models import ExportRecord
    assert ExportRecord.objects.get(pk=record).as_of == moment

    evaluation_now = csv_rows(api.get(EVALUATION, {"county": ZHAOJUE, "format": "csv"}))
    evaluation_then = csv_rows(api.get(EVALUATION, {"county": ZHAOJUE, "format": "csv", "as_of": moment.isoformat()}))
    judged_now = next(r for r in evaluation_now if r["indicator"] == "CMP-01" and r["target_year"] == "2025")
    judged_then = next(r for r in evaluation_then if r["indicator"] == "CMP-01" and r["target_year"] == "2025")
    assert judged_now["result"] == "met_on_time"
    assert judged_then["result"] == "no_data" and judged_then["result_label"] == "未填报（2024年已达标）"


def test_a_figure_reopened_after_the_moment_still_counts_as_of_then(data, official, auditor):
    fig = Figure.objects.get(county__code=ZHAOJUE, indicator__code="CMP-01", year=2024)
    moment = timezone.now()
    workflow.reopen(official, fig, "核实")
    recompute_all()
    api = api_for(auditor)
    now_row = next(r for r in csv_rows(api.get(PROGRESS, {"county": ZHAOJUE, "year": 2024, "format": "csv"}))
                   if r["indicator"] == "CMP-01")
    then_row = next(r for r in csv_rows(api.get(PROGRESS, {"county": ZHAOJUE, "year": 2024, "format": "csv",
                                                           "as_of": moment.isoformat()}))
                    if r["indicator"] == "CMP-01")
    assert now_row["value"] == "" and then_row["value"] == "97" and then_row["status"] == "achieved"


def test_the_cover_states_as_of_and_a_data_version_of_that_moment(data, official, auditor, clerk_zhaojue):
    moment = timezone.now()
    _approve_2025(clerk_zhaojue, official, 98)
    recompute_all()
    api = api_for(auditor)
    then = api.get(PROGRESS, {"county": "prefecture", "year": 2025, "format": "xlsx", "as_of": moment.isoformat()})
    now = api.get(PROGRESS, {"county": "prefecture", "year": 2025, "format": "xlsx"})
    cover = load_workbook(BytesIO(then.content)).worksheets[0]
    facts = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, 12)}
    assert facts["数据截至"] == timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    assert then["X-Data-Version"] != now["X-Data-Version"]
    assert facts["数据版本"] == then["X-Data-Version"]
