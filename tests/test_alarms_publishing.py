"""The monthly bulletin shows the red/black lists, and the quarterly ranking ranks by the plan-8 assessment score
once one is published (issue 9): what the red/black and scoring apps register with ``alarms.publishing`` —
frozen into the publication, which never changes afterwards."""
from __future__ import annotations

import pytest

from alarms import publishing, rhythm
from alarms.models import Publication
from redblack import lists
from tests.conftest import client_for
from tests.redblack_data import default_rules  # noqa: F401 — the shipped list rules
from tests.test_scoring_redblack import published  # noqa: F401 — a published 2024 assessment

pytestmark = pytest.mark.django_db
BULLETIN, RANKING = Publication.Kind.BULLETIN, Publication.Kind.RANKING


def test_sections_are_frozen_in_order_and_empty_ones_left_out(monkeypatch):
    monkeypatch.setattr(publishing, "SECTIONS", {})
    publishing.register_bulletin_section("b", lambda p: publishing.Section(
        "乙", [publishing.Table("表", ["县市"], [("西昌市",)])]), order=20)
    publishing.register_bulletin_section("a", lambda p: publishing.Section("甲", notes=[p]), order=10)
    publishing.register_bulletin_section("none", lambda p: None, order=5)
    assert publishing.frozen_sections("2026-11") == [
        {"name": "a", "title": "甲", "notes": ["2026-11"], "tables": []},
        {"name": "b", "title": "乙", "notes": [], "tables": [{"caption": "表", "columns": ["县市"],
                                                                "rows": [["西昌市"]]}]}]


def test_the_bulletin_shows_the_lists_as_they_were_when_it_was_published(official, published, default_rules):  # noqa: F811
    assert rhythm.bulletin_content("2026-10")["sections"] == []  # no lists published yet
    first = lists.publish(official, "2026-Q3", 2025)
    bulletin, _made = rhythm.publish(BULLETIN, "2026-11", official)
    section = bulletin.content["sections"][0]
    assert (section["name"], section["title"]) == ("redblack", "红黑榜")
    red, black = section["tables"]
    assert (red["caption"], black["caption"]) == ("红榜", "黑榜")
    assert [r[0] for r in red["rows"]][:3] == [c.name for c in published[:3]]
    assert "第1版" in section["notes"][0]
    # The lists are corrected afterwards: the published bulletin does not change; a new version shows the new.
    gone = first.entries.filter(list="red").order_by("position").first()
    lists.correct(official, first, remove=[gone.pk], reason="核实后撤销")
    bulletin.refresh_from_db()
    assert bulletin.content["sections"][0]["tables"][0]["rows"] == red["rows"]
    html = client_for(official).get(f"/alarms/rhythm/publications/{bulletin.pk}/").content.decode()
    assert 'id="section-redblack"' in html and gone.county.name in html
    corrected = rhythm.correct(BULLETIN, "2026-11", official, "红黑榜已更正")
    assert gone.county.name not in [r[0] for r in corrected.content["sections"][0]["tables"][0]["rows"]]


def test_the_ranking_uses_the_assessment_score_once_published(official, published, monkeypatch):  # noqa: F811
    with monkeypatch.context() as m:  # the last quarter, ranked before the assessment was published
        m.setattr(publishing, "MEASURES", {})
        assert rhythm.publish(RANKING, "2026-Q2", official)[0].content["measure"] == "share"
    content = rhythm.ranking_content("2026-Q3")
    assert (content["measure"], content["unit"], content["basis"]) == ("assessment", "分", "2024年度考核（第1版）")
    assert content["measure_label"] == "年度考核得分"
    assert [r["code"] for r in content["rows"][:3]] == [c.code for c in published[:3]]
    assert content["rows"][0]["share"] == 100.0
    # The last quarter ranked by another measure: ranks move, but no trend arrow compares the two.
    assert content["comparable"] is False and {r["trend"] for r in content["rows"]} == {""}


def test_without_an_assessment_the_ranking_keeps_its_own_measure(official):
    content = rhythm.ranking_content("2026-Q3")
    assert (content["measure"], content["unit"], content["measure_label"]) == ("share", "%", "达标或正常推进占比")
    pub, _made = rhythm.publish(RANKING, "2026-Q3", official)
    html = client_for(official).get(f"/alarms/rhythm/publications/{pub.pk}/").content.decode()
    assert "达标或正常推进占比" in html
