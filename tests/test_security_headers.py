"""Every response carries a Content-Security-Policy that forbids inline and foreign script, and a
Permissions-Policy; the API docs page needs no inline script."""
import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/v1/docs/", "/catalogue/"])
def test_every_page_forbids_inline_and_foreign_script(official, url):
    response = client_for(official).get(url)
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_the_api_docs_page_has_no_inline_script(official):
    import re

    html = client_for(official).get("/api/v1/docs/").content.decode()
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip()


def test_hsts_preload_is_an_administrators_choice(settings):
    assert settings.SECURE_HSTS_PRELOAD is False  # SECURE_HSTS_PRELOAD=1 in the environment opts in
