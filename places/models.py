"""The 17 counties of Liangshan (with the attributes the plans use to set targets) and which county a user
belongs to: the lowest app, which the catalogue, the figures and everything above them build on."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from places.choices import Tier


class CountyQuerySet(models.QuerySet):
    def visible_to(self, user) -> CountyQuerySet:
        """Officials, auditors and administrators see every county; a clerk only their own."""
        from liangshan_edu.roles import can_read_all, county_of

        if can_read_all(user):
            return self
        county = county_of(user)
        return self.filter(pk=county.pk) if county else self.none()


class County(models.Model):
    """A county-level division (县市) of Liangshan, with the attributes the plans use to set targets."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=10)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    tier = models.PositiveSmallIntegerField(_("义务教育分类区"), choices=Tier.choices)
    key_assisted = models.BooleanField(_("国家乡村振兴重点帮扶县"), default=False)

    objects = CountyQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("县市")
        verbose_name_plural = _("县市")

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """Which county a clerk (县级填报员) belongs to."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="profiles", verbose_name=_("所属县市")
    )

    class Meta:
        verbose_name = _("用户所属县市")
        verbose_name_plural = _("用户所属县市")

    def __str__(self) -> str:
        return f"{self.user} → {self.county or '—'}"
