from rest_framework import serializers

from indicators.models import Indicator, Plan, Target, Task


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["code", "name", "short_name", "name_en", "cycle", "issued", "document"]


class TargetSerializer(serializers.ModelSerializer):
    counties = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Target
        fields = ["year", "value", "tier", "counties", "note"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["counties"] = data["counties"] or None
        return data


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
