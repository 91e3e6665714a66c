"""Shared API pieces: role permissions and an exception handler whose messages a clerk can act on (login
throttling is in ``liangshan_edu.auth``)."""
from __future__ import annotations

from rest_framework import permissions
from rest_framework.views import exception_handler as drf_exception_handler

from liangshan_edu.roles import can_recompute, role_of


class HasRole(permissions.BasePermission):
    """Any signed-in user with one of the four roles."""

    message = "您的账号没有分配角色，请联系管理员。 / Your account has no role; ask an administrator."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) is not None


class IsOfficial(permissions.BasePermission):
    message = "只有州级管理员可以执行此操作。 / Only prefecture officials may do this."

    def has_permission(self, request, view) -> bool:
        return can_recompute(request.user)


def exception_handler(exc, context):
    """DRF's handler, plus a top-level ``message`` string in every error body."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "message" not in response.data:
        detail = response.data.get("detail")
        if detail is None:
            parts = []
            for field, errors in response.data.items():
                text = "; ".join(str(e) for e in errors) if isinstance(errors, list) else str(errors)
                parts.append(f"{field}: {text}")
            detail = " ".join(parts)
        response.data["message"] = str(detail)
    return response
