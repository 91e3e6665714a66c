"""留痕: every change of one figure with who, when, old and new values and why; and the audit log of every
figure's changes, searchable, paginated; its export is the reports app's change-history report."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from counties import audit
from counties.forms import AuditFilterForm
from counties.models import Figure
from counties.views.common import value_text
from liangshan_edu.roles import READERS
from liangshan_edu.views import role_required

LOG_PAGE_SIZE = 50


@role_required()
@require_GET
def figure_history(request, pk: int):
    """留痕: every change of one figure, with who, when, old and new values and why."""
    figure = get_object_or_404(Figure.objects.visible_to(request.user)
                               .select_related("county", "indicator__unit", "indicator__plan"), pk=pk)
    records = list(figure.history.select_related("history_user").order_by("history_id"))
    events, previous = [], None
    for record in records:
        events.append(audit.Event(record, Figure.HISTORY_TYPES.get(record.history_type, ""),
                                  audit.changes_between(previous, record)))
        previous = record
    events.reverse()
    return render(request, "counties/history.html", {
        "figure": figure, "events": events, "value": value_text(figure.indicator, figure.value, figure.numerator,
                                                                figure.denominator),
    })


def _existing(records: list) -> set[int]:
    """Which of the records' figures still exist (a deleted figure has no history page to link to)."""
    return set(Figure.objects.filter(pk__in={r.id for r in records}).values_list("pk", flat=True))


@role_required(*READERS)
@require_GET
def audit_log(request):
    """操作日志: every recorded change of every figure, searchable, paginated, exportable as CSV."""
    if request.GET.get("format") == "csv":
        # The change history is exported by the reports app, under the rules of every export (scope, as_of,
        # SHA-256 record, streaming); the old link keeps working.
        query = request.GET.copy()
        query.pop("page", None)
        return redirect(f"{reverse('report-history-file')}?{query.urlencode()}")
    form = AuditFilterForm(request.GET or None)
    records = audit.records(request.user, form.cleaned_data if form.is_valid() else None)
    page = Paginator(records, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = list(page.object_list)
    return render(request, "counties/audit_log.html", {
        "filter": form, "page": page, "events": audit.events(shown), "existing": _existing(shown),
        "query": query.urlencode(),
    })

