"""Permission checks whose deletion used to leave the whole suite green (issue 15, item 6).

Each test here fails when one check is deleted:

- the clerk scoping in ``assessment.queries.progress_visible_to`` (a clerk sees their county and the prefecture
  only, through ``/api/v1/progress/`` and the query itself);
- ``RecomputeViewSet.permission_classes = [IsOfficial]`` (clerks and auditors get 403 on POST and on GET of the
  job list; without it DRF's default ``IsAuthenticated`` lets every signed-in user in);
- the reviewer check of ``counties.services.set_deadline`` (only an official sets a reporting deadline, even
  when the service is called directly).
"""
from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from assessment.choices import PREFECTURE
from assessment.models import Progress, RecomputeJob
from assessment.queries import progress_visible_to
from counties import services
from counties.errors import NotAllowed
from counties.models import ReportingYear
from indicators.models import Indicator
from liangshan_edu import roles
from tests.conftest import api_for

pytestmark = pytest.mark.django_db

XICHANG, ZHAOJUE, HUILI = "513401", "513431", "513402"
YEAR = 2024


@pytest.fixture
def progress_rows():
    """One progress row for each of three counties and the prefecture, on one indicator and year."""
    indicator = Indicator.objects.filter(kind="count").order_by("code").first()
    for area in (XICHANG, ZHAOJUE, HUILI, PREFECTURE):
        Progress.objects.create(area=area, indicator=indicator, year=YEAR, status="on_track")
    return indicator


def _areas(response) -> set[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["county"] for row in rows}


# ------------------------------------------------------------------ progress_visible_to: the clerk's scope --


def test_a_clerk_sees_only_their_county_and_the_prefecture_through_the_api(progress_rows, clerk_xichang,
                                                                           clerk_zhaojue):
    url = f"/api/v1/progress/?indicator={progress_rows.code}&year={YEAR}"
    assert _areas(api_for(clerk_xichang).get(url)) == {XICHANG, PREFECTURE}
    assert _areas(api_for(clerk_zhaojue).get(url)) == {ZHAOJUE, PREFECTURE}


def test_a_clerk_cannot_filter_their_way_into_another_county(progress_rows, clerk_xichang):
    url = f"/api/v1/progress/?indicator={progress_rows.code}&year={YEAR}&county={ZHAOJUE}"
    assert _areas(api_for(clerk_xichang).get(url)) == set()


def test_readers_of_everything_see_every_area(progress_rows, official, auditor, admin_user):
    url = f"/api/v1/progress/?indicator={progress_rows.code}&year={YEAR}"
    for user in (official, auditor, admin_user):
        assert _areas(api_for(user).get(url)) == {XICHANG, ZHAOJUE, HUILI, PREFECTURE}, user.username


def test_the_query_itself_scopes_a_clerk(progress_rows, clerk_xichang):
    areas = set(progress_visible_to(clerk_xichang).filter(indicator=progress_rows, year=YEAR)
                .values_list("area", flat=True))
    assert areas == {XICHANG, PREFECTURE}


def test_a_clerk_without_a_county_sees_nothing(progress_rows):
    from django.contrib.auth.models import Group

    orphan = get_user_model().objects.create_user("clerk_without_county", password="x")
    orphan.groups.add(Group.objects.get(name=roles.CLERK))
    assert roles.role_of(orphan) == roles.CLERK and roles.county_of(orphan) is None
    assert not progress_visible_to(orphan).exists()
    assert _areas(api_for(orphan).get(f"/api/v1/progress/?indicator={progress_rows.code}")) == set()


# ------------------------------------------------------------ RecomputeViewSet: officials only (IsOfficial) --


@pytest.mark.parametrize("who", ["clerk_xichang", "auditor"])
def test_only_officials_start_a_recompute(users, who):
    response = api_for(users[who]).post("/api/v1/recompute/", {}, format="json")
    assert response.status_code == 403, response.content
    assert not RecomputeJob.objects.exists()


@pytest.mark.parametrize("who", ["clerk_xichang", "auditor"])
def test_only_officials_list_and_read_recompute_jobs(users, who):
    job = RecomputeJob.objects.create(scope="all", requested_by=users["official"])
    client = api_for(users[who])
    assert client.get("/api/v1/recompute/").status_code == 403
    assert client.get(f"/api/v1/recompute/{job.pk}/").status_code == 403


def test_an_official_starts_and_polls_a_recompute(official):
    client = api_for(official)
    response = client.post("/api/v1/recompute/", {}, format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert client.get(f"/api/v1/recompute/{job_id}/").json()["id"] == job_id
    assert client.get("/api/v1/recompute/").status_code == 200


# ---------------------------------------------------------------- services.set_deadline: reviewers only --


@pytest.mark.parametrize("who", ["clerk_xichang", "auditor", "admin"])
def test_only_an_official_sets_a_deadline_even_through_the_service(users, who):
    with pytest.raises(NotAllowed) as raised:
        services.set_deadline(users[who], YEAR, date(2025, 3, 31))
    assert "截止日期" in str(raised.value.message)
    assert not ReportingYear.objects.filter(year=YEAR).exists()


def test_an_official_sets_a_deadline(official):
    ry = services.set_deadline(official, YEAR, date(2025, 3, 31))
    assert ReportingYear.objects.get(year=YEAR).deadline == date(2025, 3, 31) == ry.deadline


def test_a_county_leader_sees_its_county_and_the_prefecture(progress_rows, users):
    url = f"/api/v1/progress/?indicator={progress_rows.code}&year={YEAR}"
    assert _areas(api_for(users["leader_zhaojue"]).get(url)) == {ZHAOJUE, PREFECTURE}
    assert set(progress_visible_to(users["leader_xichang"]).filter(indicator=progress_rows, year=YEAR)
               .values_list("area", flat=True)) == {XICHANG, PREFECTURE}


def test_a_county_leader_reads_its_county_figures_and_edits_none(users):
    from counties.models import Figure
    from places.models import County

    xichang = County.objects.get(code=XICHANG)
    draft = services.save_draft(users["clerk_xichang"], xichang, Indicator.objects.get(code="PRE-11"), YEAR,
                                value=3).figure
    leader = users["leader_xichang"]
    assert list(Figure.objects.visible_to(leader)) == [draft]
    assert not Figure.objects.editable_by(leader).exists()
    assert list(Figure.objects.editable_by(users["clerk_xichang"])) == [draft]
    assert not Figure.objects.visible_to(users["leader_zhaojue"]).exists()
