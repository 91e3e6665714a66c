"""The plan's rules as plain functions over plain values (no database): ranking, awards, bonus, bottom three,
accountability, and the school lists. The numbers come from ``AssessmentRuleSet`` (fixtures/catalogue/
assessment.yaml); ``CountyRules.from_rules`` / ``SchoolRules.from_rules`` read them.

Tie rule (a modelling choice, docs/scoring.md): scores are compared at two decimals; equal scores share the
better rank and the next rank is skipped (1, 2, 2, 4 — "competition ranking"); a shared rank gets that rank's
award, so an exact tie on a band's edge gives the band one more award than the plan counts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from scoring.choices import CRITICISM, INTERVIEW

CENT = Decimal("0.01")


def cents(x: Decimal | int | float) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Award:
    code: str
    label: str
    rank_from: int
    rank_to: int
    bonus: Decimal
    department_quota_pct: int


@dataclass(frozen=True)
class Threshold:
    below: Decimal
    action: str
    label: str


@dataclass(frozen=True)
class CountyRules:
    awards: tuple[Award, ...]
    bottom_named: int
    thresholds: tuple[Threshold, ...]
    # Whether the next county moves up into an award freed by a disqualification. Default False: the plan says
    # a disqualified county loses its award (取消评优评先及奖励资格), not that the award passes on.
    disqualified_award_moves_up: bool = False
    max_score: Decimal = Decimal(100)
    staff_deductions_pct: tuple[int, ...] = ()  # last, second-last, third-last county's education workers

    @classmethod
    def from_rules(cls, rules: Mapping) -> CountyRules:
        awards = tuple(Award(a["award"], a["label"], int(a["rank_from"]), int(a["rank_to"]), Decimal(str(a["bonus"])),
                             int(a.get("department_quota_pct", 0))) for a in rules.get("county_awards", []))
        thresholds = tuple(sorted((Threshold(Decimal(str(t["below"])), t["action"], t["label"])
                                   for t in rules.get("accountability", [])), key=lambda t: -t.below))
        return cls(awards, int(rules.get("bottom_named", 3)), thresholds,
                   bool(rules.get("disqualified_award_moves_up", False)),
                   staff_deductions_pct=tuple(int(x) for x in rules.get("staff_deductions_pct", [])))


def rank(scores: Mapping[str, Decimal]) -> dict[str, int]:
    """Competition ranking, higher score first; equal scores (at two decimals) share the better rank."""
    ordered = sorted(scores.items(), key=lambda kv: (-cents(kv[1]), kv[0]))
    ranks: dict[str, int] = {}
    previous, current = None, 0
    for position, (code, score) in enumerate(ordered, start=1):
        if cents(score) != previous:
            previous, current = cents(score), position
        ranks[code] = current
    return ranks


def award_for_rank(r: int, awards: Iterable[Award]) -> Award | None:
    return next((a for a in awards if a.rank_from <= r <= a.rank_to), None)


def awards(ranks: Mapping[str, int], disqualified: set[str], rules: CountyRules) -> dict[str, Award | None]:
    """The award of each county. A disqualified county gets none; whether the counties behind it move up into
    the freed award is ``rules.disqualified_award_moves_up`` (default: they do not)."""
    if not rules.disqualified_award_moves_up:
        return {c: None if c in disqualified else award_for_rank(r, rules.awards) for c, r in ranks.items()}
    eligible = {c: r for c, r in ranks.items() if c not in disqualified}
    out: dict[str, Award | None] = {c: None for c in disqualified if c in ranks}
    for code, r in eligible.items():
        # Its place among the eligible: 1 + how many eligible counties rank strictly better.
        place = 1 + sum(1 for other in eligible.values() if other < r)
        out[code] = award_for_rank(place, rules.awards)
    return out


def bottom(ranks: Mapping[str, int], n: int) -> set[str]:
    """The last ``n`` by rank, ties included: a county is named when fewer than ``n`` rank strictly below it."""
    return {c for c, r in ranks.items() if sum(1 for other in ranks.values() if other > r) < n}


def staff_deductions(ranks: Mapping[str, int], pcts: tuple[int, ...]) -> dict[str, int]:
    """The deduction from the education workers' performance award in the last counties (三、结果运用（二）3.):
    “对目标考核不合格县（市）的教育工作者，其个人年终目标绩效考核与本县（市）教学质量、过程考核（红黑榜）挂钩，以本县
    （市）教育系统年终目标绩效奖平均数为基数，分别扣减 30%（最后一名）、20%（倒数第二名）、10%（倒数第三名）的目标绩效
    奖励金，均取消当年评优评先资格。”

    The plan does not define 不合格 beyond these three places: a county's place from the bottom is 1 + the number
    of counties ranked strictly below it (so counties tied at the last place are all 最后一名, 30 %, and the next
    one is 倒数第三名, 10 %), and ``pcts[place - 1]`` is its percent. Counties with no percent are left out."""
    out = {}
    for code, r in ranks.items():
        place = 1 + sum(1 for other in ranks.values() if other > r)
        if place <= len(pcts) and pcts[place - 1]:
            out[code] = pcts[place - 1]
    return out


def accountability(score: Decimal, rules: CountyRules) -> list[str]:
    """The consequences a score brings: every threshold it is below (below 70: 通报批评; below 60 also 约谈…)."""
    return [t.action for t in rules.thresholds if cents(score) < t.below]


# ── schools ─────────────────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class SchoolRules:
    commendations: dict[str, dict[str, int]]    # stage → {first, second, third, progress}
    last_places: dict[str, int]                 # stage → how many are listed
    deductions_pct: tuple[int, ...]             # last, second-last, third-last

    @classmethod
    def from_rules(cls, rules: Mapping) -> SchoolRules:
        commendations = {k: dict(v) for k, v in rules.get("school_commendations", {}).items()}
        # 高中（中职）: vocational schools have the senior stage's counts, ranked among themselves.
        commendations.setdefault("vocational", commendations.get("senior", {}))
        return cls(commendations, dict(rules.get("school_last_places", {})),
                   tuple(int(x) for x in rules.get("school_deductions_pct", [])))


PRIMARY_REFERENCE = 1  # the kindergartens' counts are the primary schools' proportions (参照小学比例)


def commendation_counts(stage: str, n_schools: int, rules: SchoolRules, n_primary: int = 0) -> dict[str, int]:
    """How many first/second/third/progress awards a stage gives. Kindergartens: the primary counts scaled by
    the number of kindergartens over the number of primary schools (参照小学比例分配 — a modelling choice),
    rounded half up, never more than there are kindergartens."""
    counts = dict(rules.commendations.get(stage, {}))
    if stage == "kindergarten" and n_primary > 0:
        primary = rules.commendations.get("primary", {})
        counts = {k: int(math.floor(v * n_schools / n_primary + 0.5)) for k, v in primary.items()}
    return _fit(counts, n_schools)


def _fit(counts: dict[str, int], n: int) -> dict[str, int]:
    """Never more ranked awards than schools: first, then second, then third take what is left."""
    left, out = n, {}
    for key in ("first", "second", "third"):
        out[key] = min(counts.get(key, 0), max(left, 0))
        left -= out[key]
    out["progress"] = min(counts.get("progress", 0), n)
    return out


@dataclass(frozen=True)
class SchoolResult:
    code: str
    rank: int
    commendation: str          # first / second / third / progress / ''
    bottom_listed: bool
    bottom_position: int | None  # 1 = last
    deduction_pct: int


def school_results(stage: str, scores: Mapping[str, Decimal], previous_ranks: Mapping[str, int],
                   disqualified: set[str], rules: SchoolRules, n_primary: int = 0) -> list[SchoolResult]:
    """Rank one stage's schools prefecture-wide; list the last ones with their deductions (30/20/10 % for the
    last three); give the commendations: ranked awards top-down, then progress awards to the largest rise in
    rank since last year (ties by the better current rank). Listed or disqualified schools get no award."""
    ranks = rank(scores)
    n_last = rules.last_places.get(stage, 0)
    listed = sorted(bottom(ranks, n_last), key=lambda c: (-ranks[c], c)) if n_last else []
    position = {c: i for i, c in enumerate(listed, start=1)}
    counts = commendation_counts(stage, len(scores), rules, n_primary)
    excluded = set(listed) | set(disqualified)
    commendation: dict[str, str] = {}
    ordered = [c for c in sorted(ranks, key=lambda c: (ranks[c], c)) if c not in excluded]
    i = 0
    for key in ("first", "second", "third"):
        for _ in range(counts.get(key, 0)):
            if i < len(ordered):
                commendation[ordered[i]] = key
                i += 1
    rises = sorted(((previous_ranks[c] - ranks[c], c) for c in ordered
                    if c not in commendation and c in previous_ranks and previous_ranks[c] > ranks[c]),
                   key=lambda t: (-t[0], ranks[t[1]], t[1]))
    for _, code in rises[: counts.get("progress", 0)]:
        commendation[code] = "progress"
    out = []
    for code in sorted(ranks, key=lambda c: (ranks[c], c)):
        pos = position.get(code)
        pct = rules.deductions_pct[pos - 1] if pos and pos <= len(rules.deductions_pct) else 0
        out.append(SchoolResult(code, ranks[code], commendation.get(code, ""), pos is not None, pos, pct))
    return out


__all__ = ["Award", "CountyRules", "SchoolRules", "Threshold", "accountability", "award_for_rank", "awards",
           "bottom", "cents", "commendation_counts", "rank", "school_results", "staff_deductions", "CRITICISM", "INTERVIEW"]
