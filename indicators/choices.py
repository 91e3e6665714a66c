from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RATE = "rate", _("比率")
    COUNT = "count", _("数量")
    AMOUNT = "amount", _("数额")
    MILESTONE = "milestone", _("节点任务")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("不低于")
    AT_MOST = "at_most", _("不高于")
    ZERO = "zero", _("清零")
    DONE = "done", _("完成")
    # Within a band (普职招生比大体相当: 45–55 %; 安家补助 2—100万元): the target's value is the lower bound,
    # ``upper_value`` the upper one.
    BETWEEN = "between", _("区间内")


class Level(models.TextChoices):
    COUNTY = "county", _("县级")
    PREFECTURE = "prefecture", _("州级")


class Rollup(models.TextChoices):
    """How county figures add up to the prefecture's (DESIGN §3): never the mean of rates."""

    SUM = "sum", _("求和")
    RATIO = "ratio", _("分子之和/分母之和")
    ALL = "all", _("全部完成")
    ANY = "any", _("任一完成")
    COUNT = "count", _("完成县数")
    NONE = "none", _("仅州级填报")


# The directions in which a lower value is better (an upper bound, or zero): judged with ≤.
LOWER_IS_BETTER = frozenset({Direction.AT_MOST, Direction.ZERO})
