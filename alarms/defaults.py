"""The rules shipped with the product (one per kind). ``load_default_rules`` adds those missing and never changes a
rule an administrator edited; ``manage.py bootstrap`` calls it."""
from __future__ import annotations

from alarms.choices import Audience, Delivery, Kind, Severity

DEFAULT_RULES: list[dict] = [
    # 黄: a county × indicator is off track (严重滞后); after 30 days unhandled it turns red and goes up.
    dict(kind=Kind.OFF_TRACK, severity=Severity.YELLOW, audience=Audience.CLERK, delivery=Delivery.DIGEST,
         escalate_after_days=30),
    # 黄: the latest year's status is at least one step worse than the year before's (into 滞后 or worse).
    dict(kind=Kind.STATUS_FALL, severity=Severity.YELLOW, audience=Audience.CLERK, delivery=Delivery.DIGEST,
         escalate_after_days=None),
    # 红: a target's deadline passed without achievement; prefecture officials are told at once.
    dict(kind=Kind.OVERDUE, severity=Severity.RED, audience=Audience.OFFICIAL, delivery=Delivery.DIGEST,
         escalate_after_days=None),
    # 蓝: the open year's figures are due within 14 days and some are not submitted.
    dict(kind=Kind.SUBMISSION_DUE, severity=Severity.BLUE, days=14, audience=Audience.CLERK,
         delivery=Delivery.DIGEST, escalate_after_days=None),
    # 黄: the deadline passed with figures not submitted; 30 days later (late by more than 30 days) it is red
    # and reaches the county's leader, then the prefecture.
    dict(kind=Kind.SUBMISSION_LATE, severity=Severity.YELLOW, audience=Audience.CLERK,
         delivery=Delivery.IMMEDIATE, escalate_after_days=30),
    # 黄: an approved figure was reopened and approved again with a value changed by more than the plausibility
    # threshold (PLAUSIBILITY_MAX_CHANGE_SHARE).
    dict(kind=Kind.CORRECTION, severity=Severity.YELLOW, audience=Audience.OFFICIAL, delivery=Delivery.DIGEST,
         escalate_after_days=None),
    # 蓝 / 红: a supervision notice's reply is due within 3 days / overdue (raised by a registered source).
    dict(kind=Kind.SUPERVISION_DUE, severity=Severity.BLUE, days=3, audience=Audience.CLERK,
         delivery=Delivery.IMMEDIATE, escalate_after_days=None),
    dict(kind=Kind.SUPERVISION_OVERDUE, severity=Severity.RED, audience=Audience.CLERK,
         delivery=Delivery.IMMEDIATE, escalate_after_days=7),
]


def load_default_rules(using: str = "default") -> int:
    """Create the shipped rules that are missing; returns how many were created."""
    from alarms.models import AlarmRule

    existing = set(AlarmRule.objects.using(using).values_list("kind", flat=True))
    created = 0
    for spec in DEFAULT_RULES:
        if spec["kind"] not in existing:
            AlarmRule.objects.using(using).create(**spec)
            created += 1
    return created
