from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import Indicator, Plan, Target, Task


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["code", "name", "short_name", "name_en", "cycle", "issued", "document"]


class TargetSerializer(serializers.ModelSerializer):
    counties = serializers.SerializerMethodField(help_text=_("适用的县市代码；适用于全部县市时为 null"))

    class Meta:
        model = Target
        fields = ["year", "value", "tier", "counties", "note"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_counties(self, target: Target) -> list[str] | None:
        # DESIGN §6: null when the target applies to every county (of its tier), not an empty list.
        return [county.code for county in target.counties.all()] or None


class TaskSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_units = serializers.StringRelatedField(many=True)
    cooperating_units = serializers.StringRelatedField(many=True)

    class Meta:
        model = Task
        fields = ["plan", "number", "section", "title", "lead_units", "cooperating_units"]


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    task = serializers.SerializerMethodField()
    task_title = serializers.SerializerMethodField()
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["code", "plan", "task", "task_title", "name", "name_en", "unit", "kind", "direction", "level",
                  "rollup", "numerator_rule", "denominator_rule", "may_exceed_100", "source", "note", "targets"]

    def get_task(self, obj) -> int | None:
        return obj.task.number if obj.task_id else None

    def get_task_title(self, obj) -> str | None:
        return obj.task.title if obj.task_id else None
