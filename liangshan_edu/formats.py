"""How numbers are written for people — one formatter for pages, forms, messages, spreadsheets and charts."""
from __future__ import annotations

from decimal import Decimal


def plain(number, none: str = "") -> str:
    """A number as people write it, without trailing zeros or an exponent: 92.0000 → 92, 12.5000 → 12.5,
    Decimal('3E+3') → 3000; ``none`` for None or an empty string."""
    if number is None or number == "":
        return none
    return format(Decimal(number).normalize(), "f")
