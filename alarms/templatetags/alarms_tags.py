from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def timesince_delta(delta: timedelta) -> str:
    """A duration as days and hours (how long an alarm was open)."""
    if not isinstance(delta, timedelta):
        return ""
    days, hours = delta.days, delta.seconds // 3600
    if days:
        return _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    return _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": (delta.seconds % 3600) // 60}
