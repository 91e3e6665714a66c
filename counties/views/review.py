"""审核: the review queue of submitted figures per county and plan; officials approve, return or reopen them
in bulk."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from counties import services
from counties.choices import FigureStatus
from counties.forms import ReviewActionForm, ReviewFilterForm
from counties.models import Figure
from counties.views.common import _status_label, _years, value_text
from indicators.describe import target_text
from indicators.models import Target
from indicators.targets import target_for_year, targets_for
from liangshan_edu.roles import READERS, can_review
from liangshan_edu.views import role_required

QUEUE_PAGE_SIZE = 100


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


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
        specs = [t.spec()
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
        if not can_review(request.user):
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
        "status_label": _status_label(status), "can_act": can_review(request.user), "query": query.urlencode(),
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

