"""List rules (data), published lists (immutable versions) and appeals against their entries."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from redblack.choices import AppealStatus, ListKind


class ListRule(models.Model):
    """One rule that puts counties or county × indicator pairs on a list: a named rule function of
    ``redblack.rules`` with its parameters. Administrators edit these; the defaults ship as data."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    list = models.CharField(_("榜单"), max_length=8, choices=ListKind.choices)
    function = models.CharField(_("规则函数"), max_length=40,
                                help_text=_("redblack.rules 中登记的规则名，如 newly_achieved、lagging_items"))
    params = models.JSONField(_("参数"), default=dict, blank=True, help_text=_('如 {"count": 3}'))
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    source = models.TextField(_("依据"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["list", "order", "code"]
        verbose_name = _("红黑榜规则")
        verbose_name_plural = _("红黑榜规则")

    def __str__(self) -> str:
        return f"{self.get_list_display()} · {self.name}"

    def clean(self) -> None:
        from redblack.rules import REGISTRY

        if self.function not in REGISTRY:
            raise ValidationError({"function": _("未登记的规则函数：%(name)s（可用：%(names)s）") % {
                "name": self.function, "names": "、".join(sorted(REGISTRY))}})
        if not isinstance(self.params, dict):
            raise ValidationError({"params": _("参数须为 JSON 对象。")})
        count = self.params.get("count")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValidationError({"params": _("count 须为正整数。")})


class ImmutableQuerySet(models.QuerySet):
    """Published rows are never changed or removed, not even in bulk."""

    def update(self, **kwargs):
        raise ValidationError(_("已发布的榜单不可修改；更正请发布新版本。"))

    def delete(self):
        raise ValidationError(_("已发布的榜单不可删除；更正请发布新版本。"))


class Immutable(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("已发布的榜单不可修改；更正请发布新版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("已发布的榜单不可删除；更正请发布新版本。"))


class Publication(Immutable):
    """The lists of one period (``2026-11`` monthly, ``2026-Q3`` quarterly) as published from one data year.

    Version 1 is the original; a correction is version 2, 3 … of the same period, naming the version it corrects
    and why; every version stays visible. The current lists of a period are its highest version.
    """

    period = models.CharField(_("期次"), max_length=7)
    year = models.PositiveSmallIntegerField(_("数据年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
                                 verbose_name=_("更正的版本"))
    reason = models.TextField(_("更正原因"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发布人"))
    rules = models.JSONField(_("适用规则"), default=list, help_text=_("发布时所用规则及参数"))
    changes = models.JSONField(_("与上一版相比"), null=True, blank=True,
                               help_text=_("更正版本发布时记下的变化：各类条数及前若干条（lists.summary）"))
    withdrawn = models.JSONField(_("已撤下的条目"), default=list, blank=True,
                                 help_text=_("更正时撤下、此后各版本不再列入的条目：[榜单, 县市代码, 指标代码, 规则]"))

    class Meta:
        ordering = ["-published_at", "-version"]
        verbose_name = _("红黑榜发布")
        verbose_name_plural = _("红黑榜发布")
        constraints = [
            # A period is published once; every later version is a correction of it.
            models.UniqueConstraint(fields=["period", "version"], name="publication_unique_period_version"),
            # A correction says what it corrects and why; an original corrects nothing.
            models.CheckConstraint(condition=(models.Q(version=1, corrects__isnull=True)
                                              | models.Q(version__gt=1, corrects__isnull=False) & ~models.Q(reason="")),
                                   name="publication_correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.period} v{self.version}"


class Entry(Immutable):
    """One line of a published list: a county (``indicator`` empty) or a county × indicator, with the rule that
    put it there and the reason a person reads, figures rounded as shown."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="entries",
                                    verbose_name=_("发布"))
    list = models.CharField(_("榜单"), max_length=8, choices=ListKind.choices)
    county = models.ForeignKey("places.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县市"))
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("指标"))
    rule = models.CharField(_("规则"), max_length=40)
    reason = models.TextField(_("理由"))
    figures = models.JSONField(_("数据"), default=dict)
    position = models.PositiveIntegerField(_("序号"), default=0)
    change = models.CharField(_("相对上一版"), max_length=8, blank=True, default="",
                              help_text=_("更正版本中：本版新增（added）或理由、数据有变化（changed）"))

    class Meta:
        ordering = ["publication", "list", "position"]
        verbose_name = _("榜单条目")
        verbose_name_plural = _("榜单条目")
        indexes = [models.Index(fields=["county", "list"], name="entry_county_list")]

    def __str__(self) -> str:
        return f"{self.publication} {self.list} {self.county_id} {self.indicator_id or '-'}"


class Appeal(models.Model):
    """A county's appeal (申诉) against one entry, within ``REDBLACK_APPEAL_DAYS`` of publication; an official
    upholds it (a correction version without the entry is published) or rejects it, with a reason."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("条目"))
    county = models.ForeignKey("places.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县市"))
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(_("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decision = models.TextField(_("处理意见"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("申诉人"))
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    correction = models.ForeignKey(Publication, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("更正版本"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("红黑榜申诉")
        verbose_name_plural = _("红黑榜申诉")
        constraints = [
            # An appeal needs a reason; a decided one names why.
            models.CheckConstraint(condition=~models.Q(reason=""), name="appeal_has_reason"),
            models.CheckConstraint(condition=models.Q(status=AppealStatus.PENDING) | ~models.Q(decision=""),
                                   name="appeal_decision_has_reason"),
            # One open appeal per entry at a time.
            models.UniqueConstraint(fields=["entry"], condition=models.Q(status=AppealStatus.PENDING),
                                    name="appeal_one_pending_per_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.status}"
