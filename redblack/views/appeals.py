"""Appeals (申诉): a county's clerk appeals an entry of its county; officials decide."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liangshan_edu.roles import can_review, is_clerk_of
from liangshan_edu.views import role_required
from redblack import appeals
from redblack.choices import AppealStatus
from redblack.evidence import EvidenceError
from redblack.forms import AppealForm, DecisionForm, files_help
from redblack.models import Entry


@role_required()
def appeal_new(request, pk: int):
    entry = get_object_or_404(Entry.objects.select_related("publication", "county", "indicator"), pk=pk)
    if not is_clerk_of(request.user, entry.county_id):
        raise PermissionDenied
    form = AppealForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                appeals.file(request.user, entry, reason=form.cleaned_data["reason"], files=form.cleaned_data["files"])
            except (appeals.AppealError, EvidenceError) as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("申诉已提交，等待州级处理。"))
                return redirect("redblack-appeals")
        status = 400
    return render(request, "redblack/appeal_new.html", {
        "entry": entry, "form": form, "files_help": files_help(), "window_ends": appeals.window_ends(entry),
        "may_appeal": appeals.may_appeal(request.user, entry)}, status=status)


@role_required()
@require_GET
def appeals_page(request):
    rows = list(appeals.visible_to(request.user).prefetch_related("evidence"))
    return render(request, "redblack/appeals.html", {
        "appeals": rows, "can_decide": can_review(request.user), "decision_form": DecisionForm(),
        "pending": AppealStatus.PENDING})


@role_required()
@require_POST
def appeal_decide(request, pk: int):
    if not can_review(request.user):  # before the form is read (appeals.decide checks again)
        raise PermissionDenied
    appeal = get_object_or_404(appeals.visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写处理意见并选择结论。"))
        return redirect("redblack-appeals")
    try:
        decided = appeals.decide(request.user, appeal, uphold=form.cleaned_data["uphold"],
                                 decision=form.cleaned_data["decision"])
    except appeals.AppealError as e:
        messages.error(request, str(e))
    else:
        if decided.correction_id:
            messages.success(request, _("申诉成立，已发布更正版本（第%(version)s版）。") % {
                "version": decided.correction.version})
        else:
            messages.success(request, _("已驳回申诉。"))
    return redirect("redblack-appeals")
