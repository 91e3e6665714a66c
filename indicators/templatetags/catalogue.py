from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from indicators.choices import Tier

register = template.Library()


@register.filter
def num(value) -> str:
    """A decimal without trailing zeros: 92.0000 → 92, 12.5000 → 12.5; None → —."""
    if value is None or value == "":
        return "—"
    d = Decimal(value)
    text = format(d.quantize(Decimal(1)) if d == d.to_integral() else d.normalize(), "f")
    return text


@register.filter
def target_scope(target) -> str:
    """Who a target applies to, as the plans say it."""
    counties = list(target.counties.all())
    if counties:
        return "、".join(c.short_name or c.name for c in counties)
    if target.tier:
        return str(Tier(target.tier).label)
    if target.indicator.level == "prefecture":
        return _("全州合计")
    return _("各县市")


@register.filter
def target_year(target) -> str:
    return str(target.year) if target.year else _("每年")
