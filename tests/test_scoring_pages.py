"""The assessment pages: the ranking (chart with award bands and the 70/60 lines, table, versions), one county's
breakdown and movement, and the officials' forms (publish, hand score, disqualification)."""
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from places.models import County
from scoring import services
from scoring.models import Assessment, Disqualification, HandScore, Scheme
from tests.conftest import client_for
from tests.test_scoring_services import YEAR, one_item_scheme, progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(official):
    """2023 and 2024 published: 40 computed points each year, 20 − i hand points for the i-th county by code,
    plus in 2024 the bonus of the 2023 awards (5/4/3)."""
    codes = list(County.objects.order_by("code").values_list("code", flat=True))
    counties = {c.code: c for c in County.objects.all()}
    for year in (YEAR - 1, YEAR):
        _, _, hand, inds = one_item_scheme(year=year)
        progress(inds, {c: ("achieved", "off_track") for c in codes}, year=year)
        for i, code in enumerate(codes):
            services.set_hand_score(official, hand, counties[code], D(20) - D(i), "过程考核")
        services.publish(official, year)
    return codes, hand


def test_the_ranking_page_shows_the_chart_bands_lines_and_consequences(clerk_xichang, published):
    html = client_for(clerk_xichang).get("/assessments/", {"year": YEAR}).content.decode()
    assert "<svg" in html and html.count('class="threshold"') == 2
    assert "低于70分：通报批评" in html and "低于60分：约谈、诫勉谈话，取消评优评先资格" in html
    assert html.count('class="award band-first"') == 3 and html.count('class="award band-third"') == 5
    assert "由州委、州政府通报批评" in html and "目标考核排名后三位" in html
    assert "第1版" in html and 'id="publish-form"' not in html                     # clerks do not publish


def test_the_ranking_page_has_a_fixed_query_count(clerk_xichang, official, published):
    client = client_for(clerk_xichang)
    client.get("/assessments/", {"year": YEAR})
    with CaptureQueriesContext(connection) as first:
        client.get("/assessments/", {"year": YEAR})
    Disqualification.objects.create(year=YEAR, county=County.objects.get(code="513401"), situation="law",
                                    reason="r", evidence="e", recorded_by=official)
    services.publish(official, YEAR, note="更正")
    with CaptureQueriesContext(connection) as second:
        client.get("/assessments/", {"year": YEAR})
    assert len(first) == len(second) <= 12


def test_officials_preview_and_publish_a_correction(official, clerk_xichang, published):
    codes, hand = published
    client = client_for(official)
    html = client.get("/assessments/", {"year": YEAR, "preview": "1"}).content.decode()
    assert "尚未发布" in html and 'id="publish-form"' in html and 'id="hand-form"' in html
    assert client_for(clerk_xichang).post(f"/assessments/{YEAR}/publish/", {"note": "x"}).status_code == 403
    response = client.post(f"/assessments/{YEAR}/publish/", {"note": ""})
    assert Assessment.objects.filter(year=YEAR).count() == 1          # a second publication needs its reason
    client.post(f"/assessments/{YEAR}/publish/", {"note": "更正过程考核"})
    assert Assessment.objects.filter(year=YEAR).count() == 2
    assert response.status_code == 302


def test_officials_score_by_hand_and_record_a_disqualification(official, clerk_xichang, published):
    codes, hand = published
    county = County.objects.get(code=codes[0])
    data = {"item": hand.pk, "county": county.pk, "points": "7", "reason": "过程考核复核"}
    assert client_for(clerk_xichang).post(f"/assessments/{YEAR}/hand-scores/", data).status_code == 403
    assert client_for(clerk_xichang).post("/assessments/2030/hand-scores/", data).status_code == 403
    assert not Scheme.objects.filter(year=2030).exists()        # a clerk's post makes no default scheme
    client_for(official).post(f"/assessments/{YEAR}/hand-scores/", data)
    assert HandScore.objects.get(item=hand, county=county).points == 7
    data = {"county": county.pk, "situation": "accident", "reason": "重大安全责任事故", "evidence": "州应急局通报"}
    assert client_for(clerk_xichang).post(f"/assessments/{YEAR}/disqualifications/", data).status_code == 403
    client_for(official).post(f"/assessments/{YEAR}/disqualifications/", data)
    row = next(r for r in services.compute(YEAR).rows if r.code == codes[0])
    assert row.award is None and row.disqualified[0]["situation"] == "accident"


def test_a_countys_breakdown_adds_up_shows_sources_and_moves_against_last_year(clerk_xichang, clerk_zhaojue,
                                                                               published):
    codes, _ = published
    url = f"/assessments/{YEAR}/counties/513401/"
    html = client_for(clerk_xichang).get(url).content.decode()
    row = next(r for r in services.published_outcome(services.latest_version(YEAR)).rows if r.code == "513401")
    assert f'id="total">{row.score}<' in html and "已达标" in html and "人工评分：过程考核" in html
    assert f"{YEAR - 1}年 60.00 分，第1名" in html and "65.00" in html and "名次变化" in html
    assert client_for(clerk_zhaojue).get(url).status_code == 403


def test_links_from_the_dashboard_and_the_navigation(official, clerk_xichang):
    assert 'href="/assessments/"' in client_for(official).get("/").content.decode()
    from django.urls import reverse

    html = client_for(clerk_xichang).get(reverse("county-page", args=["513401"])).content.decode()
    assert 'id="scoring-link"' in html and html.count('href="/assessments/"') == 2   # the page and the navigation



def test_the_county_page_links_to_its_latest_published_breakdown(clerk_xichang, published):
    from django.urls import reverse

    html = client_for(clerk_xichang).get(reverse("county-page", args=["513401"])).content.decode()
    assert f'id="scoring-link" href="/assessments/{YEAR}/counties/513401/"' in html


def test_odd_years_and_versions_are_no_server_error(official, published):
    client = client_for(official)
    assert client.get("/assessments/", {"year": "²", "version": "9" * 30}).status_code == 200
    assert client.get("/assessments/schools/", {"year": "²"}).status_code == 200
    assert client.get("/assessments/99999/counties/513401/").status_code == 404
    assert client.get("/assessments/schools/99999/review/").status_code == 404


def test_the_ranking_is_offered_as_a_plotly_chart_loaded_only_when_opened(clerk_xichang, published):
    """Server SVG for the first paint; the Plotly figure (award bands named in the legend, the 70/60 lines) sits in
    a closed <details> and static/js/charts.js inserts plotly.js only when it is opened (docs/lighthouse.md)."""
    import json
    import re

    import plotly.graph_objects as go

    html = client_for(clerk_xichang).get("/assessments/", {"year": YEAR}).content.decode()
    assert "<svg" in html and '<details class="noprint" id="plotly-details">' in html
    assert 'data-plotly="/static/vendor/plotly/plotly.min.js"' in html and 'src="/static/vendor/plotly' not in html
    raw = re.search(r'<script type="application/json" data-chart="ranking-plotly">(.*?)</script>', html, re.S).group(1)
    figure = go.Figure(json.loads(raw))                                  # validates every property
    assert [(t.name, len(t.x)) for t in figure.data] == [("一等奖", 3), ("二等奖", 4), ("三等奖", 5), ("未获奖", 5)]
    assert sorted(s.y0 for s in figure.layout.shapes) == [60, 70]
    order = list(figure.layout.xaxis.categoryarray)
    rows = services.published_outcome(services.latest_version(YEAR)).rows
    assert order == [r.name for r in rows] and figure.data[0].y[0] == float(rows[0].score)


@pytest.mark.parametrize("who", ["clerk_xichang", "auditor", "leader_xichang"])
def test_a_disqualification_form_is_refused_before_it_is_read(users, who):
    """Not only a valid form: an empty or broken POST by someone who may not record is a 403, not a message."""
    from django.contrib.auth import get_user_model

    user = users.get(who) or get_user_model().objects.get(username=who)
    assert client_for(user).post(f"/assessments/{YEAR}/disqualifications/", {}).status_code == 403
