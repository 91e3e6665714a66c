from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from assessment.api.filters import ProgressFilter
from assessment.api.serializers import ProgressSerializer, RecomputeJobSerializer
from assessment.models import RecomputeJob
from assessment.queries import progress_visible_to
from liangshan_edu.api import HasRole, IsOfficial


class ProgressViewSet(viewsets.ReadOnlyModelViewSet):
    """Progress of every county (and the prefecture, county=prefecture) on every indicator and year."""

    serializer_class = ProgressSerializer
    permission_classes = [HasRole]
    filterset_class = ProgressFilter

    def get_queryset(self):
        return progress_visible_to(self.request.user).order_by("indicator__plan__order", "indicator__order",
                                                                "area", "year")


class RecomputeViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin,
                       viewsets.GenericViewSet):
    """Officials start a full recompute and poll its state by id."""

    serializer_class = RecomputeJobSerializer
    permission_classes = [IsOfficial]
    queryset = RecomputeJob.objects.all()

    @extend_schema(request=None, responses={202: RecomputeJobSerializer})
    def create(self, request, *args, **kwargs):
        from assessment.jobs import start_recompute

        job = start_recompute(request.user)
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)
