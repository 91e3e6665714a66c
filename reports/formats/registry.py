"""Format name → renderer (``render(report, progress=None) -> bytes``)."""
from __future__ import annotations

from reports.formats import csv_format, pdf, xlsx

RENDERERS = {"xlsx": xlsx.render, "csv": csv_format.render, "pdf": pdf.render}
