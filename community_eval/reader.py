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
import zipfile
from dataclasses import dataclass
from pathlib import Path

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


def detect_separator(text: str) -> str:
    """The separator that splits the header line into the most fields: comma, tab or semicolon."""
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv_bytes(data: bytes, name: str) -> Sheet:
    """Decode and split a CSV; every row must have the header's number of fields."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary_file")
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ReadError("empty_file")
    separator = detect_separator(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        raise ReadError("malformed_csv") from None
    numbered = _non_blank(rows)
    headers = numbered[0][1]
    body = numbered[1:]
    frame = _rows_to_frame([row for _, row in body], [n for n, _ in body], len(headers))
    return Sheet(name, headers, frame, [n for n, _ in body], encoding, separator)


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
            rows = [[cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
            numbered = _non_blank(rows)
            if not numbered:
                continue
            headers = numbered[0][1]
            while headers and not headers[-1].strip():
                headers = headers[:-1]
            body = [(row + [""] * len(headers))[: len(headers)] for _, row in numbered[1:]]
            frame = pd.DataFrame(body, columns=range(len(headers)), dtype=object)
            sheets.append(Sheet(f"{name} [{worksheet.title}]", headers, frame, [n for n, _ in numbered[1:]]))
    finally:
        book.close()
    if not sheets:
        raise ReadError("empty_file")
    return sheets


def read_bytes(data: bytes, name: str) -> list[Sheet]:
    """Read a file's bytes as one or more sheets, choosing CSV or workbook by content."""
    if not data:
        raise ReadError("empty_file")
    if name.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        return read_xlsx_bytes(data, name)
    if name.lower().endswith(".xls"):
        raise ReadError("old_excel")
    return [read_csv_bytes(data, name)]


def read_path(path: str | Path) -> list[Sheet]:
    """Read a file from disk; a missing file is a :class:`ReadError`, not an OSError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError("file_not_found") from None
    except IsADirectoryError:
        raise ReadError("file_not_found") from None
    return read_bytes(data, path.name)
