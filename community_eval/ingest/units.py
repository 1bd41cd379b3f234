"""Units written in headers: read, converted into the contract's unit, or refused; never dropped.

Offices write the unit into the header (``年度工作经费（万元）``, ``耗时（分钟）``,
``常住人口（万人）``) and the numbers under it in that unit. Ignoring the bracket stored 1.2
yuan for 12,000 and 90 hours for an hour and a half, so a header's unit is read here:
the same unit as the column's is fine, a known multiple is converted exactly (the report
says ``×10,000``), and any other unit on a column that has one refuses the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from community_eval.core.schema import Column, Kind, Unit


@dataclass(frozen=True)
class UnitWord:
    """A unit as people write it: the dimension (a schema ``Unit.key``) and its size in that unit."""

    dimension: str
    factor: Decimal = Decimal(1)
    divisor: Decimal = Decimal(1)


_ONE = Decimal(1)

#: Every unit word we recognise, folded (NFKC, lower case, no spaces), by dimension.
#: A word of another dimension than the column's refuses the file; so does ``%``.
UNIT_WORDS: dict[str, UnitWord] = {
    **dict.fromkeys(("元", "yuan", "rmb", "¥", "人民币元"), UnitWord("yuan")),
    **dict.fromkeys(("元/月", "元/人/月", "元/人·月", "元每月"), UnitWord("yuan/month")),
    **dict.fromkeys(("元/年", "元每年"), UnitWord("yuan/year")),
    "万元/年": UnitWord("yuan/year", Decimal(10_000)),
    "百元": UnitWord("yuan", Decimal(100)),
    "千元": UnitWord("yuan", Decimal(1_000)),
    "万元": UnitWord("yuan", Decimal(10_000)),
    "亿元": UnitWord("yuan", Decimal(100_000_000)),
    **dict.fromkeys(("小时", "h", "hr", "hrs", "hour", "hours", "时", "工时"), UnitWord("hours")),
    **dict.fromkeys(("分钟", "分", "min", "mins", "minute", "minutes"), UnitWord("hours", divisor=Decimal(60))),
    **dict.fromkeys(("天", "日", "工作日", "day", "days"), UnitWord("days")),
    **dict.fromkeys(("m2", "m²", "㎡", "平方米", "平米", "平方"), UnitWord("m2")),
    **dict.fromkeys(("亩", "公顷", "ha"), UnitWord("land")),
    **dict.fromkeys(("人", "名", "人数"), UnitWord("people")),
    "千人": UnitWord("people", Decimal(1_000)),
    "万人": UnitWord("people", Decimal(10_000)),
    "户": UnitWord("households"),
    "万户": UnitWord("households", Decimal(10_000)),
    **dict.fromkeys(("间", "室"), UnitWord("rooms")),
    **dict.fromkeys(("件", "项", "次"), UnitWord("items")),
    "个": UnitWord("count"),
    "年": UnitWord("years"),
    **dict.fromkeys(("%", "％", "百分比", "percent"), UnitWord("percent")),
}

#: Dimensions a column accepts besides its unit's own: ``个`` counts rooms and items, and a
#: pay is per month while a budget is per year (元/月 on a budget would be a twelfth of it).
_ALSO = {
    "rooms": ("count",),
    "items": ("count",),
    "monthly_pay": ("yuan/month",),
    "operating_budget_yuan": ("yuan/year",),
}

_BRACKETS = re.compile(r"[（(\[【<《]\s*([^）)\]】>》]*?)\s*[）)\]】>》]")
_UNIT_LABEL = re.compile(r"^(?:单位|unit)\s*[:：]?\s*")
#: Units people glue to the end of a header without a bracket (``面积㎡``, ``经费万元``).
_GLUED = ("万元", "千元", "平方米", "㎡", "m²", "m2", "分钟", "小时", "万人")


def fold_unit(text: str) -> str:
    """A unit as written, folded for lookup: NFKC, lower case, no spaces, no ``单位：``."""
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = re.sub(r"\s+", "", folded)
    return _UNIT_LABEL.sub("", folded)


def header_units(header: str) -> list[str]:
    """The bracketed parts of a header that are units we recognise, as written.

    ``年度工作经费（万元）`` gives ``["万元"]``; ``社区编码（community_id）`` and
    ``街道(乡镇)`` give nothing: a bracket that is not a unit is part of the name.
    """
    found = [part for part in _BRACKETS.findall(header) if fold_unit(part) in UNIT_WORDS]
    slash = re.search(r"[/／]\s*([^/／]+?)\s*$", header)
    if slash and fold_unit(slash.group(1)) in UNIT_WORDS:
        found.append(slash.group(1))
    return found


def strip_glued_unit(header: str) -> tuple[str, str] | None:
    """``面积㎡`` -> (``面积``, ``㎡``): a unit written straight after the name, if any."""
    text = header.strip()
    folded = unicodedata.normalize("NFKC", text).lower()
    for unit in _GLUED:
        folded_unit = unicodedata.normalize("NFKC", unit).lower()
        if folded.endswith(folded_unit) and len(folded) > len(folded_unit):
            return text[: len(text) - len(unit)] if text.endswith(unit) else folded[: -len(folded_unit)], unit
    return None


def strip_units(header: str) -> str:
    """The header without its unit parts, for matching it to a column by name."""
    text = _BRACKETS.sub(lambda m: "" if fold_unit(m.group(1)) in UNIT_WORDS else m.group(0), header)
    slash = re.search(r"[/／]\s*([^/／]+?)\s*$", text)
    if slash and fold_unit(slash.group(1)) in UNIT_WORDS:
        text = text[: slash.start()]
    return text.strip()


class UnitRefused(ValueError):
    """A header's unit that the column cannot be converted from; ``unit`` as written."""

    def __init__(self, unit: str, expected: str) -> None:
        super().__init__(unit)
        self.unit = unit
        self.expected = expected


@dataclass(frozen=True)
class Conversion:
    """How the numbers of one column are turned into the contract's unit."""

    written: str  # the unit as the header writes it
    factor: Decimal = _ONE
    divisor: Decimal = _ONE

    @property
    def label(self) -> str:
        """``×10,000`` or ``÷60``: what the report shows on the mapping line."""
        if self.divisor != _ONE:
            return f"÷{self.divisor:,}"
        return f"×{self.factor:,}"

    def apply(self, number: Decimal) -> Decimal:
        return number * self.factor / self.divisor

    def unit(self) -> Unit:
        """The unit cells of this column may carry themselves: only the header's own."""
        return Unit(f"header:{self.written}", (fold_unit(self.written),))


def conversion(column: Column, header: str) -> Conversion | None:
    """The conversion a header's unit asks for, None when there is none to make.

    Raises :class:`UnitRefused` for a unit of another dimension (元 on an area, ``%``
    anywhere) or for two different units in one header.
    """
    written = header_units(header)
    glued = strip_glued_unit(header)
    if not written and glued is not None:
        written = [glued[1]]
    if not written or column.unit is None or column.kind not in (Kind.INT, Kind.NUMBER):
        return None  # a column without a unit (a latitude, a count of nothing in particular) has none to read
    words = {fold_unit(w) for w in written}
    expected = column.unit.key
    if len(words) > 1:
        raise UnitRefused("、".join(written), expected)
    word = UNIT_WORDS[words.pop()]
    accepted = (expected, *_ALSO.get(expected, ()), *_ALSO.get(column.name, ()))
    if word.dimension not in accepted:
        raise UnitRefused(written[0], expected)
    if word.factor == _ONE and word.divisor == _ONE:
        return None
    return Conversion(written[0], word.factor, word.divisor)


def convert_literal(literal: str, conv: Conversion, whole: bool) -> float | int:
    """The number written (already stripped of separators and unit) in the contract's unit.

    Exact decimal arithmetic: 1.2 万元 is 12000 yuan, not 12000.000000000002. A whole-number
    column refuses a result that is not whole (1.23456 万人 is not a head count).
    """
    try:
        value = conv.apply(Decimal(literal))
    except InvalidOperation:
        raise ValueError(literal) from None
    if whole:
        if value != value.to_integral_value():
            raise ArithmeticError(literal)
        return int(value)
    return float(value)
