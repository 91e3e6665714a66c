"""Static assets that keep the pages light and accessible (docs/lighthouse.md); fast, no browser.

- plotly.js is our vendored partial bundle (static/vendor/plotly/, from npm), not the 4.8 MB full bundle of the
  Python plotly package; no page loads it with the page: charts.js (deferred) inserts it, from the URL in its
  data-plotly attribute, when the first chart nears the viewport; the dashboard draws without it;
- the favicon exists, is linked from every page and /favicon.ico answers;
- every status pill and badge in app.css has text contrast >= 4.5:1 (WCAG AA), computed from the CSS itself.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from tests.conftest import client_for

ROOT = Path(settings.BASE_DIR)
PLOTLY = ROOT / "static" / "vendor" / "plotly"
CSS = ROOT / "static" / "css" / "app.css"
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
# Every template with a Plotly figure (the county and indicator pages today).
CHART_TEMPLATES = sorted(str(p.relative_to(ROOT)) for p in TEMPLATES if "data-chart=" in p.read_text(encoding="utf-8"))


# plotly ---------------------------------------------------------------------------------------------------------

def test_the_vendored_plotly_is_the_small_cartesian_bundle_with_its_licence_and_source():
    js = PLOTLY / "plotly.min.js"
    assert js.stat().st_size < 2_000_000
    assert "plotly.js (cartesian - minified)" in js.read_text(encoding="utf-8")[:300]
    assert "MIT License" in (PLOTLY / "LICENSE").read_text()
    source = (PLOTLY / "SOURCE.md").read_text()
    assert "plotly.js-cartesian-dist-min" in source
    assert hashlib.sha256(js.read_bytes()).hexdigest() in source


def test_the_vendored_plotly_matches_the_version_the_python_package_bundles():
    from plotly.offline import get_plotlyjs_version

    head = (PLOTLY / "plotly.min.js").read_text(encoding="utf-8")[:300]
    assert f"v{get_plotlyjs_version()}" in head
    assert f"PLOTLY_VERSION=${{1:-{get_plotlyjs_version()}}}" in (ROOT / "scripts" / "vendor_plotly.sh").read_text()


def test_the_static_path_of_plotly_finds_our_file_and_nothing_else():
    assert not hasattr(settings, "PLOTLY_JS_DIR")
    found = finders.find("vendor/plotly/plotly.min.js", find_all=True)
    assert [Path(f) for f in found] == [PLOTLY / "plotly.min.js"]


def test_some_templates_draw_charts():
    assert CHART_TEMPLATES


def test_no_template_loads_plotly_with_the_page():
    for template in TEMPLATES:
        html = template.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]* src=\"\{% static 'vendor/plotly/", html), template


@pytest.mark.parametrize("template", CHART_TEMPLATES)
def test_chart_pages_load_charts_js_deferred_and_tell_it_where_plotly_is(template):
    html = (ROOT / template).read_text()
    tags = [m.group(0) for m in re.finditer(r"<script[^>]* src=\"\{% static 'js/charts.js' %\}\"[^>]*>", html)]
    assert len(tags) == 1, template
    assert " defer" in tags[0] and "async" not in tags[0]
    assert "data-plotly=\"{% static 'vendor/plotly/plotly.min.js' %}\"" in tags[0]


def test_charts_js_inserts_plotly_from_its_data_attribute_only_when_a_chart_nears_the_viewport():
    js = (ROOT / "static" / "js" / "charts.js").read_text()
    assert "document.currentScript.dataset.plotly" in js and "script.src = plotlySrc" in js
    assert "IntersectionObserver" in js and "loadPlotly().then(" in js


@pytest.mark.django_db
def test_the_dashboard_loads_no_plotly_and_the_county_page_points_charts_js_at_ours(official):
    client = client_for(official)
    assert "plotly" not in client.get("/").content.decode()
    html = client.get("/counties/513431/").content.decode()
    assert f'data-plotly="{static("vendor/plotly/plotly.min.js")}"' in html
    assert f'src="{static("vendor/plotly/plotly.min.js")}"' not in html


# favicon ---------------------------------------------------------------------------------------------------------

def test_the_favicon_is_a_small_svg():
    svg = (ROOT / "static" / "img" / "favicon.svg").read_text()
    assert svg.startswith("<svg") and len(svg) < 2000
    assert finders.find("img/favicon.svg")


@pytest.mark.django_db
def test_every_page_links_the_favicon(official):
    for url in ("/accounts/login/", "/"):
        html = client_for(official if url != "/accounts/login/" else None).get(url).content.decode()
        assert f'<link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">' in html, url


@pytest.mark.django_db
def test_favicon_ico_is_served_at_the_site_root():
    response = client_for(None).get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")


# contrast ----------------------------------------------------------------------------------------------------

PILL = re.compile(r"\.(status-[\w-]+|fig-[\w-]+|badge|demo-label)\b")


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    assert len(h) == 6, colour

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _css_rules(text: str):
    """(selector, {property: value}) for every plain rule, media queries included; var(--x) resolved."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    variables = dict(re.findall(r"--([\w-]+)\s*:\s*([^;}]+)", text))
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                prop, value = decl.split(":", 1)
                value = re.sub(r"var\(--([\w-]+)\)", lambda m: variables[m.group(1)].strip(), value.strip())
                decls[prop.strip()] = value
        yield selector.strip(), decls


def pill_colours():
    """Every pill/badge rule: (selector, text colour, background). A rule that sets only one of the two takes the
    other from the rule of the same class that sets it (or from the base .fig-status for .fig-*)."""
    rules = [(sel, decls) for sel, decls in _css_rules(CSS.read_text()) if PILL.search(sel)]
    base: dict[str, dict[str, str]] = {}
    for sel, decls in rules:
        for cls in PILL.findall(sel):
            for prop in ("color", "background"):
                if prop in decls:
                    base.setdefault(cls, {}).setdefault(prop, decls[prop])
    for sel, decls in rules:
        if "color" not in decls and "background" not in decls:
            continue
        cls = PILL.findall(sel)[-1]
        fallback = base.get("fig-status", {}) if cls.startswith("fig-") else {}
        colour = decls.get("color") or base.get(cls, {}).get("color") or fallback.get("color")
        background = decls.get("background") or base.get(cls, {}).get("background") or fallback.get("background")
        yield sel, colour, background


def test_the_contrast_helper_agrees_with_known_values():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#e53935", "#fff"), 2) == 4.23  # the old 严重滞后 pill


def test_every_status_pill_and_badge_has_aa_contrast():
    pairs = list(pill_colours())
    selectors = {sel for sel, _, _ in pairs}
    assert {".status-achieved", ".status-on_track", ".status-lagging", ".status-off_track", ".status-no_data",
            ".fig-approved", ".fig-returned", ".badge"} <= selectors
    for selector, colour, background in pairs:
        assert colour and background, f"{selector}: set both color and background (text would inherit)"
        assert contrast(colour, background) >= 4.5, (selector, colour, background, round(contrast(colour, background), 2))
