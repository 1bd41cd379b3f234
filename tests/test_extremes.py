"""The two ends of a long ranking: which rows a shortened chart draws, and what its caption says.

Expected rows are written out by hand from data whose order is known, never recomputed the
way the module does it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from community_eval.core.i18n import Translator
from community_eval.readings import extremes


def ranking(values: list[float | None], names: list[str] | None = None) -> pd.DataFrame:
    """A ranking in shuffled row order, so nothing can pass by keeping the frame's order."""
    names = names or [f"c{i:02d}" for i in range(len(values))]
    frame = pd.DataFrame({"name": names, "value": values})
    return frame.sample(frac=1, random_state=7).reset_index(drop=True)


def test_the_ten_lowest_and_the_ten_highest_of_thirty():
    picked = extremes.ends(ranking([float(v) for v in range(30)]), "value", 10, tie_break="name")
    assert sorted(picked.rows["value"]) == [*range(10), *range(20, 30)]
    assert list(picked.rows["value"]) == [*range(10), *range(20, 30)], "lowest first, as the chart reads up"
    assert (picked.each, picked.total, picked.hidden) == (10, 30, 10)
    assert picked.shortened


def test_ties_at_a_cut_go_to_the_name_that_sorts_first():
    # Lowest end: a(1) then four rows tied at 2 (b, c, d, e) for the last two places → b, c.
    # Highest end: z(9) then three tied at 8 (w, x, y) for the last two places → x, y, the
    # last two of the ranking, which orders equal values by name.
    names = ["a", "e", "d", "c", "b", "m", "n", "o", "w", "y", "x", "z"]
    values = [1, 2, 2, 2, 2, 5, 5, 5, 8, 8, 8, 9]
    picked = extremes.ends(ranking(values, names), "value", 3, tie_break="name")
    assert list(picked.rows["name"]) == ["a", "b", "c", "x", "y", "z"]
    assert picked.total == 12 and picked.hidden == 6


def test_the_two_ends_never_share_a_row_even_when_every_value_is_equal():
    names = [f"n{i:02d}" for i in range(25)]
    picked = extremes.ends(ranking([3.0] * 25, names), "value", 10, tie_break="name")
    assert list(picked.rows["name"]) == names[:10] + names[15:]
    assert picked.rows["name"].is_unique and picked.hidden == 5


@pytest.mark.parametrize("count", [0, 1, 19, 20])
def test_twice_n_or_fewer_rows_are_all_drawn(count):
    picked = extremes.ends(ranking([float(v) for v in range(count)]), "value", 10)
    assert len(picked.rows) == count and picked.total == count
    assert not picked.shortened and picked.hidden == 0


def test_twenty_one_rows_lose_one_from_the_middle():
    picked = extremes.ends(ranking([float(v) for v in range(21)]), "value", 10, tie_break="name")
    assert sorted(picked.rows["value"]) == [*range(10), *range(11, 21)]
    assert picked.hidden == 1


def test_rows_without_a_value_are_neither_ranked_nor_counted():
    values = [float(v) for v in range(24)] + [None, np.nan]
    picked = extremes.ends(ranking(values), "value", 10, tie_break="name")
    assert picked.total == 24 and picked.hidden == 4
    assert picked.rows["value"].notna().all()


def test_the_highest_only_for_a_ranking_whose_low_end_is_all_zeros():
    values = [0.0] * 31 + [0.1 * v for v in range(1, 49)]  # 79 like the sample's turnover
    picked = extremes.highest(ranking(values), "value", 10, tie_break="name")
    assert sorted(picked.rows["value"].round(1)) == [round(0.1 * v, 1) for v in range(39, 49)]
    assert (picked.each, picked.total, picked.hidden) == (10, 79, 69)
    assert not extremes.highest(ranking([1.0] * 10), "value", 10).shortened


def test_the_worst_failing_rows_in_order_and_how_many_fail():
    frame = pd.DataFrame(
        {
            "name": ["p", "q", "r", "s", "t", "u"],
            "passed": [6, 2, 4, 2, 5, 0],
            "compliant": [True, False, False, False, None, False],
        }
    )
    rows, failing = extremes.worst_failing(frame, "compliant", ["passed", "name"], 2)
    assert list(rows["name"]) == ["u", "q"] and failing == 4, "t's verdict is unknown: not a failure"


def test_the_caption_says_which_and_how_many_of_how_many():
    seventy_six = ranking([float(v) for v in range(76)])
    picked = extremes.ends(seventy_six, "value", 10)
    assert extremes.caption(Translator("zh"), picked) == "显示最低 10 个与最高 10 个，共 76 个社区。"
    assert extremes.caption(Translator("en"), picked) == "Showing the lowest 10 and the highest 10 of 76 communities."
    five = extremes.ends(seventy_six, "value", 5)
    assert extremes.caption(Translator("zh"), five, "fallen_risen") == (
        "显示下降最多的 5 个与上升最多的 5 个，共 76 个社区。"
    )
    top = extremes.highest(seventy_six, "value", 10)
    assert extremes.caption(Translator("zh"), top, "highest") == "显示最高的 10 个，共 76 个社区。"
    assert extremes.caption(Translator("zh"), extremes.ends(ranking([1.0, 2.0]), "value", 10)) is None
