"""The daily pages clicked through in Debian Chromium: the official lands on the prefecture dashboard, sees the
map (an SVG drawn on the server), clicks 昭觉县 on it and lands on its county page with charts (plotly.js is
loaded only when a chart nears the viewport), opens an indicator from the heat map (a table of linked cells);
the clerk of 昭觉县 lands on its county page. No request leaves our host and the console stays clean.
Screenshots of every page go to test-artifacts/."""
from decimal import Decimal as D
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import login, nav_to, screenshot

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
    from counties.validation import rate_percent
    from indicators.models import Indicator

    counties = {c.code: c for c in County.objects.all()}
    for i, code in enumerate(sorted(counties)):
        for indicator, base in (("PRE-01", 80), ("PRE-02", 70), ("CMP-01", 90)):
            ind = Indicator.objects.get(code=indicator)
            for year in (2021, 2022, 2023, 2024):
                num = D(min(base + i % 7 + (year - 2021) * (1 + i % 3), 100))
                Figure.objects.create(county=counties[code], indicator=ind, year=year, status="approved",
                                      value=rate_percent(num, D(100)), numerator=num, denominator=D(100))
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
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    some_figures()
    login(page, "official")
    assert urlparse(page.url).path == "/"
    assert page.locator("#map a path").count() == 17
    assert page.locator("#heat a.cell").count() > 0
    assert "数据年度：2024" in page.inner_text("#data-year")
    assert not [u for u in requested if "plotly" in u], "the dashboard needs no plotly.js"
    screenshot(page, "dashboard")
    # The county's tooltip names it and the measure.
    zhaojue = page.locator(f"#map a[href='/counties/{ZHAOJUE}/']")
    assert zhaojue.locator("title").text_content().startswith("昭觉\n目标达成率: ")
    # Click 昭觉 on the map itself, on its name (the label lets the click through to the county).
    page.locator("#map .labels text", has_text="昭觉").first.click(force=True)
    page.wait_for_url(f"**/counties/{ZHAOJUE}/")
    assert "昭觉县" in page.inner_text("main h1")
    look_at(page, ".chart")
    assert page.evaluate("typeof window.Plotly") == "object"
    screenshot(page, "county-zhaojue-official")
    # Back on the dashboard, the county list leads to the same page; the catalogue stays in the navigation.
    page.go_back()
    page.click(f"#county-table a[href='/counties/{ZHAOJUE}/']")
    page.wait_for_url(f"**/counties/{ZHAOJUE}/")
    assert page.locator("nav.mainnav a:text-is('指标目录')").count() == 1


def test_the_map_and_the_heat_map_work_by_keyboard(watched):
    page = watched
    some_figures()
    login(page, "official")
    # Tab to 昭觉 on the map (a link like any other) and follow it with Enter.
    page.locator(f"#map a[href='/counties/{ZHAOJUE}/']").focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("昭觉：")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/counties/{ZHAOJUE}/")
    page.go_back()
    # A heat-map cell opens the indicator page at the county's row.
    page.locator(f"#heat a.cell[href*='#area-{ZHAOJUE}']").first.click()
    page.wait_for_url(f"**/indicators/**#area-{ZHAOJUE}")
    assert page.locator(f"#area-{ZHAOJUE}").is_visible()


def test_a_chart_page_loads_plotly_only_when_a_chart_nears_the_viewport(watched):
    """The indicator page's county bars are SVG in its table (drawn by the server); its only Plotly chart, the
    trend, is below the fold, so plotly.js comes only when the trend is scrolled to."""
    page = watched
    some_figures()
    page.set_viewport_size({"width": 1350, "height": 940})   # Lighthouse's desktop preset
    login(page, "auditor")
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(page.base_url + "/indicators/PRE-01/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#areas svg.county-bar").count() == 17 + 1      # the counties and the prefecture
    assert page.locator("#areas svg.county-bar").first.is_visible()
    assert page.evaluate("typeof window.Plotly") == "undefined"
    assert not [u for u in requested if "plotly" in u]
    look_at(page, "#trend")
    assert len([u for u in requested if "plotly" in u]) == 1


def test_an_indicator_page_opens_from_a_county_page(watched):
    page = watched
    some_figures()
    login(page, "auditor")
    page.goto(page.base_url + f"/counties/{ZHAOJUE}/")
    page.goto(page.base_url + page.locator("a[href^='/indicators/PRE-01/']").first.get_attribute("href"))
    assert "PRE-01" in page.inner_text("main h1")
    # A bar names its county, value, target and status (its tooltip and accessible name); the name links.
    bar = page.locator(f"#area-{ZHAOJUE} svg.county-bar")
    title = bar.locator("title").text_content()
    assert title.startswith("昭觉：") and "，目标 " in title
    assert page.evaluate("(el) => el.getBoundingClientRect().width", bar.element_handle()) > 100
    look_at(page, ".chart")
    screenshot(page, "indicator-pre-01")
    page.click(f"#area-{ZHAOJUE} th a")
    page.wait_for_url(f"**/counties/{ZHAOJUE}/")


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
    if path == "/":
        page.locator("#heat").scroll_into_view_if_needed()   # the map and heat map are in the HTML: nothing to wait for
    else:
        look_at(page, ".chart")
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_county_pages_plans_stack_on_a_phone(watched):
    """Nine columns squeezed the plans' names to a character a line and clipped the bars at 390 px: on a phone each
    plan is a block — its name and its bar across the card, the counts under their labels."""
    page = watched
    some_figures()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "clerk_zhaojue")
    page.goto(page.base_url + f"/counties/{ZHAOJUE}/")
    table = page.locator("#bullet-table")
    table.scroll_into_view_if_needed()
    card = table.bounding_box()
    name = page.locator("#bullet-table tbody th[scope=row]").first.bounding_box()
    bar = page.locator("#bullet-table svg.bullet").first.bounding_box()
    assert name["width"] > card["width"] * 0.9 and bar["width"] > card["width"] * 0.9
    assert bar["x"] + bar["width"] <= card["x"] + card["width"] + 1  # not clipped
    label = page.locator("#bullet-table tbody td[data-label]").first.evaluate(
        "td => getComputedStyle(td, '::before').content")
    assert "目标数" in label  # the counts keep their labels
    screenshot(page, "phone-county-plans")
    page.set_viewport_size({"width": 1400, "height": 1000})  # a wide screen keeps the table
    assert page.locator("#bullet-table thead").is_visible()


def test_the_navigation_stays_short_on_a_phone_and_its_menus_work_by_keyboard(watched):
    """Fourteen links used to wrap into a tall block above the content on a phone; they are grouped now."""
    page = watched
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "official")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 140, header
    alarms = page.locator("nav.mainnav a:text-is('报警中心')")
    assert not alarms.is_visible()
    page.locator("nav.mainnav summary", has_text="督查督办").focus()
    page.keyboard.press("Enter")
    assert alarms.is_visible()
    box = alarms.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(page, "phone-navigation-open")
    # Opening another menu closes the first; Escape closes the open one.
    page.locator("nav.mainnav summary", has_text="考核与报表").click()
    assert not alarms.is_visible()
    assert page.locator("nav.mainnav a:text-is('年度考核')").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("nav.mainnav a:text-is('年度考核')").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    nav_to(page, "报警中心")
    page.wait_for_url("**/alarms/")
