"""Reading the files researchers really have: CSV in any common encoding, and .xlsx workbooks.

The reader turns a file into :class:`Sheet` objects whose cells are all text, exactly as
written (Excel dates become ISO dates, whole numbers lose their ``.0``), so that value
parsing, and the problem report, see what the user sees. Broken files raise
:class:`ReadError` with a reason key, never a library traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

import pandas as pd


class ReadError(Exception):
    """A file that cannot be read as a table; ``reason`` is a locale key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


@dataclass
class Sheet:
    """One table of text cells read from a file (a CSV, or one worksheet of a workbook)."""

    name: str
    headers: list[str]
    cells: pd.DataFrame  # columns by position 0..n-1, every cell a str ("" when empty)
    row_numbers: list[int]  # the spreadsheet row number of each row of ``cells`` (header = 1)
    encoding: str | None = None
    separator: str | None = None


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK).

    UTF-8 is tried strictly first: GBK bytes are almost never valid UTF-8, while the
    reverse is often true, so the order matters.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise ReadError("unknown_encoding") from None


_QUOTED = re.compile(r'"[^"]*"')


def detect_separator(text: str) -> str:
    """The separator that splits the header line into the most fields: comma, tab or semicolon.

    The header line is the first line with content (blank lines above it are skipped when
    the file is read, so they must not decide the separator either), and separators inside
    quoted headers do not count.
    """
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    first_line = _QUOTED.sub("", first_line)
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv_bytes(data: bytes, name: str) -> Sheet:
    """Decode and split a CSV; every row must have the header's number of fields."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary_file")
    encoding = detect_encoding(data)
    text = _decode(data, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ReadError("empty_file")
    if "\x00" in text:
        # Past the first 4 KiB (or as a UTF-16 character) a NUL used to reach the database.
        raise ReadError("binary_file")
    separator = detect_separator(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        raise ReadError("malformed_csv") from None
    numbered = _non_blank(rows)
    if not numbered:  # e.g. a file holding only ``""``: text, but not one cell with content
        raise ReadError("empty_file")
    headers = numbered[0][1]
    body = numbered[1:]
    frame = _rows_to_frame([row for _, row in body], [n for n, _ in body], len(headers))
    return Sheet(name, headers, frame, [n for n, _ in body], encoding, separator)


def _decode(data: bytes, encoding: str) -> str:
    """Decode with the detected encoding; a BOM followed by bytes of another encoding is refused.

    A UTF-8 or UTF-16 BOM decides the encoding without looking further, so the decoding
    itself can still fail (a BOM pasted before GBK text, a UTF-16 file cut at an odd byte).
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ReadError("unknown_encoding") from None


def _non_blank(rows: list[list[str]]) -> list[tuple[int, list[str]]]:
    """Rows with any content, each with its spreadsheet row number (the first row is 1)."""
    return [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]


def _rows_to_frame(body: list[list[str]], numbers: list[int], width: int) -> pd.DataFrame:
    for offset, row in enumerate(body):
        if len(row) != width:
            # Trailing empty cells are harmless; anything else shifts values into wrong columns.
            if len(row) > width and not any(cell.strip() for cell in row[width:]):
                body[offset] = row[:width]
                continue
            raise ReadError("ragged_row", row=numbers[offset], found=len(row), expected=width)
    return pd.DataFrame(body, columns=range(width), dtype=object)


def cell_text(value: object) -> str:
    """How a spreadsheet cell reads as text: dates as ISO, 12.0 as 12, empty as ''."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_bytes(data: bytes, name: str) -> list[Sheet]:
    """Every non-empty worksheet of a workbook, as text cells."""
    import openpyxl  # imported here: only uploads of workbooks pay for it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("not_a_workbook")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged workbook
        raise ReadError("not_a_workbook") from None
    sheets = []
    try:
        for worksheet in book.worksheets:
            sheet = _read_worksheet(worksheet, name)
            if sheet is not None:
                sheets.append(sheet)
    except Exception:
        # In read-only mode openpyxl parses each sheet while it is iterated, so a damaged
        # sheet (a shared string that is not there, a number that is not one) fails here,
        # after load_workbook succeeded.
        raise ReadError("not_a_workbook") from None
    finally:
        book.close()
    if not sheets:
        raise ReadError("empty_file")
    return sheets


def _read_worksheet(worksheet: object, name: str) -> Sheet | None:
    """One worksheet as text cells, or None when it has no content.

    The sheet is as wide as its last header or its last cell with content, whichever is
    further right. A value to the right of the headers used to be cut off without a word;
    now its column is read with an empty header, so the load report lists it as ignored.
    (Unlike a CSV, cells in a sheet cannot shift into the wrong column, and a note beside
    the table, or on another sheet, must not stop the table from loading.)
    """
    # Read-only mode trusts the sheet's recorded dimension, which some programs write wrong
    # (``A1:A1``, or fewer rows than there are): without this, rows and columns past it
    # were dropped without a word and the rest of the sheet loaded as if complete.
    worksheet.reset_dimensions()
    rows = [[cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
    numbered = _non_blank(rows)
    if not numbered:
        return None
    width = max(max((i + 1 for i, cell in enumerate(row) if cell.strip()), default=0) for _, row in numbered)
    headers = (numbered[0][1] + [""] * width)[:width]
    body = [(row + [""] * width)[:width] for _, row in numbered[1:]]
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    return Sheet(f"{name} [{worksheet.title}]", headers, frame, [n for n, _ in numbered[1:]])


#: The start of an OLE2 compound file: what Excel 97–2003 saves as .xls.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_bytes(data: bytes, name: str) -> list[Sheet]:
    """Read a file's bytes as one or more sheets, choosing CSV or workbook by content."""
    if not data:
        raise ReadError("empty_file")
    if data.startswith(_OLE2_MAGIC):
        # A real .xls renamed .xlsx or .csv says what it is, rather than "not a workbook".
        raise ReadError("old_excel")
    if name.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        return read_xlsx_bytes(data, name)
    if name.lower().endswith(".xls"):
        raise ReadError("old_excel")
    return [read_csv_bytes(data, name)]
