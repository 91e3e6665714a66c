"""Alarms as the user may see them: the public queries of this app (pages, the API, and the dashboards above)."""
from __future__ import annotations

from django.db.models import Count, QuerySet

from alarms.choices import ACTIVE, SEVERITY_ORDER
from alarms.models import Alarm


def alarms_visible_to(user) -> QuerySet[Alarm]:
    return Alarm.objects.visible_to(user).select_related("county", "indicator__plan", "acknowledged_by")


def counts_by_colour(user, county=None) -> list[tuple[str, str, int]]:
    """Active alarms (open or acknowledged) the user may see, by colour: [(colour, label, count)] in the order
    蓝 黄 红 — one query."""
    qs = Alarm.objects.visible_to(user).filter(status__in=ACTIVE)
    if county is not None:
        qs = qs.filter(county=county)
    counted = dict(qs.values_list("severity").annotate(n=Count("id")).order_by())
    return [(s.value, s.label, counted.get(s.value, 0)) for s in SEVERITY_ORDER]


def unread_count(user) -> int:
    from alarms.models import Notification

    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def active_for_county(user, county, limit: int = 10) -> list:
    """The county's alarms not yet resolved (the county page's list), reddest and newest first — one query."""
    from django.db.models import Case, IntegerField, Value, When

    from alarms.choices import Severity

    order = Case(When(severity=Severity.RED, then=Value(0)), When(severity=Severity.YELLOW, then=Value(1)),
                 default=Value(2), output_field=IntegerField())
    return list(alarms_visible_to(user).filter(county=county, status__in=ACTIVE)
                .order_by(order, "-raised_at")[:limit])
