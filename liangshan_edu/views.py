"""Access helpers shared by every page: a page needs a signed-in user with a role."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from liangshan_edu.roles import role_of


def role_required(*allowed: str):
    """Signed-in users with one of ``allowed`` roles (any role when none is given); others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            role = role_of(request.user)
            if role is None or (allowed and role not in allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
