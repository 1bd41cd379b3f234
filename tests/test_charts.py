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
        kind="mean",
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
