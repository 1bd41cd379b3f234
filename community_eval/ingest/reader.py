"""Reading the files researchers really have: CSV in any common encoding, workbooks, HTML tables.

Workbooks are .xlsx/.xlsm, legacy .xls (Excel 97–2003) and .ods, read with python-calamine;
an HTML table saved with an .xls name (what many government systems export as "Excel") is
read with lxml. Anything else that claims to be a workbook is refused saying what it
really is (a text table, a Word document, a PDF, an encrypted workbook …).

The reader turns a file into :class:`Sheet` objects, one per worksheet, whose cells are all
text, exactly as written (Excel dates become ISO dates, whole numbers lose their ``.0``), so
that value parsing, and the problem report, see what the user sees. Where the table sits in
the sheet (title rows, a header over two rows, merged cells, totals and notes) is found by
:mod:`community_eval.ingest.layout`. Broken files raise :class:`ReadError` with a reason key,
never a library traceback.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from community_eval.core import charsets, limits
from community_eval.ingest.layout import Detected, Layout, MergedRange, Row, detect


class ReadError(Exception):
    """A file that cannot be read as a table; ``reason`` is a locale key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


@dataclass
class Sheet:
    """One table of text cells read from a file (a CSV, an HTML table, or one worksheet of a workbook)."""

    name: str  # the file's name, and for a workbook "file [sheet title]"
    headers: list[str]
    cells: pd.DataFrame  # columns by position 0..n-1, every cell a str ("" when empty); read-only (arrays shared)
    row_numbers: list[int]  # the spreadsheet row number of each row of ``cells``
    encoding: str | None = None
    separator: str | None = None
    sheet_title: str | None = None  # the worksheet's title (None for a CSV or an HTML table)
    layout: Layout = field(default_factory=Layout)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK).

    UTF-8 is tried strictly first: GBK bytes are almost never valid UTF-8, while the
    reverse is often true, so the order matters. A file that is UTF-8 but for some bytes
    (a row saved in GBK) is refused naming the row where UTF-8 fails: GB18030 would read
    it whole, every Chinese character wrong (:mod:`community_eval.core.charsets`).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8-sig":
                _is_utf8(data)  # refuses UTF-8 broken by other bytes, naming the row; else _decode judges
            return encoding
    if _is_utf8(data):
        return "utf-8"
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise ReadError("unknown_encoding") from None


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 (False: not at all); mostly UTF-8 but not all is refused, naming the row."""
    try:
        return charsets.is_utf8(data)
    except charsets.BrokenUtf8 as broken:
        raise ReadError("not_utf8_from_row", row=broken.row) from None


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
    """Decode and split a CSV and find its table; every data row must have the header's number of fields.

    The text is decoded line by line as the rows are laid out, each within the limits
    (:mod:`community_eval.core.limits`): neither the whole text nor a list per row is held, only
    the table's columns, so a big file costs a few times its size, not thirty.
    """
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary_file")
    encoding = detect_encoding(data)
    bounds = _Bounds(limits.current())
    fields = array("I")  # each record's number of fields as written, for the ragged-row check
    try:
        lines = _CsvLines(data, encoding, bounds.caps.max_row_chars)
        separator = lines.separator()
        found = detect(bounds.rows(_csv_records(lines, separator, fields)))
    except csv.Error:
        raise ReadError("malformed_csv") from None
    except UnicodeDecodeError:  # a BOM before bytes of another encoding, a UTF-16 file cut at an odd byte
        raise ReadError("unknown_encoding") from None
    except _LongLine as long:
        raise long.refusal(bounds.caps, row=len(fields) + 1) from None
    if not found.layout.header_rows:  # e.g. a file holding only ``""``: text, but not one cell with content
        raise ReadError("empty_file")
    bounds.check_headers(found)
    width = max(fields[number - 1] for number in found.layout.header_rows)
    _refuse_ragged(found, fields, width)
    headers = (found.headers + [""] * width)[:width]
    cells = _frame(found.columns, width, len(found.row_numbers))
    return Sheet(name, headers, cells, found.row_numbers, encoding, separator, layout=found.layout)


class _LongLine(Exception):
    """A CSV line longer than the row limit, measured to its end: its characters and fields with content."""

    def __init__(self, chars: int, fields: int) -> None:
        super().__init__(chars)
        self.chars, self.fields = chars, fields

    def refusal(self, caps: limits.Limits, row: int) -> ReadError:
        """Too many columns when the line has them (the likelier mistake), else too long."""
        if self.fields > caps.max_columns:
            return ReadError(
                "too_many_columns", limit=limits.shown(caps.max_columns), found=limits.shown(self.fields), row=row
            )
        return ReadError(
            "row_too_long", limit=limits.shown(caps.max_row_chars), found=limits.shown(self.chars), row=row
        )


#: How much of a line too long to read is decoded at a time while it is measured.
_LINE_CHUNK = 1 << 20


class _CsvLines:
    """A CSV's lines (line ends kept, as :mod:`csv` wants them), decoded as they are read.

    A line past the row limit is never held whole: it is measured in chunks and refused
    (:class:`_LongLine`). A NUL anywhere is refused as binary: past the first 4 KiB (or as a
    UTF-16 character) it used to reach the database.
    """

    def __init__(self, data: bytes, encoding: str, limit: int) -> None:
        self._stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        self._limit = limit
        self._ahead: list[str] = []  # lines read to find the separator
        self._separator: str | None = None
        self._first = True

    def separator(self) -> str:
        """The separator, from the first line with content (see :func:`detect_separator`)."""
        while True:
            line = self._next()
            if not line:
                raise ReadError("empty_file")
            self._ahead.append(line)
            if line.strip():
                self._separator = detect_separator(line)
                return self._separator

    def __iter__(self) -> Iterator[str]:
        yield from self._ahead
        self._ahead = []
        while line := self._next():
            yield line

    def _next(self) -> str:
        line = self._stream.readline(self._limit + 2)  # room for the limit and a line end
        if self._first:
            line, self._first = line.removeprefix("\ufeff"), False  # a second BOM after the encoding's own
        if "\x00" in line:
            raise ReadError("binary_file")
        if len(line) > self._limit and len(line.rstrip("\r\n")) > self._limit:
            raise self._measure(line)
        return line

    def _measure(self, start: str) -> _LongLine:
        """How long the line that starts with ``start`` is, and how many fields it has, read to its end."""
        counter = _FieldCounter(self._separator or detect_separator(start))
        chunk = start
        while chunk:
            counter.feed(chunk)
            if chunk.endswith(("\n", "\r")):
                break
            chunk = self._stream.readline(_LINE_CHUNK)
        return _LongLine(counter.chars, counter.fields)


class _FieldCounter:
    """Counts a line's fields with content as it is fed: separators inside quotes and trailing empty fields aside."""

    def __init__(self, separator: str) -> None:
        self.separator = separator
        self.chars = 0
        self._separators = 0
        self._trailing = 0  # separators since the last content
        self._quoted = False

    @property
    def fields(self) -> int:
        return self._separators + 1 - self._trailing

    def feed(self, chunk: str) -> None:
        self.chars += len(chunk.rstrip("\r\n"))
        for index, part in enumerate(chunk.split('"')):
            if index:
                self._quoted = not self._quoted
                self._trailing = 0  # a quote is content
            if self._quoted:
                continue
            count = part.count(self.separator)
            self._separators += count
            content = part.rstrip(self.separator + " \t\r\n")
            self._trailing = part[len(content) :].count(self.separator) if content else self._trailing + count


def _csv_records(lines: Iterable[str], separator: str, fields: array) -> Iterator[Row]:
    """A CSV's records with content, numbered (the first record is 1); ``fields`` gets every record's width."""
    for number, row in enumerate(csv.reader(lines, delimiter=separator), start=1):
        fields.append(len(row))
        if any(cell.strip() for cell in row):
            yield number, row


def _refuse_ragged(found: Detected, fields: array, width: int) -> None:
    """A CSV's columns are its header's fields: a data row with more or fewer shifts values
    into the wrong columns (trailing empty cells aside), so it is refused."""
    beyond = found.columns[width:]
    for index, number in enumerate(found.row_numbers):
        count = fields[number - 1]
        if count != width and (count < width or any(column[index].strip() for column in beyond)):
            raise ReadError("ragged_row", row=number, found=count, expected=width)


def _decode(data: bytes, encoding: str) -> str:
    """Decode with the detected encoding; a BOM followed by bytes of another encoding is refused.

    A UTF-8 or UTF-16 BOM decides the encoding without looking further, so the decoding
    itself can still fail (a BOM pasted before GBK text, a UTF-16 file cut at an odd byte).
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ReadError("unknown_encoding") from None


#: Every this many rows, a column whose texts are mostly different (more than half its rows:
#: codes, names) stops keeping one copy of each: the table would cost more than it saves.
_POOL_CHECK_ROWS = 4096


class _Bounds:
    """Lays out a file's rows within the limits, refusing the first row past one.

    Every reader hands its rows through :meth:`rows` as it makes them, so a file is refused
    before the cells past a limit are built. A row loses its trailing empty cells (a styled
    cell out in XFD makes no column), and each column keeps one copy of a text it repeats:
    survey answers, dates and enumerations repeat thousands of times.
    """

    def __init__(self, caps: limits.Limits) -> None:
        self.caps = caps
        self._before = 0  # cells laid out by the sheets before this one
        self._rows = 0
        self._width = 0
        self._pools: list[dict[str, str] | None] = []

    def rows(self, rows: Iterable[Row]) -> Iterator[Row]:
        """One sheet's rows with content, each laid out within the limits (see :meth:`row`)."""
        self._before += self._rows * self._width
        self._rows = self._width = 0
        self._pools = []
        for number, cells in rows:
            yield number, self.row(number, cells)

    def row(self, number: int, cells: list[str]) -> list[str]:
        """``cells`` (changed in place) without trailing empty cells and with repeated texts shared."""
        while cells and not cells[-1]:
            cells.pop()
        caps = self.caps
        if len(cells) > caps.max_columns:
            raise ReadError(
                "too_many_columns", limit=limits.shown(caps.max_columns), found=limits.shown(len(cells)), row=number
            )
        chars = sum(map(len, cells))
        if chars > caps.max_row_chars:
            raise ReadError(
                "row_too_long", limit=limits.shown(caps.max_row_chars), found=limits.shown(chars), row=number
            )
        self._rows += 1
        self._width = max(self._width, len(cells))
        laid_out = self._before + self._rows * self._width
        if laid_out > caps.max_cells:
            raise ReadError("too_many_cells", limit=limits.shown(caps.max_cells), found=limits.shown(laid_out))
        self._share(cells)
        return cells

    def _share(self, cells: list[str]) -> None:
        pools = self._pools
        if len(pools) < len(cells):
            pools.extend({} for _ in range(len(cells) - len(pools)))
        for position, (cell, pool) in enumerate(zip(cells, pools, strict=False)):
            if pool is not None:
                cells[position] = pool.setdefault(cell, cell)
        if self._rows % _POOL_CHECK_ROWS == 0:
            for position, pool in enumerate(pools):
                if pool is not None and len(pool) * 2 > self._rows:
                    pools[position] = None

    def check_headers(self, found: Detected) -> None:
        """A table's header longer than the header limit is refused: it is not a column name."""
        if found.layout.kind != "table":
            return  # the first row of a sheet of notes is shown as its "header", not matched
        limit = self.caps.max_header_chars
        for position, header in enumerate(found.headers):
            if len(header) > limit:
                params = {"limit": limits.shown(limit), "found": limits.shown(len(header)), "column": position + 1}
                raise ReadError("header_too_long", **params, row=found.layout.header_rows[0])


def _frame(columns: list[list[str]], width: int, rows: int) -> pd.DataFrame:
    """The cells as a frame of ``width`` text columns; each list is let go once it is an array.

    The arrays are not copied into one block (pandas would, by default): that copy, with the
    lists still alive, was the peak of reading a big file. Columns missing from ``columns``
    share one array of empty cells.
    """
    arrays: dict[int, np.ndarray] = {}
    empty = None
    for position in range(width):
        if position < len(columns):
            arrays[position] = object_array(columns[position])
            columns[position] = []
        else:
            empty = object_array([""] * rows) if empty is None else empty
            arrays[position] = empty
    return pd.DataFrame(arrays, index=pd.RangeIndex(rows), dtype=object, copy=False)


def object_array(values: list[object]) -> np.ndarray:
    """A 1-D object array of ``values`` (``np.array`` would make a sequence value a dimension)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _sheet(
    name: str,
    title: str | None,
    rows: Iterable[Row],
    merged: list[MergedRange],
    bounds: _Bounds,
    encoding: str | None = None,
) -> Sheet:
    """A sheet's table, found by the layout detection in its non-blank rows, laid out within the limits."""
    found = detect(bounds.rows(rows), merged, title)
    bounds.check_headers(found)
    width = len(found.headers)
    label = name if title is None else f"{name} [{title}]"
    cells = _frame(found.columns, width, len(found.row_numbers))
    return Sheet(label, found.headers, cells, found.row_numbers, encoding, None, title, found.layout)


# ---- cells -------------------------------------------------------------------------------

#: Floats below this are exact integers when they look like one; above it a float that looks
#: like an integer may be a long code Excel rounded (``4.20601001001001e+17``): keep its repr.
_EXACT_INTEGER = 2**53


def cell_text(value: object) -> str:
    """How a spreadsheet cell reads as text: dates as ISO, 12.0 as 12, empty as ''.

    A float that is not an exact integer below 2**53 keeps its repr, so a long code Excel
    turned into a number stays recognisable (``4.20601001001001e+17``) and ``2024.1``
    stays ``2024.1``. A time of day reads ``HH:MM:SS``; a duration (``[h]:mm``) the same,
    with as many hours as it holds.
    """
    cls = value.__class__
    if cls is float:  # the commonest after text, first
        if value.is_integer() and -_EXACT_INTEGER < value < _EXACT_INTEGER:
            return str(int(value))
        return "" if value != value else repr(value)  # NaN is an empty cell
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return cell_text(float(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds" if not value.microsecond else "auto")
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)


def _text_rows(values: list[list[object]] | list[tuple[int, list[object]]]) -> Iterator[Row]:
    """A sheet's cells as its non-blank rows of text, each without its trailing empty cells.

    ``values`` is every row from row 1 (as calamine gives them, column A first), or the
    rows with content already numbered, ``(row number, cells)``. Each row is let go once
    read, and its trailing empty cells are dropped before any is turned into text: calamine
    pads every row to the sheet's width.
    """
    numbered = bool(values) and isinstance(values[0], tuple)
    for index, item in enumerate(values):
        number, row = item if numbered else (index + 1, item)
        values[index] = None  # read once: the rows already laid out need not stay
        end = len(row)
        while end and row[end - 1] == "":
            end -= 1
        if not end:
            continue
        cells = [v if v.__class__ is str else cell_text(v) for v in (row if end == len(row) else row[:end])]
        if "".join(cells).strip():
            yield number, cells


# ---- workbooks ---------------------------------------------------------------------------

#: The start of an OLE2 compound file: what Excel 97–2003 saves as .xls (and WPS as .et).
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
#: A sheet's cells are laid out densely when read: a sheet spanning far more cells than it
#: has (a stray value in XFD1048576) is read another way, or refused. Up to this many cells
#: any sheet is read as is; beyond, only one with at least a tenth of its span written.
_DENSE_CELLS = 4_000_000
_SPARSE_RATIO = 10


def _utf16(name: str) -> bytes:
    """An OLE2 directory entry's name as stored: UTF-16LE and its terminating NUL."""
    return (name + "\x00").encode("utf-16-le")


def _guarded(call: object) -> object:
    """Call into a workbook library; whatever it raises for a damaged file is ``not_a_workbook``.

    Running out of memory is not a damaged file: it is said as such (``out_of_memory``).
    """
    try:
        return call()
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("out_of_memory") from None
    except Exception:  # the libraries raise many types for a damaged workbook
        raise ReadError("not_a_workbook") from None
    except BaseException as error:  # a panic in calamine's Rust code (pyo3's PanicException)
        if type(error).__name__ != "PanicException":
            raise
        raise ReadError("not_a_workbook") from None


def _calamine(data: bytes) -> object:
    import python_calamine  # imported here: only uploads of workbooks pay for it

    def load() -> object:
        try:
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except python_calamine.PasswordError:
            raise ReadError("encrypted_workbook") from None

    return _guarded(load)


def _worksheet_values(book: object, title: str) -> tuple[list[list[object]], list[MergedRange]]:
    """A worksheet's cells from A1, and its merged ranges, read by calamine."""

    def load() -> tuple[list[list[object]], list]:
        sheet = book.get_sheet_by_name(title)
        return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []

    values, ranges = _guarded(load)
    merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in ranges]
    return values, merged


def _worksheet_titles(book: object) -> list[str]:
    """The workbook's worksheets (not chart or macro sheets), in order."""
    return _guarded(lambda: [m.name for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")])


def _mark_hidden(book: object, sheets: list[Sheet]) -> list[Sheet]:
    """Hidden worksheets are not loaded (kind ``hidden``): offices hide old copies and lookup lists
    there, and a hidden copy of a table loaded beside the visible one would count every row twice."""
    hidden = _guarded(lambda: {m.name for m in book.sheets_metadata if not str(m.visible).endswith(".Visible")})
    for sheet in sheets:
        if sheet.sheet_title in hidden:
            sheet.layout.kind = "hidden"
    return sheets


def read_xls_bytes(data: bytes, name: str) -> list[Sheet]:
    """A legacy Excel 97–2003 workbook (an OLE2 file); or what the OLE2 file really is.

    calamine reads it in a child process: its reader of the OLE2 container and of BIFF
    records trusts sizes a damaged file gets wrong, and may then ask for petabytes of memory
    and abort, or loop. In a child (with a memory limit and a time limit) that is a refused
    file, not a dead server.
    """
    if _utf16("EncryptedPackage") in data:
        raise ReadError("encrypted_workbook")  # an .xlsx with a password is an OLE2 file
    if _utf16("Workbook") not in data and _utf16("Book") not in data:
        if _utf16("WordDocument") in data:
            raise ReadError("word_document")
        raise ReadError("not_a_workbook")
    sheets = []
    bounds = _Bounds(limits.current())
    for title, rows, merged, visible in _xls_in_child(data):
        sheet = _sheet(name, title, _text_rows(rows), merged, bounds)
        if not visible:
            sheet.layout.kind = "hidden"  # as for .xlsx and .ods (see _mark_hidden)
        sheets.append(sheet)
    return _some_content(sheets)


#: The child that reads an .xls: stdin the file, argv its memory limit, stdout a pickle of ("ok", sheets)
#: or ("error", reason), each sheet (title, its non-blank rows as (row number, cells), merged ranges,
#: whether it is visible).
_XLS_CHILD = """
import pickle, sys
try:
    import resource
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, ValueError, OSError):
    pass
import python_calamine
data = sys.stdin.buffer.read()
try:
    book = python_calamine.CalamineWorkbook.from_filelike(__import__("io").BytesIO(data))
    sheets = []
    for meta in book.sheets_metadata:
        if not str(meta.typ).endswith("WorkSheet"):
            continue
        sheet = book.get_sheet_by_name(meta.name)
        values = sheet.to_python(skip_empty_area=False)
        rows = [(n, row) for n, row in enumerate(values, 1) if row.count("") != len(row)]
        merged = [(a + 1, b + 1, c + 1, d + 1) for (a, b), (c, d) in (sheet.merged_cell_ranges or [])]
        sheets.append((meta.name, rows, merged, str(meta.visible).endswith(".Visible")))
    result = ("ok", sheets)
except python_calamine.PasswordError:
    result = ("error", "encrypted_workbook")
except BaseException:
    result = ("error", "not_a_workbook")
sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
"""
_CHILD_MEMORY = 4 << 30
_CHILD_SECONDS = 120


def _xls_in_child(data: bytes) -> list[tuple[str, list[tuple[int, list[object]]], list[MergedRange], bool]]:
    """Each worksheet of an .xls as (title, its rows with a cell as (row number, cells), merged ranges, visible)."""
    import pickle
    import subprocess
    import sys

    command = [sys.executable, "-I", "-c", _XLS_CHILD, str(_CHILD_MEMORY)]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=_CHILD_SECONDS, check=False)
        status, result = pickle.loads(done.stdout)  # our own child's output
    except Exception:  # it died (out of memory, a Rust abort), took too long, or wrote nothing
        raise ReadError("not_a_workbook") from None
    if status != "ok":
        raise ReadError("encrypted_workbook" if result == "encrypted_workbook" else "not_a_workbook")
    return result


def _some_content(sheets: list[Sheet]) -> list[Sheet]:
    if not any(sheet.headers or len(sheet.cells) for sheet in sheets):
        raise ReadError("empty_file")
    return sheets


def read_zip_workbook(data: bytes, name: str) -> list[Sheet]:
    """An .xlsx/.xlsm or .ods workbook (a zip file), every worksheet; or what the zip really is."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename for info in archive.infolist()}
        mimetype = b""
        if "mimetype" in members:
            with archive.open("mimetype") as stream:
                mimetype = stream.read(100)
    except Exception:  # a damaged zip raises many types
        raise ReadError("not_a_workbook") from None
    if mimetype.strip() == _ODS_MIME:
        return _read_ods(archive, data, name)
    if "xl/workbook.bin" in members:
        raise ReadError("xlsb_workbook")
    if "word/document.xml" in members:
        raise ReadError("word_document")
    if "xl/workbook.xml" not in members:
        raise ReadError("not_a_workbook")
    return _read_xlsx(archive, data, name)


def _read_xlsx(archive: zipfile.ZipFile, data: bytes, name: str) -> list[Sheet]:
    parts = _xlsx_sheet_parts(archive)
    extents: dict[str, _Extent] = {}
    try:
        _check_shared_strings(archive)
        for part in set(parts.values()) if parts is not None else _xml_members(archive):
            extents[part] = _xlsx_extent(archive, part)
    except ReadError:
        raise
    except Exception:
        raise ReadError("not_a_workbook") from None
    bounds = _Bounds(limits.current())
    _refuse_written_cells(extents.values(), bounds.caps)
    book = _calamine(data)
    titles = _worksheet_titles(book)
    sparse = {part for part, extent in extents.items() if not extent.dense(bounds.caps.max_cells)}
    fallback = None
    sheets = []
    try:
        for title in titles:
            part = parts.get(title) if parts is not None else None
            if (part in sparse) or (parts is None and sparse) or (parts is not None and part is None):
                # calamine would lay this sheet out cell by cell over its whole span: read it cell by cell
                if fallback is None:
                    fallback = _openpyxl(data)
                rows = _openpyxl_rows(fallback, title)
                merged = extents[part].merged if part in extents else []
            else:
                values, merged = _worksheet_values(book, title)
                rows = _text_rows(values)
            sheets.append(_sheet(name, title, rows, merged, bounds))
    finally:
        if fallback is not None:
            fallback.close()
    return _some_content(_mark_hidden(book, sheets))


def _refuse_written_cells(extents: Iterable[_Extent], caps: limits.Limits) -> None:
    """A workbook that writes more cells than the cells limit is refused before any is read.

    Each written cell (styled empty ones too) costs reading time whichever way the sheet is
    read, and empty ones are rarely so many.
    """
    written = sum(extent.cells for extent in extents)
    if written > caps.max_cells:
        raise ReadError("too_many_cells", limit=limits.shown(caps.max_cells), found=limits.shown(written))


_UNIQUE_STRINGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"']\s*([0-9]+)")
#: No workbook has more different texts than this; calamine sets memory aside for as many
#: as the file declares, so a damaged count must not reach it.
_MAX_STRINGS = 10_000_000


def _check_shared_strings(archive: zipfile.ZipFile) -> None:
    """Refuse a table of texts that declares more texts than it can hold (calamine would reserve them)."""
    for info in archive.infolist():
        with archive.open(info) as stream:
            head = stream.read(4096)
        declared = _UNIQUE_STRINGS.search(head)
        # Each text takes at least ``<si><t/></si>`` (13 bytes) in the part.
        if declared is not None and int(declared.group(1)) > min(_MAX_STRINGS, info.file_size // 13 + 1000):
            raise ReadError("not_a_workbook")


def _xml_members(archive: zipfile.ZipFile) -> list[str]:
    return [info.filename for info in archive.infolist() if not info.filename.endswith("/")]


_XML_PARSER = None


def _xml(content: bytes) -> object:
    """Parse a small XML part (workbook, relationships) without entities, DTDs or the network."""
    from lxml import etree

    global _XML_PARSER
    if _XML_PARSER is None:
        _XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(content, _XML_PARSER)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str] | None:
    """Each worksheet's title -> the zip member holding its cells; None if the workbook does not say."""
    try:
        workbook = _xml(archive.read("xl/workbook.xml"))
        rels = _xml(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:
        return None
    targets = {}
    for rel in rels.iter():
        if _local(rel.tag) == "Relationship" and rel.get("Id") and rel.get("Target"):
            target = rel.get("Target").replace("\\", "/")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = path
    parts = {}
    members = set(archive.namelist())
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next((value for key, value in sheet.attrib.items() if _local(key) == "id"), None)
        target = targets.get(rid)
        if sheet.get("name") is None or target is None or target not in members:
            return None
        parts[sheet.get("name")] = target
    return parts


@dataclass
class _Extent:
    """How far a worksheet's cells reach, how many there are, and its merged ranges."""

    cells: int = 0  # cell references written
    rows: int = 0  # the furthest row and column a cell or row names
    columns: int = 0
    unplaced_rows: int = 0  # how much further cells written without their reference may go
    unplaced_columns: int = 0
    merged: list[MergedRange] = field(default_factory=list)

    def dense(self, max_cells: int) -> bool:
        """Whether calamine may lay the sheet out cell by cell over its whole span (its cells fill enough
        of it, and the span is within the cells limit); else it is read cell by cell (:func:`_openpyxl_rows`)."""
        area = (self.rows + self.unplaced_rows) * (self.columns + self.unplaced_columns)
        return area <= _DENSE_CELLS or (area <= _SPARSE_RATIO * self.cells and area <= max_cells)


#: Every ``r="B7"`` attribute in a sheet: a cell's reference (also a second one in the same
#: cell, which calamine would take, and any spelling quick-xml accepts: quotes, spaces, case);
#: not ``error="E1"`` or ``header="…"``, other attributes whose name ends in r.
_REF = re.compile(rb"""(?<![\w.:-])r\s*=\s*["']\$?([A-Za-z]+)\$?([0-9]+)["']""")
#: The same, fast (no look-behind), but also catching ``error="E12"``: enough to bound a sheet.
_REF_FAST = re.compile(rb"""r\s*=\s*["']\$?([A-Za-z]+)\$?([0-9]+)["']""")
_ROW_NUMBER = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\br\s*=\s*["']\s*([0-9]+)""")
_ANY_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_ANY_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_MERGE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref="\$?([A-Z]{1,3})\$?([0-9]{1,7}):\$?([A-Z]{1,3})\$?([0-9]{1,7})"'
)
_PREFIXED_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")
_CHUNK = 1 << 23
#: Excel's own limits: a reference past them is a damaged file (and would have openpyxl
#: step through billions of empty rows).
_MAX_ROWS = 1_048_576
_MAX_COLUMNS = 16_384


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _xlsx_extent(archive: zipfile.ZipFile, part: str) -> _Extent:
    """Scan a worksheet's XML for the span of its cells, in chunks, without parsing it."""
    extent = _Extent()
    with archive.open(part) as stream:
        tail = b""
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            cut = buffer.rfind(b"<") if chunk else len(buffer)
            if cut <= 0:
                cut = len(buffer)
            _scan(buffer[:cut], extent)
            tail = buffer[cut:]
            if not chunk:
                break
    if extent.rows > _MAX_ROWS or extent.columns > _MAX_COLUMNS:
        raise ReadError("not_a_workbook")
    return extent


def _scan(text: bytes, extent: _Extent) -> None:
    refs = _REF_FAST.findall(text)
    if refs:
        letters = {c for c, _ in refs}
        digits = {r for _, r in refs}
        if max(map(len, letters)) > 3 or max(map(len, digits)) > 7:
            refs = _REF.findall(text)  # the cells' own references only, to be sure
            letters = {c for c, _ in refs} or {b"A"}
            digits = {r for _, r in refs} or {b"1"}
            if max(map(len, letters)) > 3 or max(map(len, digits)) > 7:
                raise ReadError("not_a_workbook")  # past XFD or row 9,999,999: not Excel's
        extent.cells += len(refs)
        extent.columns = max(extent.columns, max(map(_column, letters)))
        extent.rows = max(extent.rows, max(map(int, digits)))
    irregular = text.count(b"<c ") != text.count(b'<c r="') or b"<c>" in text or b"<c/>" in text
    if irregular or (b":c" in text and _PREFIXED_TAG.search(text)):
        # Some cells lack their reference: each goes one column right of the one before, in
        # its row (a row without a number is the one after the row before). Bound them so.
        numbers = _ROW_NUMBER.findall(text)
        if numbers and max(map(len, numbers)) > 7:
            raise ReadError("not_a_workbook")
        extent.rows = max(extent.rows, max(map(int, numbers), default=0))
        extent.unplaced_rows += len(_ANY_ROW.findall(text))
        extent.unplaced_columns += len(_ANY_CELL.findall(text))
    if b"mergeCell" in text:
        for c1, r1, c2, r2 in _MERGE.findall(text):
            extent.merged.append((int(r1), _column(c1), int(r2), _column(c2)))


def _openpyxl(data: bytes) -> object:
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged workbook
        raise ReadError("not_a_workbook") from None


def _openpyxl_rows(book: object, title: str) -> Iterator[Row]:
    """A worksheet read cell by cell (openpyxl): for a sheet whose few cells span a huge area.

    openpyxl's own rows (``iter_rows``) are padded to each row's last cell, styled empty
    cells included: 16,384 cells for every row with a cell in XFD, gigabytes for a 40 KB
    file. Its parser gives the cells as written, so here a row is as wide as its last value.
    The parser is openpyxl's private API (read-only mode reads rows with it the same way);
    the rows past a sheet's recorded dimension, which read-only mode would drop, are read too.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        worksheet = book[title]
        with worksheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                worksheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for number, written in parser.parse():
                cells = _written_row(written)
                if cells:
                    yield number, cells
    except MemoryError:
        raise ReadError("out_of_memory") from None
    except ReadError:
        raise
    except Exception:
        # A damaged sheet (a shared string that is not there, a number that is not one) fails
        # while it is parsed.
        raise ReadError("not_a_workbook") from None


def _written_row(written: list[dict[str, object]]) -> list[str] | None:
    """A row of openpyxl's parsed cells as text up to its last value; None without any content."""
    texts = {}
    for cell in written:
        text = cell_text(cell["value"])
        if text:
            texts[cell["column"]] = text
    if not texts or not "".join(texts.values()).strip():
        return None
    cells = [""] * max(texts)
    for column, text in texts.items():
        cells[column - 1] = text
    return cells


# ---- OpenDocument ------------------------------------------------------------------------

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


@dataclass
class _OdsTable:
    title: str
    merged: list[MergedRange] = field(default_factory=list)
    cells: int = 0  # cells with a value, as written (one element for a repeated cell)
    expanded: int = 0  # cells with a value once repeated cells and rows are counted
    rows: int = 0
    columns: int = 0

    @property
    def dense(self) -> bool:
        budget = max(_DENSE_CELLS, _SPARSE_RATIO * self.cells)
        return self.expanded <= budget and self.rows * self.columns <= max(budget, _SPARSE_RATIO * self.expanded)


def _ods_tables(archive: zipfile.ZipFile) -> list[_OdsTable]:
    """Each table of an .ods: its merged ranges and how far its cells reach (repeats counted)."""
    from lxml import etree

    tables: list[_OdsTable] = []
    depth = row = col = row_cells = 0
    row_repeat = 1
    cell_tags = (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell")
    with archive.open("content.xml") as stream:
        events = etree.iterparse(
            stream, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False
        )
        for event, element in events:
            tag = element.tag
            if tag == _ODS_TABLE + "table":  # (a table inside a cell is part of its table's cell)
                depth += 1 if event == "start" else -1
                if event == "start" and depth == 1:
                    tables.append(_OdsTable(element.get(_ODS_TABLE + "name") or ""))
                    row = 0
                if event == "end":
                    element.clear()
                continue
            if depth != 1:
                continue
            if tag == _ODS_TABLE + "table-row":
                if event == "start":
                    row_repeat = _count(element.get(_ODS_TABLE + "number-rows-repeated"))
                    col = row_cells = 0
                    continue
                table = tables[-1]
                if row_cells:
                    table.rows = row + row_repeat
                    table.expanded += row_cells * row_repeat
                row += row_repeat
                element.clear()
                while element.getprevious() is not None:  # rows read are not kept
                    del element.getparent()[0]
            elif tag in cell_tags and event == "end":
                table = tables[-1]
                repeat = _count(element.get(_ODS_TABLE + "number-columns-repeated"))
                if element.get(_ODS_OFFICE + "value-type") is not None or len(element):
                    table.cells += 1
                    table.columns = max(table.columns, col + repeat)
                    row_cells += repeat
                down = _count(element.get(_ODS_TABLE + "number-rows-spanned"))
                across = _count(element.get(_ODS_TABLE + "number-columns-spanned"))
                if (down, across) != (1, 1) and tag == cell_tags[0]:
                    table.merged.append((row + 1, col + 1, row + down, col + across))
                col += repeat
                element.clear()
    return tables


def _count(text: str | None) -> int:
    """A repeat or span count: a positive number, 1 when absent or unreadable."""
    if text is None or not text.isdigit():
        return 1
    return max(1, min(int(text), 1 << 24))


def _read_ods(archive: zipfile.ZipFile, data: bytes, name: str) -> list[Sheet]:
    try:
        tables = _ods_tables(archive)
    except Exception:  # lxml raises many types for a damaged content.xml
        raise ReadError("not_a_workbook") from None
    if not all(table.dense for table in tables):
        raise ReadError("sheet_too_large")
    merges = {table.title: table.merged for table in tables}
    book = _calamine(data)
    bounds = _Bounds(limits.current())
    sheets = []
    for title in _worksheet_titles(book):
        values, _ = _worksheet_values(book, title)  # calamine has no merged ranges for .ods
        sheets.append(_sheet(name, title, _text_rows(values), merges.get(title, []), bounds))
    return _some_content(_mark_hidden(book, sheets))


# ---- HTML tables -------------------------------------------------------------------------

_HTML_START = re.compile(rb"<(?:html|table|!doctype\s+html|head|body|meta|tr|td)\b", re.IGNORECASE)
_SPREADSHEET_ML = re.compile(rb"urn:schemas-microsoft-com:office:spreadsheet|progid=.excel\.sheet", re.IGNORECASE)
_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: What browsers and Excel read these labels as: GB18030 is a superset of both.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}
#: A cell spans at most this many columns (as in browsers); all spans together fill at most
#: this many cells, past which the "table" is not one an office exported.
_MAX_COLSPAN = 1000
_MAX_SPAN_CELLS = 10_000_000


def _head(data: bytes) -> bytes:
    """The start of a file as ASCII-compatible bytes (a UTF-16 file decoded), BOM and spaces dropped."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def _is_html(head: bytes) -> bool:
    return head.startswith(b"<") and bool(_HTML_START.search(head))


def _html_encoding(data: bytes) -> str:
    """The encoding a page declares (``<meta charset>``) when its bytes decode so, else as for a CSV."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return detect_encoding(data)
    head = data[:8192]
    declared = _CHARSET.search(head) or _XML_ENCODING.search(head)
    if declared is not None:
        label = declared.group(1).decode("ascii").lower()
        label = _CHARSET_ALIASES.get(label, label)
        try:
            encoding = codecs.lookup(label).name
            if not encoding.startswith(("utf-16", "utf-32")):
                data.decode(encoding)
                return encoding
        except (LookupError, UnicodeDecodeError):
            pass  # a page declaring UTF-8 but saved as GBK: the bytes decide
    return detect_encoding(data)


def read_html_bytes(data: bytes, name: str) -> list[Sheet]:
    """An HTML table (what systems export as ".xls"), read as one sheet; its spans are merged cells.

    The rows of every innermost table are read in order, so a title kept in a table of its
    own above the data reads as a title row. Cells read as a browser shows them: runs of
    spaces and line ends as one space, ``<br>`` as a line break.
    """
    import lxml.html

    encoding = _html_encoding(data)
    text = _decode(data, encoding).removeprefix("\ufeff")
    if "\x00" in text:
        raise ReadError("binary_file")
    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
        document = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
        tables = [table for table in document.iter("table") if not any(True for _ in _inner_tables(table))]
    except Exception:  # an empty or unparseable page
        raise ReadError("html_no_table") from None
    rows, merged = _html_grid(tables)
    if not rows:
        raise ReadError("html_no_table")
    return [_sheet(name, None, rows, merged, _Bounds(limits.current()), encoding)]


def _inner_tables(table: object) -> object:
    return (inner for inner in table.iter("table") if inner is not table)


_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_BREAK = "\ue000"  # a <br> while the spaces around it are folded
_AROUND_BREAK = re.compile(f" ?{_BREAK} ?")


def _html_cell_text(cell: object) -> str:
    for br in cell.iter("br"):
        br.tail = _BREAK + (br.tail or "")
    text = _HTML_SPACE.sub(" ", cell.text_content()).replace("\xa0", " ")
    text = _AROUND_BREAK.sub("\n", text.strip(" "))
    return text.strip("\n")


def _span(text: str | None, limit: int) -> int:
    text = (text or "").strip()
    return max(1, min(int(text), limit)) if text.isdigit() else 1


def _html_grid(tables: list[object]) -> tuple[list[Row], list[MergedRange]]:
    """The rows of the tables as a grid, with rowspan/colspan as merged ranges (filled later)."""
    rows: list[Row] = []
    merged: list[MergedRange] = []
    number = 0
    budget = _MAX_SPAN_CELLS
    for table in tables:
        trs = list(table.iter("tr"))
        covered: dict[int, list[tuple[int, int]]] = {}  # row in this table -> columns a rowspan above takes
        for index, tr in enumerate(trs):
            number += 1
            taken = covered.pop(index, [])
            cells: dict[int, str] = {}
            col = 0
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                col = _free(col, taken)
                down = _span(cell.get("rowspan"), len(trs) - index)
                if (cell.get("rowspan") or "").strip() == "0":
                    down = len(trs) - index  # to the end of the table
                across = _span(cell.get("colspan"), _MAX_COLSPAN)
                budget -= down * across
                if budget < 0:
                    raise ReadError("sheet_too_large")
                cells[col] = _html_cell_text(cell)
                for below in range(index + 1, index + down):
                    covered.setdefault(below, []).append((col, col + across))
                if down > 1 or across > 1:
                    merged.append((number, col + 1, number + down - 1, col + across))
                col += across
            if cells:
                row = [""] * (max(cells) + 1)
                for position, text in cells.items():
                    row[position] = text
                if "".join(row).strip():
                    rows.append((number, row))
    return rows, merged


def _free(col: int, taken: list[tuple[int, int]]) -> int:
    """The first column from ``col`` that no rowspan from above takes."""
    moved = True
    while moved:
        moved = False
        for start, stop in taken:
            if start <= col < stop:
                col, moved = stop, True
    return col


# ---- what a file is ----------------------------------------------------------------------

_WORKBOOK_NAMES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".ods")
_LEGACY_NAMES = (".xls", ".xlt", ".et")


def _refuse_as_workbook(data: bytes, head: bytes) -> ReadError:
    """Why a file named as a workbook, that is none of the kinds we read, is refused: what it is."""
    if data.startswith(b"%PDF"):
        return ReadError("pdf_file")
    if head.startswith(b"<") and _SPREADSHEET_ML.search(head):
        return ReadError("xml_spreadsheet")
    if _is_text(data):
        return ReadError("xls_is_text")
    return ReadError("xls_not_excel")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _is_text(data: bytes) -> bool:
    """Whether a file is text (a CSV or tab-separated table, say) in an encoding we read."""
    sample = data[:65536]
    encodings = [e for bom, e in _BOMS if sample.startswith(bom)] or ["utf-8", "gb18030"]
    for encoding in encodings:
        try:  # incrementally, as the sample may end inside a character
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return bool(text.strip()) and not _CONTROL.search(text)
    return False


def read_bytes(data: bytes, name: str) -> list[Sheet]:
    """Read a file's bytes as its sheets (every worksheet of a workbook), choosing the format by content.

    An OLE2 file is a legacy .xls; a zip is an .xlsx/.xlsm or .ods; a page that starts as
    HTML is read as an HTML table, whatever its name. Else a file named as a workbook is
    refused saying what it is, and anything else is read as CSV. The limits
    (:mod:`community_eval.core.limits`) keep a file from exhausting memory; should it still run
    out, that is said as such, never as a damaged file.
    """
    try:
        return _read_by_content(data, name)
    except MemoryError:
        raise ReadError("out_of_memory") from None


def _read_by_content(data: bytes, name: str) -> list[Sheet]:
    if not data:
        raise ReadError("empty_file")
    lower = name.lower()
    if data.startswith(_OLE2_MAGIC):
        return read_xls_bytes(data, name)
    if data.startswith(b"PK\x03\x04"):
        return read_zip_workbook(data, name)
    head = _head(data)
    if head.startswith(b"<") and _SPREADSHEET_ML.search(head):
        raise ReadError("xml_spreadsheet")
    if _is_html(head):
        return read_html_bytes(data, name)
    if lower.endswith(_WORKBOOK_NAMES):
        if zipfile.is_zipfile(io.BytesIO(data)):
            return read_zip_workbook(data, name)
        if data.startswith(b"%PDF"):
            raise ReadError("pdf_file")
        raise ReadError("not_a_workbook")
    if lower.endswith(_LEGACY_NAMES):
        raise _refuse_as_workbook(data, head)
    return [read_csv_bytes(data, name)]
