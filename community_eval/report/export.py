"""Indicator tables for ``python -m community_eval export``: the columns INDICATORS.md names.

Researchers script their analyses and tests need numbers without a browser. Each indicator's
declaration (``indicators/<name>.py``) builds its table with exactly the export columns, in
order, from the same functions the pages call; this module chooses the year and profile and
writes the table. Writing keeps the values as they are: integers
as integers, floats at full precision (``repr``), booleans as ``true``/``false`` and
missing values as empty CSV cells or JSON ``null``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import pandas as pd

from community_eval.core.standards import Profile, Standards
from community_eval.db.store import Store
from community_eval.indicators import overview
from community_eval.indicators.catalog import BY_NAME
from community_eval.indicators.declaration import NothingToExport, Request
from community_eval.report.export_choices import FORMATS, ExportError, message  # noqa: F401 (this module's names too)

# FORMATS, ExportError and message live in export_choices: the command line parses its arguments
# and answers any command with them without importing this module's pandas and scipy.

#: The indicators the command writes, in the order its help lists them (from their declarations).
INDICATORS = tuple(BY_NAME)


# ---- choosing the year and the profile --------------------------------------------------


def resolve_year(store: Store, indicator: str, year: int | None) -> int:
    """The year asked for, or the latest year with data in the indicator's table.

    A year with no data in that table (per ``overview.data_years``, the same years the
    default is chosen from) is refused rather than exported as an empty table.
    """
    table = BY_NAME[indicator].year_table
    years = sorted(set(overview.data_years(store).get(table, [])))
    if not years:
        raise ExportError("export.no_data", table=table, indicator=indicator)
    if year is None:
        return years[-1]
    if year not in years:
        raise ExportError("export.no_data_in_year", table=table, year=year, years=", ".join(map(str, years)))
    return year


def resolve_profile(standards: Standards, key: str | None) -> Profile:
    """The named profile, or the standards file's default; an unknown name is an error.

    ``Standards.profile`` quietly falls back to the default for a page's stale choice; a
    script that names a profile must not get another one's numbers.
    """
    if key is not None and key not in standards.profiles:
        raise ExportError("export.unknown_profile", profile=key, profiles=", ".join(standards.profiles))
    return standards.profile(key)


# ---- the table -----------------------------------------------------------------------------


def build(
    store: Store,
    indicator: str,
    standards: Standards,
    year: int | None = None,
    profile: str | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The export table of ``indicator`` for the whole database, as its declaration builds it."""
    declared = BY_NAME.get(indicator)
    if declared is None:
        raise ValueError(f"indicator must be one of {INDICATORS}, not {indicator!r}")
    chosen_profile = resolve_profile(standards, profile)
    chosen_year = resolve_year(store, indicator, year) if declared.year_table else None
    request = Request(chosen_year, standards, chosen_profile, as_of or dt.date.today())
    try:
        return declared.export(store, request)
    except NothingToExport as empty:
        raise ExportError(empty.key, **empty.params) from None


# ---- writing ----------------------------------------------------------------------------


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "text"


def _value(value: object, kind: str) -> object:
    """A cell as a plain Python value (None when missing) that keeps its type."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The rows as dictionaries of plain Python values, columns in order."""
    kinds = {column: _kind(frame[column]) for column in frame.columns}
    columns = [frame[column].tolist() for column in frame.columns]
    return [
        {column: _value(value, kinds[column]) for column, value in zip(frame.columns, row, strict=True)}
        for row in zip(*columns, strict=True)
    ]


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV with every value exactly as computed.

    Unlike the dashboard's downloads (``downloads.neutralise_formulas``), text that starts like a
    formula is not prefixed: this export is read by scripts, which must get a community
    named ``=A1`` back as ``=A1`` (and the same bytes from a database and its Parquet files),
    and it is not offered to a browser: it is written by whoever ran the command, from the
    database they chose. For a file to open in Excel, the page's download is the safe one.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows([_csv_cell(value) for value in row.values()] for row in records(frame))
    return buffer.getvalue()


def to_json(frame: pd.DataFrame) -> str:
    """A JSON array of row objects, one row per line."""
    rows = [json.dumps(row, ensure_ascii=False, allow_nan=False) for row in records(frame)]
    return "[\n" + ",\n".join(rows) + "\n]\n" if rows else "[]\n"


def render(frame: pd.DataFrame, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    return to_json(frame) if fmt == "json" else to_csv(frame)


def write_file(text: str, path: str) -> None:
    """Write ``text`` as UTF-8; a file that cannot be written is an export error."""
    try:
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise ExportError("export.cannot_write", path=path, detail=error.strerror or str(error)) from None
