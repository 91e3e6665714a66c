"""Pages of the figure workflow: entry form, review queue, history and audit log, reporting status.

Who may open what is pinned first (every URL × role, GET and POST, exact status codes); then the workflow as
a clerk, an official and an auditor go through it; then the counting of completeness; then query counts.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone as dt_timezone
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counties import reporting, services
from counties.choices import FigureStatus
from places.models import County
from counties.models import Figure, ReportingYear
from indicators.models import Indicator
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

YEAR = 2024
ROLES = ["anonymous", "clerk_xichang", "clerk_zhaojue", "official", "auditor", "admin", "leader_xichang",
         "leader_zhaojue"]


# given helpers ------------------------------------------------------------------------------------------------

def county(code: str) -> County:
    return County.objects.get(code=code)


def indicator(code: str) -> Indicator:
    return Indicator.objects.select_related("unit").get(code=code)


def draft(user, code: str, *, county_code: str = "513401", year: int = YEAR, **values) -> Figure:
    return services.save_draft(user, county(county_code), indicator(code), year, **values).figure


def row(code: str, version: int = 0, initial: dict | None = None, **values) -> dict:
    """The POST data of one entry row: its version, the values shown (hidden initials) and the new values."""
    data = {f"{code}-version": str(version)}
    for name, shown in (initial or {}).items():
        data[f"initial-{code}-{name}"] = shown
    for name, value in values.items():
        data[f"{code}-{name}"] = value
    return data


def client(users, role: str):
    return client_for(None if role == "anonymous" else users[role])


@pytest.fixture
def xichang_figure(clerk_xichang) -> Figure:
    return draft(clerk_xichang, "PRE-02", numerator="800", denominator="1000")


# permissions: every URL × role, GET and POST -----------------------------------------------------------------

LOGIN = "login"
# status per role, in the order of ROLES; LOGIN = 302 to the login page. A county's leader reads its county's
# figures (the clerk's form sends it to the read-only page) and changes nothing.
MATRIX = {
    ("entry", "GET"): [LOGIN, 200, 200, 302, 302, 302, 302, 302],
    ("entry", "POST"): [LOGIN, 302, 302, 403, 403, 403, 403, 403],
    ("entry-xichang", "GET"): [LOGIN, 302, 403, 200, 200, 200, 200, 403],
    ("entry-xichang", "POST"): [LOGIN, 405, 405, 405, 405, 405, 405, 405],
    ("review", "GET"): [LOGIN, 403, 403, 200, 200, 200, 403, 403],
    ("review", "POST"): [LOGIN, 403, 403, 302, 403, 403, 403, 403],
    ("history", "GET"): [LOGIN, 200, 404, 200, 200, 200, 200, 404],
    ("history", "POST"): [LOGIN, 405, 405, 405, 405, 405, 405, 405],
    ("audit", "GET"): [LOGIN, 403, 403, 200, 200, 200, 403, 403],
    ("audit-csv", "GET"): [LOGIN, 403, 403, 302, 302, 302, 403, 403],  # to the reports app's change-history export
    ("audit", "POST"): [LOGIN, 403, 403, 405, 405, 405, 403, 403],
    ("reporting", "GET"): [LOGIN, 403, 403, 200, 200, 200, 403, 403],
    ("reporting", "POST"): [LOGIN, 403, 403, 302, 403, 403, 403, 403],
}
POST_DATA = {
    "entry": {"action": "save"},
    "review": {"action": "approve"},
    "reporting": {"action": "deadline", "deadline": "2025-03-31"},
}


def page_url(page: str, figure: Figure) -> str:
    return {
        "entry": reverse("figure-entry", args=[YEAR]),
        "entry-xichang": reverse("figure-entry-county", args=["513401", YEAR]),
        "review": reverse("review-queue"),
        "history": reverse("figure-history", args=[figure.pk]),
        "audit": reverse("audit-log"),
        "audit-csv": reverse("audit-log") + "?format=csv",
        "reporting": reverse("reporting-status", args=[YEAR]),
    }[page]


@pytest.mark.parametrize("page,method", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_it_answers_each_role_with_the_right_status(users, xichang_figure, page, method, role):
    # given
    url = page_url(page, xichang_figure)
    expected = MATRIX[(page, method)][ROLES.index(role)]
    # when
    c = client(users, role)
    response = c.get(url) if method == "GET" else c.post(url, POST_DATA.get(page, {}))
    # then
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, (page, method, role)


def test_it_sends_officials_from_the_clerk_entry_page_to_the_reporting_status(official):
    response = client_for(official).get(reverse("figure-entry", args=[YEAR]))
    assert response["Location"] == reverse("reporting-status", args=[YEAR])


def test_it_sends_a_clerk_from_the_read_only_page_of_their_own_county_to_their_form(clerk_xichang):
    response = client_for(clerk_xichang).get(reverse("figure-entry-county", args=["513401", YEAR]))
    assert response["Location"] == reverse("figure-entry", args=[YEAR])


def test_it_404s_for_an_impossible_year_or_county(clerk_xichang, official):
    assert client_for(clerk_xichang).get(reverse("figure-entry", args=[1999])).status_code == 404
    assert client_for(clerk_xichang).get(reverse("figure-entry", args=[2999])).status_code == 404
    assert client_for(official).get(reverse("figure-entry-county", args=["999999", YEAR])).status_code == 404
    assert client_for(official).get(reverse("reporting-status", args=[1999])).status_code == 404


def test_it_shows_a_clerk_only_their_own_county(clerk_xichang, clerk_zhaojue, xichang_figure):
    # given a xichang draft, when the zhaojue clerk opens their form, then it is not there
    page = client_for(clerk_zhaojue).get(reverse("figure-entry", args=[YEAR])).content.decode()
    assert "昭觉县" in page
    assert 'name="PRE-02-numerator" value="800"' not in page
    page = client_for(clerk_xichang).get(reverse("figure-entry", args=[YEAR])).content.decode()
    assert 'name="PRE-02-numerator" value="800"' in page


def test_the_read_only_page_has_no_inputs(official, xichang_figure):
    page = client_for(official).get(reverse("figure-entry-county", args=["513401", YEAR])).content.decode()
    assert "西昌市" in page
    assert "PRE-02" in page
    assert 'name="PRE-02-numerator"' not in page
    assert "保存草稿" not in page


def test_it_shows_an_auditor_the_queue_without_action_buttons(auditor, official, clerk_xichang, xichang_figure):
    services.submit(clerk_xichang, xichang_figure)
    auditor_page = client_for(auditor).get(reverse("review-queue")).content.decode()
    official_page = client_for(official).get(reverse("review-queue")).content.decode()
    assert "PRE-02" in auditor_page and "PRE-02" in official_page
    assert 'value="approve"' in official_page
    assert 'value="approve"' not in auditor_page
    assert 'name="ids"' not in auditor_page


def test_an_auditor_cannot_change_the_reporting_year(auditor):
    response = client_for(auditor).post(reverse("reporting-status", args=[YEAR]), {"action": "lock"})
    assert response.status_code == 403
    assert not ReportingYear.objects.filter(year=YEAR, locked=True).exists()


def test_an_auditor_cannot_approve(auditor, clerk_xichang, xichang_figure):
    figure = services.submit(clerk_xichang, xichang_figure)
    response = client_for(auditor).post(reverse("review-queue"), {"action": "approve", "ids": [figure.pk]})
    assert response.status_code == 403
    figure.refresh_from_db()
    assert figure.status == FigureStatus.SUBMITTED


# the workflow ------------------------------------------------------------------------------------------------

def entry(user, data: dict, *, year: int = YEAR, follow: bool = True):
    return client_for(user).post(reverse("figure-entry", args=[year]), {"action": "save", **data}, follow=follow)


def test_a_clerk_saves_part_of_the_form_as_drafts(clerk_xichang):
    # when: a rate, a count and a milestone are filled in; everything else is left empty
    response = entry(clerk_xichang, {
        **row("PRE-02", numerator="800", denominator="1000"),
        **row("PRE-05", value="3"),
        **row("PRE-06", done="1", done_on="2022-11-30", evidence="凉教发〔2022〕1号"),
        **row("PRE-03"),
    })
    # then
    assert response.status_code == 200
    assert "已保存3项" in response.content.decode()
    saved = {f.indicator.code: f for f in Figure.objects.filter(county__code="513401", year=YEAR)}
    assert set(saved) == {"PRE-02", "PRE-05", "PRE-06"}
    assert saved["PRE-02"].value == D("80") and saved["PRE-02"].numerator == D(800)
    assert saved["PRE-06"].value == 1 and saved["PRE-06"].done_on == date(2022, 11, 30)
    assert all(f.status == FigureStatus.DRAFT and f.version == 1 for f in saved.values())
    page = response.content.decode()
    assert 'name="PRE-02-numerator" value="800"' in page
    assert 'name="PRE-02-version" value="1"' in page


def test_it_shows_an_invalid_value_next_to_its_cell_and_saves_the_other_rows(clerk_xichang):
    response = entry(clerk_xichang, {
        **row("PRE-02", numerator="1200", denominator="1000"),
        **row("PRE-05", value="3"),
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "不能大于分母" in page
    assert 'name="PRE-02-numerator" value="1200"' in page  # the user's input is kept
    assert not Figure.objects.filter(indicator__code="PRE-02").exists()
    assert Figure.objects.get(indicator__code="PRE-05").value == 3


def test_a_done_milestone_without_a_date_is_refused_next_to_the_date(clerk_xichang):
    response = entry(clerk_xichang, row("PRE-06", done="1"))
    page = response.content.decode()
    assert "已完成的节点任务须填写完成日期" in page
    assert page.index("已完成的节点任务须填写完成日期") > page.index('name="PRE-06-done_on"')
    assert not Figure.objects.filter(indicator__code="PRE-06").exists()


def test_a_refused_row_keeps_the_values_it_was_shown_with(clerk_xichang, xichang_figure):
    # given the row was shown with 800/1000 at version 1, when an invalid value is saved
    shown = {"numerator": "800", "denominator": "1000", "note": ""}
    page = entry(clerk_xichang, row("PRE-02", 1, shown, numerator="abc", denominator="1000", note="")
                 ).content.decode()
    # then the page keeps the user's input, and what it was compared against, for the next save
    assert "不是数字" in page
    assert 'name="PRE-02-numerator" value="abc"' in page
    assert 'name="initial-PRE-02-numerator" value="800"' in page
    assert 'name="PRE-02-version" value="1"' in page


def test_an_unchanged_row_is_not_saved_again(clerk_xichang, xichang_figure):
    shown = {"numerator": "800", "denominator": "1000", "note": ""}
    entry(clerk_xichang, row("PRE-02", 1, shown, numerator="800", denominator="1000", note=""))
    xichang_figure.refresh_from_db()
    assert xichang_figure.version == 1


def test_a_stale_save_shows_the_conflict_and_does_not_overwrite(clerk_xichang, colleague_xichang, xichang_figure):
    # given: the page was loaded at version 1, then a colleague moved the figure on to version 2 (85 %)
    services.save_draft(colleague_xichang, county("513401"), indicator("PRE-02"), YEAR, numerator="850",
                        denominator="1000", expected_version=1)
    # when: the old page is saved with another value
    shown = {"numerator": "800", "denominator": "1000", "note": ""}
    response = entry(clerk_xichang, row("PRE-02", 1, shown, numerator="900", denominator="1000", note=""))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "已被他人修改" in page and "当前版本2" in page and "85" in page
    assert "分子 900" in page  # what the clerk typed is named, not silently dropped
    figure = Figure.objects.get(pk=xichang_figure.pk)
    assert (figure.version, figure.numerator) == (2, D(850))
    # and the row now holds the newer figure, so the clerk can decide and save again from there
    assert 'name="PRE-02-version" value="2"' in page
    assert 'name="PRE-02-numerator" value="850"' in page


def test_a_new_row_a_colleague_saved_meanwhile_is_a_conflict(clerk_xichang, colleague_xichang):
    entry(colleague_xichang, row("PRE-05", value="3"))
    response = entry(clerk_xichang, row("PRE-05", value="4"))
    assert "已被他人修改" in response.content.decode()
    assert Figure.objects.get(indicator__code="PRE-05").value == 3


def test_the_same_page_saved_twice_by_its_clerk_keeps_the_last_save(clerk_xichang):
    entry(clerk_xichang, row("PRE-05", value="3"))
    response = entry(clerk_xichang, row("PRE-05", value="4"))
    assert "已被他人修改" not in response.content.decode()
    assert Figure.objects.get(indicator__code="PRE-05").value == 4


def test_plausibility_warnings_are_shown_and_the_note_highlighted(clerk_xichang, official):
    # given an approved 2023 value of 50 %
    last = draft(clerk_xichang, "PRE-02", year=2023, numerator="500", denominator="1000")
    services.approve(official, services.submit(clerk_xichang, last))
    # when 2024 says 95 %
    response = entry(clerk_xichang, row("PRE-02", numerator="950", denominator="1000"))
    page = response.content.decode()
    # then
    assert "超过30%" in page
    assert "needs-note" in page
    assert "50" in page  # last year's approved value is shown


def test_submit_year_submits_complete_drafts_only(clerk_xichang):
    draft(clerk_xichang, "PRE-02", numerator="800", denominator="1000")
    draft(clerk_xichang, "PRE-05", value="3")
    draft(clerk_xichang, "PRE-03", note="数据待核")  # no value yet: stays a draft
    response = entry(clerk_xichang, {"action": "submit_year"})
    assert "已提交2项" in response.content.decode()
    status = dict(Figure.objects.filter(county__code="513401").values_list("indicator__code", "status"))
    assert status == {"PRE-02": "submitted", "PRE-05": "submitted", "PRE-03": "draft"}


def test_submit_plan_submits_only_that_plan(clerk_xichang):
    draft(clerk_xichang, "PRE-02", numerator="800", denominator="1000")
    draft(clerk_xichang, "CMP-09", value="0")
    entry(clerk_xichang, {"action": "submit_plan:preschool"})
    status = dict(Figure.objects.filter(county__code="513401").values_list("indicator__code", "status"))
    assert status == {"PRE-02": "submitted", "CMP-09": "draft"}


def test_save_and_submit_in_one_click(clerk_xichang):
    entry(clerk_xichang, {"action": "submit_year", **row("PRE-05", value="3")})
    figure = Figure.objects.get(indicator__code="PRE-05")
    assert (figure.status, figure.version) == (FigureStatus.SUBMITTED, 2)


def review(user, data: dict, **get):
    return client_for(user).post(reverse("review-queue"), data, follow=True)


def test_an_official_returns_one_with_a_reason_and_the_clerk_sees_it(clerk_xichang, official):
    # given two submitted figures
    a = services.submit(clerk_xichang, draft(clerk_xichang, "PRE-02", numerator="800", denominator="1000"))
    b = services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3"))
    # when the official returns one with a reason
    response = review(official, {"action": "return", "ids": [a.pk], f"v{a.pk}": a.version,
                                 "reason": "分母与统计年报不一致"})
    # then
    assert "已退回1项" in response.content.decode()
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, a.return_reason, b.status) == ("returned", "分母与统计年报不一致", "submitted")
    page = client_for(clerk_xichang).get(reverse("figure-entry", args=[YEAR])).content.decode()
    assert "分母与统计年报不一致" in page
    assert 'name="PRE-02-numerator"' in page  # returned: editable again


def test_return_without_a_reason_is_refused(clerk_xichang, official):
    a = services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3"))
    response = review(official, {"action": "return", "ids": [a.pk], "reason": " "})
    assert "退回时必须填写原因" in response.content.decode()
    a.refresh_from_db()
    assert a.status == FigureStatus.SUBMITTED


def test_bulk_approve(clerk_xichang, clerk_zhaojue, official):
    figures = [services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3")),
               services.submit(clerk_zhaojue, draft(clerk_zhaojue, "PRE-05", county_code="513431", value="1")),
               draft(clerk_xichang, "PRE-02", numerator="800", denominator="1000")]  # a draft: refused
    response = review(official, {"action": "approve", "ids": [f.pk for f in figures]})
    page = response.content.decode()
    assert "已审核通过2项" in page
    assert "只有已提交的数据可以审核通过" in page
    assert sorted(Figure.objects.values_list("status", flat=True)) == ["approved", "approved", "draft"]


def test_bulk_approve_refuses_a_figure_changed_since_the_queue_was_shown(clerk_xichang, official):
    figure = services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3"))
    response = review(official, {"action": "approve", "ids": [figure.pk], f"v{figure.pk}": figure.version - 1})
    assert "已被他人修改" in response.content.decode()
    figure.refresh_from_db()
    assert figure.status == FigureStatus.SUBMITTED


def test_reopen_an_approved_figure_with_a_reason(clerk_xichang, official):
    figure = services.approve(official, services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3")))
    review(official, {"action": "reopen", "ids": [figure.pk], "reason": "县里报告有误"})
    figure.refresh_from_db()
    assert (figure.status, figure.return_reason) == ("returned", "县里报告有误")


def test_the_queue_shows_the_change_from_the_previous_version(clerk_xichang, official):
    # given: submitted 3, returned, corrected to 5 and submitted again
    figure = services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3"))
    services.return_figure(official, figure, "请核实")
    draft(clerk_xichang, "PRE-05", value="5")
    services.submit(clerk_xichang, Figure.objects.get(pk=figure.pk))
    # when
    page = client_for(official).get(reverse("review-queue")).content.decode()
    # then
    assert "3所 → 5所" in page


def test_the_queue_filters_by_county_plan_and_year(clerk_xichang, clerk_zhaojue, official):
    services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3"))
    services.submit(clerk_zhaojue, draft(clerk_zhaojue, "CMP-09", county_code="513431", value="2"))
    c = client_for(official)
    page = c.get(reverse("review-queue"), {"county": "513431"}).content.decode()
    assert "CMP-09" in page and "PRE-05" not in page
    page = c.get(reverse("review-queue"), {"plan": "preschool"}).content.decode()
    assert "PRE-05" in page and "CMP-09" not in page
    page = c.get(reverse("review-queue"), {"year": "2023"}).content.decode()
    assert "PRE-05" not in page and "CMP-09" not in page


def reporting_post(user, data: dict):
    return client_for(user).post(reverse("reporting-status", args=[YEAR]), data, follow=True)


def test_locking_refuses_the_clerks_save_until_the_year_is_reopened_for_the_county(clerk_xichang, official):
    figure = draft(clerk_xichang, "PRE-05", value="3")
    # when the official locks 2024
    reporting_post(official, {"action": "lock"})
    # then the clerk's save is refused with the message
    shown = {"value": "3", "note": ""}
    response = entry(clerk_xichang, row("PRE-05", 1, shown, value="4", note=""))
    assert "2024年度已锁定" in response.content.decode()
    figure.refresh_from_db()
    assert figure.value == 3
    # and the form is read-only
    page = client_for(clerk_xichang).get(reverse("figure-entry", args=[YEAR])).content.decode()
    assert 'name="PRE-05-value"' not in page
    # when the official reopens 2024 for xichang with a reason
    response = reporting_post(official, {"action": "reopen_county", "county": "513401", "reason": "补报遗漏数据"})
    assert "补报遗漏数据" in response.content.decode()
    # then the clerk may save again; zhaojue stays locked
    entry(clerk_xichang, row("PRE-05", 1, shown, value="4", note=""))
    figure.refresh_from_db()
    assert figure.value == 4
    assert not services.year_is_open(YEAR, county("513431"))


def test_reopen_for_a_county_needs_a_reason(official):
    reporting_post(official, {"action": "lock"})
    response = reporting_post(official, {"action": "reopen_county", "county": "513401", "reason": ""})
    assert "重新开放时必须填写原因" in response.content.decode()
    assert not services.year_is_open(YEAR, county("513401"))


def test_ending_a_county_reopening_locks_it_again(official):
    reporting_post(official, {"action": "lock"})
    reporting_post(official, {"action": "reopen_county", "county": "513401", "reason": "补报"})
    assert services.year_is_open(YEAR, county("513401"))
    reporting_post(official, {"action": "close_county", "county": "513401"})
    assert not services.year_is_open(YEAR, county("513401"))


def test_unlock_and_deadline(official):
    reporting_post(official, {"action": "lock"})
    reporting_post(official, {"action": "unlock"})
    reporting_post(official, {"action": "deadline", "deadline": "2025-03-31"})
    ry = ReportingYear.objects.get(year=YEAR)
    assert (ry.locked, ry.deadline) == (False, date(2025, 3, 31))


def test_audit_log_shows_the_return_with_user_and_reason(clerk_xichang, official, auditor):
    figure = services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3"))
    services.return_figure(official, figure, "与上年差异过大")
    # when the auditor searches the reason
    response = client_for(auditor).get(reverse("audit-log"), {"q": "差异过大"})
    page = response.content.decode()
    # then exactly the return is listed, with who did it
    assert "退回：与上年差异过大" in page
    assert "official" in page
    assert "已提交 → 已退回" in page
    assert "新建" not in page.split("<tbody>")[1]


def test_audit_log_filters_and_exports_csv(clerk_xichang, clerk_zhaojue, official):
    draft(clerk_xichang, "PRE-05", value="3")
    draft(clerk_zhaojue, "CMP-09", county_code="513431", value="2")
    c = client_for(official)
    page = c.get(reverse("audit-log"), {"county": "513431"}).content.decode()
    assert "CMP-09" in page and "PRE-05" not in page
    page = c.get(reverse("audit-log"), {"user": "clerk_xi", "indicator": "PRE"}).content.decode()
    assert "PRE-05" in page and "CMP-09" not in page
    page = c.get(reverse("audit-log"), {"date_to": "2000-01-01"}).content.decode()
    assert "PRE-05" not in page
    response = c.get(reverse("audit-log"), {"format": "csv", "county": "513401"}, follow=True)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r["indicator"] for r in rows] == ["PRE-05"]
    assert rows[0]["user"] == "clerk_xichang"


def test_figure_history_lists_every_change(clerk_xichang, official):
    figure = draft(clerk_xichang, "PRE-05", value="3")
    draft(clerk_xichang, "PRE-05", value="4")
    services.submit(clerk_xichang, Figure.objects.get(pk=figure.pk))
    page = client_for(clerk_xichang).get(reverse("figure-history", args=[figure.pk])).content.decode()
    for text in ("新建", "修改", "提交", "3 → 4", "草稿 → 已提交", "clerk_xichang"):
        assert text in page, text


# completeness and timeliness ----------------------------------------------------------------------------------

SHANGHAI_2330 = datetime(2025, 3, 31, 15, 30, tzinfo=dt_timezone.utc)  # 23:30 on 31 March in Asia/Shanghai
SHANGHAI_NEXT_DAY = datetime(2025, 3, 31, 16, 30, tzinfo=dt_timezone.utc)  # 00:30 on 1 April


def test_tally_of_a_hand_made_case():
    facts = {
        "a": reporting.FigureFacts("approved", True, SHANGHAI_2330),
        "b": reporting.FigureFacts("submitted", True, SHANGHAI_NEXT_DAY),
        "c": reporting.FigureFacts("draft", True),
        "d": reporting.FigureFacts("returned", True, SHANGHAI_2330),
        "x": reporting.FigureFacts("approved", True, SHANGHAI_2330),  # not expected of this county: ignored
    }
    t = reporting.tally(["a", "b", "c", "d", "e"], facts, date(2025, 3, 31))
    assert (t.expected, t.entered, t.submitted, t.approved, t.returned, t.on_time, t.late) == (5, 4, 2, 1, 1, 1, 1)
    assert t.empty == ["e"] and t.unsubmitted == ["c", "d", "e"]
    assert (t.submitted_share, t.approved_share, t.on_time_share, t.late_share) == (40, 20, 20, 20)


def test_tally_without_a_deadline_counts_no_timeliness():
    t = reporting.tally(["a"], {"a": reporting.FigureFacts("submitted", True, SHANGHAI_2330)}, None)
    assert (t.submitted, t.on_time, t.late) == (1, 0, 0)
    assert reporting.Tally().submitted_share is None


def test_which_indicators_a_county_reports():
    from indicators.targets import TargetSpec

    general = [TargetSpec(2025, D(92))]
    named = [TargetSpec(2025, D(1), counties=frozenset({"513401"}))]
    common = dict(retired=False, level="county", rollup="ratio", cycle="2022-2025", county_code="513431", tier=3)
    assert reporting.reports(specs=general, year=2024, **common)
    assert not reporting.reports(specs=named, year=2024, **common)
    assert not reporting.reports(specs=general, year=2026, **common)
    assert not reporting.reports(specs=general, year=2024, **{**common, "level": "prefecture", "rollup": "none"})
    assert reporting.reports(specs=general, year=2024, **{**common, "level": "prefecture", "rollup": "sum"})


def test_completeness_per_county_and_plan(clerk_xichang, official):
    # given: a deadline, one approved on time, one submitted late, one draft, in the preschool plan of xichang
    services.set_deadline(official, YEAR, date(2025, 3, 31))
    a = services.submit(clerk_xichang, draft(clerk_xichang, "PRE-05", value="3"))
    services.approve(official, a)
    b = services.submit(clerk_xichang, draft(clerk_xichang, "PRE-02", numerator="800", denominator="1000"))
    Figure.objects.filter(pk=a.pk).update(submitted_at=SHANGHAI_2330)
    Figure.objects.filter(pk=b.pk).update(submitted_at=SHANGHAI_NEXT_DAY)
    draft(clerk_xichang, "PRE-03", numerator="1", denominator="2")
    # when
    report = reporting.completeness(YEAR)
    # then
    xichang, zhaojue = county("513401"), county("513431")
    preschool = next(p for p in report.plans if p.code == "preschool")
    cell = report.cell(xichang, preschool)
    expected = (Indicator.objects.filter(plan=preschool, retired=False)
                .exclude(level="prefecture", rollup="none").count())
    assert cell.expected == expected == 19
    assert (cell.entered, cell.submitted, cell.approved, cell.on_time, cell.late) == (3, 2, 1, 1, 1)
    assert report.cell(zhaojue, preschool).expected == 18  # PRE-04 names five Anning-valley counties only
    assert report.cell(zhaojue, preschool).submitted == 0
    assert report.county_total(xichang).submitted == 2
    # and the page shows it
    page = client_for(official).get(reverse("reporting-status", args=[YEAR])).content.decode()
    assert "2/19" in page


def test_the_entry_page_shows_completeness_and_what_is_missing(clerk_xichang):
    draft(clerk_xichang, "PRE-05", value="3")
    page = client_for(clerk_xichang).get(reverse("figure-entry", args=[YEAR])).content.decode()
    assert "id=\"completeness\"" in page
    assert "尚未填写" in page
    assert "PRE-01" in page.split('id="missing"')[1].split("</details>")[0]
    # grouped by plan, then task, the plan's own goals (目标任务) first, on every database
    assert page.index('id="row-PRE-01"') < page.index('id="row-PRE-04"') < page.index('id="row-CMP-01"')


def test_the_entry_page_links_to_the_upload_when_it_exists(clerk_xichang):
    from django.urls import NoReverseMatch

    page = client_for(clerk_xichang).get(reverse("figure-entry", args=[YEAR])).content.decode()
    try:
        upload = reverse("figure-upload", args=[YEAR])
    except NoReverseMatch:
        return
    assert upload in page


# query counts: the pages do not grow with the number of indicators or figures -------------------------------

def count_queries(c, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


COUNT_CODES = ["PRE-05", "CMP-09", "CMP-10", "CMP-11", "CMP-13", "CMP-14", "CMP-25", "CMP-31"]


def test_entry_page_query_count_does_not_grow_with_figures(clerk_xichang):
    c = client_for(clerk_xichang)
    url = reverse("figure-entry", args=[YEAR])
    draft(clerk_xichang, COUNT_CODES[0], value="1")
    few = count_queries(c, url)
    for code in COUNT_CODES[1:]:
        draft(clerk_xichang, code, value="2")
    assert count_queries(c, url) == few
    assert few <= 16


def test_review_queue_query_count_does_not_grow_with_figures(clerk_xichang, clerk_zhaojue, official):
    c = client_for(official)
    url = reverse("review-queue")
    services.submit(clerk_xichang, draft(clerk_xichang, COUNT_CODES[0], value="1"))
    few = count_queries(c, url)
    for code in COUNT_CODES[1:]:
        services.submit(clerk_xichang, draft(clerk_xichang, code, value="2"))
        services.submit(clerk_zhaojue, draft(clerk_zhaojue, code, county_code="513431", value="2"))
    assert count_queries(c, url) == few
    assert few <= 16


def test_reporting_and_audit_query_counts_do_not_grow(clerk_xichang, official):
    c = client_for(official)
    draft(clerk_xichang, COUNT_CODES[0], value="1")
    draft(clerk_xichang, COUNT_CODES[0], value="2")  # a change, so the log looks up a previous record
    reporting_few, audit_few = (count_queries(c, reverse("reporting-status", args=[YEAR])),
                                count_queries(c, reverse("audit-log")))
    for code in COUNT_CODES[1:]:
        services.submit(clerk_xichang, draft(clerk_xichang, code, value="2"))
    assert count_queries(c, reverse("reporting-status", args=[YEAR])) == reporting_few
    assert count_queries(c, reverse("audit-log")) == audit_few


def test_the_whole_rendered_form_can_be_posted_back(clerk_xichang):
    """The form as a browser sends it (every input of every row) is accepted, not refused as too many fields."""
    from html.parser import HTMLParser

    class Inputs(HTMLParser):
        def __init__(self):
            super().__init__()
            self.fields: list[tuple[str, str]] = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag in ("input", "select", "textarea") and a.get("name") and a.get("type") not in ("submit", "checkbox"):
                self.fields.append((a["name"], a.get("value") or ""))

    client = client_for(clerk_xichang)
    page = client.get(reverse("figure-entry", args=[YEAR]))
    parser = Inputs()
    parser.feed(page.content.decode())
    assert len(parser.fields) > 1000
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    response = client.post(reverse("figure-entry", args=[YEAR]), data)
    assert response.status_code in (200, 302)


def test_the_audit_csv_neutralises_a_reason_that_looks_like_a_formula(clerk_xichang, official):
    services.save_draft(clerk_xichang, county("513401"), indicator("PRE-05"), YEAR, value="3",
                        reason='=HYPERLINK("http://example.com","x")')
    response = client_for(official).get(reverse("audit-log"), {"format": "csv"}, follow=True)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0]["reason"] == "'" + '=HYPERLINK("http://example.com","x")'
    assert rows[0]["year"] == str(YEAR)  # numbers stay numbers
