"""Every write in the admin of the catalogue and the counties is announced (``catalogue_write``) before and after.

The signal and the admin mixin live in the base layer because the lowest apps (places, indicators) announce and
the higher ones (assessment) listen.

It wraps the admin's views rather than ``save_model``, so every way the admin writes is covered — the change form
with its inlines and many-to-many fields, delete, bulk actions and list editing on the change list, and
django-simple-history's revert, which saves without ``save_related``.
"""
from __future__ import annotations

from django.contrib import messages
from django.dispatch import Signal

# Sent twice around every write in the admin of the catalogue and the counties (``AnnouncesWrites``):
# ``phase`` "before" then "after", with the same ``state`` dict for a receiver to keep what it needs between the
# two, and the ``user``. A receiver may return a message for the administrator (shown after the write).
# (assessment compares what progress is computed from, and recomputes when it changed.)
catalogue_write = Signal()


class AnnouncesWrites:
    def _watched(self, view, request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        state: dict = {}
        catalogue_write.send(sender=self.model, phase="before", state=state, user=request.user)
        response = view(request, *args, **kwargs)
        for _receiver, message in catalogue_write.send(sender=self.model, phase="after", state=state,
                                                       user=request.user):
            if message:
                self.message_user(request, message, messages.INFO)
        return response

    def changeform_view(self, request, *args, **kwargs):
        return self._watched(super().changeform_view, request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._watched(super().delete_view, request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._watched(super().changelist_view, request, *args, **kwargs)

    def history_form_view(self, request, *args, **kwargs):
        return self._watched(super().history_form_view, request, *args, **kwargs)


class ReadOnlyAdmin:
    """An admin (or inline) that shows records and never adds, changes or deletes them: figures (changed only
    through the workflow), published lists and assessments (a correction is a new version)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
