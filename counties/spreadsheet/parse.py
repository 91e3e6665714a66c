"""Reading an uploaded file safely: size and row limits, .xlsx (read-only, values only) or CSV (UTF-8, UTF-16
or GBK), the header row found by its names, every non-blank row with its sheet, row number and column letters."""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from typing import IO, Iterable, Iterator

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from counties.errors import Invalid
from counties.spreadsheet.cells import _code_text, _int_or_none, _is_blank
from counties.spreadsheet.layout import CSV_COLUMNS, INSTRUCTIONS_SHEET, META_SHEET

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10          # the header row is found among the first rows (a title may precede it)
_HEADERS = {**{c.header: c.key for c in CSV_COLUMNS}, **{c.key: c.key for c in CSV_COLUMNS},
            "完成时间": "done_on", "佐证资料": "evidence", "说明": "note", "indicator": "code"}


class SpreadsheetError(Invalid):
    """The file cannot be read as a template (wrong type, corrupt, no header row)."""


@dataclass
class UploadRow:
    """One non-blank row of an uploaded file, as the clerk sees it in Excel."""

    sheet: str
    number: int
    cells: dict[str, object]          # column key → raw value, for the columns the file has
    letters: dict[str, str]           # column key → column letter

    def coordinate(self, key: str) -> str:
        letter = self.letters.get(key)
        return f"{letter}{self.number}" if letter else ""


@dataclass
class ParsedUpload:
    """The rows of an uploaded file, and the county and year its template was made for (if it says)."""

    rows: list[UploadRow]
    county_code: str | None = None
    year: int | None = None

    def __iter__(self) -> Iterator[UploadRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _header_key(value) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", "", str(value)).strip("*＊").lstrip("\ufeff")
    text = re.sub(r"[（(][^）)]*[）)]$", "", text)
    return _HEADERS.get(text) or _HEADERS.get(text.lower())


def _table_rows(numbered: Iterable[tuple[int, Iterable]], sheet: str) -> list[UploadRow] | None:
    """Rows under the header row (the first row with a 指标代码 column); None when there is no header."""
    columns: dict[int, str] | None = None
    rows: list[UploadRow] = []
    for number, raw in numbered:
        values = list(raw)
        if columns is None:
            if number > HEADER_SEARCH_ROWS:
                return None
            keys = [_header_key(v) for v in values]
            if "code" in keys:
                columns = {}
                for i, key in enumerate(keys):
                    if key and key not in columns.values():
                        columns[i] = key
            continue
        if all(_is_blank(v) for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetError(_("文件行数过多（超过%(n)s行）。") % {"n": MAX_ROWS})
        cells = {key: values[i] if i < len(values) else None for i, key in columns.items()}
        letters = {key: get_column_letter(i + 1) for i, key in columns.items()}
        rows.append(UploadRow(sheet, number, cells, letters))
    return rows if columns is not None else None


def _no_header() -> SpreadsheetError:
    return SpreadsheetError(_("文件中没有找到表头“指标代码”。请使用系统下载的模板，不要修改表头。"))


def _parse_xlsx(data: bytes) -> ParsedUpload:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # an uploaded file can be broken in any way openpyxl may complain about
        raise SpreadsheetError(_("无法读取该文件：不是有效的Excel（.xlsx）文件。")) from exc
    try:
        return _workbook_rows(wb)
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(_("无法读取该文件：不是有效的Excel（.xlsx）文件。")) from exc
    finally:
        wb.close()


def _workbook_rows(wb) -> ParsedUpload:
    county_code = year = None
    if META_SHEET in wb.sheetnames:
        meta = {str(r[0]): r[1] for r in wb[META_SHEET].iter_rows(max_col=2, values_only=True) if r[0]}
        county_code = _code_text(meta.get("county_code")) or None
        year = _int_or_none(meta.get("year"))
    rows: list[UploadRow] = []
    found = False
    for ws in wb.worksheets:
        if ws.title in (META_SHEET, INSTRUCTIONS_SHEET):
            continue
        ws.reset_dimensions()  # some writers record wrong dimensions; read every cell there is
        sheet_rows = _table_rows(enumerate(ws.iter_rows(values_only=True), 1), ws.title)
        if sheet_rows is not None:
            found = True
            rows.extend(sheet_rows)
            if len(rows) > MAX_ROWS:
                raise SpreadsheetError(_("文件行数过多（超过%(n)s行）。") % {"n": MAX_ROWS})
    if not found:
        raise _no_header()
    return ParsedUpload(rows, county_code, year)


def _decode(data: bytes) -> str:
    """CSV text: UTF-8 with or without BOM, UTF-16 with BOM, or GBK/GB18030 as saved by Excel in China."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别文件编码，请保存为UTF-8或GBK编码的CSV文件。"))


def _parse_csv(data: bytes) -> ParsedUpload:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        rows = _table_rows(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1), "")
    except csv.Error as exc:
        raise SpreadsheetError(_("无法读取该CSV文件：%(error)s") % {"error": exc}) from exc
    if rows is None:
        raise _no_header()
    return ParsedUpload(rows)


def parse_upload(fileobj: IO[bytes], filename: str) -> ParsedUpload:
    """Read an uploaded .xlsx or .csv into rows; SpreadsheetError when it cannot be read."""
    data = fileobj.read(MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(_("文件过大（超过%(mb)sMB）。") % {"mb": MAX_BYTES // (1024 * 1024)})
    name = (filename or "").lower()
    if data[:4] == b"\xd0\xcf\x11\xe0" or name.endswith(".xls"):
        raise SpreadsheetError(_("不支持旧版Excel（.xls）文件，请在Excel或WPS中“另存为”.xlsx格式后上传。"))
    if data[:2] == b"PK" or name.endswith((".xlsx", ".xlsm")):
        return _parse_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _parse_csv(data)
    raise SpreadsheetError(_("只支持 .xlsx 和 .csv 文件。"))
