"""The data version: a token per kind of data that changes whenever that data changes.

What the API lists show comes from three kinds of data, each with its own version:

- ``CATALOGUE``: plans, tasks, indicators, units, targets, counties (written by the administrators and the
  catalogue loader; ``liangshan_edu.receivers`` announces every write),
- ``FIGURES``: the counties' figures, every save and delete (drafts included),
- ``PROGRESS``: progress and the final evaluation, replaced by each recompute (``assessment.services``).

A version is a token ``"<milliseconds>-<random>"`` kept in Django's cache (Redis in production, shared by the web
and worker processes). A change replaces the token, so whatever was cached or sent under the old one (an ETag, a
cached list) is never valid again; a token that is missing (evicted, expired, the cache flushed) is minted anew,
never reused. Tokens expire after ``DATA_VERSION_TTL`` seconds, which bounds how long a change that was not
announced (a process killed between its commit and the announcement) can go unseen.
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

CATALOGUE, FIGURES, PROGRESS = "catalogue", "figures", "progress"
TOPICS = (CATALOGUE, FIGURES, PROGRESS)
PREFIX = "dataversion:"


def ttl() -> int:
    return int(getattr(settings, "DATA_VERSION_TTL", 3600))


def _mint() -> str:
    return f"{time.time_ns() // 1_000_000}-{secrets.token_hex(8)}"


def _renew(topics: Iterable[str]) -> None:
    cache.set_many({PREFIX + topic: _mint() for topic in topics}, timeout=ttl())


def versions(topics: Iterable[str]) -> dict[str, str]:
    """The current token of each topic (a missing one is minted; two processes minting at once agree through
    ``cache.add``)."""
    topics = list(topics)
    found = cache.get_many([PREFIX + topic for topic in topics])
    for topic in topics:
        key = PREFIX + topic
        if key not in found:
            cache.add(key, _mint(), timeout=ttl())
            found[key] = cache.get(key) or _mint()
    return {topic: found[PREFIX + topic] for topic in topics}


def changed_at(token: str) -> float:
    """When a token was minted, in seconds since the epoch."""
    return int(token.split("-", 1)[0]) / 1000


def changed(*topics: str, using: str | None = None) -> None:
    """Announce that the data of ``topics`` changed: new tokens now, and again once the current transaction
    commits (at once when there is none).

    Now, so that this connection's own next read is not answered from a cache; after the commit, because a
    reader may have cached the rows as they were before the commit under the first new token in between.
    """
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown data topics: {sorted(unknown)}")
    _renew(topics)
    transaction.on_commit(lambda: _renew(topics), using=using)
