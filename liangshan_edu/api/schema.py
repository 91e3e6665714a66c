"""The OpenAPI schema's generator (``DEFAULT_SCHEMA_CLASS``): drf-spectacular's, with every error an operation
can give documented in the one error shape of ``liangshan_edu.api``. A module of its own because DRF loads
the pagination class from ``liangshan_edu.api`` while drf-spectacular is still importing DRF."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from liangshan_edu.api import ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: _("请求无效：message 说明原因，errors 按字段（参数）列出"),
    401: _("未登录或令牌无效"),
    403: _("无权执行此操作"),
    404: _("不存在或无权查看"),
    413: _("请求内容过大"),
    415: _("不支持的请求内容类型"),
    429: _("登录失败次数过多，暂时锁定"),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with every error an operation can give documented in the error shape
    (responses an operation declares itself are kept as they are)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self._error_codes(operation):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), str(code))
        return operation

    def _error_codes(self, operation: dict) -> list[int]:
        has_body = self.method in ("POST", "PUT", "PATCH")
        places = {parameter["in"] for parameter in operation.get("parameters", [])}
        public = all(p is permissions.AllowAny for p in self.view.permission_classes)
        codes = []
        if has_body or "query" in places:
            codes.append(400)
        if not public:
            codes += [401, 403]
        if "path" in places:
            codes.append(404)
        if has_body:
            codes += [413, 415]
        if public and has_body:  # the token endpoint: django-axes locks out repeated failures
            codes.append(429)
        return codes
