"""On the demo data (figures 2021–2024 approved, progress recomputed, then the scoring demo: schools, their
2023/2024 scores, the published 2023 and 2024 assessments): every county's breakdown adds up to its score,
in the preview and in what was published; the scoring demo is idempotent. Made once for the module and rolled
back at its end."""
from decimal import Decimal as D

import pytest
from django.db import transaction

from scoring import demo, queries, schools, services
from scoring.models import Assessment, PublishedSchoolRow, School, SchoolScore

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    from assessment.services import recompute_all
    from counties import demo as figures

    with django_db_blocker.unblock(), transaction.atomic():
        figures.create_figures()
        recompute_all()
        first = demo.load()
        second = demo.load()
        yield first, second
        transaction.set_rollback(True)


def _adds_up(row) -> None:
    total = sum(D(line["points"]) for line in row.lines)
    assert total == row.score, (row.code, total, row.score)
    for line in row.lines:
        if line["kind"] == "computed" and line["sources"]:
            mean = sum(D(s["credit"]) for s in line["sources"]) / len(line["sources"])
            assert abs(D(line["points"]) - D(line["weight"]) * mean) <= D("0.005"), (row.code, line["label"])


def test_the_demo_publishes_2023_and_2024_with_schools_and_changes_nothing_when_run_again(demo_data):
    first, second = demo_data
    assert first["published"] == 2 and first["schools"] == School.objects.count() >= 17 * 24
    assert second == {"schools": 0, "scores": 0, "published": 0}
    assert sorted(Assessment.objects.values_list("year", "version")) == [(2023, 1), (2024, 1)]
    assert SchoolScore.objects.filter(status="approved").count() == 2 * School.objects.count()
    assert School.objects.filter(demo=True).count() == School.objects.count()
    primary = schools.stage_ranking(2024, "primary")
    assert sum(r.result.bottom_listed for r in primary) == 20
    # Publishing froze every stage's ranking as it computes: the same rows, ranks, lists and commendations.
    frozen = schools.published_stage_ranking(Assessment.objects.get(year=2024), "primary")
    assert [(r.school.code, r.result) for r in frozen] == [(r.school.code, r.result) for r in primary]
    assert PublishedSchoolRow.objects.filter(assessment__year=2023).count() == School.objects.count()
    assert sum(r.result.commendation == "progress" for r in primary) == 10


def test_every_demo_countys_breakdown_adds_up_preview_and_published(demo_data, official):
    published = queries.latest_published()
    assert published.year == 2024 and published.version == 1 and len(published.rows) == 17
    preview = services.compute(2024)
    assert not preview.problems and len({r.score for r in preview.rows}) > 10
    assert [(r.code, r.score, r.rank) for r in published.rows] == [(r.code, r.score, r.rank) for r in preview.rows]
    for row in preview.rows + published.rows:
        assert D(0) <= row.score <= D(100)
        assert all(line["sources"] for line in row.lines if line["kind"] == "computed")
        _adds_up(row)
    # 2023's awards are 2024's bonus lines
    awarded_2023 = {r.code: r.bonus for r in services.published_outcome(Assessment.objects.get(year=2023)).rows
                    if r.bonus}
    assert len(awarded_2023) == 12
    for row in published.rows:
        bonus = [D(line["points"]) for line in row.lines if line["kind"] == "bonus"]
        assert bonus == ([awarded_2023[row.code]] if row.code in awarded_2023 else [])
