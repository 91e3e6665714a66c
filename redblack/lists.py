"""Preview, publish and correct the lists (one path for every change: pages, API and appeals call these)."""
from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liangshan_edu.roles import can_review
from places.models import County
from redblack import conf, periods, rules
from redblack.choices import ListKind
from redblack.models import Entry, ListRule, Publication


class AlreadyPublished(Exception):
    """The period has been published already: a change is a correction (a new version), never a second list."""

    def __init__(self, publication: Publication) -> None:
        super().__init__(publication.period)
        self.publication = publication

    def __str__(self) -> str:
        """What a page or a failed job says (the API says it with the publication time: ``api.views``)."""
        return _("%(period)s 已发布（第%(version)s版），同一期次不能再次发布；如需更正请在该期榜单上发布更正版本。") % {
            "period": self.publication.period, "version": self.publication.version}


@dataclass
class Preview:
    period: periods.Period
    year: int
    candidates: list[rules.Candidate]
    skipped: list[str] = field(default_factory=list)
    applied: list[dict] = field(default_factory=list)

    def of(self, kind: str) -> list[rules.Candidate]:
        return [c for c in self.candidates if c.list == kind]

    @property
    def red(self) -> list[rules.Candidate]:
        return self.of(ListKind.RED)

    @property
    def black(self) -> list[rules.Candidate]:
        return self.of(ListKind.BLACK)


def check_official(user) -> None:
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以预览和发布红黑榜。"))


def _active_rules() -> list[dict]:
    return [{"code": r.code, "name": r.name, "list": r.list, "function": r.function, "params": r.params}
            for r in ListRule.objects.filter(active=True).order_by("list", "order", "code")]


Progress = Callable[[int, int, str], None]  # (steps done, steps in all, the step now): a job's page shows it


def build(user, period: str, year: int, *, rule_specs: list[dict] | None = None,
          progress: Progress | None = None) -> Preview:
    """The lists the active rules give for a period and data year now (nothing is written). ``rule_specs``
    (the rules a publication recorded) replaces the active rules: a correction re-runs the period's own rules.
    ``progress`` hears of each rule (and of the writing step that follows in ``publish``/``correct``)."""
    check_official(user)
    parsed = periods.parse(period)
    ctx = rules.Context(user, year)
    preview = Preview(parsed, year, [])
    specs = _active_rules() if rule_specs is None else rule_specs
    for n, rule in enumerate(specs):
        if progress:
            progress(n, len(specs) + 1, _("规则：%(name)s") % {"name": rule["name"]})
        registered = rules.REGISTRY.get(rule["function"])
        if registered is None:
            preview.skipped.append(_("规则“%(name)s”所用的规则函数 %(function)s 尚未登记，已跳过。") % {
                "name": rule["name"], "function": rule["function"]})
            continue
        found = registered.function(ctx, rule["params"] or {})
        for c in found:
            c.rule, c.list = rule["code"], rule["list"]
        preview.candidates.extend(sorted(found, key=lambda c: (c.county.code, c.indicator.code if c.indicator else "")))
        preview.applied.append(dict(rule))
    if progress:
        progress(len(specs), len(specs) + 1, _("写入榜单"))
    return preview


ENTRY_COLUMNS = ("publication_id", "list", "county_id", "indicator_id", "rule", "reason", "figures", "position",
                 "change")


def _copy_text(value: str) -> str:
    """A text value as COPY's text format writes it (backslash, tab and line breaks escaped)."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_lines(publication: Publication, candidates, marks: dict | None = None) -> Iterator[str]:
    """The entries of a publication as lines of COPY text, in the order of ``candidates`` (their positions);
    ``marks``: a correction's added/changed lines (``Changes.keys``)."""
    encoder = Entry._meta.get_field("figures").encoder
    marks = marks or {}
    for n, c in enumerate(candidates):
        indicator = "\\N" if c.indicator is None else str(c.indicator.pk)
        figures = _copy_text(json.dumps(c.figures, cls=encoder, ensure_ascii=False))
        yield (f"{publication.pk}\t{_copy_text(c.list)}\t{c.county.pk}\t{indicator}\t{_copy_text(c.rule)}\t"
               f"{_copy_text(c.reason)}\t{figures}\t{n}\t{marks.get(key(c), '')}\n")


def _entries(publication: Publication, candidates, marks: dict | None = None) -> None:
    """Write the entries: one COPY on PostgreSQL (a national list has two hundred thousand lines: batched
    INSERTs took most of a publication's time), bulk inserts of 2,000 rows elsewhere."""
    connection = connections[router.db_for_write(Entry)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {Entry._meta.db_table} ({', '.join(ENTRY_COLUMNS)}) FROM STDIN",
                                      io.StringIO("".join(copy_lines(publication, candidates, marks))))
        return
    marks = marks or {}
    Entry.objects.bulk_create([
        Entry(publication=publication, list=c.list, county=c.county, indicator=c.indicator, rule=c.rule,
              reason=c.reason, figures=c.figures, position=n, change=marks.get(key(c), ""))
        for n, c in enumerate(candidates)],
        batch_size=2000)  # one INSERT of a national list's hundred thousand rows would be one huge statement


def publish(user, period: str, year: int, progress: Progress | None = None) -> Publication:
    """Publish the lists of ``period`` from the data ``year`` as they stand now. A period is published once
    (``AlreadyPublished`` otherwise); what later approvals change shows in the next period."""
    preview = build(user, period, year, progress=progress)
    existing = Publication.objects.filter(period=preview.period.text).order_by("version").first()
    if existing is not None:
        raise AlreadyPublished(existing)
    try:
        with transaction.atomic():
            publication = Publication.objects.create(period=preview.period.text, year=year, version=1,
                                                     published_by=user, rules=preview.applied)
            _entries(publication, preview.candidates)
    except IntegrityError:  # published at the same moment by someone else
        raise AlreadyPublished(Publication.objects.get(period=preview.period.text, version=1)) from None
    return publication


Key = tuple  # (list, county code, indicator code or None, rule code): the same line in two versions


def key(item) -> Key:
    """What makes an entry (or a candidate) the same line in two versions of a period."""
    return (item.list, item.county.code, item.indicator.code if item.indicator else None, item.rule)


@dataclass
class Changes:
    """What a correction changed against the version it corrects: lines added, lines removed (withdrawn by an
    appeal or an official, or no longer given by the rules on the data as it now stands) and lines whose
    reason or figures changed (old, new)."""

    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    withdrawn: list = field(default_factory=list)
    changed: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.withdrawn or self.changed)

    @property
    def keys(self) -> dict[Key, str]:
        """The marker of each line of the new version that is new or changed (``added``/``changed``)."""
        return {**{key(e): "added" for e in self.added}, **{key(new): "changed" for _old, new in self.changed}}


def changes(old: list, new: list, withdrawn=()) -> Changes:
    """Plain objects in (entries or candidates of two versions), plain values out."""
    before, after = {key(e): e for e in old}, {key(e): e for e in new}
    gone = set(withdrawn)
    out = Changes(added=[e for k, e in after.items() if k not in before])
    for k, e in before.items():
        if k not in after:
            (out.withdrawn if k in gone else out.removed).append(e)
        elif (e.reason, e.figures) != (after[k].reason, after[k].figures):
            out.changed.append((e, after[k]))
    return out


@dataclass(frozen=True)
class Code:
    """A county or indicator as a line carries it: the code (what ``key`` compares) and the name shown."""

    code: str
    name: str = ""


@dataclass(frozen=True)
class Line:
    """An entry as a correction compares it (``key``, reason, figures), read as plain values rather than as model
    instances with their county and indicator: a national version has two hundred thousand."""

    pk: int
    list: str
    county: Code
    indicator: Code | None
    rule: str
    reason: str
    figures: dict

    def get_list_display(self) -> str:
        return str(ListKind(self.list).label)


def _lines(publication: Publication) -> list[Line]:
    """Every line of a version, in published order, as plain values (one query)."""
    return [Line(pk, kind, Code(county, name), Code(indicator) if indicator else None, rule, reason, figures)
            for pk, kind, county, name, indicator, rule, reason, figures in publication.entries.order_by(
                "list", "position").values_list("pk", "list", "county__code", "county__name", "indicator__code",
                                                "rule", "reason", "figures")]


def _withdrawn(publication: Publication) -> set[Key]:
    return {tuple(k) for k in publication.withdrawn or []}


def correct(user, publication: Publication, *, remove: list[int], reason: str,
            progress: Progress | None = None) -> Publication:
    """A correction: version n+1 of the period, computed by re-running the period's rules (as recorded on its
    publication) for its data year on the data as it now stands, without the lines withdrawn now (``remove``:
    entry ids of the current version) or by an earlier correction. The corrected version stays as it was,
    visible. What differs is worked out here, once, and kept with it: the summary on the new version
    (``Publication.changes``), each new or changed line marked (``Entry.change``) — a national correction's page
    then reads neither version whole. The lists are built before the period is locked (seconds at national
    scale); under the lock the version must still be the current one."""
    check_correction(user, publication, remove=remove, reason=reason)
    fresh = build(user, publication.period, publication.year, rule_specs=publication.rules,
                  progress=progress).candidates
    with transaction.atomic():
        latest = current(publication.period, lock=True)
        check_current(publication, latest)
        old, removing = _lines(latest), set(remove)
        picked = {key(e) for e in old if e.pk in removing}  # lines of this version (``check_correction``)
        withdrawn = _withdrawn(latest) | picked
        fresh = [c for c in fresh if key(c) not in withdrawn]
        found = changes(old, fresh, withdrawn)
        if not found:
            raise ValueError(_("按现有数据重新生成的榜单与当前版本相同，无需更正。"))
        new = Publication.objects.create(period=latest.period, year=latest.year, version=latest.version + 1,
                                         corrects=latest, reason=reason.strip(), published_by=user,
                                         rules=latest.rules, withdrawn=sorted((list(k) for k in withdrawn), key=str),
                                         changes=summary(found))
        _entries(new, fresh, found.keys)
    return new


NO_REASON = gettext_lazy("请填写更正原因。")
NOT_IN_VERSION = gettext_lazy("所选条目不在此版本中。")


def check_correction(user, publication: Publication, *, remove: list[int], reason: str) -> None:
    """What a correction needs before anything is built (``correct`` and a queued job ask it): an official, a
    reason, the current version, lines to withdraw that are lines of it. ValueError with the page's words."""
    check_official(user)
    if not reason.strip():
        raise ValueError(str(NO_REASON))
    check_current(publication)
    wanted = set(remove)
    if len(wanted) != publication.entries.filter(pk__in=wanted).count():
        raise ValueError(str(NOT_IN_VERSION))


def check_current(publication: Publication, latest: Publication | None = None) -> None:
    """Only the current version of a period is corrected."""
    latest = latest or current(publication.period)
    if latest.pk != publication.pk:
        raise ValueError(_("此版本已被更正，请在最新版本（第%(version)s版）上更正。") % {"version": latest.version})


def changes_of(publication: Publication) -> Changes | None:
    """What a correction changed against the version it corrects (None for an original)."""
    if publication.corrects_id is None:
        return None
    return changes(_lines(publication.corrects), _lines(publication), _withdrawn(publication))


def _plain(item, **extra) -> dict:
    return {"pk": getattr(item, "pk", None), "list": item.list, "county": item.county.name,
            "indicator": item.indicator.code if item.indicator else None, "reason": item.reason, **extra}


def summary(found: Changes, limit: int | None = None) -> dict:
    """What a page shows of a correction's changes, as plain values: each kind counted, its first ``limit``
    lines (``conf.page_size``) — kept on the correction when it is published."""
    limit = conf.page_size() if limit is None else limit
    kinds = ("withdrawn", "removed", "added")
    lines = {kind: [_plain(e) for e in getattr(found, kind)[:limit]] for kind in kinds}
    lines["changed"] = [_plain(new, old_reason=old.reason) for old, new in found.changed[:limit]]
    counts = {kind: len(getattr(found, kind)) for kind in (*kinds, "changed")}
    return {"counts": counts, "lines": lines, "limit": limit,
            "cut": any(counts[k] > len(lines[k]) for k in counts)}


def change_summary(publication: Publication) -> tuple[dict | None, dict[Key, str] | None]:
    """A version's changes against the one it corrects (None for an original), and — only for a correction
    published before they were kept (``Entry.change`` empty then) — the marks of its new and changed lines."""
    if publication.corrects_id is None:
        return None, None
    if publication.changes is not None:
        return publication.changes, None
    found = changes_of(publication)
    return summary(found), found.keys


def current(period: str, *, lock: bool = False) -> Publication | None:
    """The current (highest) version of a period's lists."""
    qs = Publication.objects.filter(period=period).order_by("-version")
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def latest_period() -> str | None:
    """The latest period published (by the period's end, not by publication time)."""
    names = set(Publication.objects.values_list("period", flat=True))
    return max(names, key=periods.sort_key) if names else None


def current_versions() -> list[Publication]:
    """The current version of every period, in period order, each with ``black_counties`` (the counties with a
    line on its black list): four queries — versions, the current rows, the distinct (version, county) pairs of
    the black lists, their counties — not every line of every list (a national list has two hundred thousand)."""
    tops = Publication.objects.values("period").annotate(v=Max("version")).order_by()
    wanted = {(t["period"], t["v"]) for t in tops}
    pubs = [p for p in Publication.objects.filter(period__in={p for p, _v in wanted}).select_related("published_by")
            if (p.period, p.version) in wanted]
    pairs = set(Entry.objects.filter(publication__in=pubs, list=ListKind.BLACK).order_by()
                .values_list("publication_id", "county_id").distinct())
    counties = County.objects.in_bulk({county for _pub, county in pairs}) if pairs else {}
    for pub in pubs:
        pub.black_counties = sorted((counties[c] for p, c in pairs if p == pub.pk), key=lambda c: c.code)
    return sorted(pubs, key=lambda p: periods.sort_key(p.period))


@dataclass
class Movement:
    """How the black list of one period differs from the previous period of the same kind."""

    publication: Publication
    black: list  # counties on the black list (any entry), by code
    entered: list
    left: list
    streaks: dict  # county code → periods in a row on the black list, this one included

    @property
    def black_streaks(self) -> list[tuple]:
        return [(c, self.streaks[c.code]) for c in self.black]


def movements(publications: list[Publication]) -> list[Movement]:
    """Who entered and who left the black list, and for how many periods in a row each county has been on it;
    monthly and quarterly periods each form their own series (a quarter is compared with the last quarter).
    Plain objects in (publications with their ``black_counties``, as ``current_versions`` gives them), plain
    values out."""
    out: list[Movement] = []
    previous: dict[str, tuple[dict, dict]] = {}
    for pub in publications:
        kind = periods.parse(pub.period).kind
        counties = {c.code: c for c in pub.black_counties}
        now = set(counties)
        before_counties, streak_before = previous.get(kind, ({}, {}))
        before = set(before_counties)
        streaks = {code: streak_before.get(code, 0) + 1 for code in now}
        out.append(Movement(pub, [counties[c] for c in sorted(now)], [counties[c] for c in sorted(now - before)],
                            [before_counties[c] for c in sorted(before - now)], streaks))
        previous[kind] = (counties, streaks)
    return out
