from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from scoring.services import consequences


class AssessmentRowSerializer(serializers.Serializer):
    """One county in a year's assessment (DESIGN §6 ``assessments/``)."""

    county = serializers.CharField(source="code", help_text=_("县市代码"))
    county_name = serializers.CharField(source="name")
    year = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True, help_text=_("发布版本；预览时为 null"))
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    rank = serializers.IntegerField()
    award = serializers.CharField(help_text=_("first / second / third，无奖项为空"))
    award_label = serializers.CharField()
    bonus = serializers.DecimalField(max_digits=4, decimal_places=2, help_text=_("下年度考核加分"))
    department_quota_pct = serializers.IntegerField(help_text=_("部门（单位）表扬名额比例（%）"))
    bottom_named = serializers.BooleanField(help_text=_("排名后三位"))
    accountability = serializers.ListField(child=serializers.CharField(),
                                           help_text=_("criticism（低于70分）、interview（低于60分）；无则为空"))
    consequences = serializers.ListField(child=serializers.CharField(), help_text=_("方案原文表述的处理措施"))
    disqualified = serializers.ListField(child=serializers.DictField(), help_text=_("取消资格情形"))

    def to_representation(self, row):
        year, version = self.context["year"], self.context["version"]
        return super().to_representation({
            "code": row.code, "name": row.name, "year": year, "version": version, "score": row.score,
            "rank": row.rank, "award": row.award.code if row.award else "",
            "award_label": row.award.label if row.award else "", "bonus": row.bonus,
            "department_quota_pct": row.department_quota_pct, "bottom_named": row.bottom_named,
            "accountability": row.accountability, "consequences": consequences(row.accountability),
            "disqualified": row.disqualified})


class BreakdownSerializer(serializers.Serializer):
    """How one county's score came about: every item's points, where they came from, and how."""

    county = serializers.CharField()
    year = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    rank = serializers.IntegerField()
    lines = serializers.ListField(child=serializers.DictField(),
                                  help_text=_("各项：label, kind, method, weight, points, how, sources（指标、状态、数值、得分率）"))


class AssessmentPublishSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                 help_text=_("更正版须写明更正原因"))


class PublishedSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    note = serializers.CharField()


class SchoolRowSerializer(serializers.Serializer):
    """One school in its stage's prefecture-wide ranking (DESIGN §6 ``assessments/schools/``)."""

    school = serializers.CharField(help_text=_("学校代码"))
    school_name = serializers.CharField()
    county = serializers.CharField(help_text=_("县市代码"))
    stage = serializers.CharField()
    year = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    rank = serializers.IntegerField()
    bottom_listed = serializers.BooleanField(help_text=_("列入末位名单"))
    bottom_position = serializers.IntegerField(allow_null=True, help_text=_("1 为最后一名"))
    deduction = serializers.IntegerField(help_text=_("扣减当年目标绩效考核奖励的百分数（30 即 30%）"))
    commendation = serializers.CharField(help_text=_("first / second / third / progress，无则为空"))
    disqualified = serializers.BooleanField()

    def to_representation(self, row):
        return super().to_representation({
            "school": row.school.code, "school_name": row.school.name, "county": row.school.county.code,
            "stage": row.school.stage, "year": self.context["year"], "score": row.score, "rank": row.result.rank,
            "bottom_listed": row.result.bottom_listed, "bottom_position": row.result.bottom_position,
            "deduction": row.result.deduction_pct, "commendation": row.result.commendation,
            "disqualified": row.disqualified})
