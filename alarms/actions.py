"""What a user can do about an alarm beyond acknowledging it, offered by higher apps without this app importing
them (like ``sources.register_source`` and ``publishing``): the red/black app registers 一键督导 — "from an alarm
… an official creates a notice in one click" (issue 10).

An action is a function of (user, alarm) giving a ``Link`` or None (not for this user or this alarm). It must not
query the database: the alarm centre asks it for every alarm on a page, and the page's query count is fixed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    name: str  # a stable name (the link's id on the page: ``<name>-<alarm id>``)


ACTIONS: dict[str, Callable] = {}


def register_action(name: str, action: Callable) -> None:
    """Called by a higher app in its ``AppConfig.ready``."""
    ACTIONS[name] = action


def links_for(user, alarm) -> list[Link]:
    """The actions offered to ``user`` on ``alarm``, in the order they were registered."""
    return [link for action in ACTIONS.values() if (link := action(user, alarm)) is not None]


def attach(user, alarms) -> None:
    """Set ``alarm.actions`` on each alarm of a page (no query)."""
    for alarm in alarms:
        alarm.actions = links_for(user, alarm)
