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
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from assessment.choices import EvaluationResult, ProgressStatus
from liangshan_edu.roles import can_review, entry_county_of
from liangshan_edu.views import role_required
from places.models import County
from scoring import queries, services
from scoring.charts import ranking_chart, ranking_figure
from scoring.choices import BOTTOM_NAMED, ItemKind
from scoring.forms import DepartmentForm, DisqualificationForm, HandScoreForm, PublishForm
from scoring.rules import CountyRules


def _year(request) -> int | None:
    raw = request.GET.get("year", "").strip()
    if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    years = queries.published_years()
    if years:
        return years[0]
    if queries.may_preview(request.user):
        from assessment.queries import default_year

        return default_year(request.user)
    return None


def _check_year(year: int) -> None:
    """A year in the path beyond what the database column holds is a 404, not a database error."""
    if not 2000 <= year <= 2100:
        raise Http404


def _preview(request) -> bool:
    return request.GET.get("preview") in ("1", "true") and queries.may_preview(request.user)


def _version(request) -> int | None:
    raw = request.GET.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None


def _consequences(row) -> list[str]:
    """The plan's words for what a county's result brings: 70/60 and the last three's education workers."""
    return services.consequences(row.accountability) + services.staff_consequences(row.staff_deduction_pct)


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
                                          version=_version(request))
        except queries.NotPublished:
            outcome = None
    if outcome is not None:
        rules = CountyRules.from_rules(outcome.rules)
        lines = [(int(t.below), t.label) for t in rules.thresholds]
        urls = {r.code: reverse("scoring-county", args=[year, r.code]) + ("?preview=1" if preview else "")
                for r in outcome.rows}
        context.update(
            outcome=outcome, rows=[(r, _consequences(r)) for r in outcome.rows],
            chart=ranking_chart(outcome.rows, urls, lines),
            plotly_json=ranking_figure(outcome.rows, rules.awards, lines),
            awards=rules.awards, bottom_label=BOTTOM_NAMED, versions=queries.versions(year))
    if year is not None and context["can_review"]:
        items = services.scheme_for(year).items.filter(kind=ItemKind.HAND)
        context.update(publish_form=PublishForm(), hand_form=HandScoreForm(items=items) if items.exists() else None,
                       disqualify_form=DisqualificationForm(), department_form=DepartmentForm())
    return render(request, "scoring/ranking.html", context)


@role_required()
def county_breakdown(request, year: int, code: str):
    _check_year(year)
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
        "consequences": _consequences(row), "preview": preview})


def _back(year: int):
    return redirect(reverse("scoring-ranking") + f"?year={year}&preview=1")


def _errors(request, e: ValidationError) -> None:
    for text in e.messages:
        messages.error(request, text)


@role_required()
@require_POST
def publish(request, year: int):
    _check_year(year)
    # Who may publish is the service's check (services.publish), the one path.
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
    _check_year(year)
    if not can_review(request.user):  # before scheme_for, which may create the year's default scheme
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
    _check_year(year)
    if not can_review(request.user):  # before the form is read (services.disqualify checks again)
        raise PermissionDenied
    form = DisqualificationForm(request.POST)
    if form.is_valid():
        try:
            services.disqualify(request.user, year, form.cleaned_data["situation"], form.cleaned_data["reason"],
                                form.cleaned_data["evidence"], county=form.cleaned_data["county"],
                                school=form.cleaned_data["school"])
            messages.success(request, _("已记录取消评优评先及奖励资格的情形。"))
        except ValidationError as e:
            _errors(request, e)
    else:
        messages.error(request, _("未记录：请检查填写内容。") + " " + " ".join(
            m for errors in form.errors.values() for m in errors))
    return _back(year)


@role_required()
@require_POST
def department(request, year: int):
    _check_year(year)
    # Who may record it is the service's check (departments.set_department_assessment), the one path.
    from scoring import departments

    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            departments.set_department_assessment(request.user, year, form.cleaned_data["unit"],
                                                  form.cleaned_data["score"], form.cleaned_data["reason"],
                                                  form.cleaned_data["commended"])
            messages.success(request, _("州级部门考核已保存。"))
        except ValidationError as e:
            _errors(request, e)
    else:
        messages.error(request, _("州级部门考核未保存：请检查填写内容。"))
    return _back(year)


# ── schools ─────────────────────────────────────────────────────────────────────────────────────────────────

COMMENDATION_LABELS = {"first": _l("一等奖"), "second": _l("二等奖"), "third": _l("三等奖"), "progress": _l("进步奖")}


@role_required()
def school_ranking(request):
    """A stage's school ranking as published with the year's assessment (the latest version unless ``version``);
    officials may preview it as it computes now from the approved scores."""
    from scoring import schools
    from scoring.choices import Stage
    from scoring.rulesets import rules_for

    raw = request.GET.get("year", "")
    preview = _preview(request)
    years = queries.published_years()
    default = schools.latest_scored_year() if preview else (years[0] if years else None)
    year = int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100 else default
    stage = request.GET.get("stage") if request.GET.get("stage") in Stage.values else Stage.PRIMARY
    rows, found, published = [], None, True
    if year:
        try:
            rows, found = queries.school_ranking_for(request.user, year, stage, version=_version(request),
                                                     preview=preview)
        except queries.NotPublished:
            published = False
    counts: dict[str, int] = {}
    for r in rows:
        if r.result.commendation:
            counts[r.result.commendation] = counts.get(r.result.commendation, 0) + 1
    return render(request, "scoring/schools.html", {
        "year": year, "stage": stage, "stages": Stage.choices, "preview": preview, "published": published,
        "version": found, "years": years, "may_preview": queries.may_preview(request.user),
        "rows": [(r, COMMENDATION_LABELS.get(r.result.commendation, "")) for r in rows],
        "listed": sorted((r for r in rows if r.result.bottom_listed), key=lambda r: r.result.bottom_position),
        "actions": schools.last_place_actions(stage, found.rules if found else rules_for(year) if year else {}),
        "counts": [(COMMENDATION_LABELS[k], counts.get(k, 0)) for k in ("first", "second", "third", "progress")],
        "is_clerk": entry_county_of(request.user) is not None, "can_review": can_review(request.user)})


@role_required()
def school_entry(request, year: int):
    """A clerk enters or uploads their county's school quality scores for a year (all or nothing)."""
    _check_year(year)
    from scoring import schools
    from scoring.models import School, SchoolScore

    county = entry_county_of(request.user)
    if county is None:
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        try:
            if request.FILES.get("file"):
                upload = request.FILES["file"]
                scores = schools.read_score_file(upload, upload.name)
            else:
                scores = {k[len("score-"):]: v for k, v in request.POST.items() if k.startswith("score-")}
            n = schools.submit_scores(request.user, county, year, scores)
            messages.success(request, _("已提交 %(n)s 所学校的质量得分，等待州级审核。") % {"n": n})
            return redirect("scoring-school-entry", year=year)
        except ValidationError as e:
            errors = e.messages
    current = {s.school_id: s for s in SchoolScore.objects.filter(school__county=county, year=year)}
    rows = [(s, current.get(s.pk)) for s in School.objects.filter(county=county, active=True).order_by("stage", "code")]
    return render(request, "scoring/school_entry.html", {"county": county, "year": year, "rows": rows,
                                                          "errors": errors})


@role_required()
def school_review(request, year: int):
    """Officials approve or return each county's submitted school scores."""
    _check_year(year)
    from django.db.models import Count, Q

    from scoring import schools
    from scoring.models import SchoolScore

    if not can_review(request.user):
        raise PermissionDenied
    if request.method == "POST":
        county = get_object_or_404(County, code=request.POST.get("county", ""))
        try:
            n = schools.review_scores(request.user, county, year, approve=request.POST.get("action") == "approve",
                                      reason=request.POST.get("reason", ""))
            messages.success(request, _("已处理 %(n)s 条得分。") % {"n": n})
        except ValidationError as e:
            _errors(request, e)
        return redirect("scoring-school-review", year=year)
    tallies = (SchoolScore.objects.filter(year=year).values("school__county__code", "school__county__name")
               .annotate(submitted=Count("pk", filter=Q(status="submitted")),
                         approved=Count("pk", filter=Q(status="approved")),
                         returned=Count("pk", filter=Q(status="returned"))).order_by("school__county__code"))
    return render(request, "scoring/school_review.html", {"year": year, "tallies": tallies})
