"""Click through the catalogue and back to the dashboard's heat map and recompute button in a real browser."""
import pytest

from tests.browser.conftest import login, nav_to, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_official_browses_catalogue_and_progress(page):
    from tests.browser.test_dashboard_browser import some_figures

    some_figures()
    login(page, "official")
    page.click("text=指标目录")
    page.fill("input[name=q]", "学业合格率")
    page.click("#catalogue-filter button[type=submit]")
    assert page.locator("table.grid tbody tr").count() == 1
    assert page.locator("text=三类区").count() >= 1
    page.click("table.grid tbody tr a")
    assert "方案原文" in page.content()
    screenshot(page, "catalogue-indicator")
    nav_to(page, "州级工作台")
    page.locator("#heat").scroll_into_view_if_needed()
    # the heat map is a server-drawn table of linked cells (no plotly.js on the dashboard)
    assert page.locator("#heat.heat-table tbody tr").count() >= 1
    assert page.locator("#heat a").count() >= 1
    page.click("#recompute-button")
    page.wait_for_selector("#recompute-state[data-state='success']")
    assert "已完成" in page.inner_text("#recompute-state")
