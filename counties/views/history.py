"""留痕: every change of one figure with who, when, old and new values and why; and the audit log of every
figure's changes, searchable, paginated, exportable as CSV."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from counties.forms import AuditFilterForm
from counties.models import Figure
from counties.views.common import _status_label, value_text
from liangshan_edu.formats import csv_cell, plain
from liangshan_edu.roles import READERS, can_read_all
from liangshan_edu.views import role_required

LOG_PAGE_SIZE = 50


def _show(value) -> str:
    """A stored value for people: decimals without trailing zeros, statuses by label, empty as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


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
    for name in Figure.HISTORY_FIELDS:
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
        events.append(Event(record, Figure.HISTORY_TYPES.get(record.history_type, ""), changes_between(previous, record)))
        previous = record
    events.reverse()
    return render(request, "counties/history.html", {
        "figure": figure, "events": events, "value": value_text(figure.indicator, figure.value, figure.numerator,
                                                                figure.denominator),
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
    return [Event(r, Figure.HISTORY_TYPES.get(r.history_type, ""), changes_between(previous.get(r.previous_id), r))
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
            writer.writerow([csv_cell(cell) for cell in (
                timezone.localtime(r.history_date).strftime("%Y-%m-%d %H:%M:%S"),
                r.history_user.username if r.history_user else "",
                r.county.code if r.county else "", r.county.name if r.county else _("全州"),
                r.indicator.code if r.indicator else "", r.indicator.name if r.indicator else "", r.year,
                event.type_label, r.history_change_reason or "", r.version,
                "；".join(f"{c.label}：{c.old} → {c.new}" for c in event.changes),
            )])
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
        "query": query.urlencode(),
    })

