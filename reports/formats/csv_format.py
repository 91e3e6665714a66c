"""CSV: UTF-8 with a BOM (Excel and WPS then read the Chinese), one row per area × indicator, headers the API's
field names; text that a spreadsheet would take for a formula is neutralised by the template CSV's own rule.

Speed (a large export streams hundreds of thousands of rows): every column gets its formatter once per file, by
its type, and the formatter does for its own kind of value what ``formats.text`` and ``csv_cell`` would do, to the
byte (tests/test_reports_csv_golden.py pins the bytes); a value of any other kind goes the general way.
"""
from __future__ import annotations

import codecs
import csv
import io
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Callable, Iterator

from django.utils import timezone

from liangshan_edu.formats import csv_cell as neutralised
from reports.formats import text

LINES_PER_CHUNK = 500
FORMULA = frozenset("=+-@")  # what csv_cell looks at: the first character
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # formats.text's


def general(value) -> str:
    return neutralised(text(value))


def text_cell(value) -> str:
    """A text column: as ``csv_cell`` (neutralised only when it starts with = + - @)."""
    if value.__class__ is str:
        return neutralised(value) if value and value[0] in FORMULA else value
    return general(value)


def number_cell(value) -> str:
    """A decimal as ``liangshan_edu.formats.plain`` writes it (no trailing zeros, no exponent), without
    normalising: Decimal's own text is plain unless it has an exponent, so only the zeros after the point go.
    A number is never neutralised (``csv_cell`` leaves numbers alone, negative ones too)."""
    if value.__class__ is Decimal:
        digits = str(value)
        if "E" in digits or len(digits) > 28:  # an exponent, or more digits than normalize() keeps
            return general(value)
        if "." in digits:
            digits = digits.rstrip("0").rstrip(".")
        return digits
    if value is None:
        return ""
    return general(value)


def integer_cell(value) -> str:
    if value.__class__ is int:
        return str(value)
    if value is None:
        return ""
    return general(value)


BOOLEANS = {True: "1", False: "0", None: ""}


def bool_cell(value) -> str:
    if value is None or value.__class__ is bool:
        return BOOLEANS[value]
    return general(value)


def time_cell(zone) -> Callable[[object], str]:
    """Times in the active time zone (as ``timezone.localtime``: a naive time is an error there too)."""
    def cell(value) -> str:
        if value.__class__ is datetime and value.tzinfo is not None:
            return value.astimezone(zone).strftime(TIME_FORMAT)
        if value is None:
            return ""
        return general(value)
    return cell


def label_cell(choices) -> Callable[[object], str]:
    """A label column read from its code: each code's label translated once per file."""
    labels: dict = {}

    def cell(code) -> str:
        label = labels.get(code)
        if label is None:
            label = labels[code] = text_cell(str(choices(code).label))
        return label
    return cell


FORMATTERS = {"number": number_cell, "year": integer_cell, "bool": bool_cell}


def _formatter(column, zone) -> Callable[[object], str]:
    if column.choices is not None:
        return label_cell(column.choices)
    if column.type == "datetime":
        return time_cell(zone)
    return FORMATTERS.get(column.type, text_cell)


def header(report) -> bytes:
    """The BOM and the header line (the columns' keys: the API's field names)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([c.key for c in report.columns])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def chunks(report) -> Iterator[bytes]:
    """The file in pieces (a streaming response sends them as they are made)."""
    yield header(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    zone = timezone.get_current_timezone()
    formatters = [_formatter(c, zone) for c in report.columns]
    keys = [c.source or c.key for c in report.columns]
    read = attrgetter(*keys) if len(keys) > 1 else (lambda line: (getattr(line, keys[0]),))
    pending: list[list[str]] = []
    for line in report.lines:
        pending.append([f(v) for f, v in zip(formatters, read(line))])
        if len(pending) == LINES_PER_CHUNK:
            writer.writerows(pending)
            pending.clear()
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    if pending:
        writer.writerows(pending)
        yield out.getvalue().encode("utf-8")


def render(report, progress=None) -> bytes:
    return b"".join(chunks(report))
