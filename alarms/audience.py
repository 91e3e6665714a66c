"""Who is told at each step of an escalation (issue 9: an alarm "reaches the next person up (the county clerk,
then the county's responsible leader, then prefecture officials)"). One helper for every app that escalates:
alarms here, and the apps above (the supervision notices' "报上一级") call it too."""
from __future__ import annotations

from typing import Iterable

from alarms.choices import AUDIENCE_ORDER, Audience
from liangshan_edu.roles import CLERK, LEADER, OFFICIAL


def roles_told(level: str) -> tuple[str, ...]:
    """The roles told at ``level`` (an ``Audience``): those of the steps below stay told as it climbs — the
    county's clerks; then its responsible leader (县级责任领导) too; then the prefecture officials as well."""
    steps = {Audience.CLERK: CLERK, Audience.LEADER: LEADER, Audience.OFFICIAL: OFFICIAL}
    return tuple(steps[a] for a in AUDIENCE_ORDER[:AUDIENCE_ORDER.index(level) + 1])


def told(level: str, county_ids: Iterable[int], using: str = "default") -> dict[int, list]:
    """Who is told at ``level`` for each county of ``county_ids`` (county id → active users), in two queries at
    most: the county's clerks (and, from the leader step, its leaders), then the officials if the step reaches
    the prefecture."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    roles = roles_told(level)
    counties = set(county_ids)
    out: dict[int, list] = {c: [] for c in counties}
    local = [r for r in roles if r in (CLERK, LEADER)]
    for user in (User.objects.using(using).filter(is_active=True, groups__name__in=local,
                                                  profile__county__in=counties)
                 .select_related("profile").distinct().order_by("username")):
        out[user.profile.county_id].append(user)
    if OFFICIAL in roles:
        officials = list(User.objects.using(using).filter(is_active=True, groups__name=OFFICIAL)
                         .distinct().order_by("username"))
        for users in out.values():
            users.extend(officials)
    return out


def told_for(level: str, county_id: int, using: str = "default") -> list:
    """Who is told at ``level`` for one county (see ``told``)."""
    return told(level, [county_id], using)[county_id]
