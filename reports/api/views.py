"""``/api/v1/reports/…``: the progress and final-evaluation reports as files, the export records, verification."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from liangshan_edu.api import HasRole
from reports import exports
from reports.api.serializers import ExportRecordSerializer, VerifySerializer
from reports.models import ExportRecord
from reports.scope import EVALUATION, PROGRESS, ScopeError, parse_format, resolve

COMMON = [OpenApiParameter("county", str, description="县市代码，或 prefecture（全州及各县市）"),
          OpenApiParameter("plan", str), OpenApiParameter("indicator", str),
          OpenApiParameter("as_of", str, description="过去某一时刻（ISO 8601），按审计记录重建"),
          OpenApiParameter("format", str, enum=["xlsx", "csv", "pdf"]),
          OpenApiParameter("async", bool, description="后台生成，返回导出记录（202）")]


class _ReportView(APIView):
    permission_classes = [HasRole]
    kind = PROGRESS

    def perform_content_negotiation(self, request, force=False):
        # ``format`` names the file's format here, not a DRF renderer: errors are JSON whatever it says.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request):
        try:
            scope = resolve(request.user, self.kind, request.query_params)
            fmt = parse_format(request.query_params.get("format"))
        except ScopeError as e:
            return Response({"message": e.message}, status=e.status)
        if request.query_params.get("async") in ("1", "true"):
            record = exports.start_job(request.user, scope, fmt)
            return Response(ExportRecordSerializer(record).data, status=status.HTTP_202_ACCEPTED)
        return exports.serve(request.user, scope, fmt)


@extend_schema(parameters=COMMON + [OpenApiParameter("year", int)], responses={(200, "application/octet-stream"): bytes})
class ProgressReportView(_ReportView):
    """The progress report of a scope and year as xlsx, CSV or PDF (recorded with its SHA-256)."""

    kind = PROGRESS


@extend_schema(parameters=COMMON + [OpenApiParameter("cycle", str)], responses={(200, "application/octet-stream"): bytes})
class EvaluationReportView(_ReportView):
    """The final-evaluation report of a scope and cycle as xlsx, CSV or PDF (recorded with its SHA-256)."""

    kind = EVALUATION


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

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"message": _("请选择要核验的文件（字段 file）。")}, status=400)
        try:
            sha = exports.sha256_of(upload)
        except exports.TooLarge:
            return Response({"message": _("文件超过 %(mb)s MB，无法核验。") % {
                "mb": exports.verify_max_bytes() // (1024 * 1024)}}, status=413)
        found = exports.matches(request.user, sha)
        return Response({"sha256": sha, "found": bool(found),
                         "records": ExportRecordSerializer(found, many=True).data})
