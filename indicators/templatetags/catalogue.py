
from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators import describe
from liangshan_edu.formats import plain

register = template.Library()


@register.filter
def num(value) -> str:
    """A decimal without trailing zeros: 92.0000 → 92, 12.5000 → 12.5; None → —."""
    return plain(value, none="—")


@register.filter
def target_scope(target) -> str:
    """Who a target applies to, as the plans say it (named counties by name)."""
    return describe.target_scope(target.spec(), target.indicator.level,
                                 [c.short_name or c.name for c in target.counties.all()])


@register.filter
def target_year(target) -> str:
    """The deadline as pages show it: '2025', '2025（推定期限）' when the plan gives none, '每年'."""
    if not target.year:
        return _("每年")
    if target.assumed_deadline:
        return _("%(year)s（推定期限）") % {"year": target.year}
    return str(target.year)


def _english() -> bool:
    return (get_language() or "").split("-")[0] == "en"


@register.filter
def ind_name(indicator) -> str:
    """An indicator's name in the active language: ``name_en`` in English where the catalogue has one.

    The Chinese ``name`` is the official wording of the plans; it stays the fallback.
    """
    if _english() and getattr(indicator, "name_en", ""):
        return indicator.name_en
    return indicator.name


@register.filter
def plan_name(plan, form: str = "") -> str:
    """A plan's name in the active language; ``plan|plan_name:"short"`` prefers the Chinese short name."""
    if _english() and getattr(plan, "name_en", ""):
        return plan.name_en
    if form == "short":
        return plan.short_name or plan.name
    return plan.name
