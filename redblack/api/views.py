"""``/api/v1/redblack/`` (published lists, publish) and ``/api/v1/supervisions/`` (督导通知)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from liangshan_edu.api import ErrorSerializer, HasRole
from liangshan_edu.roles import can_review, is_clerk_of
from redblack import lists, periods, supervision
from redblack.api.serializers import (EntrySerializer, PlanItemSerializer, ProgressReportCreateSerializer,
                                      ProgressReportSerializer, PublicationSerializer, PublishSerializer,
                                      SupervisionSerializer)
from redblack.choices import ListKind, NoticeStatus
from redblack.evidence import EvidenceError
from redblack.models import Entry
from redblack.queries import notices_visible_to

CONFLICT = OpenApiResponse(ErrorSerializer, description=gettext_lazy("该期次已发布，或通知状态不允许此操作"))


def conflict(message: str, field: str = "non_field_errors") -> Response:
    return Response({"message": message, "errors": {field: [message]}}, status=status.HTTP_409_CONFLICT)


@extend_schema(parameters=[
    OpenApiParameter("period", str, description=gettext_lazy("期次（YYYY-MM 或 YYYY-Qn），默认最近一期")),
    OpenApiParameter("version", int, description=gettext_lazy("版本，默认当前（最新）版本")),
    OpenApiParameter("list", str, enum=ListKind.values), OpenApiParameter("county", str)])
class WorkflowErrors(viewsets.GenericViewSet):
    """The answers of a viewset over one of the workflows (notices, appeals): an object the user may not see is a
    404 with ``not_found``; the workflow's refusals (``conflicts``) a 409; a bad evidence file a 400 on ``files``;
    the services' PermissionDenied a 403 with its message."""

    not_found = ""
    conflicts: tuple[type[Exception], ...] = ()

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound(str(self.not_found)) from None

    def handle_exception(self, exc):
        if isinstance(exc, self.conflicts):
            return conflict(str(exc))
        if isinstance(exc, EvidenceError):
            exc = ValidationError({"files": [str(exc)]})
        if isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)


class RedBlackListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The published lists of a period (its current version unless ``version`` is given): every role reads
    them (红黑榜 are announced to all counties)."""

    serializer_class = EntrySerializer
    permission_classes = [HasRole]
    queryset = Entry.objects.none()  # for the schema; get_queryset chooses the publication

    def get_queryset(self):
        params = self.request.query_params
        period = params.get("period", "").strip()
        if period:
            try:
                period = periods.parse(period).text
            except periods.PeriodError as e:
                raise ValidationError({"period": [str(e)]}) from None
        else:
            period = lists.latest_period()
        version = params.get("version", "").strip()
        if version and not version.isdigit():
            raise ValidationError({"version": [_("version 须为正整数。")]})
        qs = Entry.objects.filter(publication__period=period or "")
        if version:
            qs = qs.filter(publication__version=int(version))
        else:
            pub = lists.current(period) if period else None
            qs = qs.filter(publication=pub) if pub else qs.none()
        kind = params.get("list", "").strip()
        if kind:
            if kind not in ListKind.values:
                raise ValidationError({"list": [_("list 须为 red 或 black。")]})
            qs = qs.filter(list=kind)
        if params.get("county", "").strip():
            qs = qs.filter(county__code=params["county"].strip())
        return qs.select_related("publication", "county", "indicator").order_by("list", "position")


class PublishView(APIView):
    """Publish the lists of a period from a data year (officials). The same period twice → 409: a change is a
    correction, published from the lists pages or by an upheld appeal."""

    permission_classes = [HasRole]
    serializer_class = PublishSerializer

    @extend_schema(request=PublishSerializer, responses={201: PublicationSerializer, 409: CONFLICT})
    def post(self, request):
        if not can_review(request.user):  # before the body is read: a refusal says who may, not what is wrong
            raise PermissionDenied(_("只有州级管理员可以发布红黑榜。"))
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            pub = lists.publish(request.user, data.validated_data["period"], data.validated_data["year"])
        except periods.PeriodError as e:
            raise ValidationError({"period": [str(e)]}) from None
        except lists.AlreadyPublished as e:
            return conflict(_("%(period)s 已于 %(at)s 发布（第%(version)s版）；如需更正请发布更正版本。") % {
                "period": e.publication.period, "at": e.publication.published_at.strftime("%Y-%m-%d %H:%M"),
                "version": e.publication.version}, "period")
        return Response(PublicationSerializer(pub).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("status", str, enum=NoticeStatus.values),
                                   OpenApiParameter("county", str)]),
    create=extend_schema(responses={201: SupervisionSerializer, 409: CONFLICT}),
    partial_update=extend_schema(responses={200: SupervisionSerializer, 409: CONFLICT}),
)
class SupervisionViewSet(WorkflowErrors, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Supervision notices: officials create and close (or send back); a county's clerk sees and answers its
    own; auditors and administrators read everything. Opening one (GET by id) is recorded."""

    serializer_class = SupervisionSerializer
    permission_classes = [HasRole]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        qs = notices_visible_to(self.request.user).prefetch_related("indicators", "plan__indicator")
        if self.action == "list":
            params = self.request.query_params
            if params.get("status", "").strip():
                if params["status"] not in NoticeStatus.values:
                    raise ValidationError({"status": [_("status 须为 open、replied 或 closed。")]})
                qs = qs.filter(status=params["status"])
            if params.get("county", "").strip():
                qs = qs.filter(county__code=params["county"].strip())
        return qs

    not_found = gettext_lazy("该督导通知不存在，或您无权查看。")
    conflicts = (supervision.NoticeError,)

    def retrieve(self, request, *args, **kwargs):
        notice = self.get_object()
        supervision.seen(request.user, notice)
        return Response(self.get_serializer(notice).data)

    def create(self, request, *args, **kwargs):
        if not can_review(request.user):  # before the body is read, as above
            raise PermissionDenied(_("只有州级管理员可以发出督导通知。"))
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = v.get("entry")
        prefill = supervision.draft(request.user, v["county"], entry)
        notice = supervision.create(
            request.user, v["county"], indicators=v.get("indicators") or prefill.indicators,
            deadline=v.get("deadline") or prefill.deadline, message=v.get("message") or prefill.message,
            title=v.get("title") or prefill.title, entry=entry)
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data,
                        status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response({"message": _("请用 PATCH。"), "errors": {}}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
        notice = self.get_object()
        data = request.data
        if "reply" in data or "plan" in data:
            plan = PlanItemSerializer(data=data.get("plan") or [], many=True)
            plan.is_valid(raise_exception=True)
            lines = [supervision.PlanLine(**item) for item in plan.validated_data]
            notice = supervision.reply(request.user, notice, text=str(data.get("reply") or ""), plan=lines)
        elif "status" in data:
            wanted = data.get("status")
            comment = str(data.get("comment") or "")
            if wanted == NoticeStatus.CLOSED:
                notice = supervision.close(request.user, notice, comment)
            elif wanted == NoticeStatus.OPEN:
                notice = supervision.send_back(request.user, notice, comment)
            else:
                raise ValidationError({"status": [_("州级管理员可将 status 改为 closed（销号）或 open（退回）。")]})
        else:
            raise ValidationError({"non_field_errors": [_("请提供 reply（县级回复）或 status（州级销号或退回）。")]})
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(methods=["GET"], summary=gettext_lazy("整改进展（可查看该通知者）"),
                   responses={200: ProgressReportSerializer(many=True)})
    @extend_schema(methods=["POST"], summary=gettext_lazy("报送整改进展及佐证材料（该县市的填报员，销号前）"),
                   request={"application/json": ProgressReportCreateSerializer,
                            "multipart/form-data": ProgressReportCreateSerializer},
                   responses={201: ProgressReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser, MultiPartParser, FormParser],
            pagination_class=None, filter_backends=[])
    def reports(self, request, pk=None):
        """The notice's progress reports; its county's clerk adds one (text and evidence files)."""
        notice = self.get_object()
        if request.method == "GET":
            rows = notice.reports.select_related("author").prefetch_related("evidence")
            return Response(ProgressReportSerializer(rows, many=True).data)
        if not is_clerk_of(request.user, notice.county_id):  # before the body is read
            raise PermissionDenied(_("只有该县市的填报员可以报送整改进展。"))
        data = ProgressReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = supervision.report_progress(request.user, notice, text=data.validated_data["text"],
                                             files=data.validated_data.get("files") or [])
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)
