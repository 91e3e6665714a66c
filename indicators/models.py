"""The indicator catalogue: plans, their numbered tasks (重点工作), responsible units, indicators and targets.

Loaded from ``fixtures/catalogue/*.yaml`` (see SCHEMA.md there); administrators correct it in the admin.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.choices import Direction, Kind, Level, Rollup
from places.choices import Tier
from indicators.targets import TargetSpec


class Plan(models.Model):
    """One of the eight 2022 implementation plans (实施方案); a plan belongs to a planning cycle."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    cycle = models.CharField(_("规划周期"), max_length=20, default="2022-2025")
    issued = models.DateField(_("印发日期"), null=True, blank=True)
    document = models.CharField(_("文号"), max_length=100, blank=True)
    goals = models.TextField(_("目标任务"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")

    def __str__(self) -> str:
        return self.short_name or self.name


class ResponsibleUnit(models.Model):
    """A 责任单位 named in a task (州教育体育局, 州财政局, 各县（市）党委和人民政府 …)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    """A numbered 重点工作 (or 保障措施) of a plan, with its lead and co-operating units."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("实施方案"))
    number = models.PositiveSmallIntegerField(_("序号"))
    section = models.CharField(_("所属部分"), max_length=100, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    note = models.TextField(_("备注"), blank=True)
    lead_units = models.ManyToManyField(
        ResponsibleUnit, related_name="led_tasks", blank=True, verbose_name=_("牵头单位")
    )
    cooperating_units = models.ManyToManyField(
        ResponsibleUnit, related_name="cooperating_tasks", blank=True, verbose_name=_("配合单位")
    )

    class Meta:
        ordering = ["plan__order", "number"]
        verbose_name = _("重点工作")
        verbose_name_plural = _("重点工作")
        constraints = [
            # A plan's task numbers are how the plan itself refers to them.
            models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number_in_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.short_name or self.plan.code} {self.number}. {self.title}"


class Unit(models.Model):
    """A unit of measurement an indicator may use (%, 所, 人, 台/百生, 是/否 …)."""

    code = models.CharField(_("符号"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    kinds = models.JSONField(_("适用类型"), default=list)

    class Meta:
        ordering = ["code"]
        verbose_name = _("计量单位")
        verbose_name_plural = _("计量单位")

    def __str__(self) -> str:
        return self.code


class Indicator(models.Model):
    """One measurable quantity of a task, with its targets. ``code`` is stable: figures refer to it."""

    code = models.CharField(_("指标代码"), max_length=20, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("实施方案"))
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="indicators", verbose_name=_("重点工作")
    )
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("单位"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    direction = models.CharField(_("方向"), max_length=16, choices=Direction.choices)
    level = models.CharField(_("考核层级"), max_length=16, choices=Level.choices, default=Level.COUNTY)
    rollup = models.CharField(_("汇总方式"), max_length=16, choices=Rollup.choices)
    numerator_rule = models.CharField(_("分子口径"), max_length=300, blank=True)
    denominator_rule = models.CharField(_("分母口径"), max_length=300, blank=True)
    may_exceed_100 = models.BooleanField(_("可超过100%"), default=False)
    source = models.TextField(_("方案原文"))
    note = models.TextField(_("说明"), blank=True)
    retired = models.BooleanField(_("已停用"), default=False)
    order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan__order", "order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            # Only rates may exceed 100 %, and only when the plan's quantity is a gross rate.
            models.CheckConstraint(
                condition=models.Q(may_exceed_100=False) | models.Q(kind=Kind.RATE),
                name="indicator_exceed_100_only_for_rates",
            ),
            # A milestone is done or not done: nothing else makes sense for it.
            models.CheckConstraint(
                condition=~models.Q(kind=Kind.MILESTONE) | models.Q(direction=Direction.DONE),
                name="indicator_milestone_direction_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def prefecture_only(self) -> bool:
        """Reported by the prefecture alone (全州…, no county figures to roll up)."""
        return self.level == Level.PREFECTURE and self.rollup == Rollup.NONE


class Target(models.Model):
    """A target value with its deadline year, for all counties, one tier, or named counties.

    ``year`` null is a standing rule that holds every year (e.g. 每年不少于90学时).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)
    tier = models.PositiveSmallIntegerField(_("适用分类区"), choices=Tier.choices, null=True, blank=True)
    counties = models.ManyToManyField(
        "places.County", blank=True, related_name="targets", verbose_name=_("适用县市")
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[counties])

    class Meta:
        ordering = ["indicator", "year", "tier"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")

    def spec(self) -> TargetSpec:
        """The target as plain values for ``indicators.targets`` (read ``counties`` prefetched to avoid a query)."""
        return TargetSpec(self.year, self.value, self.tier, frozenset(c.code for c in self.counties.all()))

    def __str__(self) -> str:
        year = self.year or _("每年")
        return f"{self.indicator.code} {year}: {self.value.normalize()}"
