"""The daily pages clicked through in Debian Chromium: the official lands on the prefecture dashboard, sees the
map drawn, clicks 昭觉县 on it and lands on its county page with charts, opens an indicator from the heat map;
the clerk of 昭觉县 lands on its county page. No request leaves our host and the console stays clean.
Screenshots of every page go to test-artifacts/."""
from decimal import Decimal as D
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ZHAOJUE = "513431"


def look_at(page, selector: str) -> None:
    """Scroll a chart into view and wait until charts.js has drawn it (charts are drawn near the viewport)."""
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_selector(f"{selector}[data-drawn='1'] .main-svg")


def some_figures() -> None:
    from assessment.services import recompute_all
    from places.models import County
    from counties.models import Figure
    from indicators.models import Indicator

    counties = {c.code: c for c in County.objects.all()}
    for i, code in enumerate(sorted(counties)):
        for indicator, base in (("PRE-01", 80), ("PRE-02", 70), ("CMP-01", 90)):
            ind = Indicator.objects.get(code=indicator)
            for year in (2021, 2022, 2023, 2024):
                num = D(min(base + i % 7 + (year - 2021) * (1 + i % 3), 100))
                Figure.objects.create(county=counties[code], indicator=ind, year=year, status="approved",
                                      value=Figure.rate_value(num, D(100)), numerator=num, denominator=D(100))
    recompute_all()


@pytest.fixture
def watched(page):
    """The page, with every request outside our host and every console error collected."""
    host = urlparse(page.base_url).netloc
    page.foreign, page.errors = [], []
    page.on("request", lambda r: page.foreign.append(r.url)
            if urlparse(r.url).scheme in ("http", "https", "ws", "wss") and urlparse(r.url).netloc != host else None)
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    assert page.foreign == [], "requests left our host"
    assert page.errors == [], "console errors"


def test_official_lands_on_the_dashboard_and_clicks_a_county_on_the_map(watched):
    page = watched
    some_figures()
    login(page, "official")
    assert urlparse(page.url).path == "/"
    page.wait_for_selector("#map[data-drawn='1'] .main-svg")
    look_at(page, "#heat")
    assert "数据年度：2024" in page.inner_text("#data-year")
    screenshot(page, "dashboard")
    # Click 昭觉 on the map itself (its name is drawn at the county's label point).
    label = page.locator("#map .textpoint text", has_text="昭觉")
    label.first.click(force=True)
    page.wait_for_url(f"**/counties/{ZHAOJUE}/")
    assert "昭觉县" in page.inner_text("main h1")
    look_at(page, ".chart")
    screenshot(page, "county-zhaojue-official")
    # Back on the dashboard, the county list leads to the same page; the catalogue stays in the navigation.
    page.go_back()
    page.click(f"#county-table a[href='/counties/{ZHAOJUE}/']")
    page.wait_for_url(f"**/counties/{ZHAOJUE}/")
    assert page.locator("nav.mainnav a:text-is('指标目录')").count() == 1


def test_an_indicator_page_opens_from_a_county_page(watched):
    page = watched
    some_figures()
    login(page, "auditor")
    page.goto(page.base_url + "/indicators/PRE-01/")
    look_at(page, ".chart")
    assert "PRE-01" in page.inner_text("main h1")
    screenshot(page, "indicator-pre-01")


def test_the_clerk_of_zhaojue_lands_on_its_county_page(watched):
    page = watched
    some_figures()
    login(page, "clerk_zhaojue")
    assert urlparse(page.url).path == f"/counties/{ZHAOJUE}/"
    look_at(page, ".chart")
    assert "昭觉县" in page.inner_text("main h1")
    screenshot(page, "county-zhaojue-clerk")
    # Another county's page is refused.
    response = page.goto(page.base_url + "/counties/513401/")
    assert response.status == 403
    page.errors.clear()  # the 403 page's own "failed to load resource" message


def test_the_language_switch_turns_the_dashboard_english(watched):
    page = watched
    login(page, "auditor")
    with page.expect_navigation():
        page.select_option("header select[name=language]", "en")
    assert "Prefecture dashboard" in page.inner_text("main h1")
    with page.expect_navigation():
        page.select_option("header select[name=language]", "zh-hans")
    assert "州级工作台" in page.inner_text("main h1")


@pytest.mark.parametrize("user, path, name", [
    ("official", "/", "phone-dashboard"), ("clerk_zhaojue", f"/counties/{ZHAOJUE}/", "phone-county-clerk"),
    ("auditor", "/indicators/PRE-01/", "phone-indicator-auditor")])
def test_the_daily_pages_fit_a_phone(watched, user, path, name):
    page = watched
    some_figures()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, user)
    page.goto(page.base_url + path)
    look_at(page, ".chart")
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
