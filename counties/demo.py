"""Demo users and synthetic figures (演示数据) for a first look. Never for real use.

The figures are plausible, not real: each county gets a pace of its own (some lead, some lag), rates carry
numerator and denominator, milestones get done in different years.

- 2021–2024: approved, for every county and indicator (``create_figures``).
- 2025 is under way (``create_2025_figures``): most counties approved; some submitted and awaiting review;
  a few figures returned with a reviewer's reason (some of them corrected, resubmitted and approved since);
  some counties with drafts only or nothing yet. 西昌市 and 昭觉县 have nothing for 2025, so their clerks
  (``clerk_xichang``, ``clerk_zhaojue``) have a year to fill in.

Every county has a demo clerk, and every demo figure has a history naming the users: entered and submitted by
its county's clerk, approved or returned by ``official``.

How the figures are written — a deliberate split, for speed: the 2025 figures go through the workflow
services (``counties.services``: ``save_draft``, ``submit``, ``approve``, ``return_figure``), performed as the
demo users, with the per-approval progress recompute deferred (``services.quiet_approvals``); the caller
recomputes everything once afterwards. Doing the same for the ~14,700 figures of 2021–2024 would take minutes
(about 9 ms per figure on SQLite), so those are bulk-inserted, each with the three history rows the services
would have written (新建 and 提交 by the clerk, 审核通过 by ``official``; same reasons, versions 1–3).

Idempotent: ``load`` does nothing when any demo figure exists (and never mixes demo data into a database that
already holds real figures); nothing is deleted or rewritten, and ``create_users`` sets a password only when
it creates the user, so running it again logs nobody out.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from counties import services
from counties.choices import FigureStatus
from places.models import County, Profile
from counties.models import Figure
from counties.validation import rate_percent
from indicators.models import Indicator
from indicators.targets import TargetSpec, targets_for
from liangshan_edu import roles
from liangshan_edu.groups import ensure_groups
from indicators.choices import Kind, LOWER_IS_BETTER, Level, Rollup

DEMO_PASSWORD = "liangshan2025"
DEMO_SEED = 2022
DEMO_NOTE = "演示数据"
# Approved for every county (bulk-inserted with their history).
DEMO_YEARS = (2021, 2022, 2023, 2024)
# The year being reported (entered through the workflow services).
CURRENT_YEAR = 2025
# Counties with nothing for the current year: their clerks have a year to fill in.
NOTHING_YET = ("513401", "513431")

# One demo clerk per county, named after the county in pinyin.
COUNTY_CLERKS = {
    "513401": "clerk_xichang", "513402": "clerk_huili", "513422": "clerk_muli", "513423": "clerk_yanyuan",
    "513424": "clerk_dechang", "513426": "clerk_huidong", "513427": "clerk_ningnan", "513428": "clerk_puge",
    "513429": "clerk_butuo", "513430": "clerk_jinyang", "513431": "clerk_zhaojue", "513432": "clerk_xide",
    "513433": "clerk_mianning", "513434": "clerk_yuexi", "513435": "clerk_ganluo", "513436": "clerk_meigu",
    "513437": "clerk_leibo",
}
REVIEWER = "official"
DEMO_USERS = [
    ("admin", roles.ADMINISTRATOR, None),
    (REVIEWER, roles.OFFICIAL, None),
    ("auditor", roles.AUDITOR, None),
    ("clerk_xichang", roles.CLERK, "513401"),
    ("clerk_zhaojue", roles.CLERK, "513431"),
    # The responsible leaders (县级责任领导) of two counties: they read their county, enter nothing.
    ("leader_xichang", roles.LEADER, "513401"),
    ("leader_zhaojue", roles.LEADER, "513431"),
] + [(name, roles.CLERK, code) for code, name in COUNTY_CLERKS.items() if code not in ("513401", "513431")]

# What a reviewer writes when returning a figure, by indicator kind (the demo value is made wrong to match).
RETURN_REASONS = {
    "rate": ["与上年相比变化过大，请核实分子分母口径", "分子明显偏低，请与教育事业统计年报核对后重新提交"],
    "count": ["数值明显高于上年，请核实统计口径（是否含民办学校、教学点）", "与上年相比变化过大，请核实并在备注中说明原因"],
    "amount": ["金额与财政决算数不一致，请核实后重新提交", "与上年相比变化过大，请核实并在备注中说明原因"],
    "milestone": ["请补充完成情况说明及佐证材料（验收文件或批复文件）后重新提交"],
}


def create_users() -> list[str]:
    """The demo users, one per role and a clerk per county. A password is set only when a user is created."""
    groups = ensure_groups()
    User = get_user_model()
    counties = {c.code: c for c in County.objects.all()}
    # One hash for every new demo user (all share the published demo password): hashing is slow on purpose.
    hashed = None
    names = []
    for username, role, county_code in DEMO_USERS:
        admin = role == roles.ADMINISTRATOR
        user, created = User.objects.get_or_create(username=username,
                                                   defaults={"is_staff": admin, "is_superuser": admin})
        if created:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            user.save(update_fields=["password"])
        elif (user.is_staff, user.is_superuser) != (admin, admin):
            user.is_staff = user.is_superuser = admin
            user.save(update_fields=["is_staff", "is_superuser"])
        if set(user.groups.all()) != {groups[role]}:
            user.groups.set([groups[role]])
        county = counties[county_code] if county_code else None
        profile, _created = Profile.objects.get_or_create(user=user, defaults={"county": county})
        if profile.county_id != (county.pk if county else None):
            profile.county = county
            profile.save(update_fields=["county"])
        names.append(username)
    return names


def _q(x: float, places: int = 2) -> Decimal:
    return Decimal(str(round(x, places)))


def synthetic_series(ind: Indicator, target: TargetSpec | None, pace: float, rng: random.Random,
                     size: float, years: tuple[int, ...] = DEMO_YEARS,
                     later_rng: random.Random | None = None) -> dict[int, tuple]:
    """(value, numerator, denominator) by year for one county: a start below the target and a pace toward it.

    Draws for ``DEMO_YEARS`` come from ``rng``; those for any later year from ``later_rng`` (default ``rng``),
    so that adding 2025 leaves the 2021–2024 series as they were.
    """
    goal = float(target.value) if target else 1.0
    deadline = (target.year if target and target.year else 2025)
    out: dict[int, tuple] = {}

    def rng_for(year: int) -> random.Random:
        return rng if year in DEMO_YEARS or later_rng is None else later_rng

    if ind.kind == Kind.MILESTONE:
        done_year = 2021 + int((1 - pace) * 6 + rng.random() * 2)
        for y in years:
            out[y] = (Decimal(1 if y >= done_year else 0), None, None)
        return out
    span = max(deadline - 2021, 1)
    if ind.direction in LOWER_IS_BETTER:
        start = (goal * 1.6 + 5) if goal else rng.uniform(3, 25) * size
        for y in years:
            r = rng_for(y)
            share = min((y - 2021) / span * pace * r.uniform(0.9, 1.1), 1.2)
            v = max(start - (start - goal) * share, 0)
            out[y] = _value(ind, v, size, r)
        return out
    start = goal * rng.uniform(0.55, 0.85) if ind.kind != Kind.RATE else goal * rng.uniform(0.8, 0.95)
    for y in years:
        r = rng_for(y)
        share = min((y - 2021) / span * pace * r.uniform(0.9, 1.1), 1.15)
        v = start + (goal - start) * share
        out[y] = _value(ind, v, size, r)
    return out


def _value(ind: Indicator, v: float, size: float, rng: random.Random) -> tuple:
    if ind.kind == Kind.RATE:
        v = min(v, 100.0 if not ind.may_exceed_100 else 130.0)
        denominator = Decimal(int(2000 * size * rng.uniform(0.9, 1.1)) + 50)
        numerator = (denominator * _q(v) / 100).quantize(Decimal(1))
        if not ind.may_exceed_100:
            numerator = min(numerator, denominator)
        return (rate_percent(numerator, denominator), numerator, denominator)
    if ind.unit.code in ("元", "万元", "元/月", "元/生·年", "台/百生", "学时", "分"):
        return (_q(v), None, None)
    return (Decimal(max(int(round(v)), 0)), None, None)


@dataclass
class Planned:
    """One county's synthetic series of one indicator, and the completion date of a milestone."""

    county: County
    indicator: Indicator
    series: dict[int, tuple]
    done_on: date | None

    def values(self, year: int) -> dict:
        value, numerator, denominator = self.series[year]
        if self.indicator.kind == Kind.RATE:
            return {"numerator": numerator, "denominator": denominator}
        done = self.indicator.kind == Kind.MILESTONE and value == 1
        return {"value": value, "done_on": self.done_on if done else None}


def plan(seed: int = DEMO_SEED, years: tuple[int, ...] = DEMO_YEARS) -> list[Planned]:
    """The synthetic series of every county and indicator (deterministic for a seed)."""
    rng = random.Random(seed)
    later_rng = random.Random(f"{seed}-later")
    counties = list(County.objects.order_by("code"))
    # Each county's pace: the Anning-valley counties lead on average, some tier-3 counties lag.
    paces = {c.code: max(0.35, min(1.25, rng.gauss({1: 1.05, 2: 0.85, 3: 0.7}[c.tier], 0.18))) for c in counties}
    sizes = {c.code: rng.uniform(0.6, 3.0) if c.code != "513401" else 5.0 for c in counties}
    out = []
    indicators = Indicator.objects.filter(retired=False).select_related("unit").prefetch_related("targets__counties")
    for ind in indicators:
        specs = [t.spec()
                 for t in ind.targets.all()]
        if ind.rollup == Rollup.NONE:
            continue
        for county in counties:
            applicable = targets_for(specs, county.code, county.tier)
            if ind.level == Level.PREFECTURE:
                general = [t for t in specs if t.general]
                final = general[-1] if general else None
                target = TargetSpec(final.year, final.value / len(counties)) if final else None
            else:
                target = applicable[-1] if applicable else None
            if target is None:
                continue
            series = synthetic_series(ind, target, paces[county.code], rng, sizes[county.code], years, later_rng)
            done_years = [y for y, (v, _n, _d) in sorted(series.items()) if v == 1]
            done_on = date(done_years[0], 6, 30) if ind.kind == Kind.MILESTONE and done_years else None
            out.append(Planned(county, ind, series, done_on))
    return out


def _users() -> tuple[dict[str, object], object]:
    """The demo clerks by county code, and the reviewer; created first if missing."""
    User = get_user_model()
    wanted = [*COUNTY_CLERKS.values(), REVIEWER]
    found = {u.username: u for u in User.objects.filter(username__in=wanted)}
    if len(found) < len(wanted):
        create_users()
        found = {u.username: u for u in User.objects.filter(username__in=wanted)}
    return {code: found[name] for code, name in COUNTY_CLERKS.items()}, found[REVIEWER]


def _bulk_approved(planned: list[Planned], years: tuple[int, ...]) -> int:
    """Approved figures of ``years``, bulk-inserted with the history rows the workflow would have written."""
    clerks, official = _users()
    reasons = [services.recorded(N_("新建")), services.recorded(N_("提交")), services.recorded(N_("审核通过"))]
    now = timezone.now()
    figures = []
    for p in planned:
        for year in years:
            value, numerator, denominator = p.series[year]
            done = p.indicator.kind == Kind.MILESTONE and value == 1
            figures.append(Figure(county=p.county, indicator=p.indicator, year=year, value=value,
                                  numerator=numerator, denominator=denominator,
                                  done_on=p.done_on if done else None, note=DEMO_NOTE, is_demo=True,
                                  status=FigureStatus.APPROVED, version=3, submitted_at=now, approved_at=now,
                                  approved_by=official))
    Figure.objects.bulk_create(figures, batch_size=1000)
    # The three steps of the workflow, each a history row as save_draft, submit and approve write it.
    steps = [(FigureStatus.DRAFT, 1, None, None, None), (FigureStatus.SUBMITTED, 2, now, None, None),
             (FigureStatus.APPROVED, 3, now, now, official)]
    for (status, version, submitted_at, approved_at, approved_by), reason in zip(steps, reasons):
        for f in figures:
            f.status, f.version, f.submitted_at, f.approved_at, f.approved_by = (
                status, version, submitted_at, approved_at, approved_by)
            f._history_user = official if status == FigureStatus.APPROVED else clerks[f.county.code]
            f._change_reason = reason
        Figure.history.bulk_history_create(figures, batch_size=1000)
    return len(figures)


def create_figures(stdout=None, seed: int = DEMO_SEED) -> int:
    """Approved demo figures 2021–2024 for every county and indicator, with their history (is_demo=True).

    Does nothing (returns 0) when demo figures of those years exist. ``load`` adds 2025.
    """
    with transaction.atomic():
        if Figure.objects.filter(is_demo=True, year__in=DEMO_YEARS).exists():
            return 0
        return _bulk_approved(plan(seed), DEMO_YEARS)


def _wrong(p: Planned, year: int, values: dict) -> dict:
    """The values a clerk entered by mistake, which a reviewer returns (a large change from last year)."""
    kind = p.indicator.kind
    if kind == Kind.RATE:
        return {**values, "numerator": (values["numerator"] * Decimal("0.7")).quantize(Decimal(1))}
    if kind == Kind.MILESTONE:
        return values
    places = Decimal(1) if kind == Kind.COUNT else Decimal("0.01")
    return {**values, "value": (values["value"] * Decimal("1.6") + 1).quantize(places)}


def create_2025_figures(seed: int = DEMO_SEED, planned: list[Planned] | None = None) -> dict[str, int]:
    """The current year under way, entered through the workflow services as the demo users.

    Every approval's progress recompute is deferred: the caller recomputes everything once afterwards.
    Returns how many figures ended in each state (missing ones are not counted).
    """
    year = CURRENT_YEAR
    planned = planned if planned is not None else plan(seed, DEMO_YEARS + (year,))
    clerks, official = _users()
    rng = random.Random(f"{seed}-{year}-workflow")
    stage = _stages(sorted({p.county.code for p in planned} - set(NOTHING_YET)), rng)
    ids: list[int] = []
    counts = {s: 0 for s in FigureStatus.values}
    with services.quiet_approvals():
        for p in planned:
            county_stage = stage.get(p.county.code, "not_started")
            if county_stage == "not_started":
                continue
            clerk = clerks[p.county.code]
            values = p.values(year)
            roll = rng.random()
            if county_stage == "drafting":
                if roll < 0.55:
                    figure = services.save_draft(clerk, p.county, p.indicator, year, note=DEMO_NOTE,
                                                 expected_version=0, **values).figure
                    ids.append(figure.pk)
                    counts[figure.status] += 1
                continue
            figure = _through_review(p, year, values, _outcome(county_stage, roll), clerk, official, rng)
            ids.append(figure.pk)
            counts[figure.status] += 1
    _label_as_demo(ids)
    return counts


def _stages(codes: list[str], rng: random.Random) -> dict[str, str]:
    """How far each county has got (西昌 and 昭觉, left out of ``codes``, not at all): most approved, some
    awaiting review, a few with drafts only or not started."""
    rng.shuffle(codes)
    return {code: ("approved" if i < 9 else "in_review" if i < 12 else "drafting" if i < 14 else "not_started")
            for i, code in enumerate(codes)}


def _outcome(county_stage: str, roll: float) -> str:
    """Approved counties: a few figures returned, some of them corrected since. Counties under review: the
    official has got through about a third, returning a few."""
    if county_stage == "approved":
        return "corrected" if roll < 0.03 else "returned" if roll < 0.05 else "approved"
    return "returned" if roll < 0.06 else "approved" if roll < 0.4 else "submitted"


def _through_review(p: Planned, year: int, values: dict, outcome: str, clerk, official,
                    rng: random.Random) -> Figure:
    """One figure entered and submitted by the clerk, then returned, corrected or approved as ``outcome`` says
    (a returned one was entered wrong first)."""
    first = _wrong(p, year, values) if outcome in ("returned", "corrected") else values
    figure = services.save_draft(clerk, p.county, p.indicator, year, note=DEMO_NOTE, expected_version=0,
                                 **first).figure
    figure = services.submit(clerk, figure)
    if outcome in ("returned", "corrected"):
        reasons = RETURN_REASONS.get(p.indicator.kind, RETURN_REASONS["count"])
        figure = services.return_figure(official, figure, rng.choice(reasons))
    if outcome == "corrected":
        figure = services.save_draft(clerk, p.county, p.indicator, year, note=DEMO_NOTE + "（已按审核意见核实修改）",
                                     expected_version=figure.version, **values).figure
        figure = services.submit(clerk, figure)
    if outcome in ("approved", "corrected"):
        figure = services.approve(official, figure)
    return figure


def _label_as_demo(ids: list[int]) -> None:
    """save_draft marks what a clerk enters as real (is_demo=False); these are demo figures, labelled as such,
    history rows included (written moments ago in this same transaction)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        Figure.objects.filter(pk__in=chunk).update(is_demo=True)
        Figure.history.filter(id__in=chunk).update(is_demo=True)


def load(stdout=None, seed: int = DEMO_SEED) -> int:
    """All demo figures: approved 2021–2024 and 2025 under way. Returns how many were created.

    Does nothing (returns 0) when any demo figure exists, or when the database holds real figures. Progress is
    not recomputed here: the caller does it once (``bootstrap --demo``).
    """
    with transaction.atomic():
        if Figure.objects.filter(is_demo=True).exists():
            return 0
        if Figure.objects.exists():
            if stdout:
                stdout.write("real figures present: no demo figures added")
            return 0
        planned = plan(seed, DEMO_YEARS + (CURRENT_YEAR,))
        n = _bulk_approved(planned, DEMO_YEARS)
        counts = create_2025_figures(seed, planned)
        if stdout:
            stdout.write(f"{CURRENT_YEAR} (through the workflow): " + ", ".join(
                f"{status} {k}" for status, k in counts.items()))
        return n + sum(counts.values())
