"""Shared API pieces: role permissions, the one shape of every error body, the pagination (the schema generator
that documents the errors is ``liangshan_edu.api.schema``, login throttling ``liangshan_edu.auth``).

Every error the API gives — DRF's own (400 parse/validation, 401, 403, 404, 405, 415), the workflow's and a URL
that matches no endpoint — is ``{"message": str, "errors": {field: [str]}}`` (``ErrorSerializer``): Chinese by
default, English with ``Accept-Language: en``. Query parameters follow one rule: an empty value means the
parameter was not given; any other value that is not valid is a 400 naming the parameter.
"""
from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination, permissions, serializers
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from liangshan_edu.roles import can_recompute, role_of

MAX_PAGE_SIZE = 1000
MAX_ID = 2**63 - 1  # the largest id a database integer (bigint) holds: a larger one is a 400, not a 500


class HasRole(permissions.BasePermission):
    """Any signed-in user with one of the four roles."""

    message = _("您的账号没有分配角色，请联系管理员。")

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) is not None


class IsOfficial(permissions.BasePermission):
    message = _("只有州级管理员可以执行此操作。")

    def has_permission(self, request, view) -> bool:
        return can_recompute(request.user)


# ── errors ──────────────────────────────────────────────────────────────────────────────────────────────────

class ErrorSerializer(serializers.Serializer):
    """Every error of the API: ``message`` a person can act on, ``errors`` by field (empty when no field is
    to blame; a problem with the request as a whole is under ``non_field_errors``)."""

    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def _flatten(data, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error detail (a dict of lists, nested dicts for nested fields, or a bare list) as
    ``{"field": [messages]}``; nested fields are named with dots (``ids.0``)."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    name = prefix or api_settings.NON_FIELD_ERRORS_KEY
    if isinstance(data, list):
        if any(isinstance(item, (dict, list)) for item in data):
            flat = {}
            for index, item in enumerate(data):
                flat.update(_flatten(item, f"{name}.{index}"))
            return flat
        return {name: [str(item) for item in data]}
    return {name: [str(data)]}


def error_body(detail, *, is_validation: bool) -> dict:
    """``{"message", "errors"}`` from DRF's ``response.data``."""
    if not is_validation and isinstance(detail, dict) and set(detail) <= {"detail"}:
        return {"message": str(detail.get("detail", "")), "errors": {}}
    errors = _flatten(detail)
    message = " ".join(
        "; ".join(texts) if field == api_settings.NON_FIELD_ERRORS_KEY else f"{field}: {'; '.join(texts)}"
        for field, texts in errors.items())
    return {"message": message, "errors": errors}


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = _("请求内容过大。")
    default_code = "too_large"


def exception_handler(exc, context):
    """DRF's handler (status, headers such as ``WWW-Authenticate`` and ``Retry-After``), with the body in the
    one error shape. A body that already has it (the workflow's errors) is left as it is."""
    if isinstance(exc, RequestDataTooBig):  # Django's own answer would be an HTML 400
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if not (isinstance(data, dict) and "message" in data and "errors" in data):
        response.data = error_body(data, is_validation=isinstance(exc, ValidationError))
    return response


class NotFoundView(APIView):
    """Any path under the API that names no endpoint: a JSON 404 (a non-numeric figure id, a typo), never
    Django's HTML page. A path without its final slash that would match with it is redirected, as Django's
    ``APPEND_SLASH`` would have done."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    schema = None  # not an operation of the API

    def dispatch(self, request, *args, **kwargs):
        path = request.path_info
        if not path.endswith("/") and request.method in ("GET", "HEAD"):
            try:
                match = resolve(path + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not NotFoundView:
                from django.http import HttpResponsePermanentRedirect

                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound(_("没有这个接口地址，请对照接口文档（/api/v1/docs/）检查路径。"))


# ── pagination ──────────────────────────────────────────────────────────────────────────────────────────────

def query_integer(request, name: str, default: int | None, minimum: int, maximum: int | None = None) -> int | None:
    """An integer query parameter under the API's rule: empty or absent → ``default``; anything else must be
    a whole number within the bounds, or the request is a 400 naming the parameter."""
    raw = request.query_params.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw) if raw.isascii() and raw.isdigit() else None
    except ValueError:  # more digits than Python converts
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            message = _("%(name)s 须为不小于 %(minimum)s 的整数。") % {"name": name, "minimum": minimum}
        else:
            message = _("%(name)s 须为 %(minimum)s 至 %(maximum)s 之间的整数。") % {
                "name": name, "minimum": minimum, "maximum": maximum}
        raise ValidationError({name: [message]})
    return value


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``limit`` (1–1000, default ``PAGE_SIZE``) and ``offset`` (≥ 0); anything else is a 400, never a silent
    default nor a database error."""

    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request) -> int | None:
        return query_integer(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request) -> int:
        return query_integer(request, self.offset_query_param, 0, 0)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_limit, default=self.default_limit)
                parameter["description"] = str(_("每页条数（1–%(max)s，默认 %(default)s）") % {
                    "max": self.max_limit, "default": self.default_limit})
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update(minimum=0, default=0)
                parameter["description"] = str(_("从第几条开始（0 起）"))
        return parameters
