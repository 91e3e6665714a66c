"""填报: a clerk's entry form for their own county and one year (save drafts, submit a plan or the year), and
one county's figures read-only for officials and auditors."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from counties import reporting, services
from counties.choices import FigureStatus
from counties.errors import FigureError, Locked, Stale
from counties.forms import FigureRowForm, row_form
from places.models import County
from counties.models import Figure, ReportingYear
from counties.views.common import _check_year, _years, value_text
from indicators.describe import target_text
from indicators.models import Indicator, Plan, Task
from liangshan_edu.roles import CLERK, can_read_county, county_of, is_clerk_of, role_of
from liangshan_edu.views import role_required


def _optional_url(name: str, *args) -> str | None:
    """A link to a page another part of the product adds; None while it is not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@dataclass
class EntryRow:
    indicator: Indicator
    figure: Figure | None
    target: str
    last_value: str
    warnings: list = field(default_factory=list)
    form: FigureRowForm | None = None
    conflict: str = ""
    # Asked although its condition cannot be decided yet (the county attribute is not recorded): 待确定.
    not_determined: bool = False

    @property
    def status(self) -> str:
        return self.figure.status if self.figure else ""

    @property
    def value(self) -> str:
        f = self.figure
        return value_text(self.indicator, f.value, f.numerator, f.denominator) if f else "—"

    @property
    def needs_note(self) -> bool:
        return bool(self.warnings) and not (self.figure and self.figure.note.strip())


@dataclass
class TaskGroup:
    task: Task | None
    rows: list[EntryRow]


@dataclass
class PlanGroup:
    plan: Plan
    tally: reporting.Tally
    tasks: list[TaskGroup]
    submittable: int = 0


def _entry_rows(request, county: County, year: int, *, editable: bool, bound: dict | None = None,
                conflicts: dict | None = None) -> dict:
    """Everything the entry page shows, in a fixed number of queries whatever the number of indicators."""
    bound, conflicts = bound or {}, conflicts or {}
    catalogue = [e for e in reporting.load_catalogue() if e.applies_to(county, year)]
    visible = Figure.objects.visible_to(request.user).filter(county=county)
    figures = {f.indicator_id: f for f in visible.filter(year=year)}
    last = dict(visible.filter(year=year - 1, status=FigureStatus.APPROVED).values_list("indicator_id", "value"))
    by_id = {e.indicator.pk: e.indicator for e in catalogue}
    for figure in figures.values():
        if figure.indicator_id in by_id:
            figure.indicator = by_id[figure.indicator_id]
        figure.county = county
    warnings = services.warnings_for_many(figures.values())
    ry = ReportingYear.objects.filter(year=year).first()
    year_open = services.year_is_open(year, county)
    editable = editable and year_open
    plan_filter = request.GET.get("plan") or None

    groups: dict[int, PlanGroup] = {}
    facts_by_plan: dict[int, dict] = defaultdict(dict)
    expected_by_plan: dict[int, list] = defaultdict(list)
    returned = []
    for entry in catalogue:
        ind = entry.indicator
        figure = figures.get(ind.pk)
        expected_by_plan[ind.plan_id].append(ind.pk)
        if figure is not None:
            facts_by_plan[ind.plan_id][ind.pk] = reporting.facts_of(figure.value, figure.status, figure.submitted_at)
            if figure.status == FigureStatus.RETURNED:
                returned.append(figure)
        group = groups.get(ind.plan_id)
        if group is None:
            group = groups[ind.plan_id] = PlanGroup(ind.plan, reporting.Tally(), [])
        if figure is not None and figure.status in services.EDITABLE and figure.value is not None:
            group.submittable += 1
        if plan_filter and ind.plan.code != plan_filter:
            continue
        row_editable = editable and (figure is None or figure.status in services.EDITABLE)
        form = None
        if row_editable:
            form = bound.get(ind.code) or row_form(ind.kind, prefix=ind.code, figure=figure)
        row = EntryRow(ind, figure, target_text(ind, entry.target(county, year)),
                       value_text(ind, last.get(ind.pk)), warnings.get(figure.pk, []) if figure else [],
                       form, conflicts.get(ind.code, ""), entry.not_determined(county, year))
        if not group.tasks or group.tasks[-1].task != ind.task:
            group.tasks.append(TaskGroup(ind.task, []))
        group.tasks[-1].rows.append(row)
    deadline = ry.deadline if ry else None
    for plan_id, group in groups.items():
        group.tally = reporting.tally(expected_by_plan[plan_id], facts_by_plan[plan_id], deadline)
    total = sum((g.tally for g in groups.values()), reporting.Tally())
    return {
        "county": county, "year": year, "plans": list(groups.values()), "total": total,
        "missing": [by_id[i] for i in total.empty], "returned": returned,
        "editable": editable, "year_open": year_open, "reporting_year": ry, "plan_filter": plan_filter,
        "upload_url": _optional_url("figure-upload", year),
        "template_url": _optional_url("figure-template", county.code, year),
        "years": _years(),
    }


@role_required()
def entry(request, year: int):
    """填报: a clerk's form for their own county and one year (a county's leader goes to the county's figures,
    read-only; other roles to the reporting status)."""
    if role_of(request.user) != CLERK:
        if request.method == "POST":
            raise PermissionDenied
        own = county_of(request.user)
        return redirect("figure-entry-county", own.code, year) if own else redirect("reporting-status", year)
    county = county_of(request.user)
    if county is None:
        raise PermissionDenied
    _check_year(year)
    if request.method == "POST":
        return _entry_post(request, county, year)
    context = _entry_rows(request, county, year, editable=True)
    return render(request, "counties/entry.html", context)


def _entry_post(request, county: County, year: int):
    """Save the rows the clerk changed (each through ``services.save_draft`` with the version it was shown at),
    then, if asked and nothing failed, submit the year's or one plan's complete drafts."""
    catalogue = [e for e in reporting.load_catalogue() if e.applies_to(county, year)]
    figures = {f.indicator_id: f for f in Figure.objects.visible_to(request.user).filter(county=county, year=year)}
    bound: dict[str, FigureRowForm] = {}
    conflicts: dict[str, str] = {}
    versions: dict[int, int] = {}  # indicator id → the version the clerk now holds
    saved, locked = 0, ""
    for entry_ in catalogue:
        ind = entry_.indicator
        if f"{ind.code}-version" not in request.POST:
            continue
        form = row_form(ind.kind, request.POST, prefix=ind.code, figure=figures.get(ind.pk))
        if not form.is_valid():
            bound[ind.code] = form
            continue
        shown_version = form.cleaned_data["version"]
        if not form.edited:
            versions[ind.pk] = shown_version
            continue
        try:
            result = services.save_draft(request.user, county, ind, year, expected_version=shown_version,
                                         **form.service_values())
        except Stale as exc:
            typed = "，".join(f"{form.fields[name].label} {form.data.get(form.add_prefix(name)) or '—'}"
                             for name in form.changed_data if name != "version")
            conflicts[ind.code] = exc.message + _("您这次填写的（%(typed)s）未保存，下面显示的是最新数据。") % {
                "typed": typed}
        except Locked as exc:
            locked = exc.message
            form.add_error(None, exc.message)
            bound[ind.code] = form
        except FigureError as exc:
            form.add_problems(exc)
            bound[ind.code] = form
        else:
            versions[ind.pk] = result.figure.version
            saved += int(result.changed)
    failed = len(bound) + len(conflicts)
    if saved:
        messages.success(request, ngettext("已保存%(n)d项。", "已保存%(n)d项。", saved) % {"n": saved})
    if failed:
        messages.error(request, locked or ngettext(
            "%(n)d项未保存，请查看标红的行。", "%(n)d项未保存，请查看标红的行。", failed) % {"n": failed})
        context = _entry_rows(request, county, year, editable=True, bound=bound, conflicts=conflicts)
        return render(request, "counties/entry.html", context)
    action = request.POST.get("action", "save")
    if action == "submit_year" or action.startswith("submit_plan:"):
        _submit(request, county, year, versions, action.partition(":")[2] or None)
    elif not saved:
        messages.info(request, _("没有修改。"))
    return redirect(request.get_full_path())


def _submit(request, county: County, year: int, versions: dict[int, int], plan_code: str | None) -> None:
    figures = (Figure.objects.editable_by(request.user).filter(county=county, year=year, value__isnull=False)
               .select_related("indicator").order_by("indicator__plan__order", "indicator__order"))
    if plan_code:
        figures = figures.filter(indicator__plan__code=plan_code)
    figures = list(figures)
    expected = {f.pk: versions[f.indicator_id] for f in figures if f.indicator_id in versions}
    result = services.bulk(services.submit, request.user, figures, expected_versions=expected)
    if result.done:
        n = len(result.done)
        messages.success(request, ngettext("已提交%(n)d项。", "已提交%(n)d项。", n) % {"n": n})
    elif not result.refused:
        messages.info(request, _("没有可提交的数据：只有已填写的草稿或被退回的数据可以提交。"))
    for figure, message in result.refused:
        messages.error(request, f"{figure.indicator.code} {figure.indicator.name}：{message}")


@role_required()
@require_GET
def entry_county(request, county_code: str, year: int):
    """One county's figures of one year, read-only (officials, auditors, the county's leader); a clerk goes to
    their own form."""
    county = get_object_or_404(County, code=county_code)
    _check_year(year)
    if role_of(request.user) == CLERK:
        if is_clerk_of(request.user, county):
            return redirect("figure-entry", year)
        raise PermissionDenied
    if not can_read_county(request.user, county):
        raise PermissionDenied
    context = _entry_rows(request, county, year, editable=False)
    return render(request, "counties/entry.html", context)

