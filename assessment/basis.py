"""What progress is computed from besides the figures: the catalogue's indicators and targets and the counties'
tiers and attributes (a target's condition reads them). When that changes (a target corrected in the admin, a new catalogue loaded), every stored progress row
may be stale, so the whole of it is recomputed — not left until the nightly run.
"""
from __future__ import annotations

import hashlib

from assessment.scope import load_indicators
from places.models import County, county_facts


def digest(using: str = "default") -> str:
    """A fingerprint of everything besides figures that decides progress rows (equal digests: same rows)."""
    parts = []
    for ind in load_indicators(using=using):
        targets = sorted((str(t.year), str(t.value), str(t.tier), tuple(sorted(t.counties)), repr(t.condition),
                          t.period, str(t.period_from), str(t.upper)) for t in ind.targets)
        parts.append((ind.id, ind.kind, ind.direction, ind.level, ind.rollup, tuple(ind.years), tuple(targets)))
    parts.append(tuple(County.objects.using(using).order_by("id").values_list("id", "code", "tier")))
    parts.append(sorted((code, repr(sorted(f.items()))) for code, f in county_facts(using).items()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()
