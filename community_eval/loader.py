"""Loading files into the store through the data contract.

A load is: read the file (every sheet, its layout found), match each sheet to a table by
its headers and their units, parse every cell, check every rule of the contract, then
either store the rows in one transaction or store nothing. Sheets of one workbook that
map to the same table load together as one import. The result is a :class:`FileReport`
per import that says what was mapped, converted, skipped and ignored, and every problem
by sheet, row, column and value, which the page and the command line print.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from community_eval import questionnaire, repairs
from community_eval.layout import HEADER_SEARCH_ROWS, Layout
from community_eval.reader import ReadError, Sheet, object_array, read_bytes
from community_eval.schema import TABLES, Column, Kind, Table, header_index, normalise_header
from community_eval.store import ImportRecord, Store, StoreError
from community_eval.units import (
    UNIT_WORDS,
    Conversion,
    UnitRefused,
    conversion,
    fold_unit,
    strip_glued_unit,
    strip_units,
)
from community_eval.values import parse_column

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
MODES = ("append", "replace")
LIKERT_ORDERS = repairs.LIKERT_ORDERS


@dataclass
class Problem:
    """One thing wrong with a file or a row; ``reason`` is a locale key, ``params`` fill it in.

    ``row`` is the spreadsheet's own row number; ``sheet`` names the worksheet when the
    import gathers several, so a problem reads ``Sheet!row`` as Excel users write it.
    """

    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, object] = field(default_factory=dict)
    sheet: str | None = None

    @property
    def where(self) -> str:
        """``12`` or ``街道一!12``: where the user finds the row."""
        if self.row is None:
            return ""
        return f"{self.sheet}!{self.row}" if self.sheet else str(self.row)


@dataclass
class Notice:
    """Something the loader did to a value that the user must hear about (a conversion, a guess it
    could make safely); ``key`` is a locale key under ``notice``, ``count`` how many cells."""

    key: str
    column: str | None = None
    count: int = 0
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class SheetReport:
    """What happened to one worksheet (or the one table of a CSV): its layout and where it went."""

    title: str | None
    kind: str  # "table", "instructions", "empty", or "unmatched" (a table that fits none of ours)
    table: str | None = None
    rows: int = 0
    layout: Layout | None = None  # header rows, rows skipped above, totals, notes …


@dataclass
class FileReport:
    """What happened to one import: a file, or the sheets of a workbook that map to one table."""

    file_name: str
    sha256: str
    table: str | None = None
    mode: str = "append"
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    unnamed: list[int] = field(default_factory=list)
    rows_total: int = 0
    rows_loaded: int = 0
    problems: list[Problem] = field(default_factory=list)
    loaded: bool = False
    encoding: str | None = None
    preview: pd.DataFrame | None = None
    rows_valid: int = 0
    sheets: list[SheetReport] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    #: header as written -> how its numbers were converted (``×10,000``, ``÷60``)
    conversions: dict[str, str] = field(default_factory=dict)
    #: header as written -> the column it helps with without being stored (a community name)
    helpers: dict[str, str] = field(default_factory=dict)
    #: column -> the one value given for every row (``--set``)
    set_values: dict[str, str] = field(default_factory=dict)
    #: survey answers written as bare numbers: code -> rows, when their direction is asked for
    likert_codes: dict[str, int] = field(default_factory=dict)
    #: a questionnaire export: how it was read (its platform, questionnaire key and mapping)
    plan: questionnaire.Plan | None = None
    #: columns of a questionnaire export dropped unread: IP, location, account, phone, open text
    dropped_private: list[str] = field(default_factory=list)
    #: the researcher's own questions loaded as items of the questionnaire
    items_loaded: int = 0

    @property
    def rows_rejected(self) -> int:
        return len({(p.sheet, p.row) for p in self.problems if p.row is not None})

    @property
    def file_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.row is None]


@dataclass
class Source:
    """A file to load: its name as the user gave it, and its bytes.

    ``path`` is where the bytes came from, when they came from disk: the fast path for big
    CSV files (:mod:`community_eval.bulk`) lets DuckDB read the file there rather than a copy.
    """

    name: str
    data: bytes
    path: Path | None = None

    @classmethod
    def from_path(cls, path: str | Path) -> Source:
        path = Path(path)
        return cls(path.name, path.read_bytes(), path)


@dataclass
class Options:
    """What the user told the loader beyond the files: one value for a missing column
    (``--set district=仙桃市``) and the direction of numeric answer codes."""

    set_values: dict[str, str] = field(default_factory=dict)
    likert_order: str | None = None
    #: a questionnaire export's mapping as the user changed it (``--mapping FILE`` or the page's table)
    mapping: dict[str, object] | None = None


# ---- matching headers to a table ---------------------------------------------------------


@dataclass
class HeaderMatch:
    table: Table
    mapping: dict[int, str]  # header position -> column name
    ignored: list[str]
    missing: list[str]
    duplicated: list[str]
    unnamed: list[int] = field(default_factory=list)  # 1-based positions of columns without a header
    conversions: dict[int, Conversion] = field(default_factory=dict)  # header position -> unit conversion
    refused_units: list[tuple[str, str, str]] = field(default_factory=list)  # (header, unit, column)
    name_position: int | None = None  # a community-name column beside a community code
    set_columns: dict[str, str] = field(default_factory=dict)  # column -> the value given for every row
    plan: questionnaire.Plan | None = None  # a 问卷星 / 腾讯问卷 export: read through its mapping

    @property
    def score(self) -> tuple[int, int]:
        required = set(self.table.required_columns)
        return (len(required & set(self.mapping.values())) - len(self.missing) * 2, len(self.mapping))

    @property
    def plain(self) -> bool:
        """Nothing to convert, repair or fill in: what the DuckDB fast path can take."""
        return not (self.conversions or self.refused_units or self.set_columns or self.name_position is not None)


def _column_for(header: str, index: dict[str, str]) -> str | None:
    """The column a header names, once its unit (bracketed, after a slash, or glued on) is set aside."""
    column = index.get(normalise_header(strip_units(header)))
    if column is None:
        glued = strip_glued_unit(header)
        if glued is not None:
            column = index.get(normalise_header(glued[0]))
    return column


def match_headers(headers: list[str], table: Table, set_values: dict[str, str] | None = None) -> HeaderMatch:
    """Map each header to a column of ``table`` by the contract's aliases, reading its unit."""
    index = header_index(table)
    names = repairs.name_headers() if any(c.references for c in table.columns) else set()
    match = HeaderMatch(table, {}, [], [], [])
    for position, header in enumerate(headers):
        column = _column_for(header, index)
        if not header.strip():
            match.unnamed.append(position + 1)
        elif column is None:
            if match.name_position is None and normalise_header(strip_units(header)) in names:
                match.name_position = position
            else:
                match.ignored.append(header)
        elif column in match.mapping.values():
            match.duplicated.append(header)
        else:
            match.mapping[position] = column
            _read_unit(match, position, header, table.column(column))
    mapped = set(match.mapping.values())
    match.set_columns = {c: v for c, v in (set_values or {}).items() if c in table.column_names and c not in mapped}
    match.missing = [c for c in table.required_columns if c not in mapped and c not in match.set_columns]
    return match


def _read_unit(match: HeaderMatch, position: int, header: str, column: Column) -> None:
    try:
        conv = conversion(column, header)
    except UnitRefused as refused:
        match.refused_units.append((header, refused.unit, column.name))
        return
    if conv is not None:
        match.conversions[position] = conv


def choose_table(
    headers: list[str], table_name: str | None = None, set_values: dict[str, str] | None = None
) -> HeaderMatch | None:
    """The table whose columns the headers fit best, or the named one; None if none fits.

    A table all of whose required columns are present wins. Failing that, a table most of
    whose required columns are present (at least two, and at least half) is still chosen,
    so the user hears which column is missing rather than that the file fits nothing.
    """
    if table_name is not None:
        return match_headers(headers, TABLES[table_name], set_values)
    matches = [match_headers(headers, table, set_values) for table in TABLES.values()]
    complete = [m for m in matches if not m.missing]
    if complete:
        return max(complete, key=lambda m: m.score)
    plausible = [m for m in matches if _mostly_there(m)]
    return max(plausible, key=lambda m: m.score) if plausible else None


def _mostly_there(match: HeaderMatch) -> bool:
    found = len(match.table.required_columns) - len(match.missing)
    return found >= 2 and found * 2 >= len(match.table.required_columns)


# ---- validating rows ---------------------------------------------------------------------


@dataclass
class Context:
    """What validation needs to know beyond the file: stored keys and known communities."""

    community_ids: set[str]
    stored_keys: dict[str, set[tuple]]
    today: dt.date
    #: community name -> the codes of the communities of that name (to read a code Excel mangled)
    community_names: dict[str, list[str]] = field(default_factory=dict)
    #: code -> name of every known community
    communities: dict[str, str] = field(default_factory=dict)


def stored_keys(store: Store, table: Table) -> set[tuple]:
    """The key tuples (and unique values) already stored, to refuse duplicates on append.

    Read under the dataset's write lock (see :func:`ingest`): read earlier, a load that
    commits in between is not seen, and its keys would be stored twice.
    """
    keys: set[tuple] = set()
    with store.cursor() as cur:
        for label, columns in table.unique_checks:
            present = " and ".join(f"{c} is not null" for c in columns)
            found = cur.execute(f"select distinct {', '.join(columns)} from {table.name} where {present}").fetchall()
            keys |= {tuple(row) if label == "key" else (label, *row) for row in found}
    return keys


@dataclass
class Parsed:
    """The rows of one import, parsed: by position (sheets one after another).

    ``written`` holds the same cells as written (every problem quotes the cell as the user
    wrote it, not our reading of it); ``failed`` the (position, column) cells that could
    not be read, so they are not reported again as missing; ``labels`` each position's
    (sheet, spreadsheet row); problems carry positions until :func:`_relabel`.
    """

    frame: pd.DataFrame
    written: pd.DataFrame
    labels: Sequence[tuple[str | None, int]]
    names: list[str] = field(default_factory=list)  # a community-name column beside the code, or ""
    problems: list[Problem] = field(default_factory=list)
    failed: set[tuple[int, str]] = field(default_factory=set)
    notices: list[Notice] = field(default_factory=list)
    converted: questionnaire.Converted | None = None  # a questionnaire export's own reading


class RowLabels(Sequence[tuple[str | None, int]]):
    """Each position's (sheet, spreadsheet row), made when asked: a tuple per row cost more than its cells."""

    def __init__(self, sheet: str | None, numbers: list[int]) -> None:
        self.sheet, self.numbers = sheet, numbers

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index: int | slice) -> tuple[str | None, int] | list[tuple[str | None, int]]:
        if isinstance(index, slice):
            return [(self.sheet, number) for number in self.numbers[index]]
        return self.sheet, self.numbers[index]

    def __iter__(self) -> Iterator[tuple[str | None, int]]:
        return zip(repeat(self.sheet), self.numbers, strict=False)


def _parse(sheet: Sheet, match: HeaderMatch, label: str | None) -> Parsed:
    """Parse every mapped column of one sheet (units converted); unmapped optional columns are empty.

    The cells as written are the sheet's own arrays, not copies, and each column's values
    become an array as soon as parsed: a big file's table is held about twice (as written,
    and parsed), never as lists and frames of the same cells at once.
    """
    rows = len(sheet.cells)
    parsed: dict[str, np.ndarray] = {}
    written: dict[str, np.ndarray] = {}
    result = Parsed(pd.DataFrame(), pd.DataFrame(), RowLabels(label, sheet.row_numbers))
    by_column = {column: position for position, column in match.mapping.items()}
    blank = None  # one array of "" for every column the file lacks: the written cells are only read
    for column in match.table.columns:
        if column.name in match.set_columns:
            values, texts = _set_column(result, column, match.set_columns[column.name], rows)
            parsed[column.name], written[column.name] = object_array(values), object_array(texts)
            continue
        if column.name not in by_column:
            blank = object_array([""] * rows) if blank is None else blank
            parsed[column.name], written[column.name] = object_array([None] * rows), blank
            continue
        position = by_column[column.name]
        raw = _text_column(sheet.cells[position])
        conv = match.conversions.get(position)
        values, failures = repairs.parse_converted(raw, column, conv) if conv else parse_column(raw, column)
        parsed[column.name], written[column.name] = object_array(values), raw.to_numpy(dtype=object)
        del values  # the list, now an array: let it go before the next column is parsed
        for index, failure in failures.items():
            result.failed.add((index, column.name))
            result.problems.append(Problem(failure.reason, index, column.name, raw.iat[index], failure.params))
        result.notices += repairs.value_notices(raw, column, failures, sheet.headers[position], conv)
    if match.name_position is not None:
        result.names = _text_column(sheet.cells[match.name_position]).tolist()
    else:
        result.names = [""] * rows
    result.frame = pd.DataFrame(parsed, index=pd.RangeIndex(rows), dtype=object, copy=False)
    result.written = pd.DataFrame(written, index=pd.RangeIndex(rows), dtype=object, copy=False)
    return result


def _parse_questionnaire(sheet: Sheet, match: HeaderMatch, label: str | None, context: Context) -> Parsed:
    """Parse a questionnaire export through its mapping (questionnaire.convert reads every answer).

    The parsed columns are the converted ones; the written ones are the answers as the file
    has them, so every problem quotes the cell as the respondent's platform wrote it.
    """
    plan = match.plan
    assert plan is not None
    rows = len(sheet.cells)
    converted = questionnaire.convert(sheet.headers, sheet.cells, plan.mapping, context.communities, plan.key)
    result = Parsed(pd.DataFrame(), pd.DataFrame(), RowLabels(label, sheet.row_numbers), converted=converted)
    by_column = {column: position for position, column in match.mapping.items()}
    parsed: dict[str, np.ndarray] = {}
    written: dict[str, np.ndarray] = {}
    blank = object_array([""] * rows)
    for column in match.table.columns:
        prepared = converted.prepared.get(column.name)
        parsed[column.name] = object_array(prepared if prepared is not None else [None] * rows)
        position = by_column.get(column.name)
        as_written = blank if position is None else _text_column(sheet.cells[position]).to_numpy(dtype=object)
        written[column.name] = as_written
    if "response_id" not in converted.prepared:  # the export's own number was dropped: its row number stands in
        ids = [f"{plan.key}-r{number}" for number in sheet.row_numbers]
        parsed["response_id"] = object_array(ids)
    for position, column, value, reason, params in converted.problems:
        result.failed.add((position, column))
        result.problems.append(Problem(reason, position, column, value, params))
    for position, unrated in enumerate(converted.prepared.get("__unrated__", [])):
        if unrated:
            result.failed.add((position, "overall"))  # left out below, with a count: not a missing answer
    result.notices += [Notice(key, column, count, params) for key, column, count, params in converted.notices]
    result.names = [""] * rows
    result.frame = pd.DataFrame(parsed, index=pd.RangeIndex(rows), dtype=object, copy=False)
    result.written = pd.DataFrame(written, index=pd.RangeIndex(rows), dtype=object, copy=False)
    return result


def _text_column(cells: pd.Series) -> pd.Series:
    """A column of cells as text: the reader's columns are text already (object arrays of str), and
    stay so; ``astype(str)`` would copy them into pandas' string type and back into new objects."""
    return cells if cells.dtype == object else cells.astype(str).astype(object)


def _set_column(result: Parsed, column: Column, text: str, rows: int) -> tuple[list[object], list[str]]:
    """The one value the user gave for a column the file lacks, parsed once, for every row."""
    from community_eval.values import Invalid, parse_cell

    try:
        value = parse_cell(text, column)
    except Invalid as invalid:
        result.problems.append(
            Problem(
                "set_value_invalid",
                None,
                column.name,
                text,
                {"column": column.name, "value": text, "why": invalid.reason},
            )
        )
        value = None
        result.failed |= {(position, column.name) for position in range(rows)}  # said once, not per row
    else:
        result.notices.append(Notice("set_value", column.name, rows, {"column": column.name, "value": text}))
    return [value] * rows, [text] * rows


def _combine(parts: list[Parsed]) -> Parsed:
    """Several sheets' rows as one import: positions run on from one sheet to the next."""
    if len(parts) == 1:
        return parts[0]
    combined = Parsed(
        pd.concat([p.frame for p in parts], ignore_index=True),
        pd.concat([p.written for p in parts], ignore_index=True),
        [label for p in parts for label in p.labels],
        [name for p in parts for name in p.names],
    )
    offset = 0
    for part in parts:
        for problem in part.problems:
            if problem.row is not None:
                problem.row += offset
            combined.problems.append(problem)
        combined.failed |= {(index + offset, column) for index, column in part.failed}
        offset += len(part.frame)
    combined.notices = repairs.merge_notices([n for p in parts for n in p.notices])
    return combined


def _relabel(problems: list[Problem], labels: list[tuple[str | None, int]]) -> None:
    """Positions become the sheet and spreadsheet row the user sees (also a duplicate's first row)."""
    for problem in problems:
        if problem.row is None:
            continue
        problem.sheet, problem.row = labels[problem.row]
        first = problem.params.get("first")
        if isinstance(first, int):
            sheet, row = labels[first]
            problem.params["first"] = f"{sheet}!{row}" if sheet else row


def check_required(
    frame: pd.DataFrame, written: pd.DataFrame, table: Table, rows: Sequence[int], failed: set[tuple]
) -> list[Problem]:
    """Required cells left empty (blank or only spaces), unless already reported as unreadable."""
    problems = []
    for column in table.columns:
        if not column.required:
            continue
        for position in frame.index[frame[column.name].isna()]:
            if (position, column.name) not in failed:
                problems.append(Problem("required", rows[position], column.name, written[column.name].iat[position]))
    return problems


def apply_defaults(frame: pd.DataFrame, table: Table) -> None:
    """Fill the contract's defaults into empty optional cells, in place."""
    for column in table.columns:
        if column.default is not None:
            frame[column.name] = frame[column.name].where(frame[column.name].notna(), column.default)


def check_dates(
    frame: pd.DataFrame, written: pd.DataFrame, table: Table, rows: Sequence[int], today: dt.date
) -> list[Problem]:
    """Nothing dated after today; for staff, an exit not before the hire and a reason only with an exit,
    and 一肩挑 only for a secretary (:func:`check_also_director`). The bulk path hands its suspect rows here."""
    problems = []
    for column in table.columns:
        if column.not_in_future:
            # a month is its first day, so this is "not after the current month"; a year (int): the current year
            latest = today.year if column.kind is Kind.INT else today
            for position, value in frame[column.name].items():
                if value is not None and value > latest:
                    problems.append(
                        Problem("in_future", rows[position], column.name, written[column.name].iat[position])
                    )
    if table.name == "staff":
        for position, (hire, exit_, reason) in frame[["hire_date", "exit_date", "exit_reason"]].iterrows():
            if hire is not None and exit_ is not None and exit_ < hire:
                shown = written["exit_date"].iat[position]
                problems.append(Problem("exit_before_hire", rows[position], "exit_date", shown, {"hire": hire}))
            if reason is not None and exit_ is None:
                shown = written["exit_reason"].iat[position]
                problems.append(Problem("reason_without_exit", rows[position], "exit_reason", shown))
        problems += check_also_director(frame, written, rows)
    return problems


def check_also_director(frame: pd.DataFrame, written: pd.DataFrame, rows: Sequence[int]) -> list[Problem]:
    """Staff: also_director (一肩挑) only with role secretary; a role not read is reported already."""
    problems = []
    for position, (role, also) in frame[["role", "also_director"]].iterrows():
        if role not in (None, "secretary") and also is not None and bool(also):
            shown = written["also_director"].iat[position]
            problems.append(Problem("also_director_not_secretary", rows[position], "also_director", shown))
    return problems


def check_unique(
    frame: pd.DataFrame, written: pd.DataFrame, table: Table, rows: Sequence[int], context: Context
) -> list[Problem]:
    """Keys must be unique within the file and, on append, against what is stored.

    pandas finds the rows whose key repeats; only those, and on append the rows' keys one at
    a time, become Python tuples: a set of every key of a big file cost more than its cells.
    """
    problems = []
    stored = context.stored_keys.get(table.name, set())
    for label, names in table.unique_checks:
        columns = list(names)  # a list: pandas reads a tuple as one column's name
        keys = frame[columns]
        complete = keys.notna().all(axis=1).to_numpy()
        repeated = complete & keys.duplicated(keep=False).to_numpy()
        found: list[tuple[int, Problem]] = []

        def shown(position: int, columns: list[str] = columns) -> str:
            return " / ".join(str(v) for v in written[columns].iloc[position])

        first_seen: dict[tuple, int] = {}
        for position, key in _keys_at(keys, repeated):
            if key in first_seen:
                first = {"first": first_seen[key]}
                found.append(
                    (position, Problem("duplicate_in_file", rows[position], columns[-1], shown(position), first))
                )
            else:
                first_seen[key] = rows[position]
        if stored:
            firsts = complete & ~keys.duplicated(keep="first").to_numpy()  # a repeat is reported once, above
            for position, values in _keys_at(keys, firsts):
                key = values if label == "key" else (label, *values)
                if key in stored:
                    found.append(
                        (position, Problem("duplicate_in_store", rows[position], columns[-1], shown(position)))
                    )
        problems += [problem for _, problem in sorted(found, key=lambda item: item[0])]
    return problems


def _keys_at(keys: pd.DataFrame, mask: np.ndarray) -> Iterator[tuple[int, tuple]]:
    """(position, key tuple) of the rows ``mask`` selects, made one at a time."""
    positions = np.flatnonzero(mask)
    return zip(positions.tolist(), keys.iloc[positions].itertuples(index=False, name=None), strict=True)


def check_references(
    frame: pd.DataFrame, written: pd.DataFrame, table: Table, rows: Sequence[int], context: Context
) -> list[Problem]:
    """Every community a row names is stored, or loaded in the same batch."""
    problems = []
    for column in table.columns:
        if column.references != "communities":
            continue
        for position, value in frame[column.name].items():
            if value is not None and value not in context.community_ids:
                shown = written[column.name].iat[position]
                problems.append(Problem("unknown_community", rows[position], column.name, shown))
    return problems


def validate(members: list[tuple[Sheet, HeaderMatch]], context: Context, options: Options | None = None) -> Parsed:
    """Parse and check every row of an import's sheets; problems end up sorted and labelled.

    Order matters: codes Excel mangled are repaired before the required check (a code
    refused as mangled is reported once), defaults before the staff rules, and answer
    codes are turned the way the user said before anything reads them.
    """
    options = options or Options()
    table = members[0][1].table
    multi = len(members) > 1
    result = _combine(
        [
            _parse_questionnaire(sheet, match, sheet.sheet_title if multi else None, context)
            if match.plan is not None
            else _parse(sheet, match, sheet.sheet_title if multi else None)
            for sheet, match in members
        ]
    )
    # Problems are made by position and labelled with (sheet, row) at the end: a range, not a list of ints.
    frame, written, positions = result.frame, result.written, range(len(result.frame))
    if result.converted is None:  # an export read through its mapping has its answers oriented already
        platform = any(repairs.platform_export(sheet.headers) for sheet, _ in members)
        result.problems += repairs.orient_likert(result, table, options.likert_order, platform)
    result.problems += repairs.resolve_codes(result, table, context)
    result.problems += check_required(frame, written, table, positions, result.failed)
    apply_defaults(frame, table)
    result.notices += repairs.apply_role_combos(frame, written, table)
    result.problems += check_dates(frame, written, table, positions, context.today)
    result.problems += check_unique(frame, written, table, positions, context)
    result.problems += check_references(frame, written, table, positions, context)
    order = table.column_names
    # A questionnaire's own question is named by its header, after the contract's columns.
    result.problems.sort(
        key=lambda p: (-1 if p.row is None else p.row, order.index(p.column) if p.column in order else len(order))
    )
    _relabel(result.problems, result.labels)
    return result


def typed_frame(frame: pd.DataFrame, table: Table, consume: bool = False) -> pd.DataFrame:
    """Give parsed columns pandas dtypes DuckDB reads without guessing.

    With ``consume``, each parsed column is taken out of ``frame`` as its typed one is made,
    so a big file's table is held once and a column, not twice over.
    """
    typed = {}
    for column in table.columns:
        series = frame.pop(column.name) if consume else frame[column.name]
        typed[column.name] = _typed_series(series, column)
        del series
    return pd.DataFrame(typed, copy=False)


def _typed_series(series: pd.Series, column: Column) -> pd.Series:
    if column.kind in (Kind.INT, Kind.LIKERT):
        return pd.array(series.to_numpy(dtype=object), dtype="Int64")
    if column.kind is Kind.NUMBER:
        return pd.array(series.to_numpy(dtype=object), dtype="Float64")
    if column.kind is Kind.BOOL:
        return pd.array(series.to_numpy(dtype=object), dtype="boolean")
    if column.kind in (Kind.DATE, Kind.MONTH):
        return pd.to_datetime(series, errors="raise").astype("datetime64[s]")
    return series.astype(object)


# ---- the whole load ----------------------------------------------------------------------

#: One import waiting to be checked and loaded: its report, its sheets (or the fast path's
#: BulkSheet) and the header match of the first sheet (None when nothing matched).
Prepared = tuple[FileReport, object, HeaderMatch | None]


def _read(
    source: Source, table_name: str | None, mode: str, store: Store | None = None, options: Options | None = None
) -> list[Prepared]:
    """Read a file into its imports: one per table its sheets map to (usually one)."""
    options = options or Options()
    if store is not None and not options.set_values and options.likert_order is None and options.mapping is None:
        from community_eval import bulk  # big simple CSV files are read and parsed by DuckDB (bulk.py)

        fast = bulk.read(source, table_name, mode, store)
        if fast is not None and (mode == "append" or fast[0].table != "communities"):
            return [fast]
        bulk.release(fast[1] if fast else None)  # replacing communities: the orphan check is here
    digest = hashlib.sha256(source.data).hexdigest()
    try:
        sheets = read_bytes(source.data, source.name)
    except ReadError as error:
        report = FileReport(source.name, digest, mode=mode)
        report.problems.append(Problem(error.reason, params=error.params))
        return [(report, None, None)]
    groups: dict[str, list[tuple[Sheet, HeaderMatch]]] = {}
    named: list[tuple[Sheet, HeaderMatch]] = []
    sheet_reports = []
    plan_problems: list[Problem] = []
    for sheet in sheets:
        layout = sheet.layout
        kind = layout.kind
        match = _questionnaire_match(sheet, table_name, store, options, plan_problems)
        if match is not None:
            kind = "table"
            groups.setdefault(f"survey [{sheet.sheet_title}]", []).append((sheet, match))  # never merged
        elif kind == "table":
            match = choose_table(sheet.headers, table_name, options.set_values)
        fits_badly = match is not None and match.plan is None and match.missing and not _mostly_there(match)
        if fits_badly and table_name is not None:
            named.append((sheet, match))  # the table the user named, but hardly this sheet: only if no sheet fits
            match = None
        if match is not None and match.plan is None:
            groups.setdefault(match.table.name, []).append((sheet, match))
        elif match is None and kind == "table":
            kind = "unmatched"
        rows = len(sheet.cells) if match is not None else 0
        sheet_reports.append(SheetReport(sheet.sheet_title, kind, match and match.table.name, rows, layout))
    if not groups and named:  # nothing fits the named table well: the best sheet says what it lacks
        sheet, match = max(named, key=lambda item: item[1].score)
        groups[match.table.name] = [(sheet, match)]
        for report in sheet_reports:
            if report.title == sheet.sheet_title:
                report.kind, report.table, report.rows = "table", match.table.name, len(sheet.cells)
    if not groups:
        return [(_nothing_matched(source, digest, mode, sheets, sheet_reports), None, None)]
    prepared = [_prepare(source, digest, mode, members, sheet_reports) for members in groups.values()]
    for report, members, match in prepared:
        report.notices += _set_not_used(match, options.set_values)
        if match is not None and match.plan is not None:
            _describe_plan(report, members[0][0], match)
            report.problems += plan_problems
    return prepared


_PRIVATE_WHYS = (questionnaire.WHY_PRIVATE, questionnaire.WHY_OPEN_TEXT)


def _questionnaire_match(
    sheet: Sheet, table_name: str | None, store: Store | None, options: Options, problems: list[Problem]
) -> HeaderMatch | None:
    """A 问卷星 or 腾讯问卷 export read through its mapping: proposed, then the saved one, then the user's.

    An export whose headers were already renamed to the contract's goes the ordinary way
    (its numeric answers still need their direction; see repairs.orient_likert).
    """
    platform = questionnaire.platform_of(sheet.headers)
    if platform is None or table_name not in (None, "survey"):
        return None
    if not match_headers(sheet.headers, TABLES["survey"]).missing:
        return None
    key = questionnaire.questionnaire_key(sheet.headers)
    mapping = questionnaire.propose(sheet.headers, sheet.cells)
    saved = store.saved_mapping(key) if store is not None else None
    try:
        if saved is not None:
            mapping = questionnaire.apply_override(mapping, saved[1])
        mapping = questionnaire.apply_override(mapping, options.mapping)
    except questionnaire.MappingError as error:
        problems.append(Problem(error.reason, params=error.params))
    if options.likert_order is not None:
        mapping.likert_order = options.likert_order
    plan = questionnaire.Plan(platform, key, mapping, saved[0] if saved else None)
    table = TABLES["survey"]
    match = HeaderMatch(table, {}, [], [], [], plan=plan)
    for position, header in enumerate(sheet.headers):
        target = mapping.columns.get(header, "drop")
        if target in table.column_names:
            match.mapping[position] = target
        elif target == "drop" and header.strip() and mapping.why.get(header) not in _PRIVATE_WHYS:
            match.ignored.append(header)
    mapped = set(match.mapping.values())
    match.missing = [c for c in table.required_columns if c not in mapped]
    return match


def _describe_plan(report: FileReport, sheet: Sheet, match: HeaderMatch) -> None:
    """What the report says of an export before a row is read: its mapping, and whether a direction is needed."""
    plan = match.plan
    assert plan is not None
    report.plan = plan
    report.mapping = {h: t for h, t in plan.mapping.columns.items() if t not in ("drop",)}
    report.dropped_private = [
        h for h, why in plan.mapping.why.items() if why in (questionnaire.WHY_PRIVATE, questionnaire.WHY_OPEN_TEXT)
    ]
    if plan.saved_name is not None:
        report.notices.append(Notice("mapping_saved_used", None, len(report.mapping), {"name": plan.saved_name}))
    codes = questionnaire.order_needed(sheet.headers, sheet.cells, plan.mapping)
    if codes:
        report.likert_codes = codes
        shown = "、".join(f"{code} × {n}" for code, n in codes.items())
        report.problems.append(Problem("likert_direction_unknown", params={"codes": shown}))


def _set_not_used(match: HeaderMatch, set_values: dict[str, str]) -> list[Notice]:
    """A value given for a column the file has after all: the file's own cells win, and the user hears so."""
    mapped = set(match.mapping.values())
    return [
        Notice("set_not_used", column, 0, {"column": column, "value": value})
        for column, value in set_values.items()
        if column in mapped
    ]


def _nothing_matched(
    source: Source, digest: str, mode: str, sheets: list[Sheet], sheet_reports: list[SheetReport]
) -> FileReport:
    """The report of a file none of whose sheets is one of our tables, saying where we looked."""
    report = FileReport(sheets[0].name if len(sheets) == 1 else source.name, digest, mode=mode)
    report.encoding, report.sheets = sheets[0].encoding, sheet_reports
    tables = [s for s, r in zip(sheets, sheet_reports, strict=True) if r.kind in ("unmatched", "empty")]
    if tables:
        headers, more = _quoted_headers(tables[0].headers)
        params = {"headers": headers, "rows": HEADER_SEARCH_ROWS}
        if more:
            report.problems.append(Problem("no_table_matches_many", params={**params, "more": more}))
        else:
            report.problems.append(Problem("no_table_matches", params=params))
    elif any(r.kind == "hidden" for r in sheet_reports):
        report.problems.append(Problem("only_hidden_sheets"))
    else:
        report.problems.append(Problem("only_instructions"))
    return report


#: A "matches no table" message quotes this many headers, each cut to this many characters:
#: the headers of a wide file read whole made a message of megabytes.
_HEADERS_QUOTED = 10
_HEADER_QUOTED_CHARS = 40


def _quoted_headers(headers: list[str]) -> tuple[str, int]:
    """The first few headers with content as a message quotes them, and how many more there are."""
    written = [header for header in headers if header.strip()]
    quoted = [_cut(header, _HEADER_QUOTED_CHARS) for header in written[:_HEADERS_QUOTED]]
    return ", ".join(quoted), len(written) - len(quoted)


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _prepare(
    source: Source,
    digest: str,
    mode: str,
    members: list[tuple[Sheet, HeaderMatch]],
    sheet_reports: list[SheetReport],
) -> Prepared:
    """The report of one import before any row is read: mapping, conversions and file problems."""
    first, match = members[0]
    multi = len(members) > 1
    titles = ", ".join(str(sheet.sheet_title) for sheet, _ in members)
    report = FileReport(f"{source.name} [{titles}]" if multi else first.name, digest, mode=mode)
    report.encoding, report.table, report.sheets = first.encoding, match.table.name, sheet_reports
    report.unnamed = match.unnamed
    report.set_values = dict(match.set_columns)
    for sheet, sheet_match in members:
        label = sheet.sheet_title if multi else None
        _describe(report, sheet, sheet_match, label)
        report.rows_total += len(sheet.cells)
    if not report.rows_total:
        report.problems.append(Problem("no_rows"))
    return report, members, match


def _describe(report: FileReport, sheet: Sheet, match: HeaderMatch, label: str | None) -> None:
    """Add one sheet's mapping, units, helpers, ignored headers and file problems to the report."""
    for position, column in match.mapping.items():
        report.mapping.setdefault(sheet.headers[position], column)
    for position, conv in match.conversions.items():
        report.conversions.setdefault(sheet.headers[position], conv.label)
    if match.name_position is not None:
        report.helpers.setdefault(sheet.headers[match.name_position], "community_id")
    report.ignored += [h for h in match.ignored if h not in report.ignored]
    for column in match.missing:
        header = match.table.column(column).bilingual_header
        report.problems.append(Problem("missing_column", column=column, params={"column": header}, sheet=label))
    for header in match.duplicated:
        report.problems.append(Problem("duplicate_header", value=header, params={"value": header}, sheet=label))
    for unit in _units_above(sheet, match):
        report.problems.append(Problem("unit_above_table", value=unit, params={"unit": unit}, sheet=label))
    for header, unit, column in match.refused_units:
        unit_name = match.table.column(column).unit
        expected = unit_name.suffixes[0] if unit_name else "—"
        params = {"header": header, "unit": unit, "expected": expected}
        report.problems.append(Problem("unit_refused", column=column, value=header, params=params, sheet=label))


def _units_above(sheet: Sheet, match: HeaderMatch) -> list[str]:
    """Units a line above the table gives (``单位：万元``) that would change the numbers, unless a
    header already says the same: the numbers below must not be read as if no unit were written."""
    in_headers = {fold_unit(conv.written) for conv in match.conversions.values()}
    found = []
    for unit in sheet.layout.units_above:
        word = UNIT_WORDS.get(fold_unit(unit))
        if word is not None and (word.factor != 1 or word.divisor != 1) and fold_unit(unit) not in in_headers:
            found.append(unit)
    return found


def _context(store: Store, batch: dict[str, str] | None) -> Context:
    """Known communities (code -> name) are the stored ones, or ``batch``: those a preview's
    communities file would leave (a real load passes None, as its communities are stored by then)."""
    known = batch if batch is not None else store.community_names()
    names: dict[str, list[str]] = {}
    for code, name in known.items():
        names.setdefault(repairs.fold_name(name), []).append(code)
    return Context(set(known), {}, dt.date.today(), names, known)


def _load_one(
    store: Store,
    report: FileReport,
    members: object,
    match: HeaderMatch,
    context: Context,
    skip_invalid: bool,
    dry_run: bool = False,
    options: Options | None = None,
    orphans: Callable[[pd.DataFrame], list[Problem]] | None = None,
) -> pd.DataFrame | None:
    from community_eval import bulk  # bulk imports this module: imported here, not at the top

    if isinstance(members, bulk.BulkSheet):  # a big simple CSV: checked and stored by DuckDB
        loaded = bulk.load_one(store, report, members, match, context, skip_invalid, dry_run)
        if loaded is not bulk.NOT_SIMPLE:
            return loaded
        # DuckDB found it not simple after all: read it here, as if it had never been offered
        bulk.release(members)
        ((fresh, members, match),) = _read(members.source, members.table_name, report.mode, None, options)[:1]
        vars(report).update(vars(fresh))
        if members is None or match is None or report.problems:
            return None
    table = match.table
    if report.mode == "append":
        context.stored_keys[table.name] = stored_keys(store, table)
    result = validate(members, context, options)
    report.problems += result.problems
    report.notices += result.notices
    converted = result.converted
    if converted is None and (_asks_direction(result) or (options is not None and options.likert_order is not None)):
        report.likert_codes = repairs.likert_codes(result, table)
    bad_rows = {(p.sheet, p.row) for p in result.problems if p.row is not None}
    keep = [label not in bad_rows for label in result.labels]
    unrated = converted.prepared.get("__unrated__", []) if converted is not None else []
    if any(unrated):
        keep = [k and not u for k, u in zip(keep, unrated, strict=True)]
        report.notices.append(Notice("rows_without_overall", "overall", sum(unrated)))
    # What the file holds is now parsed and checked: from here on only the valid rows are kept,
    # without a copy when all are valid, and the preview has its own 20 rows, so the file's
    # cells and each parsed column can go as the typed columns are made (see typed_frame).
    companions = _companions(converted, result.frame, keep) if converted is not None else None
    valid = result.frame if all(keep) else result.frame[keep].reset_index(drop=True)
    report.preview = result.frame.head(20).copy()
    refused = bool(result.problems) and not skip_invalid
    del result
    _let_go_of_cells(members)
    report.rows_valid = len(valid)
    if orphans is not None and not valid.empty:
        report.problems += orphans(valid)
    if report.file_problems or refused or valid.empty:
        return None
    typed = typed_frame(valid, table, consume=True)
    del valid
    if dry_run:
        return typed
    record = ImportRecord(report.file_name, report.sha256, table.name, report.mode, len(typed), report.rows_rejected)
    try:
        store.load(table, typed, report.mode, record, companions)
    except StoreError as error:
        if error.fault:  # the database, not this file: the whole load stops and says so once
            raise
        report.problems.append(Problem(error.reason, params=error.params))
        return None
    report.loaded, report.rows_loaded = True, len(typed)
    if match.plan is not None and companions is not None:
        report.items_loaded = int(companions["questions"].shape[0])
        _save_mapping(store, report, match.plan)
    return typed


def _companions(converted: questionnaire.Converted, frame: pd.DataFrame, keep: list[bool]) -> dict[str, pd.DataFrame]:
    """A questionnaire's own items and the kept rows' answers to them, for the survey load to store."""
    items = converted.items
    kept = np.asarray(keep, dtype=bool)
    if not items.empty:
        items = items[kept[items["position"].to_numpy()]]
    response_ids = frame["response_id"].to_numpy(dtype=object)
    answers = pd.DataFrame(
        {
            "response_id": response_ids[items["position"].to_numpy(dtype=int)] if not items.empty else [],
            "item_code": items["item_code"].to_numpy(dtype=object),
            "value": items["value"].to_numpy(dtype=float),
        }
    )
    return {"questions": converted.questions, "survey_answers": answers}


def _save_mapping(store: Store, report: FileReport, plan: questionnaire.Plan) -> None:
    """Keep the mapping a load confirmed, so the next wave of this questionnaire loads in one step."""
    name = plan.saved_name or Path(report.file_name).stem
    try:
        store.save_mapping(plan.key, name, plan.mapping.as_dict())
    except StoreError as error:
        if error.fault:
            raise
        report.notices.append(Notice("mapping_not_saved", None, 0, {"why": error.reason}))
    else:
        report.notices.append(Notice("mapping_saved", None, 0, {"name": name}))


def _let_go_of_cells(members: object) -> None:
    """Empty the sheets' cells once checked: nothing reads them again, and the batch keeps its
    sheets until every file is loaded, which held each big file's cells through its load."""
    for sheet, _ in members if isinstance(members, list) else []:
        sheet.cells = sheet.cells.iloc[:0]


def _asks_direction(result: Parsed) -> bool:
    return any(p.reason == "likert_direction_unknown" for p in result.problems)


def ingest(
    store: Store,
    sources: list[Source],
    table: str | None = None,
    mode: str = "append",
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[float, str], None] | None = None,
    set_values: dict[str, str] | None = None,
    likert_order: str | None = None,
    mapping: dict[str, object] | None = None,
) -> list[FileReport]:
    """Load several files in dependency order (communities first); one report per import.

    Each import is its own transaction: one with any problem is not loaded (unless
    ``skip_invalid``, which loads its valid rows), and never changes the stored data.
    Each is checked against the stored data and written under the dataset's write lock
    (:meth:`Store.writing`), so a load or undo in another session cannot commit between
    its checks and its write; files are read before, and the next import waits no longer.
    ``dry_run`` checks everything and stores nothing, for the upload page's preview;
    ``progress`` is told the share done and the file at hand after each step;
    ``set_values`` gives one value to a column files lack (``{"district": "仙桃市"}``);
    ``likert_order`` says which way numeric answer codes run (see :data:`LIKERT_ORDERS`).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if likert_order is not None and likert_order not in LIKERT_ORDERS:
        raise ValueError(f"likert_order must be one of {LIKERT_ORDERS}")
    options = Options(repairs.resolve_set_values(set_values or {}), likert_order, mapping)
    from community_eval import bulk

    steps = max(2 * len(sources), 1)
    prepared: list[Prepared] = []
    try:
        for done, source in enumerate(sources, start=1):
            prepared += _read(source, table, mode, store, options)
            if progress:
                progress(done / steps, source.name)
        order = list(TABLES)
        position = {id(report): index for index, (report, _, _) in enumerate(prepared)}

        def in_order(item: Prepared) -> tuple[int, int]:
            return (order.index(item[0].table) if item[0].table else -1, position[id(item[0])])

        prepared.sort(key=in_order)
        replaced = {r.table for r, _, _ in prepared if mode == "replace" and r.table}
        batch: dict[str, str] | None = None
        for done, (report, members, match) in enumerate(prepared, start=1):
            if progress:
                progress((len(sources) + done * len(sources) / len(prepared)) / steps, report.file_name)
            if members is None or match is None or report.problems:
                continue
            with nullcontext() if dry_run else store.writing():  # checks and write as one step; see Store.writing
                # Stored communities, read under the lock: the batch's own once loaded, and whatever another
                # session loaded between this batch's imports. A preview stored nothing, so it goes by the batch.
                context = _context(store, batch if dry_run else None)
                orphans = None
                if match.table.name == "communities" and mode == "replace":
                    orphans = repairs.orphan_check(store, replaced)
                loaded = _load_one(store, report, members, match, context, skip_invalid, dry_run, options, orphans)
            bulk.release(members)
            if loaded is not None and match.table.name == "communities":
                names = dict(zip(loaded["community_id"], loaded["community_name"], strict=True))
                batch = names if mode == "replace" else {**context.communities, **names}
    finally:
        for _, members, _ in prepared:
            bulk.release(members)
    prepared.sort(key=in_order)  # a file the fast path gave back may have turned out to fit no table
    return [report for report, _, _ in prepared]


def ingest_paths(store: Store, paths: list[str | Path], **options: object) -> list[FileReport]:
    """:func:`ingest` for files on disk; a missing file is reported, not raised."""
    sources, missing = [], []
    for path in paths:
        try:
            sources.append(Source.from_path(path))
        except OSError:
            report = FileReport(str(path), "")
            report.problems.append(Problem("file_not_found"))
            missing.append(report)
    return missing + ingest(store, sources, **options)


def create_sample_database(path: str, sample_dir: Path = SAMPLE_DIR) -> None:
    """Create ``path`` filled from ``sample_data/``, atomically.

    The database is built beside the target and renamed into place only when every
    sample file has loaded, so a half-built database is never opened as the real one.
    """
    target = Path(path)
    partial = target.with_name(f".{target.name}.{dt.datetime.now():%Y%m%d%H%M%S%f}.building")
    try:
        store = Store(str(partial))
    except StoreError as error:  # the reader knows the target, not the hidden file it is built in
        raise StoreError(error.reason, **{**error.params, "path": path}) from None
    try:
        reports = ingest_paths(store, sorted(sample_dir.glob("*.csv")), mode="replace")
    finally:
        store.close()
    failures = [r for r in reports if not r.loaded]
    if failures:
        partial.unlink(missing_ok=True)
        raise StoreError("sample_load_failed", files=", ".join(r.file_name for r in failures))
    partial.replace(target)
