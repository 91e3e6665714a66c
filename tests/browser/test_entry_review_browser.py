"""The figure workflow clicked through in a real browser (Debian Chromium): a clerk fills part of the 2024 form,
uploads a filled template and submits; the official returns one figure and approves the rest; the clerk then
sees the return reason. Screenshots of the form and the review queue go to test-artifacts/."""
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, nav_to, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2024
XICHANG = "513401"
REASON = "新建学校数与项目台账不一致，请核实后重新填报"
# Filled on the form: a rate (numerator/denominator), a count, a milestone done with a date.
FORM_ROWS = {"PRE-01", "PRE-05", "PRE-06"}
# Filled in the downloaded template with openpyxl: a rate and a count of another plan.
UPLOAD_ROWS = {"CMP-01", "CMP-07"}
RETURNED = "CMP-07"


def statuses() -> dict[str, str]:
    """Indicator code → status of 西昌市's 2024 figures, straight from the database."""
    from counties.models import Figure

    return dict(Figure.objects.filter(county__code=XICHANG, year=YEAR)
                .values_list("indicator__code", "status"))


def figure(code: str):
    from counties.models import Figure

    return Figure.objects.get(county__code=XICHANG, year=YEAR, indicator__code=code)


def logout(page) -> None:
    page.click("header .userbox button:has-text('退出')")
    expect(page.locator("main h1")).to_have_text("登录")


def open_entry_2024(page) -> None:
    """数据填报 in the main navigation opens the default reporting year (2025); the year switch goes to 2024."""
    nav_to(page, "数据填报")
    expect(page.locator("main h1")).to_have_text("西昌市 2025年度数据填报")
    page.click(f"p.years a:text-is('{YEAR}')")
    page.wait_for_url(f"**/figures/entry/{YEAR}/")
    expect(page.locator("main h1")).to_have_text(f"西昌市 {YEAR}年度数据填报")


def screenshot_whole_page(page, name: str) -> None:
    """The screenshot helper with the viewport as tall as the page, so that the sticky action bar and table
    headers sit where they belong instead of over the rows at the first screen's edge."""
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": height})
    try:
        screenshot(page, name)
    finally:
        page.set_viewport_size(size)


def fill_template(path, out_path) -> None:
    """Fill two rows of the downloaded template as a clerk would in Excel: find each row by its code."""
    wb = openpyxl.load_workbook(path)
    values = {"CMP-01": {"分子": 9700, "分母": 10000}, "CMP-07": {"数值": 5, "备注": "2024年新建3所、改扩建2所"}}
    found = set()
    for ws in wb.worksheets:
        if ws.title.startswith("_") or ws.max_row < 3:
            continue
        header = {cell.value: cell.column for cell in ws[2] if cell.value}
        if "指标代码" not in header:
            continue
        for row in ws.iter_rows(min_row=3):
            code = row[header["指标代码"] - 1].value
            if code in values:
                for name, value in values[code].items():
                    ws.cell(row[0].row, header[name], value)
                found.add(code)
    assert found == set(values), f"template rows not found: {set(values) - found}"
    wb.save(out_path)


def test_clerk_enters_uploads_submits_and_official_reviews(page, tmp_path):
    # ---- the clerk logs in through the login page and opens the 2024 form -----------------------------------
    login(page, "clerk_xichang")
    expect(page.locator("header .who")).to_contain_text("clerk_xichang")
    open_entry_2024(page)
    completeness = page.locator("#completeness")
    expect(completeness).to_contain_text("已填写 0 项（0%）")
    assert statuses() == {}

    # ---- fills a rate, a count and a milestone, saves a draft --------------------------------------------------
    page.fill("#row-PRE-01 input[name='PRE-01-numerator']", "4600")
    page.fill("#row-PRE-01 input[name='PRE-01-denominator']", "5000")
    expect(page.locator("#row-PRE-01 output")).to_have_text("92%")  # the page derives the rate as one types
    page.fill("#row-PRE-05 input[name='PRE-05-value']", "2")
    page.select_option("#row-PRE-06 select[name='PRE-06-done']", "1")
    page.fill("#row-PRE-06 input[name='PRE-06-done_on']", "2022-05-20")
    page.fill("#row-PRE-06 input[name='PRE-06-evidence']", "西昌府发〔2022〕12号")
    page.click("button[name=action][value=save]")
    expect(page.locator("ul.messages")).to_contain_text("已保存3项。")
    expect(completeness).to_contain_text("已填写 3 项")
    expect(completeness).to_contain_text("已提交 0 项")
    for code in FORM_ROWS:
        expect(page.locator(f"#row-{code} td.status")).to_contain_text("草稿")
    expect(page.locator("#row-PRE-01 output")).to_have_text("92%（4600/5000）")
    assert statuses() == dict.fromkeys(FORM_ROWS, "draft")
    pre01, pre06 = figure("PRE-01"), figure("PRE-06")
    assert (pre01.numerator, pre01.denominator, pre01.value) == (4600, 5000, 92)
    assert pre06.value == 1 and pre06.done_on.isoformat() == "2022-05-20"
    assert figure("PRE-05").value == 2

    # ---- downloads the 2024 template through the page's link, fills two rows, uploads it --------------------
    with page.expect_download() as info:
        page.click(".entry-facts a:text-is('下载填报模板')")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx") and str(YEAR) in download.suggested_filename
    template = tmp_path / "template.xlsx"
    download.save_as(template)
    filled = tmp_path / "xichang-2024-filled.xlsx"
    fill_template(template, filled)

    page.click(".entry-facts a:text-is('用表格批量上传')")
    page.wait_for_url(f"**/figures/upload/{YEAR}/")
    expect(page.locator("main h1")).to_have_text(f"表格批量填报：西昌市 {YEAR}年度")
    page.set_input_files("input[type=file][name=file]", str(filled))
    page.click("form.upload-form button[type=submit]")
    report = page.locator("#upload-report")
    expect(report).to_contain_text("上传成功：xichang-2024-filled.xlsx")
    expect(report.locator(".upload-summary")).to_contain_text("新建 2")
    expect(report.locator(".upload-summary")).to_contain_text("修改 0")
    changes = report.locator("table.upload-changes tbody tr")
    expect(changes).to_have_count(2)
    expect(changes.filter(has_text="CMP-01")).to_contain_text("9700")
    expect(changes.filter(has_text="CMP-07")).to_contain_text("5")
    assert statuses() == dict.fromkeys(FORM_ROWS | UPLOAD_ROWS, "draft")
    assert figure("CMP-01").value == 97

    # ---- back on the form: the uploaded rows are there; submits the year ------------------------------------
    open_entry_2024(page)
    expect(completeness).to_contain_text("已填写 5 项")
    expect(page.locator("#row-CMP-07 input[name='CMP-07-value']")).to_have_value("5")
    page.click("button[name=action][value=submit_year]")
    expect(page.locator("ul.messages")).to_contain_text("已提交5项。")
    expect(completeness).to_contain_text("已提交 5 项")
    for code in FORM_ROWS | UPLOAD_ROWS:
        expect(page.locator(f"#row-{code} td.status")).to_contain_text("已提交")
    expect(page.locator("#row-PRE-05 input")).to_have_count(0)  # submitted rows are read-only
    assert statuses() == dict.fromkeys(FORM_ROWS | UPLOAD_ROWS, "submitted")
    screenshot_whole_page(page, "entry-form")
    logout(page)

    # ---- the official returns one figure with a reason and approves the rest --------------------------------
    login(page, "official")
    nav_to(page, "数据审核")
    expect(page.locator("main h1")).to_contain_text("审核队列")
    queue = page.locator("table.queue tbody tr")
    expect(queue).to_have_count(5)
    expect(page.locator("section.queue-county h2")).to_have_text(["西昌市"])
    expect(queue.filter(has_text="PRE-01")).to_contain_text("92%（4600/5000）")
    page.check(f"input[name=ids][aria-label='{RETURNED}']")
    page.fill("input[name=reason]", REASON)
    screenshot(page, "review-queue")
    page.click("button[name=action][value=return]")
    expect(page.locator("ul.messages")).to_contain_text("已退回1项。")
    expect(queue).to_have_count(4)
    assert statuses()[RETURNED] == "returned"
    assert figure(RETURNED).return_reason == REASON

    for box in page.locator("input.select-all").all():
        box.check()
    expect(page.locator("input[name=ids]:checked")).to_have_count(4)
    page.click("button[name=action][value=approve]")
    expect(page.locator("ul.messages")).to_contain_text("已审核通过4项。")
    expect(page.locator("main")).to_contain_text("没有符合条件的数据。")
    assert statuses() == {**dict.fromkeys(FORM_ROWS | UPLOAD_ROWS - {RETURNED}, "approved"), RETURNED: "returned"}
    assert figure("PRE-01").approved_by.username == "official"
    logout(page)

    # ---- the clerk sees the return reason on the form -------------------------------------------------------
    login(page, "clerk_xichang")
    open_entry_2024(page)
    expect(page.locator("section.returned-box")).to_contain_text(f"{RETURNED}")
    expect(page.locator("section.returned-box")).to_contain_text(REASON)
    expect(page.locator(f"#row-{RETURNED} .return-reason")).to_have_text(re.compile(f"退回原因：\\s*{REASON}"))
    expect(page.locator(f"#row-{RETURNED} td.status")).to_contain_text("已退回")
    expect(page.locator(f"#row-{RETURNED} input[name='{RETURNED}-value']")).to_be_editable()
    expect(completeness).to_contain_text("已审核 4 项")
    expect(completeness).to_contain_text("被退回 1 项")
    for code in FORM_ROWS | UPLOAD_ROWS - {RETURNED}:
        expect(page.locator(f"#row-{code} td.status")).to_contain_text("已审核")
