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


# ── the county's responsible leader (县级责任领导): reads its own county, enters nothing ─────────────────────────

# POSTs a leader may make: the language, logging out.
LEADER_MAY_POST = {"/accounts/logout/", "/i18n/setlang/"}


@pytest.mark.parametrize("url", CHECKED)
def test_a_county_leader_reads_no_other_county_and_nothing_fails(users, url):
    """The leader of 昭觉 on every page and endpoint (the sample URLs name 西昌, 513401): never a server error,
    never another county's page."""
    response = client_for(users["leader_zhaojue"]).get(url)
    assert response.status_code in (200, 302, 400, 403, 404, 405), (url, response.status_code)
    if SAMPLE["county_code"] in url:
        assert response.status_code in (403, 404), (url, response.status_code)


def _rows() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if not m._meta.proxy
            and m._meta.app_label not in ("sessions", "axes", "admin")}


@pytest.mark.parametrize("url", CHECKED)
def test_a_county_leader_changes_nothing(users, url):
    """A leader's POST to any URL (the leader of 西昌, so its own county's URLs too) is refused, or — pages that
    answer a POST by showing themselves or going back with a message — adds or deletes nothing."""
    if url in LEADER_MAY_POST:
        pytest.skip("the leader's own session")
    before = _rows()
    response = client_for(users["leader_xichang"]).post(url, {})
    assert response.status_code in (200, 302, 400, 403, 404, 405), (url, response.status_code)
    if response.status_code in (200, 302):
        assert _rows() == before, url
