"""API views of the counties app: counties, and figures (填报数据) with their workflow (DESIGN §6).

Every figure request starts from ``Figure.objects.visible_to(user)`` (another county's figure is a 404) and
every change goes through ``counties.services`` (a visible figure the user may not change is a 403); the
workflow's errors become JSON with a ``message`` a clerk can act on and the status the error carries.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.settings import api_settings

from counties import services
from counties.api.filters import FigureFilter
from counties.api.serializers import (
    CountySerializer,
    FigureBulkResultSerializer,
    FigureBulkSerializer,
    FigureDetailSerializer,
    FigureErrorSerializer,
    FigureHistorySerializer,
    FigureReasonSerializer,
    FigureSerializer,
    FigureTransitionSerializer,
)
from counties.errors import FigureError, Stale
from places.models import County
from counties.models import Figure
from liangshan_edu.api import HasRole
from liangshan_edu.apilists import ConditionalListMixin, LeanListMixin
from liangshan_edu.dataversion import CATALOGUE, FIGURES


class CountyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = County.objects.all()
    serializer_class = CountySerializer
    permission_classes = [HasRole]
    lookup_field = "code"
    pagination_class = None


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(FigureErrorSerializer, description=description)


ERRORS = {
    400: _error(gettext_lazy("数据无效（message 说明原因，errors 按字段列出）")),
    403: _error(gettext_lazy("无权执行此操作")),
    404: _error(gettext_lazy("数据不存在或无权查看")),
    409: _error(gettext_lazy("版本已过期（current 为最新数据）、状态不允许或年度已锁定")),
}
READ_ERRORS = {404: ERRORS[404]}

# Fields of a figure's history shown as changes, in this order (version and timestamps are shown per entry).
HISTORY_FIELDS = [*Figure.HISTORY_FIELDS, *Figure.WORKFLOW_FIELDS]


def error_body(exc: FigureError, context: dict) -> dict:
    """``{"message", "errors": {field: [messages]}}`` from a workflow error, plus ``current`` when stale."""
    errors: dict[str, list[str]] = defaultdict(list)
    for problem in exc.problems:
        errors[problem.field].append(str(problem.message))
    if not errors:
        errors["version" if isinstance(exc, Stale) else api_settings.NON_FIELD_ERRORS_KEY].append(exc.message)
    body = {"message": exc.message, "errors": dict(errors)}
    if isinstance(exc, Stale):
        body["current"] = FigureSerializer(exc.figure, context=context).data
    return body


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("填报数据列表"), responses={200: FigureSerializer(many=True)}),
    retrieve=extend_schema(summary=gettext_lazy("一条填报数据"), responses={200: FigureDetailSerializer, **READ_ERRORS}),
    create=extend_schema(summary=gettext_lazy("新建草稿（县级填报员，仅本县）"), request=FigureSerializer,
                         responses={201: FigureDetailSerializer, 400: ERRORS[400], 403: ERRORS[403],
                                    409: ERRORS[409]}),
    partial_update=extend_schema(summary=gettext_lazy("修改草稿或被退回的数据（须提供 version）"), request=FigureSerializer,
                                 responses={200: FigureDetailSerializer, **ERRORS}),
)
class FigureViewSet(ConditionalListMixin, LeanListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """Figures a user may see; drafts created and edited by their county's clerk, reviewed by officials."""

    data_topics = (FIGURES, CATALOGUE)

    serializer_class = FigureSerializer
    permission_classes = [HasRole]
    filterset_class = FigureFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"  # so figures/upload/ and figures/template.csv are not taken for an id

    def get_queryset(self):
        return (Figure.objects.visible_to(self.request.user)
                .select_related("county", "indicator__unit", "approved_by"))

    def get_serializer_class(self):
        return FigureDetailSerializer if self.action == "retrieve" else FigureSerializer

    def get_object(self) -> Figure:
        try:
            return super().get_object()
        except Http404:
            raise NotFound(_("该数据不存在，或您无权查看。")) from None

    def handle_exception(self, exc):
        if isinstance(exc, FigureError):
            return Response(error_body(exc, self.get_serializer_context()), status=exc.status)
        return super().handle_exception(exc)

    def _respond(self, figure: Figure, code: int = status.HTTP_200_OK, **kwargs) -> Response:
        """The figure as it is now (re-read with its relations), in the detail shape."""
        figure = self.get_queryset().get(pk=figure.pk)
        return Response(FigureDetailSerializer(figure, context=self.get_serializer_context()).data, status=code,
                        **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = FigureSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        figure = serializer.save()
        location = self.reverse_action("detail", args=[figure.pk])
        return self._respond(figure, status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, *args, **kwargs):
        figure = self.get_object()
        serializer = FigureSerializer(figure, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._respond(serializer.save())

    def _transition_body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(summary=gettext_lazy("提交审核（县级填报员）"), request=FigureTransitionSerializer,
                   responses={200: FigureDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        figure = self.get_object()
        body = self._transition_body(FigureTransitionSerializer)
        return self._respond(services.submit(request.user, figure, expected_version=body.get("version")))

    @extend_schema(summary=gettext_lazy("审核通过（州级管理员）"), request=FigureTransitionSerializer,
                   responses={200: FigureDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        figure = self.get_object()
        body = self._transition_body(FigureTransitionSerializer)
        return self._respond(services.approve(request.user, figure, expected_version=body.get("version")))

    @extend_schema(summary=gettext_lazy("退回县级修改（州级管理员，须填写原因）"), request=FigureReasonSerializer,
                   responses={200: FigureDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_figure(self, request, pk=None):
        figure = self.get_object()
        body = self._transition_body(FigureReasonSerializer)
        return self._respond(services.return_figure(request.user, figure, body.get("reason", ""),
                                                    expected_version=body.get("version")))

    @extend_schema(summary=gettext_lazy("重新开放已审核的数据（州级管理员，须填写原因）"), request=FigureReasonSerializer,
                   responses={200: FigureDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        figure = self.get_object()
        body = self._transition_body(FigureReasonSerializer)
        return self._respond(services.reopen(request.user, figure, body.get("reason", ""),
                                             expected_version=body.get("version")))

    @extend_schema(
        summary=gettext_lazy("批量提交、审核通过或退回"),
        description=gettext_lazy("逐条执行，各自成功或被拒绝（附原因）。全部被拒绝且原因同类时，返回该类的状态码（如 403）。"),
        request=FigureBulkSerializer,
        responses={200: FigureBulkResultSerializer, 400: ERRORS[400], 403: FigureBulkResultSerializer,
                   404: FigureBulkResultSerializer, 409: FigureBulkResultSerializer},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        body = self._transition_body(FigureBulkSerializer)
        ids = list(dict.fromkeys(body["ids"]))
        found = self.get_queryset().in_bulk(ids)
        transition = {"submit": services.submit, "approve": services.approve,
                      "return": services.return_figure}[body["action"]]
        kwargs = {"reason": body.get("reason", "")} if body["action"] == "return" else {}
        result = services.bulk(transition, request.user, [found[i] for i in ids if i in found],
                               expected_versions=body.get("versions"), **kwargs)

        refusals = {
            i: {"id": i, "status": status.HTTP_404_NOT_FOUND, "errors": {},
                "message": _("编号为%(id)s的数据不存在或您无权查看。") % {"id": i}}
            for i in ids if i not in found
        }
        for (figure, _message), exc in zip(result.refused, result.errors):
            refusals[figure.pk] = {"id": figure.pk, "status": exc.status, "message": exc.message,
                                   "errors": error_body(exc, {})["errors"]}
        refused = [refusals[i] for i in ids if i in refusals]
        done_ids = {f.pk for f in result.done}
        done = [f for f in self.get_queryset().filter(pk__in=done_ids)]
        done.sort(key=lambda f: ids.index(f.pk))

        code, message = status.HTTP_200_OK, _("完成%(done)s条，未完成%(refused)s条。") % {
            "done": len(done), "refused": len(refused)}
        statuses = {r["status"] for r in refused}
        if not done and len(statuses) == 1:
            # Nothing happened, for one kind of reason: answer as the single action would have.
            code, message = statuses.pop(), refused[0]["message"]
        done_data = FigureSerializer(done, many=True, context=self.get_serializer_context()).data
        return Response({"message": message, "done": done_data, "refused": refused}, status=code)

    @extend_schema(summary=gettext_lazy("修改历史（谁、何时、改了什么、原因）"),
                   responses={200: FigureHistorySerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        figure = self.get_object()
        records = list(figure.history.select_related("history_user").order_by("history_date", "history_id"))
        usernames = self._usernames(records)
        entries, previous = [], None
        for record in records:
            entries.append(self._history_entry(record, previous, usernames))
            previous = record
        entries.reverse()
        return Response(FigureHistorySerializer(entries, many=True).data)

    @staticmethod
    def _usernames(records) -> dict[int, str]:
        from django.contrib.auth import get_user_model

        ids = {r.approved_by_id for r in records if r.approved_by_id}
        return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}

    @staticmethod
    def _history_entry(record, previous, usernames: dict[int, str]) -> dict:
        def shown(name: str, value):
            if name == "approved_by":
                return usernames.get(value, value)
            if isinstance(value, datetime):
                return timezone.localtime(value).isoformat()
            if isinstance(value, date):
                return value.isoformat()
            return value

        def label(name: str) -> str:
            return str(Figure._meta.get_field(name).verbose_name)

        if previous is None:
            changes = [(name, None, getattr(record, f"{name}_id" if name == "approved_by" else name))
                       for name in HISTORY_FIELDS]
            changes = [(n, old, new) for n, old, new in changes if new not in (None, "", False)]
        else:
            delta = record.diff_against(previous, included_fields=HISTORY_FIELDS)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
            changes.sort(key=lambda c: HISTORY_FIELDS.index(c[0]))
        return {
            "id": record.history_id,
            "date": record.history_date,
            "user": record.history_user.username if record.history_user else None,
            "type": record.history_type,
            "type_display": str(Figure.HISTORY_TYPES.get(record.history_type, record.history_type)),
            "reason": record.history_change_reason or "",
            "version": record.version,
            "status": record.status,
            "changes": [{"field": n, "label": label(n), "old": shown(n, old), "new": shown(n, new)}
                        for n, old, new in changes],
        }
