"""Alarms (智能报警): the rules administrators edit, the alarms the recompute and the clock raise, silences
(approved exemptions) and per-user notifications."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alarms.choices import ACTIVE, Audience, Delivery, Kind, Severity, Status


class AlarmRule(models.Model):
    """One rule per kind: its colour, its parameter (days), who is told, how, and when it escalates.

    Shipped with defaults (``alarms.defaults``); administrators change them in the admin, every change audited.
    """

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, unique=True)
    severity = models.CharField(_("颜色等级"), max_length=8, choices=Severity.choices)
    days = models.PositiveSmallIntegerField(
        _("天数"), null=True, blank=True,
        help_text=_("填报即将截止：截止前多少天提醒；督导回复即将到期：到期前多少天提醒；其他类型不用"))
    audience = models.CharField(_("通知对象"), max_length=16, choices=Audience.choices, default=Audience.CLERK)
    delivery = models.CharField(_("通知方式"), max_length=16, choices=Delivery.choices, default=Delivery.DIGEST)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("升级间隔（天）"), null=True, blank=True,
        help_text=_("报警未处理超过这么多天，颜色升一级并通知上一级；空表示不升级"))
    enabled = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("报警规则")
        verbose_name_plural = _("报警规则")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class AlarmQuerySet(models.QuerySet):
    def active(self) -> AlarmQuerySet:
        return self.filter(status__in=ACTIVE)

    def visible_to(self, user) -> AlarmQuerySet:
        """Officials, auditors and administrators see every alarm; a clerk their county's; anyone else none."""
        from liangshan_edu.roles import can_read_all, county_of

        if can_read_all(user):
            return self
        county = county_of(user)
        return self.filter(county=county) if county else self.none()


class Alarm(models.Model):
    """One cause (rule × county × indicator × period) while it lasts: raised by the recompute or the clock, never
    typed in; acknowledged by an official with a comment; resolved by itself when the cause goes away."""

    rule = models.ForeignKey(AlarmRule, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("规则"))
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    county = models.ForeignKey("places.County", on_delete=models.CASCADE, related_name="alarms",
                               verbose_name=_("县市"))
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="alarms", verbose_name=_("指标"))
    period = models.CharField(_("期次"), max_length=32, blank=True,
                              help_text=_("填报年度、督导通知编号等；指标状态类报警为空"))
    cause = models.CharField(_("原因键"), max_length=120, editable=False)
    severity = models.CharField(_("颜色等级"), max_length=8, choices=Severity.choices)
    audience = models.CharField(_("通知对象"), max_length=16, choices=Audience.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    message = models.TextField(_("说明"))
    raised_at = models.DateTimeField(_("报警时间"), default=timezone.now)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("确认人"))
    comment = models.TextField(_("确认意见"), blank=True)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AlarmQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        constraints = [
            # One alarm per cause until it is resolved: the recompute and the clock never duplicate one.
            models.UniqueConstraint(fields=["cause"], condition=Q(status__in=ACTIVE), name="alarm_one_per_cause"),
            # An acknowledgement always says what the official did or decided.
            models.CheckConstraint(condition=~Q(status=Status.ACKNOWLEDGED) | ~Q(comment=""),
                                   name="alarm_acknowledged_has_comment"),
            models.CheckConstraint(condition=~Q(status=Status.RESOLVED) | Q(resolved_at__isnull=False),
                                   name="alarm_resolved_has_time"),
        ]
        indexes = [
            models.Index(fields=["status", "county"], name="alarm_status_county"),
            models.Index(fields=["kind", "status"], name="alarm_kind_status"),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.get_kind_display()}"

    @property
    def duration(self) -> timedelta:
        """How long it was (or has been) open."""
        return (self.resolved_at or timezone.now()) - self.raised_at


def cause_key(kind: str, county_id: int, indicator_id: int | None, period: str = "") -> str:
    return f"{kind}:{county_id}:{indicator_id or '-'}:{period}"


class SilenceQuerySet(models.QuerySet):
    def in_force(self, day=None) -> SilenceQuerySet:
        return self.filter(until__gte=day or timezone.localdate())


class Silence(models.Model):
    """An approved exemption: a rule is silenced for a county until a date (inclusive), with a reason. It expires
    by itself; its record stays (audited)."""

    rule = models.ForeignKey(AlarmRule, on_delete=models.PROTECT, related_name="silences", verbose_name=_("规则"))
    county = models.ForeignKey("places.County", on_delete=models.CASCADE, related_name="alarm_silences",
                               verbose_name=_("县市"))
    until = models.DateField(_("静默至"))
    reason = models.TextField(_("原因"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("批准人"))
    created_at = models.DateTimeField(_("批准时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = SilenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("报警静默")
        verbose_name_plural = _("报警静默")
        constraints = [
            # An exemption is approved for a reason an auditor can read.
            models.CheckConstraint(condition=~Q(reason=""), name="silence_has_reason"),
        ]


class Notification(models.Model):
    """One item of a user's bell: an alarm raised or escalated to them, or a published bulletin. Read or not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    text = models.CharField(_("内容"), max_length=300)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]


class NotificationSetting(models.Model):
    """A user's choice: e-mail for alarms sent at once (and the daily digest), where the user has an address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_setting")
    email = models.BooleanField(_("接收邮件"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")


# ── the rhythm: 日动态、周调度、月通报、季挂榜 ──────────────────────────────────────────────────────────────

class Digest(models.Model):
    """日动态: one digest per user and day — what happened in the user's scope — instead of one message per event."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField(_("日期"))
    items = models.JSONField(_("动态"), default=list)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("日动态")
        verbose_name_plural = _("日动态")
        constraints = [
            # Idempotent per period: running the job twice for a day changes nothing.
            models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_user_day"),
        ]


class Dispatch(models.Model):
    """周调度: one dispatch per county and ISO week — missing, returned, overdue, open alarms — e-mailed to the
    county's clerks and shown on a page."""

    county = models.ForeignKey("places.County", on_delete=models.CASCADE, related_name="dispatches",
                               verbose_name=_("县市"))
    week = models.CharField(_("周次"), max_length=10, help_text=_("如 2026-W49"))
    content = models.JSONField(_("内容"), default=dict)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    emailed_to = models.TextField(_("已发送至"), blank=True)

    class Meta:
        ordering = ["-week", "county"]
        verbose_name = _("周调度")
        verbose_name_plural = _("周调度")
        constraints = [
            models.UniqueConstraint(fields=["county", "week"], name="dispatch_one_per_county_week"),
        ]


class Publication(models.Model):
    """月通报 (monthly bulletin) or 季挂榜 (quarterly ranking), as published: never changed afterwards. A correction
    is a new version of the same period; every version stays visible."""

    class Kind(models.TextChoices):
        BULLETIN = "bulletin", _("月通报")
        RANKING = "ranking", _("季挂榜")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("期次"), max_length=10, help_text=_("如 2026-11 或 2026-Q4"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    content = models.JSONField(_("内容"))
    correction = models.TextField(_("更正说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    # PROTECT: a published row never changes, not even to forget who published it (the database refuses it too,
    # migration 0003); empty when beat published it.
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("发布人"))

    class Meta:
        ordering = ["-period", "-version"]
        verbose_name = _("通报与挂榜")
        verbose_name_plural = _("通报与挂榜")
        constraints = [
            models.UniqueConstraint(fields=["kind", "period", "version"], name="publication_unique_version"),
            # A later version is a correction and says what it corrects.
            models.CheckConstraint(condition=Q(version=1) | ~Q(correction=""), name="publication_correction_said"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a publication never changes after it is published; publish a new version")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} v{self.version}"
