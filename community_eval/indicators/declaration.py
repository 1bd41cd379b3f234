"""What an indicator is, declared once: its name, query, grain, columns and export.

Each indicator module (``task_burden``, ``satisfaction``, …) ends with one :class:`Indicator`.
The export command, the pages' tables and downloads, the report and the data dictionary read
it, so a column added to an indicator is added in one place. How each column's number is
written comes from its kind (:data:`community_eval.indicators.metrics.KINDS`), and how each
kind is written from :mod:`community_eval.core.formats`; its label is ``col.<name>`` in the
locale files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from community_eval.core.formats import FORMATS, NumberFormat
from community_eval.core.standards import Profile, Standards
from community_eval.db.store import Store
from community_eval.indicators.filters import Filters
from community_eval.indicators.metrics import KINDS


@dataclass(frozen=True)
class Column:
    """One column of an indicator: its name, the kind of number it holds, where its label is."""

    name: str

    @property
    def kind(self) -> str | None:
        """The kind of number (``share``, ``mean``, …); None for a name, a flag or a note."""
        return KINDS.get(self.name)

    @property
    def label_key(self) -> str:
        return f"col.{self.name}"

    @property
    def number_format(self) -> NumberFormat | None:
        return FORMATS[self.kind] if self.kind else None


@dataclass(frozen=True)
class Request:
    """What an export is asked for: the year (None for an indicator not by year), the standards
    and profile to judge by, the as-of date of a survival curve, and the place."""

    year: int | None
    standards: Standards
    profile: Profile
    as_of: dt.date
    filters: Filters = field(default_factory=Filters)


class NothingToExport(Exception):
    """An export that would be an empty table for a reason the reader must be told (message key)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key}: {params}")
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Indicator:
    """One indicator of INDICATORS.md.

    ``name`` is INDICATORS.md's, the export command's and the locale's (``nav.<name>``);
    ``query`` the named query its rows come from; ``grain`` what one row is; ``year_table``
    the table whose years it has (None: it is read at a date, not for a year);
    ``export_columns`` INDICATORS.md's columns in order (a profile's rule columns are added
    by the export itself); ``export`` builds the export table from a :class:`Request`.
    ``printed_columns`` are those of its columns a printed page's table holds (the offline
    report's, on A4 width): the reading and its main reasons, not every detail.
    """

    name: str
    query: str
    grain: str
    year_table: str | None
    export_columns: tuple[str, ...]
    export: Callable[[Store, Request], pd.DataFrame]
    integer_columns: tuple[str, ...] = ()
    boolean_columns: tuple[str, ...] = ()
    printed_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.printed_columns) - set(self.export_columns)
        if unknown:
            raise ValueError(f"{self.name}: printed columns {sorted(unknown)} are not among its columns")

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(Column(name) for name in self.export_columns)

    def shown_columns(self) -> list[str]:
        """A page table's columns: the community's name, then the indicator's own columns."""
        return shown_after_name(self.export_columns)

    def printed(self) -> list[str]:
        """A printed table's columns: the community's name, then :attr:`printed_columns`."""
        return ["community_name", *self.printed_columns]

    def typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Nullable integer and boolean columns, so a writer never sees 12.0 for 12."""
        typed = frame.reset_index(drop=True)
        for column in self.integer_columns:
            typed[column] = typed[column].astype("Int64")
        for column in self.boolean_columns:
            typed[column] = typed[column].astype("boolean")
        return typed


def shown_after_name(columns: tuple[str, ...]) -> list[str]:
    """A page table's columns: the community's name, then the indicator's own columns."""
    return ["community_name", *(c for c in columns if c not in ("community_id", "year"))]


def withheld(frame: pd.DataFrame, statistics: tuple[str, ...]) -> pd.DataFrame:
    """The statistics of withheld (suppressed) rows emptied, their n kept: what an export may show."""
    shown = frame.copy()
    suppressed = shown["suppressed"].astype(bool)
    for column in statistics:
        shown[column] = shown[column].astype("float64").mask(suppressed)
    return shown
