"""Parsing the cell values people actually write into typed values, per the data contract.

Each parser takes the cell as text and returns the typed value, ``None`` for an empty cell,
or raises :class:`Invalid` with a reason key (translated by the locale files) so the loader
can report the row, column, value as written and why it was refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import pandas as pd

from community_eval.schema import LIKERT_WORDS, Column, Kind


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


def parse_number(text: str, column: Column) -> float | None:
    """A number, with thousands separators, full-width digits and a matching trailing unit."""
    folded = fold(text)
    if not folded:
        return None
    match = _NUMBER.match(_THOUSANDS.sub("", folded))
    if not match:
        raise Invalid("not_a_number")
    number, suffix = match.groups()
    if suffix and (column.unit is None or suffix.strip() not in column.unit.suffixes):
        raise Invalid("wrong_unit", unit=suffix)
    return float(number)


def parse_int(text: str, column: Column) -> int | None:
    """A whole number; ``12.0`` (as Excel stores integers) is accepted, ``12.5`` is not."""
    value = parse_number(text, column)
    if value is None:
        return None
    if not value.is_integer():
        raise Invalid("not_an_integer")
    return int(value)


_TRUE = frozenset({"1", "true", "t", "yes", "y", "是", "有", "✓", "✔", "√"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "否", "无", "✗", "✘", "×", "x"})


def parse_bool(text: str, column: Column) -> bool | None:
    """1/0, true/false, yes/no, y/n, 是/否, 有/无, ✓/✗ (case-insensitive)."""
    folded = fold(text)
    if not folded:
        return None
    if folded in _TRUE:
        return True
    if folded in _FALSE:
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
            if not 1 <= month <= 12:
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
def _enum_lookup(column: Column) -> dict[str, str]:
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
    code = _enum_lookup(column).get(folded)
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
