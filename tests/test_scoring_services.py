"""The annual assessment's services: the default scheme, hand scores, disqualifications, last year's bonus,
publication (immutable versions, frozen scheme) and the breakdown of every demo county adding up."""
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from assessment.models import AssessmentRuleSet, Progress
from indicators.models import Indicator, Plan
from places.models import County
from scoring import services
from scoring.choices import ItemKind
from scoring.models import Assessment, AssessmentRow, FrozenError, Scheme, SchemeItem

pytestmark = pytest.mark.django_db

YEAR = 2024


def one_item_scheme(year=YEAR, method="achieved_share"):
    """A scheme with two items: 80 points on two indicators (computed), 20 points by hand."""
    indicators = list(Indicator.objects.filter(level="county", retired=False).order_by("code")[:2])
    scheme = Scheme.objects.create(year=year)
    computed = SchemeItem.objects.create(scheme=scheme, order=1, label="进度", kind=ItemKind.COMPUTED,
                                         method=method, weight=D(80))
    computed.indicators.set(indicators)
    hand = SchemeItem.objects.create(scheme=scheme, order=2, label="过程考核", kind=ItemKind.HAND, weight=D(20))
    return scheme, computed, hand, indicators


def progress(indicators, statuses, year=YEAR):
    """statuses: county code → (status of indicator 1, status of indicator 2)."""
    Progress.objects.bulk_create([
        Progress(area=code, indicator=ind, year=year, status=st, target=D(1), target_year=2025)
        for code, pair in statuses.items() for ind, st in zip(indicators, pair)])


def test_the_default_scheme_weighs_plans_equally_and_adds_up_to_100():
    scheme = services.scheme_for(YEAR)
    items = list(scheme.items.all())
    plans_with_county_indicators = Plan.objects.filter(indicators__level="county").distinct().count()
    assert len(items) == plans_with_county_indicators and sum(i.weight for i in items) == 100
    assert {i.method for i in items} == {"expected_path"} and all(i.plan_id for i in items)
    assert max(i.weight for i in items) - min(i.weight for i in items) <= D("0.05")
    assert services.scheme_for(YEAR).pk == scheme.pk          # created once


def test_scores_awards_and_consequences_from_progress_and_hand_scores(official):
    _, computed, hand, inds = one_item_scheme()
    codes = list(County.objects.order_by("code").values_list("code", flat=True))
    progress(inds, {c: ("achieved", "achieved" if i < 14 else "off_track") for i, c in enumerate(codes)})
    counties = {c.code: c for c in County.objects.all()}
    for i, code in enumerate(codes):
        services.set_hand_score(official, hand, counties[code], D(20) - D(i), "过程考核得分")
    rows = {r.code: r for r in services.compute(YEAR).rows}
    first, last = rows[codes[0]], rows[codes[16]]
    assert first.score == D(100) and first.rank == 1 and first.award.label == "一等奖" and first.bonus == 5
    # The 17th: one of two indicators achieved (40 of 80) and 4 hand points → 44: criticised and summoned.
    assert last.score == D(44) and last.rank == 17 and last.accountability == ["criticism", "interview"]
    assert last.bottom_named and last.award is None
    line = last.lines[1]
    assert line["points"] == "4.00" and "过程考核得分" in line["how"]
    assert [s["status"] for s in last.lines[0]["sources"]] == ["achieved", "off_track"]


def test_hand_scores_need_an_official_a_reason_and_points_within_the_weight(official, clerk_xichang):
    _, computed, hand, _ = one_item_scheme()
    county = County.objects.get(code="513401")
    with pytest.raises(PermissionDenied):
        services.set_hand_score(clerk_xichang, hand, county, D(10), "x")
    with pytest.raises(ValidationError):
        services.set_hand_score(official, hand, county, D(21), "too many")
    with pytest.raises(ValidationError):
        services.set_hand_score(official, hand, county, D(10), "  ")
    with pytest.raises(ValidationError):
        services.set_hand_score(official, computed, county, D(10), "computed item")
    assert services.set_hand_score(official, hand, county, D(10), "ok").history.count() == 1


def test_a_disqualified_county_loses_its_award_and_the_next_does_not_move_up(official, clerk_xichang):
    _, _, hand, inds = one_item_scheme()
    codes = list(County.objects.order_by("code").values_list("code", flat=True))
    progress(inds, {c: ("achieved", "achieved") for c in codes})
    counties = {c.code: c for c in County.objects.all()}
    for i, code in enumerate(codes):
        services.set_hand_score(official, hand, counties[code], D(20) - D(i), "过程考核")
    with pytest.raises(PermissionDenied):
        services.disqualify(clerk_xichang, YEAR, "fraud", "弄虚作假", "通报", county=counties[codes[0]])
    with pytest.raises(ValidationError):
        services.disqualify(official, YEAR, "fraud", "弄虚作假", "", county=counties[codes[0]])
    services.disqualify(official, YEAR, "fraud", "填报数据弄虚作假", "州纪委通报〔2024〕1号", county=counties[codes[0]])
    rows = {r.code: r for r in services.compute(YEAR).rows}
    assert rows[codes[0]].rank == 1 and rows[codes[0]].award is None and rows[codes[0]].bonus == 0
    assert rows[codes[0]].disqualified[0]["evidence"] == "州纪委通报〔2024〕1号"
    assert rows[codes[3]].award.label == "二等奖"            # 4th stays in 二等奖: nobody moves up


def test_publish_freezes_the_scheme_and_a_correction_is_a_new_version(official, clerk_xichang):
    scheme, computed, hand, inds = one_item_scheme()
    codes = list(County.objects.order_by("code").values_list("code", flat=True))
    progress(inds, {c: ("achieved", "off_track") for c in codes})
    with pytest.raises(PermissionDenied):
        services.publish(clerk_xichang, YEAR)
    first = services.publish(official, YEAR)
    before = list(AssessmentRow.objects.filter(assessment=first).values_list("county__code", "score", "rank"))
    assert first.version == 1 and {s for _, s, _ in before} == {D(40)}
    # The scheme is frozen: neither its items nor the scheme change any more.
    computed.weight = D(100)
    with pytest.raises(FrozenError):
        computed.save()
    with pytest.raises(FrozenError):
        SchemeItem.objects.create(scheme=scheme, label="新项目", kind=ItemKind.HAND, weight=D(1))
    with pytest.raises(FrozenError), transaction.atomic():
        computed.indicators.remove(inds[0])
    # Neither a rules change nor new figures change what was published.
    rules = AssessmentRuleSet.objects.get(year=None)
    rules.rules = {**rules.rules, "bottom_named": 5}
    rules.save()
    Progress.objects.filter(year=YEAR).update(status="achieved")
    SchemeItem.objects.filter(pk=computed.pk).update(weight=D(100))        # even behind the model's back
    assert list(AssessmentRow.objects.filter(assessment=first).values_list("county__code", "score", "rank")) == before
    with pytest.raises(FrozenError):
        first.rows.first().save()
    with pytest.raises(FrozenError):
        first.delete()
    # A correction needs its reason, becomes version 2 and keeps version 1.
    with pytest.raises(ValidationError):
        services.publish(official, YEAR)
    SchemeItem.objects.filter(pk=computed.pk).update(weight=D(80))
    second = services.publish(official, YEAR, note="更正：2024年数据复核")
    assert second.version == 2 and Assessment.objects.filter(year=YEAR).count() == 2
    assert {r.score for r in second.rows.all()} == {D(80)} and services.latest_version(YEAR) == second
    assert services.published_outcome(first).rows[0].score == D(40)


def test_last_years_award_is_this_years_bonus(official):
    _, _, _, inds = one_item_scheme(year=2023)
    codes = list(County.objects.order_by("code").values_list("code", flat=True))
    progress(inds, {c: ("achieved", "achieved" if i < 1 else "off_track") for i, c in enumerate(codes)}, year=2023)
    services.publish(official, 2023)                        # codes[0] is first: 一等奖, 5 points next year
    _, _, _, inds = one_item_scheme(year=YEAR)
    progress(inds, {c: ("achieved", "off_track") for c in codes})
    rows = {r.code: r for r in services.compute(YEAR).rows}
    assert rows[codes[0]].score == D(45) and rows[codes[0]].lines[-1]["kind"] == "bonus"
    # The 16 others tied at 40 in 2023 and shared rank 2, so all got 一等奖 (the tie rule): 5 points each.
    assert rows[codes[16]].score == D(45)


def test_the_admin_edits_a_scheme_until_it_is_published(admin_user, official):
    from tests.conftest import client_for

    scheme, _, _, inds = one_item_scheme()
    client = client_for(admin_user)
    url = f"/admin/scoring/scheme/{scheme.pk}/change/"
    assert 'name="items-0-weight"' in client.get(url).content.decode()
    codes = list(County.objects.values_list("code", flat=True))
    progress(inds, {c: ("achieved", "achieved") for c in codes})
    services.publish(official, YEAR)
    html = client.get(url).content.decode()
    assert 'name="items-0-weight"' not in html and "80.00" in html           # shown, no longer editable


def test_the_final_evaluation_method_scores_the_targets_due_that_year():
    from assessment.models import Evaluation

    _, computed, _, inds = one_item_scheme(method="final_evaluation")
    results = {"513401": ("met_on_time", "met_late"), "513402": ("missed", "no_data")}
    Evaluation.objects.bulk_create([Evaluation(area=code, indicator=ind, target_year=YEAR, target=D(1), result=r)
                                    for code, pair in results.items() for ind, r in zip(inds, pair)])
    rows = {r.code: r for r in services.compute(YEAR).rows}
    assert rows["513401"].lines[0]["points"] == "60.00"                 # 80 × (1 + 0.5) / 2
    assert rows["513402"].lines[0]["points"] == "0.00"
    assert rows["513422"].lines[0]["points"] == "80.00"                 # nothing due: full points, said so
    assert rows["513422"].lines[0]["how"] == "无适用指标，按满分计"


@pytest.mark.parametrize("status", ["not_determined", "not_due"])
def test_an_indicator_not_judged_yet_is_left_out_of_the_item(status):
    """待确定 (a condition awaiting the county's attribute) and 本期未到期 (a periodic rule's period not ended) are not
    failures: the item is scored on the indicators that were judged (issue 14 × issue 11)."""
    _, computed, _hand, inds = one_item_scheme()
    codes = list(County.objects.order_by("code").values_list("code", flat=True))
    progress(inds, {c: ("achieved", status if i == 0 else "off_track") for i, c in enumerate(codes)})
    rows = {r.code: r for r in services.compute(YEAR).rows}
    judged, failing = rows[codes[0]].lines[0], rows[codes[1]].lines[0]
    assert judged["points"] == "80.00" and [s["indicator"] for s in judged["sources"]] == [inds[0].code]
    assert failing["points"] == "40.00" and len(failing["sources"]) == 2
