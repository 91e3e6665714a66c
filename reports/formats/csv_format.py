"""CSV: UTF-8 with a BOM (Excel and WPS then read the Chinese), one row per area × indicator, headers the API's
field names; text that a spreadsheet would take for a formula is neutralised by the template CSV's own rule."""
from __future__ import annotations

import codecs
import csv
import io
from typing import Iterator

from liangshan_edu.formats import csv_cell as neutralised
from reports.formats import text

LINES_PER_CHUNK = 500


def chunks(report) -> Iterator[bytes]:
    """The file in pieces (a streaming response sends them as they are made)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in report.columns])
    yield codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
    out.seek(0)
    out.truncate()
    getters = [(c.key, c.type) for c in report.columns]
    n = 0
    for line in report.lines:
        writer.writerow([neutralised(text(getattr(line, key), type_)) for key, type_ in getters])
        n += 1
        if n % LINES_PER_CHUNK == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")


def render(report, progress=None) -> bytes:
    return b"".join(chunks(report))
