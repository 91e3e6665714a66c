"""What a report covers, read from a request's parameters and checked against the user's role and county.

Clerks export only their own county; officials, auditors and administrators everything (the prefecture with all
counties, any county); anyone else nothing. The change history (``HISTORY``) takes the audit-log page's filters
(year, part of an indicator code, part of a user name, a date range, part of the reason). Every format, the API and the pages read the scope through
``resolve``, so the check lives here once.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Mapping

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from assessment.choices import PREFECTURE
from places.models import County
from indicators.cycles import current_cycle, cycle_years
from indicators.models import Indicator, Plan
from liangshan_edu.roles import can_read_all, county_of

PROGRESS, EVALUATION, HISTORY = "progress", "evaluation", "history"
# One published version of the red/black lists (``reports.redblack_report``: its own scope rule, the lists page's).
REDBLACK = "redblack"
# What a change history covers: the figures (the audit log's), or the catalogue (targets and indicators).
FIGURES, CATALOGUE = "figures", "catalogue"
SUBJECTS = (FIGURES, CATALOGUE)
FORMATS = ("xlsx", "csv", "pdf")
HISTORY_FORMATS = ("xlsx", "csv")


class ScopeError(Exception):
    """Bad parameters (400), a scope the user may not export (403) or none at all (401 for anonymous)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Scope:
    kind: str
    county: str  # a county code, or PREFECTURE: every county and the prefecture
    year: int | None = None  # progress reports
    cycle: str | None = None  # evaluation reports
    plan: str | None = None
    indicator: str | None = None
    as_of: datetime | None = None
    # the change history's filters (the audit-log page's)
    who: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    reason: str | None = None
    subject: str | None = None  # the change history's: FIGURES (None) or CATALOGUE
    publication: int | None = None  # the red/black lists': the published version's id (``redblack.Publication``)

    @property
    def whole_prefecture(self) -> bool:
        return self.county == PREFECTURE

    def key(self) -> str:
        """The scope as recorded (machine-readable, stable)."""
        if self.kind == REDBLACK:
            return f"{self.kind}: publication={self.publication} county={self.county}"
        parts = [f"county={self.county}"]
        if self.kind in (PROGRESS, HISTORY):
            parts.append(f"year={self.year or ''}")
        else:
            parts.append(f"cycle={self.cycle or ''}")
        if self.plan:
            parts.append(f"plan={self.plan}")
        if self.indicator:
            parts.append(f"indicator={self.indicator}")
        for name in ("subject", "who", "date_from", "date_to", "reason"):
            if getattr(self, name):
                parts.append(f"{name}={getattr(self, name)}")
        return f"{self.kind}: " + " ".join(parts)

    def params(self) -> dict:
        data = asdict(self)
        for name in ("as_of", "date_from", "date_to"):
            data[name] = data[name].isoformat() if data[name] else None
        return data

    @classmethod
    def from_params(cls, data: Mapping) -> Scope:
        as_of = parse_datetime(data["as_of"]) if data.get("as_of") else None
        days = {name: parse_date(data[name]) if data.get(name) else None for name in ("date_from", "date_to")}
        return cls(**{**data, "as_of": as_of, **days})


def parse_as_of(raw: str | None) -> datetime | None:
    """``2026-05-01T09:30`` (Asia/Shanghai unless an offset is given) or a date, meaning the end of that day."""
    raw = (raw or "").strip()
    if not raw:
        return None
    moment = None
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            if day is not None:
                moment = datetime.combine(day + timedelta(days=1), time.min) - timedelta(microseconds=1)
    except ValueError:
        moment = None
    if moment is None:
        raise ScopeError(_("as_of 不是有效的日期或时间（例如 2026-05-01 或 2026-05-01T09:30）。"))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise ScopeError(_("as_of 不能晚于当前时间。"))
    return moment


def check_county(user, code: str) -> None:
    """Whether the user may export ``code`` (a county, or the prefecture with every county): ScopeError if not.
    A user without a role reads no county (``visible_to``) and not everything (``can_read_all``)."""
    if code == PREFECTURE:
        if not can_read_all(user):
            raise ScopeError(_("县级填报员只能导出本县的报表。"), 403)
    elif not County.objects.filter(code=code).exists():
        raise ScopeError(_("未知的县市代码：%(code)s。") % {"code": code})
    elif not County.objects.visible_to(user).filter(code=code).exists():
        raise ScopeError(_("县级填报员只能导出本县的报表。"), 403)


def check_subject(user, subject: str | None) -> None:
    """Whether the user may export the change history of ``subject``: the catalogue's only for readers of
    everything (ScopeError 403 if not); the figures' as ``check_county`` says."""
    if subject == CATALOGUE and not can_read_all(user):
        raise ScopeError(_("只有州级管理员、审计和系统管理员可以导出目标和指标的变更记录。"), 403)


def _year(data: Mapping) -> int | None:
    raw = (data.get("year") or "").strip()
    if not raw:
        return None
    try:
        year = int(raw)
    except ValueError:
        raise ScopeError(_("年度必须是整数，例如 2025。")) from None
    if not 2000 <= year <= 2100:
        raise ScopeError(_("年度必须是整数，例如 2025。"))
    return year


def _text(data: Mapping, name: str, longest: int) -> str | None:
    value = (data.get(name) or "").strip()
    if len(value) > longest:
        raise ScopeError(_("%(name)s 不能超过 %(n)s 个字符。") % {"name": name, "n": longest})
    return value or None


def _day(data: Mapping, name: str) -> date | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise ScopeError(_("%(name)s 不是有效的日期（例如 2026-05-01）。") % {"name": name})
    return day


def _history(user, data: Mapping, code: str) -> Scope:
    """The change history: the audit-log page's filters (the same names, so its links carry over), of the figures
    or (``subject=catalogue``) of the targets and indicators. The catalogue's history is part of "the full change
    history" DESIGN §2 gives auditors; like the audit-log page it is for readers of everything (officials,
    auditors, administrators), not for clerks, and it belongs to no county."""
    subject = (data.get("subject") or "").strip() or FIGURES
    if subject not in SUBJECTS:
        raise ScopeError(_("subject 只能是 figures（填报数据）或 catalogue（目标和指标）。"))
    if subject == CATALOGUE:
        check_subject(user, subject)
        if code != PREFECTURE:
            raise ScopeError(_("目标和指标的变更记录不分县市：county 只能不填或为 prefecture。"))
    return Scope(HISTORY, code, _year(data), None, None, _text(data, "indicator", 20),
                 parse_as_of(data.get("as_of")), _text(data, "user", 150), _day(data, "date_from"),
                 _day(data, "date_to"), _text(data, "q", 100), subject if subject == CATALOGUE else None)


def resolve(user, kind: str, data: Mapping) -> Scope:
    """The scope asked for in ``data`` (query parameters), or ScopeError saying what is wrong or not allowed."""
    own = county_of(user)
    code = (data.get("county") or "").strip() or (own.code if own else PREFECTURE)
    check_county(user, code)
    if kind == HISTORY:
        return _history(user, data, code)
    plan = (data.get("plan") or "").strip() or None
    if plan and not Plan.objects.filter(code=plan).exists():
        raise ScopeError(_("未知的实施方案代码：%(code)s。") % {"code": plan})
    indicator = (data.get("indicator") or "").strip() or None
    if indicator and not Indicator.objects.filter(code=indicator).exists():
        raise ScopeError(_("未知的指标代码：%(code)s。") % {"code": indicator})
    as_of = parse_as_of(data.get("as_of"))
    year = cycle = None
    if kind == PROGRESS:
        year = _year(data)
    else:
        cycle = (data.get("cycle") or "").strip() or current_cycle()
        if not cycle or not cycle_years(cycle) or not Plan.objects.filter(cycle=cycle).exists():
            raise ScopeError(_("未知的规划周期：%(cycle)s（例如 2022-2025）。") % {"cycle": cycle or ""})
    return Scope(kind, code, year, cycle, plan, indicator, as_of)


def parse_format(raw: str | None, default: str = "xlsx", kind: str = PROGRESS) -> str:
    fmt = (raw or "").strip().lower() or default
    if kind == HISTORY and fmt not in HISTORY_FORMATS:
        raise ScopeError(_("数据变更记录的 format 只能是 xlsx 或 csv。"))
    if fmt not in FORMATS:
        raise ScopeError(_("format 只能是 xlsx、csv 或 pdf。"))
    return fmt
