"""On the demo figures (2021–2024 approved, progress recomputed): every county's breakdown adds up to its score,
in a preview and in what is published. The data is made once for the module and rolled back at its end."""
from decimal import Decimal as D

import pytest
from django.db import transaction

from scoring import services

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_progress(django_db_setup, django_db_blocker):
    from assessment.services import recompute_all
    from counties import demo

    with django_db_blocker.unblock(), transaction.atomic():
        demo.create_figures()
        recompute_all()
        yield
        transaction.set_rollback(True)


def _adds_up(row) -> None:
    total = sum(D(line["points"]) for line in row.lines)
    assert total == row.score, (row.code, total, row.score)
    for line in row.lines:
        if line["kind"] == "computed" and line["sources"]:
            mean = sum(D(s["credit"]) for s in line["sources"]) / len(line["sources"])
            assert abs(D(line["points"]) - D(line["weight"]) * mean) <= D("0.005"), (row.code, line["label"])


def test_every_demo_countys_breakdown_adds_up_preview_and_published(demo_progress, official):
    outcome = services.compute(2024)
    assert not outcome.problems and len(outcome.rows) == 17
    assert len({r.score for r in outcome.rows}) > 10          # the demo counties differ
    for row in outcome.rows:
        assert D(0) <= row.score <= D(100)
        assert row.lines and all(line["sources"] for line in row.lines if line["kind"] == "computed")
        _adds_up(row)
    published = services.published_outcome(services.publish(official, 2024))
    assert [(r.code, r.score, r.rank) for r in published.rows] == [(r.code, r.score, r.rank) for r in outcome.rows]
    for row in published.rows:
        _adds_up(row)
