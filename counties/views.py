"""Pages of the figure workflow (DESIGN §2, §3): entry (填报), review (审核), history and audit log (留痕),
deadlines, completeness and locking (填报进度).

Every rule is in ``counties.services`` (and ``counties.validation``); the pages collect input, call the
services and show what comes back. Every query of figures goes through ``Figure.objects.visible_to`` or
``editable_by``; every page through ``role_required``.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from counties import reporting, services
from counties.choices import FigureStatus
from counties.errors import FigureError, Invalid, Locked, Stale
from counties.forms import (AuditFilterForm, CountyReasonForm, DeadlineForm, FigureRowForm, ReviewActionForm,
                            ReviewFilterForm, plain, row_form)
from counties.models import County, CountyReopening, Figure, ReportingYear
from indicators.models import Indicator, Plan, Target, Task
from indicators.targets import TargetSpec, target_for_year, targets_for
from liangshan_edu.roles import (ADMINISTRATOR, AUDITOR, CLERK, OFFICIAL, can_read_all, county_of, is_reviewer,
                                  role_of)
from liangshan_edu.views import role_required

READERS = (OFFICIAL, AUDITOR, ADMINISTRATOR)
FIRST_YEAR = 2021
QUEUE_PAGE_SIZE = 100
LOG_PAGE_SIZE = 50
DIRECTION_SIGNS = {"at_least": "≥", "at_most": "≤", "zero": "="}
TRACKED = ("value", "numerator", "denominator", "done_on", "evidence", "note", "status", "return_reason")
HISTORY_TYPES = {"+": gettext_lazy("新建"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}


# shared helpers -----------------------------------------------------------------------------------------------

def _check_year(year: int) -> None:
    try:
        services.check_year(year)
    except Invalid as exc:
        raise Http404(exc.message) from exc


def _years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def _optional_url(name: str, *args) -> str | None:
    """A link to a page another part of the product adds; None while it is not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _show(value) -> str:
    """A stored value for people: decimals without trailing zeros, statuses by label, empty as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def _unit_suffix(indicator: Indicator) -> str:
    code = indicator.unit.code
    return "" if code == "是/否" else code


def target_text(indicator: Indicator, spec: TargetSpec | None) -> str:
    """'≥ 92%（2025年）', '完成（2022年）', '= 0个（每年）'; the 全州 total is named as such."""
    if spec is None:
        return "—"
    if indicator.kind == "milestone":
        text = _("完成")
    else:
        text = f"{DIRECTION_SIGNS.get(indicator.direction, '')} {plain(spec.value)}{_unit_suffix(indicator)}"
    when = _("%(year)s年") % {"year": spec.year} if spec.year else _("每年")
    scope = _("，全州合计") if indicator.level == "prefecture" and spec.general else ""
    return _("%(target)s（%(when)s%(scope)s）") % {"target": text, "when": when, "scope": scope}


def value_text(indicator: Indicator, value, numerator=None, denominator=None) -> str:
    if value is None:
        return "—"
    if indicator.kind == "milestone":
        return _("已完成") if value == 1 else _("未完成")
    text = f"{plain(value)}{_unit_suffix(indicator)}"
    if indicator.kind == "rate" and numerator is not None and denominator is not None:
        text = _("%(value)s（%(numerator)s/%(denominator)s）") % {
            "value": text, "numerator": plain(numerator), "denominator": plain(denominator)}
    return text


def _status_label(status: str) -> str:
    return str(FigureStatus(status).label) if status in FigureStatus.values else status


def _nav_context(request) -> dict:
    year = timezone.localdate().year - 1  # counties report the year that has just ended
    return {"nav_year": year, "is_official": is_reviewer(request.user), "role": role_of(request.user)}


# 1. entry form -----------------------------------------------------------------------------------------------

@dataclass
class EntryRow:
    indicator: Indicator
    figure: Figure | None
    target: str
    last_value: str
    warnings: list = field(default_factory=list)
    form: FigureRowForm | None = None
    conflict: str = ""

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
                       form, conflicts.get(ind.code, ""))
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
        "years": _years(), **_nav_context(request),
    }


@role_required()
def entry(request, year: int):
    """填报: a clerk's form for their own county and one year (other roles go to the reporting status)."""
    if role_of(request.user) != CLERK:
        if request.method == "POST":
            raise PermissionDenied
        return redirect("reporting-status", year)
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
    """One county's figures of one year, read-only (officials, auditors); a clerk goes to their own form."""
    county = get_object_or_404(County, code=county_code)
    _check_year(year)
    if role_of(request.user) == CLERK:
        own = county_of(request.user)
        if own is not None and own.pk == county.pk:
            return redirect("figure-entry", year)
        raise PermissionDenied
    context = _entry_rows(request, county, year, editable=False)
    return render(request, "counties/entry.html", context)


# 2. review queue ---------------------------------------------------------------------------------------------

@dataclass
class QueueRow:
    figure: Figure
    value: str
    last_value: str
    target: str
    warnings: list
    previous: str
    previous_version: int | None


def _previous_values(figures: list[Figure]) -> dict[int, tuple[str, int]]:
    """For each figure, its last different value in its history (what a resubmission changed), with version."""
    history = (Figure.history.filter(id__in=[f.pk for f in figures]).order_by("id", "history_id")
               .values_list("id", "version", "value", "numerator", "denominator", "done_on"))
    records: dict[int, list[tuple]] = defaultdict(list)
    for rec in history:
        records[rec[0]].append(rec)
    out = {}
    for figure in figures:
        now = (figure.value, figure.numerator, figure.denominator, figure.done_on)
        for rec in reversed(records.get(figure.pk, [])):
            if rec[2:] != now:
                out[figure.pk] = (value_text(figure.indicator, rec[2], rec[3], rec[4]), rec[1])
                break
    return out


def _queue_rows(figures: list[Figure]) -> list[QueueRow]:
    """The extra columns of the queue, for one page of figures, in a fixed number of queries."""
    if not figures:
        return []
    prefetch_related_objects(figures, Prefetch("indicator__targets",
                                               queryset=Target.objects.prefetch_related("counties")))
    last = {(c, i, y): v for c, i, y, v in Figure.objects.filter(
        county_id__in={f.county_id for f in figures}, indicator_id__in={f.indicator_id for f in figures},
        year__in={f.year - 1 for f in figures}, status=FigureStatus.APPROVED,
    ).values_list("county_id", "indicator_id", "year", "value")}
    warnings = services.warnings_for_many(figures)
    previous = _previous_values(figures)
    rows = []
    for f in figures:
        ind = f.indicator
        specs = [TargetSpec(t.year, t.value, t.tier, frozenset(c.code for c in t.counties.all()))
                 for t in ind.targets.all()]
        applicable = targets_for(specs, f.county.code if f.county else None, f.county.tier if f.county else None)
        prev, prev_version = previous.get(f.pk, ("", None))
        rows.append(QueueRow(f, value_text(ind, f.value, f.numerator, f.denominator),
                             value_text(ind, last.get((f.county_id, f.indicator_id, f.year - 1))),
                             target_text(ind, target_for_year(applicable, f.year)), warnings.get(f.pk, []),
                             prev, prev_version))
    return rows


@role_required(*READERS)
def review_queue(request):
    """审核: submitted figures per county and plan; officials approve, return or reopen them in bulk."""
    if request.method == "POST":
        if not is_reviewer(request.user):
            raise PermissionDenied
        return _review_post(request)
    filters = ReviewFilterForm(request.GET or None, years=_years())
    params = filters.cleaned_data if filters.is_valid() else {}
    status = params.get("status") or FigureStatus.SUBMITTED
    figures = (Figure.objects.visible_to(request.user).filter(status=status)
               .select_related("county", "indicator__plan", "indicator__unit", "indicator__task")
               .order_by("county__code", "indicator__plan__order", "indicator__order", "indicator__code", "-year"))
    if params.get("county"):
        figures = figures.filter(county__code=params["county"])
    if params.get("plan"):
        figures = figures.filter(indicator__plan__code=params["plan"])
    if params.get("year"):
        figures = figures.filter(year=params["year"])
    page = Paginator(figures, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "counties/review.html", {
        "filter": filters, "page": page, "rows": _queue_rows(list(page.object_list)), "status": status,
        "status_label": _status_label(status), "can_act": is_reviewer(request.user), "query": query.urlencode(),
        **_nav_context(request),
    })


def _review_post(request):
    form = ReviewActionForm(request.POST)
    back = _back(request, reverse("review-queue"))
    if not form.is_valid():
        messages.error(request, _("请选择操作。"))
        return redirect(back)
    ids = form.cleaned_data["ids"]
    if not ids:
        messages.error(request, _("请先勾选要处理的数据。"))
        return redirect(back)
    action = form.cleaned_data["action"]
    reason = form.cleaned_data["reason"]
    figures = list(Figure.objects.visible_to(request.user).filter(pk__in=ids)
                   .select_related("county", "indicator").order_by("county__code", "indicator__code", "year"))
    transition, kwargs = {
        "approve": (services.approve, {}),
        "return": (services.return_figure, {"reason": reason}),
        "reopen": (services.reopen, {"reason": reason}),
    }[action]
    result = services.bulk(transition, request.user, figures, expected_versions=form.expected_versions(), **kwargs)
    if result.done:
        n = len(result.done)
        done = {"approve": ngettext("已审核通过%(n)d项。", "已审核通过%(n)d项。", n),
                "return": ngettext("已退回%(n)d项。", "已退回%(n)d项。", n),
                "reopen": ngettext("已重新开放%(n)d项。", "已重新开放%(n)d项。", n)}[action]
        messages.success(request, done % {"n": n})
    refused: dict[str, list[str]] = defaultdict(list)
    for figure, message in result.refused:
        refused[message].append(f"{figure.county or _('全州')} {figure.indicator.code} {figure.year}")
    for message, which in refused.items():
        messages.error(request, _("%(message)s（%(figures)s）") % {"message": message, "figures": "、".join(which)})
    return redirect(back)


# 3. history and audit log -----------------------------------------------------------------------------------

@dataclass
class Change:
    label: str
    old: str
    new: str


def _field_text(name: str, value) -> str:
    if name == "status":
        return _status_label(value) if value else "—"
    return _show(value)


def changes_between(previous, record) -> list[Change]:
    """What one history record changed against the one before (all filled-in fields for a creation)."""
    changes = []
    for name in TRACKED:
        new = getattr(record, name)
        old = getattr(previous, name) if previous is not None else None
        if previous is None and (new is None or new == ""):
            continue
        if previous is not None and old == new:
            continue
        changes.append(Change(str(Figure._meta.get_field(name).verbose_name), _field_text(name, old),
                              _field_text(name, new)))
    return changes


@dataclass
class Event:
    record: object
    type_label: str
    changes: list[Change]


@role_required()
@require_GET
def figure_history(request, pk: int):
    """留痕: every change of one figure, with who, when, old and new values and why."""
    figure = get_object_or_404(Figure.objects.visible_to(request.user)
                               .select_related("county", "indicator__unit", "indicator__plan"), pk=pk)
    records = list(figure.history.select_related("history_user").order_by("history_id"))
    events, previous = [], None
    for record in records:
        events.append(Event(record, HISTORY_TYPES.get(record.history_type, ""), changes_between(previous, record)))
        previous = record
    events.reverse()
    return render(request, "counties/history.html", {
        "figure": figure, "events": events, "value": value_text(figure.indicator, figure.value, figure.numerator,
                                                                figure.denominator),
        **_nav_context(request),
    })


def _audit_records(request, form: AuditFilterForm):
    History = Figure.history.model
    scope = Q(id__in=Figure.objects.visible_to(request.user).values("pk"))
    if can_read_all(request.user):
        # The whole history of figures deleted since stays readable to those who read every county.
        scope |= ~Q(id__in=Figure.objects.values("pk"))
    qs = History.objects.filter(scope)
    if form.is_valid():
        p = form.cleaned_data
        if p["county"]:
            qs = qs.filter(county__code=p["county"])
        if p["indicator"]:
            qs = qs.filter(indicator__code__icontains=p["indicator"].strip())
        if p["user"]:
            qs = qs.filter(history_user__username__icontains=p["user"].strip())
        if p["date_from"]:
            qs = qs.filter(history_date__date__gte=p["date_from"])
        if p["date_to"]:
            qs = qs.filter(history_date__date__lte=p["date_to"])
        if p["q"]:
            qs = qs.filter(history_change_reason__icontains=p["q"].strip())
    previous = History.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    return (qs.annotate(previous_id=Subquery(previous.values("history_id")[:1]))
            .select_related("history_user", "county", "indicator").order_by("-history_date", "-history_id"))


def _audit_events(records: list) -> list[Event]:
    History = Figure.history.model
    previous = History.objects.in_bulk([r.previous_id for r in records if r.previous_id])
    return [Event(r, HISTORY_TYPES.get(r.history_type, ""), changes_between(previous.get(r.previous_id), r))
            for r in records]


def _existing(records: list) -> set[int]:
    """Which of the records' figures still exist (a deleted figure has no history page to link to)."""
    return set(Figure.objects.filter(pk__in={r.id for r in records}).values_list("pk", flat=True))


AUDIT_CSV_HEADER = (gettext_lazy("时间"), gettext_lazy("用户"), gettext_lazy("县市代码"), gettext_lazy("县市"),
                    gettext_lazy("指标代码"), gettext_lazy("指标"), gettext_lazy("年度"), gettext_lazy("操作"),
                    gettext_lazy("原因"), gettext_lazy("版本"), gettext_lazy("变更"))


def _audit_csv(records) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="figure-audit-log.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response)
    writer.writerow([str(h) for h in AUDIT_CSV_HEADER])
    for start in range(0, len(records), 1000):
        for event in _audit_events(records[start:start + 1000]):
            r = event.record
            writer.writerow([
                timezone.localtime(r.history_date).strftime("%Y-%m-%d %H:%M:%S"),
                r.history_user.username if r.history_user else "",
                r.county.code if r.county else "", r.county.name if r.county else _("全州"),
                r.indicator.code if r.indicator else "", r.indicator.name if r.indicator else "", r.year,
                event.type_label, r.history_change_reason or "", r.version,
                "；".join(f"{c.label}：{c.old} → {c.new}" for c in event.changes),
            ])
    return response


@role_required(*READERS)
@require_GET
def audit_log(request):
    """操作日志: every recorded change of every figure, searchable, paginated, exportable as CSV."""
    form = AuditFilterForm(request.GET or None)
    records = _audit_records(request, form)
    if request.GET.get("format") == "csv":
        return _audit_csv(list(records))
    page = Paginator(records, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = list(page.object_list)
    return render(request, "counties/audit_log.html", {
        "filter": form, "page": page, "events": _audit_events(shown), "existing": _existing(shown),
        "query": query.urlencode(), **_nav_context(request),
    })


# 4. deadlines, completeness and locking ----------------------------------------------------------------------

@dataclass
class StatusCell:
    tally: reporting.Tally
    missing: list[Indicator]


@role_required(*READERS)
def reporting_status(request, year: int):
    """填报进度: deadline and lock of a year; completeness and timeliness per county × plan."""
    _check_year(year)
    if request.method == "POST":
        if not is_reviewer(request.user):
            raise PermissionDenied
        return _reporting_post(request, year)
    report = reporting.completeness(year, figures=Figure.objects.visible_to(request.user))

    def cell(t: reporting.Tally, listed: bool = True) -> StatusCell:
        # Totals only count what is missing: listing it would repeat every cell of the row or column.
        return StatusCell(t, [report.indicators[i] for i in t.unsubmitted] if listed else [])

    rows = [(c, [cell(report.cell(c, p)) for p in report.plans], cell(report.county_total(c), False))
            for c in report.counties]
    ry = ReportingYear.objects.filter(year=year).select_related("locked_by").first()
    reopenings = (CountyReopening.objects.filter(reporting_year__year=year)
                  .select_related("county", "created_by").order_by("-created_at"))
    year_history = (ReportingYear.history.filter(year=year).select_related("history_user")
                    .order_by("-history_date")[:20])
    return render(request, "counties/reporting.html", {
        "year": year, "report": report, "rows": rows,
        "plan_totals": [cell(report.plan_total(p), False) for p in report.plans],
        "total": cell(report.total(), False),
        "reporting_year": ry, "reopenings": reopenings, "year_history": year_history,
        "deadline_form": DeadlineForm(initial={"deadline": ry.deadline if ry else None}),
        "county_form": CountyReasonForm(), "can_act": is_reviewer(request.user), "years": _years(),
        **_nav_context(request),
    })


def _reporting_post(request, year: int):
    action = request.POST.get("action", "")
    try:
        if action == "deadline":
            form = DeadlineForm(request.POST)
            if not form.is_valid():
                raise Invalid(_("请填写有效的截止日期。"))
            services.set_deadline(request.user, year, form.cleaned_data["deadline"])
            messages.success(request, _("%(year)s年度填报截止日期已设为%(date)s。") % {
                "year": year, "date": form.cleaned_data["deadline"]})
        elif action == "lock":
            services.lock_year(request.user, year)
            messages.success(request, _("%(year)s年度已锁定。") % {"year": year})
        elif action == "unlock":
            services.unlock_year(request.user, year)
            messages.success(request, _("%(year)s年度已解除锁定。") % {"year": year})
        elif action in ("reopen_county", "close_county"):
            form = CountyReasonForm(request.POST)
            if not form.is_valid():
                raise Invalid(_("请选择县市。"))
            county = form.cleaned_data["county"]
            if action == "reopen_county":
                reopening = services.reopen_year_for_county(request.user, year, county, form.cleaned_data["reason"])
                messages.success(request, _("已为%(county)s重新开放%(year)s年度：%(reason)s") % {
                    "county": county, "year": year, "reason": reopening.reason})
            else:
                services.close_year_for_county(request.user, year, county)
                messages.success(request, _("%(county)s的%(year)s年度已重新锁定。") % {"county": county, "year": year})
        else:
            messages.error(request, _("未知操作。"))
    except FigureError as exc:
        messages.error(request, exc.message)
    return redirect("reporting-status", year)
