"""Demo users and synthetic figures (演示数据) for a first look. Never for real use.

The figures are plausible, not real: each county gets a pace of its own (some lead, some lag), rates carry
numerator and denominator, milestones get done in different years, and no figure is made for 2025.
"""
from __future__ import annotations

import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from counties.choices import FigureStatus
from counties.models import County, Figure, Profile
from indicators.models import Indicator
from indicators.targets import TargetSpec, targets_for
from liangshan_edu import roles
from liangshan_edu.groups import ensure_groups

DEMO_PASSWORD = "liangshan2025"
DEMO_USERS = [
    ("admin", roles.ADMINISTRATOR, None),
    ("official", roles.OFFICIAL, None),
    ("auditor", roles.AUDITOR, None),
    ("clerk_xichang", roles.CLERK, "513401"),
    ("clerk_zhaojue", roles.CLERK, "513431"),
]
DEMO_YEARS = (2021, 2022, 2023, 2024)


def create_users() -> list[str]:
    groups = ensure_groups()
    User = get_user_model()
    names = []
    for username, role, county_code in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(DEMO_PASSWORD)
        user.is_staff = role == roles.ADMINISTRATOR
        user.is_superuser = role == roles.ADMINISTRATOR
        user.save()
        user.groups.set([groups[role]])
        county = County.objects.get(code=county_code) if county_code else None
        Profile.objects.update_or_create(user=user, defaults={"county": county})
        names.append(username)
    return names


def _q(x: float, places: int = 2) -> Decimal:
    return Decimal(str(round(x, places)))


def synthetic_series(ind: Indicator, target: TargetSpec | None, pace: float, rng: random.Random,
                     size: float) -> dict[int, tuple]:
    """(value, numerator, denominator) by year for one county: a start below the target and a pace toward it."""
    goal = float(target.value) if target else 1.0
    deadline = (target.year if target and target.year else 2025)
    out: dict[int, tuple] = {}
    if ind.kind == "milestone":
        done_year = 2021 + int((1 - pace) * 6 + rng.random() * 2)
        for y in DEMO_YEARS:
            out[y] = (Decimal(1 if y >= done_year else 0), None, None)
        return out
    span = max(deadline - 2021, 1)
    if ind.direction in ("at_most", "zero"):
        start = (goal * 1.6 + 5) if goal else rng.uniform(3, 25) * size
        for y in DEMO_YEARS:
            share = min((y - 2021) / span * pace * rng.uniform(0.9, 1.1), 1.2)
            v = max(start - (start - goal) * share, 0)
            out[y] = _value(ind, v, size, rng)
        return out
    start = goal * rng.uniform(0.55, 0.85) if ind.kind != "rate" else goal * rng.uniform(0.8, 0.95)
    for y in DEMO_YEARS:
        share = min((y - 2021) / span * pace * rng.uniform(0.9, 1.1), 1.15)
        v = start + (goal - start) * share
        out[y] = _value(ind, v, size, rng)
    return out


def _value(ind: Indicator, v: float, size: float, rng: random.Random) -> tuple:
    if ind.kind == "rate":
        v = min(v, 100.0 if not ind.may_exceed_100 else 130.0)
        denominator = Decimal(int(2000 * size * rng.uniform(0.9, 1.1)) + 50)
        numerator = (denominator * _q(v) / 100).quantize(Decimal(1))
        if not ind.may_exceed_100:
            numerator = min(numerator, denominator)
        return (Figure.rate_value(numerator, denominator), numerator, denominator)
    if ind.unit.code in ("元", "万元", "元/月", "元/生·年", "台/百生", "学时", "分"):
        return (_q(v), None, None)
    return (Decimal(max(int(round(v)), 0)), None, None)


@transaction.atomic
def create_figures(stdout=None, seed: int = 2022) -> int:
    """Approved synthetic figures 2021–2024 for every county and indicator (is_demo=True). Idempotent."""
    rng = random.Random(seed)
    counties = list(County.objects.order_by("code"))
    # Each county's pace: the Anning-valley counties lead on average, some tier-3 counties lag.
    paces = {c.code: max(0.35, min(1.25, rng.gauss({1: 1.05, 2: 0.85, 3: 0.7}[c.tier], 0.18))) for c in counties}
    sizes = {c.code: rng.uniform(0.6, 3.0) if c.code != "513401" else 5.0 for c in counties}
    Figure.objects.filter(is_demo=True).delete()
    now = timezone.now()
    rows = []
    indicators = Indicator.objects.filter(retired=False).select_related("unit").prefetch_related("targets__counties")
    for ind in indicators:
        specs = [TargetSpec(t.year, t.value, t.tier, frozenset(c.code for c in t.counties.all()))
                 for t in ind.targets.all()]
        if ind.rollup == "none":
            continue
        for county in counties:
            applicable = targets_for(specs, county.code, county.tier)
            if ind.level == "prefecture":
                general = [t for t in specs if t.general]
                final = general[-1] if general else None
                per_county = TargetSpec(final.year, final.value / len(counties)) if final else None
                target = per_county
            else:
                target = applicable[-1] if applicable else None
            if target is None:
                continue
            series = synthetic_series(ind, target, paces[county.code], rng, sizes[county.code])
            for year, (value, num, den) in series.items():
                rows.append(Figure(county=county, indicator=ind, year=year, value=value, numerator=num,
                                   denominator=den, status=FigureStatus.APPROVED, is_demo=True,
                                   note="演示数据", submitted_at=now, approved_at=now))
    Figure.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
