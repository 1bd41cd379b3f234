"""The two downloads under every indicator table: a CSV for machines, a workbook for people.

* The **CSV** is for a researcher's script: the INDICATORS.md column names, full precision,
  the community id first, UTF-8 with a BOM. What it says never depends on the language.
* The **Excel workbook** is for the person who files it or pastes it into a meeting paper:
  a sheet named after the indicator, title rows stating what it covers (filter, year,
  standards, data date), headers in the reader's language, and real number formats (a
  share is a percent cell holding 0.197, shown as 19.7%), so nothing was rounded away.

Both carry the same informative file name ("任务负担_2025年_干河街道"), so two downloads
from two filters are never confused in a Downloads folder.

Text cells that a spreadsheet would run as a formula are defused in both (OWASP CSV
injection): names come from uploads.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from community_eval.core.formats import is_missing, number_format
from community_eval.core.i18n import Translator, format_value
from community_eval.indicators.metrics import KINDS

#: What a spreadsheet treats as the start of a formula (OWASP's list, plus the tab and CR
#: that some versions honour): a text cell starting so gets a leading ``'``.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: …also after leading blanks, which Excel and LibreOffice skip before looking.
_LEADING_BLANKS = " \t\r\n"
#: Characters Windows, macOS and Excel refuse in a file or sheet name, and blanks.
_UNSAFE_IN_NAMES = re.compile(r"[\\/:*?\"<>|\[\]\s·]+")
#: Excel's limit on a sheet name.
SHEET_NAME_CHARS = 31
#: Kept well under every file system's 255 bytes once the suffix and UTF-8 are counted.
FILE_STEM_CHARS = 80
#: Rows above the header: title, scope, standards, data date, then one blank row.
TITLE_ROWS = 5


@dataclass(frozen=True)
class DownloadContext:
    """What a download covers, for its title rows and file name."""

    indicator: str  # the export's name: task_burden, satisfaction, facility_compliance…
    year: int | None
    scope: tuple[str, ...]  # the filter's words (district, street, type, community), none for all
    standards: str  # the standards profile's name in the reader's language
    data_date: dt.datetime | None  # when the data last changed (the latest load)


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and (
        value.startswith(_FORMULA_STARTS) or value.lstrip(_LEADING_BLANKS).startswith(_FORMULA_STARTS)
    )


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with ``'``.

    Numbers are left alone: only text can carry a formula, and negative numbers are data.
    Every table download of the dashboard goes through here; the command-line export does
    not (see :func:`community_eval.report.export.to_csv`).
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = [f"'{value}" if _formula_like(value) else value for value in safe[column]]
    return safe


def with_community_id(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """The download's columns: the community id first, wherever the page's frame keeps it.

    Rows are communities on every indicator table; pages that roll up by level keep the
    id in ``group_key``. The id is what joins a download to anything else.
    """
    if "community_id" not in frame.columns and "group_key" in frame.columns:
        frame = frame.assign(community_id=frame["group_key"])
    ids = ["community_id"] if "community_id" in frame.columns else []
    return frame, [*ids, *(c for c in columns if c != "community_id")]


def file_stem(tr: Translator, context: DownloadContext) -> str:
    """``任务负担_2025年_干河街道``: the indicator, the year and the filter, safe as a file name."""
    parts = [tr(f"download.name.{context.indicator}")]
    if context.year is not None:
        parts.append(tr("filters.year_value", year=context.year))
    parts += context.scope
    stem = "_".join(_UNSAFE_IN_NAMES.sub("_", unicodedata.normalize("NFC", p)).strip("_.") for p in parts)
    return stem[:FILE_STEM_CHARS].rstrip("_.") or context.indicator


def csv_bytes(frame: pd.DataFrame, columns: Sequence[str]) -> bytes:
    """The machine's file: stable column names, every digit DuckDB computed, the id first.

    UTF-8 with a BOM, so Excel on a Chinese Windows machine opens it without mojibake.
    Lines end in CRLF (RFC 4180): the csv writer then quotes any cell holding a carriage
    return, which Excel would otherwise take for the end of a row. Floats are written with
    Python's shortest round-trip repr, so reading the file back gives the same doubles.
    """
    frame, columns = with_community_id(frame, columns)
    return neutralise_formulas(frame[columns]).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def title_lines(tr: Translator, context: DownloadContext) -> list[str]:
    """The rows above the workbook's header: what, where, judged by what, data as of when."""
    title = tr(f"download.name.{context.indicator}")
    if context.year is not None:
        title = tr("download.title_year", title=title, year=context.year)
    date = context.data_date.strftime("%Y-%m-%d %H:%M") if context.data_date else "—"
    return [
        title,
        tr("download.scope", scope=" · ".join(context.scope) or tr("filters.everything")),
        tr("download.standards", name=context.standards),
        tr("download.data_date", date=date),
    ]


def sheet_name(tr: Translator, context: DownloadContext) -> str:
    """The indicator's name, cut to Excel's 31 characters and free of the characters it refuses."""
    name = _UNSAFE_IN_NAMES.sub(" ", tr(f"download.name.{context.indicator}")).strip(" '")
    return name[:SHEET_NAME_CHARS] or context.indicator[:SHEET_NAME_CHARS]


def xlsx_bytes(tr: Translator, frame: pd.DataFrame, columns: Sequence[str], context: DownloadContext) -> bytes:
    """The people's workbook: title rows, translated headers, each number in its kind's format.

    Values are stored as they were computed (a share as 0.1974…, a mean as 3.8249…);
    only the cell's number format rounds what is seen, so a sum or a re-sort in Excel
    works on the real figures.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    frame, columns = with_community_id(frame, columns)
    table = neutralise_formulas(frame[columns])
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(tr, context)
    for index, line in enumerate(title_lines(tr, context), start=1):
        sheet.cell(row=index, column=1, value=line).font = Font(bold=index == 1, size=14 if index == 1 else 11)
    header_row = TITLE_ROWS + 1
    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=position, value=tr(f"col.{column}"))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    kinds = [KINDS.get(column) for column in columns]
    for offset, values in enumerate(table.itertuples(index=False, name=None), start=1):
        for position, (value, kind) in enumerate(zip(values, kinds, strict=True), start=1):
            cell = sheet.cell(row=header_row + offset, column=position, value=_cell_value(value))
            if kind is not None and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = number_format(kind).excel
    for position, (column, kind) in enumerate(zip(columns, kinds, strict=True), start=1):
        shown = table[column] if kind is None else table[column].map(lambda v, k=kind: format_value(v, k, tr.lang))
        sheet.column_dimensions[get_column_letter(position)].width = _width(tr(f"col.{column}"), shown)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_value(value: object) -> object:
    """A pandas value as openpyxl stores it: missing is an empty cell, numpy scalars plain."""
    if is_missing(value) or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _display_width(text: str) -> int:
    """Columns a text takes in Excel: a CJK character is about two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _width(header: str, values: pd.Series) -> float:
    """A column wide enough for its header (wrapped at about 16) and its longest value."""
    longest = max((_display_width(str(v)) for v in values.head(500) if not is_missing(v)), default=0)
    return float(min(max(min(_display_width(header), 16), longest, 8) + 2, 40))
