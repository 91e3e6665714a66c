"""The report files themselves: xlsx opened with openpyxl, PDF read back with pdftotext, CSV parsed; each matches
the screen and the API cell by cell; each is recorded with the SHA-256 of the bytes served, and can be verified."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assessment.models import Evaluation, Progress
from counties.models import Figure
from reports.models import ExportRecord
from tests.conftest import api_for, client_for, require_service
from tests.reports_data import XICHANG, ZHAOJUE, content, csv_rows, series

pytestmark = pytest.mark.django_db
PROGRESS = "/api/v1/reports/progress/"
EVALUATION = "/api/v1/reports/evaluation/"


@pytest.fixture
def data(official):
    series(official)


def _number(text: str):
    return D(text) if text not in ("", None) else None


# CSV -------------------------------------------------------------------------------------------------------------

def test_csv_has_a_bom_the_contract_columns_and_one_row_per_area_and_indicator(official, data):
    rows = csv_rows(api_for(official).get(PROGRESS, {"county": "prefecture", "year": 2024, "format": "csv"}))
    assert {"county", "indicator", "year", "value", "target", "status"} <= set(rows[0])
    keys = [(r["county"], r["indicator"]) for r in rows]
    assert len(keys) == len(set(keys)) == Progress.objects.filter(year=2024).count()
    cmp01 = {r["county"]: r for r in rows if r["indicator"] == "CMP-01"}
    assert set(cmp01) >= {XICHANG, ZHAOJUE, "prefecture"}
    assert cmp01[ZHAOJUE]["county_name"] == "昭觉县" and cmp01[ZHAOJUE]["status"] == "achieved"
    assert cmp01[ZHAOJUE]["status_label"] == "已达标" and cmp01[ZHAOJUE]["value"] == "97"
    assert cmp01[ZHAOJUE]["approved_by"] == "official"


def test_csv_neutralises_text_a_spreadsheet_would_take_for_a_formula(official, data):
    sly = get_user_model().objects.create(username="@SUM")
    fig = Figure.objects.get(county__code=ZHAOJUE, indicator__code="CMP-01", year=2024)
    fig.history.filter(id=fig.pk).update(history_user=sly)
    rows = csv_rows(api_for(official).get(PROGRESS, {"county": ZHAOJUE, "year": 2024, "format": "csv"}))
    row = next(r for r in rows if r["indicator"] == "CMP-01")
    assert row["entered_by"] == "'@SUM"
    assert all(not v.startswith(("=", "+", "@")) for r in rows for v in r.values())


# screen vs export ------------------------------------------------------------------------------------------------

FIELDS = ["value", "target", "target_year", "expected", "status", "projected", "overdue", "will_meet"]


def _api_value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    return D(str(v)) if not isinstance(v, int) or isinstance(v, bool) else v


def _csv_value(key, text):
    if key in ("status",):
        return text
    if key in ("overdue", "will_meet"):
        return None if text == "" else text == "1"
    if key == "target_year":
        return int(text) if text else None
    return _number(text)


@pytest.mark.parametrize("county", [ZHAOJUE, "prefecture"])
def test_the_progress_export_equals_the_progress_api_cell_by_cell(official, data, county):
    api = api_for(official)
    listed = []
    url = "/api/v1/progress/"
    params = {"county": county, "year": 2024} if county != "prefecture" else {"year": 2024}
    while url:
        page = api.get(url, params).json()
        listed += page["results"]
        url, params = page["next"], None
    screen = {(r["county"], r["indicator"]): r for r in listed}
    rows = csv_rows(api.get(PROGRESS, {"county": county, "year": 2024, "format": "csv"}))
    exported = {(r["county"], r["indicator"]): r for r in rows}
    assert set(exported) == set(screen)
    for key, row in exported.items():
        for field in FIELDS:
            shown = screen[key][field]
            expected = shown if isinstance(shown, (bool, str)) and field in ("status",) else _api_value(shown)
            if field in ("overdue", "will_meet"):
                expected = shown
            assert _csv_value(field, row[field]) == expected, (key, field)


def test_the_county_page_and_the_xlsx_show_the_same_value_and_status(official, data):
    page = client_for(official).get(reverse("county-page", args=[ZHAOJUE]), {"year": 2024})
    on_screen = {r.indicator.code: (r.value, r.status) for b in page.context["blocks"] for r in b.rows
                 if r.progress}
    wb = load_workbook(BytesIO(api_for(official).get(PROGRESS, {"county": ZHAOJUE, "year": 2024,
                                                                 "format": "xlsx"}).content))
    exported = {}
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2, values_only=True):
            line = dict(zip(header, row))
            value = line["数值"]
            exported[line["指标代码"]] = (None if value is None else D(str(value)), line["状态代码"])
    assert on_screen and exported == on_screen


def test_the_evaluation_export_equals_the_evaluation_api(official, data):
    api = api_for(official)
    listed = api.get("/api/v1/evaluation/", {"county": ZHAOJUE}).json()["results"]
    rows = csv_rows(api.get(EVALUATION, {"county": ZHAOJUE, "format": "csv"}))
    assert len(rows) == len(listed) == Evaluation.objects.filter(area=ZHAOJUE).count() > 0
    screen = {(r["indicator"], r["target_year"]): r for r in listed}
    for row in rows:
        shown = screen[(row["indicator"], int(row["target_year"]) if row["target_year"] else None)]
        assert row["result"] == shown["result"]
        assert _number(row["target"]) == D(shown["target"])
        assert _number(row["value_at_deadline"]) == (D(shown["value_at_deadline"]) if shown["value_at_deadline"]
                                                     is not None else None)
        assert (int(row["met_year"]) if row["met_year"] else None) == shown["met_year"]


# xlsx ------------------------------------------------------------------------------------------------------------

def test_the_xlsx_has_a_cover_one_sheet_per_plan_frozen_headers_formats_colours_and_filters(official, data):
    response = api_for(official).get(PROGRESS, {"county": "prefecture", "year": 2024, "format": "xlsx"})
    wb = load_workbook(BytesIO(response.content))
    cover = wb.worksheets[0]
    facts = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, 12)}
    assert cover.title == "封面" and facts["范围"] == "全州及各县市" and facts["年度/周期"] == "2024"
    assert facts["数据截至"] == "当前数据（生成时）" and facts["数据版本"] == response["X-Data-Version"]
    assert "学前教育" in wb.sheetnames and "义务教育" in wb.sheetnames
    ws = wb["义务教育"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("县市代码")].value == ZHAOJUE
               and r[header.index("指标代码")].value == "CMP-01")
    value = row[header.index("数值")]
    assert value.value == 97 and value.number_format == "0.00"
    status = row[header.index("状态")]
    assert status.value == "已达标" and status.fill.fgColor.rgb.endswith("2E7D32")


def test_the_evaluation_xlsx_counts_results_by_plan_tier_and_county(official, data):
    wb = load_workbook(BytesIO(api_for(official).get(EVALUATION, {"county": "prefecture", "format": "xlsx"})
                               .content))
    texts = [c.value for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    for title in ("各县市目标：按实施方案", "各县市目标：按分类区", "各县市目标：按县市", "一类区", "三类区", "昭觉县"):
        assert title in texts
    assert "全州目标（全州汇总数据对照全州目标）" in texts


@pytest.mark.integration
def test_libreoffice_converts_the_xlsx(official, data, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        require_service("LibreOffice (soffice) for the xlsx conversion test")
    source = tmp_path / "report.xlsx"
    source.write_bytes(api_for(official).get(PROGRESS, {"county": ZHAOJUE, "year": 2024, "format": "xlsx"}).content)
    done = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                          capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.pdf").stat().st_size > 1000


# PDF -------------------------------------------------------------------------------------------------------------

def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        require_service("poppler-utils (pdftotext)")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_the_pdf_reads_back_chinese_values_cover_and_page_headers(official, data, tmp_path):
    response = api_for(official).get(PROGRESS, {"county": ZHAOJUE, "year": 2024, "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    pages = text.split("\f")
    assert "目标进度报表" in pages[0] and "数据版本" in pages[0] and response["X-Data-Version"] in pages[0]
    assert "当前数据（生成时）" in pages[0]
    for i, page in enumerate(p for p in pages if p.strip()):
        assert "昭觉县" in page and "生成时间" in page and f"第 {i + 1} 页" in page
    assert "九年义务教育巩固率" in text and "已达标" in text and " 97 " in text


# records and verification ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_the_record_holds_the_sha256_of_the_bytes_served(official, data, fmt):
    response = api_for(official).get(PROGRESS, {"county": ZHAOJUE, "year": 2024, "format": fmt})
    body = content(response)
    record = ExportRecord.objects.get(pk=response["X-Export-Id"])
    assert record.sha256 == hashlib.sha256(body).hexdigest() and record.size == len(body)
    assert record.status == "done" and record.format == fmt and record.user == official
    assert record.scope == f"progress: county={ZHAOJUE} year=2024"
    listed = api_for(official).get("/api/v1/reports/exports/").json()["results"]
    assert {"id", "user", "scope", "format", "as_of", "sha256", "created_at"} <= set(listed[0])
    assert listed[0]["sha256"] == record.sha256


def test_a_record_is_immutable_once_done(official, data):
    response = api_for(official).get(PROGRESS, {"county": ZHAOJUE, "format": "xlsx"})
    record = ExportRecord.objects.get(pk=response["X-Export-Id"])
    record.sha256 = "0" * 64
    with pytest.raises(ValueError):
        record.save()


def test_an_auditor_verifies_a_file_and_learns_when_it_was_made(official, auditor, data, settings):
    body = api_for(official).get(PROGRESS, {"county": ZHAOJUE, "format": "xlsx"}).content
    api = api_for(auditor)
    found = api.post("/api/v1/reports/verify/", {"file": SimpleUploadedFile("r.xlsx", body)}, format="multipart")
    assert found.status_code == 200 and found.json()["found"] is True
    assert found.json()["records"][0]["user"] == "official"
    changed = api.post("/api/v1/reports/verify/", {"file": SimpleUploadedFile("r.xlsx", body + b"x")},
                       format="multipart").json()
    assert changed["found"] is False and changed["sha256"] == hashlib.sha256(body + b"x").hexdigest()
    page = client_for(auditor).post(reverse("report-verify-page"), {"file": SimpleUploadedFile("r.xlsx", body)})
    assert "该文件由本平台生成" in page.content.decode()
    settings.REPORTS_VERIFY_MAX_BYTES = 100
    too_big = api.post("/api/v1/reports/verify/", {"file": SimpleUploadedFile("r.xlsx", body)}, format="multipart")
    assert too_big.status_code == 413 and "MB" in too_big.json()["message"]
