"""The progress and final-evaluation exports carry the target's assumed deadline (推定期限) and its condition in the
plan's words (适用条件), issue 14: the same two columns in CSV, xlsx and PDF (one column list)."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from assessment.services import recompute_all
from reports import services
from tests.conftest import api_for
from tests.reports_data import ZHAOJUE, csv_rows

pytestmark = pytest.mark.django_db


def test_the_xlsx_and_csv_name_assumed_deadlines_and_conditions(official):
    recompute_all()
    api = api_for(official)
    wb = load_workbook(BytesIO(api.get("/api/v1/reports/progress/", {"county": ZHAOJUE, "year": 2024,
                                                                      "format": "xlsx"}).content))
    lines = {}
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2, values_only=True):
            line = dict(zip(header, row))
            lines[line["指标代码"]] = line
    # PRE-09 (每个乡镇…, no year in the text: 2025 assumed); CMP-20 undecided (no population recorded)
    assert lines["PRE-09"]["推定期限"] in (True, "是", 1) and not lines["PRE-09"]["适用条件"]
    assert lines["CMP-20"]["适用条件"] == "30万人口以上的县（市）" and lines["CMP-20"]["状态代码"] == "not_determined"
    assert lines["CMP-01"]["推定期限"] in (False, "否", 0)
    rows = {r["indicator"]: r for r in csv_rows(api.get("/api/v1/reports/evaluation/", {
        "county": ZHAOJUE, "format": "csv"}))}
    assert (rows["PRE-09"]["assumed_deadline"], rows["CMP-20"]["condition"]) == ("1", "30万人口以上的县（市）")
    assert [c.key for c in services.EVALUATION_COLUMNS if c.key in ("assumed_deadline", "condition")] == [
        "assumed_deadline", "condition"]


def test_the_progress_csv_names_them_too_whichever_way_it_is_written(official):
    """On PostgreSQL the progress CSV is written by the database (``reports.csv_copy``), elsewhere by Python: both
    carry the two columns, looked up the same way (the year's target, else the indicator's condition)."""
    recompute_all()
    rows = {r["indicator"]: r for r in csv_rows(api_for(official).get("/api/v1/reports/progress/", {
        "county": ZHAOJUE, "year": 2024, "format": "csv"}))}
    assert (rows["PRE-09"]["assumed_deadline"], rows["PRE-09"]["condition"]) == ("1", "")
    assert (rows["CMP-20"]["assumed_deadline"], rows["CMP-20"]["condition"]) == ("0", "30万人口以上的县（市）")
    assert rows["CMP-01"]["assumed_deadline"] == "0"
