"""Named choices of the annual assessment (plan 8, 凉山州教育工作考核激励实施方案)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    COMPUTED = "computed", _("按进度计算")
    HAND = "hand", _("人工评分")


class Method(models.TextChoices):
    """How a computed item turns the engine's results for its indicators into a credit 0–1 per indicator."""

    ACHIEVED_SHARE = "achieved_share", _("已达标指标占比")
    ON_TRACK_SHARE = "on_track_share", _("已达标或正常推进指标占比")
    EXPECTED_PATH = "expected_path", _("相对预期进度的完成程度")
    FINAL_EVALUATION = "final_evaluation", _("目标年份终期评估结果")


class Situation(models.TextChoices):
    """The plan's five situations that remove a county or school from awards (三、考核要求 1.)."""

    LAW = "law", _("违反国家法律法规的")
    DISCIPLINE = "discipline", _("严重违反党规党纪、师德师风的")
    FRAUD = "fraud", _("工作中弄虚作假、徇私舞弊，影响恶劣的")
    ACCIDENT = "accident", _("发生重大安全责任事故，或引发重大群体性事件的")
    INTERFERENCE = "interference", _("严重干扰教育督导考核考评，影响考核评估正常进行的")


class Stage(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园（点）")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class ScoreStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


# What each consequence means, in the plan's own words (三、结果运用（二）强化责任追究 1.).
CRITICISM = "criticism"
INTERVIEW = "interview"
CONSEQUENCES = {
    CRITICISM: (_("由州委、州政府通报批评"),),
    INTERVIEW: (_("对主要领导、分管领导进行约谈、诫勉谈话"),
                _("取消该县（市）相关单位、乡镇评优评先资格"),
                _("对部门（单位）相关责任人作调整处理")),
}
BOTTOM_NAMED = _("目标考核排名后三位")

# The plan's words for the education workers of the last three counties (三、结果运用（二）3.); the percent is the
# row's ``staff_deduction_pct``.
STAFF_DEDUCTION = _("本县（市）教育工作者个人年终目标绩效考核与本县（市）教学质量、过程考核（红黑榜）挂钩，以本县（市）教育系统"
                    "年终目标绩效奖平均数为基数，扣减 %(pct)s%% 的目标绩效奖励金")
STAFF_NO_COMMENDATION = _("本县（市）教育工作者均取消当年评优评先资格")
