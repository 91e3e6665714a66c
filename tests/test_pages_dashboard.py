"""The home page per role and the prefecture dashboard: who lands where, what the headline counts, the map, the
heat map, and a fixed number of queries whatever the number of counties."""
import re
from html.parser import HTMLParser
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


class Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes, text of its first data), in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict, list]] = []
        self.open: list[list] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        text: list[str] = []
        self.found.append((tag, dict(attrs), text))
        self.open.append(text)

    def handle_endtag(self, tag):
        if self.open:
            self.open.pop()

    def handle_data(self, data):
        for text in self.open:
            text.append(data)

    def inside(self, html_id: str) -> list[tuple[str, dict, str]]:
        """The elements inside the element with this id (ids are unique; void tags end nothing here)."""
        start = next(i for i, (_t, a, _x) in enumerate(self.found) if a.get("id") == html_id)
        whole = "".join(self.found[start][2])
        out = []
        for tag, attrs, text in self.found[start + 1:]:
            joined = "".join(text)
            if joined and joined not in whole:
                break
            out.append((tag, attrs, joined))
        return out


def page_of(client, **params) -> Elements:
    response = client.get("/", params)
    assert response.status_code == 200
    return Elements(response.content.decode())


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


def test_the_map_is_an_svg_drawn_on_the_server_with_one_link_per_county(official, figures):
    html = client_for(official).get("/").content.decode()
    assert "plotly" not in html and "data-chart" not in html   # no plotly.js on the dashboard: nothing to fetch
    svg = Elements(html).inside("map")
    links = [(attrs, text) for tag, attrs, text in svg if tag == "a"]
    assert len(links) == 17
    assert {a["href"] for a, _ in links} == {f"/counties/{c}/" for c in County.objects.values_list("code", flat=True)}
    zhaojue, text = next((a, t) for a, t in links if a["href"] == f"/counties/{ZHAOJUE}/")
    assert zhaojue["aria-label"].startswith("昭觉：目标达成率")
    assert text.startswith("昭觉\n目标达成率: ") and "达标 0 / " in text   # the tooltip (<title>)
    paths = [attrs for tag, attrs, _ in svg if tag == "path"]
    assert len(paths) == 17 and all(re.fullmatch(r"(M[-\d., ]+Z ?)+", p["d"]) for p in paths)
    # Coloured by the share of targets met: 昭觉 met none of its judged targets (grey only without any target).
    fill = {a["href"]: p["fill"] for (a, _), p in zip(links, paths)}
    assert fill[f"/counties/{ZHAOJUE}/"] != "#d9d9d9" and re.fullmatch(r"#[0-9a-f]{6}", fill[f"/counties/{ZHAOJUE}/"])
    assert [t for tag, _a, t in svg if tag == "text"].count("昭觉") == 1   # its name is drawn on the map


def test_the_map_projection_keeps_the_shape_and_the_legend_names_the_measure(official, figures):
    from dashboards import charts
    from dashboards.views import MEASURES

    drawing = charts.county_map(MEASURES["met"], {ZHAOJUE: 0.0, XICHANG: 1.0}, {}, {}, {})
    # Liangshan spans 3.8° of longitude and 3.3° of latitude at 27.7° N: about as tall as wide once longitude
    # is shortened by cos(latitude) (unprojected it would be 1.17 times wider than tall).
    assert 0.9 < drawing.height / drawing.width < 1.05
    colours = {c.code: c.fill for c in drawing.counties}
    assert colours[XICHANG] == drawing.ramp[-1][1] and colours[ZHAOJUE] == drawing.ramp[0][1]
    assert colours["513422"] == "#d9d9d9"   # 木里: no share
    html = client_for(official).get("/", {"measure": "reporting"}).content.decode()
    legend = Elements(html).inside("map-ramp")
    assert len([t for t, _a, _x in legend if t == "stop"]) == charts.RAMP_STOPS
    assert "填报完成率" in html.split('class="map-legend"')[1].split("</figcaption>")[0]


@pytest.mark.parametrize("measure", ["met", "off_track", "reporting"])
def test_every_map_measure_renders(official, figures, measure):
    response = client_for(official).get("/", {"measure": measure})
    assert response.status_code == 200 and response.context["measure"].code == measure


def test_the_heat_map_is_a_table_naming_indicators_with_a_linked_cell_per_county(official, figures):
    client = client_for(official)
    heat = page_of(client, year=2024, plan="preschool").inside("heat")
    columns = [text for tag, attrs, text in heat if tag == "th" and attrs.get("scope") == "col"]
    assert "昭觉" in columns and "全州" in columns
    rows = [attrs["href"] for tag, attrs, _text in heat if tag == "a" and "cell" not in attrs.get("class", "")]
    labels = [text for tag, attrs, text in heat if tag == "a" and "cell" not in attrs.get("class", "")]
    assert any(label.endswith("· PRE-01") and "毛入园率" in label for label in labels)
    assert "/indicators/PRE-01/?year=2024" in rows
    cells = [(attrs, text) for tag, attrs, text in heat if tag == "a" and "cell" in attrs.get("class", "")]
    zhaojue = next((a, t) for a, t in cells if a["href"] == f"/indicators/PRE-01/?year=2024#area-{ZHAOJUE}")
    status = Progress.objects.get(area=ZHAOJUE, indicator__code="PRE-01", year=2024).status
    assert f"status-{status}" in zhaojue[0]["class"].split()
    assert zhaojue[1] == dict(Progress._meta.get_field("status").choices)[status]   # the status in words
    assert zhaojue[0]["title"].startswith("昭觉 · PRE-01 ")
    teachers = page_of(client, year=2024, plan="teachers").inside("heat")
    assert all("TCH-" in text for tag, attrs, text in teachers if tag == "th" and attrs.get("scope") == "row")


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


def test_a_dashboard_without_approved_figures_names_no_year_it_does_not_have(official):
    """Before any figure is approved there is no data year: the headings say so instead of printing "None"."""
    html = client_for(official).get("/").content.decode()
    assert "尚无审核通过的数据" in html
    assert "None" not in html
    assert "年度指标状态" in html
