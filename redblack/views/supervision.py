"""Supervision pages (一键督导): the list, the one-click form (prefilled), a notice with its plan, reports,
colour history and who saw it, and evidence downloads for those who may read them."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alarms.queries import alarms_visible_to
from indicators.models import Indicator
from liangshan_edu.roles import can_review, is_clerk_of
from liangshan_edu.views import role_required
from places.models import County
from redblack import evidence, supervision
from redblack.choices import NoticeStatus
from redblack.evidence import EvidenceError
from redblack.forms import DecideNoticeForm, NoticeForm, PlanLineForm, ReplyForm, ReportForm, files_help
from redblack.models import Entry, Evidence
from redblack.queries import notices_visible_to

PAGE = 200


@role_required()
@require_GET
def notices_page(request):
    notices = list(notices_visible_to(request.user).prefetch_related("indicators")[:PAGE])
    return render(request, "redblack/notices.html", {"notices": notices, "can_create": can_review(request.user)})


@role_required()
def notice_new(request):
    """One click from a black-list entry (``?entry=``), an alarm (``?alarm=``) or a county page (``?county=``):
    the form comes prefilled with the county, its lagging indicators and their figures, the deadline and a
    message to edit."""
    if not can_review(request.user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    entry = alarm = None
    if source.get("entry", "").isdigit():
        entry = get_object_or_404(Entry.objects.select_related("publication", "county", "indicator"),
                                  pk=int(source["entry"]))
        county = entry.county
    elif source.get("alarm", "").isdigit():
        alarm = get_object_or_404(alarms_visible_to(request.user).filter(county__isnull=False),
                                  pk=int(source["alarm"]))
        county = alarm.county
    else:
        county = get_object_or_404(County, code=source.get("county", ""))
    draft = supervision.draft(request.user, county, entry, alarm=alarm)
    choices = draft.indicators
    status = 200
    if request.method == "POST":
        form = NoticeForm(request.POST, indicators=choices)
        if form.is_valid():
            chosen = [i for i in choices if str(i.pk) in form.cleaned_data["indicators"]]
            wanted = {i.code for i in chosen}
            try:
                notice = supervision.create(
                    request.user, county, indicators=chosen, deadline=form.cleaned_data["deadline"],
                    message=form.cleaned_data["message"], title=form.cleaned_data["title"], entry=entry, alarm=alarm,
                    figures=[f for f in draft.figures if f["indicator"] in wanted])
            except supervision.NoticeError as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("督导通知已发出。"))
                return redirect("supervision-notice", notice.pk)
        status = 400
    else:
        form = NoticeForm(indicators=choices, initial={
            "title": draft.title, "message": draft.message, "deadline": draft.deadline,
            "indicators": [str(pk) for pk in draft.selected]})
    return render(request, "redblack/notice_new.html", {"form": form, "draft": draft, "entry": entry, "alarm": alarm},
                  status=status)


def _notice_or_404(request, pk: int):
    notice = get_object_or_404(notices_visible_to(request.user).select_related("entry__publication", "closed_by"),
                               pk=pk)
    return notice


def _plan_forms(notice, data=None) -> list[tuple[Indicator, PlanLineForm]]:
    existing = {p.indicator_id: p for p in notice.plan.all()}
    out = []
    for ind in notice.indicators.all():
        item = existing.get(ind.pk)
        initial = ({"cause": item.cause, "measures": item.measures, "responsible": item.responsible,
                    "start": item.start, "due": item.due} if item else None)
        out.append((ind, PlanLineForm(data, prefix=f"i{ind.pk}", initial=initial)))
    return out


@role_required()
def notice_page(request, pk: int):
    notice = _notice_or_404(request, pk)
    user = request.user
    is_clerk = is_clerk_of(user, notice.county_id)
    plan_forms = _plan_forms(notice)
    reply_form, report_form, decide_form = ReplyForm(initial={"reply": notice.reply}), ReportForm(), DecideNoticeForm()
    status = 200
    if request.method == "POST":
        # Who may do what is decided by the services (PermissionDenied → 403), not here.
        action = request.POST.get("action")
        try:
            if action == "reply":
                plan_forms = _plan_forms(notice, request.POST)
                reply_form = ReplyForm(request.POST)
                if reply_form.is_valid() and all(f.is_valid() for _i, f in plan_forms):
                    lines = [supervision.PlanLine(indicator=i, **f.cleaned_data) for i, f in plan_forms]
                    supervision.reply(user, notice, text=reply_form.cleaned_data["reply"], plan=lines)
                    messages.success(request, _("整改方案已提交。"))
                    return redirect("supervision-notice", notice.pk)
            elif action == "report":
                report_form = ReportForm(request.POST, request.FILES)
                if report_form.is_valid():
                    supervision.report_progress(user, notice, text=report_form.cleaned_data["text"],
                                                files=report_form.cleaned_data["files"])
                    messages.success(request, _("整改进展已报送。"))
                    return redirect("supervision-notice", notice.pk)
            elif action in ("close", "send_back"):
                decide_form = DecideNoticeForm(request.POST)
                if decide_form.is_valid():
                    comment = decide_form.cleaned_data["comment"]
                    if action == "close":
                        supervision.close(user, notice, comment)
                        messages.success(request, _("已核查销号。"))
                    else:
                        supervision.send_back(user, notice, comment)
                        messages.success(request, _("已退回，待县市重新回复。"))
                    return redirect("supervision-notice", notice.pk)
        except (supervision.NoticeError, EvidenceError) as e:
            messages.error(request, str(e))
            status = 409 if isinstance(e, supervision.NoticeError) else 400
        else:
            status = 400
    else:
        supervision.seen(user, notice)
    reports = list(notice.reports.select_related("author").prefetch_related("evidence"))
    return render(request, "redblack/notice.html", {
        "notice": notice, "is_clerk": is_clerk, "can_decide": can_review(user),
        "plan": list(notice.plan.select_related("indicator")), "plan_forms": plan_forms,
        "reply_form": reply_form, "report_form": report_form, "decide_form": decide_form,
        "reports": reports, "events": list(notice.events.select_related("by")),
        "views": list(notice.views.select_related("user")), "files_help": files_help(),
        "may_reply": is_clerk and notice.status == NoticeStatus.OPEN,
        "may_report": is_clerk and notice.status != NoticeStatus.CLOSED,
        "may_decide": can_review(user) and notice.status == NoticeStatus.REPLIED,
    }, status=status)


@role_required()
@require_GET
def evidence_file(request, pk: int):
    """An evidence file, only to readers of everything and the clerks of its county; as a download."""
    item = get_object_or_404(Evidence.objects.select_related("report__notice", "appeal"), pk=pk)
    if not evidence.may_read(request.user, item):
        raise Http404
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name,
                            content_type=evidence.content_type(item))
    return response
