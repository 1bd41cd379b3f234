"""How much of a file the loader lays out in memory before it refuses: the bounded-parsing settings.

An upload may be 100 MB (``server.maxUploadSize``), and a few kilobytes can describe millions of cells (a workbook
whose rows reach column XFD, a CSV of one line and millions of fields). Our tables have at
most a few dozen columns, so the defaults are generous for real files and still keep one
load to a few gigabytes at worst. Each limit is checked while the file is read, before
the cells it would cost are built, and a file past one is refused naming the limit, what
the file has, and the setting that raises it (an environment variable of the server or
of the command line), e.g. ``COMMUNITY_EVAL_MAX_COLUMNS=2000``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

#: The prefix of every setting: ``max_columns`` is ``COMMUNITY_EVAL_MAX_COLUMNS``.
PREFIX = "COMMUNITY_EVAL_"


@dataclass(frozen=True)
class Limits:
    """The caps of one load; :func:`current` reads them from the environment."""

    #: columns with content in any row (trailing empty cells do not count): our widest table
    #: has 13 columns, and a value in column XFD would otherwise cost 16,384 cells a row
    max_columns: int = 1000
    #: rows × columns of a sheet's table laid out for checking, all sheets of a workbook
    #: counted alike: about 30 bytes each on the Python path (a 100 MB survey CSV has ~22
    #: million, but a CSV that big and simple goes through DuckDB, which this does not bound)
    max_cells: int = 25_000_000
    #: characters in one row of a sheet, its cells together (a CSV line with its separators)
    max_row_chars: int = 4_000_000
    #: characters in one header of a table (Excel's own headers stop at a few dozen)
    max_header_chars: int = 500

    @staticmethod
    def setting(name: str) -> str:
        """The environment variable of a limit: ``max_columns`` -> ``COMMUNITY_EVAL_MAX_COLUMNS``."""
        return PREFIX + name.upper()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, each replaced by its environment variable where set.

        A value that is not a positive whole number is an error naming the variable: a
        limit silently left at its default would refuse files the operator meant to allow.
        """
        environ = os.environ if environ is None else environ
        values = {}
        for item in fields(cls):
            written = environ.get(cls.setting(item.name), "").strip()
            digits = written.replace("_", "").replace(",", "")  # 2_000 and 2,000 read as 2000
            if not written:
                continue
            if not digits.isascii() or not digits.isdigit() or int(digits) < 1:
                raise ValueError(f"{cls.setting(item.name)} must be a positive whole number, not {written!r}")
            values[item.name] = int(digits)
        return cls(**values)


def current() -> Limits:
    """The limits in force now (read at every load, so a changed environment takes effect)."""
    return Limits.from_env()


def shown(number: int) -> str:
    """A count as a message shows it: ``16,384``."""
    return f"{number:,}"
