from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from scoring.services import consequences, staff_consequences


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
    staff_deduction = serializers.IntegerField(
        help_text=_("排名后三位县（市）教育工作者目标绩效奖励金扣减的百分数（30 即 30%），无则为 0"))
    staff_consequences = serializers.ListField(child=serializers.CharField(),
                                               help_text=_("方案原文表述的教育工作者扣减与取消评优评先"))
    disqualified = serializers.ListField(child=serializers.DictField(), help_text=_("取消资格情形"))

    def to_representation(self, row):
        year, version = self.context["year"], self.context["version"]
        return super().to_representation({
            "code": row.code, "name": row.name, "year": year, "version": version, "score": row.score,
            "rank": row.rank, "award": row.award.code if row.award else "",
            "award_label": row.award.label if row.award else "", "bonus": row.bonus,
            "department_quota_pct": row.department_quota_pct, "bottom_named": row.bottom_named,
            "accountability": row.accountability, "consequences": consequences(row.accountability),
            "staff_deduction": row.staff_deduction_pct, "staff_consequences": staff_consequences(row.staff_deduction_pct),
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
    version = serializers.IntegerField(allow_null=True, help_text=_("发布版本；预览时为 null"))
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    rank = serializers.IntegerField()
    bottom_listed = serializers.BooleanField(help_text=_("列入末位名单"))
    bottom_position = serializers.IntegerField(allow_null=True, help_text=_("1 为最后一名"))
    deduction = serializers.IntegerField(help_text=_("扣减当年目标绩效考核奖励的百分数（30 即 30%）"))
    commendation = serializers.CharField(help_text=_("first / second / third / progress，无则为空"))
    disqualified = serializers.BooleanField()

    def to_representation(self, row):
        return super().to_representation({
            "school": row.school.code, "school_name": row.school.name, "county": row.county.code,
            "stage": row.school.stage, "year": self.context["year"], "version": self.context["version"], "score": row.score, "rank": row.result.rank,
            "bottom_listed": row.result.bottom_listed, "bottom_position": row.result.bottom_position,
            "deduction": row.result.deduction_pct, "commendation": row.result.commendation,
            "disqualified": row.disqualified})


class DepartmentRowSerializer(serializers.Serializer):
    """One prefecture department (州级部门) in a year's assessment: its score by its own yearly rules, the counties'
    record on its work (捆绑评价), and whether it is commended."""

    unit = serializers.CharField(help_text=_("州级部门名称"))
    year = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True, help_text=_("发布版本；预览时为 null"))
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                     help_text=_("按州级部门履行教育职责工作目标考核细则考核的得分；未填写为 null"))
    reason = serializers.CharField(allow_blank=True)
    commended = serializers.BooleanField(help_text=_("州委、州政府通报表扬"))
    bundled_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                           help_text=_("县（市）推进本系统工作的实绩：相关指标平均完成程度（%）"))
    bundled_results = serializers.IntegerField(help_text=_("计入的县市×指标结果个数"))

    def to_representation(self, row):
        return super().to_representation({**row, "year": self.context["year"], "version": self.context["version"]})
