"""What progress is computed from besides the figures: the catalogue's indicators and targets and the counties'
tiers. When that changes (a target corrected in the admin, a new catalogue loaded), every stored progress row
may be stale, so the whole of it is recomputed — not left until the nightly run.
"""
from __future__ import annotations

import hashlib

from django.contrib import messages
from django.utils.translation import gettext as _

from assessment.engine import load_indicators
from counties.models import County


def digest(using: str = "default") -> str:
    """A fingerprint of everything besides figures that decides progress rows (equal digests: same rows)."""
    parts = []
    for ind in load_indicators(using=using):
        targets = sorted((str(t.year), str(t.value), str(t.tier), tuple(sorted(t.counties))) for t in ind.targets)
        parts.append((ind.id, ind.kind, ind.direction, ind.level, ind.rollup, tuple(ind.years), tuple(targets)))
    parts.append(tuple(County.objects.using(using).order_by("id").values_list("id", "code", "tier")))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class RecomputesProgress:
    """Admin mixin: a save or delete that changes what progress depends on (``digest``) queues a full
    recompute (one at a time: a job already pending or running is reused) and says so."""

    def _queue_if_changed(self, request, before: str) -> None:
        if digest() == before:
            return
        from assessment.jobs import start_recompute

        start_recompute(request.user)
        self.message_user(request, _("目标或适用范围已变，进度将重新计算（后台任务）。"), messages.INFO)

    def save_model(self, request, obj, form, change):
        request._progress_basis = digest()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._queue_if_changed(request, request._progress_basis)

    def delete_model(self, request, obj):
        before = digest()
        super().delete_model(request, obj)
        self._queue_if_changed(request, before)

    def delete_queryset(self, request, queryset):
        before = digest()
        super().delete_queryset(request, queryset)
        self._queue_if_changed(request, before)
