"""The rows of the progress report and the final-evaluation report, built once for every format (xlsx, CSV,
PDF), the API and the pages.

The numbers are the engine's: the stored progress and evaluation rows read through the user-scoped querysets
(``assessment.queries``) the pages and the API read — so a report matches the screen — or, for a past moment,
the rows rebuilt from the audit trail by ``reports.asof``. Labels come from the same helpers the pages use
(``dashboards.queries.result_view``, ``dashboards.display``, the catalogue's template filters).
"""
from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Iterable, Iterator, NamedTuple

from django.db import router
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.basis import digest
from assessment.choices import PREFECTURE, EvaluationResult, ProgressStatus
from assessment.engine import judged_as
from assessment.queries import default_year, evaluation_visible_to, progress_visible_to
from places.models import County
from counties import audit
from counties.models import Figure
from liangshan_edu.formats import plain
from dashboards.display import RESULT_COLOURS, RESULT_ORDER, STATUS_COLOURS, STATUS_ORDER
from dashboards.queries import result_view
from places.choices import Tier
from indicators.models import Indicator, Target
from indicators.templatetags.catalogue import ind_name, plan_name
from reports import asof
from reports.scope import CATALOGUE, HISTORY, PROGRESS, REDBLACK, Scope

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header and the attribute of a line
    label: object  # the header people read (xlsx, PDF)
    type: str = "text"  # text, number, year, status, result, bool, datetime
    width: int = 12
    # A label column: the line's ``source`` code read through ``choices`` (the CSV looks each label up once per
    # file instead of translating it per row); ``getattr(line, key)`` gives the same text.
    source: str = ""
    choices: type | None = None


PROGRESS_COLUMNS = [
    Column("county", gettext_lazy("县市代码"), width=11), Column("county_name", gettext_lazy("县市"), width=14),
    Column("plan", gettext_lazy("实施方案"), width=12), Column("indicator", gettext_lazy("指标代码"), width=12),
    Column("indicator_name", gettext_lazy("指标"), width=40), Column("unit", gettext_lazy("单位"), width=8),
    Column("year", gettext_lazy("年度"), "year", 7), Column("value", gettext_lazy("数值"), "number"),
    Column("target", gettext_lazy("目标值"), "number"), Column("target_year", gettext_lazy("目标年份"), "year", 9),
    Column("assumed_deadline", gettext_lazy("推定期限"), "bool", 8),
    Column("condition", gettext_lazy("适用条件"), width=22),
    Column("expected", gettext_lazy("预期值"), "number"), Column("status", gettext_lazy("状态代码"), width=10),
    Column("status_label", gettext_lazy("状态"), "status", 10, "status", ProgressStatus), Column("overdue", gettext_lazy("逾期"), "bool", 6),
    Column("projected", gettext_lazy("预测值"), "number"),
    Column("will_meet", gettext_lazy("按当前速度能否达标"), "bool", 10),
    Column("entered_by", gettext_lazy("填报人"), width=14), Column("approved_by", gettext_lazy("审核人"), width=12),
    Column("approved_at", gettext_lazy("审核时间"), "datetime", 18),
]

EVALUATION_COLUMNS = [
    Column("county", gettext_lazy("县市代码"), width=11), Column("county_name", gettext_lazy("县市"), width=14),
    Column("tier", gettext_lazy("分类区"), width=8),
    Column("plan", gettext_lazy("实施方案"), width=12), Column("indicator", gettext_lazy("指标代码"), width=12),
    Column("indicator_name", gettext_lazy("指标"), width=40), Column("unit", gettext_lazy("单位"), width=8),
    Column("target_year", gettext_lazy("目标年份"), "year", 9),
    Column("assumed_deadline", gettext_lazy("推定期限"), "bool", 8),
    Column("condition", gettext_lazy("适用条件"), width=22), Column("target", gettext_lazy("目标值"), "number"),
    Column("value_at_deadline", gettext_lazy("目标年份数值"), "number"),
    Column("met_year", gettext_lazy("达标年份"), "year", 9), Column("result", gettext_lazy("结果代码"), width=12),
    Column("result_label", gettext_lazy("评估结果"), "result", 22),
    Column("latest_value", gettext_lazy("最新数值"), "number"), Column("latest_year", gettext_lazy("最新年份"), "year", 9),
]


class ProgressLine(NamedTuple):
    county: str
    county_name: str
    plan: str
    indicator: str
    indicator_name: str
    unit: str
    kind: str
    year: int
    value: Decimal | None
    target: Decimal | None
    target_year: int | None
    expected: Decimal | None
    status: str
    overdue: bool
    projected: Decimal | None
    will_meet: bool | None
    entered_by: str = ""
    approved_by: str = ""
    approved_at: datetime | None = None
    # The target's deadline is assumed (the plan gives none), and its condition in the plan's words (issue 14).
    assumed_deadline: bool = False
    condition: str = ""

    @property
    def status_label(self) -> str:
        return str(ProgressStatus(self.status).label)


class EvaluationLine(NamedTuple):
    county: str
    county_name: str
    tier: str
    plan: str
    indicator: str
    indicator_name: str
    unit: str
    kind: str
    target_year: int | None
    target: Decimal
    value_at_deadline: Decimal | None
    met_year: int | None
    result: str
    result_label: str
    latest_value: Decimal | None
    latest_year: int | None
    assumed_deadline: bool = False
    condition: str = ""


@dataclass
class Table:
    """A summary table (counts by plan, tier, county)."""

    title: str
    header: list[str]
    rows: list[list]


@dataclass
class Report:
    """One report, ready for any format. ``lines`` is a list, or an iterator for streaming (CSV)."""

    scope: Scope
    title: str
    scope_text: str
    columns: list[Column]
    lines: Iterable
    plans: list[tuple[str, str]]  # (code, name) in catalogue order: one xlsx sheet each
    generated_at: datetime
    data_version: str
    period: str  # 2025, or 2022-2025
    summaries: list[Table] = field(default_factory=list)
    chart: list[tuple[str, list[tuple[str, str, int]]]] = field(default_factory=list)  # plan → (label, colour, n)

    @property
    def as_of(self) -> datetime | None:
        return self.scope.as_of

    def cover(self) -> list[tuple[str, str]]:
        """The cover lines every format states (scope, data version, as of, generation time)."""
        when = timezone.localtime(self.generated_at).strftime("%Y-%m-%d %H:%M:%S")
        as_of = (timezone.localtime(self.as_of).strftime("%Y-%m-%d %H:%M:%S") if self.as_of
                 else _("当前数据（生成时）"))
        return [(_("报表"), self.title), (_("范围"), self.scope_text), (_("年度/周期"), self.period),
                (_("数据截至"), as_of), (_("数据版本"), self.data_version), (_("生成时间"), when)]


def area_names() -> dict[str, str]:
    names = dict(County.objects.values_list("code", "name"))
    names[PREFECTURE] = _("全州")
    return names


def _catalogue() -> dict[int, Indicator]:
    return {i.pk: i for i in Indicator.objects.select_related("plan", "unit")}


TargetNote = tuple[bool, str]
NO_NOTE: TargetNote = (False, "")


def target_notes() -> dict[tuple[int, int | None], TargetNote]:
    """(indicator id, target year) → whether that deadline is assumed (the plan gives none: 推定期限) and the
    target's condition in the plan's words (30万人口以上的县（市）), for the report's two columns; one query."""
    notes: dict[tuple[int, int | None], TargetNote] = {}
    for ind_id, year, assumed, words in Target.objects.values_list("indicator_id", "year", "assumed_deadline",
                                                                   "condition_text"):
        was, said = notes.get((ind_id, year), NO_NOTE)
        notes[(ind_id, year)] = (was or assumed, said or words)
        if words:
            notes.setdefault((ind_id, ANY_YEAR), (False, words))
    return notes


ANY_YEAR = "*"


def note_for(notes: dict, ind_id: int, target_year: int | None) -> TargetNote:
    """The two columns of a row judged against the target of ``target_year``; a row without a target (待确定: its
    condition cannot be decided yet) carries its indicator's condition."""
    return notes.get((ind_id, target_year)) or notes.get((ind_id, ANY_YEAR), NO_NOTE)


def data_version(as_of: datetime | None = None) -> str:
    """Which data a report was built from: the last recorded figure change it saw and a fingerprint of the
    catalogue and counties (``assessment.basis``). Equal versions, equal numbers."""
    history = Figure.history.model.objects.all()
    if as_of is not None:
        history = history.filter(history_date__lte=as_of)
    last = history.aggregate(m=Max("history_id"))["m"] or 0
    # The fingerprint from the database the history was read from (the benchmark routes reads to its own).
    return f"F{last}-C{digest(using=router.db_for_read(Indicator))[:10]}"


def scope_text(scope: Scope, names: dict[str, str]) -> str:
    parts = [_("全州及各县市") if scope.whole_prefecture else names.get(scope.county, scope.county)]
    if scope.plan:
        parts.append(_("实施方案 %(code)s") % {"code": scope.plan})
    if scope.indicator:
        parts.append(_("指标 %(code)s") % {"code": scope.indicator})
    return " · ".join(parts)


def _in_scope(scope: Scope, area: str, ind: Indicator | None) -> bool:
    if ind is None or (not scope.whole_prefecture and area != scope.county):
        return False
    if scope.plan and ind.plan.code != scope.plan:
        return False
    return not (scope.indicator and ind.code != scope.indicator)


def _plans(catalogue: dict[int, Indicator], scope: Scope) -> list[tuple[str, str]]:
    seen: dict[str, tuple] = {}
    for ind in sorted(catalogue.values(), key=lambda i: (i.plan.order, i.plan.code)):
        if _in_scope(scope, scope.county if not scope.whole_prefecture else PREFECTURE, ind):
            seen.setdefault(ind.plan.code, (ind.plan.code, plan_name(ind.plan, "short")))
    return list(seen.values())


def _order(catalogue: dict[int, Indicator]):
    def key(ind_id: int, area: str) -> tuple:
        ind = catalogue[ind_id]
        return (ind.plan.order, ind.plan.code, ind.order, ind.code, area)
    return key


# ----------------------------------------------------------------------------------------- progress --


def progress_report(user, scope: Scope, *, stream: bool = False) -> Report:
    """The progress report: every indicator of the scope in the year with value, target, expected value,
    status, projection and the provenance of each value. ``stream``: lines as an iterator (large CSV)."""
    names, catalogue = area_names(), _catalogue()
    rebuilt = asof.approved_at_moment(scope.as_of) if scope.as_of else None
    year = scope.year
    if year is None:
        year = _latest_year(rebuilt, scope) if rebuilt else default_year(user)
    scope = Scope(scope.kind, scope.county, year, None, scope.plan, scope.indicator, scope.as_of)
    if rebuilt is not None:
        lines: Iterable[ProgressLine] = _progress_as_of(scope, rebuilt, catalogue, names)
    else:
        lines = _progress_stored(user, scope, catalogue, names)
    if not stream:
        lines = list(lines)
    report = Report(scope, str(_("目标进度报表")), scope_text(scope, names), PROGRESS_COLUMNS, lines,
                    _plans(catalogue, scope), timezone.now(), data_version(scope.as_of), str(year or "—"))
    if not stream:
        _progress_summaries(report, catalogue)
    return report


def _latest_year(rebuilt: asof.Rebuilt, scope: Scope) -> int | None:
    codes = dict(County.objects.values_list("id", "code"))
    years = [y for (county_id, _), figures in rebuilt.figures.items()
             if scope.whole_prefecture or codes.get(county_id) == scope.county for y, *_ in figures]
    return max(years) if years else None


PROGRESS_VALUES = ("area", "indicator_id", "year", "value", "target", "target_year", "expected", "status", "overdue",
                   "projected", "will_meet")


def _within(qs, scope: Scope):
    """Stored rows (progress or evaluation) of the scope's area, plan and indicator."""
    if not scope.whole_prefecture:
        qs = qs.filter(area=scope.county)
    if scope.plan:
        qs = qs.filter(indicator__plan__code=scope.plan)
    if scope.indicator:
        qs = qs.filter(indicator__code=scope.indicator)
    return qs


def progress_queryset(user, scope: Scope):
    """The stored progress rows of a scope, through the user-scoped queryset every page and the API read."""
    qs = _within(progress_visible_to(user).filter(year=scope.year), scope)
    return qs.order_by("indicator__plan__order", "indicator__plan__code", "indicator__order", "indicator__code",
                       "area")


def _progress_stored(user, scope: Scope, catalogue, names) -> Iterator[ProgressLine]:
    rows = progress_queryset(user, scope).values_list(*PROGRESS_VALUES).iterator(chunk_size=CHUNK)
    described: dict[int, tuple] = {}  # indicator id → its columns, looked up once per file, not per row
    no_provenance = ("", "", None)
    notes = target_notes()
    while chunk := list(islice(rows, CHUNK)):
        provenance = _provenance(user, {(r[0], r[1], r[2]) for r in chunk})
        for r in chunk:
            area, ind_id, year = r[0], r[1], r[2]
            about = described.get(ind_id)
            if about is None:
                about = described[ind_id] = _about(catalogue[ind_id])
            prov = provenance.get((area, ind_id, year))
            yield ProgressLine(area, names.get(area, area), *about, year, *r[3:],
                               *(prov if prov is not None else no_provenance), *note_for(notes, ind_id, r[5]))


def _provenance(user, keys: set[tuple]) -> dict[tuple, asof.Provenance]:
    """Who entered and who approved the approved figures behind a chunk of rows (area, indicator, year)."""
    if not keys:
        return {}
    History = Figure.history.model
    first = History.objects.filter(id=OuterRef("pk")).order_by("history_id").values("history_user__username")[:1]
    areas = {k[0] for k in keys}
    where = Q(county__code__in=areas - {PREFECTURE})
    if PREFECTURE in areas:
        where |= Q(county__isnull=True)
    figures = (Figure.objects.visible_to(user).approved().filter(where)
               .filter(indicator_id__in={k[1] for k in keys}, year__in={k[2] for k in keys})
               .annotate(entered=Subquery(first))
               .values_list("county__code", "indicator_id", "year", "entered", "approved_by__username",
                            "approved_at"))
    return {(code or PREFECTURE, i, y): asof.Provenance(entered or "", approver or "", at)
            for code, i, y, entered, approver, at in figures}


def _about(ind: Indicator) -> tuple[str, str, str, str, str]:
    """An indicator's columns of a progress line: plan, code, name, unit, kind."""
    return ind.plan.code, ind.code, ind_name(ind), ind.unit.code, ind.kind


def _progress_line(r: tuple, ind: Indicator, names, prov: asof.Provenance | None,
                   note: TargetNote = NO_NOTE) -> ProgressLine:
    area, _, year, value, target, target_year, expected, status, overdue, projected, will_meet = r
    return ProgressLine(area, names.get(area, area), ind.plan.code, ind.code, ind_name(ind), ind.unit.code,
                        ind.kind, year, value, target, target_year, expected, status, overdue, projected,
                        will_meet, prov.entered_by if prov else "", prov.approved_by if prov else "",
                        prov.approved_at if prov else None, *note)


def _progress_as_of(scope: Scope, rebuilt: asof.Rebuilt, catalogue, names) -> list[ProgressLine]:
    rows = [r for r in asof.progress_rows(rebuilt, scope.as_of)
            if r[2] == scope.year and _in_scope(scope, r[0], catalogue.get(r[1]))]
    rows.sort(key=lambda r: _order(catalogue)(r[1], r[0]))
    notes = target_notes()
    return [_progress_line((r[0], r[1], r[2], r[3], r[8], r[9], r[10], r[11], r[12], r[13], r[14]),
                           catalogue[r[1]], names, rebuilt.provenance.get((r[0], r[1], r[2])),
                           note_for(notes, r[1], r[9])) for r in rows]


def _progress_summaries(report: Report, catalogue) -> None:
    by_plan: dict[str, Counter] = defaultdict(Counter)
    by_area: dict[str, Counter] = defaultdict(Counter)
    for line in report.lines:
        by_plan[line.plan][line.status] += 1
        by_area[line.county_name][line.status] += 1
    plan_names = dict(report.plans)
    header = [str(s.label) for s in STATUS_ORDER] + [str(_("合计"))]
    report.summaries.append(Table(str(_("各实施方案进度状态统计")), [str(_("实施方案"))] + header, [
        [plan_names.get(p, p)] + [c.get(s, 0) for s in STATUS_ORDER] + [sum(c.values())]
        for p, c in by_plan.items()]))
    if len(by_area) > 1:
        report.summaries.append(Table(str(_("各县市进度状态统计")), [str(_("县市"))] + header, [
            [a] + [c.get(s, 0) for s in STATUS_ORDER] + [sum(c.values())] for a, c in by_area.items()]))
    report.chart = [(plan_names.get(p, p), [(str(s.label), STATUS_COLOURS[s], c.get(s, 0)) for s in STATUS_ORDER])
                    for p, c in by_plan.items()]


# ------------------------------------------------------------------------------------- evaluation --

EVALUATION_VALUES = ("area", "indicator_id", "target_year", "target", "value_at_deadline", "met_year", "result",
                     "latest_value", "latest_year", "years_met", "years_reported")


def evaluation_report(user, scope: Scope) -> Report:
    """The final-evaluation report: every target with its result, counts by plan, tier and county, and the
    prefecture's own."""
    names, catalogue = area_names(), _catalogue()
    catalogue = {i: ind for i, ind in catalogue.items() if ind.plan.cycle == scope.cycle}
    tiers = dict(County.objects.values_list("code", "tier"))
    if scope.as_of:
        rebuilt = asof.approved_at_moment(scope.as_of)
        raw = [(area, ind_id, ty, target, j.value_at_deadline, j.met_year, j.result, j.latest_value,
                j.latest_year, j.years_met, j.years_reported)
               for area, ind_id, ty, target, j in asof.evaluation_rows(rebuilt, asof.progress_rows(rebuilt,
                                                                                                   scope.as_of))
               if _in_scope(scope, area, catalogue.get(ind_id))]
        order = _order(catalogue)
        raw.sort(key=lambda r: (order(r[1], r[0]), r[2] is None, r[2] or 0))
    else:
        qs = _within(evaluation_visible_to(user).filter(indicator__plan__cycle=scope.cycle), scope)
        raw = list(qs.order_by("indicator__plan__order", "indicator__plan__code", "indicator__order",
                               "indicator__code", "area", "target_year").values_list(*EVALUATION_VALUES))
    notes = target_notes()
    lines = [_evaluation_line(r, catalogue[r[1]], names, tiers, note_for(notes, r[1], r[2])) for r in raw]
    report = Report(scope, str(_("终期评估报表")), scope_text(scope, names), EVALUATION_COLUMNS, lines,
                    _plans(catalogue, scope), timezone.now(), data_version(scope.as_of), scope.cycle or "")
    _evaluation_summaries(report)
    return report


def _evaluation_line(r: tuple, ind: Indicator, names, tiers, note: TargetNote = NO_NOTE) -> EvaluationLine:
    area, _, target_year, target, at_deadline, met_year, result, latest_value, latest_year, met, reported = r
    view = result_view(result=result, met_year=met_year, latest_value=latest_value, latest_year=latest_year,
                       target=target, target_year=target_year, years_met=met, years_reported=reported,
                       direction=judged_as(ind.kind, ind.direction, ind.level, ind.rollup, area)[1])
    tier = tiers.get(area)
    return EvaluationLine(area, names.get(area, area), str(Tier(tier).label) if tier else "", ind.plan.code,
                          ind.code, ind_name(ind), ind.unit.code, ind.kind, target_year, target, at_deadline,
                          met_year, result, view.text, latest_value, latest_year, *note)


def _counts_table(title: str, first: str, groups: dict[str, Counter]) -> Table:
    header = [first] + [str(r.label) for r in RESULT_ORDER] + [str(_("合计")), str(_("达标占比"))]
    rows = []
    for name, c in groups.items():
        total = sum(c.values())
        met = c.get(EvaluationResult.MET_ON_TIME, 0) + c.get(EvaluationResult.MET_LATE, 0)
        rows.append([name] + [c.get(r, 0) for r in RESULT_ORDER] + [total, round(met * 100 / total, 1) if total
                                                                    else None])
    return Table(title, header, rows)


def _evaluation_summaries(report: Report) -> None:
    plan_names = dict(report.plans)
    by_plan: dict[str, Counter] = defaultdict(Counter)
    by_tier: dict[str, Counter] = defaultdict(Counter)
    by_county: dict[str, Counter] = defaultdict(Counter)
    prefecture: dict[str, Counter] = defaultdict(Counter)
    for line in report.lines:
        if line.county == PREFECTURE:
            prefecture[plan_names.get(line.plan, line.plan)][line.result] += 1
            continue
        by_plan[plan_names.get(line.plan, line.plan)][line.result] += 1
        by_tier[line.tier][line.result] += 1
        by_county[line.county_name][line.result] += 1
    report.summaries = [
        _counts_table(str(_("各县市目标：按实施方案")), str(_("实施方案")), by_plan),
        _counts_table(str(_("各县市目标：按分类区")), str(_("分类区")), by_tier),
        _counts_table(str(_("各县市目标：按县市")), str(_("县市")), by_county),
    ]
    if prefecture:
        report.summaries.append(_counts_table(str(_("全州目标（全州汇总数据对照全州目标）")), str(_("实施方案")),
                                              prefecture))
    report.chart = [(name, [(str(r.label), RESULT_COLOURS[r], c.get(r, 0)) for r in RESULT_ORDER])
                    for name, c in (by_plan or prefecture).items()]


# ---------------------------------------------------------------------------------- change history --

HISTORY_COLUMNS = [
    Column("history_id", gettext_lazy("记录号"), "year", 9), Column("changed_at", gettext_lazy("时间"), "datetime", 18),
    Column("user", gettext_lazy("用户"), width=14), Column("county", gettext_lazy("县市代码"), width=11),
    Column("county_name", gettext_lazy("县市"), width=14), Column("indicator", gettext_lazy("指标代码"), width=12),
    Column("indicator_name", gettext_lazy("指标"), width=36), Column("year", gettext_lazy("年度"), "year", 7),
    Column("action", gettext_lazy("操作代码"), width=9), Column("action_label", gettext_lazy("操作"), width=8),
    Column("version", gettext_lazy("版本"), "year", 6), Column("status", gettext_lazy("状态代码"), width=10),
    Column("reason", gettext_lazy("原因"), width=30), Column("changes", gettext_lazy("变更（原值 → 新值）"), width=60),
]
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
HISTORY_SHEET = "history"


class HistoryLine(NamedTuple):
    history_id: int
    changed_at: datetime
    user: str
    county: str
    county_name: str
    indicator: str
    indicator_name: str
    year: int
    action: str
    action_label: str
    version: int
    status: str
    reason: str
    changes: str
    plan: str = HISTORY_SHEET  # one sheet in the xlsx
    kind: str = ""


def history_filters(scope: Scope) -> audit.Filters:
    """The scope as the audit log's filters (``counties.audit.records``: the page's own query)."""
    return audit.Filters(county="" if scope.whole_prefecture else scope.county, year=scope.year,
                         indicator=scope.indicator or "", user=scope.who or "", date_from=scope.date_from,
                         date_to=scope.date_to, q=scope.reason or "", as_of=scope.as_of)


def _history_lines(user, scope: Scope, names: dict[str, str]) -> Iterator[HistoryLine]:
    """Newest first, like the page; read in chunks so that memory stays bounded however long the history."""
    rows = audit.records(user, history_filters(scope)).iterator(chunk_size=CHUNK)
    prefecture = names[PREFECTURE]
    while chunk := list(islice(rows, CHUNK)):
        for event in audit.events(chunk):
            r = event.record
            code = r.county.code if r.county else PREFECTURE
            yield HistoryLine(
                r.history_id, r.history_date, r.history_user.username if r.history_user else "", code,
                r.county.name if r.county else prefecture, r.indicator.code if r.indicator else "",
                ind_name(r.indicator) if r.indicator else "", r.year, ACTIONS.get(r.history_type, r.history_type),
                str(event.type_label), r.version, r.status or "", r.history_change_reason or "",
                "；".join(f"{c.label}：{c.old} → {c.new}" for c in event.changes))


def _history_scope_text(scope: Scope, names: dict[str, str]) -> str:
    parts = [_("全州及各县市") if scope.whole_prefecture else names.get(scope.county, scope.county)]
    if scope.indicator:
        parts.append(_("指标代码含 %(text)s") % {"text": scope.indicator})
    if scope.who:
        parts.append(_("用户名含 %(text)s") % {"text": scope.who})
    if scope.date_from or scope.date_to:
        parts.append(_("日期 %(start)s 至 %(end)s") % {"start": scope.date_from or "…", "end": scope.date_to or "…"})
    if scope.reason:
        parts.append(_("原因含 %(text)s") % {"text": scope.reason})
    return " · ".join(parts)


def history_report(user, scope: Scope, *, stream: bool = False) -> Report:
    """The change history (留痕) of the figures the user may read, with the audit log's filters, as of a moment:
    every record with who, when, the county, indicator and year, the operation, the reason and what changed.

    ``stream``: the lines are an iterator and the counts by county (the cover's table) are complete once it has
    been read to the end (the xlsx writes its cover last)."""
    names = area_names()
    header = [str(_("县市"))] + [str(label) for label in Figure.HISTORY_TYPES.values()] + [str(_("合计"))]
    counts = Table(str(_("各县市变更记录统计")), header, [])
    lines: Iterable[HistoryLine] = _counted(_history_lines(user, scope, names), counts)
    if not stream:
        lines = list(lines)
    report = Report(scope, str(_("数据变更记录")), _history_scope_text(scope, names), HISTORY_COLUMNS, lines,
                    [(HISTORY_SHEET, str(_("变更记录")))], timezone.now(), data_version(scope.as_of),
                    str(scope.year or _("全部年度")), [counts])
    return report


def _counted(lines: Iterable, table: Table, by: str = "county_name") -> Iterator:
    """The lines, counted by ``by`` (the county) and operation into ``table`` once the last one has been read."""
    by_area: dict[str, Counter] = defaultdict(Counter)
    for line in lines:
        by_area[getattr(line, by)][line.action] += 1
        yield line
    table.rows.extend([area] + [c.get(a, 0) for a in ACTIONS.values()] + [sum(c.values())]
                      for area, c in by_area.items())


# ------------------------------------------------------------------------ change history of the catalogue --

CATALOGUE_COLUMNS = [
    Column("history_id", gettext_lazy("记录号"), "year", 9), Column("changed_at", gettext_lazy("时间"), "datetime", 18),
    Column("user", gettext_lazy("用户"), width=14), Column("object", gettext_lazy("对象代码"), width=10),
    Column("object_label", gettext_lazy("对象"), width=8), Column("object_id", gettext_lazy("对象编号"), "year", 9),
    Column("indicator", gettext_lazy("指标代码"), width=12), Column("indicator_name", gettext_lazy("指标"), width=36),
    Column("action", gettext_lazy("操作代码"), width=9), Column("action_label", gettext_lazy("操作"), width=8),
    Column("reason", gettext_lazy("原因"), width=30), Column("changes", gettext_lazy("变更（原值 → 新值）"), width=60),
]
CATALOGUE_OBJECTS = {"indicator": (Indicator, gettext_lazy("指标")), "target": (Target, gettext_lazy("目标"))}


class CatalogueLine(NamedTuple):
    history_id: int
    changed_at: datetime
    user: str
    object: str  # indicator or target
    object_label: str
    object_id: int
    indicator: str
    indicator_name: str
    action: str
    action_label: str
    reason: str
    changes: str
    plan: str = HISTORY_SHEET
    kind: str = ""


def _catalogue_records(name: str, scope: Scope):
    """One catalogue model's history records under the change history's filters, newest first."""
    model = CATALOGUE_OBJECTS[name][0]
    qs = model.history.model.objects.select_related("history_user")
    code = "code" if model is Indicator else "indicator__code"
    if model is Target:
        qs = qs.select_related("indicator")
    if scope.year:  # a target's deadline year; indicators have none
        qs = qs.filter(year=scope.year) if model is Target else qs.none()
    if scope.indicator:
        qs = qs.filter(**{f"{code}__icontains": scope.indicator})
    if scope.who:
        qs = qs.filter(history_user__username__icontains=scope.who)
    if scope.date_from:
        qs = qs.filter(history_date__date__gte=scope.date_from)
    if scope.date_to:
        qs = qs.filter(history_date__date__lte=scope.date_to)
    if scope.reason:
        qs = qs.filter(history_change_reason__icontains=scope.reason)
    if scope.as_of:
        qs = qs.filter(history_date__lte=scope.as_of)
    return qs.order_by("-history_date", "-history_id")


def _change_text(model, record, counties: dict[int, str]) -> str:
    """What a record changed against the one before it ("field: old → new; …"); empty for the first."""
    before = record.prev_record  # one query per record: the catalogue changes rarely (administrators' edits)
    if before is None:
        return ""

    def text(value) -> str:
        if isinstance(value, list):  # a many-to-many field (a target's counties)
            return ", ".join(sorted(counties.get(v.get("county"), str(v)) for v in value))
        return plain(value) if isinstance(value, Decimal) else ("" if value is None else str(value))

    return "；".join(f"{model._meta.get_field(c.field).verbose_name}：{text(c.old)} → {text(c.new)}"
                     for c in record.diff_against(before).changes)


def _catalogue_lines(scope: Scope) -> Iterator[CatalogueLine]:
    counties = dict(County.objects.values_list("id", "code"))

    def lines(name: str) -> Iterator[CatalogueLine]:
        model, label = CATALOGUE_OBJECTS[name]
        for r in _catalogue_records(name, scope).iterator(chunk_size=CHUNK):
            ind = r if model is Indicator else r.indicator
            yield CatalogueLine(
                r.history_id, r.history_date, r.history_user.username if r.history_user else "", name, str(label),
                r.id, ind.code if ind else "", ind_name(ind) if ind else "", ACTIONS.get(r.history_type, ""),
                str(Figure.HISTORY_TYPES.get(r.history_type, "")), r.history_change_reason or "",
                _change_text(model, r, counties))
    # the two models' records, newest first (by time, then record number)
    return heapq.merge(lines("indicator"), lines("target"), key=lambda line: (line.changed_at, line.history_id),
                       reverse=True)


def catalogue_history_report(scope: Scope, *, stream: bool = False) -> Report:
    """The change history of the catalogue — targets and indicators, DESIGN §2: "every change to a figure, target
    or rule is recorded: who, when, old value, new value, why" — as the figures' change history is exported."""
    header = [str(_("对象"))] + [str(label) for label in Figure.HISTORY_TYPES.values()] + [str(_("合计"))]
    counts = Table(str(_("目标和指标变更记录统计")), header, [])
    lines: Iterable[CatalogueLine] = _counted(_catalogue_lines(scope), counts, "object_label")
    if not stream:
        lines = list(lines)
    parts = [str(_("目标和指标"))] + _history_scope_text(scope, {PREFECTURE: ""}).split(" · ")[1:]
    return Report(scope, str(_("目标和指标变更记录")), " · ".join(parts), CATALOGUE_COLUMNS, lines,
                  [(HISTORY_SHEET, str(_("变更记录")))], timezone.now(), data_version(scope.as_of),
                  str(scope.year or _("全部年度")), [counts])


def build(user, scope: Scope, *, stream: bool = False) -> Report:
    """The report a scope asks for."""
    if scope.kind == PROGRESS:
        return progress_report(user, scope, stream=stream)
    if scope.kind == HISTORY:
        if scope.subject == CATALOGUE:
            return catalogue_history_report(scope, stream=stream)
        return history_report(user, scope, stream=stream)
    if scope.kind == REDBLACK:
        from reports import redblack_report  # built on this module's Report (imports it)
        return redblack_report.build(user, scope, stream=stream)
    return evaluation_report(user, scope)

