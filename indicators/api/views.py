from rest_framework import viewsets

from indicators.api.serializers import IndicatorSerializer, PlanSerializer
from indicators.api.filters import IndicatorAPIFilter
from indicators.models import Indicator, Plan
from liangshan_edu.api import HasRole
from liangshan_edu.apilists import ConditionalListMixin
from liangshan_edu.dataversion import CATALOGUE


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    permission_classes = [HasRole]
    lookup_field = "code"
    pagination_class = None


class IndicatorViewSet(ConditionalListMixin, viewsets.ReadOnlyModelViewSet):
    data_topics = (CATALOGUE,)
    queryset = (Indicator.objects.filter(retired=False).select_related("plan", "task", "unit")
                .prefetch_related("targets__counties"))
    serializer_class = IndicatorSerializer
    permission_classes = [HasRole]
    filterset_class = IndicatorAPIFilter
    lookup_field = "code"
