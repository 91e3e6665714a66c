"""Every export served here is recorded: who, what scope, which format, as of when, and the SHA-256 of the exact
bytes served, so an auditor can later learn whether a file was produced here (DESIGN §6, issue 12)."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportRecord(models.Model):
    """One export: served at once (``done`` when its bytes were written) or built by a background job.

    Immutable once done: what was recorded about a served file is never changed (``save`` refuses).
    """

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("进度报表")
        EVALUATION = "evaluation", _("终期评估报表")
        HISTORY = "history", _("数据变更记录")
        REDBLACK = "redblack", _("红黑榜")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("导出人"))
    kind = models.CharField(_("报表"), max_length=16, choices=Kind.choices)
    scope = models.CharField(_("范围"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    format = models.CharField(_("格式"), max_length=8, choices=Format.choices)
    as_of = models.DateTimeField(_("数据截至"), null=True, blank=True)
    data_version = models.CharField(_("数据版本"), max_length=64, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(_("字节数"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DONE)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    file = models.CharField(_("文件"), max_length=200, blank=True, help_text=_("后台生成的文件，相对于 MEDIA_ROOT"))
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="done") | ~models.Q(sha256=""),
                                   name="exportrecord_done_has_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope} {self.format} {self.sha256[:12]}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding and ExportRecord.objects.filter(pk=self.pk, status=self.Status.DONE).exists():
            raise ValueError("An export record is immutable once done.")
        super().save(*args, **kwargs)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
