from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import Indicator, Plan, Target, Task
from indicators.targets import selected_now


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["code", "name", "short_name", "name_en", "cycle", "issued", "document"]


class ConditionSerializer(serializers.Serializer):
    attribute = serializers.CharField(help_text=_("县市属性代码，如 population"))
    operator = serializers.ChoiceField(choices=Target.Operator.choices)
    value = serializers.DecimalField(max_digits=16, decimal_places=4)
    text = serializers.CharField(help_text=_("方案原话，如：30万人口以上的县（市）"))


class TargetSerializer(serializers.ModelSerializer):
    counties = serializers.SerializerMethodField(
        help_text=_("适用的县市代码；适用于全部县市时为 null。按属性条件限定时，为按目前记录的属性值符合条件的县市"))
    condition = serializers.SerializerMethodField(help_text=_("按县市属性限定的适用条件；没有时为 null"))

    class Meta:
        model = Target
        fields = ["year", "value", "upper_value", "assumed_deadline", "period", "period_from", "tier", "counties",
                  "condition", "note"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_counties(self, target: Target) -> list[str] | None:
        # DESIGN §6: null when the target applies to every county (of its tier), not an empty list.
        if target.condition is not None:
            # The counties the condition selects now (on their latest recorded values): a list, maybe empty.
            facts = self._facts()
            return sorted(code for code, f in facts.items() if selected_now(target.condition, f))
        return [county.code for county in target.counties.all()] or None

    @extend_schema_field(ConditionSerializer(allow_null=True))
    def get_condition(self, target: Target) -> dict | None:
        c = target.condition
        if c is None:
            return None
        return ConditionSerializer({"attribute": c.attribute, "operator": c.operator, "value": c.value,
                                    "text": c.text}).data

    def _facts(self) -> dict:
        """Every county's attribute values, read once per response (shared by all targets through the context)."""
        from places.models import county_facts

        if "_county_facts" not in self.context:
            self.context["_county_facts"] = county_facts()
        return self.context["_county_facts"]


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
