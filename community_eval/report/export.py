"""Indicator tables for ``python -m community_eval export``: the columns INDICATORS.md names.

Researchers script their analyses and tests need numbers without a browser, so each
indicator has one function here returning exactly the export columns, in order, from the
same indicator functions the pages call. Writing keeps the values as they are: integers
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

from community_eval import indicators
from community_eval.core.i18n import Translator
from community_eval.core.standards import Profile, Standards
from community_eval.db.store import Store
from community_eval.indicators import retention
from community_eval.indicators.filters import Filters
from community_eval.indicators.metrics import (
    ASSESSMENT_COLUMNS,
    FACILITY_COUNTS,
    FACILITY_MEASURES,
    SATISFACTION_COLUMNS,
    SATISFACTION_STATISTICS,
    STAFF_RETENTION_COLUMNS,
    STAFF_TURNOVER_COLUMNS,
    SURVEY_ITEM_COLUMNS,
    SURVEY_ITEM_STATISTICS,
    TASK_BURDEN_COLUMNS,
)

INDICATORS = (
    "task_burden",
    "satisfaction",
    "facility_compliance",
    "staff_turnover",
    "staff_retention",
    "assessment",
    "survey_items",  # added later: after the existing names, so their order holds
)
FORMATS = ("csv", "json")

#: The table whose years define "year Y has data" and the default year, per indicator.
YEAR_TABLE = {
    "task_burden": "tasks",
    "satisfaction": "survey",
    "survey_items": "survey",
    "facility_compliance": "facilities",
    "staff_turnover": "staff",
    "assessment": "survey",  # residents' satisfaction is the measure the assessment is tied to
}

TOTAL_ROW_ID = "ALL"


class ExportError(Exception):
    """Why an export cannot be made, as a message key and its parameters (never a traceback)."""

    def __init__(self, key: str, status: int = 1, **params: object) -> None:
        super().__init__(f"{key}: {params}")
        self.key = key
        self.status = status
        self.params = params


def message(tr: Translator, key: str, **params: object) -> str:
    """The sentence for ``key`` in the reader's language."""
    return tr(key, **params)


# ---- choosing the year and the profile --------------------------------------------------


def resolve_year(store: Store, indicator: str, year: int | None) -> int:
    """The year asked for, or the latest year with data in the indicator's table.

    A year with no data in that table (per ``indicators.data_years``, the same years the
    default is chosen from) is refused rather than exported as an empty table.
    """
    table = YEAR_TABLE[indicator]
    years = sorted(set(indicators.data_years(store).get(table, [])))
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


# ---- one function per indicator ---------------------------------------------------------


def _typed(frame: pd.DataFrame, ints: tuple[str, ...] = (), bools: tuple[str, ...] = ()) -> pd.DataFrame:
    """Nullable integer and boolean columns, so a writer never sees 12.0 for 12."""
    typed = frame.reset_index(drop=True)
    for column in ints:
        typed[column] = typed[column].astype("Int64")
    for column in bools:
        typed[column] = typed[column].astype("boolean")
    return typed


def task_burden(store: Store, year: int, filters: Filters | None = None) -> pd.DataFrame:
    """One row per community with task rows in ``year``."""
    frame = indicators.task_burden(store, filters or Filters(), year)
    frame = frame[frame["tasks"].notna()].rename(columns={"group_key": "community_id"})
    ints = ("tasks", "departments", "inspections", "ledgers", "staff_active")
    return _typed(frame[list(TASK_BURDEN_COLUMNS)], ints=ints)


def satisfaction(store: Store, year: int, min_n: int, filters: Filters | None = None) -> pd.DataFrame:
    """One row per community with responses in ``year``; suppressed rows keep only n."""
    frame = indicators.satisfaction(store, filters or Filters(), year, min_n)
    frame = frame.rename(columns={"group_key": "community_id"})[list(SATISFACTION_COLUMNS)].copy()
    suppressed = frame["suppressed"].astype(bool)
    for column in SATISFACTION_STATISTICS:
        frame[column] = frame[column].astype("float64").mask(suppressed)
    return _typed(frame, ints=("n",), bools=("suppressed",))


def survey_items(store: Store, year: int, min_n: int, filters: Filters | None = None) -> pd.DataFrame:
    """One row per (community, own item) answered in ``year``; suppressed rows keep only n,
    as the satisfaction export does (a questionnaire without own items gives no rows)."""
    frame = indicators.survey_items(store, filters or Filters(), year, min_n)
    frame = frame.rename(columns={"group_key": "community_id"})[list(SURVEY_ITEM_COLUMNS)].copy()
    suppressed = frame["suppressed"].astype(bool)
    for column in SURVEY_ITEM_STATISTICS:
        frame[column] = frame[column].astype("float64").mask(suppressed)
    return _typed(frame, ints=("n",), bools=("suppressed",))


def facility_compliance(store: Store, year: int, profile: Profile, filters: Filters | None = None) -> pd.DataFrame:
    """One row per community with a facilities row from ``year`` or before, rules in profile order."""
    frame = indicators.facility_compliance(store, filters or Filters(), year, profile)
    frame = frame[frame["year"].notna()]
    columns = [*FACILITY_MEASURES, *(rule.column for rule in profile.facility_rules), *FACILITY_COUNTS]
    return _typed(frame[columns], ints=("year", "rules_passed", "rules_applicable"), bools=("compliant",))


def staff_turnover(store: Store, year: int, standards: Standards, filters: Filters | None = None) -> pd.DataFrame:
    """One row per community with staff hired by 31 Dec ``year``, then the pooled ``ALL`` row."""
    scope = filters or Filters()
    rows = indicators.staff_turnover(store, scope, year, standards)
    rows = rows[rows["staff_records"] > 0]
    total = indicators.staff_turnover(store, scope, year, standards, level="all")
    total = total.assign(group_key=TOTAL_ROW_ID)
    frame = pd.concat([rows, total], ignore_index=True).rename(columns={"group_key": "community_id"})
    frame["year"] = year
    ints = ("year", "headcount_start", "headcount_end", "hires", "separations")
    return _typed(frame[list(STAFF_TURNOVER_COLUMNS)], ints=ints)


def staff_retention(
    store: Store, as_of: dt.date, retirement_censored: bool = False, filters: Filters | None = None
) -> pd.DataFrame:
    """Kaplan–Meier S(t) at 0, 6, 12, 24, 36 and 60 months; refused when nobody was hired by ``as_of``."""
    frame = retention.staff_retention(store, filters or Filters(), as_of, retirement_censored)
    if int(frame["at_risk"].iloc[0]) == 0:
        raise ExportError("export.no_staff", as_of=as_of.isoformat())
    return _typed(frame[list(STAFF_RETENTION_COLUMNS)], ints=("months", "at_risk"))


def assessment(store: Store, year: int, standards: Standards, profile: Profile, filters: Filters | None = None):
    """One row per community, best first; a community with no score at all is listed last, flagged."""
    frame = indicators.assessment(store, filters or Filters(), year, standards, profile)
    return _typed(frame[list(ASSESSMENT_COLUMNS)], ints=("rank",), bools=("rated",))


def build(
    store: Store,
    indicator: str,
    standards: Standards,
    year: int | None = None,
    profile: str | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The export table of ``indicator`` for the whole database."""
    chosen_profile = resolve_profile(standards, profile)
    if indicator == "staff_retention":
        return staff_retention(store, as_of or dt.date.today())
    chosen_year = resolve_year(store, indicator, year)
    if indicator == "task_burden":
        return task_burden(store, chosen_year)
    if indicator == "satisfaction":
        return satisfaction(store, chosen_year, standards.min_n)
    if indicator == "survey_items":
        return survey_items(store, chosen_year, standards.min_n)
    if indicator == "facility_compliance":
        return facility_compliance(store, chosen_year, chosen_profile)
    if indicator == "staff_turnover":
        return staff_turnover(store, chosen_year, standards)
    if indicator == "assessment":
        return assessment(store, chosen_year, standards, chosen_profile)
    raise ValueError(f"indicator must be one of {INDICATORS}, not {indicator!r}")


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

    Unlike the dashboard's downloads (``ui.neutralise_formulas``), text that starts like a
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
