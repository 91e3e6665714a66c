"""The app's settings, with their defaults (the project's settings.py may set each through the environment)."""
from __future__ import annotations

from django.conf import settings


def appeal_days() -> int:
    """Days after publication within which a county may appeal an entry."""
    return getattr(settings, "REDBLACK_APPEAL_DAYS", 7)


def reply_days() -> int:
    """Days a county has to reply to a supervision notice (the prefilled deadline)."""
    return getattr(settings, "SUPERVISION_REPLY_DAYS", 15)


def remind_days() -> int:
    """A notice without a reply is reminded (催办) this many days before its deadline."""
    return getattr(settings, "SUPERVISION_REMIND_DAYS", 3)


def red_after_days() -> int:
    """A notice past its deadline is yellow; this many days later without a reply it is red."""
    return getattr(settings, "SUPERVISION_RED_AFTER_DAYS", 7)


def evidence_max_bytes() -> int:
    return getattr(settings, "SUPERVISION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


def page_size() -> int:
    """Lines of each list per page on the lists page (a national list has two hundred thousand)."""
    return getattr(settings, "REDBLACK_PAGE_SIZE", 100)
