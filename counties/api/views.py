from rest_framework import viewsets

from counties.api.serializers import CountySerializer
from counties.models import County
from liangshan_edu.api import HasRole


class CountyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = County.objects.all()
    serializer_class = CountySerializer
    permission_classes = [HasRole]
    lookup_field = "code"
    pagination_class = None
