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
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd

from community_eval.core import paths
from community_eval.core.schema import TABLES
from community_eval.db.store import ImportRecord, Store, StoreError
from community_eval.ingest import bulk, choices, questionnaire, repairs
from community_eval.ingest.checks import (  # noqa: F401 (the loader's public names, as callers know them)
    Context,
    HeaderMatch,
    Parsed,
    check_also_director,
    check_dates,
    check_required,
    check_unique,
    choose_table,
    match_headers,
    mostly_there,
    stored_keys,
    typed_frame,
    validate,
)
from community_eval.ingest.layout import HEADER_SEARCH_ROWS
from community_eval.ingest.load_model import FileReport, Notice, Options, Problem, SheetReport, Source
from community_eval.ingest.reader import ReadError, Sheet, read_bytes
from community_eval.ingest.units import (
    UNIT_WORDS,
    fold_unit,
)

SAMPLE_DIR = paths.SAMPLE_DIR
MODES = choices.MODES
LIKERT_ORDERS = choices.LIKERT_ORDERS


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
        # Big simple CSV files are read and parsed by DuckDB (bulk.py).
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
        fits_badly = match is not None and match.plan is None and match.missing and not mostly_there(match)
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
    if isinstance(members, bulk.BulkSheet):  # a big simple CSV: checked and stored by DuckDB
        loaded = bulk.load_one(store, report, members, match, context, skip_invalid, dry_run)
        if loaded is not bulk.NOT_SIMPLE:
            return loaded
        members, match = _read_again(report, members, options)
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
    keep = _rows_kept(report, result)
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


def _read_again(
    report: FileReport, sheet: bulk.BulkSheet, options: Options | None
) -> tuple[object, HeaderMatch | None]:
    """A file DuckDB found not simple after all, read here as if it had never been offered to it."""
    bulk.release(sheet)
    ((fresh, members, match),) = _read(sheet.source, sheet.table_name, report.mode, None, options)[:1]
    vars(report).update(vars(fresh))
    return members, match


def _rows_kept(report: FileReport, result: Parsed) -> list[bool]:
    """Which rows load: none with a problem, and no questionnaire without an overall score (counted)."""
    bad_rows = {(p.sheet, p.row) for p in result.problems if p.row is not None}
    keep = [label not in bad_rows for label in result.labels]
    unrated = result.converted.unrated if result.converted is not None else []
    if any(unrated):
        keep = [k and not u for k, u in zip(keep, unrated, strict=True)]
        report.notices.append(Notice("rows_without_overall", "overall", sum(unrated)))
    return keep


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
        sheet.cells = sheet.cells.iloc[:0].copy()  # a slice alone is a view that keeps every cell


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
    steps = max(2 * len(sources), 1)
    prepared: list[Prepared] = []
    try:
        for done, source in enumerate(sources, start=1):
            prepared += _read(source, table, mode, store, options)
            if progress:
                progress(done / steps, source.name)
        in_order = _load_order(prepared)
        prepared.sort(key=in_order)
        replaced = {r.table for r, _, _ in prepared if mode == "replace" and r.table}
        batch: dict[str, str] | None = None
        for done, (report, members, match) in enumerate(prepared, start=1):
            if progress:
                progress((len(sources) + done * len(sources) / len(prepared)) / steps, report.file_name)
            if members is None or match is None or report.problems:
                continue
            batch = _check_and_store(store, (report, members, match), batch, replaced, skip_invalid, dry_run, options)
            bulk.release(members)
    finally:
        for _, members, _ in prepared:
            bulk.release(members)
    prepared.sort(key=in_order)  # a file the fast path gave back may have turned out to fit no table
    return [report for report, _, _ in prepared]


def _load_order(prepared: list[Prepared]) -> Callable[[Prepared], tuple[int, int]]:
    """Imports by table in the contract's order (communities first), in the order given within a table."""
    order = list(TABLES)
    position = {id(report): index for index, (report, _, _) in enumerate(prepared)}
    return lambda item: (order.index(item[0].table) if item[0].table else -1, position[id(item[0])])


def _check_and_store(
    store: Store,
    item: Prepared,
    batch: dict[str, str] | None,
    replaced: set[str],
    skip_invalid: bool,
    dry_run: bool,
    options: Options,
) -> dict[str, str] | None:
    """Check one import against the stored data and store it, as one step under the write lock
    (:meth:`Store.writing`); returns the communities the batch knows after it (code -> name)."""
    report, members, match = item
    assert match is not None
    mode = report.mode
    with nullcontext() if dry_run else store.writing():
        # Stored communities, read under the lock: the batch's own once loaded, and whatever another
        # session loaded between this batch's imports. A preview stored nothing, so it goes by the batch.
        context = _context(store, batch if dry_run else None)
        orphans = None
        if match.table.name == "communities" and mode == "replace":
            orphans = repairs.orphan_check(store, replaced)
        loaded = _load_one(store, report, members, match, context, skip_invalid, dry_run, options, orphans)
    if loaded is None or match.table.name != "communities":
        return batch
    names = dict(zip(loaded["community_id"], loaded["community_name"], strict=True))
    return names if mode == "replace" else {**context.communities, **names}


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


def create_sample_database(
    path: str, sample_dir: Path = SAMPLE_DIR, progress: Callable[[float, str], None] | None = None
) -> None:
    """Create ``path`` filled from ``sample_data/``, atomically.

    The database is built beside the target and renamed into place only when every
    sample file has loaded, so a half-built database is never opened as the real one.
    ``progress`` is told the share done and the file at hand (the first visit shows it).
    """
    target = Path(path)
    partial = target.with_name(f".{target.name}.{dt.datetime.now():%Y%m%d%H%M%S%f}.building")
    try:
        store = Store(str(partial))
    except StoreError as error:  # the reader knows the target, not the hidden file it is built in
        raise StoreError(error.reason, **{**error.params, "path": path}) from None
    try:
        reports = ingest_paths(store, sorted(sample_dir.glob("*.csv")), mode="replace", progress=progress)
    finally:
        store.close()
    failures = [r for r in reports if not r.loaded]
    if failures:
        partial.unlink(missing_ok=True)
        raise StoreError("sample_load_failed", files=", ".join(r.file_name for r in failures))
    partial.replace(target)
