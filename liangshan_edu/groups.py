"""Create the role groups (DESIGN §2) with the model permissions the admin needs."""
from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from liangshan_edu.roles import ADMINISTRATOR, AUDITOR, OFFICIAL, ROLES

OUR_APPS = ["places", "indicators", "counties", "assessment"]


def ensure_groups() -> dict[str, Group]:
    # Clerks and county leaders have no admin permissions: they work on the pages.
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    ours = Permission.objects.filter(content_type__app_label__in=OUR_APPS)
    # Administrators manage users, the catalogue, targets and rules in the admin.
    groups[ADMINISTRATOR].permissions.set(
        list(ours) + list(Permission.objects.filter(content_type__app_label="auth"))
    )
    # Auditors read everything in the admin too, including history; they change nothing.
    groups[AUDITOR].permissions.set(ours.filter(codename__startswith="view_"))
    groups[OFFICIAL].permissions.set(ours.filter(codename__startswith="view_"))
    return groups
