"""The vocabulary of alarms (智能报警): kinds, colours, states, audiences."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What an alarm is about. Each kind has one rule (``AlarmRule``), edited by administrators."""

    OFF_TRACK = "off_track", _("指标严重滞后")
    STATUS_FALL = "status_fall", _("指标状态下降")
    OVERDUE = "overdue", _("目标逾期未达")
    SUBMISSION_DUE = "submission_due", _("填报即将截止")
    SUBMISSION_LATE = "submission_late", _("逾期未报")
    CORRECTION = "correction", _("审核后大幅更正")
    SUPERVISION_DUE = "supervision_due", _("督导回复即将到期")
    SUPERVISION_OVERDUE = "supervision_overdue", _("督导回复逾期")


# Kinds judged from progress rows (inside the recompute); the others are judged by the clock (beat) or by a
# registered source.
PROGRESS_KINDS = (Kind.OFF_TRACK, Kind.STATUS_FALL, Kind.OVERDUE)
CLOCK_KINDS = (Kind.SUBMISSION_DUE, Kind.SUBMISSION_LATE)


class Severity(models.TextChoices):
    """蓝 before a deadline, 黄 behind pace, 红 overdue (in this order: escalation moves up one)."""

    BLUE = "blue", _("蓝色提醒")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色报警")


SEVERITY_ORDER = [Severity.BLUE, Severity.YELLOW, Severity.RED]


class Status(models.TextChoices):
    OPEN = "open", _("未处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RESOLVED = "resolved", _("已解除")


ACTIVE = (Status.OPEN, Status.ACKNOWLEDGED)


class Audience(models.TextChoices):
    """Who is told, in the order escalation climbs: the county's clerks, the county's responsible leader, the
    prefecture officials."""

    CLERK = "clerk", _("县级填报员")
    LEADER = "leader", _("县级责任领导")
    OFFICIAL = "official", _("州级管理员")


AUDIENCE_ORDER = [Audience.CLERK, Audience.LEADER, Audience.OFFICIAL]


class Delivery(models.TextChoices):
    DIGEST = "digest", _("纳入每日动态")
    IMMEDIATE = "immediate", _("立即通知")


def one_up(order: list, value: str) -> str:
    """The next value up in ``order`` (the last stays the last)."""
    i = order.index(value)
    return order[min(i + 1, len(order) - 1)]
