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
    """Admin mixin: a POST that changes what progress depends on (``digest``) queues a full recompute (one at a
    time: a job already pending or running is reused) and says so.

    It wraps the admin's views rather than ``save_model``: so every way the admin writes is covered — the
    change form with its inlines and many-to-many fields, delete, bulk actions and list editing on the
    change list, and django-simple-history's revert, which saves without ``save_related``.
    """

    def _watched(self, view, request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        before = digest()
        response = view(request, *args, **kwargs)
        if digest() != before:
            from assessment.jobs import start_recompute

            start_recompute(request.user)
            self.message_user(request, _("目标或适用范围已变，进度将重新计算（后台任务）。"), messages.INFO)
        return response

    def changeform_view(self, request, *args, **kwargs):
        return self._watched(super().changeform_view, request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._watched(super().delete_view, request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._watched(super().changelist_view, request, *args, **kwargs)

    def history_form_view(self, request, *args, **kwargs):
        return self._watched(super().history_form_view, request, *args, **kwargs)
