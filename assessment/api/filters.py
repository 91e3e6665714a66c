import django_filters
from django.utils.translation import gettext_lazy as _

from assessment.choices import ProgressStatus
from assessment.models import Progress


class ProgressFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="area", help_text=_("县市代码，或 prefecture"))
    indicator = django_filters.CharFilter(field_name="indicator__code")
    plan = django_filters.CharFilter(field_name="indicator__plan__code")
    year = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=ProgressStatus.choices)
    overdue = django_filters.BooleanFilter()

    class Meta:
        model = Progress
        fields = ["county", "indicator", "plan", "year", "status", "overdue"]
