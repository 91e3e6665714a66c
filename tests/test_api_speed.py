"""The API lists stay cheap: their output pinned for a fixed fixture, fixed query counts, and conditional
requests (ETag / Last-Modified from the data version, 304, a cache invalidated on every change, never shared
between scopes).

The golden files under ``tests/golden/`` were written before the lists were made faster (rewrite them with
``UPDATE_GOLDEN=1`` only for an intended change of the output).
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest

from assessment.models import Evaluation, Progress
from assessment.services import recompute_all
from counties import services
from counties.models import County, Figure
from indicators.models import Indicator
from tests.conftest import api_for

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
XICHANG, ZHAOJUE = "513401", "513431"
FIXED = datetime(2026, 1, 5, 8, 30, tzinfo=timezone.utc)

# (name, user, url, language): each list as a reader and as a clerk, filtered as the benchmark asks for it.
LISTS = [
    ("progress_county_year", "official", f"/api/v1/progress/?county={XICHANG}&year=2024", "zh-hans"),
    ("progress_clerk", "clerk_xichang", "/api/v1/progress/?year=2024&plan=preschool", "zh-hans"),
    ("progress_second_page", "auditor", f"/api/v1/progress/?county={XICHANG}&year=2024&offset=150", "zh-hans"),
    ("evaluation_county", "official", f"/api/v1/evaluation/?county={XICHANG}", "zh-hans"),
    ("evaluation_clerk", "clerk_zhaojue", "/api/v1/evaluation/?plan=preschool", "zh-hans"),
    ("indicators_compulsory", "official", "/api/v1/indicators/?plan=compulsory", "zh-hans"),
    ("indicators_preschool_clerk", "clerk_xichang", "/api/v1/indicators/?plan=preschool", "zh-hans"),
    ("figures_official", "official", "/api/v1/figures/", "zh-hans"),
    ("figures_official_en", "official", "/api/v1/figures/?year=2024", "en"),
    ("figures_clerk", "clerk_zhaojue", "/api/v1/figures/", "zh-hans"),
    ("counties", "official", "/api/v1/counties/", "zh-hans"),
]


def _approved(county: str, code: str, year: int, **values) -> Figure:
    return Figure.objects.create(county=County.objects.get(code=county), indicator=Indicator.objects.get(code=code),
                                 year=year, status="approved", **values)


@pytest.fixture
def fixed_data(users):
    """Approved figures of 西昌 and 昭觉 over four years (rates, a count, a milestone), one figure approved
    through the workflow, one draft and one returned; progress recomputed; every timestamp fixed."""
    for year, (num, den) in zip(range(2021, 2025), [(800, 1000), (830, 1000), (861, 1000), (905, 1000)]):
        _approved(XICHANG, "PRE-01", year, value=D(num) / D(den) * 100, numerator=D(num), denominator=D(den))
        _approved(ZHAOJUE, "PRE-01", year, value=D(num - 200) / D(den) * 100, numerator=D(num - 200),
                  denominator=D(den))
        _approved(XICHANG, "PRE-11", year, value=D(40 - year + 2021))
    _approved(ZHAOJUE, "PRE-04", 2023, value=D(1), done_on="2023-06-30")
    clerk, official = users["clerk_xichang"], users["official"]
    xichang = County.objects.get(code=XICHANG)
    figure = services.save_draft(clerk, xichang, Indicator.objects.get(code="PRE-02"), 2024,
                                 numerator=88, denominator=100, note="样例").figure
    services.approve(official, services.submit(clerk, figure))
    draft = services.save_draft(users["clerk_zhaojue"], County.objects.get(code=ZHAOJUE),
                                Indicator.objects.get(code="PRE-02"), 2024, numerator=40, denominator=100).figure
    returned = services.save_draft(clerk, xichang, Indicator.objects.get(code="PRE-03"), 2024,
                                   numerator=30, denominator=100).figure
    services.return_figure(official, services.submit(clerk, returned), "分母与学籍系统不一致")
    assert draft.status == "draft"
    recompute_all()
    Progress.objects.update(computed_at=FIXED)
    Evaluation.objects.update(computed_at=FIXED)
    Figure.objects.update(created_at=FIXED, updated_at=FIXED, submitted_at=None)
    Figure.objects.filter(status="approved").update(approved_at=FIXED)
    return users


def _ranked_ids(body: dict) -> dict:
    """Row ids replaced by their rank: the database's sequences differ from run to run (PostgreSQL does not
    reset them), the order of the rows does not."""
    rows = body.get("results", body) if isinstance(body, dict) else body
    if rows and isinstance(rows, list) and "id" in rows[0]:
        rank = {i: n for n, i in enumerate(sorted(row["id"] for row in rows))}
        for row in rows:
            row["id"] = rank[row["id"]]
    return body


def _get(users, username: str, url: str, language: str, **headers):
    return api_for(users[username]).get(url, HTTP_ACCEPT_LANGUAGE=language, **headers)


@pytest.mark.parametrize("name, username, url, language", LISTS, ids=[entry[0] for entry in LISTS])
def test_list_output_is_pinned(fixed_data, name, username, url, language):
    response = _get(fixed_data, username, url, language)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = _ranked_ids(json.loads(response.content))
    path = GOLDEN / f"api_{name}.json"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    # The same fields in the same order, the same values and the same JSON types (92 stays a number).
    assert json.dumps(body, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
