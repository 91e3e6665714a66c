"""The 17 counties of Liangshan (with the attributes the plans use to set targets) and which county a user
belongs to: the lowest app, which the catalogue, the figures and everything above them build on."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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


class Attribute(models.Model):
    """A county attribute the plans set targets by (常住人口, 有省级示范性普通高中 …): its definition.

    Defined in ``fixtures/county_attributes.yaml``; the values, year by year, are ``AttributeValue`` rows an
    administrator maintains. A flag is stored as 1 (yes) or 0 (no).
    """

    class Kind(models.TextChoices):
        NUMBER = "number", _("数值")
        FLAG = "flag", _("是/否")

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("县市属性")
        verbose_name_plural = _("县市属性")

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    """One county's value of an attribute, as of a year, with where it comes from (e.g. 第七次全国人口普查)."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="attribute_values",
                               verbose_name=_("县市"))
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="values",
                                  verbose_name=_("属性"))
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("值"), max_digits=16, decimal_places=4,
                                help_text=_("是/否类属性：1 表示是，0 表示否"))
    source = models.CharField(_("数据来源"), max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["county", "attribute", "year"]
        verbose_name = _("县市属性值")
        verbose_name_plural = _("县市属性值")
        constraints = [
            # One value per county, attribute and year: the value in force in a year must be unambiguous.
            models.UniqueConstraint(fields=["county", "attribute", "year"], name="attribute_value_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.attribute} {self.year}: {self.value.normalize()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.attribute_id and self.attribute.kind == Attribute.Kind.FLAG and self.value not in (0, 1):
            raise ValidationError({"value": _("是/否类属性的值只能是 1（是）或 0（否）")})


def county_facts(using: str | None = None,
                 as_of: datetime | None = None) -> dict[str, dict[str, list[tuple[int, Decimal]]]]:
    """Every county's attribute values as plain values: county code → attribute code → [(year, value)] by year.
    ``using``: the database (the router's choice when omitted, as for every other query of the caller).

    ``as_of``: the values as they were recorded at that moment, read from their audit trail (django-simple-history):
    each value's last recorded state at or before it, a value deleted by then left out — so a report as of a past
    date judges a conditional target (CMP-20's population) on the attributes as they stood, not as corrected since.
    """
    if as_of is None:
        rows = list(AttributeValue.objects.using(using).order_by("county__code", "attribute__code", "year")
                    .values_list("county__code", "attribute__code", "year", "value"))
    else:
        last: dict[int, tuple] = {}
        for value_id, kind, *row in (AttributeValue.history.model.objects.using(using)
                                     .filter(history_date__lte=as_of).order_by("history_date", "history_id")
                                     .values_list("id", "history_type", "county__code", "attribute__code", "year",
                                                  "value")):
            last[value_id] = (kind, tuple(row))
        rows = sorted(row for kind, row in last.values() if kind != "-")
    facts: dict[str, dict[str, list]] = {}
    for code, attribute, year, value in rows:
        facts.setdefault(code, {}).setdefault(attribute, []).append((year, value))
    return facts
