"""The roles of DESIGN §2, as Django groups, and the helpers every view, API and export uses.

A user's role is the group they belong to; superusers count as administrators. A clerk (县级填报员) belongs to
one county, recorded on ``places.Profile``; so does a county's responsible leader (县级责任领导), who reads what
the county's clerk reads and enters nothing — the second step of an alarm's escalation ("the county clerk, then
the county's responsible leader, then prefecture officials", issue 9).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from places.models import County

CLERK = "clerk"
LEADER = "leader"
OFFICIAL = "official"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"

ROLE_LABELS = {
    CLERK: _("县级填报员"),
    LEADER: _("县级责任领导"),
    OFFICIAL: _("州级管理员"),
    AUDITOR: _("审计/督导"),
    ADMINISTRATOR: _("系统管理员"),
}
ROLES = tuple(ROLE_LABELS)
# The roles that read every county (DESIGN §2).
READERS = (OFFICIAL, AUDITOR, ADMINISTRATOR)
# The roles that belong to one county (``places.Profile.county``) and read only it.
COUNTY_ROLES = (CLERK, LEADER)


def role_of(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The user's role, or None for anonymous users and users without a role."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMINISTRATOR
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = next((role for role in (ADMINISTRATOR, OFFICIAL, AUDITOR, LEADER, CLERK)
                      if role in names), "")
        user._role_cache = cached
    return cached or None


def county_of(user: AbstractBaseUser | AnonymousUser) -> County | None:
    """The county a clerk or a county's leader belongs to, the one they read (None for every other role).

    Reading only: who enters a county's figures is ``is_clerk_of`` / ``entry_county_of``."""
    if role_of(user) not in COUNTY_ROLES:
        return None
    profile = getattr(user, "profile", None)
    return profile.county if profile else None


def can_recompute(user) -> bool:
    """Officials and administrators start a recompute (administrators too: they change targets and must be able
    to see the result at once)."""
    return role_of(user) in (OFFICIAL, ADMINISTRATOR)


def can_review(user) -> bool:
    """Only prefecture officials review figures: approve, return, reopen, set deadlines, lock years.

    DESIGN §2: nobody but an official moves a figure to approved — not even an administrator (IT staff).
    """
    return role_of(user) == OFFICIAL


def entry_county_of(user: AbstractBaseUser | AnonymousUser) -> County | None:
    """The county whose figures the user enters: a clerk's (None for every other role, a leader included)."""
    return county_of(user) if role_of(user) == CLERK else None


def belongs_to(user, county) -> bool:
    """Whether the user is a clerk or the leader of ``county`` (a County or its id): reads it as their own."""
    own = county_of(user)
    if own is None or county is None:
        return False
    return own.pk == (county if isinstance(county, int) else county.pk)


def is_clerk_of(user, county) -> bool:
    """Whether the user is the clerk of ``county`` (a County or its id): the one who enters its figures."""
    return role_of(user) == CLERK and belongs_to(user, county)


def is_leader_of(user, county) -> bool:
    """Whether the user is the responsible leader (县级责任领导) of ``county`` (a County or its id)."""
    return role_of(user) == LEADER and belongs_to(user, county)


def can_read_all(user) -> bool:
    """Officials, auditors and administrators read every county; clerks and leaders read only their own."""
    return role_of(user) in READERS


def can_read_county(user, county: County) -> bool:
    """Whether the user may read one county's figures, progress and pages: readers of everything, and the clerk
    and the leader of that county."""
    return can_read_all(user) or belongs_to(user, county)


def role_context(request) -> dict:
    """Template context: the user's role and county, and flags for what they may do (templates never compare
    role names)."""
    from liangshan_edu.calendar import open_reporting_year

    user = request.user
    role = role_of(user)
    return {
        "nav_reporting_year": open_reporting_year(),
        "user_role": role,
        "user_role_label": ROLE_LABELS.get(role, "") if role else "",
        "user_county": county_of(user),
        "is_clerk": role == CLERK,
        "is_leader": role == LEADER,
        "is_county_user": role in COUNTY_ROLES,
        "can_review": can_review(user),
        "can_recompute": can_recompute(user),
    }
