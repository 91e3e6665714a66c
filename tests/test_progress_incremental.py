"""After any sequence of approvals, reopenings and corrections recomputed one figure at a time (the figure's year
given, so the prefecture re-adds that year only), the stored rows equal a full recompute, row for row."""
import random
from decimal import Decimal as D

import pytest

from assessment.models import Progress
from assessment.services import recompute_all, recompute_for_figure
from counties.models import Figure
from counties.validation import rate_percent

pytestmark = pytest.mark.django_db

FIELDS = ["area", "indicator_id", "year", "value", "numerator", "denominator", "baseline", "baseline_year", "target",
          "target_year", "expected", "status", "overdue", "projected", "will_meet", "gap"]


def stored(indicator_ids):
    return sorted(Progress.objects.filter(indicator_id__in=indicator_ids).values_list(*FIELDS))


def change(figure: Figure, rng: random.Random) -> None:
    """What an approval could do to a figure: a new value, or it stops counting (reopened), or counts again."""
    kind = figure.indicator.kind
    roll = rng.random()
    if roll < 0.2:
        figure.status = "returned" if figure.status == "approved" else "approved"
        figure.return_reason = "重新核实" if figure.status == "returned" else ""
    elif kind == "rate" and figure.denominator:
        figure.numerator = min(figure.denominator, figure.numerator + rng.randint(-40, 60)) if figure.numerator \
            else figure.denominator / 2
        figure.numerator = max(D(0), figure.numerator)
        figure.value = rate_percent(figure.numerator, figure.denominator)
    elif kind == "milestone":
        figure.value = D(1) - (figure.value or D(0))
    else:
        figure.value = max(D(0), (figure.value or D(0)) + rng.randint(-5, 9))
    figure.save()


@pytest.mark.parametrize(("rollup", "level"), [("ratio", "county"), ("sum", "county"), ("sum", "prefecture"),
                                               ("all", "county")])
def test_incremental_by_year_agrees_with_full(rollup, level):
    from counties.demo import create_figures

    create_figures()
    recompute_all()
    figures = list(Figure.objects.filter(indicator__rollup=rollup, indicator__level=level, county__isnull=False)
                   .select_related("indicator").order_by("id"))
    assert figures, f"the demo has figures of a '{rollup}' roll-up"
    rng = random.Random(rollup + level)
    touched = set()
    for figure in rng.sample(figures, min(40, len(figures))):
        change(figure, rng)
        recompute_for_figure(figure.indicator_id, figure.county_id, figure.year)
        touched.add(figure.indicator_id)
    incremental = stored(touched)
    recompute_all()
    assert incremental == stored(touched)


def test_without_stored_prefecture_rows_every_year_is_rolled_up_afresh():
    from counties.demo import create_figures

    create_figures()
    recompute_all()
    figure = Figure.objects.filter(indicator__code="PRE-01", county__code="513431", year=2023).get()
    full = stored([figure.indicator_id])
    Progress.objects.filter(indicator_id=figure.indicator_id, area="prefecture").exclude(year=2023).delete()
    recompute_for_figure(figure.indicator_id, figure.county_id, 2023)
    assert stored([figure.indicator_id]) == full


def test_a_milestone_undone_leaves_later_years_without_data_as_a_full_recompute_does():
    # CMP-06 (学校布局调整专项规划编制完成, by 2022), rolled up as "how many counties have done it". 西昌 alone
    # reported it done in 2022; done carries forward, so the later years counted 西昌 without a figure of theirs.
    from places.models import County
    from indicators.models import Indicator

    indicator = Indicator.objects.get(code="CMP-06")
    figure = Figure.objects.create(county=County.objects.get(code="513401"), indicator=indicator, year=2022,
                                   value=D(1), status="approved")
    recompute_all()
    before = dict(Progress.objects.filter(indicator=indicator, area="prefecture").values_list("year", "value"))
    assert before[2024] == D(1)
    Figure.objects.filter(pk=figure.pk).update(status="returned", return_reason="材料不全")  # reopened
    recompute_for_figure(indicator.id, figure.county_id, 2022)
    incremental = stored([indicator.id])
    recompute_all()
    assert incremental == stored([indicator.id])
    assert Progress.objects.get(indicator=indicator, area="prefecture", year=2024).value is None
