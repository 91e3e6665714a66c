"""How numbers are written for people — one formatter for pages, forms, messages, spreadsheets and charts."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


def plain(number, none: str = "") -> str:
    """A number as people write it, without trailing zeros or an exponent: 92.0000 → 92, 12.5000 → 12.5,
    Decimal('3E+3') → 3000; ``none`` for None or an empty string."""
    if number is None or number == "":
        return none
    return format(Decimal(number).normalize(), "f")


def csv_cell(value) -> str:
    """A CSV cell for people's spreadsheets: text that Excel or WPS would run as a formula (it starts with = + - @)
    is prefixed with ' so it shows as text; numbers, negative ones included, stay numbers. None → ''."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True
