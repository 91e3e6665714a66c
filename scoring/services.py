"""The annual assessment's services: the scheme of a year, the computation (preview), publication, hand scores
and disqualifications. Views, the API, tasks and the demo call these; nothing re-implements them.

The computation reads the progress engine's results (``assessment.models.Progress`` and ``Evaluation``) and
applies ``scoring.methods`` and ``scoring.rules``; it never writes progress.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from assessment.choices import EvaluationResult, ProgressStatus
from assessment.models import Evaluation, Progress
from indicators.choices import Level
from indicators.models import Indicator, Plan
from liangshan_edu.roles import can_review
from places.models import County
from scoring import rules as R
from scoring.choices import CONSEQUENCES, STAFF_DEDUCTION, STAFF_NO_COMMENDATION, ItemKind, Method, Stage
from scoring import departments, schools
from scoring.methods import evaluation_credit, progress_credit
from scoring.models import (Assessment, AssessmentRow, Disqualification, HandScore, PublishedSchoolRow, Scheme,
                            SchemeItem)
from scoring.rulesets import rules_for

HUNDRED = Decimal(100)
DEFAULT_METHOD = Method.EXPECTED_PATH


# ── the scheme ──────────────────────────────────────────────────────────────────────────────────────────────

def _plans_for(year: int) -> list[Plan]:
    plans = list(Plan.objects.order_by("order", "code"))
    within = []
    for plan in plans:
        try:
            start, end = (int(x) for x in plan.cycle.split("-"))
        except ValueError:
            continue
        if start <= year <= end:
            within.append(plan)
    return within or plans


def scheme_for(year: int) -> Scheme:
    """The year's scheme; the default one is created the first time a year is looked at: one item per plan with
    county-level indicators, plans weighted equally (100 / n, the last one takes the rounding rest), indicators
    equally within a plan, scored by the expected path (``Method.EXPECTED_PATH``)."""
    scheme = Scheme.objects.filter(year=year).first()
    if scheme is not None:
        return scheme
    with transaction.atomic():
        scheme, created = Scheme.objects.get_or_create(year=year, defaults={"note": _("默认考评细则：各实施方案权重相同，方案内各指标权重相同。")})
        if created:
            county_plans = set(Indicator.objects.filter(level=Level.COUNTY, retired=False)
                               .values_list("plan_id", flat=True))
            plans = [p for p in _plans_for(year) if p.pk in county_plans]
            share = R.cents(HUNDRED / len(plans)) if plans else Decimal(0)
            for i, plan in enumerate(plans):
                weight = share if i < len(plans) - 1 else HUNDRED - share * (len(plans) - 1)
                SchemeItem.objects.create(scheme=scheme, order=i + 1, label=plan.short_name or plan.name,
                                          kind=ItemKind.COMPUTED, method=DEFAULT_METHOD, plan=plan, weight=weight)
    return scheme


def scheme_problems(items: list[SchemeItem]) -> list[str]:
    """What stops a scheme from being used: weights not adding up to 100, a computed item with nothing to score."""
    problems = []
    total = sum((i.weight for i in items), Decimal(0))
    if total != HUNDRED:
        problems.append(_("各项分值合计须为 100（现为 %(total)s）。") % {"total": total})
    for item in items:
        if item.kind == ItemKind.COMPUTED and item.plan_id is None and not item.indicators.all():
            problems.append(_("项目“%(label)s”未指定实施方案或指标。") % {"label": item.label})
    return problems


def scheme_as_data(items: list[SchemeItem]) -> list[dict]:
    return [{"id": i.pk, "label": i.label, "kind": i.kind, "method": i.method,
             "plan": i.plan.code if i.plan_id else None, "indicators": sorted(x.code for x in i.indicators.all()),
             "weight": str(i.weight)} for i in items]


# ── the computation ─────────────────────────────────────────────────────────────────────────────────────────

@dataclass
class CountyResult:
    county_id: int
    code: str
    name: str
    score: Decimal
    lines: list[dict]
    rank: int = 0
    award: R.Award | None = None
    bonus: Decimal = Decimal(0)
    department_quota_pct: int = 0
    bottom_named: bool = False
    staff_deduction_pct: int = 0
    accountability: list[str] = field(default_factory=list)
    disqualified: list[dict] = field(default_factory=list)


@dataclass
class Outcome:
    year: int
    rows: list[CountyResult]
    problems: list[str]
    scheme: list[dict]
    rules: dict
    version: int | None = None          # None: a preview, not published
    published_at: object = None
    departments: list[dict] = field(default_factory=list)


def _item_indicators(item: SchemeItem, by_plan: dict[int, list[Indicator]]) -> list[Indicator]:
    chosen = list(item.indicators.all())
    return chosen if chosen else by_plan.get(item.plan_id, [])


def compute(year: int) -> Outcome:
    """Score, rank and judge the 17 counties for ``year`` from the year's scheme and rules (not stored)."""
    scheme = scheme_for(year)
    items = list(scheme.items.select_related("plan").prefetch_related("indicators").order_by("order", "pk"))
    rules = rules_for(year)
    county_rules = R.CountyRules.from_rules(rules)
    counties = list(County.objects.order_by("code"))

    by_plan: dict[int, list[Indicator]] = defaultdict(list)
    for ind in Indicator.objects.filter(level=Level.COUNTY, retired=False).order_by("order", "code"):
        by_plan[ind.plan_id].append(ind)
    scoped = {item.pk: _item_indicators(item, by_plan) for item in items}
    progress_ids = {ind.pk for item in items if item.method not in ("", Method.FINAL_EVALUATION)
                    for ind in scoped[item.pk]}
    evaluation_ids = {ind.pk for item in items if item.method == Method.FINAL_EVALUATION for ind in scoped[item.pk]}

    progress = {(p.area, p.indicator_id): p for p in Progress.objects.filter(
        year=year, indicator_id__in=progress_ids, target__isnull=False).only(
        "area", "indicator_id", "status", "value", "baseline", "expected", "target", "target_year")} \
        if progress_ids else {}
    evaluations = {(e.area, e.indicator_id): e for e in Evaluation.objects.filter(
        target_year=year, indicator_id__in=evaluation_ids).only(
        "area", "indicator_id", "result", "value_at_deadline", "target", "target_year", "met_year")} \
        if evaluation_ids else {}
    hand = {(h.item_id, h.county_id): h for h in HandScore.objects.filter(item__in=items)}
    previous = {r.county_id: r.bonus for r in previous_rows(year)}
    disq: dict[int, list[dict]] = defaultdict(list)
    for d in Disqualification.objects.filter(year=year, county__isnull=False, withdrawn=False):
        disq[d.county_id].append({"situation": d.situation, "label": d.get_situation_display(), "reason": d.reason,
                                  "evidence": d.evidence})

    results = []
    for county in counties:
        lines = [_line(item, county, scoped[item.pk], progress, evaluations, hand) for item in items]
        bonus = previous.get(county.pk, Decimal(0))
        if bonus:
            lines.append({"kind": "bonus", "label": _("上年度获奖加分"), "weight": None, "credit": None,
                          "points": str(R.cents(bonus)), "how": _("上年度考核获奖，按考核规则加分"), "sources": []})
        subtotal = sum((Decimal(line["points"]) for line in lines), Decimal(0))
        if subtotal > county_rules.max_score:
            lines.append({"kind": "cap", "label": _("满分封顶"), "weight": None, "credit": None,
                          "points": str(county_rules.max_score - subtotal),
                          "how": _("总分不超过 %(max)s 分") % {"max": county_rules.max_score}, "sources": []})
        score = sum((Decimal(line["points"]) for line in lines), Decimal(0))
        results.append(CountyResult(county.pk, county.code, county.name, R.cents(score), lines,
                                    disqualified=disq.get(county.pk, [])))

    judge(results, county_rules)
    return Outcome(year, results, scheme_problems(items), scheme_as_data(items), rules,
                   departments=departments.department_rows(year))


def judge(results: list[CountyResult], county_rules: R.CountyRules) -> None:
    """Rank, award and hold to account (the plan's consequences), in place."""
    ranks = R.rank({r.code: r.score for r in results})
    disqualified = {r.code for r in results if r.disqualified}
    given = R.awards(ranks, disqualified, county_rules)
    last = R.bottom(ranks, county_rules.bottom_named)
    staff = R.staff_deductions(ranks, county_rules.staff_deductions_pct)
    for r in results:
        r.rank = ranks[r.code]
        r.award = given.get(r.code)
        r.bonus = r.award.bonus if r.award else Decimal(0)
        r.department_quota_pct = r.award.department_quota_pct if r.award else 0
        r.bottom_named = r.code in last
        r.staff_deduction_pct = staff.get(r.code, 0)
        r.accountability = R.accountability(r.score, county_rules)
    results.sort(key=lambda r: (r.rank, r.code))


# Not judged (yet): the target's condition awaits the county's attribute (待确定), or a periodic rule's period has not
# ended (本期未到期). Such an indicator is left out of an item, as one whose target does not apply is.
NOT_JUDGED = {ProgressStatus.NOT_DETERMINED, ProgressStatus.NOT_DUE, EvaluationResult.NOT_DETERMINED}


def _line(item: SchemeItem, county: County, indicators: list[Indicator], progress: dict, evaluations: dict,
          hand: dict) -> dict:
    base = {"item": item.pk, "kind": item.kind, "label": item.label, "method": item.method,
            "method_label": str(Method(item.method).label) if item.method else "", "weight": str(item.weight)}
    if item.kind == ItemKind.HAND:
        score = hand.get((item.pk, county.pk))
        if score is None:
            return {**base, "credit": None, "points": "0.00", "how": _("尚未评分，计 0 分"), "sources": []}
        return {**base, "credit": None, "points": str(R.cents(score.points)),
                "how": _("人工评分：%(reason)s") % {"reason": score.reason}, "reason": score.reason,
                "sources": []}
    sources = []
    for ind in indicators:
        if item.method == Method.FINAL_EVALUATION:
            e = evaluations.get((county.code, ind.pk))
            if e is None or e.result in NOT_JUDGED:
                continue
            credit = evaluation_credit(e.result)
            sources.append({"indicator": ind.code, "name": ind.name, "status": e.result,
                            "value": _s(e.value_at_deadline), "target": _s(e.target), "target_year": e.target_year,
                            "met_year": e.met_year, "credit": str(credit)})
        else:
            p = progress.get((county.code, ind.pk))
            if p is None or p.status in NOT_JUDGED:
                continue
            credit = progress_credit(item.method, p.status, p.value, p.baseline, p.expected)
            sources.append({"indicator": ind.code, "name": ind.name, "status": p.status, "value": _s(p.value),
                            "baseline": _s(p.baseline), "expected": _s(p.expected), "target": _s(p.target),
                            "target_year": p.target_year, "credit": str(credit)})
    if not sources:
        return {**base, "credit": None, "points": str(R.cents(item.weight)),
                "how": _("无适用指标，按满分计"), "sources": []}
    mean = sum((Decimal(s["credit"]) for s in sources), Decimal(0)) / len(sources)
    points = R.cents(item.weight * mean)
    return {**base, "credit": str(mean.quantize(Decimal("0.0001"))), "points": str(points),
            "how": _("%(weight)s 分 × 平均得分率 %(share)s%%（%(n)s 项指标）") % {
                "weight": item.weight, "share": (mean * 100).quantize(Decimal("0.01")), "n": len(sources)},
            "sources": sources}


def _s(d) -> str | None:
    return None if d is None else format(Decimal(d).normalize(), "f")


# ── published assessments ───────────────────────────────────────────────────────────────────────────────────

def latest_version(year: int) -> Assessment | None:
    return Assessment.objects.filter(year=year).order_by("-version").first()


def previous_rows(year: int) -> list[AssessmentRow]:
    """The rows of the latest published version of the year before (its awards are this year's bonus)."""
    prior = latest_version(year - 1)
    return list(prior.rows.all()) if prior else []


def publish(user, year: int, note: str = "") -> Assessment:
    """Publish the year's assessment as it computes now: version 1, or a correction (version + 1, with its
    reason in ``note``) that keeps every earlier version visible. The version freezes the counties' rows, the
    school rankings of every stage (rank, bottom list, deduction, commendation) and the prefecture departments'
    record, as they are now."""
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以发布考核结果。"))
    outcome = compute(year)
    if outcome.problems:
        raise ValidationError(outcome.problems)
    with transaction.atomic():
        current = Assessment.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0
        if current and not note.strip():
            raise ValidationError({"note": [_("该年度已发布过；发布更正版须写明更正原因。")]})
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(year=year, version=current + 1, published_by=user,
                                                       note=note.strip(), scheme=outcome.scheme,
                                                       rules=outcome.rules, departments=outcome.departments)
        except IntegrityError:
            raise ValidationError(_("另一位管理员刚刚发布了该年度考核结果，请刷新后再试。")) from None
        AssessmentRow.objects.bulk_create([AssessmentRow(
            assessment=assessment, county_id=r.county_id, score=r.score, rank=r.rank,
            award=r.award.code if r.award else "", bonus=r.bonus, department_quota_pct=r.department_quota_pct,
            bottom_named=r.bottom_named, staff_deduction_pct=r.staff_deduction_pct,
            accountability=r.accountability, disqualified=r.disqualified, breakdown=r.lines) for r in outcome.rows])
        _publish_schools(assessment)
    return assessment


def _publish_schools(assessment: Assessment) -> None:
    """Freeze every stage's school ranking of the year with the version."""
    PublishedSchoolRow.objects.bulk_create([PublishedSchoolRow(
        assessment=assessment, school=row.school, county_id=row.county.pk, stage=stage, score=row.score,
        rank=row.result.rank, bottom_listed=row.result.bottom_listed, bottom_position=row.result.bottom_position,
        deduction_pct=row.result.deduction_pct, commendation=row.result.commendation, disqualified=row.disqualified)
        for stage in Stage.values for row in schools.stage_ranking(assessment.year, stage)], batch_size=500)


def published_outcome(assessment: Assessment) -> Outcome:
    """A published version, in the same shape as a preview."""
    county_rules = R.CountyRules.from_rules(assessment.rules)
    awards = {a.code: a for a in county_rules.awards}
    rows = []
    for row in assessment.rows.select_related("county").order_by("rank", "county__code"):
        rows.append(CountyResult(row.county_id, row.county.code, row.county.name, row.score, row.breakdown,
                                 rank=row.rank, award=awards.get(row.award), bonus=row.bonus,
                                 department_quota_pct=row.department_quota_pct, bottom_named=row.bottom_named,
                                 staff_deduction_pct=row.staff_deduction_pct,
                                 accountability=list(row.accountability), disqualified=list(row.disqualified)))
    return Outcome(assessment.year, rows, [], assessment.scheme, assessment.rules, assessment.version,
                   assessment.published_at, departments=list(assessment.departments))


def consequences(codes: list[str]) -> list[str]:
    """The plan's wording of each consequence code."""
    return [str(text) for code in codes for text in CONSEQUENCES.get(code, ())]


def staff_consequences(pct: int) -> list[str]:
    """The plan's wording of what the education workers of one of the last three counties lose (三、结果运用（二）3.)."""
    return [str(STAFF_DEDUCTION) % {"pct": pct}, str(STAFF_NO_COMMENDATION)] if pct else []


# ── what officials record ───────────────────────────────────────────────────────────────────────────────────

def set_hand_score(user, item: SchemeItem, county: County, points: Decimal, reason: str) -> HandScore:
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以人工评分。"))
    if item.kind != ItemKind.HAND:
        raise ValidationError({"item": [_("该项目按进度计算，不能人工评分。")]})
    points = Decimal(points)
    if points < 0 or points > item.weight:
        raise ValidationError({"points": [_("得分须在 0 至 %(max)s 之间。") % {"max": item.weight}]})
    if not reason.strip():
        raise ValidationError({"reason": [_("请写明评分理由。")]})
    score, _created = HandScore.objects.update_or_create(
        item=item, county=county, defaults={"points": points, "reason": reason.strip(), "entered_by": user})
    return score


def disqualify(user, year: int, situation: str, reason: str, evidence: str, *, county: County | None = None,
               school=None) -> Disqualification:
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以记录取消资格情形。"))
    if not reason.strip() or not evidence.strip():
        raise ValidationError(_("请写明事由和证据。"))
    d = Disqualification(year=year, situation=situation, reason=reason.strip(), evidence=evidence.strip(),
                         county=county, school=school, recorded_by=user)
    d.full_clean()
    d.save()
    return d
