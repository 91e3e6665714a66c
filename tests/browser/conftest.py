"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Never downloads a browser: Chromium comes from apt (/usr/bin/chromium). Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--lang=zh-CN"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        require_service("Debian chromium is not installed (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


def login(page, username: str, password: str = "liangshan2025") -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> Path:
    """The whole page, every chart drawn: charts.js draws a chart when it comes near the viewport, so the
    viewport is made as tall as the page for the picture (then put back)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    charts = page.locator("script[data-chart]")
    for i in range(charts.count()):
        chart = page.locator("#" + charts.nth(i).get_attribute("data-chart"))
        if chart.count() and chart.is_visible():
            chart.scroll_into_view_if_needed()
            page.wait_for_selector(f"#{chart.get_attribute('id')}[data-drawn='1']")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": page.evaluate("document.documentElement.scrollHeight")})
    try:
        page.wait_for_timeout(300)  # the charts follow the new width
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


def nav_to(page, text: str) -> None:
    """Follow a link of the main navigation as a person does: open its group menu first when the link sits in
    one (the grouped menus are closed <details>), then click the link."""
    link = page.locator(f"nav.mainnav a:text-is('{text}')")
    if not link.is_visible():
        link.locator("xpath=ancestor::details[1]/summary").click()
    link.click()
