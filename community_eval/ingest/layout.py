"""Where the table is in a sheet as offices lay it out: the header row, and the rows that are not data.

Every format (CSV, .xlsx, .xls, .ods, an HTML table) comes here as the same thing: its
non-blank rows of text cells, each with its spreadsheet row number, and the merged ranges
of the sheet. :func:`detect` finds the header among the first rows (title rows, a
``填表单位：`` line and blank rows above it are skipped), joins a header written over two
rows (``办公用房`` merged over ``面积（㎡）`` and ``产权``), fills merged cells with their
top-left value, and skips the rows under the header that are not data: totals
(``小计``/``合计``/``总计``), notes (``注：``, ``填表人：``, ``联系电话：`` …) and the header
written again (two exports pasted together). What it did is recorded in :class:`Layout`, so
the report can say it ("表头在第 4 行，跳过第 1–3 行；跳过 1 行合计、2 行备注").

Everything here is a pure function of the rows: cells are never changed, except a merged
cell that receives its range's value.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import chain, islice

from community_eval.core.schema import TABLES, header_index, normalise_header

#: How many non-blank rows from the top of a sheet may hold the header.
HEADER_SEARCH_ROWS = 20
#: A header row matches at least this many columns of one table.
MIN_HEADER_MATCHES = 2

#: A merged range: first row, first column, last row, last column (1-based, inclusive).
MergedRange = tuple[int, int, int, int]
#: A non-blank row of a sheet: its spreadsheet row number and its cells as text.
Row = tuple[int, list[str]]


@dataclass
class Layout:
    """What the layout detection found and skipped in one sheet (all row numbers as the sheet shows them)."""

    kind: str = "table"  # "table" | "instructions" | "empty" (no header row found)
    header_rows: tuple[int, ...] = (1,)  # the header's rows (two for a header written over two rows)
    skipped_above: list[int] = field(default_factory=list)  # rows with content above the header
    #: units a line above the header gives for the whole table (``单位：万元`` -> ["万元"])
    units_above: list[str] = field(default_factory=list)
    #: the 栏次 row under a statistics table's header (``甲 乙 1 2 3 …``), skipped
    column_numbers: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)  # 小计/合计/总计 rows, skipped
    notes: list[int] = field(default_factory=list)  # 注：/说明：/填表人：/审核人：/联系电话：… rows, skipped
    repeated_headers: list[int] = field(default_factory=list)  # rows equal to the header, skipped
    merged_filled: int = 0  # data cells filled from a merged cell
    header_spaces_fixed: list[str] = field(default_factory=list)  # headers (as written) whose inner spaces went


@dataclass
class Detected:
    """A sheet's table as :func:`detect` found it: header texts, data columns and the rows' numbers.

    The data is kept by column (each as long as ``row_numbers``, a missing cell ``""``), not
    as a list per row: a list per row costs more than the cells in it, and the loader reads
    the table column by column anyway.
    """

    headers: list[str]
    columns: list[list[str]]  # data columns, as many as ``headers``
    row_numbers: Sequence[int]  # a range when the rows run on without a gap (see compact_numbers)
    layout: Layout


class RowRun(Sequence[int]):
    """Row numbers that run on without a gap, held as first and count: a list holds an int
    object per row, a tenth of what reading a big file costs. Equal to any sequence of the
    same numbers, so it reads as the list it stands for."""

    def __init__(self, first: int, count: int) -> None:
        self._numbers = range(first, first + count)

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: int | slice) -> int | list[int]:  # as a list's: a slice is a list
        found = self._numbers[index]
        return list(found) if isinstance(index, slice) else found

    def __iter__(self) -> Iterator[int]:
        return iter(self._numbers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(other) == len(self) and list(other) == list(self._numbers)

    __hash__ = None  # equal to a list, so unhashable like one

    def __repr__(self) -> str:
        return f"RowRun({self._numbers.start}, {len(self)})"


def compact_numbers(numbers: list[int]) -> Sequence[int]:
    """The rows' numbers as a :class:`RowRun` when they run on without a gap, as they mostly do.

    The numbers only increase (rows are read in order), so first and last tell whether any is missing.
    """
    if numbers and numbers[-1] - numbers[0] == len(numbers) - 1:
        return RowRun(numbers[0], len(numbers))
    return numbers


# ---- text --------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[0-9A-Za-z]")


def clean_header(text: str) -> str:
    """A header without the spaces, full-width spaces and line breaks inside it.

    ``性  别`` → ``性别``, ``政法\n（社会救助）`` → ``政法（社会救助）``. A space between two
    Latin letters or digits separates words (``community id``) and stays, as one space.
    Spaces around the header stay as written (matching ignores them), and so do brackets and
    units (``年度工作经费（万元）``).
    """
    inner = text.strip()
    if not _WHITESPACE.search(inner):
        return text
    parts = _WHITESPACE.split(inner)
    out = parts[0]
    for part in parts[1:]:
        if out and part and _ASCII_WORD.fullmatch(out[-1]) and _ASCII_WORD.fullmatch(part[0]):
            out += " "
        out += part
    start = text.index(inner[0])
    return text[:start] + out + text[start + len(inner) :]


def _key(text: str) -> str:
    """A cell's text as a header is compared: without whitespace anywhere."""
    return _WHITESPACE.sub("", text)


_NUMBER = re.compile(r"[+-]?(?:\d[\d,，]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def is_number(text: str) -> bool:
    """Whether a cell holds a number (``12``, ``1,234.5``, ``-3``, ``4.29E+11``, ``12%``)."""
    return bool(_NUMBER.fullmatch(text.strip()))


# ---- what a row is -----------------------------------------------------------------------

_TOTAL = re.compile(
    r"\D{0,15}?(?:小计|合计|总计|共计|subtotal|total|grandtotal)[:：]?(?:[（(][^）)]*[）)])?", re.IGNORECASE
)
_NOTE = re.compile(
    r"(?:注|附注|说明|备注|填表说明|填报说明|填表人|审核人|审批人|复核人|制表人|填报人|统计人|联系人|联系电话|电话"
    r"|单位负责人|负责人|统计负责人|填表日期|填报日期|制表日期|报送日期|数据来源|资料来源)\d{0,2}[:：]"
)


#: The characters a note can start with: most rows are told from notes by their first character.
_NOTE_FIRST = frozenset("注附说备填审复制统联电单负数资报")


def is_total_row(cells: Sequence[str]) -> bool:
    """A 小计/合计/总计 row: one of its cells before the first number says so (spaces inside ignored)."""
    for cell in cells:
        text = cell.strip()
        if not text:
            continue
        if is_number(text):
            return False
        if ("计" in text or "otal" in text.lower()) and _TOTAL.fullmatch(_key(text)):
            return True
    return False


def is_note_row(cells: Sequence[str]) -> bool:
    """A note under the table: its first cell starts with 注：, 说明：, 填表人：, 联系电话：, …"""
    for cell in cells:
        first = cell.lstrip()
        if first:
            return first[0] in _NOTE_FIRST and bool(_NOTE.match(_key(first)))
    return False


def _single_text(cells: Sequence[str]) -> bool:
    """Whether a row holds one text only (one cell, or one cell merged across): a note's next line."""
    texts = {cell.strip() for cell in cells if cell.strip()}
    return len(texts) == 1 and not is_number(next(iter(texts)))


_INSTRUCTION_WORDS = re.compile(
    r"说明|填表|填报|须知|选项|下拉|字典|参数|代码表|instruction|readme|read me|option|list|lookup|dictionary",
    re.IGNORECASE,
)


def is_instruction_sheet(title: str | None, first_cell: str) -> bool:
    """A sheet of instructions or of the options of a drop-down list, by its title or its first cell."""
    return any(bool(text) and bool(_INSTRUCTION_WORDS.search(text)) for text in (title, first_cell))


# ---- headers -----------------------------------------------------------------------------


@cache
def _indexes() -> tuple[dict[str, str], ...]:
    return tuple(header_index(table) for table in TABLES.values())


#: No alias is nearly this long: a longer text is not looked up (nor kept in the cache).
_LONGEST_KNOWN = 200


def _known(text: str) -> bool:
    """Whether a header text is an alias (or a name) of a column of any table."""
    return len(text) <= _LONGEST_KNOWN and _known_short(text)


@lru_cache(maxsize=4096)
def _known_short(text: str) -> bool:
    key = normalise_header(text)
    return any(key in index for index in _indexes())


def header_score(cells: Sequence[str]) -> int:
    """How many columns of one table a row's cells name, for the table they fit best."""
    keys = {normalise_header(clean_header(cell)) for cell in cells if cell.strip()}
    if len(keys) < MIN_HEADER_MATCHES:
        return 0
    return max(len({index[key] for key in keys if key in index}) for index in _indexes())


def _header_text(top: str, bottom: str) -> str:
    """The header of one column written over two rows: the text that names a known column.

    Joined (``办公用房`` + ``面积（㎡）``), else the lower part (``产权``), else the upper
    one; a cell merged down over both rows reads the same in both and counts once.
    """
    if not top or top == bottom:
        return bottom
    if not bottom:
        return top
    joined = top + bottom
    for candidate in (joined, bottom, top):
        if _known(candidate):
            return candidate
    return joined


def _joined(top: list[str], bottom: list[str]) -> list[str]:
    width = max(len(top), len(bottom))
    top = [clean_header(c).strip() for c in _pad(top, width)]
    bottom = [clean_header(c).strip() for c in _pad(bottom, width)]
    return [_header_text(t, b) for t, b in zip(top, bottom, strict=True)]


def _two_row_shape(top: list[str], bottom: list[str]) -> bool:
    """Whether two rows are laid out as one header: parts only under group cells.

    Under a cell that spans one column the lower row is empty, or repeats it (a cell merged
    down over both rows); a different text below must sit under a group cell: one merged
    across (its neighbour reads the same) or, without merges (a CSV), followed by empty
    cells above parts. Neither row holds a number, as data rows do.
    """
    width = max(len(top), len(bottom))
    top = [c.strip() for c in _pad(top, width)]
    bottom = [c.strip() for c in _pad(bottom, width)]
    if any(is_number(c) for c in bottom if c) or any(is_number(c) for c in top if c):
        return False
    for col, (above, below) in enumerate(zip(top, bottom, strict=True)):
        if not below or not above or above == below:
            continue
        left = top[col - 1] if col > 0 else None
        right = top[col + 1] if col + 1 < width else None
        group = above in (left, right) or (right == "" and bottom[col + 1] != "")
        if not group:
            return False
    return True


def _pad(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells)) if len(cells) < width else cells


# ---- merged cells ------------------------------------------------------------------------


def fill_merged(rows: list[Row], merged: Sequence[MergedRange]) -> tuple[list[Row], set[tuple[int, int]]]:
    """The rows with every merged range filled with its top-left value, and the cells filled.

    Only rows with content as written are filled (a range reaching into blank rows does not
    make them rows), and only as far right as the row's own cells go or the range's value
    sits: a range declared over the whole sheet costs no more than the rows it meets.
    Filled positions are ``(row number, 0-based column)``.
    """
    if not merged or not rows:
        return rows, set()
    numbers = [number for number, _ in rows]
    position = {number: i for i, number in enumerate(numbers)}
    out = list(rows)
    copied: set[int] = set()
    filled: set[tuple[int, int]] = set()
    width = max(len(cells) for _, cells in rows)
    budget = 4 * sum(len(cells) for _, cells in rows) + 1000  # overlapping ranges in a damaged file
    for first_row, first_col, last_row, last_col in merged:
        if first_row > last_row or first_col > last_col or first_col < 1 or first_row not in position:
            continue
        anchor = out[position[first_row]][1]
        value = anchor[first_col - 1] if first_col - 1 < len(anchor) else ""
        if not value.strip():
            continue
        last_col = min(last_col, max(width, first_col))
        start = bisect.bisect_left(numbers, first_row)
        stop = bisect.bisect_right(numbers, last_row)
        for i in range(start, stop):
            number, cells = out[i]
            for col in range(first_col - 1, last_col):
                if (number, col) == (first_row, first_col - 1):
                    continue
                budget -= 1
                if budget < 0:
                    return out, filled
                if i not in copied:
                    cells = _pad(list(cells), last_col)
                    out[i] = (number, cells)
                    copied.add(i)
                elif len(cells) < last_col:
                    cells.extend([""] * (last_col - len(cells)))
                cells[col] = value  # what Excel shows there, whatever the file kept under the range
                filled.add((number, col))
    return out, filled


# ---- the whole sheet ---------------------------------------------------------------------


_UNIT_LINE = re.compile(
    r"(?:^|[\s（(])(?:计量|金额|货币|数量|面积|人口)?单位\s*[:：]\s*([^\s，,；;）)]+(?:\s*[、,，/]\s*[^\s，,；;）)]+)*)"
)


def units_in_line(cells: Sequence[str]) -> list[str]:
    """The units a line above a table gives (``单位：万元``, ``金额单位：万元、人``), as written.

    Statistical tables often state their unit once above the header instead of in it; the
    loader must not read the numbers below as if no unit had been written.
    """
    found = []
    for match in _UNIT_LINE.finditer(" ".join(cells)):
        found += [part.strip() for part in re.split(r"[、,，/]", match.group(1)) if part.strip()]
    return found


def detect(rows: Iterable[Row], merged: Sequence[MergedRange] = (), title: str | None = None) -> Detected:
    """Find the table in a sheet's non-blank rows (in order, with their row numbers).

    The header is the row among the first :data:`HEADER_SEARCH_ROWS` that names the most
    columns of one table (at least :data:`MIN_HEADER_MATCHES`; the first on ties), joined
    with the row above or below it when the two are one header written over two rows.
    Without such a row the sheet is ``instructions`` (by its title or first cell) or
    ``empty``, and its first row is given as the header, as written, so a report can show it.

    ``rows`` may be a generator: only the rows where the header may be are held at once
    (all of them when there are merged ranges to fill), so a reader that bounds its rows as
    it makes them bounds the whole sheet.
    """
    filled: set[tuple[int, int]] = set()
    if merged:
        rows, filled = fill_merged(list(rows), merged)
    stream = iter(rows)
    head = list(islice(stream, HEADER_SEARCH_ROWS + 1))  # a two-row header may end one row further
    if not head:
        return Detected([], [], [], Layout(kind="empty", header_rows=()))
    found = _find_header(head)
    if found is None:
        first_cell = next((c for c in head[0][1] if c.strip()), "")
        kind = "instructions" if is_instruction_sheet(title, first_cell) else "empty"
        return _table(head, stream, filled, (0,), kind, skip=False)
    return _table(head, stream, filled, found, "table", skip=True)


def _find_header(rows: list[Row]) -> tuple[int, ...] | None:
    """Positions in ``rows`` of the header's row, or of its two rows."""
    scores = [header_score(cells) for _, cells in rows[:HEADER_SEARCH_ROWS]]
    best = max(scores, default=0)
    if best < MIN_HEADER_MATCHES:
        return None
    at = scores.index(best)
    pairs = []
    for top in (at - 1, at):
        bottom = top + 1
        if top < 0 or bottom >= len(rows) or rows[bottom][0] != rows[top][0] + 1:
            continue
        if not _two_row_shape(rows[top][1], rows[bottom][1]):
            continue
        score = header_score(_joined(rows[top][1], rows[bottom][1]))
        if score > best:
            pairs.append((score, -top, (top, bottom)))
    return max(pairs)[2] if pairs else (at,)


class _Columns:
    """Data rows gathered as columns: each row's cells go to its columns, shorter rows are filled with ""."""

    def __init__(self) -> None:
        self.columns: list[list[str]] = []
        self.numbers: list[int] = []
        self.width = 0  # 1 + the last column with content in any row

    def add(self, number: int, cells: list[str]) -> None:
        columns = self.columns
        count = len(self.numbers)
        while len(columns) < len(cells):
            columns.append([""] * count)
        for column, cell in zip(columns, cells, strict=False):
            column.append(cell)
        for column in columns[len(cells) :]:
            column.append("")
        self.numbers.append(number)
        self.width = max(self.width, _last_content(cells))

    def cut(self, width: int) -> list[list[str]]:
        """Exactly ``width`` columns: those past it dropped (nothing there but spaces), missing ones empty."""
        count = len(self.numbers)
        return self.columns[:width] + [[""] * count for _ in range(width - len(self.columns))]


def _table(
    head: list[Row], rest: Iterator[Row], filled: set[tuple[int, int]], at: tuple[int, ...], kind: str, skip: bool
) -> Detected:
    """The table whose header is at ``at`` in ``head``; the rows below it (the rest of ``head``, then
    ``rest``) are data, or skipped as 栏次, repeated header, note or total when ``skip``."""
    header_cells = [head[i][1] for i in at]
    written = _joined(header_cells[0], header_cells[1]) if len(at) == 2 else [clean_header(c) for c in header_cells[0]]
    layout = Layout(kind=kind, header_rows=tuple(head[i][0] for i in at))
    layout.skipped_above = [number for number, _ in head[: at[0]]]
    layout.units_above = [unit for _, cells in head[: at[0]] for unit in units_in_line(cells)]
    raw_headers = []
    for cells in header_cells:
        keys = [_key(c) for c in cells]
        first = next((i for i, key in enumerate(keys) if key), None)
        if first is not None:
            raw_headers.append((first, keys))
    following = chain(head[at[-1] + 1 :], rest)
    if skip:
        first_row = next(following, None)
        if first_row is not None and is_column_number_row(first_row[1]):
            layout.column_numbers.append(first_row[0])
        elif first_row is not None:
            following = chain([first_row], following)
    body = _Columns()
    after_note = False
    for number, cells in following:
        if skip:
            if _repeats_header(cells, raw_headers):
                layout.repeated_headers.append(number)
                after_note = False
                continue
            if is_note_row(cells) or (after_note and _single_text(cells)):
                layout.notes.append(number)
                after_note = True
                continue
            after_note = False
            if is_total_row(cells):
                layout.totals.append(number)
                continue
        body.add(number, cells)
    width = max(_last_content(written), body.width)
    headers = _pad(written, width)[:width]
    for col in range(width):
        for cells in header_cells:
            original = cells[col] if col < len(cells) else ""
            if clean_header(original) != original and original not in layout.header_spaces_fixed:
                layout.header_spaces_fixed.append(original)
    if filled:
        kept = set(body.numbers)
        layout.merged_filled = sum(1 for number, col in filled if number in kept and col < width)
    return Detected(headers, body.cut(width), compact_numbers(body.numbers), layout)


_STEMS = "甲乙丙丁戊己庚辛壬癸"


def is_column_number_row(cells: Sequence[str]) -> bool:
    """The 栏次 row statistics tables put under the header: ``甲 乙 … 1 2 3 …`` numbering the columns.

    At least three cells, the letters 甲乙丙… in order first, then 1, 2, 3 … in order: a row
    of data never reads like that, and loading it would make 甲 a community code.
    """
    filled = [c.strip() for c in cells if c.strip()]
    if len(filled) < 3:
        return False
    stems = [c for c in filled if c in _STEMS]
    digits = filled[len(stems) :]
    return (
        list(_STEMS[: len(stems)]) == stems
        and all(d.isdigit() for d in digits)
        and [int(d) for d in digits] == list(range(1, len(digits) + 1))
    )


def _repeats_header(cells: list[str], headers: list[tuple[int, list[str]]]) -> bool:
    """Whether a row is one of the header's rows written again (its cells, spaces aside).

    ``headers`` holds each header row's cells without spaces, with the position of its
    first cell with content, compared first so that a data row costs one comparison.
    """
    for first, header in headers:
        if first >= len(cells) or _key(cells[first]) != header[first]:
            continue
        width = max(len(header), len(cells))
        if [_key(c) for c in _pad(cells, width)] == _pad(header, width):
            return True
    return False


def _last_content(cells: Sequence[str]) -> int:
    """1 + the position of the last cell with content (0 when none)."""
    for i in range(len(cells) - 1, -1, -1):
        if cells[i].strip():
            return i + 1
    return 0
