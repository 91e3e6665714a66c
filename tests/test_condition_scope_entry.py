"""A county is asked for a conditional indicator only where the condition does not exclude it (issue 14).

One predicate (``indicators.targets.in_scope`` through ``counties.reporting.CatalogueEntry.applies_to``) decides
what the entry form lists, what the template holds, what the upload and the API accept and what completeness
counts. CMP-20 (30万人口以上的县（市）独立办好1所特殊教育学校, population gte 300000): 西昌 (950,000) is asked,
昭觉 (250,000) is not, a county with no population recorded is asked and the indicator marked 待确定.
"""
from __future__ import annotations

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from counties import reporting, services
from counties.errors import Invalid
from counties.spreadsheet import build_template, build_template_csv
from indicators.models import Indicator
from indicators.targets import Condition, TargetSpec, in_scope
from places.models import Attribute, AttributeValue, County
from tests.conftest import api_for, client_for

YEAR = 2024
XICHANG, ZHAOJUE, MULI = "513401", "513431", "513422"
POPULATION = Condition("population", "gte", D(300000), "30万人口以上的县（市）")


# ------------------------------------------------------------------------------------ the predicate itself --

def test_in_scope_is_true_false_or_not_determined():
    conditional = [TargetSpec(2025, D(1), condition=POPULATION)]
    assert in_scope(conditional, {"population": [(2020, D(950000))]}, YEAR) is True
    assert in_scope(conditional, {"population": [(2020, D(250000))]}, YEAR) is False
    assert in_scope(conditional, {}, YEAR) is None
    # a value recorded for a later year says nothing about this one
    assert in_scope(conditional, {"population": [(2025, D(250000))]}, YEAR) is None
    # no target applies: not asked; an unconditional target beside the condition: asked
    assert in_scope([], {}, YEAR) is False
    assert in_scope(conditional + [TargetSpec(2025, D(2))], {"population": [(2020, D(1))]}, YEAR) is True


def test_reports_follows_the_condition_on_the_facts_given():
    specs = [TargetSpec(2025, D(1), condition=POPULATION)]
    common = dict(retired=False, level="county", rollup="all", cycle="2022-2025", county_code=ZHAOJUE, tier=3,
                  year=YEAR, specs=specs)
    assert not reporting.reports(facts={"population": [(2020, D(250000))]}, **common)
    assert reporting.reports(facts={"population": [(2020, D(950000))]}, **common)
    assert reporting.reports(facts={}, **common)  # not determined: still asked


# ----------------------------------------------------------------------------------------- every path --

def _population(code: str, value: int) -> None:
    AttributeValue.objects.create(county=County.objects.get(code=code), attribute=Attribute.objects.get(
        code="population"), year=2020, value=D(value), source="测试数据")


@pytest.fixture
def populations(db):
    _population(XICHANG, 950000)
    _population(ZHAOJUE, 250000)


def _expected(code: str) -> set[str]:
    report = reporting.completeness(YEAR, counties=County.objects.filter(code=code))
    county = report.counties[0]
    return {report.indicators[i].code for p in report.plans for i in report.cell(county, p).unsubmitted}


def test_completeness_and_the_dashboard_count_cmp20_only_where_it_applies(populations):
    assert "CMP-20" in _expected(XICHANG)
    assert "CMP-20" not in _expected(ZHAOJUE)
    assert "CMP-20" in _expected(MULI)  # no population recorded: 待确定, still asked
    by_county = reporting.reporting_by_county(YEAR)
    # 昭觉 and 美姑 are both third-tier counties named by the same targets: one indicator apart, CMP-20
    assert by_county[ZHAOJUE].expected == by_county["513436"].expected - 1
    # a CMP-20 figure 昭觉 submitted before its population was recorded does not count as submitted any more
    from counties.models import Figure
    Figure.objects.create(county=County.objects.get(code=ZHAOJUE), indicator=Indicator.objects.get(code="CMP-20"),
                          year=YEAR, value=D(1), status="submitted")
    assert reporting.reporting_by_county(YEAR)[ZHAOJUE].submitted == 0
    Figure.objects.create(county=County.objects.get(code=ZHAOJUE), indicator=Indicator.objects.get(code="PRE-05"),
                          year=YEAR, value=D(1), status="submitted")
    assert reporting.reporting_by_county(YEAR)[ZHAOJUE].submitted == 1


def test_the_entry_form_leaves_cmp20_out_where_excluded_and_marks_it_where_not_determined(
        populations, clerk_xichang, clerk_zhaojue, users):
    def page(user):
        return client_for(user).get(reverse("figure-entry", args=[YEAR]), {"plan": "compulsory"}).content.decode()

    assert 'id="row-CMP-20"' in page(clerk_xichang)
    assert 'id="row-CMP-20"' not in page(clerk_zhaojue)
    AttributeValue.objects.filter(county__code=XICHANG).delete()
    html = page(clerk_xichang)
    row = html[html.index('id="row-CMP-20"'):]
    assert "待确定" in row[:row.index("</tr>")]


def test_the_template_has_no_cmp20_row_where_excluded_and_a_marked_one_where_not_determined(populations):
    def codes(code):
        data = build_template_csv(County.objects.get(code=code), YEAR).decode("utf-8-sig")
        return {line.split(",")[0]: line for line in data.splitlines()[1:]}

    assert "CMP-20" in codes(XICHANG) and "待确定" not in codes(XICHANG)["CMP-20"]
    assert "CMP-20" not in codes(ZHAOJUE)
    assert "待确定" in codes(MULI)["CMP-20"]
    wb = openpyxl.load_workbook(io.BytesIO(build_template(County.objects.get(code=ZHAOJUE), YEAR)))
    assert not any(c.value == "CMP-20" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_save_draft_the_api_and_the_upload_refuse_cmp20_where_excluded(populations, clerk_zhaojue, clerk_xichang):
    from counties.spreadsheet import apply_upload, parse_upload

    cmp20 = Indicator.objects.get(code="CMP-20")
    zhaojue = County.objects.get(code=ZHAOJUE)
    with pytest.raises(Invalid) as refused:
        services.save_draft(clerk_zhaojue, zhaojue, cmp20, YEAR, value=1)
    assert refused.value.problems[0].code == "out_of_scope"
    assert "30万人口以上的县（市）" in refused.value.message
    # after the plan's cycle (2022–2025) the condition is not what stops it: no out_of_scope refusal
    assert "out_of_scope" not in [p.code for p in services.check_draft(clerk_zhaojue, zhaojue, cmp20, 2026, None,
                                                                       expected_version=None)]
    response = api_for(clerk_zhaojue).post("/api/v1/figures/", {
        "county": ZHAOJUE, "indicator": "CMP-20", "year": YEAR, "value": 1}, format="json")
    assert response.status_code == 400 and "CMP-20" in response.content.decode()
    header = build_template_csv(zhaojue, YEAR).decode("utf-8-sig").splitlines()[0].split(",")
    line = {h: "" for h in header} | {"指标代码": "CMP-20", "数值": "1", "县市代码": ZHAOJUE, "年度": str(YEAR)}
    data = ("\ufeff" + ",".join(header) + "\r\n" + ",".join(line[h] for h in header) + "\r\n").encode("utf-8")
    report = apply_upload(clerk_zhaojue, zhaojue, YEAR, parse_upload(io.BytesIO(data), "t.csv"), "t.csv")
    assert not report.ok and any(e.code == "out_of_scope" for e in report.errors)
    assert not zhaojue.figures.exists()
    # where it applies, and where it is not determined, the same figure is accepted
    assert services.save_draft(clerk_xichang, County.objects.get(code=XICHANG), cmp20, YEAR, value=1).created
    AttributeValue.objects.filter(county=zhaojue).delete()
    assert services.save_draft(clerk_zhaojue, zhaojue, cmp20, YEAR, value=1).created


# ------------------------------------------------------------------------------ attributes as of a date --

def test_an_as_of_rebuild_reads_the_attributes_as_they_stood(db):
    """昭觉's population was recorded as 250,000 (CMP-20 does not apply), then corrected to 350,000 (it does):
    the progress rebuilt as of a moment between the two has no CMP-20 row for 昭觉; as of now it has one."""
    from datetime import datetime, timezone as dt_timezone

    from django.utils import timezone

    from places.models import county_facts
    from reports import asof

    _population(ZHAOJUE, 250000)
    AttributeValue.history.update(history_date=datetime(2025, 1, 1, tzinfo=dt_timezone.utc))
    value = AttributeValue.objects.get(county__code=ZHAOJUE)
    value.value = D(350000)
    value.save()
    between = datetime(2025, 6, 1, tzinfo=dt_timezone.utc)
    assert county_facts(as_of=between)[ZHAOJUE]["population"] == [(2020, D(250000))]
    assert county_facts()[ZHAOJUE]["population"] == [(2020, D(350000))]
    assert ZHAOJUE not in county_facts(as_of=datetime(2024, 1, 1, tzinfo=dt_timezone.utc))
    cmp20 = Indicator.objects.get(code="CMP-20").pk

    def zhaojue_rows(moment):
        return [r for r in asof.progress_rows(asof.approved_at_moment(moment), moment)
                if r[0] == ZHAOJUE and r[1] == cmp20 and r[2] == 2025]

    assert zhaojue_rows(between) == []
    assert [r[11] for r in zhaojue_rows(timezone.now())] == ["no_data"]
    value.delete()  # a value deleted since: as of now unknown again (待确定), as of then still 250,000
    assert [r[11] for r in zhaojue_rows(timezone.now())] == ["not_determined"]
    assert zhaojue_rows(between) == []
