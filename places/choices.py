"""Choices that describe a county (the lowest layer: the catalogue and the figures both use them)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.IntegerChoices):
    """The compulsory plan's three areas (一类区/二类区/三类区)."""

    FIRST = 1, _("一类区")
    SECOND = 2, _("二类区")
    THIRD = 3, _("三类区")
