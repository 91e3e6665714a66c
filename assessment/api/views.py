from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from assessment.api.filters import EvaluationFilter, ProgressFilter
from assessment.api.serializers import EvaluationSerializer, ProgressSerializer, RecomputeJobSerializer
from assessment.models import RecomputeJob
from assessment.queries import evaluation_visible_to, progress_visible_to
from liangshan_edu.api import HasRole, IsOfficial
from liangshan_edu.apilists import ConditionalListMixin, LeanListMixin
from liangshan_edu.dataversion import CATALOGUE, PROGRESS


class ProgressViewSet(ConditionalListMixin, LeanListMixin, viewsets.ReadOnlyModelViewSet):
    """Progress of every county (and the prefecture, county=prefecture) on every indicator and year."""

    data_topics = (PROGRESS, CATALOGUE)

    serializer_class = ProgressSerializer
    permission_classes = [HasRole]
    filterset_class = ProgressFilter

    def get_queryset(self):
        return progress_visible_to(self.request.user).order_by("indicator__plan__order", "indicator__order",
                                                                "area", "year")


class EvaluationViewSet(ConditionalListMixin, LeanListMixin, viewsets.ReadOnlyModelViewSet):
    """The final evaluation (终期评估): which dated target each county (and the prefecture) met on time, late,
    missed, or has not reported; standing yearly rules count the years met. Defaults to the current cycle."""

    data_topics = (PROGRESS, CATALOGUE)

    serializer_class = EvaluationSerializer
    permission_classes = [HasRole]
    filterset_class = EvaluationFilter

    def get_queryset(self):
        return evaluation_visible_to(self.request.user).order_by("indicator__plan__order", "indicator__order",
                                                                  "area", "target_year")


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
