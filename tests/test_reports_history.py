"""The change-history export (数据变更记录) under the reports rules: scoped like the audit-log page (a clerk their own
county, readers everything, anonymous nothing), the page's filters, as_of, xlsx and CSV (BOM, formulas
neutralised), recorded with the SHA-256 of the bytes served, streamed in chunks; the old audit-log CSV link
leads to it."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from counties import services
from counties.models import Figure
from indicators.models import Indicator
from places.models import County
from reports.models import ExportRecord
from tests.conftest import api_for, client_for
from tests.reports_data import XICHANG, ZHAOJUE, content, csv_rows

pytestmark = pytest.mark.django_db
HISTORY = "/api/v1/reports/history/"
YEAR = 2024


def _draft(user, code: str, county: str, year: int = YEAR, **values) -> Figure:
    ind = Indicator.objects.get(code=code)
    return services.save_draft(user, County.objects.get(code=county), ind, year, **values).figure


@pytest.fixture
def changes(clerk_xichang, clerk_zhaojue, official):
    """西昌: PRE-05 drafted, changed and submitted then returned (2024), CMP-09 drafted in 2023; 昭觉: CMP-09 2024."""
    figure = _draft(clerk_xichang, "PRE-05", XICHANG, value="3")
    figure = _draft(clerk_xichang, "PRE-05", XICHANG, value="4")
    services.return_figure(official, services.submit(clerk_xichang, figure), "与上年差异过大")
    _draft(clerk_xichang, "CMP-09", XICHANG, year=2023, value="1")
    _draft(clerk_zhaojue, "CMP-09", ZHAOJUE, value="2")


def _counties(rows) -> set[str]:
    return {r["county"] for r in rows}


# who may export what ---------------------------------------------------------------------------------------------

def test_anonymous_users_export_no_change_history(changes):
    assert api_for(None).get(HISTORY, {"format": "csv"}).status_code in (401, 403)
    response = client_for(None).get(reverse("report-history-file"), {"format": "csv"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not ExportRecord.objects.exists()


def test_a_clerk_exports_only_their_own_countys_history(clerk_xichang, changes):
    api = api_for(clerk_xichang)
    for county in (ZHAOJUE, "prefecture"):
        refused = api.get(HISTORY, {"county": county, "format": "csv"})
        assert refused.status_code == 403 and "本县" in refused.json()["message"]
        assert refused.json()["errors"] == {}
    assert client_for(clerk_xichang).get(reverse("report-history-file"),
                                         {"county": ZHAOJUE, "format": "csv"}).status_code == 403
    assert not ExportRecord.objects.exists()
    rows = csv_rows(api.get(HISTORY, {"format": "csv"}))  # no county: their own
    assert _counties(rows) == {XICHANG} and {r["indicator"] for r in rows} == {"PRE-05", "CMP-09"}
    assert ExportRecord.objects.get().user == clerk_xichang


def test_only_readers_of_everything_read_the_history_of_figures_deleted_since(clerk_xichang, official, changes):
    Figure.objects.get(county__code=XICHANG, indicator__code="CMP-09", year=2023).delete()
    own = csv_rows(api_for(clerk_xichang).get(HISTORY, {"format": "csv"}))
    assert {r["indicator"] for r in own} == {"PRE-05"}
    every = csv_rows(api_for(official).get(HISTORY, {"county": XICHANG, "format": "csv"}))
    assert [r["action"] for r in every if r["indicator"] == "CMP-09"] == ["deleted", "created"]


@pytest.mark.parametrize("role", ["official", "auditor", "admin"])
def test_readers_export_every_countys_history(users, role, changes):
    api = api_for(users[role])
    assert _counties(csv_rows(api.get(HISTORY, {"format": "csv"}))) == {XICHANG, ZHAOJUE}
    assert _counties(csv_rows(api.get(HISTORY, {"county": ZHAOJUE, "format": "csv"}))) == {ZHAOJUE}
    page = client_for(users[role]).get(reverse("report-history-file"), {"county": "prefecture", "format": "csv"})
    assert _counties(csv_rows(page)) == {XICHANG, ZHAOJUE}


def test_a_pdf_of_the_change_history_is_refused(official, changes):
    response = api_for(official).get(HISTORY, {"format": "pdf"})
    assert response.status_code == 400 and "xlsx" in response.json()["message"]


# what the file holds ---------------------------------------------------------------------------------------------

def test_the_csv_has_a_bom_field_names_and_every_change_newest_first(official, changes):
    rows = csv_rows(api_for(official).get(HISTORY, {"county": XICHANG, "format": "csv"}))
    assert list(rows[0])[:8] == ["history_id", "changed_at", "user", "county", "county_name", "indicator",
                                 "indicator_name", "year"]
    ids = [int(r["history_id"]) for r in rows]
    assert ids == sorted(ids, reverse=True)
    assert rows[0]["indicator"] == "CMP-09" and rows[0]["year"] == "2023"  # the last change
    returned = rows[1]
    assert (returned["user"], returned["indicator"], returned["action"], returned["status"]) == (
        "official", "PRE-05", "changed", "returned")
    assert returned["reason"].endswith("与上年差异过大") and "已提交 → 已退回" in returned["changes"]
    created = [r for r in rows if r["indicator"] == "PRE-05" and r["action"] == "created"]
    assert len(created) == 1 and created[0]["user"] == "clerk_xichang" and created[0]["county_name"] == "西昌市"
    assert "数值：— → 3" in created[0]["changes"]


def test_the_csv_neutralises_a_reason_that_looks_like_a_formula(clerk_xichang, official):
    _draft(clerk_xichang, "PRE-05", XICHANG, value="3", reason='=HYPERLINK("http://example.com","x")')
    row = csv_rows(api_for(official).get(HISTORY, {"format": "csv"}))[0]
    assert row["reason"] == "'" + '=HYPERLINK("http://example.com","x")'
    assert row["year"] == str(YEAR)  # numbers stay numbers


@pytest.mark.parametrize("params, expected", [
    ({"year": "2023"}, {("CMP-09", XICHANG)}),
    ({"indicator": "pre"}, {("PRE-05", XICHANG)}),
    ({"user": "clerk_zh"}, {("CMP-09", ZHAOJUE)}),
    ({"q": "差异过大"}, {("PRE-05", XICHANG)}),
    ({"date_to": "2000-01-01"}, set()),
    ({"date_from": "2000-01-01", "county": ZHAOJUE}, {("CMP-09", ZHAOJUE)}),
])
def test_the_filters_are_the_audit_log_pages(official, changes, params, expected):
    rows = csv_rows(api_for(official).get(HISTORY, {"format": "csv", **params}))
    assert {(r["indicator"], r["county"]) for r in rows} == expected
    page = client_for(official).get(reverse("audit-log"), params).content.decode()
    assert f"共 {len(rows)} 条" in page


def test_as_of_leaves_out_every_later_change(official, changes):
    History = Figure.history.model
    moment = timezone.now() - timedelta(days=3)
    zhaojue = History.objects.filter(county__code=ZHAOJUE)
    zhaojue.update(history_date=moment - timedelta(days=1))
    response = api_for(official).get(HISTORY, {"format": "csv", "as_of": moment.isoformat()})
    rows = csv_rows(response)
    assert {r["history_id"] for r in rows} == {str(pk) for pk in zhaojue.values_list("history_id", flat=True)}
    record = ExportRecord.objects.get()
    assert record.as_of == moment and record.kind == "history"
    assert response["X-Data-Version"].startswith(f"F{max(int(r['history_id']) for r in rows)}-")


def test_every_export_is_recorded_with_the_sha256_of_its_bytes(official, changes):
    api = api_for(official)
    for fmt in ("csv", "xlsx"):
        response = api.get(HISTORY, {"county": XICHANG, "format": fmt, "user": "clerk"})
        data = content(response)
        record = ExportRecord.objects.get(pk=response["X-Export-Id"])
        assert (record.kind, record.format, record.size) == ("history", fmt, len(data))
        assert record.sha256 == hashlib.sha256(data).hexdigest()
        assert record.scope == f"history: county={XICHANG} year= who=clerk"
    listed = api.get("/api/v1/reports/exports/").json()["results"]
    assert {r["kind"] for r in listed} == {"history"} and len(listed) == 2


def test_the_xlsx_has_a_cover_and_one_sheet_of_changes(official, changes):
    moment = timezone.now()
    data = content(api_for(official).get(HISTORY, {"format": "xlsx", "as_of": moment.isoformat()}))
    wb = load_workbook(BytesIO(data))
    cover, sheet = wb.worksheets
    facts = {row[0]: row[1] for row in cover.iter_rows(min_row=3, max_row=8, values_only=True)}
    assert facts["报表"] == "数据变更记录" and facts["数据截至"] == timezone.localtime(moment).strftime(
        "%Y-%m-%d %H:%M:%S")
    assert facts["数据版本"].startswith("F")
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["记录号", "时间", "用户"] and sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == Figure.history.model.objects.count()
    assert {r[header.index("县市")] for r in rows} == {"西昌市", "昭觉县"}


def test_the_xlsx_is_written_as_the_history_is_read_its_counts_on_the_cover(official, changes, monkeypatch):
    """openpyxl's write-only mode over the streamed lines (read in chunks, never held as a list): memory stays
    bounded however long the history; the cover's counts by county are those of the rows written."""
    from reports import services as report_services

    built = []
    build = report_services.build
    monkeypatch.setattr(report_services, "build", lambda *a, **kw: built.append(build(*a, **kw)) or built[-1])
    monkeypatch.setattr(report_services, "CHUNK", 2)
    wb = load_workbook(BytesIO(content(api_for(official).get(HISTORY, {"format": "xlsx"}))))
    assert not isinstance(built[0].lines, list)
    cover, sheet = wb.worksheets
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == Figure.history.model.objects.count() == 6
    counts = {r[0]: r[1:] for r in cover.iter_rows(min_row=11, values_only=True) if r[0] in ("西昌市", "昭觉县")}
    assert counts == {"西昌市": (2, 3, 0, 5), "昭觉县": (1, 0, 0, 1)}


def test_the_csv_streams_in_chunks_with_the_same_bytes(official, changes, monkeypatch):
    from reports import services as report_services

    whole = content(api_for(official).get(HISTORY, {"format": "csv"}))
    monkeypatch.setattr(report_services, "CHUNK", 2)
    response = api_for(official).get(HISTORY, {"format": "csv"})
    assert response.streaming
    chunked = content(response)
    assert chunked.split(b"\r\n")[1:] == whole.split(b"\r\n")[1:] and chunked == whole


# the audit-log page's links --------------------------------------------------------------------------------------

def test_the_old_audit_csv_link_leads_to_the_recorded_export(official, changes):
    c = client_for(official)
    response = c.get(reverse("audit-log"), {"format": "csv", "county": XICHANG, "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == reverse("report-history-file") + f"?format=csv&county={XICHANG}"
    rows = csv_rows(c.get(response["Location"]))
    assert _counties(rows) == {XICHANG} and ExportRecord.objects.get().kind == "history"


def test_the_audit_log_page_links_to_both_formats_with_its_filters(official, changes):
    page = client_for(official).get(reverse("audit-log"), {"county": ZHAOJUE}).content.decode()
    url = reverse("report-history-file")
    assert f"{url}?county={ZHAOJUE}&amp;format=csv" in page and f"{url}?county={ZHAOJUE}&amp;format=xlsx" in page


def test_a_background_job_builds_the_change_history(clerk_xichang, changes, settings, tmp_path,
                                                     django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(clerk_xichang).post(reverse("report-job"), {"kind": "history", "format": "xlsx"})
    assert response.status_code == 302
    record = ExportRecord.objects.get()
    assert record.status == "done" and record.scope == f"history: county={XICHANG} year="
    wb = load_workbook(tmp_path / record.file)
    assert {r[3] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)} == {XICHANG}


def test_a_history_scope_survives_the_job_record():
    """A background job reads its scope back from the record's JSON params: filters and dates included."""
    import json
    from datetime import date

    from reports.scope import HISTORY, Scope

    scope = Scope(HISTORY, XICHANG, 2024, None, None, "PRE", timezone.now() - timedelta(hours=1), "clerk",
                  date(2024, 1, 1), date(2024, 12, 31), "差异")
    assert Scope.from_params(json.loads(json.dumps(scope.params()))) == scope
