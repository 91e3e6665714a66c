"""``/api/v1/reports/…``: the progress, final-evaluation and change-history reports as files, the export
records, verification.

The schema documents what each operation really answers: the file in each of its media types (``format``), the
202 with the export record for ``async=1``, and every refusal in the API's error shape ``{message, errors}``.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from liangshan_edu.api import ErrorSerializer, HasRole
from reports import exports
from reports.api.serializers import ExportRecordSerializer, VerifyResultSerializer, VerifySerializer
from reports.formats import CONTENT_TYPES
from reports.models import ExportRecord
from reports.scope import (EVALUATION, HISTORY, HISTORY_FORMATS, PROGRESS, SUBJECTS, ScopeError, parse_format,
                           resolve)

SCOPE = [OpenApiParameter("county", str, description="县市代码，或 prefecture（全州及各县市）；不填：县级填报员为本县，"
                                                     "其他角色为全州")]
AS_OF = OpenApiParameter("as_of", str, description="过去某一时刻（ISO 8601 或日期），按审计记录重建")
ASYNC = OpenApiParameter("async", str, enum=["1", "true"], description="后台生成：返回导出记录（202），之后轮询")


def _format(formats) -> OpenApiParameter:
    return OpenApiParameter("format", str, enum=list(formats), description="文件格式（默认 xlsx）")


def _error(text: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=text)


def _file_responses(formats) -> dict:
    """The file in each media type ``format`` can ask for, the async 202 and the refusals (error shape)."""
    responses: dict = {(200, CONTENT_TYPES[f].split(";")[0]): OpenApiResponse(
        OpenApiTypes.BINARY, description="报表文件（X-Export-Id：导出记录；xlsx/PDF 另有 X-Content-SHA256）")
        for f in formats}
    responses[(202, "application/json")] = OpenApiResponse(ExportRecordSerializer,
                                                           description="async=1：已排队的导出记录")
    responses[(400, "application/json")] = _error("参数无效：message 说明原因")
    responses[(401, "application/json")] = _error("未登录或令牌无效")
    responses[(403, "application/json")] = _error("无权导出该范围（县级填报员只能导出本县）")
    return responses


class _ReportView(APIView):
    permission_classes = [HasRole]
    # Errors and the 202 are JSON whatever ``format`` says (it names the file's format, not a DRF renderer).
    renderer_classes = [JSONRenderer]
    kind = PROGRESS

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def get(self, request):
        try:
            scope = resolve(request.user, self.kind, request.query_params)
            fmt = parse_format(request.query_params.get("format"), kind=self.kind)
        except ScopeError as e:
            return Response({"message": e.message, "errors": {}}, status=e.status)
        if request.query_params.get("async") in ("1", "true"):
            record = exports.start_job(request.user, scope, fmt)
            return Response(ExportRecordSerializer(record).data, status=status.HTTP_202_ACCEPTED)
        return exports.serve(request.user, scope, fmt)


@extend_schema(parameters=SCOPE + [OpenApiParameter("year", int), OpenApiParameter("plan", str),
                                   OpenApiParameter("indicator", str), AS_OF, _format(CONTENT_TYPES), ASYNC],
               responses=_file_responses(CONTENT_TYPES))
class ProgressReportView(_ReportView):
    """The progress report of a scope and year as xlsx, CSV or PDF (recorded with its SHA-256)."""

    kind = PROGRESS


@extend_schema(parameters=SCOPE + [OpenApiParameter("cycle", str), OpenApiParameter("plan", str),
                                   OpenApiParameter("indicator", str), AS_OF, _format(CONTENT_TYPES), ASYNC],
               responses=_file_responses(CONTENT_TYPES))
class EvaluationReportView(_ReportView):
    """The final-evaluation report of a scope and cycle as xlsx, CSV or PDF (recorded with its SHA-256)."""

    kind = EVALUATION


@extend_schema(parameters=SCOPE + [
    OpenApiParameter("subject", str, enum=list(SUBJECTS),
                     description="figures：填报数据的变更记录（默认）；catalogue：目标和指标的变更记录（仅州级管理员、审计、"
                                 "系统管理员；不分县市，year 为目标年份）"),
    OpenApiParameter("year", int), OpenApiParameter("indicator", str, description="指标代码包含"),
    OpenApiParameter("user", str, description="用户名包含"), OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE), OpenApiParameter("q", str, description="原因包含"),
    AS_OF, _format(HISTORY_FORMATS), ASYNC], responses=_file_responses(HISTORY_FORMATS))
class HistoryReportView(_ReportView):
    """The change history (留痕) of the figures the user may read, with the audit log's filters, as xlsx or CSV
    (recorded with its SHA-256; the CSV streams)."""

    kind = HISTORY


class ExportRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Every export: who, what scope, format, as of, the SHA-256 of the bytes served, when (and a background
    job's state and progress). Readers of everything see every record; a clerk their own."""

    serializer_class = ExportRecordSerializer
    permission_classes = [HasRole]

    queryset = ExportRecord.objects.none()  # for the schema only; get_queryset scopes every request

    def get_queryset(self):
        exports.fail_lost_jobs()
        return exports.visible_records(self.request.user)


class VerifyView(APIView):
    """Upload a file (multipart field ``file``) to learn whether and when it was exported here."""

    permission_classes = [HasRole]
    parser_classes = [MultiPartParser]
    serializer_class = VerifySerializer

    @extend_schema(request={"multipart/form-data": VerifySerializer}, responses={
        200: VerifyResultSerializer, 400: _error("没有文件（字段 file）"), 413: _error("文件过大")})
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            message = _("请选择要核验的文件（字段 file）。")
            return Response({"message": message, "errors": {"file": [message]}}, status=400)
        try:
            sha = exports.sha256_of(upload)
        except exports.TooLarge:
            message = _("文件超过 %(mb)s MB，无法核验。") % {"mb": exports.verify_max_bytes() // (1024 * 1024)}
            return Response({"message": message, "errors": {"file": [message]}}, status=413)
        found = exports.matches(request.user, sha)
        return Response({"sha256": sha, "found": bool(found),
                         "records": ExportRecordSerializer(found, many=True).data})
