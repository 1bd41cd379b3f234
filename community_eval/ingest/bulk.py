"""The fast path for big CSV files: DuckDB reads, parses and checks; Python sees only the problems.

The Python path (:mod:`community_eval.ingest.reader`, :mod:`community_eval.ingest.values`,
:func:`community_eval.ingest.loader.validate`) parses every cell in Python, which is right for a
sheet of a few thousand rows and far too slow for a survey of a million. This module
loads such files with DuckDB doing the bulk work, and gives exactly the report the Python
path gives (same table, mapping, rows, problems in the same order, preview, encoding) and
exactly the same stored rows. It takes a file only when it can promise that:

* **Simple CSV only.** After decoding, every line is one record: no blank lines, no
  quoted line breaks, no lone ``\\r``, one kind of line end, no NUL, no line longer than
  Python's csv field limit, no quote next to a space (DuckDB trims there, Python does
  not), and every record as wide as the header (DuckDB's strict mode refuses anything
  else). Then a spreadsheet row number is the record's position + 2. Workbooks, small
  files (:data:`MIN_ROWS`), files whose headers match no table completely, and everything
  not simple go to the Python path, unchanged. What only DuckDB can tell (ragged rows,
  records that are not lines) it tells at load time, and the loader then reads the file
  the Python way as if it had never been offered (:data:`NOT_SIMPLE`).
* **Encoding.** UTF-8 (with or without BOM) is read by DuckDB from the file itself (the
  source's path when it came from disk, else one temporary copy). GB18030/GBK and UTF-16
  are transcoded to a temporary UTF-8 file in 1 MiB chunks with Python's incremental
  decoders: the whole file is never one ``str``. UTF-8 with some bytes of another encoding
  is decided by :mod:`community_eval.core.charsets` as the reader decides it, and goes to the
  Python path, which refuses it naming the row.
* **Parsing.** ``queries/bulk_load.sql`` holds the cell parsers of ``values.py`` as SQL
  macros. Each accepts only the spellings it is sure about (canonical ones through a cast
  guarded by a pattern, the contract's other spellings through patterns on a folded text,
  words through lists made from values.py's own tables) and gives NULL for the rest.
  What SQL did not decide is decided by :func:`values.parse_cell` itself, once per
  distinct text, so every refused cell's reason and params come from the reference
  parser, and a rare spelling SQL does not know is still accepted. When Python accepts a
  text the Python path does more with (an Excel serial date or a month for a date, which
  the report counts as notices; a role ``书记、主任``, which sets ``also_director``; a
  community code Excel changed, which it repairs or refuses), the file goes back to the
  Python path (:data:`NOT_SIMPLE`).
* **Two ways to load.** A valid file is inserted into ``stored.<table>`` straight from
  the CSV in one pass, refusing at the first record SQL cannot vouch for, then its record
  count, keys and communities are checked inside the same transaction
  (:func:`_load_directly`). Any doubt, and a dry run, takes the careful way: the parsed
  rows go to a temporary table (:func:`_scan`), the undecided texts go to Python, and the
  few rows that break a rule (required, dates, staff rules, keys in the file and in the
  store, unknown communities) are handed to the loader's own check functions, which make
  the :class:`~community_eval.ingest.loader.Problem` objects; then the valid rows are stored.
* **Storing** is one transaction with the import record and the new data version, as
  :meth:`Store.load` does for a frame (:meth:`Store.load_rows`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import string
import unicodedata
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from community_eval.core import charsets, limits, tempfiles
from community_eval.core.schema import LIKERT_WORDS, Column, Kind, Table
from community_eval.db import queries
from community_eval.db.store import (
    ConcurrentLoad,
    Cursor,
    DatabaseError,
    ImportRecord,
    KeysNotUnique,
    Store,
    StoreError,
)
from community_eval.ingest import repairs
from community_eval.ingest.checks import (
    Context,
    HeaderMatch,
    apply_defaults,
    check_dates,
    check_references,
    check_required,
    check_unique,
    choose_table,
)
from community_eval.ingest.layout import clean_header, is_note_row, is_total_row
from community_eval.ingest.load_model import FileReport, Problem, Source
from community_eval.ingest.reader import detect_separator
from community_eval.ingest.values import (
    FALSE_WORDS,
    PLACEHOLDERS,
    TRUE_WORDS,
    Invalid,
    enum_lookup,
    is_scientific_code,
    notice_for,
    parse_cell,
    restore_zeros,
    role_also_director,
)

#: Files with fewer data lines than this go through the Python path, which is fast enough there.
MIN_ROWS = 5000
#: Transcoding reads and writes this much at a time.
CHUNK_BYTES = 1 << 20
#: A header line longer than this is not looked for any further (the Python path reads such a file).
_MAX_HEADER_BYTES = 4 << 20

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: A quote next to one of these is read differently by DuckDB (it trims) and by Python's csv.
_QUOTE_NEIGHBOURS = (b' "', b'" ', b'\t"', b'"\t')
_DELIMITERS = {",": "','", ";": "';'", "\t": "'\t'"}


# ---- constants the SQL parsers are given ---------------------------------------------------


@cache
def whitespace() -> str:
    """Every character Python's ``str.strip()`` removes (all are in the BMP)."""
    return "".join(chr(c) for c in range(0x10000) if chr(c).isspace())


@cache
def fold_table() -> tuple[str, str]:
    """``translate()`` arguments doing values.fold for characters whose NFKC form is one character.

    Full-width ASCII, U+3000 and the other spaces NFKC turns into a space, superscript
    digits, ￥; and A-Z to lower case. Computed from ``unicodedata``, not typed in.
    """
    sources = [chr(c) for c in range(0xFF01, 0xFF5F)]
    sources += list(string.ascii_uppercase)
    sources += [chr(c) for c in (0x3000, 0xA0, *range(0x2000, 0x200B), 0x202F, 0x205F, 0xB9, 0xB2, 0xB3, 0xFFE5)]
    targets = [unicodedata.normalize("NFKC", c).lower() for c in sources]
    if any(len(t) != 1 for t in targets):  # pragma: no cover - a Unicode version would have to change
        raise RuntimeError("fold table: a character no longer folds to one character")
    return "".join(sources), "".join(targets)


#: The characters whose NFKC form, lower-cased, is made of placeholder characters
#: (values.PLACEHOLDERS), by that form: what bulk_placeholder translates. Finding them takes
#: a pass over every code point (a second), so they are written out here; the one character
#: whose form is two characters, ㎁ (na), is in the macro itself. tests/test_bulk.py checks
#: against unicodedata that this is exactly the set.
PLACEHOLDER_FOLDS: dict[str, tuple[int, ...]] = {
    "-": (0x2D, 0xFE63, 0xFF0D),
    "/": (0x2F, 0xFF0F),
    "–": (0x2013, 0xFE32),
    "—": (0x2014, 0xFE31, 0xFE58),
    "无": (0x65E0, 0x2F46),
    "暂": (0x6682,),
    "空": (0x7A7A, 0x1F233),
    "a": (
        0x41, 0x61, 0xAA, 0x1D2C, 0x1D43, 0x2090, 0x24B6, 0x24D0, 0xFF21, 0xFF41, 0x1F130,
        *range(0x1D400, 0x1D6A4, 26),
    ),
    "n": (
        0x4E, 0x6E, 0x1D3A, 0x207F, 0x2099, 0x2115, 0x24C3, 0x24DD, 0xFF2E, 0xFF4E, 0x1F13D,
        *(c for c in range(0x1D40D, 0x1D6A4, 26) if c != 0x1D545),  # double-struck N is 0x2115, above
    ),
}  # fmt: skip
#: The one placeholder character form of two characters (see bulk_placeholder).
PLACEHOLDER_PAIRS = {"㎁": "na"}


@cache
def placeholder_table() -> tuple[str, str]:
    """``translate()`` arguments folding every character of a placeholder (see :data:`PLACEHOLDER_FOLDS`)."""
    pairs = [(chr(code), target) for target, codes in PLACEHOLDER_FOLDS.items() for code in codes]
    return "".join(source for source, _ in pairs), "".join(target for _, target in pairs)


def _shared_params() -> dict[str, object]:
    fold_from, fold_to = fold_table()
    ph_from, ph_to = placeholder_table()
    return {
        "ws": whitespace(),
        "fold_from": fold_from,
        "fold_to": fold_to,
        "ph": sorted(PLACEHOLDERS),
        "ph_bool": sorted(PLACEHOLDERS - TRUE_WORDS - FALSE_WORDS),  # 无 is "no" in a yes/no column
        "ph_from": ph_from,
        "ph_to": ph_to,
    }


_FOLD_ARGS = "$fold_from, $fold_to, $ws"
_TEXT_ARGS = "$ph, $ph_from, $ph_to"


def _placeholder_args(column: Column) -> str:
    """The placeholders that mean an empty cell in ``column``, and their fold table."""
    return "$ph_bool, $ph_from, $ph_to" if column.kind is Kind.BOOL else _TEXT_ARGS


_bound = queries.used_params


@cache
def _words(column: Column) -> dict[str, object]:
    """The folded words of a boolean, likert or enum column and what they mean (values.py's tables),
    each as :func:`values.parse_cell` reads it (a word that is also a placeholder would be empty)."""
    if column.kind is Kind.BOOL:
        words = {**dict.fromkeys(sorted(TRUE_WORDS), True), **dict.fromkeys(sorted(FALSE_WORDS), False)}
    elif column.kind is Kind.LIKERT:
        words = dict(LIKERT_WORDS)
    else:
        words = dict(enum_lookup(column))
    return {word: value for word, value in words.items() if _reads_as(word, column, value)}


def _reads_as(text: str, column: Column, value: object) -> bool:
    try:
        return parse_cell(text, column) == value
    except Invalid:  # pragma: no cover - a word of the column's own table
        return False


@cache
def exact_spellings(column: Column) -> dict[str, object]:
    """Spellings as people write them (the schema's words, in lower, upper and title case) and
    what :func:`values.parse_cell` reads them as: looked up as written, before any folding.
    Asking the reference parser is what makes this table exact."""
    words = list(_words(column))
    if column.kind is Kind.ENUM:
        words += [w for v in column.values for w in (v.code, v.zh, v.en, *v.aliases)]
    spellings = {variant for w in words for variant in (w, w.lower(), w.upper(), w.title())}
    exact: dict[str, object] = {}
    for text in sorted(spellings):
        try:
            value = parse_cell(text, column)
        except Invalid:
            continue
        if value is not None:
            exact[text] = value
    return exact


def _word_sql(column: Column, raw: str, params: dict[str, object], macro: str = "bulk_word") -> str:
    name = column.name
    vals_type = "tinyint[]" if column.kind is Kind.LIKERT else "boolean[]" if column.kind is Kind.BOOL else "varchar[]"
    exact, words = exact_spellings(column), _words(column)
    params[f"exact_keys_{name}"], params[f"exact_vals_{name}"] = list(exact), list(exact.values())
    params[f"keys_{name}"], params[f"vals_{name}"] = list(words), list(words.values())
    return (
        f"{macro}({raw}, $exact_keys_{name}, $exact_vals_{name}::{vals_type}, $keys_{name}, "
        f"$vals_{name}::{vals_type}, {_FOLD_ARGS})"
    )


def _value_sql(column: Column, raw: str, params: dict[str, object]) -> str:
    """The SQL giving ``column``'s typed value from the raw text ``raw``, or NULL when SQL is unsure."""
    name = column.name
    kind = column.kind
    if kind is Kind.TEXT:
        return f"bulk_text({raw}, {_TEXT_ARGS})"
    if kind in (Kind.INT, Kind.NUMBER):
        params[f"units_{name}"] = list(column.unit.suffixes) if column.unit else []
        macro = "bulk_int" if kind is Kind.INT else "bulk_number"
        return f"{macro}({raw}, $units_{name}::varchar[], {_FOLD_ARGS})"
    if kind is Kind.DATE:
        return f"bulk_date({raw}, {_FOLD_ARGS})"
    if kind is Kind.MONTH:
        return f"bulk_month({raw}, {_FOLD_ARGS})"
    if kind is Kind.LIKERT:
        return _word_sql(column, raw, params, "bulk_likert")
    if kind is Kind.BOOL:
        return _word_sql(column, raw, params, "bulk_bool")
    if kind is Kind.ENUM:
        return _word_sql(column, raw, params)
    raise ValueError(f"no SQL parser for {kind}")  # pragma: no cover


def _in_range_sql(column: Column, value: str, params: dict[str, object]) -> str:
    """``value`` when it is within the column's bounds, else NULL (values.parse_cell then names the bound)."""
    if column.kind not in (Kind.INT, Kind.NUMBER):
        return value
    bounds = []
    if column.minimum is not None:
        params[f"min_{column.name}"] = float(column.minimum)
        bounds.append(f"{value} {'>' if column.minimum_exclusive else '>='} $min_{column.name}")
    if column.maximum is not None:
        params[f"max_{column.name}"] = float(column.maximum)
        bounds.append(f"{value} <= $max_{column.name}")
    if not bounds:
        return value
    return f"case when {' and '.join(bounds)} then {value} end"


# ---- deciding whether a file is simple, and getting it as UTF-8 -------------------------------


#: Whitespace other than space and tab, as UTF-8: a checked ("clean") file holds none of these.
_RARE_SPACES = tuple(c.encode("utf-8") for c in "\x0b\x0c\x1c\x1d\x1e\x1f")
#: The multi-byte ones by their first byte: Chinese text rarely has these first bytes, so
#: most chunks are cleared by one fast search per first byte.
_RARE_SPACES_BY_LEAD: dict[bytes, tuple[bytes, ...]] = {}
for _code in (0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000):
    _encoded = chr(_code).encode("utf-8")
    _RARE_SPACES_BY_LEAD[_encoded[:1]] = (*_RARE_SPACES_BY_LEAD.get(_encoded[:1], ()), _encoded)


class _Bytes:
    """What the checks need to know about the UTF-8 text of a file, fed in chunks.

    Counts line ends and notes NULs, quotes, quotes next to spaces, and whether any cell
    (below the header) could start or end with whitespace or hold other whitespace than
    single spaces inside it: when none can, the file is *clean* and its text cells need
    no trimming or squashing in SQL. Patterns that straddle two chunks are found through a few bytes
    of overlap.
    """

    def __init__(self, separator: str, width: int) -> None:
        sep = separator.encode()
        self.lf = self.cr = self.crlf = 0
        self.nul = self.quotes = False
        self.quote_neighbours: set[bytes] = set()
        self.unclean = False  # a cell may need trimming, or holds rare whitespace
        self.blank_line = False  # a line with nothing but separators
        self.last = b""
        self._tail = b""
        edges = [sep, b"\n", b"\r"]
        self._edge_spaces = [p for w in (b" ", b"\t") if w != sep for e in edges for p in (w + e, e + w)]
        # whitespace inside a cell that values.squash changes: two spaces, or a tab (not the separator)
        self._edge_spaces += [b"  ", *([b"\t"] if sep != b"\t" else [])]
        self._neighbours = [p for p in _QUOTE_NEIGHBOURS if not (separator == "\t" and b"\t" in p)]
        self._blank = b"\n" + sep * (width - 1)

    def feed(self, chunk: bytes, start: int = 0) -> None:
        """Take the next chunk; its first ``start`` bytes (the header line) are not cells."""
        if not chunk:
            return
        # patterns straddling the previous chunk and this one are all found in here
        edge = self._tail + chunk[: len(self._blank) + 1] if self._tail else b""
        self.lf += chunk.count(b"\n")
        if b"\r" in chunk or self.last == b"\r":  # counting two-byte patterns is slow: only when there are any
            self.cr += chunk.count(b"\r")
            self.crlf += chunk.count(b"\r\n") + (self.last == b"\r" and chunk[:1] == b"\n")
        self.nul = self.nul or b"\x00" in chunk
        if b'"' in chunk:
            self.quotes = True
            self.quote_neighbours |= {p for p in self._neighbours if p in chunk or p in edge}
        elif self.quotes or b'"' in self._tail:
            self.quote_neighbours |= {p for p in self._neighbours if p in edge}
        start = max(start - 1, 0)  # patterns may begin with the header's line end
        if not self.unclean:
            self.unclean = self._unclean(chunk, start, edge)
        if not self.blank_line:
            self.blank_line = self._has_blank_line(chunk, start) or self._has_blank_line(edge, 0)
        self.last = chunk[-1:]
        self._tail = (self._tail + chunk[-(len(self._blank) + 1) :])[-(len(self._blank) + 1) :]

    def _has_blank_line(self, text: bytes, start: int) -> bool:
        """Whether ``text`` holds a whole line of separators only (its end may be in the next chunk)."""
        at = text.find(self._blank, start)
        while at >= 0:
            if text[at + len(self._blank) : at + len(self._blank) + 1] in (b"\n", b"\r"):
                return True
            at = text.find(self._blank, at + 1)
        return False

    def _unclean(self, chunk: bytes, start: int, edge: bytes) -> bool:
        if any(chunk.find(p, start) >= 0 for p in _RARE_SPACES):
            return True
        if not chunk.isascii():
            for lead, patterns in _RARE_SPACES_BY_LEAD.items():
                if (lead in chunk or lead in edge) and any(chunk.find(p, start) >= 0 or p in edge for p in patterns):
                    return True
        if b" " in chunk or b"\t" in chunk or b" " in edge or b"\t" in edge:
            return any(chunk.find(p, start) >= 0 or p in edge for p in self._edge_spaces)
        return False

    def finish(self) -> None:
        """The end of the text: a last line without a line end may be blank or end in a space."""
        if self.last in (b" ", b"\t"):
            self.unclean = True
        if self._tail.endswith(self._blank):
            self.blank_line = True

    def newline(self) -> str | None:
        """The one line end the text uses, or None when it mixes them or has a lone CR."""
        if self.cr == 0:
            return "\n"
        if self.cr == self.crlf == self.lf:
            return "\r\n"
        return None

    @property
    def lines(self) -> int:
        return self.lf + (0 if self.last == b"\n" else 1)


@dataclass
class _Utf8File:
    """The file as UTF-8 on disk, what its first line says and what its bytes look like."""

    path: Path
    temporary: bool
    encoding: str
    headers: list[str]
    separator: str
    stats: _Bytes

    def discard(self) -> None:
        if self.temporary:
            with contextlib.suppress(OSError):
                self.path.unlink()


def _temp_path() -> Path:
    """A new temporary copy's path: removed by its :class:`_Utf8File`, or on error where it is made."""
    return tempfiles.new_copy()


def _header(first_line: bytes) -> tuple[list[str], str] | None:
    """The header cells and the separator, read the way reader.read_csv_bytes reads them."""
    text = first_line.decode("utf-8").removesuffix("\n").removesuffix("\r")
    if text.count('"') % 2:
        return None  # a quoted header cell may go on to the next line: the Python path knows
    separator = detect_separator(text)
    try:
        headers = next(csv.reader([text], delimiter=separator))
    except (csv.Error, StopIteration):
        return None
    if not any(cell.strip() for cell in headers):
        return None  # a blank first line: the reader takes the next one as the header
    return headers, separator


def _first_line(data: bytes) -> bytes | None:
    """The first line, with its line end, when it is all there (else None: not simple)."""
    end = data.find(b"\n")
    return None if end < 0 else data[: end + 1]


def _transcode(data: bytes, encoding: str) -> _Utf8File | None:
    """Decode ``data`` chunk by chunk and write it as UTF-8 to a temporary file; None if it does not decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    stats: _Bytes | None = None
    header: tuple[list[str], str] | None = None
    path = _temp_path()
    pending = b""  # UTF-8 written before the first line was complete
    at_start = True
    view = memoryview(data)
    try:
        with tempfiles.on_error(path.unlink), path.open("wb") as out:
            for start in range(0, len(data) + 1, CHUNK_BYTES):
                final = start + CHUNK_BYTES > len(data)
                text = decoder.decode(view[start : start + CHUNK_BYTES], final=final)
                if at_start and text:
                    text, at_start = text.removeprefix("\ufeff"), False  # reader.read_csv_bytes drops one BOM
                chunk = text.encode("utf-8")
                out.write(chunk)
                if stats is not None:
                    stats.feed(chunk)
                else:
                    pending += chunk
                    first = _first_line(pending)
                    if first is None:
                        if final or len(pending) > _MAX_HEADER_BYTES:
                            raise ValueError("no complete first line")
                        continue
                    header = _header(first)
                    if header is None:
                        raise ValueError("not a simple header")
                    stats = _Bytes(header[1], len(header[0]))
                    stats.feed(pending, len(first))
                if final:
                    break
    except (UnicodeDecodeError, UnicodeEncodeError, ValueError, OSError):
        path.unlink(missing_ok=True)
        return None
    stats.finish()
    return _Utf8File(path, True, encoding, header[0], header[1], stats)


def _utf8_file(source: Source) -> _Utf8File | None:
    """The source as a UTF-8 file DuckDB can read, detecting the encoding as reader.detect_encoding does."""
    data = source.data
    if data.startswith(_UTF16_BOMS):
        return _transcode(data, "utf-16") if data.count(b"\n") >= MIN_ROWS - 1 else None
    try:
        utf8 = charsets.is_utf8(data)  # in chunks: no whole-file ``str``
    except charsets.BrokenUtf8:
        return None  # UTF-8 with bytes of another encoding: the Python path refuses it, naming the row
    if data.startswith(_UTF8_BOM):
        if data.startswith(_UTF8_BOM * 2) or not utf8:
            return None  # the reader strips a second BOM, and DuckDB would not: rare, leave it to Python
        encoding, body = "utf-8-sig", len(_UTF8_BOM)
    elif utf8:
        encoding, body = "utf-8", 0
    else:
        return _transcode(data, "gb18030") if data.count(b"\n") >= MIN_ROWS - 1 else None
    first = _first_line(data[body : body + _MAX_HEADER_BYTES])
    header = _header(first) if first is not None else None
    if header is None:
        return None
    stats = _Bytes(header[1], len(header[0]))
    stats.feed(data, body + len(first))
    stats.finish()
    path = getattr(source, "path", None)
    if path is not None and _readable_as_is(Path(path)):
        with contextlib.suppress(OSError):
            path = Path(path).resolve()
            if path.stat().st_size == len(data):
                return _Utf8File(path, False, encoding, header[0], header[1], stats)
    path = _temp_path()
    with tempfiles.on_error(path.unlink):
        path.write_bytes(data)
    return _Utf8File(path, True, encoding, header[0], header[1], stats)


def _readable_as_is(path: Path) -> bool:
    """Whether DuckDB would read exactly this file by this name: no glob characters, no URL."""
    text = str(path)
    return not any(c in text for c in "*?[]{}") and "://" not in text


def _looks_like_csv(source: Source) -> bool:
    """The cheap refusals: workbooks and old Excel files, binary data, too few lines to bother."""
    data = source.data
    name = source.name.lower()
    if name.endswith((".xlsx", ".xlsm", ".xls")) or data.startswith((b"PK\x03\x04", _OLE2_MAGIC)):
        return False
    if b"\x00" in data[:4096] and not data.startswith(_UTF16_BOMS):
        return False
    return len(data) >= MIN_ROWS * 2  # a line is at least a character and its end; lines are counted later


# ---- the sheet ----------------------------------------------------------------------------

#: What :func:`load_one` returns when DuckDB finds the file is not simple after all: the
#: loader then reads it the Python way, as if it had never been offered to the fast path.
NOT_SIMPLE = object()


@dataclass
class BulkSheet:
    """A simple CSV, as UTF-8 on disk, waiting to be loaded by DuckDB.

    Stands in for :class:`reader.Sheet` in the loader: ``name``, ``headers``,
    ``row_numbers`` (every record's spreadsheet row, ``range(2, rows + 2)``) and
    ``encoding`` mean the same. Call :func:`release` when done with it.
    """

    name: str
    headers: list[str]
    row_numbers: range
    encoding: str
    source: Source
    table_name: str | None
    utf8: _Utf8File
    mapped: dict[str, int]  # column name -> header position
    relation: str = ""  # the temporary table of parsed rows, once made (see _scan)
    parse_problems: list[Problem] = field(default_factory=list)
    failed: set[tuple[int, str]] = field(default_factory=set)  # (record index, column) that did not parse
    _cursor: Cursor | None = None
    _closer: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def cursor(self, store: Store) -> Cursor:
        """This sheet's own cursor of the store, with the parsing macros (temporary tables live on it)."""
        if self._cursor is None:
            self._cursor = self._closer.enter_context(store.cursor())
            # Row numbers are record positions: the file's order must survive every insert (the default).
            self._cursor.execute("set preserve_insertion_order = true")
            create_macros(self._cursor)
        return self._cursor

    def close(self) -> None:
        if self._cursor is not None and self.relation:
            with contextlib.suppress(DatabaseError):
                self._cursor.execute(f"drop table if exists {self.relation}")
        self._closer.close()
        self._cursor = None
        self.utf8.discard()


def create_macros(cur: Cursor) -> None:
    """Create the parsing macros of queries/bulk_load.sql (temporary: this cursor's only)."""
    for query in queries.all_queries().values():
        if query.name.startswith("bulk_macro_"):
            cur.execute(query.sql)


def release(sheet: object) -> None:
    """Free what a :class:`BulkSheet` holds (temporary file, table and cursor); anything else is ignored."""
    if isinstance(sheet, BulkSheet):
        sheet.close()


def read(
    source: Source, table_name: str | None, mode: str, store: Store | None = None
) -> tuple[FileReport, BulkSheet, HeaderMatch] | None:
    """The loader's read step for a simple CSV whose headers match a table completely; else None.

    Only bytes are looked at here (DuckDB reads the file when it is loaded); None sends
    the file to the Python path, which also reports every file-level problem.
    """
    if not _looks_like_csv(source):
        return None
    utf8 = _utf8_file(source)
    if utf8 is None:
        return None
    with tempfiles.on_error(utf8.discard):  # until a BulkSheet holds the copy, nothing else would remove it
        offered = _offer(source, table_name, mode, utf8)
    if offered is None:
        utf8.discard()
    return offered


def _offer(
    source: Source, table_name: str | None, mode: str, utf8: _Utf8File
) -> tuple[FileReport, BulkSheet, HeaderMatch] | None:
    """What :func:`read` returns for a file as UTF-8 on disk: None unless it is simple and fits a table."""
    stats = utf8.stats
    named = len(utf8.headers)
    while named and not utf8.headers[named - 1].strip():
        named -= 1  # empty fields Excel pads a line with are no columns, as in reader._Bounds
    if named > limits.current().max_columns:
        return None  # the Python path refuses it naming the limit: matching a million headers took 30 s
    headers = [clean_header(h) for h in utf8.headers]  # 性  别 is 性别, as the Python path reads it
    match = choose_table(headers, table_name)
    simple = (
        not stats.nul
        and stats.newline() is not None
        and not stats.quote_neighbours
        and stats.lines - 1 >= max(MIN_ROWS, 1)
        and _readable_as_is(utf8.path)
    )
    # Units to convert, a community-name column to read mangled codes by, or a survey
    # platform's export (answer codes of unknown direction) are the Python path's work.
    plain = match is not None and match.plain and not repairs.platform_export(headers)
    if not simple or not plain or match.missing or match.duplicated:
        return None
    mapped = {column: position for position, column in match.mapping.items()}
    rows = range(2, stats.lines + 1)
    sheet = BulkSheet(source.name, headers, rows, utf8.encoding, source, table_name, utf8, mapped)
    report = FileReport(source.name, hashlib.sha256(source.data).hexdigest(), mode=mode)
    report.encoding = utf8.encoding
    report.table = match.table.name
    report.mapping = {headers[p]: c for p, c in match.mapping.items()}
    report.ignored, report.unnamed = match.ignored, match.unnamed
    report.rows_total = len(rows)
    return report, sheet, match


# ---- the SQL that reads and parses the file ---------------------------------------------------


@dataclass
class _Parsed:
    """SQL over ``source``: per mapped column its typed value and the text SQL left to Python."""

    source: str  # a subquery: the raw cells c0, c1, … and p_<column> for every mapped column
    values: dict[str, str]  # column -> typed value (NULL: missing, out of range or not decided)
    deferred: dict[str, str]  # column (not text) -> the text as written when SQL did not decide it
    blank: str  # true for a record with nothing in it
    params: dict[str, object]


def _parse_sql(sheet: BulkSheet, table: Table) -> _Parsed:
    utf8, stats = sheet.utf8, sheet.utf8.stats
    clean = not stats.unclean and not (stats.quotes and utf8.separator == "\t")
    params = _shared_params() | {"path": str(utf8.path)}
    parsed, values, deferred = [], {}, {}
    for column in table.columns:
        if column.name not in sheet.mapped:
            continue
        raw = f"c{sheet.mapped[column.name]}"
        plain_text = clean and column.kind is Kind.TEXT
        parse = f"bulk_text_clean({raw}, {_TEXT_ARGS})" if plain_text else _value_sql(column, raw, params)
        parsed.append(f"{parse} as p_{column.name}")
        values[column.name] = value = _in_range_sql(column, f"p_{column.name}", params)
        if column.kind is not Kind.TEXT:
            empty = _placeholder_args(column)
            deferred[column.name] = (
                f"bulk_deferred_clean({value}, {raw}, {empty})"
                if clean
                else f"bulk_deferred({value}, {raw}, $ws, {empty})"
            )
    if clean and not stats.quotes and not stats.blank_line:
        blank = "false"  # the bytes show no whitespace in cells and no line of separators only
    else:
        test = "bulk_blank_clean(c{i})" if clean else "bulk_blank(c{i}, $ws)"
        cases = " ".join(f"when not {test.format(i=i)} then false" for i in range(len(sheet.headers)))
        blank = f"case {cases} else true end"
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(sheet.headers)))
    source = (
        f"select *, {', '.join(parsed)} from read_csv($path, columns = {{{types}}}, header = true, "
        f"auto_detect = false, delim = {_DELIMITERS[utf8.separator]}, quote = '\"', escape = '\"', "
        f"strict_mode = true, null_padding = false, compression = 'none', encoding = 'utf-8', "
        f"max_line_size = {csv.field_size_limit()})"
    )
    return _Parsed(source, values, deferred, blank, params)


def _typed_sql(table: Table, values: dict[str, str], params: dict[str, object]) -> list[str]:
    """Every column of ``table``, typed, with its default where missing (unmapped columns too)."""
    expressions = []
    for column in table.columns:
        value = values.get(column.name, "null")
        if column.default is not None:
            params[f"default_{column.name}"] = column.default
            value = f"coalesce({value}, $default_{column.name})"
        expressions.append(f"cast({value} as {column.sql_type}) as {column.name}")
    return expressions


def _preview_from(cur: Cursor, table: Table, sql: str, params: dict[str, object]) -> pd.DataFrame:
    """A frame of ``sql``'s rows (the table's columns in order) as the Python path's frame holds them."""
    rows = cur.execute(sql, _bound(sql, params)).fetchall()
    frame = pd.DataFrame({c.name: [row[i] for row in rows] for i, c in enumerate(table.columns)}, dtype=object)
    apply_defaults(frame, table)
    return frame


# ---- the direct way: valid files in one pass -------------------------------------------------


def _future_sql(column: Column, value: str) -> str:
    """``value`` breaks not_in_future: a date (a month: its first day) after today, a year after this one."""
    return f"{value} > year($today)" if column.kind is Kind.INT else f"{value} > $today"


class _NeedsChecking(Exception):
    """The direct way met something only the careful way can report."""


def _direct_select(sheet: BulkSheet, table: Table, context: Context) -> tuple[str, dict[str, object]]:
    """The rows to insert, refusing (error()) at the first record SQL cannot vouch for."""
    parsed = _parse_sql(sheet, table)
    params = dict(parsed.params) | {"today": context.today}
    values = parsed.values
    bad = [f"{text} is not null" for text in parsed.deferred.values()]
    bad += [f"{values[c.name]} is null" for c in table.columns if c.required and c.name in values]
    bad += [_future_sql(c, values[c.name]) for c in table.columns if c.not_in_future and c.name in values]
    if table.name == "staff":
        hire, exit_, reason = (values.get(n, "null") for n in ("hire_date", "exit_date", "exit_reason"))
        bad += [f"{exit_} < {hire}", f"({reason} is not null and {exit_} is null)"]
        bad.append(_not_secretary_sql(values.get("also_director", "null"), values.get("role", "null")))
    if parsed.blank != "false":
        bad.append(parsed.blank)
    typed = ", ".join(_typed_sql(table, values, params))
    guard = " or ".join(f"({condition})" for condition in bad) or "false"
    select = (
        f"select {typed} from ({parsed.source}) "
        f"where case when {guard} then error('bulk: a record needs checking') else true end"
    )
    return select, params


def _verify_import(
    cur: Cursor,
    table: Table,
    import_id: int,
    inserted: int,
    expected: int,
    context: Context,
) -> None:
    """Inside the load's transaction: one row per record, no unknown community, no code Excel changed.

    A key repeated in the file or already stored is refused next by the store itself
    (:class:`KeysNotUnique`), which every load meets; the careful way then names the rows.
    """
    if inserted != expected:
        raise _NeedsChecking("records are not lines")
    params = {"id": import_id}
    for column in table.columns:
        if column.references == "communities":
            unknown = queries.for_table("table_unknown_reference", table, column=column.name)
            if cur.execute(unknown, params | {"known": sorted(context.community_ids)}).fetchall():
                raise _NeedsChecking("an unknown community")
    if table.name == "communities":
        codes = queries.for_table("table_codes_with_e", table)
        if any(is_scientific_code(row[0]) for row in cur.execute(codes, params).fetchall()):
            raise _NeedsChecking("a code Excel changed")


def _load_directly(
    store: Store, report: FileReport, sheet: BulkSheet, match: HeaderMatch, context: Context
) -> pd.DataFrame | None:
    """Store a valid file straight from the CSV in one pass; None (and nothing stored) if it is not valid.

    The insert stops at the first record SQL cannot vouch for: a cell it did not decide or
    that is out of range, a required cell missing, a blank record, a date rule broken.
    Then the record count, the keys and the communities are checked on the inserted rows
    in the same transaction. Anything amiss and it is all rolled back: the careful way
    (:func:`_scan`) then finds every problem, with Python's verdicts.
    """
    table = match.table
    select, params = _direct_select(sheet, table, context)
    cur = sheet.cursor(store)
    expected = len(sheet.row_numbers)
    record = ImportRecord(report.file_name, report.sha256, table.name, report.mode, expected, 0)

    def verify(cur: Cursor, import_id: int, inserted: int) -> None:
        _verify_import(cur, table, import_id, inserted, expected, context)

    try:
        import_id = store.load_rows(cur, table, select, params, report.mode, record, verify)
    except (_NeedsChecking, ConcurrentLoad, KeysNotUnique):
        return None
    except DatabaseError:
        return None  # error('bulk: …'), or DuckDB refusing the file: the careful way sorts it out
    # The first 20 records, as stored: one insert keeps the file's order in rowid order.
    report.preview = _preview_from(cur, table, queries.for_table("table_first_rows", table), {"id": import_id})
    report.rows_valid = report.rows_loaded = expected
    report.loaded = True
    if table.name == "communities":
        query = queries.for_table("table_imported_communities", table)
        return _communities_frame(cur.execute(query, {"id": import_id}).fetchall())
    return pd.DataFrame(index=range(expected))


# ---- the careful way: every problem, with Python's verdicts ------------------------------------


def _scan(store: Store, sheet: BulkSheet, match: HeaderMatch) -> bool:
    """Parse the file into a temporary table, one row per record in file order (rowid = record index).

    ``v_<column>`` is the typed value, ``w_<column>`` the text as written where SQL did not
    decide it, which :func:`_settle` then gives to Python, and ``r_<column>`` the text as
    written, which problems quote. False when the file is not simple
    after all (DuckDB refused it, or its records are not its lines).
    """
    table = match.table
    parsed = _parse_sql(sheet, table)
    columns = [f"{value} as v_{name}" for name, value in parsed.values.items()]
    columns += [f"{text} as w_{name}" for name, text in parsed.deferred.items()]
    columns += [f"coalesce(c{position}, '') as r_{name}" for name, position in sheet.mapped.items()]
    relation = f"bulk_rows_{uuid.uuid4().hex}"
    sql = f"create temp table {relation} as select {', '.join(columns)}, {parsed.blank} as blank from ({parsed.source})"
    cur = sheet.cursor(store)
    try:
        cur.execute(sql, _bound(sql, parsed.params))
    except DatabaseError:
        return False  # whatever DuckDB refuses (ragged rows, odd quoting), the Python path reports
    sheet.relation = relation
    counts = ["count(*)", "count(*) filter (where blank)", *(f"count(w_{name})" for name in parsed.deferred)]
    total, blanks, *waiting = cur.execute(f"select {', '.join(counts)} from {relation}").fetchall()[0]
    if total != len(sheet.row_numbers) or blanks:
        return False  # blank records or quoted line breaks: row numbers would not be position + 2
    for name, count in zip(parsed.deferred, waiting, strict=True):
        if count and not _settle(sheet, cur, table.column(name)):
            return False
    return True


def _settle(sheet: BulkSheet, cur: Cursor, column: Column) -> bool:
    """Give every text SQL was unsure of to values.parse_cell: store what it accepts, keep what it refuses.

    False (nothing settled) when a text it accepts is one the Python path does more with:
    a reading the report counts as a notice (an Excel serial date, a month for a date), or a
    role naming a secretary who is also director (the loader sets ``also_director`` from it).
    """
    relation, name = sheet.relation, column.name
    query = f"select distinct w_{name} from {relation} where w_{name} is not null"
    texts = [row[0] for row in cur.execute(query).fetchall()]
    accepted: dict[str, object] = {}
    refused: dict[str, Invalid] = {}
    for text in texts:
        try:
            accepted[text] = parse_cell(text, column)
        except Invalid as problem:
            refused[text] = problem
    if any(_python_does_more(text, column, value) for text, value in accepted.items()):
        return False
    if accepted:
        cur.execute(
            f"update {relation} set v_{name} = m.v, w_{name} = null "
            f"from (select unnest($texts) as t, unnest($values)::{column.sql_type} as v) as m "
            f"where {relation}.w_{name} = m.t",
            {"texts": list(accepted), "values": list(accepted.values())},
        )
    if refused:
        rows = cur.execute(
            f"select rowid, w_{name} from {relation} where w_{name} is not null order by rowid"
        ).fetchall()
        for index, text in rows:
            failure = refused[text]
            sheet.parse_problems.append(Problem(failure.reason, index + 2, name, text, failure.params))
            sheet.failed.add((index, name))
    return True


def _python_does_more(text: str, column: Column, value: object) -> bool:
    """Whether the Python path does more with an accepted cell than store its value (see :func:`_settle`)."""
    return notice_for(text, column) is not None or (value == "secretary" and role_also_director(text))


# ---- validating and loading -------------------------------------------------------------


def _rows(
    sheet: BulkSheet, cur: Cursor, table: Table, where: str, params: dict[str, object] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """The rows matching ``where``, in file order: parsed and as written, as the Python path holds them."""
    values = [f"v_{c.name}" if c.name in sheet.mapped else f"null::{c.sql_type}" for c in table.columns]
    texts = [f"r_{c.name}" if c.name in sheet.mapped else "''" for c in table.columns]
    result = cur.execute(
        f"select rowid, {', '.join(values + texts)} from {sheet.relation} where {where} order by rowid", params or {}
    ).fetchall()
    indexes = [row[0] for row in result]
    width = len(table.columns)
    frame = pd.DataFrame({c.name: [row[i + 1] for row in result] for i, c in enumerate(table.columns)}, dtype=object)
    written = pd.DataFrame(
        {c.name: [row[width + i + 1] for row in result] for i, c in enumerate(table.columns)}, dtype=object
    )
    return frame, written, indexes


#: How many refused records are looked at for a total, note or repeated header row.
_LAYOUT_ROWS_CHECKED = 10_000


def _layout_rows(sheet: BulkSheet, cur: Cursor, table: Table, bad: list[int]) -> bool:
    """Whether a refused record is a row layout detection skips (小计/合计, 注：…, the header again).

    Such rows always break a rule here (no community code, or 合计 for one); the Python path
    skips them with a count instead of refusing the file, so the file goes there.
    """
    if not bad:
        return False
    params = {"bad": bad[:_LAYOUT_ROWS_CHECKED]}
    _, written, _ = _rows(sheet, cur, table, "rowid in (select unnest($bad::bigint[]))", params)
    headers = {clean_header(h).strip() for h in sheet.headers if h.strip()}
    for cells in written.itertuples(index=False, name=None):
        texts = [str(c or "") for c in cells]
        filled = {t.strip() for t in texts if t.strip()}
        if is_total_row(texts) or is_note_row(texts) or (filled and filled <= headers):
            return True
    return False


def _v(sheet: BulkSheet, name: str) -> str:
    return f"v_{name}" if name in sheet.mapped else "null"


def _required_problems(sheet: BulkSheet, cur: Cursor, table: Table) -> list[Problem]:
    required = [c.name for c in table.columns if c.required and c.name in sheet.mapped]
    if not required:
        return []
    frame, written, indexes = _rows(sheet, cur, table, " or ".join(f"v_{n} is null" for n in required))
    if not indexes:
        return []
    failed = {
        (position, name) for position, index in enumerate(indexes) for name in required if (index, name) in sheet.failed
    }
    return check_required(frame, written, table, [i + 2 for i in indexes], failed)


def _not_secretary_sql(also_director: str, role: str) -> str:
    """A staff row marked 一肩挑 whose role is read and is not secretary (loader.check_also_director)."""
    return f"(coalesce({also_director}, false) and {role} <> 'secretary')"


def _date_problems(sheet: BulkSheet, cur: Cursor, table: Table, today: dt.date) -> list[Problem]:
    """Rows that may break a date rule: dates after today, and for staff exits before hires, reasons alone
    or 一肩挑 without the secretary's role; loader.check_dates judges them."""
    conditions = [_future_sql(c, f"v_{c.name}") for c in table.columns if c.not_in_future and c.name in sheet.mapped]
    if table.name == "staff":
        hire, exit_, reason = (_v(sheet, n) for n in ("hire_date", "exit_date", "exit_reason"))
        conditions += [f"{exit_} < {hire}", f"({reason} is not null and {exit_} is null)"]
        conditions.append(_not_secretary_sql(_v(sheet, "also_director"), _v(sheet, "role")))
    if not conditions:
        return []
    frame, written, indexes = _rows(sheet, cur, table, " or ".join(conditions), {"today": today})
    if not indexes:
        return []
    apply_defaults(frame, table)
    return check_dates(frame, written, table, [i + 2 for i in indexes], today)


def _unique_problems(sheet: BulkSheet, cur: Cursor, table: Table, context: Context, append: bool) -> list[Problem]:
    """Rows whose key is repeated in the file or, on append, already stored; loader.check_unique judges them."""
    relation = sheet.relation
    candidates: set[int] = set()
    stored: set[tuple] = set()
    for label, columns in table.unique_checks:
        if any(c not in sheet.mapped for c in columns):
            continue  # an unmapped key column is empty in every row: nothing can repeat
        values = ", ".join(f"v_{c}" for c in columns)
        present = " and ".join(f"v_{c} is not null" for c in columns)
        on = " and ".join(f"r.v_{c} = k.v_{c}" for c in columns)
        candidates |= {
            row[0]
            for row in cur.execute(
                f"select r.rowid from {relation} as r semi join (select {values} from {relation} where {present} "
                f"group by all having count(*) > 1) as k on {on}"
            ).fetchall()
        }
        if append:
            on_stored = " and ".join(f"r.v_{c} = s.{c}" for c in columns)
            found = cur.execute(
                f"select r.rowid, {', '.join(f'r.v_{c}' for c in columns)} from {relation} as r "
                f"semi join main.{table.name} as s on {on_stored}"
            ).fetchall()
            candidates |= {row[0] for row in found}
            stored |= {tuple(row[1:]) if label == "key" else (label, *row[1:]) for row in found}
    if not candidates:
        return []
    frame, written, indexes = _rows(sheet, cur, table, "rowid in (select unnest($rows))", {"rows": sorted(candidates)})
    apply_defaults(frame, table)
    checked = Context(context.community_ids, {table.name: stored} if append else {}, context.today)
    return check_unique(frame, written, table, [i + 2 for i in indexes], checked)


def _reference_problems(sheet: BulkSheet, cur: Cursor, table: Table, context: Context) -> list[Problem]:
    columns = [c.name for c in table.columns if c.references == "communities" and c.name in sheet.mapped]
    if not columns:
        return []
    where = " or ".join(f"(v_{n} is not null and v_{n} not in (select unnest($known::varchar[])))" for n in columns)
    frame, written, indexes = _rows(sheet, cur, table, where, {"known": sorted(context.community_ids)})
    if not indexes:
        return []
    apply_defaults(frame, table)
    return check_references(frame, written, table, [i + 2 for i in indexes], context)


def _codes_to_repair(sheet: BulkSheet, cur: Cursor, table: Table, context: Context) -> bool:
    """Whether a community code is one the Python path repairs or refuses with a reason of its own:
    a code Excel wrote in scientific notation, or an unknown code that lost the leading zeros
    of a known one (values.is_scientific_code, values.restore_zeros)."""
    for column in table.columns:
        name = column.name
        if name not in sheet.mapped:
            continue
        if column.references == "communities":
            where = f"v_{name} is not null and v_{name} not in (select unnest($known::varchar[]))"
        elif table.name == "communities" and name == "community_id":
            where = f"contains(lower(v_{name}), 'e')"
        else:
            continue
        query = f"select distinct v_{name} from {sheet.relation} where {where}"
        params = _bound(query, {"known": sorted(context.community_ids)})
        texts = [row[0] for row in cur.execute(query, params).fetchall()]
        if any(is_scientific_code(t) or restore_zeros(t, context.community_ids) for t in texts):
            return True
    return False


def validate(sheet: BulkSheet, cur: Cursor, match: HeaderMatch, context: Context, append: bool) -> list[Problem]:
    """Every problem of the scanned file, as loader.validate reports them (same order)."""
    table = match.table
    problems = list(sheet.parse_problems)
    problems += _required_problems(sheet, cur, table)
    problems += _date_problems(sheet, cur, table, context.today)
    problems += _unique_problems(sheet, cur, table, context, append)
    problems += _reference_problems(sheet, cur, table, context)
    problems.sort(key=lambda p: (p.row or 0, table.column_names.index(p.column) if p.column else -1))
    return problems


def _communities_frame(rows: list[tuple]) -> pd.DataFrame:
    """The batch's known communities (code and name), as the loader takes them from a communities load."""
    return pd.DataFrame(
        {"community_id": [row[0] for row in rows], "community_name": [row[1] for row in rows]}, dtype=object
    )


def load_one(
    store: Store,
    report: FileReport,
    sheet: BulkSheet,
    match: HeaderMatch,
    context: Context,
    skip_invalid: bool,
    dry_run: bool = False,
) -> pd.DataFrame | object | None:
    """loader._load_one for a :class:`BulkSheet`: check, then store the valid rows from DuckDB.

    A valid file is stored in one pass (:func:`_load_directly`); any other, and every dry
    run, is parsed into a temporary table first (:func:`_scan`), checked, and its valid
    rows stored from there. Returns None when nothing is (or would be) stored, else a
    frame standing in for the typed rows: for communities their ``community_id`` and
    ``community_name`` columns (the batch's known communities), for other tables one empty
    row per stored row; or
    :data:`NOT_SIMPLE` when DuckDB found the file not simple after all.
    """
    if not dry_run:
        loaded = _load_directly(store, report, sheet, match, context)
        if loaded is not None:
            return loaded
    if not _scan(store, sheet, match):
        return NOT_SIMPLE
    table = match.table
    cur = sheet.cursor(store)
    if _codes_to_repair(sheet, cur, table, context):
        return NOT_SIMPLE
    problems = validate(sheet, cur, match, context, append=report.mode == "append")
    bad = sorted({p.row - 2 for p in problems if p.row is not None})
    if _layout_rows(sheet, cur, table, bad):
        return NOT_SIMPLE  # a 合计 row, a note or a repeated header: the Python path skips those, and says so
    report.problems += problems
    params: dict[str, object] = {}
    typed = ", ".join(_typed_sql(table, {n: f"v_{n}" for n in sheet.mapped}, params))
    report.preview = _preview_from(
        cur, table, f"select {typed} from {sheet.relation} where rowid < 20 order by rowid", params
    )
    report.rows_valid = len(sheet.row_numbers) - len(bad)
    if (problems and not skip_invalid) or report.rows_valid == 0:
        return None
    if bad:
        params["bad"] = bad
    where = " where rowid not in (select unnest($bad::bigint[]))" if bad else ""
    select = f"select {typed} from {sheet.relation}{where}"
    if table.name == "communities":
        query = f"select community_id, community_name from ({select})"
        result = _communities_frame(cur.execute(query, _bound(query, params)).fetchall())
    else:
        result = pd.DataFrame(index=range(report.rows_valid))
    if dry_run:
        return result
    return result if _store_valid_rows(store, report, cur, table, select, params) else None


def _store_valid_rows(
    store: Store,
    report: FileReport,
    cur: Cursor,
    table: Table,
    select: str,
    params: dict[str, object],
) -> bool:
    """Store the rows ``select`` yields as one import; whether they were stored (a refusal is in the report)."""
    record = ImportRecord(
        report.file_name, report.sha256, table.name, report.mode, report.rows_valid, report.rows_rejected
    )
    try:
        store.load_rows(cur, table, select, params, report.mode, record)
    except StoreError as error:
        if error.fault:  # the database, not this file: the whole load stops and says so once
            raise
        report.problems.append(Problem(error.reason, params=error.params))
        return False
    report.loaded, report.rows_loaded = True, report.rows_valid
    return True
