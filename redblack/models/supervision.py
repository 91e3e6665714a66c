"""Supervision notices (督导通知, 一事一单): the rectification plan, progress reports with evidence, the colour
history (催办, yellow, red) and who saw a notice when."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from redblack.choices import Colour, EventKind, NoticeStatus


class SupervisionNotice(models.Model):
    """A notice to one county naming its lagging indicators, with a reply deadline.

    ``open`` until the county replies with a rectification plan (``replied``); the official verifies and closes
    it (销号, ``closed``) or sends it back (``open`` again, with a comment). ``colour`` turns yellow past the
    deadline and red ``REDBLACK_RED_AFTER_DAYS`` later while no reply is in (``redblack.tasks``).
    """

    county = models.ForeignKey("places.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县市"))
    indicators = models.ManyToManyField("indicators.Indicator", related_name="+", verbose_name=_("督导指标"))
    figures = models.JSONField(_("发出时的数据"), default=list)
    title = models.CharField(_("标题"), max_length=200)
    message = models.TextField(_("督导内容"))
    deadline = models.DateField(_("回复期限"))
    status = models.CharField(_("状态"), max_length=8, choices=NoticeStatus.choices, default=NoticeStatus.OPEN)
    colour = models.CharField(_("督办等级"), max_length=8, choices=Colour.choices, default=Colour.GREEN)
    reply = models.TextField(_("整改回复"), blank=True)
    comment = models.TextField(_("州级意见"), blank=True)
    entry = models.ForeignKey("redblack.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="notices",
                              verbose_name=_("来源榜单条目"))
    alarm = models.ForeignKey("alarms.Alarm", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("来源报警"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发出人"))
    created_at = models.DateTimeField(_("发出时间"), auto_now_add=True)
    first_replied_at = models.DateTimeField(_("首次回复时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("最近回复时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("销号人"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("督导通知")
        verbose_name_plural = _("督导通知")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=NoticeStatus.values), name="notice_status_valid"),
            models.CheckConstraint(condition=models.Q(colour__in=Colour.values), name="notice_colour_valid"),
            # A closed notice says who closed it and when (销号 is a checked act, not a state that drifts in).
            models.CheckConstraint(condition=~models.Q(status=NoticeStatus.CLOSED)
                                   | models.Q(closed_at__isnull=False, closed_by__isnull=False),
                                   name="notice_closed_by_someone"),
        ]
        indexes = [models.Index(fields=["county", "status"], name="notice_county_status")]

    def __str__(self) -> str:
        return f"{self.county} {self.title}"


class PlanItem(models.Model):
    """One line of the county's rectification plan (整改方案): per indicator the cause, the measures, the
    responsible person and the dates."""

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.CASCADE, related_name="plan",
                               verbose_name=_("督导通知"))
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("指标"))
    cause = models.TextField(_("滞后原因"))
    measures = models.TextField(_("整改措施"))
    responsible = models.CharField(_("责任人"), max_length=100)
    start = models.DateField(_("开始日期"))
    due = models.DateField(_("完成时限"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["notice", "indicator__code"]
        verbose_name = _("整改方案")
        verbose_name_plural = _("整改方案")
        constraints = [
            models.UniqueConstraint(fields=["notice", "indicator"], name="planitem_one_per_indicator"),
            # A plan ends after it starts.
            models.CheckConstraint(condition=models.Q(due__gte=models.F("start")), name="planitem_dates_ordered"),
        ]


class ProgressReport(models.Model):
    """A progress report (整改进展) the county sends after its plan, with evidence files."""

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.CASCADE, related_name="reports",
                               verbose_name=_("督导通知"))
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("报送人"))
    created_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")


class Evidence(models.Model):
    """An evidence file (佐证材料) of a progress report or of an appeal, stored under MEDIA_ROOT and served only
    to those who may read what it belongs to (``redblack.evidence``)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="evidence", verbose_name=_("整改进展"))
    appeal = models.ForeignKey("redblack.Appeal", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="evidence", verbose_name=_("申诉"))
    file = models.FileField(_("文件"), upload_to="redblack/%Y/%m/", max_length=200)
    name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("字节数"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            # A file belongs to exactly one report or one appeal: that is whose readers may download it.
            models.CheckConstraint(condition=models.Q(report__isnull=False, appeal__isnull=True)
                                   | models.Q(report__isnull=True, appeal__isnull=False),
                                   name="evidence_has_one_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class NoticeEvent(models.Model):
    """What happened to a notice, in order: the colour history (催办, yellow, red), replies, send-backs, 销号."""

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("督导通知"))
    kind = models.CharField(_("事件"), max_length=10, choices=EventKind.choices)
    colour = models.CharField(_("督办等级"), max_length=8, choices=Colour.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("操作人"), help_text=_("空表示系统定时任务"))
    comment = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("督导记录")
        verbose_name_plural = _("督导记录")
        constraints = [
            # The beat task may run twice: a reminder and each colour change happen once per notice.
            models.UniqueConstraint(fields=["notice", "kind"], condition=models.Q(kind__in=["reminded", "yellow", "red"]),
                                    name="noticeevent_once_per_notice"),
        ]


class NoticeView(models.Model):
    """Who opened a notice, first and last (the notice lists them)."""

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.CASCADE, related_name="views",
                               verbose_name=_("督导通知"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("查看人"))
    first_seen = models.DateTimeField(_("首次查看"), auto_now_add=True)
    last_seen = models.DateTimeField(_("最近查看"))
    times = models.PositiveIntegerField(_("查看次数"), default=1)

    class Meta:
        ordering = ["first_seen"]
        verbose_name = _("查看记录")
        verbose_name_plural = _("查看记录")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="noticeview_unique")]
