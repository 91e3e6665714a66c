"""Filters of the figures API: counties, indicators and plans by code (DESIGN §6)."""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from counties.choices import FigureStatus
from counties.models import Figure

PREFECTURE = "prefecture"


class FigureFilter(django_filters.FilterSet):
    """``county`` is a GB/T 2260 code, or ``prefecture`` for the prefecture's own figures."""

    county = django_filters.CharFilter(method="filter_county", label=_("县市代码（或 prefecture 表示全州）"))
    indicator = django_filters.CharFilter(field_name="indicator__code", label=_("指标代码"))
    plan = django_filters.CharFilter(field_name="indicator__plan__code", label=_("实施方案代码"))
    year = django_filters.NumberFilter(field_name="year", label=_("年度"))
    status = django_filters.ChoiceFilter(choices=FigureStatus.choices, label=_("状态"))

    class Meta:
        model = Figure
        fields = ["county", "indicator", "plan", "year", "status"]

    def filter_county(self, queryset, name: str, value: str):
        value = value.strip()
        if value == PREFECTURE:
            return queryset.filter(county__isnull=True)
        return queryset.filter(county__code=value)
