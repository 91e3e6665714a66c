"""Where findings come from: the progress rows of a recompute, the reporting calendar (the clock), corrections of
approved figures, and sources that higher apps register (``register_source``) — e.g. the red/black list's
supervision notices, "reply due / overdue" — without this app importing them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, NamedTuple

from django.db.models import Exists, FilteredRelation, Max, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alarms import judging
from alarms.choices import ACTIVE, PROGRESS_KINDS, Kind
from alarms.models import Alarm, cause_key
from alarms.services import Finding
from assessment.choices import PREFECTURE, ProgressStatus
from assessment.engine import COLUMNS
from assessment.models import Progress
from counties.choices import FigureStatus
from counties.models import Figure, ReportingYear
from places.models import County

# ── progress ────────────────────────────────────────────────────────────────────────────────────────────────

_AREA, _IND, _YEAR, _VALUE, _STATUS, _OVERDUE = (COLUMNS.index(c) for c in
                                                 ("area", "indicator_id", "year", "value", "status", "overdue"))


def judged_year(using: str = "default") -> int | None:
    """The year whose statuses alarms judge: the latest year with approved figures (the dashboard's default
    year), read from an index."""
    return Figure.objects.using(using).filter(status=FigureStatus.APPROVED).aggregate(y=Max("year"))["y"]


@dataclass(frozen=True)
class Looked:
    """What the incremental judging reads before judging: the counties' ids by code, the judged year, and the
    active progress alarms of those counties (cause → id)."""

    code_to_id: dict[str, int]
    year: int | None
    active: dict[str, int]


def counties_year_and_alarms(codes: set[str], using: str = "default") -> Looked:
    """In one query: the counties of ``codes`` (the prefecture's code is none) with the judged year (a scalar
    subquery on the ``figure_status_year`` index) and their active progress alarms (a filtered outer join on
    the ``alarm_status_county`` index)."""
    latest = (Figure.objects.using(using).filter(status=FigureStatus.APPROVED).order_by("-year")
              .values("year")[:1])
    live = FilteredRelation("alarms", condition=Q(alarms__status__in=ACTIVE, alarms__kind__in=PROGRESS_KINDS))
    found = list(County.objects.using(using).filter(code__in=codes).annotate(judged=Subquery(latest), live=live)
                 .values_list("code", "id", "judged", "live__cause", "live__id"))
    return Looked({code: pk for code, pk, *_rest in found}, found[0][2] if found else None,
                  {cause: pk for *_rest, cause, pk in found if pk is not None})


_MSG_OFF_TRACK = gettext_lazy("当前年度严重滞后")
_MSG_OVERDUE = gettext_lazy("目标期限已过仍未达标")


class State(NamedTuple):
    """A county × indicator's status in the judged year (a tuple: a full recompute makes one per pair)."""

    status: str | None
    overdue: bool


def _fall_message(previous: str | None, status: str | None) -> Callable[[], str]:
    def text() -> str:
        labels = dict(ProgressStatus.choices)
        return _("状态由“%(before)s”降为“%(now)s”") % {"before": labels.get(previous, "-"),
                                                     "now": labels.get(status, "-")}
    return text


def judge_pair(county_id: int, indicator_id: int, current: State | None, previous: str | None,
               active: dict[str, int] | None = None) -> list[Finding]:
    """The three progress rules on one county × indicator (``current`` None: it has no row, no target: clear).
    Verdicts that keep are left out: they change nothing. Given the ``active`` alarms (cause → id), so are the
    verdicts that change nothing either — raise what is already raised, clear what is not there (after a full
    recompute, most of them)."""
    if current is None:
        verdicts = [(k, judging.CLEAR) for k in PROGRESS_KINDS]
    else:
        verdicts = [(Kind.OFF_TRACK, judging.off_track(current.status, current.overdue)),
                    (Kind.STATUS_FALL, judging.status_fall(current.status, previous)),
                    (Kind.OVERDUE, judging.overdue(current.status, current.overdue))]
    out = []
    for kind, verdict in verdicts:
        if verdict == judging.KEEP or (active is not None and (verdict == judging.RAISE) == (
                cause_key(kind, county_id, indicator_id) in active)):
            continue
        message = (_MSG_OFF_TRACK if kind == Kind.OFF_TRACK else _MSG_OVERDUE if kind == Kind.OVERDUE
                   else _fall_message(previous, current.status) if current is not None else "")
        out.append(Finding(kind, county_id, indicator_id, "", verdict, message))
    return out


def _state(status: str, overdue: bool, value) -> State:
    return State(status if value is not None or status == ProgressStatus.NO_DATA else ProgressStatus.NO_DATA,
                 overdue)


def from_rows(rows: Iterable[tuple], year: int, code_to_id: dict[str, int]) -> list[Finding]:
    """Findings from the rows one incremental recompute wrote (every year of some county × indicator pairs)."""
    current: dict[tuple[str, int], State] = {}
    previous: dict[tuple[str, int], str] = {}
    pairs = set()
    for row in rows:
        area = row[_AREA]
        if area == PREFECTURE or area not in code_to_id:
            continue
        key = (area, row[_IND])
        pairs.add(key)
        if row[_YEAR] == year:
            current[key] = _state(row[_STATUS], row[_OVERDUE], row[_VALUE])
        elif row[_YEAR] == year - 1 and row[_VALUE] is not None:
            previous[key] = row[_STATUS]
    findings = []
    for key in pairs:
        findings += judge_pair(code_to_id[key[0]], key[1], current.get(key), previous.get(key))
    return findings


_FALLING = (ProgressStatus.LAGGING, ProgressStatus.OFF_TRACK)


class Seen:
    """What a full recompute showed its tap (``assessment.signals.progress_recompute_starting``), county by county
    while it computed the rows: the judged year's pairs that may raise (a figure, and 滞后/严重滞后 or overdue) and
    the year before's status of those that may have fallen — what ``after_full_recompute`` would otherwise read
    back from the whole table. No database access. If it raises, the engine logs it and drops it from the taps
    (``assessment.engine._tapped``): the receiver then finds none and reads the rows afterwards, as before."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.current: dict[tuple[str, int], State] = {}
        self.previous: dict[tuple[str, int], str] = {}

    def __call__(self, raws: list[tuple]) -> None:
        self._take(raws)

    def _take(self, raws: list[tuple]) -> None:
        year, before, falling = self.year, self.year - 1, _FALLING
        earlier: dict[int, str] = {}
        raising = []
        for row in raws:
            if row[_YEAR] == before:
                if row[_VALUE] is not None:
                    earlier[row[_IND]] = row[_STATUS]
            elif row[_YEAR] == year and row[_VALUE] is not None and (row[_STATUS] in falling or row[_OVERDUE]):
                raising.append(row)
        for row in raising:
            key = (row[_AREA], row[_IND])
            self.current[key] = State(row[_STATUS], row[_OVERDUE])
            if row[_STATUS] in falling and row[_IND] in earlier:
                self.previous[key] = earlier[row[_IND]]


def after_full_recompute(year: int, using: str = "default",
                         seen: Seen | None = None) -> tuple[list[Finding], set, dict[str, int]]:
    """Findings after a full recompute, without another pass over all rows: the judged year's rows that may
    raise (滞后, 严重滞后, overdue) and the year before's rows of the pairs that may have fallen — as the recompute
    showed them to its tap (``seen``), else read from the table — and the rows of the county × indicator pairs
    with an active alarm. Returns the findings, the pairs looked at and the active progress alarms (cause → id,
    for ``services.apply``: read once)."""
    progress = Progress.objects.using(using).exclude(area=PREFECTURE)
    code_to_id = dict(County.objects.using(using).values_list("code", "id"))
    id_to_code = {v: k for k, v in code_to_id.items()}
    if seen is not None:
        current = dict(seen.current)
    else:
        current = {(area, ind): State(status, overdue) for area, ind, status, overdue in (
            progress.filter(year=year, value__isnull=False).filter(Q(status__in=_FALLING) | Q(overdue=True))
            .values_list("area", "indicator_id", "status", "overdue"))}
    active, held = {}, set()
    for cause, pk, county_id, ind in Alarm.objects.using(using).filter(
            kind__in=PROGRESS_KINDS, status__in=ACTIVE).values_list("cause", "id", "county_id", "indicator_id"):
        active[cause] = pk
        held.add((id_to_code.get(county_id), ind))
    others = held - set(current)
    if others:
        for area, ind, status, overdue, value in progress.filter(
                year=year, area__in={a for a, _ in others}, indicator_id__in={i for _, i in others}).values_list(
                "area", "indicator_id", "status", "overdue", "value"):
            if (area, ind) in others:
                current[(area, ind)] = _state(status, overdue, value)
    pairs = set(current) | held
    previous = seen.previous if seen is not None else _previous_of_falling(progress, year, current)
    findings = []
    for key in pairs:
        if key[0] in code_to_id:
            findings += judge_pair(code_to_id[key[0]], key[1], current.get(key), previous.get(key), active)
    return findings, pairs, active


def _previous_of_falling(progress, year: int, current: dict[tuple[str, int], State]) -> dict[tuple[str, int], str]:
    """The year before's status of the pairs that are 滞后 or 严重滞后 in the judged year (those that may have
    fallen): only those rows, by a correlated subquery, not the whole year before."""
    falling = _FALLING
    if not any(s.status in falling for s in current.values()):
        return {}
    now_falling = progress.filter(year=year, value__isnull=False, status__in=falling,
                                  area=OuterRef("area"), indicator_id=OuterRef("indicator_id"))
    return {(area, ind): status for area, ind, status in progress.filter(
        year=year - 1, value__isnull=False).filter(Exists(now_falling)).values_list("area", "indicator_id", "status")}


# ── the clock: submissions of the open reporting year ──────────────────────────────────────────────────────

def submission_findings(today: date, days: int, counties: list[County] | None = None) -> list[Finding]:
    """蓝 due within ``days`` / 黄 late, per county, for the open reporting year (figures neither submitted nor
    approved: ``counties.reporting``)."""
    from counties.reporting import completeness
    from liangshan_edu.calendar import open_reporting_year

    year = open_reporting_year(today)
    ry = ReportingYear.objects.filter(year=year).first()
    deadline = ry.deadline if ry else None
    report = completeness(year, counties=counties)
    findings = []
    for county in report.counties:
        missing = len(report.county_total(county).unsubmitted)
        detail = _("%(year)s 年度尚有 %(n)s 项未提交，截止 %(deadline)s") % {
            "year": year, "n": missing, "deadline": deadline or "-"}
        findings.append(Finding(Kind.SUBMISSION_DUE, county.pk, None, str(year),
                                judging.submission_due(today, deadline, missing, days), detail))
        findings.append(Finding(Kind.SUBMISSION_LATE, county.pk, None, str(year),
                                judging.submission_late(today, deadline, missing), detail))
    return findings


# ── sources registered by higher apps ─────────────────────────────────────────────────────────────────────

# name → (the kinds it judges, a function of today giving every finding of those kinds). The clock task asks each
# and resolves the active alarms of its kinds that it no longer reports.
SOURCES: dict[str, tuple[tuple[str, ...], Callable[[date], list[Finding]]]] = {}


def register_source(name: str, kinds: tuple[str, ...], judge: Callable[[date], list[Finding]]) -> None:
    """Called by a higher app (in its ``AppConfig.ready``), e.g. supervision notices::

        register_source("supervision", (Kind.SUPERVISION_DUE, Kind.SUPERVISION_OVERDUE), notices_findings)
    """
    SOURCES[name] = (tuple(kinds), judge)
