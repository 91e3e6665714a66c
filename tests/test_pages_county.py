"""The county page (/counties/<code>/): who may open it, what it shows, and a fixed number of queries."""
from __future__ import annotations

import json
import re
from decimal import Decimal as D

import plotly.graph_objects as go
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.services import recompute_all
from places.models import County
from counties.models import Figure
from counties.reporting import load_catalogue
from indicators.models import Indicator
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

XICHANG, ZHAOJUE = "513401", "513431"
ROLES = ["anonymous", "clerk_zhaojue", "clerk_xichang", "official", "auditor", "admin", "leader_zhaojue",
         "leader_xichang"]


def open_year() -> int:
    return timezone.localdate().year - 1


def figure(county_code: str, indicator_code: str, year: int, value, status: str = "approved", **extra) -> Figure:
    ind = Indicator.objects.get(code=indicator_code)
    if ind.kind == "rate" and value is not None and "denominator" not in extra:
        extra.update(numerator=D(value), denominator=D(100))
    return Figure.objects.create(county=County.objects.get(code=county_code), indicator=ind, year=year,
                                 value=None if value is None else D(value), status=status, **extra)


def page(user, code: str = ZHAOJUE, **params):
    return client_for(user).get(reverse("county-page", args=[code]), params)


def section(html: str, element_id: str) -> str:
    """The text of the element with ``element_id`` up to the next element with an id of the same kind."""
    start = html.index(f'id="{element_id}"')
    following = re.search(r'<div id="list-', html[start + 10:])
    return html[start:start + 10 + following.start()] if following else html[start:]


@pytest.fixture
def zhaojue_series():
    """昭觉县: CMP-01 (九年义务教育巩固率, ≥ 96 % by 2025) achieved in 2024, no 2025 figure yet; CMP-09 (56-pupil
    classes: none by 2022 and by 2023) cleared only in 2024; 西昌市 reports CMP-01 too (the prefecture roll-up)."""
    from tests.test_evaluation_engine import with_intermediate_target

    with_intermediate_target()
    for year, value in ((2021, 90), (2022, 92), (2023, 93), (2024, 97)):
        figure(ZHAOJUE, "CMP-01", year, value)
        figure(XICHANG, "CMP-01", year, value - 1)
    for year, n in ((2021, 5), (2022, 3), (2023, 2), (2024, 0)):
        figure(ZHAOJUE, "CMP-09", year, n)
    recompute_all()


# permissions ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, status", list(zip(ROLES, [302, 200, 403, 200, 200, 200, 200, 403])))
def test_who_may_open_zhaojue(users, role, status):
    response = page(None if role == "anonymous" else users[role])
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_a_clerk_opens_their_own_county_and_no_other(clerk_xichang):
    assert page(clerk_xichang, XICHANG).status_code == 200
    assert page(clerk_xichang, ZHAOJUE).status_code == 403


def test_a_county_leader_lands_on_its_county_and_has_no_entry_links(users):
    """县级责任领导: home is the county's page; the navigation has no entry, upload or prefecture pages."""
    client = client_for(users["leader_zhaojue"])
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == reverse("county-page", args=[ZHAOJUE])
    html = client.get(home["Location"]).content.decode()
    nav = html[html.index('class="mainnav"'):html.index("</nav>")]
    assert reverse("county-page", args=[ZHAOJUE]) in nav
    for name in ("review-queue", "audit-log"):
        assert reverse(name) not in nav
    assert "/figures/entry/" not in nav and "/upload/" not in nav


def test_an_unknown_county_is_404(official):
    assert page(official, "999999").status_code == 404


# content --------------------------------------------------------------------------------------------------------

def test_heading_tier_key_assisted_and_the_default_year_stated(official, zhaojue_series):
    html = page(official).content.decode()
    assert "<h1>昭觉县</h1>" in html and "三类区" in html and "国家乡村振兴重点帮扶县" in html
    assert "数据年度：2024（最近有审核通过数据的年度）" in html
    assert 'value="2023" ' in html and '<option value="2024" selected>' in html


def test_a_hand_made_figure_shows_its_value_target_status_projection_and_evaluation(official, zhaojue_series):
    html = page(official).content.decode()
    row = re.search(r'<tr id="row-CMP-01">(.*?)</tr>', html, re.S).group(1)
    assert reverse("indicator-page", args=["CMP-01"]) in row
    assert "97 %" in row and "96 %" in row and "2025年" in row
    assert "status-achieved" in row and "已达标" in row
    # No 2025 figure yet: not reported, but the latest figure (2024) meets the target.
    assert "result-no_data" in row and "未填报（2024年已达标）" in row
    cmp09 = re.search(r'<tr id="row-CMP-09">(.*?)</tr>', html, re.S).group(1)
    assert cmp09.count("逾期达标（2024年）") == 2 and "2022：" in cmp09 and "2023：" in cmp09


def test_an_earlier_year_is_stated_as_chosen(official, zhaojue_series):
    html = page(official, year=2022).content.decode()
    assert "数据年度：2022（默认年度为 2024" in html
    row = re.search(r'<tr id="row-CMP-01">(.*?)</tr>', html, re.S).group(1)
    assert "92 %" in row
    # A year without rows falls back to the default year.
    assert "数据年度：2024（最近" in page(official, year="abc").content.decode()


def test_the_bullet_chart_compares_each_plan_with_the_prefecture(official, zhaojue_series):
    html = page(official).content.decode()
    table = re.search(r'<table class="grid compact" id="bullet-table">(.*?)</table>', html, re.S).group(1)
    compulsory = re.search(r'<th scope="row">义务教育</th>(.*?)</tr>', table, re.S).group(1)
    cells = re.findall(r"<td data-label=\"[^\"]*\">(.*?)</td>", compulsory)  # the counts (each labelled for phones)
    # CMP-09's two intermediate targets were met late; nothing was met on time.
    assert cells[1:3] == ["0", "2"]
    # Its bullet bar, in the same row: nothing on time, the late share from 0, the prefecture's tick.
    late = round(2 * 100 / int(cells[0]), 1)
    assert '<rect class="on-time" width="0"' in compulsory
    assert f'<rect class="late" x="0" width="{late:g}"' in compulsory


def test_every_chart_is_valid_plotly_with_scatter_and_bar_traces_only(official, zhaojue_series):
    html = page(official).content.decode()
    charts = re.findall(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', html, re.S)
    ids = {name for name, _ in charts}
    assert "trajectory-compulsory" in ids and "bullet" not in ids   # the bullet bars are drawn in the table
    for name, text in charts:
        assert f'id="{name}"' in html and re.search(rf'id="{name}"[^>]*aria-label="', html)
        fig = go.Figure(json.loads(text))  # validates every property
        assert {t.type for t in fig.data} <= {"scatter", "bar"}


def test_what_is_missing_or_returned_in_the_open_year(clerk_zhaojue, official):
    year = open_year()
    figure(ZHAOJUE, "PRE-01", year, 88, status="draft")
    figure(ZHAOJUE, "PRE-02", year, 70, status="submitted")
    figure(ZHAOJUE, "PRE-03", year, 50, status="returned", return_reason="分母口径有误，请按在园幼儿总数填报")
    figure(ZHAOJUE, "CMP-01", year, 95)
    figure(XICHANG, "CMP-02", year, None, status="returned", return_reason="西昌的退回")
    recompute_all()
    html = page(clerk_zhaojue).content.decode()
    returned = section(html, "list-returned")
    assert "PRE-03" in returned and "分母口径有误，请按在园幼儿总数填报" in returned and "西昌" not in returned
    assert "PRE-01" in section(html, "list-drafts")
    assert "PRE-02" in section(html, "list-submitted")
    not_entered = section(html, "list-not-entered")
    assert all(code not in not_entered for code in ("PRE-01", "PRE-02", "PRE-03", "CMP-01"))
    assert "CMP-09" in not_entered and "CMP-02" in not_entered
    zhaojue = County.objects.get(code=ZHAOJUE)
    expected = sum(1 for e in load_catalogue() if e.applies_to(zhaojue, year))
    assert f"应填报 <b>{expected}</b>" in html
    # Four figures have values: the draft, the submitted, the returned and the approved one.
    assert f'<span class="badge">{expected - 4}</span>' in not_entered


def test_the_entry_link_is_for_the_clerk_and_the_county_form_for_officials(clerk_zhaojue, official, auditor):
    year = open_year()
    clerk = page(clerk_zhaojue).content.decode()
    assert f'id="entry-link" href="{reverse("figure-entry", args=[year])}"' in clerk
    assert "entry-county-link" not in clerk
    for user in (official, auditor):
        html = page(user).content.decode()
        assert 'id="entry-link"' not in html and reverse("figure-entry", args=[year]) not in html
        assert f'id="entry-county-link" href="{reverse("figure-entry-county", args=[ZHAOJUE, year])}"' in html


# a fixed number of queries --------------------------------------------------------------------------------------

def _queries(user) -> int:
    client = client_for(user)
    client.get(reverse("county-page", args=[ZHAOJUE]))  # session and role caches warm
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("county-page", args=[ZHAOJUE])).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["official", "clerk_zhaojue"])
def test_the_number_of_queries_does_not_grow_with_counties_figures_or_indicators(users, role, zhaojue_series):
    # given: the hand-made series of two counties
    small = _queries(users[role])
    # when: three more counties, every county reporting more indicators, and every workflow state in the open year
    for i in range(3):
        County.objects.create(code=f"5134{90 + i}", name=f"测试县{i}", short_name=f"测{i}", tier=1 + i % 3)
    codes = list(Indicator.objects.filter(plan__code="preschool", kind="rate").values_list("code", flat=True))[:5]
    for county in County.objects.all():
        for code in codes:
            for year in (2021, 2024):
                figure(county.code, code, year, 60 + year % 7)
    figure(ZHAOJUE, "PRE-01", open_year(), 80, status="returned", return_reason="请核对")
    figure(ZHAOJUE, "PRE-02", open_year(), 80, status="submitted")
    recompute_all()
    # then
    assert _queries(users[role]) == small
