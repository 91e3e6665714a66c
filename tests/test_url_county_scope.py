"""A safety net over every page whose path names a county: a county's clerk opens its own county's and never
another's. New routes with a county in the path are picked up automatically (the walk of test_url_access), so a
view that forgets the county check fails here. (Readers of everything are covered by the pages' own tests.)"""
import re

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db
XICHANG, ZHAOJUE = "513401", "513431"

# The path segment before a placeholder tells whether the placeholder is a county: "counties/<code>/" or any
# "<county_code>". The catalogue API's /api/v1/counties/<code>/ is the public list of counties (no figures).
_COUNTY = re.compile(r"(?:counties/|/)(?:\(\?P<(?:code|county_code)>[^)]*\)|<(?:str:)?(?:code|county_code)>)")
CATALOGUE = ("/api/v1/",)


def _county_routes() -> list[str]:
    """The routes with a county placeholder, the county written as {county} and the other placeholders filled."""
    from tests.test_url_access import _walk
    from django.urls import get_resolver

    out = set()
    for raw in _walk(get_resolver().url_patterns):
        route = raw.replace("^", "").replace("$", "")
        if route.startswith("admin/") or "format>" in route or not (
                "county_code" in route or re.search(r"counties/(?:<(?:str:)?code>|\(\?P<code>)", route)):
            continue
        route = re.sub(r"<(?:str:)?(?:code|county_code)>|\(\?P<(?:code|county_code)>[^)]*\)", "{county}", route)
        route = re.sub(r"<int:year>", "2025", route)
        if "<" in route or "(" in route:
            continue
        out.add("/" + route)
    return sorted(r for r in out if not r.startswith(CATALOGUE))


COUNTY_ROUTES = _county_routes()


@pytest.fixture(autouse=True)
def something_to_show(official):
    """Pages that exist only once something is published (a county's assessment breakdown) get it, so that a
    refusal is the county check and not "nothing here"."""
    from scoring import services

    services.publish(official, 2025)


def test_the_walk_finds_the_county_pages():
    assert {"/counties/{county}/", "/figures/entry/{county}/2025/", "/assessments/2025/counties/{county}/"} <= set(
        COUNTY_ROUTES), COUNTY_ROUTES


@pytest.mark.parametrize("route", COUNTY_ROUTES)
def test_a_clerk_never_opens_another_countys_page(route, clerk_zhaojue):
    url = route.format(county=XICHANG)
    status = client_for(clerk_zhaojue).get(url).status_code
    assert status in (403, 404), (route, status)   # 404: some paths hide that the other county's page exists


@pytest.mark.parametrize("route", COUNTY_ROUTES)
def test_a_clerk_opens_its_own_countys_page(route, clerk_zhaojue, official):
    """The other half: the refusal above is the county check, not a page that refuses clerks altogether. The
    clerk gets what an official gets (the entry page sends the clerk on to its own form)."""
    url = route.format(county=ZHAOJUE)
    response = client_for(clerk_zhaojue).get(url)
    if response.status_code == 302:
        assert XICHANG not in response["Location"] and not response["Location"].startswith("/accounts/"), route
    else:
        assert response.status_code == client_for(official).get(url).status_code, route
        assert response.status_code in (200, 404), route
