"""Login throttling (django-axes): the lockout check for every login made over HTTP, what a locked-out login
gets, and the token endpoint that counts its failures like the login form."""
from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError


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
        # the API's error shape (liangshan_edu.api.ErrorSerializer), plus how long the lock lasts
        response = JsonResponse({"message": lockout_message(), "errors": {}, "cooloff_seconds": cooloff}, status=429)
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
