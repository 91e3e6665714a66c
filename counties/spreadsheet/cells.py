"""One cell of an uploaded file as a value: codes, years, numbers, yes/no, dates and text."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from openpyxl.utils.datetime import from_excel

FOUR_PLACES = Decimal("0.0001")  # the precision figures are stored with
YES = {"是", "已完成", "完成", "y", "yes", "true", "√", "1"}
NO = {"否", "未完成", "n", "no", "false", "×", "0"}


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _code_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return "" if raw is None else str(raw).strip()


def _int_or_none(raw) -> int | None:
    try:
        return int(Decimal(str(raw).strip()))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _number_input(raw):
    """A number cell as check_values wants it. Binary float noise (0.30000000000000004) is rounded away at
    the precision figures are stored with; text is left for check_values to judge."""
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, float):
        d = Decimal(repr(raw))
        if not d.is_finite():
            return repr(raw)
        return d.quantize(FOUR_PLACES) if d.as_tuple().exponent < -4 else d
    if isinstance(raw, (datetime, date)):
        return raw.isoformat()
    if isinstance(raw, str):
        return raw.strip()
    return raw


def _milestone_input(raw):
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in YES:
            return 1
        if text in NO:
            return 0
    return _number_input(raw)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _date_input(raw) -> date | None:
    """A date cell: a real date, an Excel serial, or text such as 2024-06-30, 2024/6/30, 2024年6月30日.
    ValueError for anything else or outside 2000–2099."""
    if _is_blank(raw):
        return None
    if isinstance(raw, datetime):
        result = raw.date()
    elif isinstance(raw, date):
        result = raw
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not 36526 <= raw <= 73050:
            raise ValueError(raw)
        result = from_excel(raw).date()
    else:
        text = re.split(r"[ T]", str(raw).strip(), maxsplit=1)[0]
        for fmt in _DATE_FORMATS:
            try:
                result = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(raw)
    if not 2000 <= result.year <= 2099:
        raise ValueError(raw)
    return result


def _text_input(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        raw = raw.date()
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # the prefix our CSV export adds to formula-like text
    return text


def _norm_text(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


