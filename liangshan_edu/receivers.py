"""Orchestration: the writes of every app announce a new data version (``liangshan_edu.dataversion``).

Model signals catch every save and delete through the ORM (the admin, the catalogue loader, the figure
workflow, uploads, the shell); ``catalogue_write`` also catches admin writes that bypass them (bulk updates of
the change list). Recomputes announce themselves (``assessment.services``).
"""
from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from places.models import County
from counties.models import Figure
from indicators.models import Indicator, Plan, ResponsibleUnit, Target, Task, Unit
from liangshan_edu.watch import catalogue_write
from liangshan_edu.dataversion import CATALOGUE, FIGURES, changed

CATALOGUE_MODELS = (Plan, Task, ResponsibleUnit, Unit, Indicator, Target, County)


def _catalogue_changed(sender, using=None, **kwargs) -> None:
    changed(CATALOGUE, using=using)


def _figures_changed(sender, using=None, **kwargs) -> None:
    changed(FIGURES, using=using)


for model in CATALOGUE_MODELS:
    post_save.connect(_catalogue_changed, sender=model, dispatch_uid=f"dataversion.save.{model._meta.label}")
    post_delete.connect(_catalogue_changed, sender=model, dispatch_uid=f"dataversion.delete.{model._meta.label}")
for through in (Target.counties.through, Task.lead_units.through, Task.cooperating_units.through):
    m2m_changed.connect(_catalogue_changed, sender=through, dispatch_uid=f"dataversion.m2m.{through._meta.label}")
post_save.connect(_figures_changed, sender=Figure, dispatch_uid="dataversion.save.figure")
post_delete.connect(_figures_changed, sender=Figure, dispatch_uid="dataversion.delete.figure")


@receiver(catalogue_write, dispatch_uid="dataversion.catalogue_write")
def _admin_wrote(sender, phase: str, **kwargs) -> None:
    if phase == "after":
        changed(CATALOGUE)
