"""A safety net over every URL the project serves: nothing is open to anonymous users or users without a role.

New views are picked up automatically, so a view that forgets its role check fails here.
"""
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Login and language switching are public.
PUBLIC = {"accounts/login/", "accounts/logout/", "i18n/setlang/", "api/v1/auth/token/",
          "healthz"}  # the compose healthchecks probe it anonymously; it holds no data (README)
SAMPLE = {"code": "PRE-01", "county_code": "513401", "year": "2024", "pk": "1", "id": "1"}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _concrete(route: str) -> str | None:
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".")
    if route.startswith("admin/") or "(?P<format>" in route or "\\.(?P" in route:
        return None
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE.get(m.group(1), "1"), route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE.get(m.group(1), "1"), route)
    if any(ch in route for ch in "()[]*+?"):
        return None
    return "/" + route


ROUTES = sorted({r for r in (_concrete(x) for x in _walk(get_resolver().url_patterns)) if r})
CHECKED = [r for r in ROUTES if r.lstrip("/") not in PUBLIC and not r.startswith("/static/")]


def test_the_walk_finds_the_project_urls():
    assert {"/catalogue/", "/figures/review/", "/api/v1/figures/", "/api/v1/progress/"} <= set(CHECKED)
    assert {"/redblack/", "/redblack/preview/", "/supervision/", "/supervision/1/", "/supervision/evidence/1/",
            "/api/v1/redblack/", "/api/v1/redblack/publish/", "/api/v1/supervisions/"} <= set(CHECKED)


@pytest.mark.parametrize("url", CHECKED)
def test_anonymous_users_get_nothing(url):
    response = client_for(None).get(url)
    if url.startswith("/api/v1/schema/") or url.startswith("/api/v1/docs/"):
        pytest.skip("the API description is public; it holds no data")
    assert response.status_code in (302, 401, 403, 404), (url, response.status_code)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", CHECKED)
def test_users_without_a_role_get_nothing(url):
    if url.startswith("/api/v1/schema/") or url.startswith("/api/v1/docs/"):
        pytest.skip("the API description is public; it holds no data")
    nobody = get_user_model().objects.create_user("nobody", password="x")
    response = client_for(nobody).get(url)
    assert response.status_code in (403, 404, 405), (url, response.status_code)
