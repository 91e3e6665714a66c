"""The change history (留痕) of figures, as the audit-log page and the change-history export read it: which
history records a user may read, filtered as the page filters them, and what each record changed.

One query for the page and the export (``records``), so a file never holds a record the page would not show.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, TypedDict

from django.db.models import OuterRef, Q, QuerySet, Subquery

from counties.choices import FigureStatus
from counties.models import Figure
from liangshan_edu.formats import plain
from liangshan_edu.roles import can_read_all


class Filters(TypedDict, total=False):
    """The audit log's filters (``AuditFilterForm``'s cleaned data); missing or empty means no filter."""

    county: str  # a county code
    year: int | None
    indicator: str  # part of an indicator code
    user: str  # part of a user name
    date_from: date | None
    date_to: date | None
    q: str  # part of the reason
    as_of: datetime | None  # no record after this moment (the export's as_of)


def _show(value) -> str:
    """A stored value for people: decimals without trailing zeros, statuses by label, empty as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def status_label(status: str) -> str:
    return str(FigureStatus(status).label) if status in FigureStatus.values else status


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Event:
    record: object
    type_label: str
    changes: list[Change]


def _field_text(name: str, value) -> str:
    if name == "status":
        return status_label(value) if value else "—"
    return _show(value)


def changes_between(previous, record) -> list[Change]:
    """What one history record changed against the one before (all filled-in fields for a creation)."""
    changes = []
    for name in Figure.HISTORY_FIELDS:
        new = getattr(record, name)
        old = getattr(previous, name) if previous is not None else None
        if previous is None and (new is None or new == ""):
            continue
        if previous is not None and old == new:
            continue
        changes.append(Change(str(Figure._meta.get_field(name).verbose_name), _field_text(name, old),
                              _field_text(name, new)))
    return changes


def records(user, filters: Filters | None = None) -> QuerySet:
    """The history records of every figure the user may read, newest first, with ``previous_id`` (the record
    before each). Readers of every county also read the history of figures deleted since."""
    History = Figure.history.model
    # Every record for readers of everything (the figures they see, i.e. all, and those deleted since): no
    # condition at all. Spelled as "in the figures or not in them", PostgreSQL ran the NOT IN as a subplan per
    # record once the figures outgrew work_mem (3.4 million figures: the export had not begun after 11 minutes).
    qs = History.objects.all()
    if not can_read_all(user):
        qs = qs.filter(id__in=Figure.objects.visible_to(user).values("pk"))
    p = filters or {}
    if p.get("county"):
        qs = qs.filter(county__code=p["county"])
    if p.get("year"):
        qs = qs.filter(year=p["year"])
    if (p.get("indicator") or "").strip():
        qs = qs.filter(indicator__code__icontains=p["indicator"].strip())
    if (p.get("user") or "").strip():
        qs = qs.filter(history_user__username__icontains=p["user"].strip())
    if p.get("date_from"):
        qs = qs.filter(history_date__date__gte=p["date_from"])
    if p.get("date_to"):
        qs = qs.filter(history_date__date__lte=p["date_to"])
    if (p.get("q") or "").strip():
        qs = qs.filter(history_change_reason__icontains=p["q"].strip())
    if p.get("as_of"):
        qs = qs.filter(history_date__lte=p["as_of"])
    previous = History.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    return (qs.annotate(previous_id=Subquery(previous.values("history_id")[:1]))
            .select_related("history_user", "county", "indicator").order_by("-history_date", "-history_id"))


def events(chunk: Iterable) -> list[Event]:
    """The records of one page or chunk with what each changed (one query for the records before them)."""
    chunk = list(chunk)
    History = Figure.history.model
    previous = History.objects.in_bulk([r.previous_id for r in chunk if r.previous_id])
    return [Event(r, Figure.HISTORY_TYPES.get(r.history_type, ""), changes_between(previous.get(r.previous_id), r))
            for r in chunk]
