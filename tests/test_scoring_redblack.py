"""The red/black lists' score rules (DESIGN §3), registered by scoring: the top and bottom three counties of the
latest published assessment, ties included, with a reason that names the year, the version, the score and the rank."""
from decimal import Decimal as D

import pytest

from places.models import County
from redblack import lists
from redblack.models import ListRule
from scoring import redblack_rules, services
from tests.redblack_data import default_rules  # noqa: F401 — the shipped list rules
from tests.test_scoring_services import YEAR, one_item_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(official):
    """A published 2024 assessment: the computed item has no progress (full 80 points) and county i (by code) gets
    20 − i hand points, except that the last four are tied at 7 (87.00)."""
    redblack_rules.ensure_rules(ListRule)
    _, _computed, hand, _inds = one_item_scheme()
    counties = list(County.objects.order_by("code"))
    for i, county in enumerate(counties):
        services.set_hand_score(official, hand, county, D(20) - D(min(i, 13)), "过程考核得分")
    services.publish(official, YEAR)
    return counties


def entries(preview, rule):
    return [c for c in preview.candidates if c.rule == rule]


def test_no_published_assessment_lists_nobody(official):
    redblack_rules.ensure_rules(ListRule)
    preview = lists.build(official, "2026-Q3", 2025)
    assert entries(preview, "red-assessment-top") == [] and entries(preview, "black-assessment-bottom") == []
    assert not preview.skipped  # the functions are registered


def test_top_three_red_and_bottom_three_black_with_ties(official, published):
    preview = lists.build(official, "2026-Q3", 2025)
    top = entries(preview, "red-assessment-top")
    assert [c.county.code for c in top] == [c.code for c in published[:3]]
    assert {c.list for c in top} == {"red"} and all(c.indicator is None for c in top)
    assert top[0].reason == "2024年度考核（第1版）得分 100.00，全州第1名"
    bottom = entries(preview, "black-assessment-bottom")
    # Four counties tied at 87.00 for the last places: all four are listed; the 13th (88.00) is not.
    assert sorted(c.county.code for c in bottom) == sorted(c.code for c in published[13:])
    assert {c.figures["score"] for c in bottom} == {"87.00"} and {c.figures["rank"] for c in bottom} == {14}
    assert all(c.reason.endswith("全州第14名（后3名）") for c in bottom) and {c.list for c in bottom} == {"black"}


def test_an_administrator_sets_how_many(official, published):
    ListRule.objects.filter(code="red-assessment-top").update(params={"count": 1})
    preview = lists.build(official, "2026-Q3", 2025)
    assert [c.county.code for c in entries(preview, "red-assessment-top")] == [published[0].code]
