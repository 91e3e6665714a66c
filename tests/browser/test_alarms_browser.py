"""Issue 9 in a real browser (Debian Chromium): 西昌's figures for the open year are late, so the clock raises a
yellow alarm that the clerk sees on its home page; the official acknowledges it with a comment in the alarm
centre; the clerk submits the year; the alarm resolves. Screenshots go to test-artifacts/alarms-*.png."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import login, nav_to, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XICHANG = "513401"
COMMENT = "已电话督促西昌市教育局，三日内提交"


def late_year_with_drafts() -> int:
    """The open year's deadline passed 3 days ago; 西昌 has submitted all it must report but three drafts."""
    from alarms.defaults import load_default_rules
    from counties.models import Figure, ReportingYear
    from counties.reporting import completeness
    from indicators.models import Indicator
    from liangshan_edu.calendar import open_reporting_year
    from places.models import County

    load_default_rules()
    year = open_reporting_year()
    ReportingYear.objects.update_or_create(year=year, defaults={"deadline": timezone.localdate() - timedelta(days=3)})
    xichang = County.objects.get(code=XICHANG)
    missing = completeness(year, counties=[xichang]).county_total(xichang).unsubmitted
    for i, ind in enumerate(Indicator.objects.filter(pk__in=missing).order_by("code")):
        rate = ind.kind == "rate"
        draft = i < 3
        Figure.objects.create(county=xichang, indicator=ind, year=year, value=Decimal(1),
                              numerator=Decimal(1) if rate else None, denominator=Decimal(100) if rate else None,
                              done_on=timezone.localdate() if ind.kind == "milestone" else None,
                              note="浏览器测试", status="draft" if draft else "submitted",
                              submitted_at=None if draft else timezone.now())
    return year


def late_alarm():
    from alarms.models import Alarm

    return Alarm.objects.get(county__code=XICHANG, kind="submission_late")


def logout(page) -> None:
    page.click("header .userbox button:has-text('退出')")
    expect(page.locator("main h1")).to_have_text("登录")


def test_late_submission_alarm_is_seen_acknowledged_and_resolved(page):
    from alarms import evaluation

    year = late_year_with_drafts()
    evaluation.clock()
    assert late_alarm().severity == "yellow"

    # ---- the clerk's home page shows the yellow alarm ----------------------------------------------------------
    login(page, "clerk_xichang")
    alarms = page.locator("section.county-alarms")
    expect(alarms).to_contain_text("逾期未报")
    expect(alarms.locator(".pill.sev-yellow").first).to_contain_text("黄色预警")
    expect(alarms).to_contain_text("未处理")
    expect(page.locator("header .bell .bell-count")).to_have_text("1")
    screenshot(page, "alarms-1-clerk-sees-yellow")
    logout(page)

    # ---- the official acknowledges it in the alarm centre, with a comment --------------------------------------
    login(page, "official")
    nav_to(page, "报警中心")
    page.select_option("select[name=county]", XICHANG)
    page.select_option("select[name=kind]", "submission_late")
    page.click("form.filters button[type=submit]")
    row = page.locator(f"#alarm-{late_alarm().pk}")
    expect(row).to_contain_text("逾期未报")
    row.locator("input[name=comment]").fill(COMMENT)
    row.locator("button:has-text('确认')").click()
    expect(page.locator("ul.messages")).to_contain_text("报警已确认")
    expect(page.locator(f"#alarm-{late_alarm().pk}")).to_contain_text(COMMENT)
    screenshot(page, "alarms-2-official-acknowledged")
    assert (late_alarm().status, late_alarm().comment) == ("acknowledged", COMMENT)
    logout(page)

    # ---- the clerk sees the comment, submits the year; the alarm resolves ---------------------------------------
    login(page, "clerk_xichang")
    expect(page.locator("section.county-alarms")).to_contain_text(COMMENT)
    nav_to(page, "数据填报")
    expect(page.locator("main h1")).to_have_text(f"西昌市 {year}年度数据填报")
    page.click("button[name=action][value=submit_year]")
    page.wait_for_load_state("networkidle")
    alarm = late_alarm()
    assert alarm.status == "resolved" and alarm.resolved_at is not None
    nav_to(page, "本县概况")
    expect(page.locator("section.county-alarms")).to_contain_text("没有未解除的报警")
    screenshot(page, "alarms-3-resolved-after-submission")
    page.goto(page.base_url + f"/alarms/{alarm.pk}/")
    expect(page.locator("main")).to_contain_text("已解除")
    expect(page.locator("table.history")).to_contain_text("原因消除，自动解除")
    expect(page.locator("table.history")).to_contain_text("州级确认")
    screenshot(page, "alarms-4-record")
