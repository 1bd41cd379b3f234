"""Chart builders: what a reader sees must follow the data, and stay light with thousands of rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_eval import charts


def movers(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    before = rng.uniform(2, 5, n)
    return pd.DataFrame(
        {"name": [f"c{i}" for i in range(n)], "before": before, "after": before + rng.normal(0, 0.3, n)}
    )


def dumbbell(frame: pd.DataFrame, **options):
    return charts.dumbbell(
        frame,
        "name",
        "before",
        "after",
        names=("2024", "2025"),
        title="t",
        value_title="x",
        label_title="y",
        kind="decimal",
        **options,
    )


def test_dumbbell_joins_every_pair_in_one_trace():
    frame = movers(5000)
    figure = dumbbell(frame)
    assert len(figure.data) == 3  # lines, before, after: not one trace per community
    lines = figure.data[0]
    pairs = [(lines.x[i], lines.x[i + 1], lines.y[i]) for i in range(0, len(lines.x), 3)]
    expected = {(b, a, n) for n, b, a in frame[["name", "before", "after"]].itertuples(index=False)}
    assert set(pairs) == expected and all(v is None for v in lines.x[2::3])


def test_dumbbell_limit_keeps_those_that_moved_most():
    frame = movers(300)
    figure = dumbbell(frame, limit=20)
    shown = set(figure.data[2].y)
    moved = (frame["after"] - frame["before"]).abs()
    assert shown == set(frame.loc[moved.nlargest(20).index, "name"])


def test_contribution_bars_keep_the_given_order_and_mark_flagged_rows():
    parts = pd.DataFrame(
        {
            "name": ["甲", "甲", "乙", "乙"],
            "component": ["a", "b", "a", "b"],
            "value": [30.0, 20.0, 10.0, None],
        }
    )
    figure = charts.contribution_bars(
        parts,
        "name",
        "component",
        "value",
        order=["乙", "甲"],
        part_names={"a": "A", "b": "B"},
        title="t",
        value_title="x",
        label_title="y",
        flagged={"乙"},
    )
    assert list(figure.layout.yaxis.categoryarray) == ["甲", "乙 *"]  # first in order drawn at the top
    assert [trace.name for trace in figure.data] == ["A", "B"]
    assert list(figure.data[0].x) == [30.0, 10.0]


def test_rank_ranges_span_best_to_worst():
    frame = pd.DataFrame({"name": ["甲", "乙"], "rank": [1, 2], "best": [1, 1], "worst": [2, 3]})
    figure = charts.rank_ranges(
        frame,
        "name",
        "rank",
        "best",
        "worst",
        title="t",
        value_title="x",
        label_title="y",
        rank_name="r",
        range_name="range",
    )
    bars = figure.data[0]
    assert list(bars.base) == [1, 1] and list(bars.x) == [1, 2]
    assert list(figure.layout.yaxis.categoryarray) == ["乙", "甲"]


def test_a_shortened_ranking_shows_its_break_as_a_named_empty_row():
    """The lowest and highest rows must not read as neighbours: a row saying how many lie between."""
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 71.0, 72.0, 73.0, 74.0, 75.0]  # both ends of a ranking of 80
    frame = pd.DataFrame({"name": [f"c{i}" for i in range(10)], "value": values}).iloc[::-1]
    plain = charts.ranked_bars(frame, "name", "value", title="t", value_title="x", label_title="y", kind="decimal")
    broken = charts.ranked_bars(
        frame, "name", "value", title="t", value_title="x", label_title="y", kind="decimal", gap=(5, "70 more")
    )
    assert list(broken.layout.yaxis.categoryarray) == [
        *(f"c{i}" for i in range(5)),
        "70 more",
        "c5",
        "c6",
        "c7",
        "c8",
        "c9",
    ]
    assert "70 more" not in list(broken.data[0].y), "the break is a row without a bar"
    (line,) = broken.layout.shapes
    assert (line.y0, line.y1) == (5, 5), "through the empty row, the sixth from the bottom"
    assert (plain.layout.height, broken.layout.height) == (28 * 10 + 120, 28 * 11 + 120), "one more row"
    assert plain.layout.yaxis.categoryarray is None and not plain.layout.shapes


def test_dot_whisker_and_rank_ranges_mark_the_break_too():
    means = pd.DataFrame(
        {"name": ["a", "b", "c", "d"], "mean": [3.9, 3.1, 4.2, 2.8], "low": [3.5] * 4, "high": [4.5] * 4}
    )
    dots = charts.dot_whisker(
        means, "name", "mean", "low", "high", title="t", value_title="x", label_title="y", gap=(2, "…")
    )
    assert list(dots.layout.yaxis.categoryarray) == ["d", "b", "…", "a", "c"]
    ranks = pd.DataFrame({"name": ["a", "b", "y", "z"], "rank": [1, 2, 75, 76], "best": [1, 1, 70, 74]})
    ranks["worst"] = [2, 4, 76, 76]
    drawn = charts.rank_ranges(
        ranks,
        "name",
        "rank",
        "best",
        "worst",
        title="t",
        value_title="x",
        label_title="y",
        rank_name="r",
        range_name="g",
        gap=(2, "72 more"),
    )
    assert list(drawn.layout.yaxis.categoryarray) == ["z", "y", "72 more", "b", "a"], "rank 1 on top"
    assert drawn.layout.xaxis.dtick == 10, "ticks up to rank 76, not one per rank"


def test_a_status_grid_can_show_marks_and_keep_the_words_for_the_hover():
    """ "未达标" overflows a cell on a phone; a mark fits, and the colour says it a second time."""
    frame = pd.DataFrame({"name": ["甲", "乙"], "area": ["pass", "fail"], "hall": [None, "fail"]})
    words = {"pass": "达标", "fail": "未达标", "unknown": "无法判定"}
    options = {"status_names": words, "title": "t", "x_title": "x", "y_title": "y"}
    grid = charts.status_matrix(frame, "name", {"area": "面积", "hall": "多功能厅"}, marks=True, **options)
    cells = grid.data[0]
    assert [list(row) for row in cells.text] == [["✓", "?"], ["✗", "✗"]]
    assert [list(row) for row in cells.customdata] == [["达标", "无法判定"], ["未达标", "未达标"]]
    assert "%{customdata}" in cells.hovertemplate
    worded = charts.status_matrix(frame, "name", {"area": "面积", "hall": "多功能厅"}, **options)
    assert [list(row) for row in worded.data[0].text] == [["达标", "无法判定"], ["未达标", "未达标"]]
    assert grid.layout.xaxis.side == "bottom", "a short grid: names under it, clear of the title"
    long = pd.DataFrame({"name": [f"c{i}" for i in range(16)], "area": ["pass"] * 16})
    assert charts.status_matrix(long, "name", {"area": "面积"}, **options).layout.xaxis.side == "top"
