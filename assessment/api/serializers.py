from rest_framework import serializers

from assessment.models import Evaluation, Progress, RecomputeJob


class ProgressSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="area")
    indicator = serializers.CharField(source="indicator.code")
    plan = serializers.CharField(source="indicator.plan.code")
    unit = serializers.CharField(source="indicator.unit.code")

    class Meta:
        model = Progress
        fields = ["county", "indicator", "plan", "year", "value", "numerator", "denominator", "baseline",
                  "baseline_year", "target", "target_year", "expected", "status", "projected", "will_meet",
                  "overdue", "gap", "unit", "computed_at"]


class RecomputeJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecomputeJob
        fields = ["id", "scope", "state", "done", "total", "rows", "error", "created_at", "started_at",
                  "finished_at"]


class EvaluationSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="area")
    indicator = serializers.CharField(source="indicator.code")
    plan = serializers.CharField(source="indicator.plan.code")
    cycle = serializers.CharField(source="indicator.plan.cycle")
    unit = serializers.CharField(source="indicator.unit.code")

    class Meta:
        model = Evaluation
        fields = ["id", "county", "indicator", "plan", "cycle", "target_year", "target", "value_at_deadline", "met_year",
                  "result", "latest_value", "latest_year", "years_met", "years_reported", "unit", "computed_at"]
