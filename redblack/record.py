"""The record (过程考核) of each county: black-list periods, notices, overdue replies, red escalations — the
public function the assessment's scoring can read, and what the county page shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from redblack.choices import EventKind, ListKind, NoticeStatus
from redblack.models import Entry, NoticeEvent, Publication, SupervisionNotice


@dataclass(frozen=True)
class CountyRecord:
    code: str
    black_periods: int = 0
    notices: int = 0
    overdue_replies: int = 0
    red_escalations: int = 0


def overdue(deadline: date, first_replied_at, status: str, today: date) -> bool:
    """A reply is overdue if it came after the deadline day (local time), or has not come and the deadline
    has passed (a closed notice always had a reply)."""
    if first_replied_at is not None:
        return timezone.localtime(first_replied_at).date() > deadline
    return status != NoticeStatus.CLOSED and deadline < today


def records(codes: list[str] | None = None, today: date | None = None) -> dict[str, CountyRecord]:
    """The record of every county (or of ``codes``), in four queries whatever the number of counties.
    Black-list periods count the current version of each period (a corrected-away entry does not count)."""
    today = today or timezone.localdate()
    current = {}
    for pk, period, version in Publication.objects.values_list("pk", "period", "version"):
        if period not in current or version > current[period][1]:
            current[period] = (pk, version)
    entries = Entry.objects.filter(publication__in=[pk for pk, _v in current.values()], list=ListKind.BLACK)
    notices = SupervisionNotice.objects.all()
    events = NoticeEvent.objects.filter(kind=EventKind.RED)
    if codes is not None:
        entries, notices = entries.filter(county__code__in=codes), notices.filter(county__code__in=codes)
        events = events.filter(notice__county__code__in=codes)
    out: dict[str, dict] = {}

    def of(code: str) -> dict:
        return out.setdefault(code, {"black_periods": 0, "notices": 0, "overdue_replies": 0, "red_escalations": 0})

    for code, _period in set(entries.values_list("county__code", "publication__period")):
        of(code)["black_periods"] += 1
    for code, deadline, replied, status in notices.values_list("county__code", "deadline", "first_replied_at",
                                                               "status"):
        of(code)["notices"] += 1
        of(code)["overdue_replies"] += overdue(deadline, replied, status, today)
    for code in events.values_list("notice__county__code", flat=True):
        of(code)["red_escalations"] += 1
    return {code: CountyRecord(code, **counts) for code, counts in out.items()}


def county_record(code: str, today: date | None = None) -> CountyRecord:
    return records([code], today).get(code, CountyRecord(code))
