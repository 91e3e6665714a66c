"""``GET /api/v1/alarms/`` (in the user's scope) and ``POST /api/v1/alarms/{id}/acknowledge/`` (officials)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from alarms import services
from alarms.api.filters import AlarmFilter
from alarms.api.serializers import AcknowledgeSerializer, AlarmSerializer
from alarms.choices import Status
from alarms.queries import alarms_visible_to
from liangshan_edu.api import ErrorSerializer, HasRole
from liangshan_edu.roles import can_review


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("报警列表（县级填报员仅本县）")),
    retrieve=extend_schema(summary=gettext_lazy("一条报警")),
)
class AlarmViewSet(viewsets.ReadOnlyModelViewSet):
    """Alarms (智能报警) raised by the recompute and the clock: open, acknowledged or resolved."""

    serializer_class = AlarmSerializer
    permission_classes = [HasRole]
    filterset_class = AlarmFilter

    def get_queryset(self):
        return alarms_visible_to(self.request.user).order_by("-raised_at", "-id")

    @extend_schema(summary=gettext_lazy("确认报警（州级管理员，须填写意见）"), request=AcknowledgeSerializer,
                   responses={200: AlarmSerializer,
                              409: OpenApiResponse(ErrorSerializer, description=gettext_lazy("报警已确认或已解除"))})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alarm = self.get_object()
        if not can_review(request.user):
            raise PermissionDenied(gettext_lazy("只有州级管理员可以确认报警。"))
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if alarm.status != Status.OPEN:
            return Response({"message": str(gettext_lazy("只有未处理的报警可以确认。")),
                             "errors": {"status": [alarm.status]}}, status=409)
        try:
            alarm = services.acknowledge(request.user, alarm, body.validated_data["comment"])
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e)) from e
        except DjangoValidationError as e:
            raise ValidationError(e.message_dict) from e
        return Response(self.get_serializer(alarm).data)
