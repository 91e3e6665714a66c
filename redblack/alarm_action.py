"""一键督导 from an alarm (issue 10: "from a black-list entry, an alarm or a county page, an official creates a notice
in one click"), offered on the alarm centre and an alarm's page through ``alarms.actions.register_action`` —
alarms sits below this app and never imports it."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from alarms.actions import Link, register_action
from liangshan_edu.roles import can_review


def supervise(user, alarm) -> Link | None:
    """Officials, on an alarm of a county (no query: the alarm's county id and the user's groups, cached)."""
    if alarm.county_id is None or not can_review(user):
        return None
    return Link(_("一键督导"), f"{reverse('supervision-new')}?alarm={alarm.pk}", "supervise")


def register() -> None:
    register_action("supervise", supervise)
