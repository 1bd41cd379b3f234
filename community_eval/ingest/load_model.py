"""What a load is about, apart from how it is done: the file (:class:`Source`), what the user
said beyond it (:class:`Options`), and what happened (:class:`Problem`, :class:`Notice`,
:class:`SheetReport`, :class:`FileReport`).

Every step of a load speaks these words: the reader's layout detection, the checks
(:mod:`community_eval.ingest.checks`), the Python and DuckDB paths (:mod:`community_eval.ingest.loader`,
:mod:`community_eval.ingest.bulk`), the repairs, and the report's text on the page and the command
line (:mod:`community_eval.ingest.load_report`). Kept apart so each of those can import them without
importing the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from community_eval.ingest import questionnaire
from community_eval.ingest.layout import Layout


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
    CSV files (:mod:`community_eval.ingest.bulk`) lets DuckDB read the file there rather than a copy.
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
