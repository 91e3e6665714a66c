"""The indicator page (/indicators/<code>/): who may open it, what it shows, and a fixed number of queries."""
from __future__ import annotations

import gzip
import json
import re
from decimal import Decimal as D

import plotly.graph_objects as go
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.services import recompute_all
from places.models import County
from counties.models import Figure
from indicators.models import Indicator
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

XICHANG, ZHAOJUE, HUILI = "513401", "513431", "513402"
ROLES = ["anonymous", "clerk_zhaojue", "clerk_xichang", "official", "auditor", "admin"]


def rate(county_code: str, code: str, year: int, value) -> Figure:
    return Figure.objects.create(county=County.objects.get(code=county_code), indicator=Indicator.objects.get(code=code),
                                 year=year, value=D(value), numerator=D(value), denominator=D(100), status="approved")


def page(user, code: str = "CMP-01", **params):
    return client_for(user).get(reverse("indicator-page", args=[code]), params)


def row(html: str, area: str) -> str:
    return re.search(rf'<tr[^>]*id="area-{area}">(.*?)</tr>', html, re.S).group(1)


@pytest.fixture
def cmp01():
    """CMP-01 九年义务教育巩固率 (≥ 96 % by 2025): 西昌 met it in 2023, 昭觉 lags, 会理 reported 2021 only."""
    for year, xichang, zhaojue in ((2021, 93, 85), (2022, 94, 86), (2023, 96.5, 87), (2024, 97, 88)):
        rate(XICHANG, "CMP-01", year, xichang)
        rate(ZHAOJUE, "CMP-01", year, zhaojue)
    rate(HUILI, "CMP-01", 2021, 90)
    recompute_all()


# permissions ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, status", list(zip(ROLES, [302, 200, 200, 200, 200, 200])))
def test_every_role_may_open_it_and_anonymous_users_are_sent_to_log_in(users, role, status):
    response = page(None if role == "anonymous" else users[role])
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_indicator_is_404(official):
    assert page(official, "XX-99").status_code == 404


def test_a_clerk_sees_their_county_and_the_prefecture_only(clerk_zhaojue, cmp01):
    html = page(clerk_zhaojue).content.decode()
    assert 'id="area-513431"' in html and 'id="area-prefecture"' in html
    assert 'id="area-513401"' not in html and "西昌" not in html and "会理" not in html
    charts = dict(re.findall(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', html, re.S))
    assert "西昌" not in json.dumps(json.loads(charts["trend"]), ensure_ascii=False)


# content --------------------------------------------------------------------------------------------------------

def test_the_catalogue_facts_units_and_the_plans_sentence(official):
    html = page(official, "CMP-12").content.decode()
    ind = Indicator.objects.select_related("task").get(code="CMP-12")
    assert "CMP-12" in html and ind.name in html and "节点任务" in html and "完成" in html
    assert ind.source in html
    for unit in ind.task.lead_units.all():
        assert unit.name in re.search(r'id="lead-units">(.*?)</dd>', html, re.S).group(1)
    for unit in ind.task.cooperating_units.all():
        assert unit.name in re.search(r'id="cooperating-units">(.*?)</dd>', html, re.S).group(1)


def test_all_targets_with_their_scope(official):
    html = page(official, "CMP-40").content.decode()
    targets = re.search(r'<table class="grid" id="targets">(.*?)</table>', html, re.S).group(1)
    assert "一类区" in targets and "二类区" in targets and "三类区" in targets
    assert "85" in targets and "70" in targets and "60" in targets


def test_the_counties_side_by_side_against_their_own_targets(official, cmp01):
    html = page(official).content.decode()
    assert "数据年度：2024（最近有审核通过数据的年度）" in html
    xichang, zhaojue = row(html, XICHANG), row(html, ZHAOJUE)
    assert reverse("county-page", args=[XICHANG]) in xichang
    assert "97 %" in xichang and "96 %" in xichang and "status-achieved" in xichang
    assert "88 %" in zhaojue and ("status-off_track" in zhaojue or "status-lagging" in zhaojue)
    # No 2025 figure: not reported yet, with where the latest stood.
    assert "未填报（2024年已达标）" in xichang and "未填报（2024年为88）" in zhaojue
    # The prefecture: summed numerators over summed denominators, (97 + 88) / 200 = 92.5 %.
    assert "92.5 %" in row(html, "prefecture")
    summary = re.search(r'id="evaluation-summary"(.*?)</section>', html, re.S).group(1)
    assert "2025年目标" in summary and "未填报 17" in summary


def test_tier_targets_are_each_countys_own(official):
    code = "CMP-40"
    rate(XICHANG, code, 2024, 86)
    rate(ZHAOJUE, code, 2024, 61)
    recompute_all()
    html = page(official, code).content.decode()
    assert "85 %" in row(html, XICHANG) and "一类区" in row(html, XICHANG)
    assert "60 %" in row(html, ZHAOJUE) and "三类区" in row(html, ZHAOJUE)


def test_an_earlier_year_can_be_chosen(official, cmp01):
    html = page(official, year=2022).content.decode()
    assert "数据年度：2022（默认年度为 2024" in html and "94 %" in row(html, XICHANG)


def test_the_trend_is_the_only_plotly_chart_and_no_plotly_script_loads_with_the_page(official, cmp01):
    html = page(official).content.decode()
    charts = dict(re.findall(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', html, re.S))
    assert set(charts) == {"trend"}
    assert re.search(r'id="trend"[^>]*aria-label="', html)
    trend = go.Figure(json.loads(charts["trend"]))
    assert {t.type for t in trend.data} <= {"scatter", "bar"}
    names = [t.name for t in trend.data]
    assert "全州" in names and "西昌" in names and any("目标" in n for n in names)
    # plotly.js is inserted by charts.js when the trend nears the viewport, never by a <script src>.
    assert not re.search(r'<script[^>]+src="[^"]*plotly', html)


def bar(html: str, area: str) -> dict:
    """The SVG bar in an area's row: the bar's x and width, the target tick, the prefecture line, the title."""
    svg = re.search(r'<svg class="county-bar"(.*?)</svg>', row(html, area), re.S).group(1)
    rect = re.search(r'<rect class="bar" x="([\d.]+)" y="2" width="([\d.]+)" height="10" fill="(#\w+)"', svg)
    tick = re.search(r'<line class="tick" x1="([\d.]+)"', svg)
    line = re.search(r'<line class="pref" x1="([\d.]+)"', svg)
    return {"x": float(rect[1]), "width": float(rect[2]), "fill": rect[3], "tick": tick and float(tick[1]),
            "line": line and float(line[1]), "title": re.search(r"<title[^>]*>(.*?)</title>", svg)[1],
            "labelled": 'role="img" aria-labelledby="bar-' in svg}


def test_the_county_bars_are_svg_in_the_table_on_one_scale_with_targets_and_the_prefecture(official, cmp01):
    html = page(official).content.decode()
    table = re.search(r'<table class="grid" id="areas">(.*?)</table>', html, re.S).group(1)
    assert len(re.findall(r'<svg class="county-bar"', table)) == 17 + 1      # every county and the prefecture
    assert len(re.findall(r'<line class="tick"', table)) == 17 + 1           # each one's own target: 96 %
    assert len(re.findall(r'<line class="pref"', table)) == 17 + 1
    # One scale from 0 to the largest number shown (西昌's 97 %): widths proportional to the values.
    assert "0–97 %" in re.search(r'<th scope="col" class="bar-cell">(.*?)</th>', table, re.S).group(1)
    xichang, zhaojue, prefecture = bar(html, XICHANG), bar(html, ZHAOJUE), bar(html, "prefecture")
    assert (xichang["x"], xichang["width"]) == (0, 100)
    assert zhaojue["width"] == pytest.approx(88 / 97 * 100, abs=0.05)
    assert prefecture["width"] == pytest.approx(92.5 / 97 * 100, abs=0.05)
    assert xichang["tick"] == zhaojue["tick"] == pytest.approx(96 / 97 * 100, abs=0.05)
    assert xichang["line"] == zhaojue["line"] == prefecture["width"]
    # Coloured by status, the colours named in the legend; a text alternative with name, value, target, status.
    assert xichang["fill"] == "#2e7d32" and zhaojue["fill"] != xichang["fill"]
    legend = re.search(r'<p class="bar-legend[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "已达标" in legend and "本县目标" in legend and "全州" in legend
    assert xichang["title"] == "西昌：97 %，目标 96 %，已达标" and xichang["labelled"]
    assert zhaojue["title"].startswith("昭觉：88 %，目标 96 %，")
    # 会理 has no figure this year: no bar, but its target is still marked; its name links to its page.
    huili = bar(html, HUILI)
    assert huili["width"] == 0 and huili["tick"] == xichang["tick"] and huili["title"].startswith("会理：—，目标 96 %")
    assert f'href="{reverse("county-page", args=[HUILI])}"' in row(html, HUILI)


def test_a_total_on_another_scale_gets_no_prefecture_bar_or_line(official):
    """A count or sum: the prefecture's total is not on the counties' scale (DESIGN §3 roll-ups)."""
    code = next(i.code for i in Indicator.objects.select_related("unit").filter(rollup="sum", level="county")
                if i.targets.exists())
    ind = Indicator.objects.get(code=code)
    Figure.objects.create(county=County.objects.get(code=XICHANG), indicator=ind, year=2024, value=D(5),
                          status="approved")
    Figure.objects.create(county=County.objects.get(code=ZHAOJUE), indicator=ind, year=2024, value=D(10),
                          status="approved")
    recompute_all()
    html = page(official, code).content.decode()
    assert '<line class="pref"' not in html
    assert '<svg class="county-bar"' not in row(html, "prefecture")
    assert bar(html, XICHANG)["width"] * 2 == pytest.approx(bar(html, ZHAOJUE)["width"], abs=0.1)


def test_the_page_is_gzip_compressed_when_the_browser_asks(official, cmp01):
    client = client_for(official)
    plain = client.get(reverse("indicator-page", args=["CMP-01"]))
    packed = client.get(reverse("indicator-page", args=["CMP-01"]), headers={"accept-encoding": "gzip, br"})
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content).decode().count('<svg class="county-bar"') == 18
    assert len(packed.content) < len(plain.content) / 4


# a fixed number of queries --------------------------------------------------------------------------------------

def _queries(user, code: str = "CMP-01") -> int:
    client = client_for(user)
    client.get(reverse("indicator-page", args=[code]))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("indicator-page", args=[code])).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["official", "clerk_zhaojue"])
def test_the_number_of_queries_does_not_grow_with_counties_or_figures(users, role, cmp01):
    small = _queries(users[role])
    for i in range(3):
        County.objects.create(code=f"5134{90 + i}", name=f"测试县{i}", short_name=f"测{i}", tier=1 + i % 3)
    for county in County.objects.all():
        for year in (2021, 2022, 2023, 2024, 2025):
            if not Figure.objects.filter(county=county, indicator__code="CMP-01", year=year).exists():
                rate(county.code, "CMP-01", year, 80 + year % 10)
    recompute_all()
    assert _queries(users[role]) == small


def test_many_counties_are_paged_and_the_prefecture_stays(official, cmp01, monkeypatch):
    from dashboards import indicator

    monkeypatch.setattr(indicator, "PAGE_SIZE", 10)
    first, second = page(official).content.decode(), page(official, page=2).content.decode()
    assert 'id="area-513401"' in first and 'id="area-513401"' not in second
    assert 'id="area-513437"' in second and 'id="area-prefecture"' in first and 'id="area-prefecture"' in second
    assert "page=2" in first and "year=2024" in first
