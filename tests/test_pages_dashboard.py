"""The home page per role and the prefecture dashboard: who lands where, what the headline counts, the map, the
heat map, and a fixed number of queries whatever the number of counties."""
import json
import re
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from assessment.models import Evaluation, Progress
from assessment.services import recompute_all
from places.models import County
from counties.models import Figure
from counties.validation import rate_percent
from indicators.models import Indicator
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
XICHANG, ZHAOJUE = "513401", "513431"


def approved(code, indicator, year, num, den=100):
    return Figure.objects.create(county=County.objects.get(code=code), indicator=Indicator.objects.get(code=indicator),
                                 year=year, status="approved", value=rate_percent(D(num), D(den)),
                                 numerator=D(num), denominator=D(den))


@pytest.fixture
def figures():
    approved(XICHANG, "PRE-01", 2024, 95)
    approved(ZHAOJUE, "PRE-01", 2023, 60)
    approved(ZHAOJUE, "PRE-01", 2024, 70)
    approved(ZHAOJUE, "PRE-02", 2024, 90)
    recompute_all()


def chart(html: str, name: str) -> dict:
    found = re.search(rf'<script type="application/json" data-chart="{name}">(.*?)</script>', html, re.S)
    assert found, f"no {name} chart"
    return json.loads(found.group(1))


# ----------------------------------------------------------------------------------------- permissions --

def test_anonymous_users_are_sent_to_the_login_page():
    response = client_for(None).get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_users_without_a_role_are_refused():
    nobody = get_user_model().objects.create_user("nobody", password="x")
    assert client_for(nobody).get("/").status_code == 403


@pytest.mark.parametrize("role", ["official", "auditor", "admin"])
def test_officials_auditors_and_administrators_land_on_the_prefecture_dashboard(users, role, figures):
    response = client_for(users[role]).get("/")
    assert response.status_code == 200
    assert "dashboards/dashboard.html" in [t.name for t in response.templates]


def test_a_clerk_lands_on_their_own_county_page_and_never_sees_the_dashboard(clerk_zhaojue, clerk_xichang):
    assert client_for(clerk_zhaojue).get("/")["Location"] == f"/counties/{ZHAOJUE}/"
    assert client_for(clerk_xichang).get("/")["Location"] == f"/counties/{XICHANG}/"
    from dashboards.views import prefecture_dashboard
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = clerk_zhaojue
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        prefecture_dashboard(request)


# --------------------------------------------------------------------------------------------- content --

def test_headline_counts_are_the_counties_evaluation_results_and_statuses(official, figures):
    response = client_for(official).get("/")
    ctx = response.context
    cycle_rows = Evaluation.objects.exclude(area="prefecture").filter(indicator__plan__cycle="2022-2025")
    results = {code: n for code, _label, n in ctx["results"]}
    assert sum(results.values()) == cycle_rows.count()
    for result in ("met_on_time", "met_late", "missed", "no_data"):
        assert results[result] == cycle_rows.filter(result=result).count()
    assert results["no_data"] > 0   # 2024 figures only: no 2025 target is judged yet
    statuses = {code: n for code, _label, n in ctx["statuses"]}
    year_rows = Progress.objects.exclude(area="prefecture").filter(year=2024)
    assert ctx["year"] == 2024 and statuses["achieved"] == year_rows.filter(status="achieved").count()
    html = response.content.decode()
    assert "数据年度：2024" in html   # the one default year, stated on the page
    # Every county is listed with a link to its page.
    for code in County.objects.values_list("code", flat=True):
        assert f'href="/counties/{code}/"' in html


def test_the_map_draws_every_county_as_a_linked_polygon_and_no_geo_trace(official, figures):
    html = client_for(official).get("/").content.decode()
    fig = chart(html, "map")
    assert {t["type"] for t in fig["data"]} == {"scatter"}   # no choropleth/geo trace: nothing fetched from a CDN
    polygons = [t for t in fig["data"] if t.get("fill") == "toself"]
    assert len(polygons) == 17
    assert {t["meta"] for t in polygons} == {f"/counties/{c}/" for c in County.objects.values_list("code", flat=True)}
    zhaojue = next(t for t in polygons if t["meta"] == f"/counties/{ZHAOJUE}/")
    assert zhaojue["name"] == "昭觉"
    # Coloured by the share of targets met: 昭觉 met none of its judged targets (grey only without any target).
    assert zhaojue["fillcolor"] != "#d9d9d9"


@pytest.mark.parametrize("measure", ["met", "off_track", "reporting"])
def test_every_map_measure_renders(official, figures, measure):
    response = client_for(official).get("/", {"measure": measure})
    assert response.status_code == 200 and response.context["measure"].code == measure


def test_the_heat_map_names_indicators_links_cells_and_follows_the_plan(official, figures):
    client = client_for(official)
    fig = chart(client.get("/", {"year": 2024, "plan": "preschool"}).content.decode(), "heat")
    heat = fig["data"][0]
    assert heat["type"] == "heatmap"
    assert any(label.endswith("· PRE-01") and "毛入园率" in label for label in heat["y"])
    assert "昭觉" in heat["x"] and "全州" in heat["x"]
    row, col = next(i for i, l in enumerate(heat["y"]) if l.endswith("PRE-01")), heat["x"].index("昭觉")
    assert heat["customdata"][row][col] == f"/indicators/PRE-01/?year=2024#area-{ZHAOJUE}"
    teachers = chart(client.get("/", {"year": 2024, "plan": "teachers"}).content.decode(), "heat")["data"][0]
    assert all("TCH-" in label for label in teachers["y"])


def test_an_unknown_year_or_plan_falls_back_to_the_defaults(official, figures):
    ctx = client_for(official).get("/", {"year": "x", "plan": "nope", "measure": "nope"}).context
    assert (ctx["year"], ctx["plan_code"], ctx["measure"].code) == (2024, "preschool", "met")


# --------------------------------------------------------------------------------------- query counts --

def _queries(client, django_assert_num_queries) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_runs_a_fixed_number_of_queries_whatever_the_number_of_counties(official, figures,
                                                                                    django_assert_num_queries):
    client = client_for(official)
    client.get("/")  # warm the session and role caches
    small = _queries(client, django_assert_num_queries)
    for n in range(5):
        county = County.objects.create(code=f"5199{n:02d}", name=f"测试县{n}", short_name=f"测{n}", tier=3)
        for code in ("PRE-01", "PRE-02", "PRE-03"):
            approved(county.code, code, 2024, 80 + n)
    recompute_all()
    assert _queries(client, django_assert_num_queries) == small


def test_the_dashboard_speaks_english_when_asked(official, figures):
    html = client_for(official).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Prefecture dashboard" in html and "Met on time" in html and "County map" in html
    assert "州级工作台" not in html


def test_the_dashboards_reporting_counts_agree_with_the_reporting_page(users, official):
    """The dashboard counts without loading figures one by one; it must say what the 填报进度 page says."""
    from counties import services
    from counties.reporting import completeness, reporting_by_county

    clerk, county = users["clerk_zhaojue"], County.objects.get(code=ZHAOJUE)
    for code, num in (("PRE-01", 90), ("PRE-02", 80), ("CMP-01", 95)):
        figure = services.save_draft(clerk, county, Indicator.objects.get(code=code), 2025,
                                     numerator=num, denominator=100).figure
        if code != "CMP-01":
            services.submit(clerk, figure)   # CMP-01 stays a draft: entered, not submitted
    Indicator.objects.filter(code="PRE-02").update(retired=True)  # a retired indicator's figure does not count
    report = completeness(2025)
    fast = reporting_by_county(2025)
    for c in report.counties:
        total = report.county_total(c)
        assert (fast[c.code].expected, fast[c.code].submitted) == (total.expected, total.submitted), c.code
    assert fast[ZHAOJUE].submitted == 1
