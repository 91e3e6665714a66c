"""The life of a supervision notice (督导通知): created by an official in one click, answered by the county with a
rectification plan and progress reports, closed (销号) or sent back by the official, reminded (催办) and
escalated by the beat task. Pages, API and tasks call these functions; nothing else changes a notice."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alarms.models import Alarm
from assessment.choices import ProgressStatus
from assessment.queries import default_year, progress_visible_to
from indicators.models import Indicator
from liangshan_edu.formats import plain
from liangshan_edu.roles import can_review, is_clerk_of
from places.models import County
from redblack import conf, evidence, notify
from redblack.choices import Colour, EventKind, NoticeStatus
from redblack.models import Entry, NoticeEvent, NoticeView, PlanItem, ProgressReport, SupervisionNotice
from redblack.rules import shown


class NoticeError(ValueError):
    """A change the notice's state does not allow (the API answers 409, a page shows the message)."""


@dataclass
class Draft:
    """What the one-click form is prefilled with."""

    county: County
    indicators: list[Indicator]
    figures: list[dict]
    deadline: date
    title: str
    message: str
    entry: Entry | None = None
    year: int | None = None
    alarm: Alarm | None = None
    selected: list[int] = field(default_factory=list)


def lagging(user, county: County, year: int | None) -> tuple[list[Indicator], list[dict]]:
    """The county's off-track or overdue indicators in ``year`` with their figures (rounded as shown)."""
    if year is None:
        return [], []
    rows = list(progress_visible_to(user).filter(area=county.code, year=year)
                .filter(Q(status=ProgressStatus.OFF_TRACK) | Q(overdue=True))
                .order_by("indicator__plan__order", "indicator__order", "indicator__code"))
    figures = [{"indicator": p.indicator.code, "name": p.indicator.name, "year": year,
                "value": plain(shown(p.value)), "expected": plain(shown(p.expected)),
                "target": plain(shown(p.target)), "target_year": p.target_year, "status": p.status,
                "overdue": p.overdue} for p in rows]
    return [p.indicator for p in rows], figures


def _year(user, county: County) -> int | None:
    """The data year of a notice from a county page: the project's default year (the latest with approved
    figures), else the county's latest year of progress."""
    return default_year(user) or progress_visible_to(user).filter(area=county.code).aggregate(y=Max("year"))["y"]


def draft(user, county: County, entry: Entry | None = None, today: date | None = None,
          alarm: Alarm | None = None) -> Draft:
    """The prefilled notice for a county (from a black-list entry: its data year, its indicator first; from an
    alarm: its indicator first, the alarm quoted)."""
    year = entry.publication.year if entry else _year(user, county)
    indicators, figures = lagging(user, county, year)
    if entry and entry.indicator and entry.indicator not in indicators:
        indicators.insert(0, entry.indicator)
        figures.insert(0, {"indicator": entry.indicator.code, "name": entry.indicator.name, "year": year,
                           **{k: v for k, v in entry.figures.items() if k != "year"}})
    if alarm and alarm.indicator and alarm.indicator not in indicators:
        indicators.insert(0, alarm.indicator)
        figures.insert(0, {"indicator": alarm.indicator.code, "name": alarm.indicator.name, "year": year})
    deadline = (today or timezone.localdate()) + timedelta(days=conf.reply_days())
    names = "、".join(f"{i.code} {i.name}" for i in indicators[:5]) + ("等" if len(indicators) > 5 else "")
    title = _("关于%(county)s%(n)s项指标滞后的督导通知") % {"county": county.name, "n": len(indicators)}
    message = _("%(county)s：经监测，你县以下指标%(year)s年度严重滞后或逾期未达标：%(names)s。请于%(deadline)s前"
                "报送整改方案（逐项列明滞后原因、整改措施、责任人和完成时限），并按期报送整改进展及佐证材料。") % {
        "county": county.name, "year": year or "", "names": names or _("（无）"), "deadline": deadline.isoformat()}
    if entry is not None:
        message = _("依据红黑榜（%(period)s）：%(reason)s。") % {"period": entry.publication.period,
                                                             "reason": entry.reason} + "\n" + message
    if alarm is not None:
        message = _("依据智能报警（%(kind)s，%(raised)s）：%(text)s。") % {
            "kind": alarm.get_kind_display(), "raised": timezone.localtime(alarm.raised_at).strftime("%Y-%m-%d"),
            "text": alarm.message} + "\n" + message
    return Draft(county, indicators, figures, deadline, title, message, entry, year, alarm,
                 [i.pk for i in indicators])


def _event(notice: SupervisionNotice, kind: str, by=None, comment: str = "") -> NoticeEvent:
    return NoticeEvent.objects.create(notice=notice, kind=kind, colour=notice.colour, by=by, comment=comment)


def create(user, county: County, *, indicators: list[Indicator], deadline: date, message: str, title: str = "",
           entry: Entry | None = None, figures: list[dict] | None = None,
           alarm: Alarm | None = None) -> SupervisionNotice:
    """An official issues a notice (一事一单) to a county (from a black-list ``entry`` or an ``alarm``: recorded)."""
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以发出督导通知。"))
    if not indicators:
        raise NoticeError(_("请至少选择一项督导指标。"))
    if not message.strip():
        raise NoticeError(_("请填写督导内容。"))
    if deadline < timezone.localdate():
        raise NoticeError(_("回复期限不能早于今天。"))
    if entry is not None and entry.county_id != county.pk:
        raise NoticeError(_("榜单条目不是该县市的。"))
    if alarm is not None and alarm.county_id != county.pk:
        raise NoticeError(_("报警不是该县市的。"))
    if figures is None:
        wanted = {i.code for i in indicators}
        figures = [f for f in lagging(user, county, entry.publication.year if entry else _year(user, county))[1]
                   if f["indicator"] in wanted]
    with transaction.atomic():
        notice = SupervisionNotice.objects.create(
            county=county, figures=figures, deadline=deadline, message=message.strip(), entry=entry,
            alarm=alarm, title=(title.strip() or _("关于%(county)s指标滞后的督导通知") % {"county": county.name})[:200],
            created_by=user)
        notice.indicators.set(indicators)
        _event(notice, EventKind.CREATED, user)
        notify.notice_step(notice, EventKind.CREATED)
    return notice


def _check_clerk(user, notice: SupervisionNotice) -> None:
    if not is_clerk_of(user, notice.county_id):
        raise PermissionDenied(_("只有该县市的填报员可以回复此督导通知。"))


@dataclass
class PlanLine:
    indicator: Indicator
    cause: str
    measures: str
    responsible: str
    start: date
    due: date


def reply(user, notice: SupervisionNotice, *, text: str, plan: list[PlanLine] | None = None) -> SupervisionNotice:
    """The county's answer: a rectification plan (one line per indicator of the notice) and a summary; the
    notice becomes ``replied``. Only an open notice (new or sent back) takes a reply."""
    _check_clerk(user, notice)
    plan = plan or []
    if not text.strip() and not plan:
        raise NoticeError(_("请填写整改回复或整改方案。"))
    allowed = set(notice.indicators.values_list("pk", flat=True))
    for line in plan:
        if line.indicator.pk not in allowed:
            raise NoticeError(_("指标 %(code)s 不在本通知的督导指标中。") % {"code": line.indicator.code})
        if line.due < line.start:
            raise NoticeError(_("指标 %(code)s 的完成时限早于开始日期。") % {"code": line.indicator.code})
        if not (line.cause.strip() and line.measures.strip() and line.responsible.strip()):
            raise NoticeError(_("指标 %(code)s 须填写滞后原因、整改措施和责任人。") % {"code": line.indicator.code})
    with transaction.atomic():
        locked = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != NoticeStatus.OPEN:
            raise NoticeError(_("此通知当前为“%(status)s”，不能再次回复。") % {"status": locked.get_status_display()})
        now = timezone.now()
        for line in plan:
            PlanItem.objects.update_or_create(notice=locked, indicator=line.indicator, defaults={
                "cause": line.cause.strip(), "measures": line.measures.strip(),
                "responsible": line.responsible.strip(), "start": line.start, "due": line.due})
        locked.reply = text.strip()
        locked.status = NoticeStatus.REPLIED
        locked.replied_at = now
        locked.first_replied_at = locked.first_replied_at or now
        locked._change_reason = "reply"
        locked.save()
        _event(locked, EventKind.REPLIED, user, text.strip())
    return locked


def report_progress(user, notice: SupervisionNotice, *, text: str, files=()) -> ProgressReport:
    """A progress report with evidence, any time before the notice is closed."""
    _check_clerk(user, notice)
    if notice.status == NoticeStatus.CLOSED:
        raise NoticeError(_("此通知已销号。"))
    if not text.strip():
        raise NoticeError(_("请填写整改进展。"))
    for f in files:
        evidence.check(f)
        f.seek(0)
    with transaction.atomic():
        report = ProgressReport.objects.create(notice=notice, text=text.strip(), author=user)
        for f in files:
            evidence.store(user, f, report=report)
        _event(notice, EventKind.REPORTED, user, text.strip())
    return report


def _decide(user, notice: SupervisionNotice, status: str, comment: str, kind: str) -> SupervisionNotice:
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以销号或退回督导通知。"))
    with transaction.atomic():
        locked = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != NoticeStatus.REPLIED:
            raise NoticeError(_("只有已回复的通知可以核查销号或退回（当前：%(status)s）。") % {
                "status": locked.get_status_display()})
        locked.status, locked.comment = status, comment.strip()
        if status == NoticeStatus.CLOSED:
            locked.closed_at, locked.closed_by = timezone.now(), user
        locked.save()
        _event(locked, kind, user, comment.strip())
    return locked


def close(user, notice: SupervisionNotice, comment: str = "") -> SupervisionNotice:
    """销号: the official has checked the rectification."""
    return _decide(user, notice, NoticeStatus.CLOSED, comment, EventKind.CLOSED)


def send_back(user, notice: SupervisionNotice, comment: str) -> SupervisionNotice:
    """The official sends the reply back with a comment: the notice is open again for a new reply."""
    if not comment.strip():
        raise NoticeError(_("退回时请写明意见。"))
    return _decide(user, notice, NoticeStatus.OPEN, comment, EventKind.SENT_BACK)


def seen(user, notice: SupervisionNotice) -> None:
    """Record that ``user`` opened the notice (first and last time)."""
    now = timezone.now()
    view, created = NoticeView.objects.get_or_create(notice=notice, user=user, defaults={"last_seen": now})
    if not created:
        NoticeView.objects.filter(pk=view.pk).update(last_seen=now, times=view.times + 1)


def escalate(today: date | None = None) -> dict[str, int]:
    """The daily run (beat): remind (催办) open notices due within ``SUPERVISION_REMIND_DAYS``; turn open notices
    past their deadline yellow, and ``SUPERVISION_RED_AFTER_DAYS`` later red (reported up: red notices head the
    officials' list and count in the county's record). Idempotent: each step claims a notice with a conditional
    update and records its event once; running it twice on a day changes nothing the second time."""
    today = today or timezone.localdate()
    now = timezone.now()
    open_ = SupervisionNotice.objects.filter(status=NoticeStatus.OPEN)
    done = {"reminded": 0, "yellow": 0, "red": 0}
    steps = [
        ("reminded", open_.filter(reminded_at__isnull=True, deadline__gte=today,
                                  deadline__lte=today + timedelta(days=conf.remind_days())),
         {"reminded_at": now}, EventKind.REMINDED, _("回复期限将至，请按时报送整改方案。")),
        ("yellow", open_.filter(colour=Colour.GREEN, deadline__lt=today),
         {"colour": Colour.YELLOW}, EventKind.YELLOW, _("已过回复期限，转为黄牌督办。")),
        ("red", open_.filter(colour=Colour.YELLOW, deadline__lt=today - timedelta(days=conf.red_after_days())),
         {"colour": Colour.RED}, EventKind.RED, _("逾期未回复，转为红牌督办，报州级分管负责人。")),
    ]
    for name, qs, change, kind, comment in steps:
        for pk in list(qs.values_list("pk", flat=True)):
            with transaction.atomic():
                claimed = qs.filter(pk=pk).update(**change)
                if claimed:
                    notice = SupervisionNotice.objects.select_related("county").get(pk=pk)
                    _event(notice, kind, None, str(comment))
                    notify.notice_step(notice, kind)
                    done[name] += 1
    return done
