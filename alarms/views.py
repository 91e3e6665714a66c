"""The alarm centre (报警中心), one alarm with its record, silences, the bell's list and the rhythm's pages."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from alarms import actions, services
from alarms.forms import AcknowledgeForm, AlarmFilterForm, SilenceForm
from alarms.models import Notification, NotificationSetting, Silence
from alarms.queries import alarms_visible_to, counts_by_colour
from indicators.models import Plan
from liangshan_edu.roles import can_review
from liangshan_edu.views import role_required
from places.models import County

PAGE_SIZE = 100


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@role_required()
@require_GET
def alarm_centre(request):
    """报警中心: the alarms the user may see, filtered; officials acknowledge open ones with a comment."""
    counties = list(County.objects.visible_to(request.user))
    form = AlarmFilterForm(request.GET, counties=counties, plans=Plan.objects.all())
    alarms = form.apply(alarms_visible_to(request.user))
    page = Paginator(alarms, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    actions.attach(request.user, shown)
    return render(request, "alarms/centre.html", {
        "form": form, "page": page, "alarms": shown, "colours": counts_by_colour(request.user),
        "can_acknowledge": can_review(request.user), "ack_form": AcknowledgeForm(),
    })


@role_required()
@require_GET
def alarm_detail(request, pk: int):
    alarm = get_object_or_404(alarms_visible_to(request.user), pk=pk)
    actions.attach(request.user, [alarm])
    record = [(r, services.EVENTS.get(r.history_change_reason, r.history_change_reason or ""))
              for r in alarm.history.select_related("history_user").order_by("history_date")]
    return render(request, "alarms/detail.html", {
        "alarm": alarm, "record": record, "can_acknowledge": can_review(request.user) and alarm.status == "open",
        "ack_form": AcknowledgeForm(),
    })


@role_required()
@require_POST
def acknowledge(request, pk: int):
    alarm = get_object_or_404(alarms_visible_to(request.user), pk=pk)
    if not can_review(request.user):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写确认意见。"))
        services.acknowledge(request.user, alarm, form.cleaned_data["comment"])
        messages.success(request, _("报警已确认。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return _back(request, "alarm-centre")


@role_required()
def silences(request):
    """Silences (approved exemptions): everyone with a role reads them; officials add one."""
    form = SilenceForm(request.POST or None)
    if request.method == "POST":
        if not can_review(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.silence(request.user, **form.cleaned_data)
                messages.success(request, _("已静默。到期后自动恢复。"))
                return redirect("alarm-silences")
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
    visible = County.objects.visible_to(request.user)
    return render(request, "alarms/silences.html", {
        "silences": Silence.objects.filter(county__in=visible).select_related("rule", "county", "created_by"),
        "form": form, "can_silence": can_review(request.user),
    })


@role_required()
def notifications(request):
    """The bell's items: unread first; mark one or all read; choose e-mail."""
    if request.method == "POST":
        if "email" in request.POST:
            setting, _created = NotificationSetting.objects.get_or_create(user=request.user)
            setting.email = request.POST.get("email") == "1"
            setting._history_user = request.user
            setting.save()
        else:
            ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
            services.mark_read(request.user, ids or None)
        return redirect("notifications")
    items = list(Notification.objects.filter(user=request.user).select_related("alarm")[:200])
    setting = NotificationSetting.objects.filter(user=request.user).first()
    return render(request, "alarms/notifications.html", {
        "items": items, "email_on": bool(setting and setting.email), "has_address": bool(request.user.email),
    })




@role_required()
@require_GET
def unread(request):
    """The bell's figure: the user's unread items (alarms in scope told to them, returned figures, bulletins)."""
    from django.http import JsonResponse

    from alarms.queries import unread_count

    n = unread_count(request.user)
    return JsonResponse({"unread": n, "label": _("我的通知（%(n)s 条未读）") % {"n": n}})


# ── the rhythm (日动态、周调度、月通报、季挂榜) ──────────────────────────────────────────────────────────────────

RHYTHM_JOBS = [("daily", gettext_lazy("日动态")), ("weekly", gettext_lazy("周调度")),
               ("monthly", gettext_lazy("月通报")), ("quarterly", gettext_lazy("季挂榜"))]


def _schedule() -> list[dict]:
    """The rhythm's beat schedule as officials read it (from the settings beat starts with)."""
    from django.conf import settings

    labels = dict(RHYTHM_JOBS)

    def describe(schedule) -> str:
        if hasattr(schedule, "_orig_minute"):  # a crontab: minute hour day-of-month month day-of-week
            return " ".join(str(getattr(schedule, f"_orig_{k}")) for k in
                            ("minute", "hour", "day_of_month", "month_of_year", "day_of_week"))
        return str(schedule)

    out = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if entry["task"] == "alarms.tasks.run_rhythm":
            out.append({"name": labels.get(entry["args"][0], name), "schedule": describe(entry["schedule"])})
        elif entry["task"] == "alarms.tasks.run_clock":
            out.append({"name": _("报警时钟（填报截止、督导回复、升级）"), "schedule": describe(entry["schedule"])})
    return out


@role_required()
@require_GET
def rhythm_page(request):
    from alarms.models import Digest, Dispatch, Publication

    visible = County.objects.visible_to(request.user)
    return render(request, "alarms/rhythm.html", {
        "publications": list(Publication.objects.select_related("published_by")[:60]),
        "dispatches": list(Dispatch.objects.filter(county__in=visible).select_related("county")[:60]),
        "digests": list(Digest.objects.filter(user=request.user)[:14]),
        "schedule": _schedule(), "jobs": RHYTHM_JOBS,
        "can_run": can_review(request.user),
    })


@role_required()
@require_POST
def rhythm_run(request):
    from alarms import rhythm

    if not can_review(request.user):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    if kind not in rhythm.KINDS:
        messages.error(request, _("未知的任务。"))
        return redirect("rhythm")
    n = rhythm.run(kind, user=request.user)
    messages.success(request, _("已生成 %(n)s 项。") % {"n": n} if n else _("本期已生成，未作改动。"))
    return redirect("rhythm")


@role_required()
@require_GET
def publication(request, pk: int):
    """A bulletin or ranking exactly as published (printable), with its other versions."""
    from alarms.models import Publication

    pub = get_object_or_404(Publication, pk=pk)
    versions = list(Publication.objects.filter(kind=pub.kind, period=pub.period).order_by("version"))
    return render(request, "alarms/publication.html", {"pub": pub, "versions": versions, "c": pub.content})


@role_required()
@require_GET
def dispatch(request, pk: int):
    from alarms.models import Dispatch

    d = get_object_or_404(Dispatch.objects.filter(county__in=County.objects.visible_to(request.user))
                          .select_related("county"), pk=pk)
    return render(request, "alarms/dispatch.html", {"d": d, "c": d.content})
