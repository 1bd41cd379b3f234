"""Chart builders: what a reader sees must follow the data, and stay light with thousands of rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from community_eval.figures import charts


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


def rank_ranges(frame: pd.DataFrame, **options):
    """``charts.rank_ranges`` on the columns name, rank, best and worst, with one-letter titles."""
    return charts.rank_ranges(
        frame, "name", "rank", "best", "worst", title="t", value_title="x", label_title="y", rank_name="r", **options
    )


def test_rank_ranges_span_best_to_worst():
    frame = pd.DataFrame({"name": ["甲", "乙"], "rank": [1, 2], "best": [1, 1], "worst": [2, 3]})
    figure = rank_ranges(frame, range_name="range")
    bars = figure.data[0]
    assert list(bars.base) == [1, 1] and list(bars.x) == [1, 2]
    assert list(figure.layout.yaxis.categoryarray) == ["乙", "甲"]


def test_each_rank_range_is_written_on_its_bar():
    """The bar's range as text: "3–7" from best to worst, "5" for a rank that never moves,
    in the declared whole-number format; the text sits outside the bar, clear of the dot."""
    frame = pd.DataFrame({"name": ["甲", "乙", "丙"], "rank": [1, 5, 4], "best": [1, 5, 3], "worst": [2, 5, 1200]})
    figure = rank_ranges(frame, range_name="range")
    bars = figure.data[0]
    int_format = charts.HOVER_FORMATS["int"]
    low, high = f"%{{customdata[0]:{int_format}}}", f"%{{customdata[1]:{int_format}}}"
    low = charts.CLEAR_OF_DOT + low  # half an em clear of a dot at the bar's end
    assert dict(zip(bars.y, bars.texttemplate, strict=True)) == {
        "甲": f"{low}–{high}",
        "丙": f"{low}–{high}",
        "乙": low,
    }
    assert (bars.textposition, bars.constraintext, bars.cliponaxis) == ("outside", "none", False)
    assert [list(row) for row in bars.customdata] == [[1, 2], [3, 1200], [5, 5]], "best, worst, rank 1 first"


@pytest.mark.parametrize(
    ("text", "ems", "lines"),
    [
        ("33.2% 的下派事项未经准入，57.6% 未拨经费", 18, ["33.2% 的下派事项未经准入，", "57.6% 未拨经费"]),
        ("33.2% of tasks handed down not admitted, 57.6% unfunded", 18, None),
        ("低于每万居民 18 人的标准", 14.5, ["低于每万居民 18 人的标准"]),
        ("一二三四五六七八九十", 4, ["一二三四", "五六七八", "九十"]),
    ],
)
def test_a_long_text_wraps_between_clauses_and_words_never_inside_a_figure(text, ems, lines):
    wrapped = charts.wrap_text(text, ems)
    if lines is not None:
        assert wrapped == lines
    assert "".join(wrapped).replace(" ", "") == text.replace(" ", ""), "nothing lost or added"
    assert all(charts.text_ems(line) <= ems for line in wrapped)
    for figure in ("33.2%", "57.6%"):
        assert not text.count(figure) or any(figure in line for line in wrapped), "a figure is never split"


def board_verdicts(cards: list[dict[str, object]]) -> list:
    headers = {"label": "L", "value": "V", "verdict": "S", "change": "C"}
    figure = charts.headline_board(cards, title="t", headers=headers)
    return [a for a in figure.layout.annotations if a.x == charts.BOARD_COLUMNS["verdict"][0]][1:]


def test_the_board_sets_a_long_verdict_smaller_on_two_lines():
    """On the smallest wall (1280 px) the verdict column holds about 14.5 ems at 24 px: a
    longer verdict would run into the change column, so the column is set at 20 px (every
    row, so it reads as one) and the long verdict wraps; short verdicts alone stay at 24 px."""
    short = {"label": "甲", "value": "1", "verdict": "低于每万居民 18 人的标准", "verdict_tone": "bad"}
    long = {"label": "乙", "value": "2", "verdict": "33.2% of tasks handed down not admitted, 57.6% unfunded"}
    bad = charts.TONE_COLOURS["bad"]
    (alone,) = board_verdicts([short])
    assert alone.text == f"<span style='font-size:24px;color:{bad}'>低于每万居民 18 人的标准</span>"
    column = board_verdicts([short, long])
    assert {a.align for a in column} == {"left"}, "a wrapped verdict's lines start at its column"
    assert column[0].text == f"<span style='font-size:20px;color:{bad}'>低于每万居民 18 人的标准</span>"
    assert (
        column[1].text
        == "<span style='font-size:20px'>33.2% of tasks handed down not<br>admitted, 57.6% unfunded</span>"
    )


# ---- values on bars, and 1–5 scales that do not start at 0 --------------------------------------


def ranked(frame: pd.DataFrame, value: str, kind: str, **options):
    return charts.ranked_bars(frame, "name", value, title="t", value_title="x", label_title="y", kind=kind, **options)


def test_every_bar_carries_its_value_and_a_zero_bar_says_0():
    frame = pd.DataFrame({"name": ["甲", "乙", "丙"], "share": [0.0, 0.25, 0.5]})
    (bars,) = ranked(frame, "share", "share").data
    assert bars.type == "bar" and bars.textposition == "outside"
    labels = dict(zip(bars.y, bars.texttemplate, strict=True))
    assert labels == {"甲": "0", "乙": "%{x:,.1%}", "丙": "%{x:,.1%}"}, "the kind's format, and 0 for nothing"
    counts = ranked(pd.DataFrame({"name": ["a", "b"], "n": [0, 12]}), "n", "int").data[0]
    assert list(counts.texttemplate) == ["0", "%{x:,.0f}"]


def test_stacked_grouped_and_contribution_bars_carry_values_too():
    long = pd.DataFrame({"name": ["甲", "甲", "乙", "乙"], "part": ["a", "b", "a", "b"], "hours": [10, 0, 5, 7]})
    stacked = charts.stacked_bars(
        long, "name", "hours", "part", title="t", value_title="x", label_title="y", kind="int",
        part_names={"a": "A", "b": "B"},
    )  # fmt: skip
    assert [list(trace.texttemplate) for trace in stacked.data] == [["%{x:,.0f}", "%{x:,.0f}"], ["0", "%{x:,.0f}"]]
    assert stacked.layout.uniformtext.mode == "hide", "a label that does not fit its part is left out"
    wide = pd.DataFrame({"name": ["甲", "乙"], "u": [0.0, 0.3], "f": [0.1, 0.0]})
    grouped = charts.grouped_bars(
        wide, "name", {"u": "U", "f": "F"}, title="t", value_title="x", label_title="y", kind="share"
    )
    assert [list(trace.texttemplate) for trace in grouped.data] == [["0", "%{x:,.1%}"], ["%{x:,.1%}", "0"]]
    parts = pd.DataFrame({"name": ["甲", "甲"], "component": ["a", "b"], "value": [30.0, 0.0]})
    contribution = charts.contribution_bars(
        parts, "name", "component", "value", order=["甲"], part_names={"a": "A", "b": "B"},
        title="t", value_title="x", label_title="y",
    )  # fmt: skip
    assert [list(trace.texttemplate) for trace in contribution.data] == [["%{x:,.1f}"], ["0"]]


def test_a_1_to_5_mean_is_dots_on_an_axis_from_1():
    """Bars from 0 made 19 streets between 3.6 and 3.9 look the same length."""
    frame = pd.DataFrame({"name": [f"街道{i}" for i in range(19)], "mean_overall": np.linspace(3.6, 3.9, 19)})
    figure = ranked(frame, "mean_overall", "mean")
    (dots,) = figure.data
    assert dots.type == "scatter" and dots.mode == "markers+text"
    assert list(figure.layout.xaxis.range) == [1.0, 5.0] and figure.layout.xaxis.autorange is False
    assert set(dots.texttemplate) == {"%{x:,.2f}"}, "every dot carries its value"
    # Any other column keeps its bars; a caller can name the scale of a column of its own.
    assert ranked(frame.rename(columns={"mean_overall": "v"}), "v", "mean").data[0].type == "bar"
    scaled = ranked(frame.rename(columns={"mean_overall": "v"}), "v", "mean", scale=(1.0, 5.0))
    assert scaled.data[0].type == "scatter" and list(scaled.layout.xaxis.range) == [1.0, 5.0]


def test_a_1_to_5_trend_spans_the_scale_not_0():
    years = pd.DataFrame({"year": [2023, 2024, 2025], "value": [3.5, 3.6, 3.7], "mean_overall": [3.5, 3.6, 3.7]})
    options = {"title": "t", "x_title": "x", "y_title": "y", "kind": "mean"}
    assert list(charts.trend_line(years, "year", "mean_overall", **options).layout.yaxis.range) == [1.0, 5.0]
    assert list(charts.trend_line(years, "year", "value", scale=(1.0, 5.0), **options).layout.yaxis.range) == [1, 5]
    assert charts.trend_line(years, "year", "value", **options).layout.yaxis.rangemode == "tozero"


def test_a_cut_chart_remembers_how_many_rows_it_had():
    frame = pd.DataFrame({"name": [f"c{i}" for i in range(79)], "n": range(79)})
    assert charts.rows_total(ranked(frame, "n", "int", limit=20)) == 79
    assert charts.rows_total(ranked(frame, "n", "int")) is None, "nothing was cut"
    moved = dumbbell(movers(79), limit=20)
    assert charts.rows_total(moved) == 79
    clickable = ranked(frame.assign(id=frame["name"]), "n", "int", limit=20, ids="id")
    assert charts.links_communities(clickable) and charts.rows_total(clickable) == 79, "both notes kept"


def hours_by_street() -> pd.DataFrame:
    """Three streets of very different size: 甲 is big and mostly service, 乙 small and mostly admin."""
    return pd.DataFrame(
        {
            "street": ["甲", "甲", "甲", "乙", "乙", "丙"],
            "category": ["administrative", "ledger", "service", "administrative", "service", "service"],
            "hours": [100.0, 50.0, 850.0, 6.0, 2.0, 10.0],
        }
    )


def share_bars(frame: pd.DataFrame, **options):
    return charts.share_bars(
        frame,
        "street",
        "hours",
        "category",
        title="t",
        value_title="x",
        label_title="y",
        amount_title="hours",
        amount_kind="int",
        part_names={"administrative": "行政事务", "ledger": "台账报表", "service": "居民服务"},
        lead_parts=("administrative", "ledger"),
        **options,
    )


def test_share_bars_split_each_row_into_shares_of_its_own_total():
    figure = share_bars(hours_by_street())
    drawn: dict[tuple[str, str], float] = {}
    amounts: dict[tuple[str, str], float] = {}
    for trace in figure.data:
        for street, share, (_, hours) in zip(trace.y, trace.x, trace.customdata, strict=True):
            drawn[(street, trace.name)] = share
            amounts[(street, trace.name)] = hours
    # by hand: 甲 100/1000, 50/1000, 850/1000; 乙 6/8, 2/8; 丙 10/10
    assert drawn == pytest.approx(
        {
            ("甲", "行政事务"): 0.10,
            ("甲", "台账报表"): 0.05,
            ("甲", "居民服务"): 0.85,
            ("乙", "行政事务"): 0.75,
            ("乙", "居民服务"): 0.25,
            ("丙", "居民服务"): 1.0,
        }
    )
    for street in ("甲", "乙", "丙"):
        assert sum(v for (s, _), v in drawn.items() if s == street) == pytest.approx(1.0)
    assert amounts[("甲", "居民服务")] == 850.0, "the hover keeps the hours themselves"
    # sorted by the administrative share, largest at the top (plotly's last category)
    assert list(figure.layout.yaxis.categoryarray) == ["丙", "甲", "乙"]
    assert tuple(figure.layout.xaxis.range) == (0, 1) and figure.layout.xaxis.tickformat.endswith("%")


def test_share_bars_leave_a_row_without_hours_empty():
    frame = pd.concat([hours_by_street(), pd.DataFrame({"street": ["丁"], "category": ["service"], "hours": [0.0]})])
    figure = share_bars(frame)
    service = next(trace for trace in figure.data if trace.name == "居民服务")
    assert pd.isna(dict(zip(service.y, service.x, strict=True))["丁"])


def test_share_bars_carry_community_ids_when_asked():
    frame = hours_by_street().assign(community_id=lambda f: f["street"].map({"甲": "C1", "乙": "C2", "丙": "C3"}))
    figure = share_bars(frame, ids="community_id")
    assert charts.links_communities(figure)
    trace = figure.data[0]
    assert [data[0] for data in trace.customdata] == ["C1", "C2"]


def trend(**options):
    frame = pd.DataFrame({"year": [2024, 2025], "value": [3.31, 3.33], "median": [3.6, 3.7], "note": ["a", "b"]})
    return charts.trend_line(
        frame, "year", "value", reference="median", title="t", x_title="x", y_title="y", kind="mean", **options
    )


def test_trend_line_keeps_a_scale_of_its_own():
    assert trend().layout.yaxis.range is None and trend().layout.yaxis.rangemode == "tozero"
    fixed = trend(scale=(1.0, 5.0)).layout.yaxis
    assert tuple(fixed.range) == (1.0, 5.0) and fixed.autorange is False


def test_trend_line_notes_reach_the_hover():
    figure = trend(notes="note")
    assert list(figure.data[0].customdata) == ["a", "b"] and "<br>%{customdata}" in figure.data[0].hovertemplate
    assert trend().data[0].customdata is None and "customdata" not in trend().data[0].hovertemplate


def test_a_shortened_ranking_shows_its_break_as_a_named_empty_row():
    """The lowest and highest rows must not read as neighbours: a row saying how many lie between."""
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 71.0, 72.0, 73.0, 74.0, 75.0]  # both ends of a ranking of 80
    frame = pd.DataFrame({"name": [f"c{i}" for i in range(10)], "value": values}).iloc[::-1]
    plain = charts.ranked_bars(frame, "name", "value", title="t", value_title="x", label_title="y", kind="mean")
    broken = charts.ranked_bars(
        frame, "name", "value", title="t", value_title="x", label_title="y", kind="mean", gap=(5, "70 more")
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
    drawn = rank_ranges(ranks, range_name="g", gap=(2, "72 more"))
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


def test_long_question_labels_are_wrapped_and_stay_escaped():
    """A questionnaire's own questions are long: drawn in lines, their own markup still inert."""
    frame = pd.DataFrame(
        {
            "label": ["您对社区物业管理的总体评分（0-10分） (n=81)", "社区停车管理 (n=78)", "<b>停车</b>管理 (n=9)"],
            "mean": [3.8, 3.4, 3.0],
            "low": [3.6, 3.1, 2.5],
            "high": [4.0, 3.7, 3.5],
        }
    )
    figure = charts.dot_whisker(frame, "label", "mean", "low", "high", title="t", value_title="v", label_title="l")
    wrapped = charts.wrap_category_labels(figure, ems=10)
    labels = list(wrapped.data[0].y)
    long_label = next(label for label in labels if label.startswith("您对"))
    lines = long_label.split("<br>")
    assert len(lines) >= 3 and all(charts.text_ems(line) <= 10 for line in lines)
    assert "".join(lines).replace(" ", "") == "您对社区物业管理的总体评分（0-10分）(n=81)"
    assert "社区停车管理 (n=78)" in labels  # short enough: untouched
    assert any("&lt;b&gt;停车&lt;/b&gt;" in label.replace("<br>", "") for label in labels)
