"""The figures (填报数据) counties enter, and the reporting years they are entered for."""
from __future__ import annotations


from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from counties.choices import FigureStatus
from places.models import County


class FigureQuerySet(models.QuerySet):
    def approved(self) -> FigureQuerySet:
        return self.filter(status=FigureStatus.APPROVED)

    def visible_to(self, user) -> FigureQuerySet:
        """Officials, auditors and administrators see every figure; a clerk or leader only their county's."""
        from liangshan_edu.roles import can_read_all, county_of

        if can_read_all(user):
            return self
        county = county_of(user)
        return self.filter(county=county) if county else self.none()

    def editable_by(self, user) -> FigureQuerySet:
        """A clerk edits their own county's drafts and returned figures; nobody else edits figures (not the
        county's leader either: they read)."""
        from liangshan_edu.roles import entry_county_of

        county = entry_county_of(user)
        if county is None:
            return self.none()
        return self.filter(county=county, status__in=[FigureStatus.DRAFT, FigureStatus.RETURNED])


class Figure(models.Model):
    """A county's value of an indicator for a year (填报数据). Only approved figures count for progress.

    For a rate, ``value`` is derived from numerator / denominator (percent); for a milestone it is 1 (done) or 0.
    """

    # The fields a figure's history shows as changes, in this order: what was entered and the state it is in
    # (the history page, the audit log and the API)...
    HISTORY_FIELDS = ("value", "numerator", "denominator", "done_on", "evidence", "note", "status", "return_reason")
    # ...and the workflow's own record, which the API's history adds (the pages show who and when per entry).
    WORKFLOW_FIELDS = ("submitted_at", "approved_at", "approved_by", "is_demo")
    # The kinds of history record (django-simple-history's history_type), as people read them.
    HISTORY_TYPES = {"+": _("新建"), "~": _("修改"), "-": _("删除")}

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="figures", verbose_name=_("县市"),
        help_text=_("空表示全州（仅州级填报的指标）"),
    )
    # Indexed by ``figure_rollup`` below (it leads with the indicator), not by a separate foreign-key index.
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.PROTECT, related_name="figures", verbose_name=_("指标"),
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(_("分子"), max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("分母"), max_digits=16, decimal_places=4, null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("佐证材料"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=FigureStatus.choices, default=FigureStatus.DRAFT)
    return_reason = models.TextField(_("退回原因"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("审核人"),
    )
    history = HistoricalRecords()

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["county", "indicator", "year"]
        verbose_name = _("填报数据")
        verbose_name_plural = _("填报数据")
        constraints = [
            # One figure per county, indicator and year: the form, the upload and the API all update it.
            models.UniqueConstraint(fields=["county", "indicator", "year"], name="figure_unique_county_indicator_year"),
            # The prefecture's own figure (county empty) is unique too: NULLs are distinct in a plain constraint.
            models.UniqueConstraint(
                fields=["indicator", "year"], condition=models.Q(county__isnull=True),
                name="figure_unique_prefecture_indicator_year",
            ),
            # Counts, amounts and rates are never negative.
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=0), name="figure_value_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(numerator__isnull=True) | models.Q(numerator__gte=0),
                name="figure_numerator_non_negative",
            ),
            # A rate's denominator is a population: zero would make the rate meaningless.
            models.CheckConstraint(
                condition=models.Q(denominator__isnull=True) | models.Q(denominator__gt=0),
                name="figure_denominator_positive",
            ),
            # A returned figure always tells the clerk why.
            models.CheckConstraint(
                condition=~models.Q(status=FigureStatus.RETURNED) | ~models.Q(return_reason=""),
                name="figure_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=FigureStatus.values), name="figure_status_valid"
            ),
        ]
        indexes = [
            # The prefecture roll-up of one indicator (incremental recompute after an approval) reads only this
            # index on PostgreSQL: an index-only scan, without visiting the table (INCLUDE is PostgreSQL-only;
            # elsewhere it is a plain index on the key columns).
            models.Index(fields=["indicator", "status", "year"], include=["county", "value", "numerator", "denominator"],
                         name="figure_rollup"),
            # The latest year with approved figures (every page's default year) and the figures submitted per
            # county in a year (the dashboard's reporting counts), without reading the table.
            models.Index(fields=["status", "year"], include=["county"], name="figure_status_year"),
            # "Is there demo data?" (the 演示数据 label), answered at once on a real database that has none.
            models.Index(fields=["is_demo"], condition=models.Q(is_demo=True), name="figure_demo"),
        ]

    def __str__(self) -> str:
        return f"{self.county or _('全州')} {self.indicator.code} {self.year}"


class ReportingYear(models.Model):
    """A reporting year: its deadline (set by an official) and whether it is locked.

    After an official locks a year, figures of that year change only where the year was reopened for a
    county (``CountyReopening``), with a reason.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    deadline = models.DateField(_("填报截止日期"), null=True, blank=True)
    locked = models.BooleanField(_("已锁定"), default=False)
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("锁定人"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("填报年度")
        verbose_name_plural = _("填报年度")

    def __str__(self) -> str:
        return str(self.year)


class CountyReopening(models.Model):
    """An official reopened a locked year for one county, with a reason (recorded forever)."""

    reporting_year = models.ForeignKey(
        ReportingYear, on_delete=models.CASCADE, related_name="reopenings", verbose_name=_("填报年度")
    )
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="reopenings", verbose_name=_("县市"))
    reason = models.TextField(_("原因"))
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("锁定后重新开放")
        verbose_name_plural = _("锁定后重新开放")
        constraints = [
            # Reopening needs a reason an auditor can read.
            models.CheckConstraint(condition=~models.Q(reason=""), name="reopening_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.reporting_year} {self.county}"
