"""Derived progress, published snapshots, assessment rules and recompute jobs."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment.choices import EvaluationResult, JobState, ProgressStatus


class Progress(models.Model):
    """Where one county (or the prefecture, ``area='prefecture'``) stands on one indicator in one year.

    Derived by ``assessment.engine`` from approved figures and targets; never typed in.
    """

    area = models.CharField(_("县市代码"), max_length=10, help_text=_("县市代码，或 prefecture 表示全州"))
    # Indexed by ``progress_indicator_status`` below (it leads with the indicator).
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="progress", verbose_name=_("指标"),
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True)
    numerator = models.DecimalField(_("分子"), max_digits=20, decimal_places=4, null=True)
    denominator = models.DecimalField(_("分母"), max_digits=20, decimal_places=4, null=True)
    baseline = models.DecimalField(_("基线值"), max_digits=20, decimal_places=4, null=True)
    baseline_year = models.PositiveSmallIntegerField(_("基线年份"), null=True)
    target = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True)
    target_year = models.PositiveSmallIntegerField(_("目标年份"), null=True)
    expected = models.DecimalField(_("预期值"), max_digits=20, decimal_places=4, null=True)
    status = models.CharField(_("状态"), max_length=16, choices=ProgressStatus.choices)
    overdue = models.BooleanField(_("逾期"), default=False)
    projected = models.DecimalField(_("预测值"), max_digits=20, decimal_places=4, null=True)
    will_meet = models.BooleanField(_("按当前速度能否达标"), null=True)
    gap = models.DecimalField(_("差距"), max_digits=20, decimal_places=4, null=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        ordering = ["indicator", "area", "year"]
        verbose_name = _("进度")
        verbose_name_plural = _("进度")
        constraints = [
            # Recomputation replaces rows; there is never more than one answer per area, indicator and year.
            models.UniqueConstraint(fields=["area", "indicator", "year"], name="progress_unique_area_indicator_year"),
        ]
        indexes = [
            models.Index(fields=["year", "status"], name="progress_year_status"),
            models.Index(fields=["area", "year"], name="progress_area_year"),
            # How many counties achieve an indicator, per year (the prefecture row of an 'all' roll-up, counted
            # after each approval): an index-only count on PostgreSQL.
            models.Index(fields=["indicator", "status", "year"], include=["area"], name="progress_indicator_status"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.indicator_id} {self.year}: {self.status}"


class Evaluation(models.Model):
    """The final evaluation (终期评估) of one target for one county (or the prefecture): met on time, late, missed.

    Derived by ``assessment.evaluation`` whenever progress is recomputed (the rule is ``rules.judge``); never
    typed in. One row per area, indicator and dated target (intermediate targets each on its own); a standing
    yearly rule (``target_year`` null) has one row counting the years met.
    """

    area = models.CharField(_("县市代码"), max_length=10, help_text=_("县市代码，或 prefecture 表示全州"))
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("指标"),
    )
    target_year = models.PositiveSmallIntegerField(_("目标年份"), null=True)
    target = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    value_at_deadline = models.DecimalField(_("目标年份数值"), max_digits=20, decimal_places=4, null=True)
    met_year = models.PositiveSmallIntegerField(_("达标年份"), null=True)
    result = models.CharField(_("评估结果"), max_length=16, choices=EvaluationResult.choices)
    latest_value = models.DecimalField(_("最新数值"), max_digits=20, decimal_places=4, null=True)
    latest_year = models.PositiveSmallIntegerField(_("最新年份"), null=True)
    years_met = models.PositiveSmallIntegerField(_("达标年数"), null=True)
    years_reported = models.PositiveSmallIntegerField(_("填报年数"), null=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        ordering = ["indicator", "area", "target_year"]
        verbose_name = _("终期评估")
        verbose_name_plural = _("终期评估")
        constraints = [
            # One judgement per area, indicator and deadline; a standing rule (no deadline) has one as well.
            models.UniqueConstraint(fields=["area", "indicator", "target_year"],
                                    condition=models.Q(target_year__isnull=False), name="evaluation_unique_dated"),
            models.UniqueConstraint(fields=["area", "indicator"], condition=models.Q(target_year__isnull=True),
                                    name="evaluation_unique_standing"),
            models.CheckConstraint(condition=models.Q(result__in=EvaluationResult.values),
                                   name="evaluation_result_valid"),
        ]
        indexes = [models.Index(fields=["area", "result"], name="evaluation_area_result")]

    def __str__(self) -> str:
        return f"{self.area} {self.indicator_id} {self.target_year or '-'}: {self.result}"


class AreaTally(models.Model):
    """How many rows of each status (per year) and of each final-evaluation result (per cycle) an area has.

    Derived with progress and the final evaluation, in the same transaction (``assessment.tallies``), so the
    prefecture dashboard and its map read a few rows per county instead of counting every county × indicator.
    """

    class Measure(models.TextChoices):
        STATUS = "status", _("进度状态")
        RESULT = "result", _("终期评估结果")

    measure = models.CharField(_("类别"), max_length=8, choices=Measure.choices)
    period = models.CharField(_("期间"), max_length=20, help_text=_("状态按年度（2024），评估结果按规划周期（2022-2025）"))
    area = models.CharField(_("县市代码"), max_length=10)
    code = models.CharField(_("状态或结果"), max_length=16)
    n = models.PositiveIntegerField(_("数量"))

    class Meta:
        verbose_name = _("汇总计数")
        verbose_name_plural = _("汇总计数")
        constraints = [
            models.UniqueConstraint(fields=["measure", "period", "area", "code"], name="areatally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.period} {self.area} {self.code}: {self.n}"


class RecomputeJob(models.Model):
    """A recompute run, so the UI and API can show its state and progress."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scope = models.CharField(_("范围"), max_length=100, default="all")
    state = models.CharField(_("状态"), max_length=16, choices=JobState.choices, default=JobState.PENDING)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    rows = models.PositiveIntegerField(_("写入行数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Renewed while the job runs; a job silent for longer than RECOMPUTE_JOB_LEASE_SECONDS lost its worker.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("重算任务")
        verbose_name_plural = _("重算任务")

    def __str__(self) -> str:
        return f"{self.scope} {self.state} {self.done}/{self.total}"


class AssessmentRuleSet(models.Model):
    """The assessment plan's rules as data (plan 8): awards, bonuses, accountability thresholds, school lists.

    ``year`` null is the default from the plan; a year's own rule set overrides it (考评细则 are issued yearly).
    """

    year = models.PositiveSmallIntegerField(_("考核年度"), null=True, blank=True, unique=True)
    rules = models.JSONField(_("规则"))
    source = models.TextField(_("依据"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("考核规则")
        verbose_name_plural = _("考核规则")

    def __str__(self) -> str:
        return str(self.year or _("默认规则"))


class Snapshot(models.Model):
    """Progress as published on a date (monthly bulletin 月通报, quarterly ranking 季挂榜), kept forever."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("月通报")
        QUARTERLY = "quarterly", _("季挂榜")
        MANUAL = "manual", _("临时快照")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("期次"), max_length=20, help_text=_("如 2026-11 或 2026Q4"))
    taken_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("生成人"),
    )
    rows = models.PositiveIntegerField(_("行数"), default=0)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("进度快照")
        verbose_name_plural = _("进度快照")
        constraints = [
            # What was published for a period is never replaced: taking it again returns the first one.
            models.UniqueConstraint(fields=["kind", "period"], name="snapshot_unique_kind_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class SnapshotRow(models.Model):
    """One progress row as it stood when the snapshot was taken (the indicator code is kept as text)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="entries")
    area = models.CharField(_("县市代码"), max_length=10)
    indicator_code = models.CharField(_("指标代码"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True)
    target = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True)
    target_year = models.PositiveSmallIntegerField(_("目标年份"), null=True)
    expected = models.DecimalField(_("预期值"), max_digits=20, decimal_places=4, null=True)
    status = models.CharField(_("状态"), max_length=16, choices=ProgressStatus.choices)
    overdue = models.BooleanField(_("逾期"), default=False)
    projected = models.DecimalField(_("预测值"), max_digits=20, decimal_places=4, null=True)

    class Meta:
        ordering = ["snapshot", "indicator_code", "area", "year"]
        verbose_name = _("快照行")
        verbose_name_plural = _("快照行")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "area", "indicator_code", "year"],
                                    name="snapshotrow_unique"),
        ]
