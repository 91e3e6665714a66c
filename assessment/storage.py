"""Storing progress rows: the columns, COPY text, the stream COPY reads from, the advisory locks that serialise
recomputes, and ``write`` (replace stored rows in one transaction). Split from ``assessment.engine``, which
computes the rows; it imports nothing from the engine.
"""
from __future__ import annotations

import io
from typing import Callable, Iterable, Iterator

from django.db import connections, transaction

from assessment.models import Progress

COLUMNS = ["area", "indicator_id", "year", "value", "numerator", "denominator", "baseline", "baseline_year",
           "target", "target_year", "expected", "status", "overdue", "projected", "will_meet", "gap",
           "computed_at"]
BATCH = 20_000

NULL = r"\N"


def _literal(v) -> str:
    if v is None:
        return r"\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v)


def _line(row: tuple) -> str:
    return "\t".join(_literal(v) for v in row) + "\n"


class _CopyStream(io.RawIOBase):
    """The file COPY reads from: each read computes the next batches of lines, so computing rows overlaps the
    server's work of storing the previous ones. Batches are (row count, text)."""

    def __init__(self, batches: Iterator[tuple[int, str]], chunk: int = 1 << 16) -> None:
        self.batches, self.chunk, self.rows = batches, chunk, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        parts, length = [], 0
        for count, text in self.batches:
            self.rows += count
            parts.append(text)
            length += len(text)
            if length >= self.chunk:
                break
        return "".join(parts).encode()


# ----------------------------------------------------------------------------------------------- locks --

# Advisory lock keys (PostgreSQL, held to the end of the transaction): (LOCK_EVERY, 0) — a full recompute holds it
# exclusively, incremental ones share it; (LOCK_INDICATOR, id) — one incremental recompute of an indicator at a time.
LOCK_EVERY, LOCK_INDICATOR = 0x4C53_0001, 0x4C53_0002


def hold_lock(using: str, indicator_id: int | None = None) -> None:
    """Serialise recomputes that write the same rows, until the current transaction ends.

    ``indicator_id`` None: the full recompute's lock (waits for incremental ones in flight, and they for it);
    else an incremental recompute's. A no-op on SQLite, where one writer at a time is the rule anyway.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if indicator_id is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [LOCK_EVERY])
        else:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0), pg_advisory_xact_lock(%s, %s)",
                           [LOCK_EVERY, LOCK_INDICATOR, indicator_id])


# --------------------------------------------------------------------------------------------- write --


def write(rows: Iterable[tuple], *, replace: Callable[[], None], using: str = "default") -> int:
    """Replace stored rows with ``rows`` in one transaction: ``replace`` deletes what they supersede."""
    count = 0
    with transaction.atomic(using=using):
        replace()
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                count += _insert(batch, using)
                batch = []
        if batch:
            count += _insert(batch, using)
    return count


def _insert(batch: list[tuple], using: str) -> int:
    connection = connections[using]
    if connection.vendor == "postgresql":
        buf = io.StringIO("".join(_line(row) for row in batch))
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {Progress._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN", buf)
    else:
        Progress.objects.using(using).bulk_create([Progress(**dict(zip(COLUMNS, row))) for row in batch],
                                                  batch_size=500)
    return len(batch)
