"""The change history of the catalogue (targets and indicators, ``subject=catalogue`` on the change-history export):
readers of everything only (officials, auditors, administrators; DESIGN §2 "auditors read the full change
history"), never clerks or anonymous users; who, when, what changed (old → new) and why, newest first; xlsx and
CSV, recorded with the SHA-256 of the bytes served."""
from __future__ import annotations

import hashlib
from decimal import Decimal as D
from io import BytesIO

import pytest
from openpyxl import load_workbook
from simple_history.utils import update_change_reason

from indicators.models import Indicator, Target
from reports.models import ExportRecord
from tests.conftest import api_for
from tests.reports_data import XICHANG, content, csv_rows

pytestmark = pytest.mark.django_db
HISTORY = "/api/v1/reports/history/"
CATALOGUE = {"subject": "catalogue"}


@pytest.fixture
def edits(users):
    """An administrator raises CMP-01's 2025 target from 96 to 97 (with a reason) and renames CMP-09."""
    admin = users["admin"]
    target = Target.objects.filter(indicator__code="CMP-01", year=2025).first()
    target._history_user = admin
    target.value = D("97")
    target.save()
    update_change_reason(target, "省厅文件调整")
    indicator = Indicator.objects.get(code="CMP-09")
    indicator._history_user = admin
    indicator.name = "56人以上大班额（改）"
    indicator.save()
    return target, indicator


# who may export it ----------------------------------------------------------------------------------------------

def test_anonymous_users_and_clerks_export_no_catalogue_history(clerk_xichang, edits):
    assert api_for(None).get(HISTORY, {**CATALOGUE, "format": "csv"}).status_code in (401, 403)
    for county in ({}, {"county": XICHANG}, {"county": "prefecture"}):
        refused = api_for(clerk_xichang).get(HISTORY, {**CATALOGUE, **county, "format": "csv"})
        assert refused.status_code == 403 and refused.json()["errors"] == {}
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize("role", ["official", "auditor", "admin"])
def test_readers_of_everything_export_the_catalogue_history(users, role, edits):
    rows = csv_rows(api_for(users[role]).get(HISTORY, {**CATALOGUE, "format": "csv"}))
    assert {(r["object"], r["indicator"]) for r in rows[:2]} == {("target", "CMP-01"), ("indicator", "CMP-09")}


def test_bad_subjects_and_a_county_are_refused(official, edits):
    api = api_for(official)
    assert api.get(HISTORY, {"subject": "rules", "format": "csv"}).status_code == 400
    response = api.get(HISTORY, {**CATALOGUE, "county": XICHANG, "format": "csv"})
    assert response.status_code == 400 and "county" in response.json()["message"]
    assert not ExportRecord.objects.exists()


# what the file holds -----------------------------------------------------------------------------------------------

def test_the_csv_says_who_changed_what_from_what_to_what_and_why_newest_first(auditor, edits):
    target, indicator = edits
    rows = csv_rows(api_for(auditor).get(HISTORY, {**CATALOGUE, "format": "csv"}))
    assert list(rows[0]) == ["history_id", "changed_at", "user", "object", "object_label", "object_id", "indicator",
                             "indicator_name", "action", "action_label", "reason", "changes"]
    renamed, raised = rows[0], rows[1]
    assert (renamed["object"], renamed["user"], renamed["action"]) == ("indicator", "admin", "changed")
    assert "56人以上大班额（改）" in renamed["changes"] and " → " in renamed["changes"]
    assert (raised["object"], raised["object_id"], raised["reason"]) == ("target", str(target.pk), "省厅文件调整")
    assert "目标值：96 → 97" in raised["changes"]
    assert rows[-1]["action"] == "created"  # the catalogue's load, oldest last


def test_filters_narrow_it(auditor, edits):
    api = api_for(auditor)
    assert {r["object"] for r in csv_rows(api.get(HISTORY, {**CATALOGUE, "format": "csv", "q": "省厅"}))} == {
        "target"}
    only = csv_rows(api.get(HISTORY, {**CATALOGUE, "format": "csv", "indicator": "CMP-09", "user": "adm"}))
    assert [(r["object"], r["indicator"]) for r in only] == [("indicator", "CMP-09")]
    years = csv_rows(api.get(HISTORY, {**CATALOGUE, "format": "csv", "year": 2025, "user": "admin"}))
    assert [r["object"] for r in years] == ["target"]


def test_the_xlsx_is_recorded_with_its_sha256(official, edits):
    response = api_for(official).get(HISTORY, {**CATALOGUE, "format": "xlsx"})
    data = content(response)
    record = ExportRecord.objects.get(pk=response["X-Export-Id"])
    assert (record.kind, record.sha256) == ("history", hashlib.sha256(data).hexdigest())
    assert "subject=catalogue" in record.scope
    cover, sheet = load_workbook(BytesIO(data)).worksheets
    assert cover["A1"].value == "目标和指标变更记录"
    assert [c.value for c in sheet[1]][3:5] == ["对象代码", "对象"] and sheet.max_row > 2


def test_a_background_job_checks_again_who_may_read_the_catalogue_history(clerk_xichang, edits, settings, tmp_path):
    """A job queued for someone who may not (or no longer may) read it fails and leaves no file (the job checks
    the scope again: the catalogue's history is the prefecture's, which only readers of everything export)."""
    from reports.exports import run_job
    from reports.scope import HISTORY, Scope

    settings.MEDIA_ROOT = tmp_path
    scope = Scope(HISTORY, "prefecture", subject="catalogue")
    record = ExportRecord.objects.create(user=clerk_xichang, kind=HISTORY, scope=scope.key(), params=scope.params(),
                                         format="csv", status=ExportRecord.Status.PENDING)
    assert run_job(str(record.pk)) == ExportRecord.Status.FAILED
    assert not list(tmp_path.rglob("*.csv"))
