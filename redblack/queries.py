"""What other apps and the pages read of redblack (dashboards imports these; redblack imports no app above it)."""
from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from liangshan_edu.roles import can_read_all, county_of
from redblack.choices import Colour, NoticeStatus
from redblack.models import SupervisionNotice
from redblack.record import CountyRecord, county_record, records

__all__ = ["CountyRecord", "county_record", "records", "notices_visible_to", "open_notices_for", "county_panel"]


def notices_visible_to(user) -> QuerySet[SupervisionNotice]:
    """Readers of everything see every notice; a clerk their county's; anyone else none. Red first, then
    yellow, then the newest."""
    qs = SupervisionNotice.objects.select_related("county", "created_by").annotate(urgency=Case(
        When(colour=Colour.RED, then=Value(0)), When(colour=Colour.YELLOW, then=Value(1)), default=Value(2),
        output_field=IntegerField())).order_by("urgency", "-created_at")
    if can_read_all(user):
        return qs
    county = county_of(user)
    return qs.filter(county=county) if county else qs.none()


def open_notices_for(user, county) -> list[SupervisionNotice]:
    """The notices of ``county`` not yet closed, as ``user`` may see them (one query)."""
    return list(notices_visible_to(user).filter(county=county).exclude(status=NoticeStatus.CLOSED)
                .prefetch_related("indicators"))


def county_panel(user, county) -> dict:
    """What the county page shows of redblack: open notices and the county's record (a fixed number of queries)."""
    return {"notices": open_notices_for(user, county), "record": county_record(county.code)}
