"""Loading files into the store through the data contract.

A load is: read the file, match it to a table by its headers, parse every cell, check
every rule of the contract, then either store the rows in one transaction or store
nothing. The result is a :class:`FileReport` that says what was mapped, what was ignored
and every problem by row, column and value, which the page and the command line print.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from community_eval.reader import ReadError, Sheet, read_bytes
from community_eval.schema import TABLES, Column, Kind, Table, header_index, normalise_header
from community_eval.store import ImportRecord, Store, StoreError
from community_eval.values import parse_column

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
MODES = ("append", "replace")


@dataclass
class Problem:
    """One thing wrong with a file or a row; ``reason`` is a locale key, ``params`` fill it in."""

    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class FileReport:
    """What happened to one file (or worksheet) of a load."""

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

    @property
    def rows_rejected(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})

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


# ---- matching headers to a table ---------------------------------------------------------


@dataclass
class HeaderMatch:
    table: Table
    mapping: dict[int, str]  # header position -> column name
    ignored: list[str]
    missing: list[str]
    duplicated: list[str]
    unnamed: list[int] = field(default_factory=list)  # 1-based positions of columns without a header

    @property
    def score(self) -> tuple[int, int]:
        required = set(self.table.required_columns)
        return (len(required & set(self.mapping.values())) - len(self.missing) * 2, len(self.mapping))


def match_headers(headers: list[str], table: Table) -> HeaderMatch:
    """Map each header to a column of ``table`` by the contract's aliases."""
    index = header_index(table)
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    duplicated: list[str] = []
    unnamed: list[int] = []
    for position, header in enumerate(headers):
        column = index.get(normalise_header(header))
        if not header.strip():
            unnamed.append(position + 1)
        elif column is None:
            ignored.append(header)
        elif column in mapping.values():
            duplicated.append(header)
        else:
            mapping[position] = column
    missing = [c for c in table.required_columns if c not in mapping.values()]
    return HeaderMatch(table, mapping, ignored, missing, duplicated, unnamed)


def choose_table(headers: list[str], table_name: str | None = None) -> HeaderMatch | None:
    """The table whose columns the headers fit best, or the named one; None if none fits.

    A table all of whose required columns are present wins. Failing that, a table most of
    whose required columns are present (at least two, and at least half) is still chosen,
    so the user hears which column is missing rather than that the file fits nothing.
    """
    if table_name is not None:
        return match_headers(headers, TABLES[table_name])
    matches = [match_headers(headers, table) for table in TABLES.values()]
    complete = [m for m in matches if not m.missing]
    if complete:
        return max(complete, key=lambda m: m.score)
    plausible = [m for m in matches if _mostly_there(m)]
    return max(plausible, key=lambda m: m.score) if plausible else None


def _mostly_there(match: HeaderMatch) -> bool:
    found = len(match.table.required_columns) - len(match.missing)
    return found >= 2 and found * 2 >= len(match.table.required_columns)


def _rank(match: HeaderMatch | None) -> tuple[bool, bool, tuple[int, int]]:
    if match is None:
        return (False, False, (0, 0))
    return (True, not match.missing, match.score)


def choose_sheet(sheets: list[Sheet], table_name: str | None) -> tuple[Sheet, HeaderMatch | None]:
    """From a workbook, the sheet that matches a table (the named one, if given) best; the first on ties."""
    best: tuple[Sheet, HeaderMatch | None] = (sheets[0], choose_table(sheets[0].headers, table_name))
    for sheet in sheets[1:]:
        match = choose_table(sheet.headers, table_name)
        if _rank(match) > _rank(best[1]):
            best = (sheet, match)
    return best


# ---- validating rows ---------------------------------------------------------------------


@dataclass
class Context:
    """What validation needs to know beyond the file: stored keys and known communities."""

    community_ids: set[str]
    stored_keys: dict[str, set[tuple]]
    today: dt.date


def stored_keys(store: Store, table: Table) -> set[tuple]:
    """The key tuples (and unique values) already stored, to refuse duplicates on append."""
    keys: set[tuple] = set()
    if table.key:
        with store.cursor() as cur:
            columns = ", ".join(table.key)
            keys |= {tuple(r) for r in cur.execute(f"select distinct {columns} from {table.name}").fetchall()}
    for column in table.columns:
        if column.unique and (column.name,) != table.key:
            values = store.column_values(table.name, column.name).dropna()
            keys |= {(column.name, v) for v in values}
    return keys


def _parse(sheet: Sheet, match: HeaderMatch) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem], set[tuple[int, str]]]:
    """Parse every mapped column; unmapped optional columns are empty.

    Returns the parsed rows, the same cells as written (every problem quotes the cell as
    the user wrote it, not our reading of it), the cells that could not be read, and the
    (position, column) pairs of those, so a cell that failed is not reported again as missing.
    """
    problems: list[Problem] = []
    failed: set[tuple[int, str]] = set()
    parsed: dict[str, list[object]] = {}
    written: dict[str, object] = {}
    by_column = {column: position for position, column in match.mapping.items()}
    for column in match.table.columns:
        if column.name not in by_column:
            parsed[column.name] = [None] * len(sheet.cells)
            written[column.name] = [""] * len(sheet.cells)
            continue
        raw = sheet.cells[by_column[column.name]].astype(str)
        values, failures = parse_column(raw, column)
        parsed[column.name], written[column.name] = values, raw.to_numpy(dtype=object)
        for position, failure in failures.items():
            failed.add((position, column.name))
            problems.append(
                Problem(failure.reason, sheet.row_numbers[position], column.name, raw.iat[position], failure.params)
            )
    return pd.DataFrame(parsed, dtype=object), pd.DataFrame(written, dtype=object), problems, failed


def check_required(
    frame: pd.DataFrame, written: pd.DataFrame, table: Table, rows: list[int], failed: set[tuple]
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
    frame: pd.DataFrame, written: pd.DataFrame, table: Table, rows: list[int], today: dt.date
) -> list[Problem]:
    """Nothing dated after today; for staff, an exit not before the hire and a reason only with an exit."""
    problems = []
    for column in table.columns:
        if column.not_in_future:
            for position, value in frame[column.name].items():
                if value is not None and value > today:
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
    return problems


def check_unique(
    frame: pd.DataFrame, written: pd.DataFrame, table: Table, rows: list[int], context: Context
) -> list[Problem]:
    """Keys must be unique within the file and, on append, against what is stored."""
    problems = []
    checks: list[tuple[str, list[str]]] = []
    if table.key:
        checks.append(("key", list(table.key)))
    checks += [(c.name, [c.name]) for c in table.columns if c.unique and (c.name,) != table.key]
    stored = context.stored_keys.get(table.name, set())
    for label, columns in checks:
        first_seen: dict[tuple, int] = {}
        shown_values = written[columns].itertuples(index=False, name=None)
        for position, (values, as_written) in enumerate(
            zip(frame[columns].itertuples(index=False, name=None), shown_values, strict=True)
        ):
            if any(v is None for v in values):
                continue
            key = values if label == "key" else (label, *values)
            shown = " / ".join(str(v) for v in as_written)
            if key in first_seen:
                problems.append(
                    Problem("duplicate_in_file", rows[position], columns[-1], shown, {"first": first_seen[key]})
                )
            else:
                first_seen[key] = rows[position]
                if key in stored:
                    problems.append(Problem("duplicate_in_store", rows[position], columns[-1], shown))
    return problems


def check_references(
    frame: pd.DataFrame, written: pd.DataFrame, table: Table, rows: list[int], context: Context
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


def validate(sheet: Sheet, match: HeaderMatch, context: Context) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse and check every row; returns the typed rows and every problem found."""
    frame, written, problems, failed = _parse(sheet, match)
    rows = sheet.row_numbers
    problems += check_required(frame, written, match.table, rows, failed)
    apply_defaults(frame, match.table)
    problems += check_dates(frame, written, match.table, rows, context.today)
    problems += check_unique(frame, written, match.table, rows, context)
    problems += check_references(frame, written, match.table, rows, context)
    problems.sort(key=lambda p: (p.row or 0, match.table.column_names.index(p.column) if p.column else -1))
    return frame, problems


def typed_frame(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Give parsed columns pandas dtypes DuckDB reads without guessing."""
    typed = {}
    for column in table.columns:
        series = frame[column.name]
        typed[column.name] = _typed_series(series, column)
    return pd.DataFrame(typed)


def _typed_series(series: pd.Series, column: Column) -> pd.Series:
    if column.kind in (Kind.INT, Kind.LIKERT):
        return pd.array(series.tolist(), dtype="Int64")
    if column.kind is Kind.NUMBER:
        return pd.array(series.tolist(), dtype="Float64")
    if column.kind is Kind.BOOL:
        return pd.array(series.tolist(), dtype="boolean")
    if column.kind in (Kind.DATE, Kind.MONTH):
        return pd.to_datetime(series, errors="raise").astype("datetime64[s]")
    return series.astype(object)


# ---- the whole load ----------------------------------------------------------------------


def _read(
    source: Source, table_name: str | None, mode: str, store: Store | None = None
) -> tuple[FileReport, Sheet | None, HeaderMatch | None]:
    if store is not None:  # big simple CSV files are read and parsed by DuckDB (bulk.py); the rest here
        from community_eval import bulk

        fast = bulk.read(source, table_name, mode, store)
        if fast is not None:
            return fast
    report = FileReport(source.name, hashlib.sha256(source.data).hexdigest(), mode=mode)
    try:
        sheets = read_bytes(source.data, source.name)
    except ReadError as error:
        report.problems.append(Problem(error.reason, params=error.params))
        return report, None, None
    sheet, match = choose_sheet(sheets, table_name)
    report.file_name, report.encoding = sheet.name, sheet.encoding
    if match is None:
        report.problems.append(Problem("no_table_matches", params={"headers": ", ".join(sheet.headers)}))
        return report, sheet, None
    report.table = match.table.name
    report.mapping = {sheet.headers[p]: c for p, c in match.mapping.items()}
    report.ignored, report.unnamed = match.ignored, match.unnamed
    report.rows_total = len(sheet.cells)
    for column in match.missing:
        header = match.table.column(column).bilingual_header
        report.problems.append(Problem("missing_column", column=column, params={"column": header}))
    for header in match.duplicated:
        report.problems.append(Problem("duplicate_header", value=header, params={"value": header}))
    if not len(sheet.cells):
        report.problems.append(Problem("no_rows"))
    return report, sheet, match


def _context(store: Store, batch_communities: set[str] | None) -> Context:
    """Known communities are the stored ones, or the batch's when it replaces them."""
    community_ids = (
        batch_communities if batch_communities is not None else set(store.column_values("communities", "community_id"))
    )
    return Context(community_ids, {}, dt.date.today())


def _load_one(
    store: Store,
    report: FileReport,
    sheet: Sheet,
    match: HeaderMatch,
    context: Context,
    skip_invalid: bool,
    dry_run: bool = False,
) -> pd.DataFrame | None:
    from community_eval import bulk  # bulk imports this module: imported here, not at the top

    if isinstance(sheet, bulk.BulkSheet):  # a big simple CSV: checked and stored by DuckDB
        loaded = bulk.load_one(store, report, sheet, match, context, skip_invalid, dry_run)
        if loaded is not bulk.NOT_SIMPLE:
            return loaded
        # DuckDB found it not simple after all: read it here, as if it had never been offered
        bulk.release(sheet)
        fresh, sheet, match = _read(sheet.source, sheet.table_name, report.mode)
        vars(report).update(vars(fresh))
        if sheet is None or match is None or report.problems:
            return None
    table = match.table
    if report.mode == "append":
        context.stored_keys[table.name] = stored_keys(store, table)
    frame, problems = validate(sheet, match, context)
    report.problems += problems
    bad_rows = {p.row for p in problems}
    valid = frame[[row not in bad_rows for row in sheet.row_numbers]]
    report.preview = frame.head(20)
    report.rows_valid = len(valid)
    if (problems and not skip_invalid) or valid.empty:
        return None
    typed = typed_frame(valid.reset_index(drop=True), table)
    if dry_run:
        return typed
    record = ImportRecord(report.file_name, report.sha256, table.name, report.mode, len(typed), report.rows_rejected)
    try:
        store.load(table, typed, report.mode, record)
    except StoreError as error:
        if error.fault:  # the database, not this file: the whole load stops and says so once
            raise
        report.problems.append(Problem(error.reason, params=error.params))
        return None
    report.loaded, report.rows_loaded = True, len(typed)
    return typed


def ingest(
    store: Store,
    sources: list[Source],
    table: str | None = None,
    mode: str = "append",
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[float, str], None] | None = None,
) -> list[FileReport]:
    """Load several files in dependency order (communities first); one report per file.

    Each file is its own transaction: a file with any problem is not loaded (unless
    ``skip_invalid``, which loads its valid rows), and never changes the stored data.
    ``dry_run`` checks everything and stores nothing, for the upload page's preview;
    ``progress`` is told the share done and the file at hand after each step.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    from community_eval import bulk

    steps = max(2 * len(sources), 1)
    prepared = []
    try:
        for done, source in enumerate(sources, start=1):
            prepared.append(_read(source, table, mode, store))
            if progress:
                progress(done / steps, source.name)
        order = list(TABLES)
        position = {id(report): index for index, (report, _, _) in enumerate(prepared)}

        def in_order(item: tuple[FileReport, object, object]) -> tuple[int, int]:
            return (order.index(item[0].table) if item[0].table else -1, position[id(item[0])])

        prepared.sort(key=in_order)
        batch_communities: set[str] | None = None
        for done, (report, sheet, match) in enumerate(prepared, start=len(sources) + 1):
            if progress:
                progress(done / steps, report.file_name)
            if sheet is None or match is None or report.problems:
                continue
            context = _context(store, batch_communities)
            loaded = _load_one(store, report, sheet, match, context, skip_invalid, dry_run)
            bulk.release(sheet)
            if loaded is not None and match.table.name == "communities":
                ids = set(loaded["community_id"])
                batch_communities = ids if mode == "replace" else set(context.community_ids) | ids
    finally:
        for _, sheet, _ in prepared:
            bulk.release(sheet)
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
