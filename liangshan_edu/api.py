"""Shared API pieces: role permissions, an exception handler whose messages a clerk can act on, and login
throttling (django-axes): its backend, the token endpoint and the lockout response."""
from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import permissions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
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


# ---------------------------------------------------------------------------------- login throttling --

def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (f"登录失败次数过多，此账号在您所在地址的登录已锁定 {minutes} 分钟，请稍后再试或联系管理员解锁。 / "
            f"Too many failed logins: this account is locked at your address for {minutes} minutes. Try again "
            f"later or ask an administrator to unlock it.")


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out login gets (``AXES_LOCKOUT_CALLABLE``): 429 with a JSON ``message`` from the API, the
    lockout page (``registration/locked.html``) from the login form."""
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": lockout_message(), "detail": lockout_message(),
                                 "cooloff_seconds": cooloff}, status=429)
    else:
        response = render(request, "registration/locked.html",
                          {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": cooloff // 60}, status=429)
    response["Retry-After"] = str(cooloff)
    return response


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' lockout check, first in AUTHENTICATION_BACKENDS, for every login made over HTTP (the login form,
    the admin's, the token endpoint: each passes its request). A call without a request (a management
    command, the test client's ``login()``) has no client address to count failures by: it goes on to the
    next backend instead of raising, as axes' own backend does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ObtainAuthTokenView(ObtainAuthToken):
    """``POST auth/token/`` with ``username`` and ``password`` → ``{"token": …}``.

    DRF's serializer authenticates through ``django.contrib.auth.authenticate(request=…)``, so axes counts the
    failures and refuses a locked-out user; axes marks the (DRF) request, and the refusal becomes a 429 with a
    ``message`` here, not DRF's 400 "wrong credentials"."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise
