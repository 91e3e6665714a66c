"""The annual assessment of plan 8 (凉山州教育工作考核激励实施方案): the yearly scheme (考评细则) as data, hand
scores, disqualifications, published assessments (immutable versions) and schools with their quality scores.

A published assessment (``Assessment`` and its ``AssessmentRow``) is a snapshot: every score, rank, award and
breakdown is stored as it was published and never rewritten; a correction is a new version.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scoring.choices import ItemKind, Method, Ownership, ScoreStatus, Situation, Stage


class FrozenError(ValidationError):
    """A change to something a published assessment relies on, or to a published assessment itself."""

    frozen_message = _("该年度考核已发布，考评细则不可再修改。")


class Published(models.Model):
    """A row of a published version: written once, by ``services.publish``, then never changed or deleted (the
    database refuses too, ``liangshan_edu.immutable``)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise FrozenError(_("已发布的考核结果不可修改；如需更正，请发布新版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(_("已发布的考核结果不可删除。"))


class Scheme(models.Model):
    """The scoring scheme (考评细则) of one assessment year: items with weights that add up to 100."""

    year = models.PositiveSmallIntegerField(_("考核年度"), unique=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考评细则")
        verbose_name_plural = _("考评细则")

    def __str__(self) -> str:
        return str(self.year)

    @property
    def frozen(self) -> bool:
        """The scheme of a year with a published assessment never changes."""
        return Assessment.objects.filter(year=self.year).exists()

    def save(self, *args, **kwargs):
        if self.pk and Assessment.objects.filter(year=self.year).exists():
            raise FrozenError(_("该年度考核已发布，考评细则不可再修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.frozen:
            raise FrozenError(_("该年度考核已发布，考评细则不可删除。"))
        return super().delete(*args, **kwargs)


class SchemeItem(models.Model):
    """One item of a scheme: computed from the progress engine by a named method over a plan or a group of
    indicators, or scored by hand by an official with a reason. ``weight`` is the item's full points."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items", verbose_name=_("考评细则"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    label = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=ItemKind.choices, default=ItemKind.COMPUTED)
    method = models.CharField(_("计分方法"), max_length=32, choices=Method.choices, blank=True)
    plan = models.ForeignKey("indicators.Plan", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("实施方案"))
    indicators = models.ManyToManyField("indicators.Indicator", blank=True, related_name="+",
                                        verbose_name=_("指标（留空则为该方案全部县级指标）"))
    weight = models.DecimalField(_("分值"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    history = HistoricalRecords(m2m_fields=[indicators])

    class Meta:
        ordering = ["scheme", "order", "pk"]
        verbose_name = _("考评项目")
        verbose_name_plural = _("考评项目")
        constraints = [
            # A computed item needs a method; a hand-scored one has none.
            models.CheckConstraint(
                condition=(models.Q(kind=ItemKind.COMPUTED) & ~models.Q(method=""))
                | (models.Q(kind=ItemKind.HAND) & models.Q(method="")),
                name="schemeitem_method_matches_kind", violation_error_message=_("按进度计算的项目须选计分方法，人工评分项目不选。")),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="schemeitem_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.year} {self.label} ({self.weight})"

    def clean(self) -> None:
        if self.kind == ItemKind.COMPUTED and not self.method:
            raise ValidationError({"method": _("按进度计算的项目须选计分方法。")})
        if self.kind == ItemKind.HAND and self.method:
            raise ValidationError({"method": _("人工评分项目不选计分方法。")})

    def save(self, *args, **kwargs):
        if Assessment.objects.filter(year=self.scheme.year).exists():
            raise FrozenError(_("该年度考核已发布，考评细则不可再修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Assessment.objects.filter(year=self.scheme.year).exists():
            raise FrozenError(_("该年度考核已发布，考评细则不可再修改。"))
        return super().delete(*args, **kwargs)


class HandScore(models.Model):
    """Points an official gives a county on a hand-scored item (e.g. 过程考核), always with a reason."""

    item = models.ForeignKey(SchemeItem, on_delete=models.CASCADE, related_name="hand_scores",
                             verbose_name=_("考评项目"))
    county = models.ForeignKey("places.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县市"))
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    reason = models.TextField(_("评分理由"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("评分人"))
    entered_at = models.DateTimeField(_("评分时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "county"]
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        constraints = [
            # One score per county and item: a change is an edit, kept in the history.
            models.UniqueConstraint(fields=["item", "county"], name="handscore_unique_item_county"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="handscore_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.county}: {self.points}"


class Disqualification(models.Model):
    """One of the plan's five situations recorded against a county or a school for a year: it removes it from
    that year's awards and commendations. Withdrawn (not deleted) when recorded in error."""

    year = models.PositiveSmallIntegerField(_("考核年度"))
    county = models.ForeignKey("places.County", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("县市"))
    school = models.ForeignKey("scoring.School", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="disqualifications", verbose_name=_("学校"))
    situation = models.CharField(_("情形"), max_length=16, choices=Situation.choices)
    reason = models.TextField(_("事由"))
    evidence = models.TextField(_("证据（文件名称、文号或链接）"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("取消评优评先及奖励资格")
        verbose_name_plural = _("取消评优评先及奖励资格")
        constraints = [
            # It concerns exactly one county or one school.
            models.CheckConstraint(
                condition=(models.Q(county__isnull=False) & models.Q(school__isnull=True))
                | (models.Q(county__isnull=True) & models.Q(school__isnull=False)),
                name="disqualification_one_subject", violation_error_message=_("须且只能选择一个县市或一所学校。")),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.county or self.school}: {self.get_situation_display()}"


class Assessment(Published):
    """One published version of a year's county assessment (and of the school rankings and the prefecture
    departments' record of that year): never changed; a correction is version + 1."""

    year = models.PositiveSmallIntegerField(_("考核年度"))
    version = models.PositiveSmallIntegerField(_("版本"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发布人"))
    note = models.TextField(_("说明（更正版须写明更正原因）"), blank=True)
    scheme = models.JSONField(_("所用考评细则"))
    rules = models.JSONField(_("所用考核规则"))
    departments = models.JSONField(_("州级部门考核（发布时）"), default=list, blank=True)

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("已发布考核结果")
        verbose_name_plural = _("已发布考核结果")
        constraints = [
            # Two officials publishing at once cannot both make the same version.
            models.UniqueConstraint(fields=["year", "version"], name="assessment_unique_year_version"),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"


class AssessmentRow(Published):
    """One county in a published assessment, exactly as published (its breakdown included)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="rows")
    county = models.ForeignKey("places.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县市"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("名次"))
    award = models.CharField(_("奖项"), max_length=16, blank=True)
    bonus = models.DecimalField(_("下年度加分"), max_digits=4, decimal_places=2, default=0)
    department_quota_pct = models.PositiveSmallIntegerField(_("部门（单位）表扬名额比例（%）"), default=0)
    bottom_named = models.BooleanField(_("排名后三位"), default=False)
    staff_deduction_pct = models.PositiveSmallIntegerField(_("教育工作者目标绩效奖励金扣减比例（%）"), default=0)
    accountability = models.JSONField(_("责任追究"), default=list)
    disqualified = models.JSONField(_("取消资格情形"), default=list)
    breakdown = models.JSONField(_("得分明细"))

    class Meta:
        ordering = ["assessment", "rank", "county__code"]
        verbose_name = _("考核结果行")
        verbose_name_plural = _("考核结果行")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "county"], name="assessmentrow_unique_county"),
        ]


class School(models.Model):
    """A school (学校), loaded from the reviewable file ``fixtures/schools/*.yaml`` and editable in the admin."""

    code = models.CharField(_("学校代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    county = models.ForeignKey("places.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县市"))
    stage = models.CharField(_("学段"), max_length=16, choices=Stage.choices)
    ownership = models.CharField(_("办学性质"), max_length=8, choices=Ownership.choices, default=Ownership.PUBLIC)
    active = models.BooleanField(_("在办"), default=True)
    demo = models.BooleanField(_("演示数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["county__code", "stage", "code"]
        verbose_name = _("学校")
        verbose_name_plural = _("学校")

    def __str__(self) -> str:
        return self.name


class SchoolScore(models.Model):
    """A school's yearly quality score (教育教学质量考核), entered by its county, approved by the prefecture."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="scores", verbose_name=_("学校"))
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(_("质量得分"), max_digits=6, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=ScoreStatus.choices, default=ScoreStatus.SUBMITTED)
    reason = models.TextField(_("退回原因"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("填报人"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "school"]
        verbose_name = _("学校质量得分")
        verbose_name_plural = _("学校质量得分")
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="schoolscore_unique_school_year"),
            models.CheckConstraint(condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                                   name="schoolscore_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year}: {self.score}"


class PublishedSchoolRow(Published):
    """One school in its stage's prefecture-wide ranking as published with a version of the year's assessment:
    rank, bottom list, deduction and commendation frozen; a score approved later changes only a new version."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="school_rows")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    county = models.ForeignKey("places.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县市"))
    stage = models.CharField(_("学段"), max_length=16, choices=Stage.choices)
    score = models.DecimalField(_("质量得分"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("名次"))
    bottom_listed = models.BooleanField(_("列入末位名单"), default=False)
    bottom_position = models.PositiveSmallIntegerField(_("倒数名次"), null=True, blank=True)
    deduction_pct = models.PositiveSmallIntegerField(_("扣减奖励比例（%）"), default=0)
    commendation = models.CharField(_("表扬"), max_length=16, blank=True)
    disqualified = models.BooleanField(_("取消资格"), default=False)

    class Meta:
        ordering = ["assessment", "stage", "rank", "school__code"]
        verbose_name = _("已发布学校排名行")
        verbose_name_plural = _("已发布学校排名行")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "school"], name="publishedschoolrow_unique_school"),
        ]


class DepartmentAssessment(models.Model):
    """A prefecture department's (州级部门) assessment for a year, as the plan words it (三、结果运用（一）4.):
    “表扬州级部门。按当年州级部门履行教育职责工作目标考核细则进行考核，同时结合县（市）推进本系统工作的实绩进行
    捆绑评价。” The score by the department's own yearly rules (细则) is entered by an official with its reason;
    the counties' record on the department's work (the bundled part) is computed (``scoring.departments``); the
    plan sets no number or threshold of commendations, so whether it is commended is the official's decision."""

    year = models.PositiveSmallIntegerField(_("考核年度"))
    unit = models.ForeignKey("indicators.ResponsibleUnit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("州级部门"))
    score = models.DecimalField(_("履行教育职责工作目标考核得分"), max_digits=5, decimal_places=2)
    reason = models.TextField(_("考核说明"))
    commended = models.BooleanField(_("通报表扬"), default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("填写人"))
    entered_at = models.DateTimeField(_("填写时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "unit__name"]
        verbose_name = _("州级部门考核")
        verbose_name_plural = _("州级部门考核")
        constraints = [
            # One record per department and year: a change is an edit, kept in the history.
            models.UniqueConstraint(fields=["year", "unit"], name="departmentassessment_unique_year_unit"),
            models.CheckConstraint(condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                                   name="departmentassessment_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit}: {self.score}"
