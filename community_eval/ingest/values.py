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
from collections.abc import Callable, Collection
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from community_eval.core.schema import (
    COMMUNITY_TYPES,
    EDUCATION,
    LIKERT_WORDS,
    ROLES,
    TABLES,
    Column,
    EnumValue,
    Kind,
)


class Invalid(ValueError):
    """A cell that cannot be read as its column's type; ``reason`` is a locale key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


#: Python's whitespace (``str.isspace``), line breaks and full-width spaces included.
_WHITESPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Trim, and make every run of whitespace inside (line breaks, full-width spaces) one space."""
    return _WHITESPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """NFKC-fold (full-width to half-width, ㎡ to m2), squash whitespace, trim and lower-case a cell."""
    return squash(unicodedata.normalize("NFKC", text)).lower()


#: What people write in a cell to say "nothing here", folded (see :func:`fold`): an empty cell
#: in every column, except that ``无`` in a yes/no column is "no" (有/无).
PLACEHOLDERS = frozenset({"—", "——", "–", "-", "--", "/", "无", "暂无", "空", "n/a", "na"})


def is_placeholder(text: str) -> bool:
    """Whether a cell is one of the :data:`PLACEHOLDERS` (``—``, ``/``, ``无``, ``N/A`` …), read as empty."""
    return fold(text) in PLACEHOLDERS


def clean_text(text: str) -> str | None:
    """Trim text and make whitespace runs and line breaks inside one space; empty becomes missing.

    Full-width spaces count as spaces. Placeholders are not looked at here (see :func:`parse_text`).
    """
    return squash(text) or None


_THOUSANDS = re.compile(r"(?<=\d)[,\s](?=\d{3}(?!\d))")
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(.*)\Z")

#: What a BIGINT column can hold: an int outside this range would fail the load, not the row.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _number_literal(text: str, column: Column) -> str | None:
    """The number as written, without thousands separators or its unit; None for an empty cell."""
    folded = fold(text)
    if not folded or folded in PLACEHOLDERS:
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
    """1/0, true/false, yes/no, y/n, 是/否, 有/无, ✓/✗ (case-insensitive); ``无`` is no, other placeholders empty."""
    folded = fold(text)
    if not folded:
        return None
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    if folded in PLACEHOLDERS:
        return None
    raise Invalid("not_a_bool")


_DATE_PATTERNS = (
    re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\Z"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})\Z"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\Z"),
    re.compile(r"^(\d{4})(\d{2})\Z"),
)
#: An Excel serial day number as Excel writes a date cell it shows as a number: 10000 (1927-05-18)
#: to 99999 (2173-10-13), whole or with a time of day as a fraction, nothing else around it.
_EXCEL_SERIAL = re.compile(r"^([1-9]\d{4})(?:\.\d+)?\Z")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: ``2024.1``: a month written as a number with one decimal, 1. Excel keeps a typed ``2024.10``
#: (October) as the number 2024.1, so the cell may mean January or October. Only 1 is
#: ambiguous: ``2024.2`` … ``2024.9`` cannot come from a two-digit month (there is no month
#: 20 … 90), and ``2024.01``, ``2024.10``, ``2024.11``, ``2024.12`` keep their two digits, so
#: they say which month they are; ``2024-1``, ``2024/1`` and ``2024年1月`` are not numbers
#: Excel could have shortened.
_AMBIGUOUS_MONTH = re.compile(r"^\d{4}\.1\Z")


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


def _match_month(folded: str, reason: str) -> dt.date | None:
    """The first day of a month written without a day (``2024-03``, ``2024年3月``, ``202403``)."""
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(folded)
        if match:
            year, month = (int(g) for g in match.groups())
            if not 1 <= month <= 12 or year < dt.MINYEAR:  # year 0000 is no year: date() would raise
                raise Invalid(reason)
            return dt.date(year, month, 1)
    return None


def _excel_serial(folded: str) -> dt.date | None:
    match = _EXCEL_SERIAL.match(folded)
    return _EXCEL_EPOCH + dt.timedelta(days=int(match.group(1))) if match else None


def _read_date(folded: str) -> tuple[dt.date, str | None]:
    """A date column's cell (folded, not empty) and the notice its reading deserves, if any."""
    value = _match_date(folded)
    if value is not None:
        return value, None
    value = _excel_serial(folded)
    if value is not None:
        return value, "excel_serial_date"
    if _AMBIGUOUS_MONTH.match(folded):
        raise Invalid("ambiguous_month")
    value = _match_month(folded, "not_a_date")
    if value is not None:
        return value, "month_only_date"
    raise Invalid("not_a_date")


def _read_month(folded: str) -> tuple[dt.date, str | None]:
    """A month column's cell (folded, not empty) as the month's first day, and its notice, if any."""
    if _AMBIGUOUS_MONTH.match(folded):
        raise Invalid("ambiguous_month")
    value = _match_month(folded, "not_a_month")
    if value is not None:
        return value, None
    value = _excel_serial(folded)
    if value is not None:
        return value.replace(day=1), "excel_serial_date"
    value = _match_date(folded)
    if value is None:
        raise Invalid("not_a_month")
    return value.replace(day=1), None


def parse_date(text: str, column: Column) -> dt.date | None:
    """2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日 (Excel dates arrive as ISO).

    Also an Excel serial day number (``45536`` is 2024-09-01) and a month without a day
    (``2014.03``, ``2014年3月``: its 1st), each with a notice (:func:`notice_for`);
    ``2014.1`` is ``ambiguous_month``.
    """
    folded = fold(text)
    if not folded or folded in PLACEHOLDERS:
        return None
    return _read_date(folded)[0]


def parse_month(text: str, column: Column) -> dt.date | None:
    """A month as its first day: 2024-03, 2024/3, 2024年3月, 202403, or any date in it.

    Also an Excel serial day number (with a notice); ``2024.1`` is ``ambiguous_month``.
    """
    folded = fold(text)
    if not folded or folded in PLACEHOLDERS:
        return None
    return _read_month(folded)[0]


def notice_for(text: str, column: Column) -> str | None:
    """The notice key a cell deserves when it parses by a rule the user must hear about, else None.

    ``excel_serial_date``: a date or month column holding an Excel serial number (``45536``);
    ``month_only_date``: a date column given only a month (``2014.03``), read as its 1st.
    A pure function of the text, so the loader (and the bulk path) count notices per column
    by distinct text. Cells that do not parse, are empty, or need no word give None.
    """
    if column.kind not in (Kind.DATE, Kind.MONTH):
        return None
    folded = fold(text)
    if not folded or folded in PLACEHOLDERS:
        return None
    try:
        return (_read_date if column.kind is Kind.DATE else _read_month)(folded)[1]
    except Invalid:
        return None


def parse_likert(text: str, column: Column) -> int | None:
    """1–5 as a digit or its words (非常满意 = 5 … 非常不满意 = 1, English likewise)."""
    folded = fold(text)
    if not folded or folded in PLACEHOLDERS:
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


#: Words people add after an enum word: ``村改居社区`` is ``村改居``, ``本科学历`` is ``本科``.
_ENUM_SUFFIXES: tuple[tuple[tuple[EnumValue, ...], tuple[str, ...]], ...] = (
    (COMMUNITY_TYPES, ("社区",)),
    (EDUCATION, ("学历",)),
)
#: Who a role belongs to, written before it: ``社区党委书记`` is ``书记``, ``居委会副主任`` is ``副主任``.
_ROLE_PREFIX = re.compile(r"^(?:社区)?(?:党委|党总支|党支部|党组织|居民委员会|居委会|居委|两委)?")
#: What joins two roles one person holds: ``书记、主任``, ``书记兼主任``, ``书记/主任`` …
_ROLE_JOINERS = re.compile(r"兼任|[、,;/&+和及与兼 ]+")
_BRACKETS = re.compile(r"[()\[\]{}【】〔〕]")
_ONE_SHOULDER = "一肩挑"


@lru_cache(maxsize=1)
def _role_lookup() -> dict[str, str]:
    return {fold(word): v.code for v in ROLES for word in (v.code, v.zh, v.en, *v.aliases)}


def _role_code(word: str) -> str | None:
    """A role word, also with its committee written before it (``党支部书记``, ``居委会主任``)."""
    lookup = _role_lookup()
    code = lookup.get(word)
    if code is None:
        bare = _ROLE_PREFIX.sub("", word, count=1)
        code = lookup.get(bare) if bare else None
    return code


def _role_codes(part: str) -> list[str] | None:
    """The roles one piece of a role cell names: one word, or two written together (``书记主任``)."""
    code = _role_code(part)
    if code is not None:
        return [code]
    for cut in range(1, len(part)):
        left, right = _role_code(part[:cut]), _role_code(part[cut:])
        if left is not None and right is not None:
            return [left, right]
    return None


def role_also_director(text: str) -> bool:
    """Whether a role cell names one person who is both secretary and director (一肩挑).

    ``书记、主任``, ``书记兼主任``, ``书记（兼主任）``, ``书记/主任``, ``书记,主任``,
    ``党支部书记、居委会主任``, ``书记、主任（一肩挑）``, ``书记主任一肩挑``, ``主任、书记``,
    and ``一肩挑`` alone. A single role (``书记``) or any other pair (``书记、副主任``) is not.
    """
    folded = fold(text)
    if not folded:
        return False
    shoulder = _ONE_SHOULDER in folded
    body = _BRACKETS.sub(" ", folded.replace(_ONE_SHOULDER, " "))
    codes: list[str] = []
    for part in _ROLE_JOINERS.split(body):
        if not part:
            continue
        found = _role_codes(part)
        if found is None:
            return False
        codes += found
    if not codes:
        return shoulder
    both = {"secretary", "director"}
    return set(codes) == both or (shoulder and set(codes) <= both)


def _is_role_column(column: Column) -> bool:
    return {"secretary", "director"} <= set(column.codes)


def _enum_rule(folded: str, column: Column, lookup: dict[str, str]) -> str | None:
    """An enum word with a suffix or prefix people add, or the secretary-and-director combination."""
    for values, suffixes in _ENUM_SUFFIXES:
        if column.values == values:
            for suffix in suffixes:
                stem = folded.removesuffix(suffix).strip()
                if stem != folded and stem in lookup:
                    return lookup[stem]
    if _is_role_column(column):
        code = _role_code(folded)
        if code is not None and code in column.codes:
            return code
        if role_also_director(folded):
            return "secretary"
    return None


def parse_enum(text: str, column: Column) -> str | None:
    """An enum value by its code, its Chinese word(s) or its English label.

    Also with the suffixes people add (``村改居社区``, ``本科学历``), a role with its committee
    (``党支部书记``), and ``书记、主任`` and the like for a secretary who is also director
    (the loader sets ``also_director`` from :func:`role_also_director`).
    """
    folded = fold(text)
    if not folded or folded in PLACEHOLDERS:
        return None
    lookup = enum_lookup(column)
    code = lookup.get(folded)
    if code is None:
        code = _enum_rule(folded, column, lookup)
    if code is None:
        raise Invalid("not_in_enum", allowed=", ".join(f"{v.code} ({v.zh})" for v in column.values))
    return code


def parse_text(text: str, column: Column) -> str | None:
    """Text trimmed, whitespace runs and line breaks inside made one space; a placeholder is empty."""
    cleaned = squash(text)
    # a placeholder has at most 3 characters, and folding makes no text shorter than that
    if not cleaned or (len(cleaned) <= 3 and fold(cleaned) in PLACEHOLDERS):
        return None
    return cleaned


#: A code Excel turned into a number and showed in scientific notation: ``4.29004E+11``.
_SCIENTIFIC = re.compile(r"^\+?[1-9](?:\.\d+)?e\+?(\d{1,3})\Z")


def is_scientific_code(text: str) -> bool:
    """Whether a code cell is what Excel shows of a long code it took for a number (``4.29004E+11``).

    The digits past the sixth are lost, so the code cannot be read back from the cell. A
    mantissa of one digit (with decimals) and an exponent of at least 5, as Excel writes them
    (``4.29004E+11``, ``4.29e11``, ``4.29004E+011``); ``2E3`` may be a real code, and is not.
    """
    match = _SCIENTIFIC.match(fold(text))
    return match is not None and int(match.group(1)) >= 5


def restore_zeros(text: str, known: Collection[str]) -> str | None:
    """The one known code equal to ``text`` with leading zeros put back (``728001`` -> ``0728001``).

    Excel drops the leading zeros of a code it takes for a number. None when the text is not
    such a number (digits, not starting with 0), is itself known, or when no known code or
    more than one (``0728001`` and ``00728001``) fits.
    """
    digits = squash(text)
    if not digits.isascii() or not digits.isdigit() or digits.startswith("0") or digits in known:
        return None
    found = [
        code
        for code in known
        if len(code) > len(digits) and code.endswith(digits) and not code[: len(code) - len(digits)].strip("0")
    ]
    return found[0] if len(found) == 1 else None


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
