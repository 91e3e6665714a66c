"""API of the spreadsheet round-trip: a county's CSV template, and uploads of a filled CSV or .xlsx.

Same rules as the pages (``counties.spreadsheet``): all-or-nothing, a per-row, per-cell report, a clerk's
own county only.
"""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from counties.errors import Invalid
from places.models import County
from counties.services import check_year
from counties.spreadsheet import CSV_CONTENT_TYPE, build_template_csv, readable_county, template_filename, \
    upload_file
from counties.spreadsheet.report import CellError, UploadReport
from liangshan_edu.api import ErrorSerializer, HasRole
from liangshan_edu.roles import county_of, entry_county_of, is_clerk_of


class UploadRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("填好的模板：.csv（UTF-8 或 GBK）或 .xlsx"))
    county = serializers.CharField(required=False, help_text=_("县市代码，默认为本县（市）"))
    year = serializers.IntegerField(help_text=_("年度"))


_ERRORS = inline_serializer("FigureUploadError", many=True, fields={
    "sheet": serializers.CharField(), "row": serializers.IntegerField(allow_null=True),
    "column": serializers.CharField(), "cell": serializers.CharField(), "field": serializers.CharField(),
    "indicator": serializers.CharField(), "code": serializers.CharField(), "message": serializers.CharField(),
})
_REPORT = inline_serializer("FigureUploadReport", fields={
    "ok": serializers.BooleanField(), "message": serializers.CharField(), "filename": serializers.CharField(),
    "county": serializers.CharField(allow_null=True), "year": serializers.IntegerField(allow_null=True),
    "created": serializers.IntegerField(), "updated": serializers.IntegerField(),
    "unchanged": serializers.IntegerField(), "blank": serializers.IntegerField(),
    "changes": serializers.ListField(child=serializers.DictField()),
    "errors": _ERRORS,
    "warnings": serializers.ListField(child=serializers.DictField()),
})


def _year(raw) -> int:
    try:
        year = int(raw)
        check_year(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("请提供有效的年度（year），如2025。")]})
    except Invalid as exc:
        raise ValidationError({"year": [exc.message]})
    return year


class FigureTemplateCSVView(APIView):
    """GET figures/template.csv?county=&year= — a county's template as CSV (UTF-8 with BOM)."""

    permission_classes = [HasRole]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # A client asking for text/csv gets the CSV, and errors as JSON, rather than 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="figures_template_csv",
        parameters=[OpenApiParameter("county", str, description=_("县市代码（县级填报员默认为本县）")),
                    OpenApiParameter("year", int, required=True, description=_("年度"))],
        responses={(200, "text/csv"): OpenApiTypes.STR,
                   400: OpenApiResponse(ErrorSerializer, description=_("年度无效")),
                   404: OpenApiResponse(ErrorSerializer, description=_("县市不存在或不是本县（市）"))},
    )
    def get(self, request):
        code = request.query_params.get("county")
        if not code:
            own = county_of(request.user)
            if own is None:
                raise ValidationError({"county": [_("请提供县市代码（county）。")]})
            code = own.code
        county = readable_county(request.user, code)
        if county is None:
            raise Http404
        year = _year(request.query_params.get("year"))
        response = HttpResponse(build_template_csv(county, year, user=request.user), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=template_filename(county, year, "csv"))
        return response


class FigureUploadView(APIView):
    """POST figures/upload/ (multipart: file, county, year) — all rows saved as drafts, or none.

    200 with what changed; 400 with every bad row and cell (nothing changed); 403 for another county's
    figures or a role that does not enter figures; 409 when only locked, submitted or stale figures stand in
    the way.
    """

    permission_classes = [HasRole]
    parser_classes = [MultiPartParser, FormParser]

    def handle_exception(self, exc):
        """Every refusal in the report's shape, as the schema says: a problem with the request (not yours, no
        file, a bad year) is a file-level error, with the message the API gives everywhere else."""
        response = super().handle_exception(exc)
        body = response.data
        if response.status_code >= 400 and isinstance(body.get("errors"), dict):
            code = "invalid" if isinstance(exc, ValidationError) else getattr(exc, "default_code", "invalid")
            report = UploadReport(self._filename(), None, None)
            report.errors = [CellError(None, "", text, field=field, code=code)
                             for field, texts in body["errors"].items() for text in texts]
            report.errors = report.errors or [CellError(None, "", body["message"], code=code)]
            response.data = {**report.as_dict(), "message": body["message"]}
        return response

    def _filename(self) -> str:
        try:
            return getattr(self.request.FILES.get("file"), "name", "")
        except APIException:  # the body could not be read: that is the error being reported
            return ""

    @extend_schema(
        operation_id="figures_upload",
        request={"multipart/form-data": UploadRequestSerializer},
        responses={200: _REPORT, 400: _REPORT, 401: _REPORT, 403: _REPORT, 409: _REPORT, 415: _REPORT},
    )
    def post(self, request):
        own = entry_county_of(request.user)
        code = request.data.get("county") or (own.code if own else "")
        county = County.objects.filter(code=code).first() if code else None
        if own is None or (county is not None and not is_clerk_of(request.user, county)):
            raise PermissionDenied(_("只能上传本县（市）的数据。"))
        if county is None:
            raise ValidationError({"county": [_("县市代码“%(code)s”不存在。") % {"code": code}]})
        serializer = UploadRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        year = _year(serializer.validated_data["year"])
        upload = serializer.validated_data["file"]
        report = upload_file(request.user, county, year, upload, upload.name)
        return Response(report.as_dict(), status=report.status)
