"""Reading an uploaded file safely: size and row limits, .xlsx (read-only, values only) or CSV (UTF-8, UTF-16
or GBK), the header row found by its names, every non-blank row with its sheet, row number and column letters.

An .xlsx is a zip of XML parts, so a small upload can unpack to gigabytes (a "decompression bomb"): its zip
directory is checked against the limits below before openpyxl reads a byte of it."""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
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

# Limits on what an .xlsx unpacks to, checked from its zip directory before openpyxl opens it. Measured on the
# template build_template writes (2024, 西昌市 and 昭觉县): 42 members, about 280 KB unpacked in all, the largest
# sheet about 50 KB, no part compressed more than 9 to 1, no sharedStrings.xml (Excel or WPS writes one on
# saving, holding every text of the file: well under 1 MB for a template). Each limit is far above that, and
# above what a file of MAX_ROWS filled rows needs, so no real file comes near one; anything past them is refused.
# zipfile never unpacks more than a member's declared size (and checks its CRC), so capping the declared sizes
# bounds what openpyxl can be made to read.
MAX_ZIP_MEMBERS = 500                  # 42 in a template (about 4 per sheet); Excel adds a handful
MAX_MEMBER_BYTES = 10 * 1024 * 1024    # one part unpacked; a sheet of MAX_ROWS filled rows is about 4 MB
MAX_WHOLE_PART_BYTES = 2 * 1024 * 1024  # a part openpyxl reads whole into memory (shared strings, styles, theme,
#                                        workbook, rels — every .xml/.rels outside xl/worksheets/): under 20 KB
#                                        in a template; 2 MB of shared strings is ~150,000 strings in memory
MAX_TOTAL_BYTES = 50 * 1024 * 1024     # all parts together: about 280 KB in a template
MAX_RATIO = 100                        # unpacked / packed size of a part over RATIO_FROM_BYTES; 9 at most in a
RATIO_FROM_BYTES = 1024 * 1024         # template, while millions of blank rows or repeated strings pack 200–1000×
MAX_READ_ROWS = 2 * MAX_ROWS           # rows read in all sheets, blank ones too (openpyxl makes up every row
#                                        skipped before a far row number, so <row r="1048576"/> alone is a million)
MAX_COLUMNS = 200                      # columns read per row (the template has 17); a cell in column XFD would
#                                        otherwise make every row 16,384 wide
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


def _too_many_rows_read() -> SpreadsheetError:
    return SpreadsheetError(_("文件行数过多（含空行超过%(n)s行）。请删除表格中多余的空行后重新上传。")
                            % {"n": MAX_READ_ROWS})


class _RowBudget:
    """Every row read from a file, blank or made up by openpyxl, counts; past MAX_READ_ROWS the file is refused."""

    def __init__(self) -> None:
        self.left = MAX_READ_ROWS

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _too_many_rows_read()


def _table_rows(numbered: Iterable[tuple[int, Iterable]], sheet: str,
                budget: _RowBudget | None = None) -> list[UploadRow] | None:
    """Rows under the header row (the first row with a 指标代码 column); None when there is no header."""
    budget = budget or _RowBudget()
    columns: dict[int, str] | None = None
    rows: list[UploadRow] = []
    for number, raw in numbered:
        budget.take()
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


def _unpacks_too_large() -> SpreadsheetError:
    return SpreadsheetError(_("文件解压后过大或结构异常，不是系统生成的模板。请重新下载模板，填写后上传。"))


def _check_zip(data: bytes) -> None:
    """Refuse an .xlsx whose zip directory says it unpacks to too much, before anything is unpacked."""
    # Every entry of the central directory starts with this signature: counting it bounds the entries before
    # zipfile builds an object for each one.
    if data.count(b"PK\x01\x02") > MAX_ZIP_MEMBERS:
        raise _unpacks_too_large()
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise SpreadsheetError(_("无法读取该文件：不是有效的Excel（.xlsx）文件。")) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise _unpacks_too_large()
    total = 0
    for info in members:
        size = info.file_size
        name = info.filename.lower()
        whole = name.endswith((".xml", ".rels")) and not name.startswith("xl/worksheets/")
        if size > (MAX_WHOLE_PART_BYTES if whole else MAX_MEMBER_BYTES):
            raise _unpacks_too_large()
        if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            raise _unpacks_too_large()
        total += size
        if total > MAX_TOTAL_BYTES:
            raise _unpacks_too_large()


# Public: other uploads of .xlsx files (the schools' quality scores) apply the same limits.
check_zip = _check_zip


def _parse_xlsx(data: bytes) -> ParsedUpload:
    _check_zip(data)
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
    budget = _RowBudget()
    county_code = year = None
    if META_SHEET in wb.sheetnames:
        meta = {}
        for r in wb[META_SHEET].iter_rows(max_col=2, values_only=True):
            budget.take()
            if r[0]:
                meta[str(r[0])] = r[1]
        county_code = _code_text(meta.get("county_code")) or None
        year = _int_or_none(meta.get("year"))
    rows: list[UploadRow] = []
    found = False
    for ws in wb.worksheets:
        if ws.title in (META_SHEET, INSTRUCTIONS_SHEET):
            continue
        ws.reset_dimensions()  # some writers record wrong dimensions; read every cell there is
        sheet_rows = _table_rows(enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1), ws.title,
                                 budget)
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
