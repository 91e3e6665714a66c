from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """Which list an entry is on (红榜 the best, 黑榜 the lagging)."""

    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


class NoticeStatus(models.TextChoices):
    """Where a supervision notice (督导通知) stands: the API's ``status``."""

    OPEN = "open", _("待整改")
    REPLIED = "replied", _("已回复")
    CLOSED = "closed", _("已销号")


class Colour(models.TextChoices):
    """How late a notice's reply is: green before the deadline, yellow past it, red well past it (挂牌督办)."""

    GREEN = "green", _("绿牌")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class EventKind(models.TextChoices):
    CREATED = "created", _("发出通知")
    VIEWED = "viewed", _("查看")
    REPLIED = "replied", _("提交整改方案")
    REPORTED = "reported", _("报送整改进展")
    REMINDED = "reminded", _("催办")
    YELLOW = "yellow", _("逾期转黄牌")
    RED = "red", _("逾期转红牌并上报")
    SENT_BACK = "sent_back", _("退回重改")
    CLOSED = "closed", _("核查销号")
