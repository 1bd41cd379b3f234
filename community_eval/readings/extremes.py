"""The two ends of a long ranking, which a page shows first; the whole list is one click away.

A district leader reads a ranking of 76 communities for the few that need attention (the
lowest) and the few that show what is reachable (the highest); drawn in full, the middle
pushes everything else on the page three screens down. So a long chart draws its ends,
says which and how many in its caption, and the page's "全部社区" switch draws them all.

A fixed count from each end, never "everything tied with the tenth", keeps the chart's
height and the caption's numbers true whatever the data; rows of equal value are ranked by
name, so the same data always shows the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from community_eval.core.collation import sort_frame
from community_eval.core.i18n import Translator


@dataclass(frozen=True)
class Ends:
    """The rows a shortened chart draws and what its caption says about them."""

    rows: pd.DataFrame
    #: Rows taken from each end; 0 when every row is drawn (nothing was left out).
    each: int
    #: Rows that have a value, so could be ranked: the caption's 共 N 个.
    total: int

    @property
    def shortened(self) -> bool:
        return self.each > 0

    @property
    def hidden(self) -> int:
        """How many ranked rows the chart leaves out (the middle)."""
        return self.total - len(self.rows)


def ends(frame: pd.DataFrame, value: str, n: int, tie_break: str | None = None) -> Ends:
    """The first ``n`` and the last ``n`` rows of the ranking by ``value``, lowest first.

    The ranking orders rows by ``value``, then by ``tie_break`` (a name) where values are
    equal, so the two ends never share a row; rows without a value are not ranked. With
    ``2 n`` ranked rows or fewer, all of them: leaving out nothing is no shortening.
    """
    keys = [value, tie_break] if tie_break else [value]
    ranked = frame.dropna(subset=[value]).sort_values(keys, kind="stable")
    if len(ranked) <= 2 * n:
        return Ends(ranked, 0, len(ranked))
    return Ends(pd.concat([ranked.head(n), ranked.tail(n)]), n, len(ranked))


def highest(frame: pd.DataFrame, value: str, n: int, tie_break: str | None = None) -> Ends:
    """The last ``n`` rows of the same ranking as :func:`ends`, for a ranking whose low end says
    nothing: staff turnover, where a third of a district's communities lost nobody and the
    "lowest five" would be five of thirty zeros picked by name."""
    keys = [value, tie_break] if tie_break else [value]
    ranked = frame.dropna(subset=[value]).sort_values(keys, kind="stable")
    if len(ranked) <= n:
        return Ends(ranked, 0, len(ranked))
    return Ends(ranked.tail(n), n, len(ranked))


def worst_failing(frame: pd.DataFrame, passes: str, order: list[str], n: int) -> tuple[pd.DataFrame, int]:
    """The first ``n`` rows that fail (``frame[passes]`` is False), in ``order``; and how many fail.

    For the facilities grid: a community that passes every rule needs nothing, so the grid
    starts with those that fail most (``order`` = rules passed, then name). A row whose
    verdict is unknown (NA) is not counted as failing: nothing says it does.
    """
    names = {column for column in order if column in ("community_name", "group_label")}  # pinyin, not code points
    failing_rows = sort_frame(frame[frame[passes].eq(False)], order, names=names)
    return failing_rows.head(n), len(failing_rows)


def caption(tr: Translator, shown: Ends, words: str = "lowest_highest") -> str | None:
    """The chart's caption: which rows and how many of how many ("显示最低 10 个与最高 10 个，共 76 个社区").

    ``words`` names how the ends read (``lowest_highest``, ``fallen_risen``, ``best_worst``,
    ``highest`` for :func:`highest`); None when every row is drawn, which needs no saying.
    """
    if not shown.shortened:
        return None
    return tr(f"extremes.{words}", n=tr.number(shown.each), total=tr.number(shown.total))
