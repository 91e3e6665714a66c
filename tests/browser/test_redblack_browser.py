"""The one-click supervision clicked through in Debian Chromium: the official opens the black list and creates
a notice in one click (the form comes prefilled), the clerk of 昭觉县 sees it on the home page and replies with a
rectification plan, the official sends it back once, the clerk replies again, the official closes it (销号).
Screenshots go to test-artifacts/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, nav_to, screenshot
from tests.redblack_data import YEAR, default_rules, lagging_zhaojue  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page) -> None:
    page.click("header .userbox button:has-text('退出')")
    expect(page.locator("main h1")).to_have_text("登录")


@pytest.fixture
def published():
    from django.contrib.auth.models import User

    from redblack import lists

    lagging_zhaojue()
    return lists.publish(User.objects.get(username="official"), "2026-Q3", YEAR)


def notice():
    from redblack.models import SupervisionNotice

    return SupervisionNotice.objects.get()


def reply_with_plan(page, measures: str) -> None:
    box = page.locator("#supervision-box")
    expect(box).to_contain_text("关于昭觉县1项指标滞后的督导通知")
    box.locator("a", has_text="督导通知").first.click()
    expect(page.locator("main h1")).to_have_text("关于昭觉县1项指标滞后的督导通知")
    form = page.locator("#reply-form")
    form.get_by_label("滞后原因").fill("部分适龄儿童外出务工随迁，辍学反弹")
    form.get_by_label("整改措施").fill(measures)
    form.get_by_label("责任人").fill("昭觉县教育局 张某")
    form.get_by_label("开始日期").fill("2026-12-01")
    form.get_by_label("完成时限").fill("2027-06-30")
    form.get_by_label("整改回复（总体说明）").fill("已制定整改方案，逐项落实。")
    page.click("#submit-reply")
    expect(page.locator("#notice-status")).to_have_text("已回复")


def test_black_list_to_closed_notice(page, published):
    login(page, "official")
    nav_to(page, "红黑榜")
    expect(page.locator("main h1")).to_have_text("红黑榜 · 2026-Q3")
    black = page.locator("#black-list")
    expect(black).to_contain_text("昭觉县")
    expect(black).to_contain_text("严重滞后")
    screenshot(page, "redblack-lists-official")

    black.locator("a", has_text="一键督导").click()
    expect(page.locator("main h1")).to_have_text("一键督导：昭觉县")
    expect(page.locator("#lagging-figures")).to_contain_text("CMP-01")
    expect(page.get_by_label("CMP-01 九年义务教育巩固率")).to_be_checked()
    expect(page.get_by_label("督导内容")).to_have_value(re.compile("CMP-01"))
    screenshot(page, "redblack-notice-form")
    page.click("#send-notice")
    expect(page.locator("#notice-status")).to_have_text("待整改")
    logout(page)

    login(page, "clerk_zhaojue")  # lands on 昭觉县's page
    expect(page.locator("main h1")).to_have_text("昭觉县")
    screenshot(page, "redblack-clerk-home")
    reply_with_plan(page, "开展控辍保学专项行动")
    logout(page)

    login(page, "official")
    nav_to(page, "督导通知")
    page.click("#notices-table a")
    expect(page.locator("#plan-table")).to_contain_text("开展控辍保学专项行动")
    page.get_by_label("州级意见").fill("措施不够具体，请逐校列明劝返对象和时限。")
    page.click("#send-back")
    expect(page.locator("#notice-status")).to_have_text("待整改")
    logout(page)

    login(page, "clerk_zhaojue")
    expect(page.locator("#supervision-box")).to_contain_text("待整改")
    reply_with_plan(page, "逐校建立劝返台账，12月底前劝返全部辍学学生")
    expect(page.locator("#official-comment")).to_contain_text("措施不够具体")
    logout(page)

    login(page, "official")
    page.goto(page.base_url + f"/supervision/{notice().pk}/")
    page.get_by_label("州级意见").fill("经实地核查，整改到位，同意销号。")
    page.click("#close-notice")
    expect(page.locator("#notice-status")).to_have_text("已销号")
    events = page.locator("#events-table")
    for kind in ("发出通知", "提交整改方案", "退回重改", "核查销号"):
        expect(events).to_contain_text(kind)
    expect(page.locator("#views-table")).to_contain_text("clerk_zhaojue")
    screenshot(page, "redblack-notice-closed")
    assert [e.kind for e in notice().events.all()] == ["created", "replied", "sent_back", "replied", "closed"]


def test_a_correction_from_lines_ticked_in_the_lists(page, published):
    """The official opens the version's page, ticks the black line in the list (the checkbox belongs to the
    correction form below it through the HTML ``form`` attribute), gives a reason and publishes version 2: the
    line is withdrawn, the first version stays readable."""
    login(page, "official")
    nav_to(page, "红黑榜")
    page.click("#publication-facts a:has-text('本版详情')")
    expect(page.locator("main h1")).to_have_text(re.compile("红黑榜 2026-Q3 · 第1版"))
    entry = published.entries.get(list="black")
    page.get_by_label(re.compile("撤下 昭觉县")).check()
    page.fill("#id_reason", "申诉成立，数据口径有误")
    screenshot(page, "redblack-correction-ticked")
    page.click("#correction-form button[type=submit]")
    expect(page.locator("main h1")).to_have_text(re.compile("第2版"))
    expect(page.locator("#change-counts")).to_contain_text("撤下 1 条")
    expect(page.locator(f"#withdrawn-{entry.pk}")).to_contain_text("昭觉县")
    expect(page.locator("#black-list")).not_to_contain_text("昭觉县")
    screenshot(page, "redblack-correction-published")
    page.click("a:has-text('第1版')")
    expect(page.locator("#black-list")).to_contain_text("昭觉县")


def test_a_publication_job_page_follows_the_job_then_shows_the_lists(page, published):
    """The job's page polls its state: the step and the bar move while it runs; when it ends, the official is
    on the published lists (here the job is played by changing its row, as a worker would)."""
    import uuid

    from django.contrib.auth.models import User

    from redblack.models import ListJob

    job = ListJob.objects.create(id=uuid.uuid4(), action=ListJob.Action.PUBLISH, period="2026-Q3", year=YEAR,
                                 requested_by=User.objects.get(username="official"), state="running",
                                 step="规则：严重滞后", done=1, total=4)
    login(page, "official")
    page.goto(page.base_url + f"/redblack/jobs/{job.pk}/")
    expect(page.locator("#job-state")).to_contain_text("规则：严重滞后")
    ListJob.objects.filter(pk=job.pk).update(step="写入榜单", done=3)
    expect(page.locator("#job-state")).to_contain_text("写入榜单", timeout=6000)
    expect(page.locator("#job-percent")).to_have_text("75%")
    screenshot(page, "redblack-job-running")
    ListJob.objects.filter(pk=job.pk).update(state="success", result=published)
    expect(page.locator("main h1")).to_have_text("红黑榜 · 2026-Q3", timeout=6000)


def test_a_versions_page_fits_a_phone_for_a_clerk(page, published):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "clerk_zhaojue")
    page.goto(page.base_url + f"/redblack/publications/{published.pk}/")
    expect(page.locator("#black-list")).to_contain_text("昭觉县")
    screenshot(page, "phone-redblack-version-clerk")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
