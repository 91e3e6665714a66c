"""The red/black lists (红黑榜) of one published version exported through the reports app: the CSV, the xlsx and the
PDF hold the version's lines in the page's order with the stored reasons, the cover states the version (and what a
correction corrects), every export is recorded with its SHA-256, every role that reads the lists page may export
any county's lines (the page is not scoped by county), and a bad version is refused without a record."""
from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from indicators.templatetags.catalogue import ind_name
from places.models import County
from redblack import lists
from redblack.models import Entry, Publication
from reports import exports, redblack_report, services
from reports.models import ExportRecord
from tests.conftest import client_for
from tests.redblack_data import HUILI, XICHANG, YEAR, ZHAOJUE, default_rules, lagging_zhaojue, progress  # noqa: F401
from tests.reports_data import content, csv_rows
from tests.test_reports_files import pdf_text

pytestmark = pytest.mark.django_db
URL = "/reports/redblack/"
HEADER = ["list", "number", "county", "county_name", "indicator", "indicator_name", "rule", "reason"]
LABELS = {"red": "红榜", "black": "黑榜"}


@pytest.fixture
def published(official):
    """2026-Q3 from 2025: 西昌 newly achieved CMP-01 (红榜); 昭觉 and every other county but 西昌 off track on
    CMP-01 (黑榜), so the black list has lines of many counties."""
    lagging_zhaojue()
    for county in County.objects.exclude(code__in=[ZHAOJUE, XICHANG]):
        progress(county.code, "CMP-01", YEAR, "off_track", 80, expected=95, target=96)
    return lists.publish(official, "2026-Q3", YEAR)


def expected_rows(publication: Publication, county: str | None = None) -> list[list[str]]:
    """The version's lines as the page lists them: the red list, then the black list, each by position, numbered
    within its list (1, 2, …), optionally one county's only."""
    rows = []
    for kind in ("red", "black"):
        entries = publication.entries.filter(list=kind).select_related("county", "indicator").order_by("position")
        for n, e in enumerate(entries, 1):
            if county is None or e.county.code == county:
                rows.append([LABELS[kind], str(n), e.county.code, e.county.name,
                             e.indicator.code if e.indicator else "", ind_name(e.indicator) if e.indicator else "",
                             e.rule, e.reason])
    return rows


def _get(user, params: dict, **headers):
    return client_for(user).get(URL, params, **headers)


def _cover(body: bytes) -> dict:
    """The cover's facts: from 报表 up to the first empty row (the rules' table follows)."""
    facts = {}
    for row in load_workbook(BytesIO(body)).worksheets[0].iter_rows(values_only=True):
        if row and row[0] == "报表":
            facts[row[0]] = row[1]
        elif facts and (not row or row[0] is None):
            break
        elif facts:
            facts[row[0]] = row[1]
    return facts


# what the files hold ----------------------------------------------------------------------------------------------

def test_the_csv_holds_the_versions_entries_in_the_pages_order(official, published):
    response = _get(official, {"publication": published.pk, "format": "csv"})
    assert response.status_code == 200 and response.streaming
    rows = csv_rows(response)
    assert list(rows[0]) == HEADER
    expected = expected_rows(published)
    assert [list(r.values()) for r in rows] == expected
    assert len(rows) == published.entries.count() > 10
    assert {r["list"] for r in rows} == {"红榜", "黑榜"}


def test_the_county_filter_keeps_that_countys_lines_with_their_numbers(auditor, published):
    whole = [list(r.values()) for r in csv_rows(_get(auditor, {"publication": published.pk, "format": "csv"}))]
    for county in (HUILI, ZHAOJUE):
        one = [list(r.values()) for r in csv_rows(_get(auditor, {"publication": published.pk, "county": county,
                                                                  "format": "csv"}))]
        assert one and one == [r for r in whole if r[2] == county] == expected_rows(published, county)
    assert int(one[0][1]) > 1  # 序号 is 昭觉's place in the whole black list, not in the filtered file


def test_numbers_follow_the_positions_even_when_a_list_is_not_one_run(official):
    """序号 with a county filter equals the whole file's, also when a list's positions are not consecutive."""
    pub = Publication.objects.create(period="2026-12", year=YEAR, published_by=official, rules=[])
    counties = list(County.objects.order_by("code")[:3])
    for position, (kind, county) in enumerate([("black", counties[0]), ("red", counties[1]),
                                               ("black", counties[1]), ("red", counties[2]),
                                               ("black", counties[2])]):
        Entry.objects.create(publication=pub, list=kind, county=county, rule="x", reason=f"r{position}",
                             position=position)
    whole = [list(r.values()) for r in csv_rows(_get(official, {"publication": pub.pk, "format": "csv"}))]
    assert [(r[0], r[1], r[7]) for r in whole] == [("红榜", "1", "r1"), ("红榜", "2", "r3"), ("黑榜", "1", "r0"),
                                                    ("黑榜", "2", "r2"), ("黑榜", "3", "r4")]
    for county in counties:
        one = [list(r.values()) for r in csv_rows(_get(official, {"publication": pub.pk, "county": county.code,
                                                                  "format": "csv"}))]
        assert one == [r for r in whole if r[2] == county.code]


def test_the_xlsx_has_the_cover_and_one_sheet_per_list_with_the_same_reasons(official, published):
    response = _get(official, {"publication": published.pk, "format": "xlsx"})
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["封面", "红榜", "黑榜"]
    expected = expected_rows(published)
    got = []
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[1]]
        assert header == ["榜单", "序号", "县市代码", "县市", "指标代码", "指标", "规则", "理由"]
        assert ws.freeze_panes == "A2"
        got += [["" if v is None else str(v) for v in row] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert got == expected
    facts = _cover(response.content)
    assert facts["报表"] == "红黑榜" and facts["期次"] == "2026-Q3" and facts["版本"] == "第1版"
    assert facts["数据年度"] == str(YEAR) and facts["发布人"] == "official" and facts["范围"] == "第1版 · 全部县市"
    assert facts["数据版本"] == response["X-Data-Version"] == f"P{published.pk}-2026-Q3-v1"
    assert facts["黑榜"] == f"{published.entries.filter(list='black').count()} 条" and "更正" not in facts
    assert response["Content-Disposition"].startswith('attachment; filename="redblack-2026-Q3-v1-prefecture-')


def test_the_xlsx_is_written_from_an_iterator(official, published):
    scope = redblack_report.resolve({"publication": str(published.pk)})
    assert exports.streams(scope, "xlsx") and exports.streams(scope, "csv") and not exports.streams(scope, "pdf")
    report = services.build(official, scope, stream=True)
    assert not isinstance(report.lines, list)


def test_the_csv_streams_in_chunks_with_the_same_bytes(official, published, monkeypatch):
    whole = content(_get(official, {"publication": published.pk, "format": "csv"}))
    monkeypatch.setattr(redblack_report, "CHUNK", 2)
    assert content(_get(official, {"publication": published.pk, "format": "csv"})) == whole


def test_the_pdf_holds_the_cover_and_the_same_reasons(official, published, tmp_path):
    response = _get(official, {"publication": published.pk, "county": ZHAOJUE, "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    flat = "".join(text.split())
    assert "红黑榜" in text and "2026-Q3" in text and "第1版" in text and "昭觉县" in text
    reasons = [r[7] for r in expected_rows(published, ZHAOJUE)]
    assert reasons and all("".join(reason.split()) in flat for reason in reasons)


# a correction -----------------------------------------------------------------------------------------------------

@pytest.fixture
def corrected(official, published):
    black = published.entries.get(list="black", county__code=ZHAOJUE)
    return lists.correct(official, published, remove=[black.pk], reason="数据口径有误")


def test_a_corrections_export_states_what_it_corrects(auditor, published, corrected, tmp_path):
    response = _get(auditor, {"publication": corrected.pk, "format": "xlsx"})
    facts = _cover(response.content)
    assert facts["版本"] == "第2版" and facts["更正"] == "更正第1版：数据口径有误"
    rows = [list(r.values()) for r in csv_rows(_get(auditor, {"publication": corrected.pk, "format": "csv"}))]
    assert rows == expected_rows(corrected)
    assert ("黑榜", ZHAOJUE, "CMP-01") not in {(r[0], r[2], r[4]) for r in rows}  # the line withdrawn
    text = "".join(pdf_text(_get(auditor, {"publication": corrected.pk, "county": HUILI, "format": "pdf"}).content,
                            tmp_path).split())
    assert "更正第1版：数据口径有误" in text
    old = _cover(_get(auditor, {"publication": published.pk, "format": "xlsx"}).content)
    assert old["状态"] == "此版本已被第2版更正，仅供查阅。" and "更正" not in old


# records -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_the_record_holds_the_sha256_of_the_bytes_served(official, published, fmt):
    response = _get(official, {"publication": published.pk, "county": ZHAOJUE, "format": fmt})
    body = content(response)
    record = ExportRecord.objects.get(pk=response["X-Export-Id"])
    assert record.sha256 == hashlib.sha256(body).hexdigest() and record.size == len(body)
    assert record.kind == "redblack" and record.format == fmt and record.status == "done"
    assert record.scope == f"redblack: publication={published.pk} county={ZHAOJUE}"
    assert record.data_version == f"P{published.pk}-2026-Q3-v1" and record.user == official


# who may export --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["clerk_xichang", "leader_xichang", "official", "auditor", "admin"])
def test_every_role_exports_any_countys_lines_like_the_page_shows_them(users, published, role):
    """The lists page is every role's and not scoped by county: a clerk or leader of 西昌 exports 昭觉's lines and
    the whole list."""
    user = users[role]
    assert client_for(user).get(reverse("redblack-publication", args=[published.pk]),
                                {"county": ZHAOJUE}).status_code == 200
    other = _get(user, {"publication": published.pk, "county": ZHAOJUE, "format": "csv"})
    assert other.status_code == 200
    assert [list(r.values()) for r in csv_rows(other)] == expected_rows(published, ZHAOJUE)
    whole = _get(user, {"publication": published.pk, "format": "xlsx"})
    assert whole.status_code == 200 and _cover(whole.content)["范围"] == "第1版 · 全部县市"
    assert ExportRecord.objects.filter(user=user, kind="redblack").count() == 2


def test_anonymous_users_are_sent_to_log_in(published):
    response = _get(None, {"publication": published.pk, "format": "csv"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not ExportRecord.objects.exists()


def test_a_user_without_a_role_exports_nothing(published):
    nobody = get_user_model().objects.create(username="no_role")
    assert client_for(nobody).get(reverse("redblack-lists")).status_code == 403  # the page's rule
    assert _get(nobody, {"publication": published.pk, "format": "csv"}).status_code == 403
    assert not ExportRecord.objects.exists()


# bad parameters ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, status, message", [
    ({"publication": None}, 400, "请用 publication 指定"), ({"publication": ""}, 400, "请用 publication 指定"),
    ({"publication": "abc"}, 400, "正整数"), ({"publication": "-1"}, 400, "正整数"), ({"publication": "1.5"}, 400, "正整数"),
    ({"publication": "999999"}, 404, "没有编号为 999999 的红黑榜版本"), ({"publication": "0"}, 404, "没有编号为 0 的"),
    ({"publication": str(2 ** 70)}, 404, "的红黑榜版本"),
    ({"county": "999999"}, 400, "未知的县市代码"), ({"format": "docx"}, 400, "format"),
])
def test_a_bad_version_is_refused_without_a_record(official, published, params, status, message):
    query = {k: v for k, v in {"publication": published.pk, "format": "csv", **params}.items() if v is not None}
    response = _get(official, query)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_the_refusal_is_in_english_for_english_readers(official, published):
    html = _get(official, {"publication": "abc", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "publication must be the id of a published red/black list" in html and "正整数" not in html
    html = _get(official, {"publication": "999999", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No published red/black list has the id 999999." in html


def test_a_pdf_longer_than_the_limit_is_refused(official, published, settings):
    settings.REPORTS_REDBLACK_PDF_MAX_LINES = limit = published.entries.filter(county__code=ZHAOJUE).count()
    assert published.entries.count() > limit
    response = _get(official, {"publication": published.pk, "format": "pdf"})
    assert response.status_code == 400 and f"PDF 最多 {limit} 条" in response.content.decode()
    assert not ExportRecord.objects.exists()
    assert _get(official, {"publication": published.pk, "county": ZHAOJUE, "format": "pdf"}).status_code == 200


# the version page's links --------------------------------------------------------------------------------------------

def test_the_version_page_links_to_the_three_files_keeping_its_county(auditor, published):
    url = reverse("redblack-publication", args=[published.pk])
    page = client_for(auditor).get(url).content.decode()
    for fmt in ("xlsx", "csv", "pdf"):
        assert f'href="{URL}?publication={published.pk}&amp;format={fmt}"' in page
    page = client_for(auditor).get(url, {"county": HUILI}).content.decode()
    for fmt in ("xlsx", "csv", "pdf"):
        assert f'href="{URL}?publication={published.pk}&amp;county={HUILI}&amp;format={fmt}"' in page
    assert reverse("report-redblack-file") == URL
