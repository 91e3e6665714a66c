"""Response headers Django has no setting for."""
from __future__ import annotations

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Adds ``settings.PERMISSIONS_POLICY`` as the Permissions-Policy header (unless a view set its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(settings, "PERMISSIONS_POLICY", "") and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
