"""The figures API (DESIGN §6): who may do what, and the workflow rules as the API shows them.

The permission matrix comes first: every endpoint × every role, with the exact status code, on a figure of
西昌市 in the state the endpoint acts on. ``clerk_xichang`` owns the figure, ``clerk_zhaojue`` is the
outsider (the figure is invisible to him: 404), ``official`` reviews, ``auditor`` only reads.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from assessment.models import Progress
from counties import services
from places.models import County
from counties.models import Figure
from indicators.models import Indicator
from tests.conftest import api_for

pytestmark = pytest.mark.django_db

XICHANG, ZHAOJUE = "513401", "513431"
YEAR = 2025
RATE, COUNT, MILESTONE = "PRE-02", "PRE-11", "PRE-04"  # 普惠性幼儿园覆盖率, 村级幼教点数, 普及普惠督导评估认定
ROLES = ["anonymous", "clerk_xichang", "clerk_zhaojue", "official", "auditor", "admin", "leader_xichang",
         "leader_zhaojue"]


def make_figure(users, state: str = "draft", code: str = RATE, year: int = YEAR, **values) -> Figure:
    """A 西昌 figure brought to ``state`` through the real workflow."""
    clerk, official = users["clerk_xichang"], users["official"]
    values = values or {"numerator": 90, "denominator": 100}
    figure = services.save_draft(clerk, County.objects.get(code=XICHANG), Indicator.objects.get(code=code), year,
                                 **values).figure
    if state in ("submitted", "approved", "returned"):
        figure = services.submit(clerk, figure)
    if state == "approved":
        figure = services.approve(official, figure)
    if state == "returned":
        figure = services.return_figure(official, figure, "分母与学籍系统不一致")
    figure.refresh_from_db()
    assert figure.status == state
    return figure


def client_as(users, role: str) -> APIClient:
    return api_for(None if role == "anonymous" else users[role])


def url(figure: Figure | None = None, action: str = "") -> str:
    base = "/api/v1/figures/"
    if figure is not None:
        base += f"{figure.pk}/"
    return base + (f"{action}/" if action else "")


# ── the permission matrix ────────────────────────────────────────────────────────────────────────────────────

def _create(client, figure):
    return client.post(url(), {"county": XICHANG, "indicator": RATE, "year": YEAR, "numerator": 90,
                               "denominator": 100}, format="json")


REQUESTS = {
    "list": lambda c, f: c.get(url()),
    "retrieve": lambda c, f: c.get(url(f)),
    "create": _create,
    "patch": lambda c, f: c.patch(url(f), {"version": f.version, "numerator": 95, "denominator": 100}, format="json"),
    "put": lambda c, f: c.put(url(f), {"version": f.version, "numerator": 95, "denominator": 100}, format="json"),
    "delete": lambda c, f: c.delete(url(f)),
    "submit": lambda c, f: c.post(url(f, "submit"), {}, format="json"),
    "approve": lambda c, f: c.post(url(f, "approve"), {}, format="json"),
    "return": lambda c, f: c.post(url(f, "return"), {"reason": "分母有误"}, format="json"),
    "reopen": lambda c, f: c.post(url(f, "reopen"), {"reason": "发现录入错误"}, format="json"),
    "bulk_submit": lambda c, f: c.post(url(None, "bulk"), {"action": "submit", "ids": [f.pk]}, format="json"),
    "bulk_approve": lambda c, f: c.post(url(None, "bulk"), {"action": "approve", "ids": [f.pk]}, format="json"),
    "bulk_return": lambda c, f: c.post(url(None, "bulk"), {"action": "return", "ids": [f.pk], "reason": "分母有误"},
                                       format="json"),
    "history": lambda c, f: c.get(url(f, "history")),
}

# endpoint: (state of the 西昌 figure, then the status for each role in ROLES order)
MATRIX = {
    # Only officials review (DESIGN §2: nobody but an official approves), not administrators; a county's leader
    # (l_xc, l_zj) reads its county's figures and changes nothing.
    #                state         anon  c_xc  c_zj  off   aud   admin l_xc  l_zj
    "list":         ("draft",      401,  200,  200,  200,  200,  200,  200,  200),
    "retrieve":     ("draft",      401,  200,  404,  200,  200,  200,  200,  404),
    "create":       (None,         401,  201,  403,  403,  403,  403,  403,  403),
    "patch":        ("draft",      401,  200,  404,  403,  403,  403,  403,  404),
    "put":          ("draft",      401,  405,  405,  405,  405,  405,  405,  405),
    "delete":       ("draft",      401,  405,  405,  405,  405,  405,  405,  405),
    "submit":       ("draft",      401,  200,  404,  403,  403,  403,  403,  404),
    "approve":      ("submitted",  401,  403,  404,  200,  403,  403,  403,  404),
    "return":       ("submitted",  401,  403,  404,  200,  403,  403,  403,  404),
    "reopen":       ("approved",   401,  403,  404,  200,  403,  403,  403,  404),
    "bulk_submit":  ("draft",      401,  200,  404,  403,  403,  403,  403,  404),
    "bulk_approve": ("submitted",  401,  403,  404,  200,  403,  403,  403,  404),
    "bulk_return":  ("submitted",  401,  403,  404,  200,  403,  403,  403,  404),
    "history":      ("draft",      401,  200,  404,  200,  200,  200,  200,  404),
}
CASES = [(endpoint, role, row[1 + i]) for endpoint, row in MATRIX.items() for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES, ids=[f"{e}-{r}" for e, r, _ in CASES])
def test_permission_matrix(users, endpoint, role, expected):
    # given a 西昌 figure in the state the endpoint acts on
    state = MATRIX[endpoint][0]
    figure = make_figure(users, state) if state else None
    before = Figure.objects.get(pk=figure.pk) if figure else None

    # when
    response = REQUESTS[endpoint](client_as(users, role), figure)

    # then the exact status, an actionable message on every error, and nothing changed by a refused request
    assert response.status_code == expected, response.content.decode()
    if expected >= 400:
        assert response.json()["message"]
        if figure is not None:
            after = Figure.objects.get(pk=figure.pk)
            assert (after.status, after.version, after.value) == (before.status, before.version, before.value)
        else:
            assert not Figure.objects.exists()


def test_user_without_a_role_is_refused(db):
    nobody = get_user_model().objects.create_user("nobody", password="x")
    response = api_for(nobody).get(url())
    assert response.status_code == 403
    assert "角色" in response.json()["message"]


def test_outsider_never_sees_xichang_in_the_list(users):
    make_figure(users, "approved")
    assert api_for(users["clerk_zhaojue"]).get(url()).json()["results"] == []
    assert len(api_for(users["clerk_xichang"]).get(url()).json()["results"]) == 1
    assert len(api_for(users["auditor"]).get(url()).json()["results"]) == 1


def test_outsider_bulk_refusal_does_not_reveal_the_figure(users):
    figure = make_figure(users, "draft")
    body = api_for(users["clerk_zhaojue"]).post(url(None, "bulk"), {"action": "submit", "ids": [figure.pk]},
                                                format="json").json()
    assert body["done"] == []
    [refusal] = body["refused"]
    assert refusal["id"] == figure.pk and refusal["status"] == 404
    assert "西昌" not in refusal["message"] and "PRE" not in refusal["message"]


# ── behaviour ────────────────────────────────────────────────────────────────────────────────────────────────

def test_create_returns_the_figure_with_fixed_field_names(users):
    response = api_for(users["clerk_xichang"]).post(url(), {
        "county": XICHANG, "indicator": RATE, "year": YEAR, "numerator": 45, "denominator": 50, "note": "来自学籍系统",
    }, format="json")

    assert response.status_code == 201, response.content.decode()
    body = response.json()
    for name in ["id", "county", "indicator", "year", "value", "numerator", "denominator", "note", "status",
                 "version"]:
        assert name in body
    assert (body["county"], body["indicator"], body["year"], body["status"], body["version"]) == (
        XICHANG, RATE, YEAR, "draft", 1)
    assert response["Location"].endswith(f"/api/v1/figures/{body['id']}/")


def test_rate_value_is_derived_from_numerator_and_denominator(users):
    body = api_for(users["clerk_xichang"]).post(url(), {
        "county": XICHANG, "indicator": RATE, "year": YEAR, "numerator": 45, "denominator": 50}, format="json").json()

    # percentages are numbers of percent; both parts are kept
    assert body["value"] == 90
    assert (body["numerator"], body["denominator"]) == (45, 50)
    assert body["unit"] == "%" and body["kind"] == "rate"
    assert Figure.objects.get(pk=body["id"]).value == Decimal("90")


def test_numerator_above_denominator_is_refused_with_the_reason(users):
    response = api_for(users["clerk_xichang"]).post(url(), {
        "county": XICHANG, "indicator": RATE, "year": YEAR, "numerator": 120, "denominator": 100}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert "分子（120）不能大于分母（100）" in body["message"]
    assert "分子（120）不能大于分母（100）" in body["errors"]["numerator"][0]
    assert not Figure.objects.exists()


def test_missing_numerator_is_refused(users):
    response = api_for(users["clerk_xichang"]).post(url(), {
        "county": XICHANG, "indicator": RATE, "year": YEAR, "denominator": 100}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["numerator"] == ["分子和分母须同时填写。"]


def test_negative_count_is_refused(users):
    response = api_for(users["clerk_xichang"]).post(url(), {
        "county": XICHANG, "indicator": COUNT, "year": YEAR, "value": -3}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["value"] == ["数值不能为负数。"]


def test_text_where_a_number_belongs_is_refused_in_chinese(users):
    response = api_for(users["clerk_xichang"]).post(url(), {
        "county": XICHANG, "indicator": COUNT, "year": YEAR, "value": "十二"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["value"] == ["“十二”不是数字。"]


def test_milestone_done_without_a_date_is_refused(users):
    client = api_for(users["clerk_xichang"])
    response = client.post(url(), {"county": XICHANG, "indicator": MILESTONE, "year": YEAR, "value": 1},
                           format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["done_on"] == ["已完成的节点任务须填写完成日期。"]

    response = client.post(url(), {"county": XICHANG, "indicator": MILESTONE, "year": YEAR, "value": 1,
                                   "done_on": "2025-06-30"}, format="json")
    assert response.status_code == 201
    assert (response.json()["value"], response.json()["done_on"]) == (1, "2025-06-30")


def test_unknown_codes_are_refused(users):
    client = api_for(users["clerk_xichang"])
    response = client.post(url(), {"county": "999999", "indicator": RATE, "year": YEAR}, format="json")
    assert response.status_code == 400 and "999999" in response.json()["errors"]["county"][0]
    response = client.post(url(), {"county": XICHANG, "indicator": "NOPE-1", "year": YEAR}, format="json")
    assert response.status_code == 400 and "NOPE-1" in response.json()["errors"]["indicator"][0]


def test_clerk_cannot_create_for_another_county(users):
    response = api_for(users["clerk_xichang"]).post(url(), {
        "county": ZHAOJUE, "indicator": RATE, "year": YEAR, "numerator": 1, "denominator": 2}, format="json")
    assert response.status_code == 403
    assert "本县" in response.json()["message"]
    assert not Figure.objects.exists()


def test_creating_a_figure_that_exists_is_refused_and_shows_it(users):
    figure = make_figure(users, "draft")
    response = _create(api_for(users["clerk_xichang"]), None)
    assert response.status_code == 409
    assert response.json()["current"]["id"] == figure.pk


def test_patch_edits_a_draft_and_bumps_the_version(users):
    figure = make_figure(users, "draft")
    response = api_for(users["clerk_xichang"]).patch(url(figure), {"version": figure.version, "numerator": 95},
                                                     format="json")
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["numerator"], body["denominator"], body["value"]) == (95, 100, 95)
    assert body["version"] == figure.version + 1


def test_patch_needs_the_version_read(users):
    figure = make_figure(users, "draft")
    response = api_for(users["clerk_xichang"]).patch(url(figure), {"numerator": 95}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_patch_cannot_move_a_figure_to_another_year(users):
    figure = make_figure(users, "draft")
    response = api_for(users["clerk_xichang"]).patch(url(figure), {"version": figure.version, "year": 2024},
                                                     format="json")
    assert response.status_code == 400
    assert "year" in response.json()["errors"]


def test_stale_patch_is_refused_and_shows_the_newer_value(users, colleague_xichang):
    # given the clerk read version 1, and a colleague saved 95 since
    figure = make_figure(users, "draft")
    read_version = figure.version
    services.save_draft(colleague_xichang, figure.county, figure.indicator, YEAR, numerator=95, denominator=100)

    # when the clerk saves an edit based on what they read
    response = api_for(users["clerk_xichang"]).patch(url(figure), {"version": read_version, "numerator": 80},
                                                     format="json")

    # then it is refused, never merged, and the body shows the newer figure
    assert response.status_code == 409
    body = response.json()
    assert "95" in body["message"]
    assert body["current"]["value"] == 95 and body["current"]["version"] == read_version + 1
    assert Figure.objects.get(pk=figure.pk).value == Decimal("95")


def test_patch_of_a_submitted_figure_is_a_conflict(users):
    figure = make_figure(users, "submitted")
    response = api_for(users["clerk_xichang"]).patch(url(figure), {"version": figure.version, "numerator": 80},
                                                     format="json")
    assert response.status_code == 409
    assert "不能修改" in response.json()["message"]


def test_locked_year_is_a_conflict(users):
    figure = make_figure(users, "draft")
    services.lock_year(users["official"], YEAR)
    response = api_for(users["clerk_xichang"]).patch(url(figure), {"version": figure.version, "numerator": 80},
                                                     format="json")
    assert response.status_code == 409
    assert "锁定" in response.json()["message"]


def test_year_in_the_future_is_invalid(users):
    response = api_for(users["clerk_xichang"]).post(url(), {
        "county": XICHANG, "indicator": COUNT, "year": 2099, "value": 3}, format="json")
    assert response.status_code == 400
    assert "2099" in response.json()["message"]


def test_submit_then_approve_return_the_figure_after_each_transition(users):
    figure = make_figure(users, "draft")
    body = api_for(users["clerk_xichang"]).post(url(figure, "submit"), {"version": figure.version},
                                                format="json").json()
    assert body["status"] == "submitted" and body["submitted_at"]
    body = api_for(users["official"]).post(url(figure, "approve"), {"version": body["version"]},
                                           format="json").json()
    assert body["status"] == "approved" and body["approved_at"]


def test_stale_version_on_a_transition_is_a_conflict(users):
    figure = make_figure(users, "submitted")
    response = api_for(users["official"]).post(url(figure, "approve"), {"version": figure.version - 1},
                                               format="json")
    assert response.status_code == 409
    assert response.json()["current"]["status"] == "submitted"


def test_approving_a_draft_is_a_conflict(users):
    figure = make_figure(users, "draft")
    response = api_for(users["official"]).post(url(figure, "approve"), {}, format="json")
    assert response.status_code == 409
    assert "已提交" in response.json()["message"]
    assert Figure.objects.get(pk=figure.pk).status == "draft"


def test_return_needs_a_reason(users):
    figure = make_figure(users, "submitted")
    response = api_for(users["official"]).post(url(figure, "return"), {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["reason"] == ["退回时必须填写原因。"]


def test_returned_figure_shows_the_reason_to_the_clerk(users):
    figure = make_figure(users, "submitted")
    api_for(users["official"]).post(url(figure, "return"), {"reason": "分母应为在园幼儿总数"}, format="json")

    body = api_for(users["clerk_xichang"]).get(url(figure)).json()
    assert body["status"] == "returned"
    assert body["return_reason"] == "分母应为在园幼儿总数"


def test_returned_figure_can_be_edited_and_submitted_again(users):
    figure = make_figure(users, "returned")
    client = api_for(users["clerk_xichang"])
    body = client.patch(url(figure), {"version": figure.version, "denominator": 120}, format="json").json()
    assert body["status"] == "returned" and body["value"] == 75
    assert client.post(url(figure, "submit"), {}, format="json").json()["status"] == "submitted"


def test_reopen_needs_a_reason_and_returns_the_figure_to_the_county(users):
    figure = make_figure(users, "approved")
    client = api_for(users["official"])
    assert client.post(url(figure, "reopen"), {}, format="json").status_code == 400
    body = client.post(url(figure, "reopen"), {"reason": "审计发现分母有误"}, format="json").json()
    assert (body["status"], body["return_reason"]) == ("returned", "审计发现分母有误")


def test_approval_recomputes_progress(users, django_capture_on_commit_callbacks):
    figure = make_figure(users, "submitted")
    assert not Progress.objects.filter(area=XICHANG, indicator=figure.indicator).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(users["official"]).post(url(figure, "approve"), {}, format="json")

    assert response.status_code == 200
    assert Progress.objects.filter(area=XICHANG, indicator=figure.indicator, year=YEAR).exists()


def test_bulk_approve_reports_each_refusal(users):
    submitted = make_figure(users, "submitted")
    draft = make_figure(users, "draft", code=COUNT, value=3)

    response = api_for(users["official"]).post(url(None, "bulk"), {
        "action": "approve", "ids": [submitted.pk, draft.pk, 987654]}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert [f["id"] for f in body["done"]] == [submitted.pk]
    assert body["done"][0]["status"] == "approved"
    refused = {r["id"]: r for r in body["refused"]}
    assert refused[draft.pk]["status"] == 409 and "已提交" in refused[draft.pk]["message"]
    assert refused[987654]["status"] == 404


def test_bulk_return_without_reason_is_refused(users):
    figure = make_figure(users, "submitted")
    response = api_for(users["official"]).post(url(None, "bulk"), {"action": "return", "ids": [figure.pk]},
                                               format="json")
    assert response.status_code == 400
    assert Figure.objects.get(pk=figure.pk).status == "submitted"


def test_bulk_rejects_an_unknown_action(users):
    response = api_for(users["official"]).post(url(None, "bulk"), {"action": "delete", "ids": [1]}, format="json")
    assert response.status_code == 400
    assert "action" in response.json()["errors"]


def test_history_shows_who_when_what_and_why(users):
    figure = make_figure(users, "returned")

    entries = api_for(users["auditor"]).get(url(figure, "history")).json()

    # newest first: returned (with the official's reason), submitted, created
    assert [e["user"] for e in entries] == ["official", "clerk_xichang", "clerk_xichang"]
    latest = entries[0]
    assert latest["reason"] == "退回：分母与学籍系统不一致" and latest["date"]
    changes = {c["field"]: c for c in latest["changes"]}
    assert (changes["status"]["old"], changes["status"]["new"]) == ("submitted", "returned")
    assert changes["return_reason"]["new"] == "分母与学籍系统不一致"
    created = entries[-1]
    assert created["type"] == "+"
    assert {c["field"]: c["new"] for c in created["changes"]}["numerator"] == 90


def test_history_records_an_api_edit(users):
    figure = make_figure(users, "draft")
    api_for(users["clerk_xichang"]).patch(url(figure), {"version": figure.version, "numerator": 95}, format="json")
    [latest, *_] = api_for(users["clerk_xichang"]).get(url(figure, "history")).json()
    changes = {c["field"]: (c["old"], c["new"]) for c in latest["changes"]}
    assert changes["numerator"] == (90, 95) and changes["value"] == (90, 95)
    assert latest["user"] == "clerk_xichang"


def test_filters(users):
    rate = make_figure(users, "approved")
    count = make_figure(users, "draft", code=COUNT, value=3)
    client = api_for(users["official"])

    def ids(query):
        return sorted(f["id"] for f in client.get(url() + query).json()["results"])

    assert ids(f"?county={XICHANG}") == sorted([rate.pk, count.pk])
    assert ids(f"?county={ZHAOJUE}") == []
    assert ids(f"?indicator={COUNT}") == [count.pk]
    assert ids("?status=approved") == [rate.pk]
    assert ids(f"?year={YEAR}&plan=preschool") == sorted([rate.pk, count.pk])
    assert ids("?plan=teachers") == []
    assert ids(f"?year={YEAR - 1}") == []
    assert client.get(url() + "?status=bogus").status_code == 400


def test_token_auth(users):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "clerk_xichang", "password": "liangshan2025"},
                           format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(url(), {"county": XICHANG, "indicator": COUNT, "year": YEAR, "value": 4}, format="json")
    assert response.status_code == 201
    assert Figure.objects.get(pk=response.json()["id"]).history.first().history_user.username == "clerk_xichang"


def test_list_query_count_does_not_grow_with_the_figures(users, django_assert_num_queries):
    clerk = users["clerk_xichang"]
    make_figure(users, "draft")

    def fresh_client():  # a fresh user object for each request, as with real authentication (no cached role)
        return api_for(get_user_model().objects.get(pk=clerk.pk))

    # role (groups), county (profile, county), count, page
    client = fresh_client()
    with django_assert_num_queries(5):
        assert len(client.get(url()).json()["results"]) == 1

    county = County.objects.get(code=XICHANG)
    for ind in Indicator.objects.filter(kind="count", level="county", retired=False)[:15]:
        services.save_draft(clerk, county, ind, YEAR, value=5)

    client = fresh_client()
    with django_assert_num_queries(5):
        assert len(client.get(url()).json()["results"]) > 10


def test_schema_documents_the_figure_endpoints_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    ours = [w for w in GENERATOR_STATS._warn_cache if "Figure" in w or "counties/api" in w]
    errors = list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()

    assert ours == [] and errors == []
    for path in ["/api/v1/figures/", "/api/v1/figures/{id}/", "/api/v1/figures/{id}/submit/",
                 "/api/v1/figures/{id}/approve/", "/api/v1/figures/{id}/return/", "/api/v1/figures/{id}/reopen/",
                 "/api/v1/figures/{id}/history/", "/api/v1/figures/bulk/"]:
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/v1/figures/{id}/"]) == {"get", "patch"}


def test_bulk_refuses_figures_changed_since_they_were_read(users):
    figure = make_figure(users, "submitted")
    body = api_for(users["official"]).post(url(None, "bulk"), {
        "action": "approve", "ids": [figure.pk], "versions": {str(figure.pk): figure.version - 1}}, format="json")
    assert body.status_code == 409
    assert body.json()["refused"][0]["status"] == 409
    assert Figure.objects.get(pk=figure.pk).status == "submitted"


def test_not_found_is_explained_in_chinese(users):
    figure = make_figure(users, "draft")
    response = api_for(users["clerk_zhaojue"]).get(url(figure))
    assert response.status_code == 404
    assert response.json()["message"] == "该数据不存在，或您无权查看。"
