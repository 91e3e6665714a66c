"""``/api/v1/assessments/``: a year's county assessment (published, or a preview for officials), one county's
breakdown, publication."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied as DRFPermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from liangshan_edu.api import ErrorSerializer, HasRole, query_integer
from liangshan_edu.api.filters import StrictNullBooleanField
from places.models import County
from scoring import queries, schools, services
from scoring.api.serializers import (AssessmentPublishSerializer, AssessmentRowSerializer, BreakdownSerializer,
                                     DepartmentRowSerializer, PublishedSerializer, SchoolRowSerializer)
from scoring.choices import Stage

PARAMS = [OpenApiParameter("year", int, description="考核年度；默认最近发布的年度"),
          OpenApiParameter("version", int, description="发布版本；默认最新版本"),
          OpenApiParameter("preview", bool, description="州级管理员预览尚未发布的计算结果")]


def _boolean(request, name: str) -> bool:
    try:
        return bool(StrictNullBooleanField().clean(request.query_params.get(name, "")))
    except DjangoValidationError as e:
        raise ValidationError({name: e.messages}) from None


def _choice(request) -> tuple[int | None, int | None, bool]:
    """year (default: the latest published year; None when nothing is published and a preview is asked),
    version and preview, checked."""
    year = query_integer(request, "year", None, 2000, 2100)
    version = query_integer(request, "version", None, 1, 1000)
    preview = _boolean(request, "preview")
    if year is None:
        years = queries.published_years()
        if not years and not preview:
            raise NotFound(_("尚无已发布的年度考核结果。"))
        year = years[0] if years else None
    return year, version, preview


def _outcome(request):
    year, version, preview = _choice(request)
    if year is None:
        raise NotFound(_("尚无已发布的年度考核结果。"))
    try:
        return queries.outcome_for(request.user, year, version=version, preview=preview)
    except PermissionDenied:
        raise DRFPermissionDenied(_("只有州级管理员可以预览未发布的考核结果。")) from None
    except queries.NotPublished:
        raise NotFound(_("%(year)s 年度考核结果尚未发布。") % {"year": year}) from None


NOT_PUBLISHED = OpenApiResponse(ErrorSerializer, description=_l("该年度（或该版本）考核结果尚未发布"))


@extend_schema(parameters=PARAMS, responses={200: AssessmentRowSerializer(many=True), 404: NOT_PUBLISHED})
class AssessmentListView(APIView):
    """The 17 counties' scores, ranks, awards, next year's bonus and consequences for a year, best first."""

    permission_classes = [HasRole]

    def get(self, request):
        outcome = _outcome(request)
        context = {"year": outcome.year, "version": outcome.version}
        return Response(AssessmentRowSerializer(outcome.rows, many=True, context=context).data)


@extend_schema(parameters=PARAMS + [OpenApiParameter("county", str, required=True, description="县市代码")],
               responses={200: BreakdownSerializer, 404: NOT_PUBLISHED})
class BreakdownView(APIView):
    """One county's score item by item: points, the indicators and figures they came from, and the rule."""

    permission_classes = [HasRole]

    def get(self, request):
        code = request.query_params.get("county", "").strip()
        # A code is six digits: anything else (a NUL character included) is refused before the database sees it.
        county = County.objects.filter(code=code).first() if code.isascii() and code.isdigit() and len(code) == 6 \
            else None
        if county is None:
            raise ValidationError({"county": [_("请填写有效的县市代码。")]})
        if not queries.breakdown_visible(request.user, county):
            raise DRFPermissionDenied(_("您只能查看本县的得分明细。"))
        outcome = _outcome(request)
        row = next(r for r in outcome.rows if r.code == county.code)
        return Response(BreakdownSerializer({"county": row.code, "year": outcome.year, "version": outcome.version,
                                             "score": row.score, "rank": row.rank, "lines": row.lines}).data)


class PublishView(APIView):
    """Officials publish the year's assessment as it computes now; publishing again is a correction (version + 1,
    ``note`` gives its reason) and keeps the earlier versions."""

    permission_classes = [HasRole]

    @extend_schema(request=AssessmentPublishSerializer, responses={201: PublishedSerializer})
    def post(self, request):
        body = AssessmentPublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            published = services.publish(request.user, body.validated_data["year"],
                                          body.validated_data.get("note", ""))
        except PermissionDenied as e:  # the service's check (services.publish), the one path
            raise DRFPermissionDenied(str(e)) from None
        except DjangoValidationError as e:
            detail = e.message_dict if hasattr(e, "error_dict") else {"non_field_errors": e.messages}
            raise ValidationError(detail) from None
        return Response(PublishedSerializer(published).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=PARAMS + [OpenApiParameter("stage", str, enum=list(Stage.values),
                                                    description="学段；默认全部")],
               responses={200: SchoolRowSerializer(many=True), 404: NOT_PUBLISHED})
class SchoolRankingView(APIView):
    """Schools ranked prefecture-wide by stage, as frozen with the year's published assessment (the latest
    version unless ``version``): the bottom lists with their deductions, and the commendations (kindergartens'
    counts scaled from the primary ones). Officials may ask for the preview computed now from approved scores."""

    permission_classes = [HasRole]

    def get(self, request):
        stage = request.query_params.get("stage", "").strip()
        if stage and stage not in Stage.values:
            raise ValidationError({"stage": [_("学段须为 %(values)s 之一。") % {"values": ", ".join(Stage.values)}]})
        year, version, preview = _choice(request)
        if preview and not queries.may_preview(request.user):
            raise DRFPermissionDenied(_("只有州级管理员可以预览未发布的考核结果。"))
        if year is None and preview:
            year = schools.latest_scored_year()
            if year is None:
                return Response([])
        rows, found = [], None
        try:
            for s in ([stage] if stage else Stage.values):
                stage_rows, found = queries.school_ranking_for(request.user, year, s, version=version,
                                                               preview=preview)
                rows += stage_rows
        except PermissionDenied:
            raise DRFPermissionDenied(_("只有州级管理员可以预览未发布的考核结果。")) from None
        except queries.NotPublished:
            raise NotFound(_("%(year)s 年度考核结果尚未发布。") % {"year": year}) from None
        context = {"year": year, "version": found.version if found else None}
        return Response(SchoolRowSerializer(rows, many=True, context=context).data)


@extend_schema(parameters=PARAMS, responses={200: DepartmentRowSerializer(many=True), 404: NOT_PUBLISHED})
class DepartmentListView(APIView):
    """The prefecture departments (州级部门) of a year's assessment: the score by their own yearly rules, the
    counties' record on their work (捆绑评价) and whether they are commended — as published, or a preview."""

    permission_classes = [HasRole]

    def get(self, request):
        outcome = _outcome(request)
        context = {"year": outcome.year, "version": outcome.version}
        return Response(DepartmentRowSerializer(outcome.departments, many=True, context=context).data)
