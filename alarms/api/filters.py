import django_filters
from django.utils.translation import gettext_lazy as _

from alarms.choices import Kind, Severity, Status
from alarms.models import Alarm


class AlarmFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="county__code", help_text=_("县市代码"))
    indicator = django_filters.CharFilter(field_name="indicator__code")
    plan = django_filters.CharFilter(field_name="indicator__plan__code")
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = Alarm
        fields = ["county", "indicator", "plan", "kind", "severity", "status"]
