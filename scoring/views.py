"""The assessment pages: the ranking of a year (chart, table, versions; officials preview, publish, score by
hand and record disqualifications) and one county's breakdown with its movement against last year."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.choices import EvaluationResult, ProgressStatus
from liangshan_edu.roles import can_review
from liangshan_edu.views import role_required
from places.models import County
from scoring import queries, services
from scoring.charts import ranking_chart
from scoring.choices import BOTTOM_NAMED, ItemKind
from scoring.forms import DisqualificationForm, HandScoreForm, PublishForm
from scoring.rules import CountyRules


def _year(request) -> int | None:
    raw = request.GET.get("year", "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    years = queries.published_years()
    if years:
        return years[0]
    if queries.may_preview(request.user):
        from assessment.queries import default_year

        return default_year(request.user)
    return None


def _preview(request) -> bool:
    return request.GET.get("preview") in ("1", "true") and queries.may_preview(request.user)


@role_required()
def ranking(request):
    year = _year(request)
    preview = _preview(request)
    context = {"year": year, "preview": preview, "years": queries.published_years(),
               "may_preview": queries.may_preview(request.user), "can_review": can_review(request.user)}
    outcome = None
    if year is not None:
        try:
            outcome = queries.outcome_for(request.user, year, preview=preview,
                                          version=int(request.GET["version"]) if request.GET.get("version", "").isdigit() else None)
        except queries.NotPublished:
            outcome = None
    if outcome is not None:
        rules = CountyRules.from_rules(outcome.rules)
        urls = {r.code: reverse("scoring-county", args=[year, r.code]) + ("?preview=1" if preview else "")
                for r in outcome.rows}
        context.update(
            outcome=outcome, rows=[(r, services.consequences(r.accountability)) for r in outcome.rows],
            chart=ranking_chart(outcome.rows, urls, [(int(t.below), t.label) for t in rules.thresholds]),
            awards=rules.awards, bottom_label=BOTTOM_NAMED, versions=queries.versions(year))
    if year is not None and context["can_review"]:
        items = services.scheme_for(year).items.filter(kind=ItemKind.HAND)
        context.update(publish_form=PublishForm(), hand_form=HandScoreForm(items=items) if items.exists() else None,
                       disqualify_form=DisqualificationForm())
    return render(request, "scoring/ranking.html", context)


@role_required()
def county_breakdown(request, year: int, code: str):
    county = get_object_or_404(County, code=code)
    if not queries.breakdown_visible(request.user, county):
        raise PermissionDenied
    preview = _preview(request)
    try:
        outcome = queries.outcome_for(request.user, year, preview=preview)
    except queries.NotPublished:
        raise Http404 from None
    row = next(r for r in outcome.rows if r.code == code)
    last = queries.movement(request.user, code, year)
    previous_points = {line["label"]: Decimal(line["points"]) for line in last["lines"]} if last else {}
    labels = {**dict(ProgressStatus.choices), **dict(EvaluationResult.choices)}
    lines = [({**line, "sources": [{**s, "status": labels.get(s["status"], s["status"])} for s in line["sources"]]},
              (Decimal(line["points"]) - previous_points[line["label"]]) if line["label"] in previous_points else None)
             for line in row.lines]
    return render(request, "scoring/county.html", {
        "county": county, "year": year, "outcome": outcome, "row": row, "lines": lines, "last": last,
        "score_change": (row.score - last["score"]) if last else None,
        "rank_change": (last["rank"] - row.rank) if last else None,
        "consequences": services.consequences(row.accountability), "preview": preview})


def _back(year: int):
    return redirect(reverse("scoring-ranking") + f"?year={year}&preview=1")


def _errors(request, e: ValidationError) -> None:
    for text in e.messages:
        messages.error(request, text)


@role_required()
@require_POST
def publish(request, year: int):
    if not can_review(request.user):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            published = services.publish(request.user, year, form.cleaned_data["note"])
        except ValidationError as e:
            _errors(request, e)
            return _back(year)
        messages.success(request, _("已发布 %(year)s 年度考核结果（第 %(version)s 版）。") % {
            "year": year, "version": published.version})
    return redirect(reverse("scoring-ranking") + f"?year={year}")


@role_required()
@require_POST
def hand_score(request, year: int):
    if not can_review(request.user):
        raise PermissionDenied
    form = HandScoreForm(request.POST, items=services.scheme_for(year).items.filter(kind=ItemKind.HAND))
    if form.is_valid():
        try:
            services.set_hand_score(request.user, form.cleaned_data["item"], form.cleaned_data["county"],
                                    form.cleaned_data["points"], form.cleaned_data["reason"])
            messages.success(request, _("人工评分已保存。"))
        except ValidationError as e:
            _errors(request, e)
    else:
        messages.error(request, _("人工评分未保存：请检查填写内容。"))
    return _back(year)


@role_required()
@require_POST
def disqualify(request, year: int):
    if not can_review(request.user):
        raise PermissionDenied
    form = DisqualificationForm(request.POST)
    if form.is_valid():
        try:
            services.disqualify(request.user, year, form.cleaned_data["situation"], form.cleaned_data["reason"],
                                form.cleaned_data["evidence"], county=form.cleaned_data["county"])
            messages.success(request, _("已记录取消评优评先及奖励资格的情形。"))
        except ValidationError as e:
            _errors(request, e)
    else:
        messages.error(request, _("未记录：请检查填写内容。"))
    return _back(year)
