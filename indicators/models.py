"""The indicator catalogue: plans, their numbered tasks (重点工作), responsible units, indicators and targets.

Loaded from ``fixtures/catalogue/*.yaml`` (see SCHEMA.md there); administrators correct it in the admin.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.choices import Direction, Kind, Level, Rollup
from places.choices import Tier
from indicators.targets import Condition, TargetSpec


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
    same_as = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="referred_by",
        verbose_name=_("同一要求，见"),
        help_text=_("另一方案中同一要求的指标：本指标不单独填报和计算（如 VOC-11 见 HS-02）"))
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
    """A target value with its deadline year, for all counties, one tier, named counties, or the counties a
    condition on a county attribute selects (30万人口以上的县（市）: population > 300000).

    ``year`` null is a standing rule that holds every year (e.g. 每年不少于90学时).
    """

    class Operator(models.TextChoices):
        GT = "gt", _("大于（以上）")
        GTE = "gte", _("不少于")
        LT = "lt", _("小于")
        LTE = "lte", _("不超过")
        EQ = "eq", _("等于")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)
    tier = models.PositiveSmallIntegerField(_("适用分类区"), choices=Tier.choices, null=True, blank=True)
    counties = models.ManyToManyField(
        "places.County", blank=True, related_name="targets", verbose_name=_("适用县市")
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    condition_attribute = models.CharField(
        _("适用条件：县市属性"), max_length=50, blank=True,
        help_text=_("县市属性代码（如 population）；为空表示不按属性限定适用范围"))
    condition_operator = models.CharField(_("适用条件：比较"), max_length=4, choices=Operator.choices, blank=True)
    condition_value = models.DecimalField(_("适用条件：取值"), max_digits=16, decimal_places=4, null=True,
                                          blank=True)
    condition_text = models.CharField(_("适用条件（方案原话）"), max_length=200, blank=True,
                                      help_text=_("如：30万人口以上的县（市）"))
    upper_value = models.DecimalField(
        _("目标上限"), max_digits=16, decimal_places=4, null=True, blank=True,
        help_text=_("“区间内”方向的指标：目标值为下限，此处为上限"))
    assumed_deadline = models.BooleanField(
        _("推定期限"), default=False,
        help_text=_("方案原文未写期限：按规划期末（如2025年）推定，并在各页面和报表中标明"))
    period = models.PositiveSmallIntegerField(
        _("周期（年）"), default=1,
        help_text=_("常设规则按几年一个周期考核，如“每2年1次”填 2；每年考核填 1"))
    period_from = models.PositiveSmallIntegerField(_("首个周期起始年"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[counties])

    class Meta:
        ordering = ["indicator", "year", "tier"]
        constraints = [
            # A condition is only usable whole: an attribute without its comparison and value selects nothing.
            models.CheckConstraint(
                condition=models.Q(condition_attribute="")
                | (~models.Q(condition_operator="") & models.Q(condition_value__isnull=False)),
                name="target_condition_complete",
            ),
            # An assumed deadline is a deadline: a standing rule (no year) has none to assume.
            models.CheckConstraint(
                condition=models.Q(assumed_deadline=False) | models.Q(year__isnull=False),
                name="target_assumed_deadline_has_year",
            ),
            # A band has its upper bound at or above its lower one.
            models.CheckConstraint(
                condition=models.Q(upper_value__isnull=True) | models.Q(upper_value__gte=models.F("value")),
                name="target_band_ordered",
            ),
            # A period of several years belongs to a standing rule (no deadline) and needs its first year.
            models.CheckConstraint(
                condition=models.Q(period=1) | (models.Q(period__gt=1, year__isnull=True, period_from__isnull=False)),
                name="target_period_standing",
            ),
        ]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")

    def spec(self) -> TargetSpec:
        """The target as plain values for ``indicators.targets`` (read ``counties`` prefetched to avoid a query)."""
        return TargetSpec(self.year, self.value, self.tier, frozenset(c.code for c in self.counties.all()),
                          self.condition, self.period, self.period_from, self.upper_value, self.assumed_deadline)

    @property
    def condition(self) -> Condition | None:
        if not self.condition_attribute:
            return None
        return Condition(self.condition_attribute, self.condition_operator, self.condition_value,
                         self.condition_text)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError
        from places.models import Attribute

        if self.condition_attribute:
            if not Attribute.objects.filter(code=self.condition_attribute).exists():
                raise ValidationError({"condition_attribute": _("没有这个县市属性")})
            if not self.condition_operator or self.condition_value is None or not self.condition_text:
                raise ValidationError(_("按属性限定适用范围时，比较方式、取值和方案原话都要填写"))
            if self.tier is not None:
                raise ValidationError(_("目标的适用范围只能是分类区、指定县市或属性条件之一"))

    def __str__(self) -> str:
        year = self.year or _("每年")
        return f"{self.indicator.code} {year}: {self.value.normalize()}"
