"""``/api/v1/redblack/appeals/``: a county's clerk appeals (申诉) an entry of its county; officials decide.

Who may: every role with a role lists and reads the appeals it may see (``redblack.appeals.visible_to``: readers
of everything all of them, a clerk its county's); only a clerk files, for its own county's entries, on the
period's current version, within ``REDBLACK_APPEAL_DAYS`` of publication; only officials decide.
"""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from liangshan_edu.api import HasRole
from liangshan_edu.roles import can_review, county_of
from redblack import appeals
from redblack.api.serializers import AppealCreateSerializer, AppealDecisionSerializer, AppealSerializer
from redblack.api.views import CONFLICT, WorkflowErrors
from redblack.choices import AppealStatus, ListKind
from redblack.models import Appeal


class AppealFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AppealStatus.choices, label=gettext_lazy("状态"))
    county = django_filters.CharFilter(field_name="county__code", label=gettext_lazy("县市代码"))
    period = django_filters.CharFilter(field_name="entry__publication__period", label=gettext_lazy("期次"))
    list = django_filters.ChoiceFilter(field_name="entry__list", choices=ListKind.choices,
                                       label=gettext_lazy("榜单"))

    class Meta:
        model = Appeal
        fields = ["status", "county", "period", "list"]


BODY = {"application/json": AppealCreateSerializer, "multipart/form-data": AppealCreateSerializer}


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("申诉列表（州级、审计、管理员看全部；县级填报员看本县）")),
    retrieve=extend_schema(summary=gettext_lazy("一条申诉")),
    create=extend_schema(summary=gettext_lazy("对本县榜单条目申诉（县级填报员，申诉期内）"), request=BODY,
                         responses={201: AppealSerializer, 409: CONFLICT}),
)
class AppealViewSet(WorkflowErrors, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = AppealSerializer
    permission_classes = [HasRole]
    filterset_class = AppealFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return appeals.visible_to(self.request.user).prefetch_related("evidence").order_by("-created_at", "-pk")

    not_found = gettext_lazy("该申诉不存在，或您无权查看。")
    conflicts = (appeals.AppealError,)

    def _answer(self, appeal: Appeal, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=appeal.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        if county_of(request.user) is None:  # before the body is read: a refusal says who may
            raise PermissionDenied(_("只有县级填报员可以对本县的榜单条目申诉。"))
        data = AppealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = appeals.file(request.user, data.validated_data["entry"], reason=data.validated_data["reason"],
                              files=data.validated_data.get("files") or [])
        return self._answer(appeal, status.HTTP_201_CREATED)

    @extend_schema(summary=gettext_lazy("处理申诉（州级管理员）：成立则发布更正版本，驳回须写明理由"),
                   request=AppealDecisionSerializer, responses={200: AppealSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def decide(self, request, pk=None):
        if not can_review(request.user):  # before the body is read (appeals.decide checks again)
            raise PermissionDenied(_("只有州级管理员可以处理申诉。"))
        appeal = self.get_object()
        data = AppealDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = appeals.decide(request.user, appeal, uphold=data.validated_data["uphold"],
                                 decision=data.validated_data["decision"])
        return self._answer(decided)
