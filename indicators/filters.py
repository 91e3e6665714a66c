import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.choices import Kind, Level
from indicators.models import Indicator, Plan, ResponsibleUnit, Unit


def _deadline_years():
    from indicators.models import Target

    years = Target.objects.exclude(year=None).values_list("year", flat=True).distinct().order_by("year")
    return [(y, str(y)) for y in years] + [("standing", _("每年（常态要求）"))]


class IndicatorFilter(django_filters.FilterSet):
    """Shared by the catalogue page and the API: plan, unit, deadline year, responsible unit, text."""

    plan = django_filters.ModelChoiceFilter(
        field_name="plan", queryset=Plan.objects.all(), to_field_name="code", label=_("实施方案")
    )
    task = django_filters.NumberFilter(field_name="task__number", label=_("重点工作序号"))
    unit = django_filters.ModelChoiceFilter(
        field_name="unit", queryset=Unit.objects.all(), to_field_name="code", label=_("单位")
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("类型"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("考核层级"))
    year = django_filters.ChoiceFilter(choices=_deadline_years, method="filter_year", label=_("目标年份"))
    responsible = django_filters.ModelChoiceFilter(
        queryset=ResponsibleUnit.objects.all(), method="filter_responsible", label=_("责任单位")
    )
    lead_only = django_filters.BooleanFilter(method="filter_noop", label=_("仅牵头单位"))
    q = django_filters.CharFilter(method="filter_text", label=_("搜索"))

    class Meta:
        model = Indicator
        fields = ["plan", "task", "unit", "kind", "level", "year", "responsible", "q"]

    def filter_year(self, queryset, name, value: str):
        if value == "standing":
            return queryset.filter(targets__year__isnull=True).distinct()
        return queryset.filter(targets__year=value).distinct()

    def filter_responsible(self, queryset, name, value: str):
        if self.data.get("lead_only") in ("true", "True", "on", "1"):
            return queryset.filter(task__lead_units=value).distinct()
        return queryset.filter(Q(task__lead_units=value) | Q(task__cooperating_units=value)).distinct()

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value)
            | Q(source__icontains=value) | Q(task__title__icontains=value) | Q(note__icontains=value)
        ).distinct()
