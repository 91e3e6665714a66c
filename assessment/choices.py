from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgressStatus(models.TextChoices):
    """Where a county stands on a target (DESIGN §3)."""

    ACHIEVED = "achieved", _("已达标")
    ON_TRACK = "on_track", _("正常推进")
    LAGGING = "lagging", _("滞后")
    OFF_TRACK = "off_track", _("严重滞后")
    NO_DATA = "no_data", _("未填报")
    # The target's scope is a condition on a county attribute not yet recorded for the year (CMP-20: 30万人口以上).
    NOT_DETERMINED = "not_determined", _("待确定")
    # A periodic rule (每2年1次) in a year of its period that is not the last, not yet met: nothing is due yet.
    NOT_DUE = "not_due", _("本期未到期")


class JobState(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("计算中")
    SUCCESS = "success", _("已完成")
    FAILURE = "failure", _("失败")


PREFECTURE = "prefecture"


class EvaluationResult(models.TextChoices):
    """The final evaluation (终期评估) of one dated target for one county or the prefecture (DESIGN §3)."""

    MET_ON_TIME = "met_on_time", _("按期达标")
    MET_LATE = "met_late", _("逾期达标")
    MISSED = "missed", _("未达标")
    NO_DATA = "no_data", _("未填报")
    NOT_DETERMINED = "not_determined", _("待确定")
