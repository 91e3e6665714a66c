"""The catalogue pages: plans → tasks → indicators, search and filters, role checks."""
import pytest
from django.contrib.auth import get_user_model

from indicators.models import ResponsibleUnit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PAGES = ["/catalogue/", "/catalogue/plans/compulsory/", "/catalogue/indicators/PRE-01/", "/indicators/PRE-01/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(url):
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_user_without_role_gets_403(url):
    nobody = get_user_model().objects.create_user("nobody", password="x")
    assert client_for(nobody).get(url).status_code == 403


@pytest.mark.parametrize("role", ["clerk_xichang", "clerk_zhaojue", "official", "auditor", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_every_role_sees_the_catalogue_and_progress(users, role, url):
    assert client_for(users[role]).get(url).status_code == 200


def test_unknown_codes_are_404(auditor):
    client = client_for(auditor)
    assert client.get("/catalogue/plans/nonsense/").status_code == 404
    assert client.get("/catalogue/indicators/XX-99/").status_code == 404


def test_plan_page_shows_tasks_units_and_targets(auditor):
    html = client_for(auditor).get("/catalogue/plans/preschool/").content.decode()
    assert "推进学前教育普及普惠进程" in html
    assert "州教育体育局" in html and "州发展改革委" in html
    assert "毛入园率" in html and "92" in html


def test_search_by_text(auditor):
    html = client_for(auditor).get("/catalogue/", {"q": "学业合格率"}).content.decode()
    assert "一类区" in html and "三类区" in html
    assert "毛入园率" not in html


def test_filters_by_plan_year_unit_and_responsible_unit(auditor):
    client = client_for(auditor)
    html = client.get("/catalogue/", {"plan": "informatization", "unit": "台/百生"}).content.decode()
    assert html.count('class="code"><a') == 3   # 6/8/12 computers per 100 pupils
    standing = client.get("/catalogue/", {"year": "standing"}).content.decode()
    assert "每年" in standing
    unit = ResponsibleUnit.objects.get(name="州财政局")
    led = client.get("/catalogue/", {"responsible": unit.pk, "lead_only": "on"}).context["indicators"]
    anywhere = client.get("/catalogue/", {"responsible": unit.pk}).context["indicators"]
    assert 0 < len(led) < len(anywhere)


def test_catalogue_page_query_count_is_fixed(auditor, django_assert_max_num_queries):
    client = client_for(auditor)
    with django_assert_max_num_queries(20):
        response = client.get("/catalogue/")
    assert len(response.context["indicators"]) > 150


def test_pages_load_plotly_from_our_static_files(auditor):
    # The dashboard draws without plotly.js; the indicator page names our copy for charts.js to load on demand.
    html = client_for(auditor).get("/indicators/PRE-01/").content.decode()
    assert 'data-plotly="/static/vendor/plotly/plotly.min.js"' in html
    assert "cdn.plot.ly" not in html and "cdn.plot.ly" not in client_for(auditor).get("/").content.decode()


def test_the_first_release_progress_pages_lead_to_the_dashboard_and_the_indicator_page(auditor):
    client = client_for(auditor)
    assert client.get("/progress/", {"year": 2024, "plan": "teachers"})["Location"] == (
        "/?year=2024&plan=teachers#heatmap")
    assert client.get("/progress/indicators/PRE-01/")["Location"] == "/indicators/PRE-01/"


def test_a_requirement_stated_in_two_plans_is_shown_once_and_referred_to(official):
    """普职比大体相当 is HS-02 (high-school plan) and VOC-11 (vocational plan): VOC-11 is retired as the same
    requirement, so the vocational plan's page points to HS-02 and VOC-11's own address leads there."""
    from indicators.models import Indicator

    voc = Indicator.objects.get(code="VOC-11")
    client = client_for(official)
    html = client.get(f"/catalogue/plans/{voc.plan.code}/").content.decode()
    assert 'id="ref-VOC-11"' in html and 'href="/catalogue/indicators/HS-02/"' in html
    response = client.get("/catalogue/indicators/VOC-11/")
    assert response.status_code == 301 and response["Location"] == "/catalogue/indicators/HS-02/"
