"""One way to write every kind of number, declared once.

A figure is written by the *kind of quantity* it is, never by the page that shows it: a
share is "19.7%" on the overview, in a table cell, on a chart's hover, on a meeting slide,
in the offline report and in an Excel cell alike. Each :class:`NumberFormat` below carries
every rendering of its kind — Python text, plotly's d3 formats for hovers and axis ticks,
Streamlit's column format, Excel's number format — so no other module chooses decimals.

The kinds, as the assessment meeting asked for them:

========== ============================================= ===================
kind       what it is                                    written
========== ============================================= ===================
``int``    counts, m², hours: anything counted whole     12,345
``yuan``   money                                         2,000元 / ¥2,000
``yuan_large`` a bill of millions, on a card             3,949万元 / ¥39.49 million
``share``  a fraction of a whole (stored 0–1)            19.7%
``points`` a change of a share                           +1.2 个百分点 / +1.2 pp
``mean``   a mean of 1–5 answers                         3.82
``score``  a 0–100 score                                 72.4
``rate``   per 10,000 residents, per 100 households,     10.5
           per staff member
``ratio``  a ratio near 1 (pay to reference, r)          0.85
``p_value`` a test's p                                   p = 0.023, p < 0.001
``year``   a calendar year                               2025
========== ============================================= ===================

Downloads keep full precision in CSV (for machines); only what people read is rounded.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class NumberFormat:
    """Every rendering of one kind of quantity.

    ``decimals`` is the one choice; the rest follows from it. ``percent`` kinds are stored
    as fractions (0.197) and written ×100 with a % sign.
    """

    kind: str
    decimals: int
    separators: bool = True
    percent: bool = False

    @property
    def d3(self) -> str:
        """plotly's hover and text format (d3-format), e.g. ``,.1f`` or ``.1%``."""
        comma = "," if self.separators else ""
        return f"{comma}.{self.decimals}{'%' if self.percent else 'f'}"

    @property
    def d3_axis(self) -> str:
        """Axis ticks: round numbers need no trailing zeros ("20%", "3.5"); counts stay whole."""
        comma = "," if self.separators else ""
        if self.decimals == 0 and not self.percent:
            return f"{comma}d"
        return f"{comma}.{self.decimals}~{'%' if self.percent else 'f'}"

    @property
    def streamlit(self) -> str:
        """Streamlit's NumberColumn format of a column already rounded by :func:`for_display`.

        ``localized`` writes the thousands separators; percents arrive ×100 from
        :func:`for_display`, because Streamlit's own "percent" shows two decimals.
        """
        if self.percent:
            return f"%.{self.decimals}f%%"
        if self.decimals == 0 and self.separators:
            return "localized"
        return f"%.{self.decimals}f"

    @property
    def excel(self) -> str:
        """Excel's number format: a share is a real percent cell, a count has separators."""
        digits = f".{'0' * self.decimals}" if self.decimals else ""
        if self.percent:
            return f"0{digits}%"
        return f"#,##0{digits}" if self.separators else f"0{digits}"


FORMATS: dict[str, NumberFormat] = {
    "int": NumberFormat("int", 0),
    "yuan": NumberFormat("yuan", 0),
    # A district's bill on a card, where 39,491,100元 does not fit a phone: whole 万元, and
    # millions with two decimals in English, both to the nearest 10,000 yuan. Written in text
    # only (cards); a chart, a sentence or a cell of the same bill is ``yuan``.
    "yuan_large": NumberFormat("yuan_large", 0),
    "share": NumberFormat("share", 1, percent=True),
    "points": NumberFormat("points", 1, percent=True),
    "mean": NumberFormat("mean", 2),
    # The standard error of a 1–5 mean: one more decimal than the mean, so 0.084 is not 0.08.
    "se": NumberFormat("se", 3),
    "score": NumberFormat("score", 1),
    "rate": NumberFormat("rate", 1),
    "ratio": NumberFormat("ratio", 2),
    "p_value": NumberFormat("p_value", 3, separators=False),
    "year": NumberFormat("year", 0, separators=False),
}

#: Below this a p-value is written "p < 0.001": more digits claim a precision the model lacks.
SMALLEST_P = 0.001

MISSING = "—"


def number_format(kind: str) -> NumberFormat:
    """The declared format of ``kind``; an unknown kind is a bug, not a default."""
    try:
        return FORMATS[kind]
    except KeyError:
        raise ValueError(f"unknown number kind {kind!r}; declare it in community_eval/core/formats.py") from None


def is_missing(value: object) -> bool:
    """None, NaN and pandas' NA: every way a table says "no value".

    pandas is looked up, not imported: a value can only be ``pd.NA`` once pandas is loaded, and
    the command line's messages (``--help``, a load's report) are written without loading it
    (issue 20: a command line that starts at once).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is pandas.NA


def text(value: float | None, kind: str, lang: str) -> str:
    """A figure as a reader of ``lang`` reads it in a sentence, card or cell; missing is a dash."""
    form = number_format(kind)
    if is_missing(value):
        return MISSING
    value = float(value)
    if kind == "p_value":
        return p_value_text(value)
    if kind == "points":
        unit = "个百分点" if lang == "zh" else " pp"
        return f"{_round(value * 100, form.decimals):+.{form.decimals}f}{unit}"
    if form.percent:
        return f"{_round(value * 100, form.decimals):.{form.decimals}f}%"
    if kind == "yuan_large":
        return _large_yuan(value, lang)
    digits = f"{_round(value, form.decimals):{',' if form.separators else ''}.{form.decimals}f}"
    if kind == "yuan":
        return f"{digits}元" if lang == "zh" else f"¥{digits}"
    return digits


def _large_yuan(value: float, lang: str) -> str:
    """Yuan in whole 万元 or in millions with two decimals: the nearest 10,000 yuan either way."""
    if lang == "zh":
        return f"{_round(value / 10_000, 0):,.0f}万元"
    return f"¥{_round(value / 1_000_000, 2):,.2f} million"


def change(value: float, kind: str, lang: str) -> str:
    """A signed change, so its direction is always visible: shares in percentage points."""
    if kind == "share":
        return text(value, "points", lang)
    form = number_format(kind)
    if is_missing(value):
        return MISSING
    return f"{_round(float(value), form.decimals):+,.{form.decimals}f}"


def p_value_text(p: float) -> str:
    """``p < 0.001`` under the smallest p worth writing, else ``p = 0.023`` (three decimals)."""
    if is_missing(p):
        return MISSING
    if p < SMALLEST_P:
        return f"p < {SMALLEST_P:.3f}"
    return f"p = {_round(p, 3):.3f}"


def _round(value: float, decimals: int) -> float:
    """Round half away from zero, as people and Excel do (Python's format rounds half to even
    on the binary value: 0.125 → "0.12"). A negative zero loses its sign."""
    scaled = abs(value) * 10**decimals
    rounded = math.floor(scaled + 0.5 + 1e-9) / 10**decimals
    return math.copysign(rounded, value) if rounded else 0.0


def display_value(value: object, kind: str) -> object:
    """A table cell's value as Streamlit should draw it with :attr:`NumberFormat.streamlit`."""
    if is_missing(value):
        return None
    form = number_format(kind)
    shown = float(value) * 100 if form.percent else float(value)
    return _round(shown, form.decimals)
