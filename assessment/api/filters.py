import django_filters
from django.utils.translation import gettext_lazy as _

from assessment.choices import EvaluationResult, ProgressStatus
from assessment.models import Evaluation, Progress
from liangshan_edu.api.filters import BooleanFilter


class ProgressFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="area", help_text=_("县市代码，或 prefecture"))
    indicator = django_filters.CharFilter(field_name="indicator__code")
    plan = django_filters.CharFilter(field_name="indicator__plan__code")
    year = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=ProgressStatus.choices)
    overdue = BooleanFilter()

    class Meta:
        model = Progress
        fields = ["county", "indicator", "plan", "year", "status", "overdue"]


class EvaluationFilter(django_filters.FilterSet):
    """``cycle`` defaults to the current one (the cycle being reported on); ``cycle=all`` lists every cycle."""

    cycle = django_filters.CharFilter(method="filter_cycle", help_text=_("规划周期，如 2022-2025；默认当前周期"))
    county = django_filters.CharFilter(field_name="area", help_text=_("县市代码，或 prefecture"))
    indicator = django_filters.CharFilter(field_name="indicator__code")
    plan = django_filters.CharFilter(field_name="indicator__plan__code")
    result = django_filters.ChoiceFilter(choices=EvaluationResult.choices)
    target_year = django_filters.NumberFilter()

    class Meta:
        model = Evaluation
        fields = ["cycle", "county", "indicator", "plan", "result", "target_year"]

    def __init__(self, data=None, *args, **kwargs):
        from indicators.cycles import current_cycle

        data = data.copy() if data is not None else {}
        if not data.get("cycle"):
            data["cycle"] = current_cycle() or "all"
        super().__init__(data, *args, **kwargs)

    def filter_cycle(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(indicator__plan__cycle=value)
