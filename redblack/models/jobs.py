"""A publication or correction of the lists run in the background (a national list takes seconds to tens of
seconds): its state and progress for the page that follows it, and its result."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.choices import JobState


class ListJob(models.Model):
    """One publication (``publish``) or correction (``correct``) of a period's lists, queued by an official and run
    by a Celery worker (at once in eager mode). One transaction writes the version: a job that fails or loses its
    worker leaves nothing half-written, and a silent job is marked failed after its lease."""

    class Action(models.TextChoices):
        PUBLISH = "publish", _("发布")
        CORRECT = "correct", _("更正")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)
    period = models.CharField(_("期次"), max_length=7)
    year = models.PositiveSmallIntegerField(_("数据年度"))
    corrects = models.ForeignKey("redblack.Publication", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("更正的版本"))
    remove = models.JSONField(_("撤下的条目"), default=list, blank=True)
    reason = models.TextField(_("更正原因"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=JobState.choices, default=JobState.PENDING)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    result = models.ForeignKey("redblack.Publication", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("发布的版本"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("红黑榜发布任务")
        verbose_name_plural = _("红黑榜发布任务")
        indexes = [models.Index(fields=["period", "state"], name="listjob_period_state")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.period} {self.state}"

    @property
    def active(self) -> bool:
        return self.state in (JobState.PENDING, JobState.RUNNING)

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 0
