"""The API keeps its published contract (issue 13, item 4): every defect found by schemathesis, as a test.

One error shape everywhere (``{"message", "errors"}``, Chinese by default, English on request), bounded and
strictly read paging, one rule for query parameters (empty = not given, anything else invalid = 400), one max
length for the texts of the page and the API, the schema saying what the API answers. The schemathesis run
itself, against a live server as an official and as a clerk, is ``tests/test_api_schemathesis.py``.
"""
from __future__ import annotations

import pytest
from django.utils import translation

from counties.forms import TEXT_MAX_LENGTH, ValueRowForm
from counties.models import Figure
from tests.conftest import api_for

pytestmark = pytest.mark.django_db

XICHANG, RATE, COUNT = "513401", "PRE-02", "PRE-11"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.deactivate()


def assert_error_shape(response, status: int) -> dict:
    """The documented error body: JSON, a non-empty ``message``, ``errors`` a dict of lists of strings."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    assert all(isinstance(v, list) and all(isinstance(t, str) for t in v) for v in body["errors"].values())
    return body


def schema(client) -> dict:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


# ── paging: bounded, strict, never a server error ───────────────────────────────────────────────────────────

@pytest.mark.parametrize("limit", [str(2**63), "100000000000000000000", "9" * 5000, "100000", "1001", "0", "-1",
                                   "abc", "1.5", "true", "١٠"])
def test_a_limit_outside_1_to_1000_is_a_400_naming_it(official, limit):
    body = assert_error_shape(api_for(official).get("/api/v1/figures/", {"limit": limit}), 400)
    assert list(body["errors"]) == ["limit"]
    assert "1" in body["errors"]["limit"][0] and "1000" in body["errors"]["limit"][0]


@pytest.mark.parametrize("offset", ["true", "-1", "abc", "1e3"])
def test_an_offset_that_is_not_a_whole_number_is_a_400(official, offset):
    body = assert_error_shape(api_for(official).get("/api/v1/progress/", {"offset": offset}), 400)
    assert list(body["errors"]) == ["offset"]


def test_the_page_size_is_capped_at_1000(official, clerk_xichang):
    from places.models import County
    from counties.services import save_draft
    from indicators.models import Indicator

    county = County.objects.get(code=XICHANG)
    for ind in Indicator.objects.filter(kind="count", level="county", retired=False)[:3]:
        save_draft(clerk_xichang, county, ind, 2025, value=5)
    client = api_for(official)
    assert len(client.get("/api/v1/indicators/", {"limit": 1000}).json()["results"]) > 200
    page = client.get("/api/v1/figures/", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and len(page["results"]) == 1 and "offset=2" in page["next"]
    # an offset past the end is an empty page, even one no database integer holds
    far = client.get("/api/v1/figures/", {"offset": str(2**70)})
    assert far.status_code == 200 and far.json()["results"] == []


def test_the_limit_bounds_are_in_the_schema(official):
    parameters = schema(api_for(official))["paths"]["/api/v1/figures/"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    offset = next(p for p in parameters if p["name"] == "offset")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 1000)
    assert offset["schema"]["minimum"] == 0


# ── query parameters: one rule ──────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("url", [
    "/api/v1/figures/?county=&indicator=&plan=&year=&status=&limit=&offset=",
    "/api/v1/progress/?county=&indicator=&plan=&year=&status=&overdue=&limit=&offset=",
    "/api/v1/evaluation/?county=&indicator=&plan=&result=&target_year=&cycle=",
    "/api/v1/indicators/?plan=&kind=&level=&lead_only=&q=&responsible=&unit=&task=&year=",
])
def test_an_empty_parameter_means_not_given(official, url):
    client = api_for(official)
    assert client.get(url).json()["count"] == client.get(url.split("?")[0]).json()["count"]


@pytest.mark.parametrize(("url", "name"), [
    ("/api/v1/progress/?overdue=maybe", "overdue"),
    ("/api/v1/indicators/?lead_only=yes please", "lead_only"),
    ("/api/v1/figures/?year=null", "year"),
    ("/api/v1/figures/?status=lost", "status"),
    ("/api/v1/evaluation/?result=great", "result"),
    ("/api/v1/figures/?offset=true", "offset"),
])
def test_an_invalid_parameter_is_a_400_naming_it(official, url, name):
    body = assert_error_shape(api_for(official).get(url), 400)
    assert list(body["errors"]) == [name]


@pytest.mark.parametrize("value", ["true", "false", "1", "0", "True"])
def test_booleans_are_true_or_false(official, value):
    assert api_for(official).get("/api/v1/progress/", {"overdue": value}).status_code == 200


# ── texts: one max length for the page and the API ──────────────────────────────────────────────────────────

def _new_count_figure(client, **values):
    return client.post("/api/v1/figures/", {"county": XICHANG, "indicator": COUNT, "year": 2025, "value": 3,
                                            **values}, format="json")


@pytest.mark.parametrize("field", ["note", "evidence"])
def test_the_api_refuses_a_text_longer_than_the_form_allows(clerk_xichang, field):
    for text in ("x" * 2_000_000, "长" * (TEXT_MAX_LENGTH + 1)):
        body = assert_error_shape(_new_count_figure(api_for(clerk_xichang), **{field: text}), 400)
        assert list(body["errors"]) == [field] and str(TEXT_MAX_LENGTH) in body["errors"][field][0]
    assert not Figure.objects.exists()

    assert _new_count_figure(api_for(clerk_xichang), **{field: "长" * TEXT_MAX_LENGTH}).status_code == 201


def test_a_body_larger_than_django_reads_is_a_json_413(clerk_xichang):
    body = assert_error_shape(_new_count_figure(api_for(clerk_xichang), note="长" * 2_000_000), 413)
    assert body["errors"] == {}
    assert not Figure.objects.exists()


def test_the_form_and_the_api_share_the_max_length():
    assert TEXT_MAX_LENGTH == 2000
    form = ValueRowForm(prefix="x", data={"x-version": 0, "x-note": "长" * (TEXT_MAX_LENGTH + 1)})
    assert not form.is_valid() and "note" in form.errors


def test_a_return_reason_is_bounded_too(official, users):
    from tests.test_api_figures import make_figure

    figure = make_figure(users, "submitted")
    response = api_for(official).post(f"/api/v1/figures/{figure.pk}/return/",
                                      {"reason": "x" * (TEXT_MAX_LENGTH + 1)}, format="json")
    assert list(assert_error_shape(response, 400)["errors"]) == ["reason"]
    assert Figure.objects.get(pk=figure.pk).status == "submitted"


# ── 404s are JSON, every error has the documented shape ─────────────────────────────────────────────────────

@pytest.mark.parametrize("path", ["/api/v1/figures/abc/", "/api/v1/figures/%C2%84/history/",
                                  "/api/v1/figures/abc/submit/", "/api/v1/no-such-thing/", "/api/v1/figures/1/x/",
                                  "/api/v1/figures/.%06%C2%82%0A/submit/"])  # a newline: found by schemathesis
def test_a_path_that_names_no_endpoint_is_a_json_404(official, path):
    body = assert_error_shape(api_for(official).get(path), 404)
    assert "接口" in body["message"]
    assert_error_shape(api_for(official).post(path, {}, format="json"), 404)


def test_a_path_without_its_final_slash_is_still_redirected(official):
    response = api_for(official).get("/api/v1/figures?year=2025")
    assert response.status_code == 301 and response["Location"] == "/api/v1/figures/?year=2025"


def test_drf_errors_have_the_errors_field(official, users):
    client = api_for(official)
    assert_error_shape(client.get("/api/v1/counties/999999/"), 404)
    assert_error_shape(client.get("/api/v1/evaluation/null,null/"), 404)
    assert_error_shape(client.delete("/api/v1/counties/"), 405)
    assert_error_shape(api_for(None).get("/api/v1/figures/"), 401)
    parse = client.generic("POST", "/api/v1/figures/bulk/", "\x00", content_type="application/json")
    assert assert_error_shape(parse, 400)["errors"] == {}  # the body as a whole: no field to blame
    unsupported = client.generic("POST", "/api/v1/figures/", "x", content_type="text/plain")
    assert_error_shape(unsupported, 415)
    clerk_recompute = api_for(users["clerk_xichang"]).post("/api/v1/recompute/")
    assert assert_error_shape(clerk_recompute, 403)["message"] == "只有州级管理员可以执行此操作。"
    nested = client.post("/api/v1/figures/bulk/", {"action": "approve", "ids": [1, "x"]}, format="json")
    assert list(assert_error_shape(nested, 400)["errors"]) == ["ids.1"]


def test_errors_are_chinese_by_default_and_english_on_request(official, users):
    zh = assert_error_shape(api_for(official).get("/api/v1/figures/abc/"), 404)
    en = assert_error_shape(api_for(official).get("/api/v1/figures/abc/", **EN), 404)
    assert "接口" in zh["message"] and en["message"].startswith("No such API path")

    limit_zh = assert_error_shape(api_for(official).get("/api/v1/figures/?limit=0"), 400)
    limit_en = assert_error_shape(api_for(official).get("/api/v1/figures/?limit=0", **EN), 400)
    assert "整数" in limit_zh["errors"]["limit"][0] and "whole number" in limit_en["errors"]["limit"][0]

    boolean = assert_error_shape(api_for(official).get("/api/v1/progress/?overdue=x", **EN), 400)
    assert boolean["errors"]["overdue"] == ["Enter true or false."]
    denied = assert_error_shape(api_for(users["clerk_xichang"]).post("/api/v1/recompute/", **EN), 403)
    assert denied["message"] == "Only prefecture officials may do this."
    drf_own = assert_error_shape(api_for(official).get("/api/v1/counties/999999/", **EN), 404)
    assert drf_own["message"] == "No County matches the given query."


def test_the_upload_refusal_has_the_report_shape(official, clerk_xichang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.csv", b"code,value\n", content_type="text/csv")
    response = api_for(official).post("/api/v1/figures/upload/", {"file": upload, "year": 2025},
                                      format="multipart")
    assert response.status_code == 403
    body = response.json()
    report_keys = {"ok", "message", "filename", "county", "year", "created", "updated", "unchanged", "blank",
                   "changes", "errors", "warnings"}
    assert set(body) == report_keys and body["ok"] is False and "本县" in body["message"]
    assert body["errors"][0]["message"] == body["message"] and body["errors"][0]["row"] is None

    missing = api_for(clerk_xichang).post("/api/v1/figures/upload/", {"year": 2025}, format="multipart")
    assert missing.status_code == 400
    assert set(missing.json()) == report_keys and missing.json()["errors"][0]["field"] == "file"


# ── the schema says what the API answers ────────────────────────────────────────────────────────────────────

def test_target_counties_is_a_nullable_array(official):
    spec = schema(api_for(official))
    counties = spec["components"]["schemas"]["Target"]["properties"]["counties"]
    assert counties["type"] == "array" and counties["nullable"] is True
    targets = api_for(official).get("/api/v1/indicators/PRE-01/").json()["targets"]
    assert targets and all(t["counties"] is None or isinstance(t["counties"], list) for t in targets)


def test_every_operation_documents_its_errors_in_the_error_shape(official):
    spec = schema(api_for(official))
    error_ref = {"$ref": "#/components/schemas/Error"}
    assert set(spec["components"]["schemas"]["Error"]["required"]) == {"message", "errors"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            names = {p["in"] for p in operation.get("parameters", [])}
            expected = set()
            if "path" in names:
                expected.add("404")
            if method in ("post", "patch") or "query" in names:
                expected.add("400")
            if path != "/api/v1/auth/token/":
                expected |= {"401", "403"}
            assert expected <= set(responses), (method, path, sorted(responses))
            for code in expected:
                content = responses[code].get("content", {}).get("application/json", {})
                assert content.get("schema"), (method, path, code)
    token = spec["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert token["400"]["content"]["application/json"]["schema"] == error_ref and "429" in token
    assert not any("{" not in p and "[" in p for p in spec["paths"])  # the catch-all is no operation


# ── numbers no database integer holds are refused or match nothing, never a server error ────────────────────

HUGE = str(10**30)


@pytest.mark.parametrize(("method", "url", "data"), [
    ("get", f"/api/v1/figures/?year={HUGE}", None),
    ("get", f"/api/v1/progress/?year=-{HUGE}", None),
    ("get", f"/api/v1/evaluation/?target_year={HUGE}", None),
    ("get", f"/api/v1/indicators/?task={HUGE}", None),
    ("get", f"/api/v1/figures/{HUGE}/", None),
    ("get", f"/api/v1/figures/{HUGE}/history/", None),
    ("get", f"/api/v1/progress/{HUGE}/", None),
    ("get", f"/api/v1/evaluation/{HUGE}/", None),
    ("get", f"/api/v1/figures/template.csv?year={HUGE}", None),
    ("post", f"/api/v1/figures/{HUGE}/approve/", {"version": 10**30}),
    ("post", "/api/v1/figures/bulk/", {"action": "approve", "ids": [10**30, -(10**30)]}),
    ("post", "/api/v1/figures/bulk/", {"action": "approve", "ids": [1], "versions": {"1": 10**30}}),
    ("post", "/api/v1/figures/", {"county": XICHANG, "indicator": COUNT, "year": 10**30, "value": 1}),
    ("post", "/api/v1/figures/", {"county": XICHANG, "indicator": COUNT, "year": 2025, "value": 10**30}),
])
def test_huge_numbers_are_no_server_error(official, method, url, data):
    response = getattr(api_for(official), method)(url, data, format="json") if data else api_for(official).get(url)
    assert response.status_code < 500 and response["Content-Type"].startswith(("application/json", "text/csv"))


def test_the_reports_api_documents_its_files_the_async_202_and_its_errors(official):
    spec = schema(api_for(official))
    media = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv",
             "pdf": "application/pdf"}
    for path, formats in (("progress", ("xlsx", "csv", "pdf")), ("evaluation", ("xlsx", "csv", "pdf")),
                          ("history", ("xlsx", "csv"))):
        responses = spec["paths"][f"/api/v1/reports/{path}/"]["get"]["responses"]
        assert set(responses["200"]["content"]) == {media[f] for f in formats}, path
        assert all(c["schema"] == {"type": "string", "format": "binary"} for c in responses["200"]["content"].values())
        assert responses["202"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ExportRecord"}
        for code in ("400", "401", "403"):
            assert responses[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    verify = spec["paths"]["/api/v1/reports/verify/"]["post"]
    assert "multipart/form-data" in verify["requestBody"]["content"]
    assert {"200", "400", "413"} <= set(verify["responses"])
    assert verify["responses"]["413"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_a_refused_report_has_the_error_shape_whatever_format_says(official, clerk_xichang):
    body = api_for(clerk_xichang).get("/api/v1/reports/progress/", {"county": "513431", "format": "pdf"}).json()
    assert set(body) == {"message", "errors"} and "本县" in body["message"]
    response = api_for(official).get("/api/v1/reports/history/", {"format": "pdf"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert set(response.json()) == {"message", "errors"}
