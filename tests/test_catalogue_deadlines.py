"""Deadlines the plans do not give (issue 14 item 6): one policy — the end of the cycle, marked as an assumed
deadline — applied to every plan; an auditor lists them (admin filter, API field) and pages flag them."""
from __future__ import annotations

import pytest

from indicators import catalogue

REVIEWED = {"PRE-09", "PRE-17", "CMP-47", "CMP-48", "HS-10", "HS-15", "HS-31", "HS-40", "HS-41", "HS-47", "HS-50",
            "HS-52", "VOC-02", "VOC-03", "VOC-35", "VOC-37"}
UNDATED_ONE_OFFS = {"RES-03", "RES-08", "RES-23", "RES-24", "RES-25", "RES-34", "RES-35", "RES-36", "RES-38",
                    "RES-43", "ASM-03", "TCH-17"}


def test_every_undated_target_is_the_end_of_the_cycle_and_flagged():
    cat = catalogue.read_files()
    assumed = {i["code"]: [t["year"] for t in i["targets"] if t.get("assumed_deadline")]
               for d in cat.plans for i in d.get("indicators") or [] if any(
                   t.get("assumed_deadline") for t in i["targets"])}
    assert set(assumed) == REVIEWED | UNDATED_ONE_OFFS
    assert all(years == [2025] for years in assumed.values())


def test_check_refuses_an_assumed_deadline_without_a_year():
    cat = catalogue.read_files()
    ind = next(i for d in cat.plans for i in d.get("indicators") or [] if i["code"] == "HS-15")
    ind["targets"][0]["year"] = None
    assert any("HS-15" in p and "assumed deadline needs its year" in p for p in catalogue.check(cat))


@pytest.mark.django_db
def test_an_auditor_lists_the_assumed_deadlines_in_the_api(auditor):
    from tests.conftest import api_for

    api, data, url = api_for(auditor), [], "/api/v1/indicators/"
    while url:
        page = api.get(url).json()
        data += page["results"] if isinstance(page, dict) else page
        url = page.get("next") if isinstance(page, dict) else None
    flagged = {i["code"] for i in data if any(t["assumed_deadline"] for t in i["targets"])}
    assert flagged == REVIEWED | UNDATED_ONE_OFFS


@pytest.mark.django_db
def test_the_admin_filters_targets_by_assumed_deadline(admin_user):
    from tests.conftest import client_for

    page = client_for(admin_user).get("/admin/indicators/target/", {"assumed_deadline__exact": "1"})
    text = page.content.decode()
    assert "HS-40" in text and "PRE-01" not in text


@pytest.mark.django_db
def test_the_indicator_page_flags_the_assumed_deadline(auditor):
    from tests.conftest import client_for

    text = client_for(auditor).get("/indicators/HS-40/").content.decode()
    assert "2025（推定期限）" in text
