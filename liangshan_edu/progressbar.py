"""A text progress bar for management commands (long work shows progress)."""
from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Redraws one line: ``label [#####.....] 50% 5/10``; prints only on change, at most 10 times a second."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label, self.stream, self.width = label, stream or sys.stdout, width
        self._last = 0.0
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        percent = int(share * 100)
        now = time.monotonic()
        if percent == self._shown or (done < total and now - self._last < 0.1):
            return
        self._last, self._shown = now, percent
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {done}/{total}{end}")
        self.stream.flush()
