"""Demo schools, their 2023 and 2024 quality scores, and the published 2023 and 2024 assessments (演示数据).

Idempotent: schools are upserted by code, scores are added only when no demo school has any, and a year is
published only when it has no published version yet, so running ``bootstrap --demo`` again changes nothing.
"""
from __future__ import annotations

import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from places.models import County
from scoring import services
from scoring.choices import ScoreStatus, Stage
from scoring.models import Assessment, School, SchoolScore
from scoring.schools import upsert_schools

PER_COUNTY = {Stage.KINDERGARTEN: 6, Stage.PRIMARY: 12, Stage.JUNIOR: 4, Stage.SENIOR: 2, Stage.VOCATIONAL: 1}
NAMES = {Stage.KINDERGARTEN: "幼儿园", Stage.PRIMARY: "小学", Stage.JUNIOR: "初级中学", Stage.SENIOR: "高级中学",
         Stage.VOCATIONAL: "职业技术学校"}
YEARS = (2023, 2024)
SEED = 2023


def schools() -> list[dict]:
    out = []
    for county in County.objects.order_by("code"):
        for stage, n in PER_COUNTY.items():
            for i in range(1, n + 1):
                out.append({"code": f"D{county.code}-{stage[:3].upper()}{i:02d}",
                            "name": f"{county.short_name}第{i}{NAMES[stage]}（演示）", "county": county.code,
                            "stage": stage, "ownership": "private" if stage == Stage.KINDERGARTEN and i > 4 else "public"})
    return out


def load(stdout=None) -> dict[str, int]:
    User = get_user_model()
    clerk_of = {}
    from places.models import Profile

    for p in Profile.objects.select_related("user", "county"):
        clerk_of.setdefault(p.county_id, p.user)
    official = User.objects.filter(username="official").first()
    created = upsert_schools(schools(), demo=True)
    scores = 0
    demo_schools = list(School.objects.filter(demo=True).order_by("code"))
    if official and not SchoolScore.objects.filter(school__demo=True).exists():
        rng = random.Random(SEED)
        quality = {s.pk: rng.uniform(55, 92) for s in demo_schools}
        rows = []
        for year in YEARS:
            for s in demo_schools:
                value = min(100.0, max(0.0, quality[s.pk] + rng.uniform(-6, 6)))
                rows.append(SchoolScore(school=s, year=year, score=Decimal(f"{value:.2f}"),
                                        status=ScoreStatus.APPROVED, entered_by=clerk_of.get(s.county_id, official),
                                        reviewed_by=official))
        with transaction.atomic():
            bulk_create_with_history(rows, SchoolScore, batch_size=500)
        scores = len(rows)
    published = 0
    if official:
        for year in YEARS:
            if not Assessment.objects.filter(year=year).exists():
                services.publish(official, year, note="演示数据")
                published += 1
    if stdout is not None:
        stdout.write(f"demo schools (演示数据): {created} new or changed, scores {scores}, assessments published "
                     f"{published}")
    return {"schools": created, "scores": scores, "published": published}
