"""Checking an import's rows against the data contract: headers matched to a table, every cell
parsed, every rule checked, each problem by position until it is labelled with its sheet and row.

The Python path (:mod:`community_eval.ingest.loader`) runs :func:`validate` on every import; the
DuckDB path (:mod:`community_eval.ingest.bulk`) parses in SQL and hands what it cannot decide to the
same check functions, so both paths report a problem in the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import pandas as pd

from community_eval.core.schema import TABLES, Column, Kind, Table, header_index, normalise_header
from community_eval.db.store import Store
from community_eval.ingest import questionnaire, repairs
from community_eval.ingest.load_model import Notice, Options, Problem
from community_eval.ingest.reader import Sheet, object_array
from community_eval.ingest.units import Conversion, UnitRefused, conversion, strip_glued_unit, strip_units
from community_eval.ingest.values import Invalid, parse_cell, parse_column

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
    plausible = [m for m in matches if mostly_there(m)]
    return max(plausible, key=lambda m: m.score) if plausible else None


def mostly_there(match: HeaderMatch) -> bool:
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
    for label, columns in table.unique_checks:
        found = store.distinct_values(table, columns)
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
    for position, unrated in enumerate(converted.unrated):
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
