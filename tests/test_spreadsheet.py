"""The spreadsheet round-trip (填报模板): download a county's .xlsx/.csv template, fill it, upload it.

The upload is all-or-nothing: one bad row rejects the file and changes nothing; the same file twice changes
nothing the second time; a clerk never reads or writes another county's figures through a template or upload.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from counties import services
from counties.choices import FigureStatus
from places.models import County
from counties.models import Figure
from counties.spreadsheet import INSTRUCTIONS_SHEET, META_SHEET, apply_upload, build_template, build_template_csv, \
    parse_upload
from indicators.models import Indicator
from tests.conftest import api_for, client_for

pytestmark = pytest.mark.django_db

XICHANG, ZHAOJUE = "513401", "513431"
RATE = "CMP-40"        # 学生学业合格率: 85 / 70 / 60 % by tier, 2025
COUNT = "PRE-05"       # 公办省、州级示范性幼儿园数（每县）, 所
AMOUNT = "PRE-14"      # 村级幼教点辅导员劳务报酬, 元/月
MILESTONE = "PRE-06"   # 制定普惠性民办幼儿园认定和管理办法


@pytest.fixture
def xichang():
    return County.objects.get(code=XICHANG)


@pytest.fixture
def zhaojue():
    return County.objects.get(code=ZHAOJUE)


def user_named(users, name):
    return None if name is None else users[name]


# ---------------------------------------------------------------- helpers over the workbook as a clerk sees it

def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def data_sheets(wb):
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title != INSTRUCTIONS_SHEET]


def locate(wb) -> dict:
    """{indicator code: (sheet, row number, {header: column number})} for every indicator row."""
    found = {}
    for ws in data_sheets(wb):
        header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "指标代码")
        cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value}
        for r in range(header + 1, ws.max_row + 1):
            code = ws.cell(r, 1).value
            if code:
                found[code] = (ws, r, cols)
    return found


def cell(wb, code: str, header: str):
    ws, r, cols = locate(wb)[code]
    return ws.cell(r, cols[header])


def fill(wb, code: str, **values) -> None:
    ws, r, cols = locate(wb)[code]
    for header, value in values.items():
        ws.cell(r, cols[header]).value = value


def to_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def validation_for(ws, coordinate: str):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def upload(user, county, year, data: bytes, filename: str = "填报.xlsx"):
    return apply_upload(user, county, year, parse_upload(io.BytesIO(data), filename), filename)


def good_file(county, year=2024) -> bytes:
    wb = workbook(build_template(county, year))
    fill(wb, RATE, 分子=90, 分母=100)
    fill(wb, COUNT, 数值=2, 备注="两所示范园")
    fill(wb, AMOUNT, 数值=3000.5)
    fill(wb, MILESTONE, 数值="是", 完成日期=date(2022, 6, 30), 佐证材料="州政办发〔2022〕1号")
    return to_bytes(wb)


def figures_of(county, year=2024):
    return {f.indicator.code: f for f in Figure.objects.filter(county=county, year=year).select_related("indicator")}


def history_count(county) -> int:
    return Figure.history.filter(county=county).count()


def draft(user, county, code, year=2024, **values):
    return services.save_draft(user, county, Indicator.objects.get(code=code), year, **values).figure


def approved(county, code, year, **values):
    return Figure.objects.create(county=county, indicator=Indicator.objects.get(code=code), year=year,
                                 status=FigureStatus.APPROVED, **values)


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


# ---------------------------------------------------------------- permissions: every URL × role, exact codes

TEMPLATE_PAGE = [
    (None, XICHANG, 302),
    ("clerk_xichang", XICHANG, 200),
    ("clerk_xichang", ZHAOJUE, 404),
    ("clerk_zhaojue", XICHANG, 404),
    ("clerk_zhaojue", ZHAOJUE, 200),
    ("official", XICHANG, 200),
    ("official", ZHAOJUE, 200),
    ("auditor", XICHANG, 200),
    ("admin", ZHAOJUE, 200),
]


@pytest.mark.parametrize("username, code, status", TEMPLATE_PAGE)
def test_template_page_permissions(users, username, code, status):
    response = client_for(user_named(users, username)).get(reverse("figure-template", args=[code, 2024]))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))
    if status == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        assert "attachment" in response["Content-Disposition"]
        wb = workbook(response.content)
        assert wb[META_SHEET]["B1"].value == code


@pytest.mark.parametrize("url_args", [("999999", 2024), (XICHANG, 1999), (XICHANG, 2999)])
def test_template_page_unknown_county_or_year_is_404(official, url_args):
    assert client_for(official).get(reverse("figure-template", args=url_args)).status_code == 404


UPLOAD_PAGE_GET = [(None, 302), ("clerk_xichang", 200), ("clerk_zhaojue", 200), ("official", 403),
                   ("auditor", 403), ("admin", 403)]


@pytest.mark.parametrize("username, status", UPLOAD_PAGE_GET)
def test_upload_page_get_permissions(users, username, status):
    response = client_for(user_named(users, username)).get(reverse("figure-upload", args=[2024]))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


UPLOAD_PAGE_POST = [(None, XICHANG, 302), ("clerk_xichang", XICHANG, 200), ("clerk_zhaojue", ZHAOJUE, 200),
                    ("clerk_zhaojue", XICHANG, 403), ("official", XICHANG, 403), ("auditor", XICHANG, 403),
                    ("admin", XICHANG, 403)]


@pytest.mark.parametrize("username, file_county, status", UPLOAD_PAGE_POST)
def test_upload_page_post_permissions(users, username, file_county, status):
    county = County.objects.get(code=file_county)
    before = Figure.objects.count()
    response = client_for(user_named(users, username)).post(
        reverse("figure-upload", args=[2024]),
        {"file": SimpleUploadedFile("填报.xlsx", good_file(county))})
    assert response.status_code == status
    if status == 200:
        assert Figure.objects.filter(county=county, year=2024).count() == 4
    else:
        assert Figure.objects.count() == before


def test_upload_page_unknown_year_is_404(clerk_xichang):
    assert client_for(clerk_xichang).get(reverse("figure-upload", args=[1999])).status_code == 404
    assert client_for(clerk_xichang).get(reverse("figure-upload", args=[2999])).status_code == 404


API_TEMPLATE = [
    (None, XICHANG, 401),
    ("clerk_xichang", XICHANG, 200),
    ("clerk_xichang", ZHAOJUE, 404),
    ("clerk_zhaojue", XICHANG, 404),
    ("clerk_zhaojue", ZHAOJUE, 200),
    ("official", XICHANG, 200),
    ("auditor", ZHAOJUE, 200),
    ("admin", XICHANG, 200),
]


@pytest.mark.parametrize("username, code, status", API_TEMPLATE)
def test_api_template_csv_permissions(users, username, code, status):
    response = api_for(user_named(users, username)).get(
        reverse("api:figure-template"), {"county": code, "year": 2024})
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("text/csv")
        assert response.content.startswith(b"\xef\xbb\xbf")


def test_api_template_csv_needs_a_known_county_and_a_valid_year(clerk_xichang):
    api = api_for(clerk_xichang)
    assert api.get(reverse("api:figure-template"), {"county": "999999", "year": 2024}).status_code == 404
    assert api.get(reverse("api:figure-template"), {"county": XICHANG, "year": "abc"}).status_code == 400
    assert api.get(reverse("api:figure-template"), {"county": XICHANG, "year": 2999}).status_code == 400
    # A clerk's own county is the default.
    response = api.get(reverse("api:figure-template"), {"year": 2024})
    assert response.status_code == 200 and XICHANG in response.content.decode("utf-8-sig")


API_UPLOAD = [
    (None, XICHANG, 401),
    ("clerk_xichang", XICHANG, 200),
    ("clerk_xichang", ZHAOJUE, 403),
    ("clerk_zhaojue", XICHANG, 403),
    ("clerk_zhaojue", ZHAOJUE, 200),
    ("official", XICHANG, 403),
    ("auditor", XICHANG, 403),
    ("admin", XICHANG, 403),
]


@pytest.mark.parametrize("username, code, status", API_UPLOAD)
def test_api_upload_permissions(users, username, code, status):
    body = csv_bytes([["指标代码", "数值", "分子", "分母"], [RATE, "", "90", "100"], [COUNT, "2", "", ""]])
    before = Figure.objects.count()
    response = api_for(user_named(users, username)).post(
        reverse("api:figure-upload"),
        {"file": SimpleUploadedFile("figures.csv", body, "text/csv"), "county": code, "year": 2024},
        format="multipart")
    assert response.status_code == status
    assert "message" in response.json()
    if status == 200:
        assert response.json()["created"] == 2
        assert Figure.objects.filter(county__code=code, year=2024).count() == 2
    else:
        assert Figure.objects.count() == before


# ---------------------------------------------------------------- the template

def test_template_lists_what_xichang_reports_with_its_targets(xichang):
    wb = workbook(build_template(xichang, 2024))
    rows = locate(wb)
    reported = set(Indicator.objects.filter(retired=False).exclude(level="prefecture", rollup="none")
                   .values_list("code", flat=True))
    assert set(rows) == reported
    # the same predicate as the entry form and completeness (one scope for every path)
    from counties.reporting import load_catalogue
    assert set(rows) == {e.indicator.code for e in load_catalogue() if e.applies_to(xichang, 2024)}
    prefecture_only = Indicator.objects.filter(level="prefecture", rollup="none").first()
    assert prefecture_only.code not in rows
    # 学业合格率: 西昌 is in the first tier, 85 % by 2025.
    assert cell(wb, RATE, "目标").value == 85
    assert "2025" in cell(wb, RATE, "目标说明").value
    assert cell(wb, RATE, "单位").value == "%"
    assert cell(wb, RATE, "类型").value == "比率"
    assert cell(wb, RATE, "当前状态").value == "未填报"


def test_template_target_follows_the_tier(zhaojue):
    wb = workbook(build_template(zhaojue, 2024))
    assert cell(wb, RATE, "目标").value == 60
    assert wb[META_SHEET]["B1"].value == ZHAOJUE and wb[META_SHEET]["B2"].value == 2024


def test_template_carries_last_years_approved_value_and_current_drafts(clerk_xichang, xichang):
    approved(xichang, RATE, 2023, value=Decimal("80"), numerator=80, denominator=100)
    Figure.objects.create(county=xichang, indicator=Indicator.objects.get(code=COUNT), year=2023, value=9,
                          status=FigureStatus.SUBMITTED)  # not approved: not last year's approved value
    draft(clerk_xichang, xichang, RATE, numerator=83, denominator=100, note="=HYPERLINK(\"x\")")
    wb = workbook(build_template(xichang, 2024))
    assert cell(wb, RATE, "上年审核值").value == 80
    assert cell(wb, COUNT, "上年审核值").value is None
    assert cell(wb, RATE, "分子").value == 83 and cell(wb, RATE, "分母").value == 100
    assert cell(wb, RATE, "当前状态").value == "草稿"
    assert cell(wb, RATE, "版本").value == 1
    # A note is text, never a formula, in whoever opens the file.
    note = cell(wb, RATE, "备注")
    assert note.value == "=HYPERLINK(\"x\")" and note.data_type == "s"


def test_template_has_data_validation_locks_and_layout(xichang):
    wb = workbook(build_template(xichang, 2024))
    assert wb.sheetnames[0] == INSTRUCTIONS_SHEET and wb[META_SHEET].sheet_state == "hidden"

    def rule(code, header):
        c = cell(wb, code, header)
        [dv] = validation_for(c.parent, c.coordinate)
        return dv

    assert (rule(RATE, "分子").type, rule(RATE, "分子").formula1) == ("whole", "0")
    assert (rule(RATE, "分母").type, rule(RATE, "分母").formula1) == ("whole", "1")
    assert (rule(COUNT, "数值").type, rule(COUNT, "数值").operator) == ("whole", "greaterThanOrEqual")
    assert (rule(AMOUNT, "数值").type, rule(AMOUNT, "数值").formula1) == ("decimal", "0")
    assert rule(MILESTONE, "数值").type == "list" and "是" in rule(MILESTONE, "数值").formula1
    assert rule(MILESTONE, "完成日期").type == "date"
    assert rule(RATE, "分子").showErrorMessage and "整数" in rule(RATE, "分子").error
    # Locked: the code and everything read-only; open: the cells a clerk fills in.
    ws = cell(wb, RATE, "指标代码").parent
    assert ws.protection.sheet
    assert cell(wb, RATE, "指标代码").protection.locked
    assert cell(wb, RATE, "目标").protection.locked
    assert not cell(wb, RATE, "分子").protection.locked
    assert cell(wb, RATE, "数值").protection.locked           # a rate's value is computed
    assert not cell(wb, COUNT, "数值").protection.locked
    assert cell(wb, COUNT, "分子").protection.locked
    assert not cell(wb, MILESTONE, "完成日期").protection.locked
    assert ws.freeze_panes and ws.column_dimensions["B"].width > 20


def test_submitted_figures_are_locked_in_the_template(clerk_xichang, xichang):
    figure = draft(clerk_xichang, xichang, COUNT, value=2)
    services.submit(clerk_xichang, figure)
    wb = workbook(build_template(xichang, 2024))
    assert cell(wb, COUNT, "数值").value == 2
    assert cell(wb, COUNT, "当前状态").value == "已提交"
    assert cell(wb, COUNT, "数值").protection.locked


def test_read_only_export_locks_every_cell(xichang):
    wb = workbook(build_template(xichang, 2024, read_only=True))
    assert cell(wb, COUNT, "数值").protection.locked


# ---------------------------------------------------------------- uploads that succeed

def test_good_upload_creates_drafts_and_reports_them(clerk_xichang, xichang):
    report = upload(clerk_xichang, xichang, 2024, good_file(xichang), "good.xlsx")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    figures = figures_of(xichang)
    assert set(figures) == {RATE, COUNT, AMOUNT, MILESTONE}
    assert all(f.status == FigureStatus.DRAFT and f.version == 1 for f in figures.values())
    assert (figures[RATE].numerator, figures[RATE].denominator, figures[RATE].value) == (90, 100, 90)
    assert figures[COUNT].value == 2 and figures[COUNT].note == "两所示范园"
    assert figures[AMOUNT].value == Decimal("3000.5")
    assert figures[MILESTONE].value == 1 and figures[MILESTONE].done_on == date(2022, 6, 30)
    assert figures[MILESTONE].evidence == "州政办发〔2022〕1号"
    assert figures[RATE].history.first().history_change_reason == "上传 good.xlsx"
    assert figures[RATE].history.first().history_user == clerk_xichang
    change = next(c for c in report.changes if c.indicator == RATE)
    assert change.created and ("分子", "—", "90") in [(f.label, f.old, f.new) for f in change.fields]
    assert report.status == 200


def test_same_file_twice_changes_nothing_the_second_time(clerk_xichang, xichang):
    data = good_file(xichang)
    assert upload(clerk_xichang, xichang, 2024, data).ok
    versions = {code: f.version for code, f in figures_of(xichang).items()}
    history = history_count(xichang)
    again = upload(clerk_xichang, xichang, 2024, data)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert again.changes == []
    assert {code: f.version for code, f in figures_of(xichang).items()} == versions
    assert history_count(xichang) == history


def test_fresh_template_uploaded_unchanged_changes_nothing(clerk_xichang, xichang):
    assert upload(clerk_xichang, xichang, 2024, good_file(xichang)).ok
    history = history_count(xichang)
    report = upload(clerk_xichang, xichang, 2024, build_template(xichang, 2024))
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert history_count(xichang) == history


def test_upload_updates_a_draft_and_reports_old_and_new(clerk_xichang, xichang):
    draft(clerk_xichang, xichang, COUNT, value=1)
    wb = workbook(build_template(xichang, 2024))
    fill(wb, COUNT, 数值=3)
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 1, 0)
    [change] = report.changes
    assert not change.created and [(f.label, f.old, f.new) for f in change.fields] == [("数值", "1", "3")]
    figure = figures_of(xichang)[COUNT]
    assert (figure.value, figure.version) == (3, 2)


def test_a_returned_figure_may_be_corrected_by_upload(clerk_xichang, official, xichang):
    figure = services.submit(clerk_xichang, draft(clerk_xichang, xichang, COUNT, value=1))
    services.return_figure(official, figure, "请核实")
    wb = workbook(build_template(xichang, 2024))
    assert "请核实" in cell(wb, COUNT, "当前状态").value
    fill(wb, COUNT, 数值=2)
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert report.ok and report.updated == 1
    assert figures_of(xichang)[COUNT].status == FigureStatus.RETURNED


def test_blank_rows_and_extra_blank_lines_are_ignored(clerk_xichang, xichang):
    wb = workbook(good_file(xichang))
    ws = data_sheets(wb)[0]
    ws.append([])
    ws.append([None, None, None])
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert report.ok and report.created == 4


def test_milestone_accepts_one_and_zero(clerk_xichang, xichang):
    wb = workbook(build_template(xichang, 2024))
    fill(wb, MILESTONE, 数值=1, 完成日期="2022/06/30")
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert report.ok, report.errors
    figure = figures_of(xichang)[MILESTONE]
    assert (figure.value, figure.done_on) == (1, date(2022, 6, 30))


def test_plausibility_warnings_are_reported_but_do_not_block(clerk_xichang, xichang):
    approved(xichang, COUNT, 2023, value=10)
    wb = workbook(build_template(xichang, 2024))
    fill(wb, COUNT, 数值=30)
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert report.ok and report.created == 1
    assert any(w.indicator == COUNT for w in report.warnings)


# ---------------------------------------------------------------- uploads that are refused: nothing changes

@pytest.mark.parametrize("code, values, column, message", [
    (RATE, {"分子": 120, "分母": 100}, "分子", "不能大于分母"),
    (RATE, {"分子": "九十", "分母": 100}, "分子", "不是数字"),
    (COUNT, {"数值": "abc"}, "数值", "不是数字"),
    (COUNT, {"数值": -1}, "数值", "不能为负数"),
    (COUNT, {"数值": 1.5}, "数值", "整数"),
    (MILESTONE, {"数值": "是", "完成日期": None}, "完成日期", "完成日期"),
    (MILESTONE, {"数值": "是", "完成日期": "去年"}, "完成日期", "不是有效日期"),
])
def test_one_bad_row_changes_no_row(clerk_xichang, xichang, code, values, column, message):
    draft(clerk_xichang, xichang, AMOUNT, value=100)
    history = history_count(xichang)
    wb = workbook(good_file(xichang))
    fill(wb, code, **values)
    ws, row, cols = locate(wb)[code]
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert not report.ok and report.status == 400
    assert (report.created, report.updated) == (0, 0)
    [error] = report.errors
    assert (error.sheet, error.row, error.column, error.indicator) == (ws.title, row, column, code)
    assert error.cell == ws.cell(row, cols[column]).coordinate
    assert message in error.message
    assert set(figures_of(xichang)) == {AMOUNT} and figures_of(xichang)[AMOUNT].value == 100
    assert history_count(xichang) == history


def test_every_bad_row_is_reported_at_once(clerk_xichang, xichang):
    wb = workbook(good_file(xichang))
    fill(wb, RATE, 分子=120)
    fill(wb, COUNT, 数值="abc")
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert {(e.indicator, e.column) for e in report.errors} == {(RATE, "分子"), (COUNT, "数值")}
    assert Figure.objects.filter(county=xichang).count() == 0


def test_unknown_prefecture_only_and_duplicate_codes_are_errors(clerk_xichang, xichang):
    prefecture_only = Indicator.objects.filter(level="prefecture", rollup="none").first().code
    body = csv_bytes([["指标代码", "数值"], [COUNT, "1"], ["NOPE-1", "1"], [prefecture_only, "1"], [COUNT, "2"],
                      ["", "5"]])
    report = upload(clerk_xichang, xichang, 2024, body, "f.csv")
    assert [(e.row, e.column) for e in report.errors] == [(3, "指标代码"), (4, "指标代码"), (5, "指标代码"),
                                                           (6, "指标代码")]
    assert "第2行" in report.errors[2].message
    assert Figure.objects.filter(county=xichang).count() == 0


def test_changing_a_submitted_or_approved_figure_is_an_error_identical_is_unchanged(clerk_xichang, xichang):
    services.submit(clerk_xichang, draft(clerk_xichang, xichang, COUNT, value=2))
    approved(xichang, RATE, 2024, value=Decimal(90), numerator=90, denominator=100)
    wb = workbook(build_template(xichang, 2024))
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert report.ok and report.unchanged == 2
    fill(wb, COUNT, 数值=3)
    fill(wb, RATE, 分子=91)
    history = history_count(xichang)
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert not report.ok and report.status == 409
    assert {(e.indicator, e.column) for e in report.errors} == {(COUNT, "数值"), (RATE, "分子")}
    assert "已提交" in next(e.message for e in report.errors if e.indicator == COUNT)
    assert figures_of(xichang)[COUNT].value == 2 and history_count(xichang) == history


def test_a_file_for_xichang_uploaded_by_zhaojue_is_refused(clerk_zhaojue, xichang, zhaojue):
    data = good_file(xichang)
    # As 昭觉's own upload: the file says it is 西昌's.
    report = upload(clerk_zhaojue, zhaojue, 2024, data)
    assert not report.ok and report.status == 403 and "西昌市" in report.errors[0].message
    # As 西昌's upload: not the clerk's county.
    report = upload(clerk_zhaojue, xichang, 2024, data)
    assert not report.ok and report.status == 403
    assert Figure.objects.filter(county__in=[xichang, zhaojue]).count() == 0


def test_a_file_for_another_year_is_refused(clerk_xichang, xichang):
    report = upload(clerk_xichang, xichang, 2023, good_file(xichang, 2024))
    assert not report.ok and report.status == 400 and "2024" in report.errors[0].message
    assert Figure.objects.filter(county=xichang).count() == 0


def test_a_locked_year_refuses_changes_but_accepts_the_same_values(clerk_xichang, official, xichang):
    data = good_file(xichang)
    assert upload(clerk_xichang, xichang, 2024, data).ok
    services.lock_year(official, 2024)
    assert upload(clerk_xichang, xichang, 2024, data).ok
    wb = workbook(data)
    fill(wb, COUNT, 数值=5)
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert not report.ok and report.status == 409 and "锁定" in report.errors[0].message
    assert figures_of(xichang)[COUNT].value == 2


def test_a_colleagues_change_after_download_is_not_overwritten(clerk_xichang, xichang):
    from django.contrib.auth.models import Group, User

    from places.models import Profile

    colleague = User.objects.create(username="clerk_xichang_2")
    colleague.groups.add(Group.objects.get(name="clerk"))
    Profile.objects.create(user=colleague, county=xichang)
    draft(clerk_xichang, xichang, COUNT, value=1)
    wb = workbook(build_template(xichang, 2024))
    draft(colleague, xichang, COUNT, value=7, expected_version=1)
    fill(wb, COUNT, 数值=3)
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert not report.ok and report.status == 409 and "重新下载" in report.errors[0].message
    assert figures_of(xichang)[COUNT].value == 7


def test_a_figure_a_colleague_created_after_download_is_not_overwritten(clerk_xichang, xichang):
    from django.contrib.auth.models import Group, User

    from places.models import Profile

    colleague = User.objects.create(username="clerk_xichang_3")
    colleague.groups.add(Group.objects.get(name="clerk"))
    Profile.objects.create(user=colleague, county=xichang)
    wb = workbook(build_template(xichang, 2024))
    draft(colleague, xichang, COUNT, value=7)
    fill(wb, COUNT, 数值=3)
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert report.status == 409 and [e.column for e in report.errors] == ["版本"]
    # A CSV without the version column is the API client's own business: no check.
    report = upload(clerk_xichang, xichang, 2024, csv_bytes([["指标代码", "数值"], [COUNT, "3"]]), "f.csv")
    assert report.ok and report.updated == 1


def test_ones_own_upload_does_not_make_the_file_stale(clerk_xichang, xichang):
    wb = workbook(build_template(xichang, 2024))
    fill(wb, COUNT, 数值=1)
    assert upload(clerk_xichang, xichang, 2024, to_bytes(wb)).ok
    fill(wb, COUNT, 数值=2)
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert report.ok and report.updated == 1


@pytest.mark.parametrize("filename, data, message", [
    ("a.xlsx", b"not a zip file", "xlsx"),
    ("a.xls", b"\xd0\xcf\x11\xe0 old excel", ".xlsx"),
    ("a.pdf", b"%PDF-1.4", ".xlsx"),
    ("a.csv", "名称,数值\n甲,1\n".encode(), "指标代码"),
    ("a.csv", b"", "空文件"),
])
def test_unreadable_files_are_refused_with_a_message(clerk_xichang, filename, data, message):
    response = client_for(clerk_xichang).post(reverse("figure-upload", args=[2024]),
                                              {"file": SimpleUploadedFile(filename, data)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Figure.objects.count() == 0


# ---------------------------------------------------------------- pages

def test_upload_page_shows_the_form_and_the_template_link(clerk_xichang):
    response = client_for(clerk_xichang).get(reverse("figure-upload", args=[2024]))
    body = response.content.decode()
    assert reverse("figure-template", args=[XICHANG, 2024]) in body
    assert 'type="file"' in body and "西昌市" in body


def test_upload_page_reports_changes_then_unchanged(clerk_xichang, xichang):
    client = client_for(clerk_xichang)
    data = good_file(xichang)
    url = reverse("figure-upload", args=[2024])
    response = client.post(url, {"file": SimpleUploadedFile("good.xlsx", data)})
    body = response.content.decode()
    assert response.status_code == 200 and "新建 4" in body and RATE in body
    response = client.post(url, {"file": SimpleUploadedFile("good.xlsx", data)})
    assert response.status_code == 200 and "未变 4" in response.content.decode()


def test_upload_page_shows_errors_by_row_and_column(clerk_xichang, xichang):
    wb = workbook(good_file(xichang))
    fill(wb, RATE, 分子=120)
    ws, row, cols = locate(wb)[RATE]
    response = client_for(clerk_xichang).post(reverse("figure-upload", args=[2024]),
                                              {"file": SimpleUploadedFile("bad.xlsx", to_bytes(wb))})
    body = response.content.decode()
    assert response.status_code == 400
    assert f"<td>{row}</td>" in body and "分子" in body and "不能大于分母" in body
    assert "未作任何修改" in body
    assert Figure.objects.filter(county=xichang).count() == 0


def test_upload_page_without_a_file_is_400(clerk_xichang):
    response = client_for(clerk_xichang).post(reverse("figure-upload", args=[2024]), {})
    assert response.status_code == 400


# ---------------------------------------------------------------- API, CSV

def test_api_csv_template_round_trip_utf8_bom(clerk_xichang, xichang):
    api = api_for(clerk_xichang)
    response = api.get(reverse("api:figure-template"), {"county": XICHANG, "year": 2024})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:2] == ["指标代码", "指标名称"] and "县市代码" in header and "年度" in header
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[RATE][header.index("目标")] == "85"
    by_code[RATE][header.index("分子")] = "90"
    by_code[RATE][header.index("分母")] = "100"
    by_code[MILESTONE][header.index("数值")] = "1"
    by_code[MILESTONE][header.index("完成日期")] = "2022-06-30"
    body = csv_bytes(rows, "utf-8-sig")
    post = {"file": SimpleUploadedFile("t.csv", body, "text/csv"), "county": XICHANG, "year": 2024}
    response = api.post(reverse("api:figure-upload"), post, format="multipart")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["created"], data["updated"], data["unchanged"]) == (2, 0, 0)
    assert {c["indicator"] for c in data["changes"]} == {RATE, MILESTONE}
    post["file"] = SimpleUploadedFile("t.csv", body, "text/csv")
    again = api.post(reverse("api:figure-upload"), post, format="multipart").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_api_csv_upload_in_gbk(clerk_xichang, xichang):
    body = csv_bytes([["指标代码", "数值", "分子", "分母", "备注"], [RATE, "", "90", "100", "抽样监测"]], "gbk")
    response = api_for(clerk_xichang).post(
        reverse("api:figure-upload"),
        {"file": SimpleUploadedFile("gbk.csv", body, "text/csv"), "county": XICHANG, "year": 2024},
        format="multipart")
    assert response.status_code == 200, response.json()
    assert figures_of(xichang)[RATE].note == "抽样监测"


def test_api_csv_upload_with_a_bad_row_is_400_and_changes_nothing(clerk_xichang, xichang):
    body = csv_bytes([["指标代码", "数值", "分子", "分母"], [COUNT, "2", "", ""], [RATE, "", "120", "100"]])
    response = api_for(clerk_xichang).post(
        reverse("api:figure-upload"),
        {"file": SimpleUploadedFile("bad.csv", body, "text/csv"), "county": XICHANG, "year": 2024},
        format="multipart")
    assert response.status_code == 400
    data = response.json()
    assert data["message"] and data["created"] == 0
    assert data["errors"] == [{"sheet": "", "row": 3, "column": "分子", "cell": "C3", "field": "numerator",
                               "indicator": RATE, "code": "numerator_gt_denominator",
                               "message": data["errors"][0]["message"]}]
    assert "不能大于分母" in data["errors"][0]["message"]
    assert Figure.objects.filter(county=xichang).count() == 0


def test_api_csv_with_another_countys_code_column_is_403(clerk_zhaojue, xichang):
    rows = list(csv.reader(io.StringIO(build_template_csv(xichang, 2024).decode("utf-8-sig"))))
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == COUNT)
    row[header.index("数值")] = "3"
    response = api_for(clerk_zhaojue).post(
        reverse("api:figure-upload"),
        {"file": SimpleUploadedFile("x.csv", csv_bytes([header, row]), "text/csv"), "county": ZHAOJUE,
         "year": 2024},
        format="multipart")
    assert response.status_code == 403
    assert Figure.objects.count() == 0


def test_api_upload_accepts_xlsx_and_needs_a_file_and_year(clerk_xichang, xichang):
    api = api_for(clerk_xichang)
    url = reverse("api:figure-upload")
    response = api.post(url, {"file": SimpleUploadedFile("g.xlsx", good_file(xichang)), "year": 2024},
                        format="multipart")
    assert response.status_code == 200 and response.json()["created"] == 4
    assert api.post(url, {"year": 2024}, format="multipart").status_code == 400
    no_year = api.post(url, {"file": SimpleUploadedFile("g.csv", b"x")}, format="multipart")
    assert no_year.status_code == 400 and no_year.json()["message"]


def test_api_upload_of_an_unknown_county_is_400(clerk_xichang):
    response = api_for(clerk_xichang).post(
        reverse("api:figure-upload"),
        {"file": SimpleUploadedFile("g.csv", b"x"), "county": "999999", "year": 2024}, format="multipart")
    assert response.status_code == 400


def test_schema_documents_the_upload_endpoints(official):
    response = api_for(official).get(reverse("api:api-schema"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/figures/upload/" in body and "/api/v1/figures/template.csv" in body


@pytest.mark.parametrize("raw, message", [("3000.12345", "4位小数"), ("1e20", "过大"), ("9999999999999", "过大")])
def test_numbers_beyond_the_stored_precision_are_refused(clerk_xichang, xichang, raw, message):
    # Figures are DECIMAL(16, 4): more places would be rounded by the database (and the same file would
    # then "change" the figure on every upload); bigger numbers do not fit at all.
    body = csv_bytes([["指标代码", "数值"], [AMOUNT, raw]])
    report = upload(clerk_xichang, xichang, 2024, body, "f.csv")
    assert not report.ok and message in report.errors[0].message
    assert Figure.objects.filter(county=xichang).count() == 0


def test_excel_float_noise_is_not_a_change(clerk_xichang, xichang):
    wb = workbook(build_template(xichang, 2024))
    fill(wb, AMOUNT, 数值=0.1 + 0.2)  # 0.30000000000000004 in binary floating point
    data = to_bytes(wb)
    assert upload(clerk_xichang, xichang, 2024, data).created == 1
    assert figures_of(xichang)[AMOUNT].value == Decimal("0.3")
    assert upload(clerk_xichang, xichang, 2024, data).unchanged == 1


def test_a_formula_error_in_a_cell_is_reported_not_saved(clerk_xichang, xichang):
    body = csv_bytes([["指标代码", "数值", "备注"], [AMOUNT, "12", "#NAME?"], [COUNT, "#DIV/0!", ""]])
    report = upload(clerk_xichang, xichang, 2024, body, "f.csv")
    assert [(e.row, e.column, e.code) for e in report.errors] == [(2, "备注", "cell_error"), (3, "数值", "cell_error")]
    assert Figure.objects.filter(county=xichang).count() == 0


def test_template_queries_do_not_grow_with_the_figures(clerk_xichang, xichang, django_assert_num_queries):
    build_template(xichang, 2024, user=clerk_xichang)  # the user's role and county are cached on first use
    # figures, last year's, indicators, targets, target counties, the counties' attributes (the catalogue has
    # conditional targets: the entry form's scope), the year
    with django_assert_num_queries(7):
        build_template(xichang, 2024, user=clerk_xichang)
    assert upload(clerk_xichang, xichang, 2024, good_file(xichang)).ok
    approved(xichang, RATE, 2023, value=Decimal(80), numerator=80, denominator=100)
    with django_assert_num_queries(7):
        build_template(xichang, 2024, user=clerk_xichang)
    with django_assert_num_queries(6):
        build_template_csv(xichang, 2024, user=clerk_xichang)


def test_csv_template_keeps_formula_like_text_inert_and_round_trips(clerk_xichang, xichang):
    draft(clerk_xichang, xichang, COUNT, value=2, note="=1+1 见附件")
    data = build_template_csv(xichang, 2024)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, row = rows[0], next(r for r in rows if r[0] == COUNT)
    assert row[header.index("备注")] == "'=1+1 见附件"
    report = upload(clerk_xichang, xichang, 2024, data, "t.csv")
    assert report.ok and (report.updated, report.unchanged) == (0, 1)


def test_a_note_cell_over_the_limit_is_refused_and_nothing_changes(clerk_xichang, xichang):
    from counties.validation import TEXT_MAX_LENGTH

    wb = workbook(build_template(xichang, 2024))
    fill(wb, COUNT, 数值=1, 备注="长" * (TEXT_MAX_LENGTH + 1))
    report = upload(clerk_xichang, xichang, 2024, to_bytes(wb))
    assert not report.ok and [e.column for e in report.errors] == ["备注"]
    assert str(TEXT_MAX_LENGTH) in report.errors[0].message
    assert not Figure.objects.filter(county=xichang).exists()
