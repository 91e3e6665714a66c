from __future__ import annotations

from urllib.parse import urlencode

from django import template

register = template.Library()


@register.inclusion_tag("reports/_export_buttons.html", takes_context=True)
def export_buttons(context, county: str = "", year=None, plan: str = "", indicator: str = "", cycle: str = "") -> dict:
    """The export links of a page, for the scope it shows: ``{% export_buttons county=… year=… %}``. A clerk's
    links name their own county (a clerk exports nothing else)."""
    if context.get("is_clerk") and context.get("user_county"):
        county = context["user_county"].code
    common = {k: v for k, v in {"county": county, "plan": plan, "indicator": indicator}.items() if v}
    return {
        "export_query": urlencode({**common, **({"year": year} if year else {})}),
        "evaluation_query": urlencode({**common, **({"cycle": cycle} if cycle else {})}),
    }
