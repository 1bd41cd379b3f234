"""Parsing the cell values people actually write into typed values, per the data contract.

Each parser takes the cell as text and returns the typed value, ``None`` for an empty cell,
or raises :class:`Invalid` with a reason key (translated by the locale files) so the loader
can report the row, column, value as written and why it was refused.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from community_eval.schema import LIKERT_WORDS, TABLES, Column, Kind


class Invalid(ValueError):
    """A cell that cannot be read as its column's type; ``reason`` is a locale key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def fold(text: str) -> str:
    """NFKC-fold (full-width to half-width, ㎡ to m2), trim and lower-case a cell."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def clean_text(text: str) -> str | None:
    """Trim text, counting full-width spaces as spaces; empty becomes missing."""
    cleaned = text.replace("\u3000", " ").strip()
    return cleaned or None


_THOUSANDS = re.compile(r"(?<=\d)[,\s](?=\d{3}(?!\d))")
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(.*)$")

#: What a BIGINT column can hold: an int outside this range would fail the load, not the row.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _number_literal(text: str, column: Column) -> str | None:
    """The number as written, without thousands separators or its unit; None for an empty cell."""
    folded = fold(text)
    if not folded:
        return None
    match = _NUMBER.match(_THOUSANDS.sub("", folded))
    if not match:
        raise Invalid("not_a_number")
    number, suffix = match.groups()
    if suffix and not _unit_like(suffix):
        raise Invalid("not_a_number")
    if suffix and (column.unit is None or suffix.strip() not in column.unit.suffixes):
        raise Invalid("wrong_unit", unit=suffix)
    return number


_KNOWN_UNITS = frozenset(
    fold(suffix)
    for table in TABLES.values()
    for column in table.columns
    if column.unit
    for suffix in column.unit.suffixes
)


def _unit_like(suffix: str) -> bool:
    """Whether what follows the number could be a unit at all (right or wrong for the column).

    ``12-15``, ``12 34``, ``1,23`` and ``3.5.1`` are not a number with a unit but not one
    number; reporting "unit “-15” does not belong to this column" sent users looking for
    a unit they never wrote.
    """
    suffix = suffix.strip()
    if not suffix or suffix in _KNOWN_UNITS:
        return True
    return suffix[0] not in ",.+-/~:" and not any(c.isdigit() for c in suffix)


def parse_number(text: str, column: Column) -> float | None:
    """A number, with thousands separators, full-width digits and a matching trailing unit.

    ``1e400`` reads as infinity, which no column can hold (the store would keep it and every
    sum over it would be infinite), so a number too large for a double is refused.
    """
    number = _number_literal(text, column)
    if number is None:
        return None
    value = float(number)
    if not math.isfinite(value):
        raise Invalid("not_a_number")
    return value


def parse_int(text: str, column: Column) -> int | None:
    """A whole number; ``12.0`` (as Excel stores integers) is accepted, ``12.5`` is not.

    Read exactly (as a decimal, not through a double, which rounds past 2**53), and only
    within BIGINT: ``1e20`` people used to pass here and crash the load when stored.
    """
    number = _number_literal(text, column)
    if number is None:
        return None
    exact = Decimal(number)
    if exact and exact.adjusted() >= 19:  # at least 10**19: beyond BIGINT, and int() of it could be huge
        raise Invalid("above_maximum" if exact > 0 else "below_minimum", **_int_bound(exact > 0))
    if exact != exact.to_integral_value():
        raise Invalid("not_an_integer")
    value = int(exact)
    if not INT_MIN <= value <= INT_MAX:
        raise Invalid("above_maximum" if value > 0 else "below_minimum", **_int_bound(value > 0))
    return value


def _int_bound(upper: bool) -> dict[str, str]:
    return {"maximum": str(INT_MAX)} if upper else {"minimum": str(INT_MIN)}


TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "是", "有", "✓", "✔", "√"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "否", "无", "✗", "✘", "×", "x"})


def parse_bool(text: str, column: Column) -> bool | None:
    """1/0, true/false, yes/no, y/n, 是/否, 有/无, ✓/✗ (case-insensitive)."""
    folded = fold(text)
    if not folded:
        return None
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    raise Invalid("not_a_bool")


_DATE_PATTERNS = (
    re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def _match_date(folded: str) -> dt.date | None:
    for pattern in _DATE_PATTERNS:
        match = pattern.match(folded)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise Invalid("no_such_date") from None
    return None


def parse_date(text: str, column: Column) -> dt.date | None:
    """2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日 (Excel dates arrive as ISO)."""
    folded = fold(text)
    if not folded:
        return None
    value = _match_date(folded)
    if value is None:
        raise Invalid("not_a_date")
    return value


def parse_month(text: str, column: Column) -> dt.date | None:
    """A month as its first day: 2024-03, 2024/3, 2024年3月, 202403, or any date in it."""
    folded = fold(text)
    if not folded:
        return None
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(folded)
        if match:
            year, month = (int(g) for g in match.groups())
            if not 1 <= month <= 12 or year < dt.MINYEAR:  # year 0000 is no year: date() would raise
                raise Invalid("not_a_month")
            return dt.date(year, month, 1)
    value = _match_date(folded)
    if value is None:
        raise Invalid("not_a_month")
    return value.replace(day=1)


def parse_likert(text: str, column: Column) -> int | None:
    """1–5 as a digit or its words (非常满意 = 5 … 非常不满意 = 1, English likewise)."""
    folded = fold(text)
    if not folded:
        return None
    if folded in LIKERT_WORDS:
        return LIKERT_WORDS[folded]
    try:
        number = float(folded)
    except ValueError:
        raise Invalid("not_likert") from None
    if number.is_integer() and 1 <= number <= 5:
        return int(number)
    raise Invalid("not_likert")


@lru_cache(maxsize=64)
def enum_lookup(column: Column) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value in column.values:
        for word in (value.code, value.zh, value.en, *value.aliases):
            lookup[fold(word)] = value.code
    return lookup


def parse_enum(text: str, column: Column) -> str | None:
    """An enum value by its code, its Chinese word(s) or its English label."""
    folded = fold(text)
    if not folded:
        return None
    code = enum_lookup(column).get(folded)
    if code is None:
        raise Invalid("not_in_enum", allowed=", ".join(f"{v.code} ({v.zh})" for v in column.values))
    return code


def parse_text(text: str, column: Column) -> str | None:
    return clean_text(text)


PARSERS: dict[Kind, Callable[[str, Column], object]] = {
    Kind.TEXT: parse_text,
    Kind.INT: parse_int,
    Kind.NUMBER: parse_number,
    Kind.BOOL: parse_bool,
    Kind.DATE: parse_date,
    Kind.MONTH: parse_month,
    Kind.ENUM: parse_enum,
    Kind.LIKERT: parse_likert,
}


def check_range(value: float, column: Column) -> None:
    """Raise when a parsed number falls outside the column's bounds."""
    if column.minimum is not None:
        too_low = value <= column.minimum if column.minimum_exclusive else value < column.minimum
        if too_low:
            raise Invalid("below_minimum", minimum=f"{column.minimum:g}")
    if column.maximum is not None and value > column.maximum:
        raise Invalid("above_maximum", maximum=f"{column.maximum:g}")


def parse_cell(text: str, column: Column) -> object:
    """Parse one cell and check its range; raises :class:`Invalid`."""
    value = PARSERS[column.kind](text, column)
    if value is not None and column.kind in (Kind.INT, Kind.NUMBER):
        check_range(value, column)
    return value


def parse_column(raw: pd.Series, column: Column) -> tuple[list[object], dict[int, Invalid]]:
    """Parse a column of cell texts; returns the values and the failures by position.

    Each distinct text is parsed once: real sheets repeat dates, enums and flags
    thousands of times, so this keeps loading cost proportional to distinct values.
    """
    outcomes: dict[str, object] = {}
    for text in pd.unique(raw):
        try:
            outcomes[text] = parse_cell(text, column)
        except Invalid as problem:
            outcomes[text] = problem
    values: list[object] = []
    failures: dict[int, Invalid] = {}
    for position, text in enumerate(raw):
        outcome = outcomes[text]
        if isinstance(outcome, Invalid):
            failures[position] = outcome
            values.append(None)
        else:
            values.append(outcome)
    return values, failures
