"""The lists pages: current lists (printable, a meeting-screen mode), history with movement, one version,
preview and publish, corrections (officials)."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment.choices import JobState
from assessment.queries import default_year
from liangshan_edu.roles import can_review, county_of
from liangshan_edu.views import role_required
from places.models import County
from redblack import appeals, conf, jobs, lists, periods
from redblack.choices import ListKind
from redblack.forms import CorrectionForm, PreviewForm
from redblack.models import Entry, ListJob, Publication


def _pages(request, publication: Publication, county: County | None) -> dict:
    """Each list one page at a time (``red_page``, ``black_page``; ``conf.page_size`` lines, in published order),
    optionally one county's lines only: two queries a list (count, page) whatever the length of the lists — a
    national list has two hundred thousand lines."""
    out = {}
    for kind in (ListKind.RED, ListKind.BLACK):
        qs = publication.entries.filter(list=kind).select_related("county", "indicator").order_by("position")
        if county is not None:
            qs = qs.filter(county=county)
        page = Paginator(qs, conf.page_size()).get_page(request.GET.get(f"{kind}_page"))
        out[kind], out[f"{kind}_page"] = list(page.object_list), page
    return out


def _county(request) -> County | None:
    """The county whose lines only are shown (``?county=<code>``), if any."""
    return County.objects.filter(code=request.GET.get("county") or "").first()


@role_required()
@require_GET
def lists_page(request):
    """红黑榜: the current version of a period (default: the latest), every role."""
    names = sorted(set(Publication.objects.values_list("period", flat=True)), key=periods.sort_key, reverse=True)
    period = request.GET.get("period") or (names[0] if names else None)
    publication = lists.current(period) if period in names else None
    movement = None
    if publication:
        series = [p for p in lists.current_versions() if periods.parse(p.period).kind
                  == periods.parse(publication.period).kind and periods.sort_key(p.period)
                  <= periods.sort_key(publication.period)]
        movement = lists.movements(series)[-1] if series else None
    county = _county(request)
    return render(request, "redblack/lists.html", {
        **_page_context(request, publication, county), "periods": names, "period": period, "movement": movement,
        "screen": request.GET.get("screen") == "1", "county": county})


def _page_context(request, publication: Publication | None, county: County | None) -> dict:
    """The lists page's context: the version, its lists a page at a time, which lines the user may appeal."""
    user, own = request.user, county_of(request.user)
    pages = _pages(request, publication, county) if publication else {"red": [], "black": []}
    appealable = set()
    if publication and own is not None and lists.current(publication.period) == publication:
        now = timezone.now()
        appealable = {e.pk for e in pages["red"] + pages["black"]
                      if e.county_id == own.pk and now <= appeals.window_ends(e)}
    versions = list(Publication.objects.filter(period=publication.period).order_by("version")) if publication else []
    return {"publication": publication, **pages, "versions": versions, "can_review": can_review(user),
            "appealable": appealable, "own": own}


@role_required()
@require_GET
def publication_page(request, pk: int):
    """One version exactly as published (corrected versions stay readable), a page of each list at a time like the
    lists page; a correction shows what it changed (counted in full, the first lines of each kind listed: kept
    with it when it was published, so neither version is read whole). The
    current version carries the correction form for officials: lines to withdraw are ticked in the lists."""
    publication = get_object_or_404(Publication.objects.select_related("published_by", "corrects"), pk=pk)
    county = _county(request)
    ctx = {**_page_context(request, publication, county), "county": county}
    ctx["changes"], marks = lists.change_summary(publication)
    if marks is not None:  # a correction published before its changes were kept with it
        for e in ctx["red"] + ctx["black"]:
            e.change = marks.get(lists.key(e), "")
    ctx["correctable"] = ctx["can_review"] and ctx["versions"][-1] == publication
    return render(request, "redblack/publication.html", ctx)


@role_required()
@require_GET
def history_page(request):
    """Every published period (its current version) with who entered and left the black list and how many
    periods in a row each county has been on it; every version is linked."""
    current = lists.current_versions()
    moves = list(reversed(lists.movements(current)))
    all_versions = list(Publication.objects.select_related("published_by").order_by("-published_at"))
    return render(request, "redblack/history.html", {"moves": moves, "all_versions": all_versions})


@role_required()
def preview_page(request):
    """Officials preview the lists for a period and data year, then publish them."""
    if not can_review(request.user):
        raise PermissionDenied
    form = PreviewForm(request.POST or request.GET or None, initial={"year": default_year(request.user)})
    preview, error, status = None, None, 200
    if form.is_bound and form.is_valid():
        period, year = form.cleaned_data["period"], form.cleaned_data["year"]
        try:
            if request.method == "POST":
                return redirect("redblack-job", jobs.start_publish(request.user, period, year).pk)
            preview = _shown_preview(lists.build(request.user, period, year), _county(request))
        except periods.PeriodError as e:
            form.add_error("period", str(e))
            status = 400
        except lists.AlreadyPublished as e:
            error, status = str(e), 409
        except jobs.JobRunning as e:
            return redirect("redblack-job", e.job.pk)
    elif form.is_bound:
        status = 400
    return render(request, "redblack/preview.html", {"form": form, "preview": preview, "error": error},
                  status=status)


def _shown_preview(preview: lists.Preview, county: County | None) -> dict:
    """What the preview page lists: each list's count, and its first ``conf.page_size`` lines — or, with a county,
    that county's lines only (a national preview has two hundred thousand; the whole is what publishing writes)."""
    limit = conf.page_size()
    out = {"preview": preview, "county": county, "limit": limit, "sections": []}
    for kind, title, found in ((ListKind.RED, _("红榜（预览）"), preview.red),
                               (ListKind.BLACK, _("黑榜（预览）"), preview.black)):
        lines = [c for c in found if c.county.pk == county.pk] if county is not None else found
        out[f"{kind}_count"] = len(found)
        out["sections"].append((kind, title, lines[:limit], len(lines)))
    return out


@role_required()
@require_POST
def correct_view(request, pk: int):
    if not can_review(request.user):  # before the form is read (lists.correct checks again)
        raise PermissionDenied
    publication = get_object_or_404(Publication, pk=pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            job = jobs.start_correct(request.user, publication, remove=[int(x) for x in form.cleaned_data["remove"]],
                                     reason=form.cleaned_data["reason"])
        except ValueError as e:
            messages.error(request, str(e))
        except jobs.JobRunning as e:
            return redirect("redblack-job", e.job.pk)
        else:
            return redirect("redblack-job", job.pk)
    elif "reason" in form.errors:
        messages.error(request, lists.NO_REASON)
    else:
        messages.error(request, lists.NOT_IN_VERSION)
    return redirect("redblack-publication", publication.pk)




@role_required()
@require_GET
def job_page(request, pk):
    """A publication or correction under way (officials): its step and progress (``?format=json`` for the page's
    script, which polls every two seconds); once done, the lists it published; if it failed, why (nothing was
    written)."""
    if not can_review(request.user):
        raise PermissionDenied
    jobs.fail_lost_jobs()
    job = get_object_or_404(ListJob.objects.select_related("result", "corrects", "requested_by"), pk=pk)
    if request.GET.get("format") == "json":  # what static/js/job-page.js polls (it reloads once the job ended)
        return JsonResponse({"state": job.state, "state_label": job.get_state_display(), "step": job.step,
                             "done": job.done, "total": job.total, "percent": job.percent})
    if job.state == JobState.SUCCESS and job.result is not None:
        if job.action == ListJob.Action.PUBLISH:
            messages.success(request, _("已发布 %(period)s 红黑榜。") % {"period": job.result.period})
            return redirect(f"{reverse('redblack-lists')}?period={job.result.period}")
        messages.success(request, _("已发布更正版本（第%(version)s版），原版本保留可查。") % {"version": job.result.version})
        return redirect("redblack-publication", job.result.pk)
    return render(request, "redblack/job.html", {"job": job})
