"""Figure builders with the project's theme; pages call these and never style charts inline.

The palette is Okabe–Ito (safe for the common colour-vision deficiencies), fonts fall back
through the CJK families found on Windows, macOS and Linux so Chinese renders everywhere,
and every figure gets a title and axis titles (with units) from the caller's locale.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from community_eval.core.collation import by_pinyin, sort_frame
from community_eval.core.formats import FORMATS
from community_eval.core.safety import html_literal
from community_eval.indicators.metrics import SCALES

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', 'Source Han Sans SC', "
    "'WenQuanYi Micro Hei', sans-serif"
)
#: d3 formats of axis ticks and of hovers and bar labels, by kind of quantity: derived from
#: the one declaration in :mod:`community_eval.core.formats`, never chosen here.
TICK_FORMATS = {kind: form.d3_axis for kind, form in FORMATS.items()}
HOVER_FORMATS = {kind: form.d3 for kind, form in FORMATS.items()}
SHARE = HOVER_FORMATS["share"]
MUTED = "#B0B0B0"
#: The text of a chart. Streamlit's chart theme writes ticks and axis titles in its grey #808495,
#: 3.7:1 on white, under WCAG's 4.5:1 for 12–14 px text; this is plotly's own #444, 9.7:1.
TEXT = "#444444"


def base_layout(title: str, x_title: str, y_title: str, height: int = 420) -> dict[str, object]:
    """Layout shared by every figure: title, axis titles, font, palette and margins."""
    return {
        # The title holds the top of the figure and the legend sits under it, above the plot:
        # on a phone a legend wraps onto rows that would otherwise cover the title.
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "font": {"size": 18},
            "automargin": True,
            "yref": "container",
            "y": 1,
            "yanchor": "top",
        },
        "font": {"family": FONT_FAMILY, "size": 14, "color": TEXT},
        "colorway": list(OKABE_ITO),
        # The axes too: Streamlit's theme sets their colours itself, over the layout's font.
        "xaxis": {"title": {"text": x_title, "font": {"color": TEXT}}, "tickfont": {"color": TEXT}, "automargin": True},
        "yaxis": {"title": {"text": y_title, "font": {"color": TEXT}}, "tickfont": {"color": TEXT}, "automargin": True},
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "height": height,
        "separators": ".,",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "plot_bgcolor": "white",
    }


def _axis_format(kind: str, values: object = None) -> dict[str, object]:
    """An axis of ``kind`` in its declared tick format; a whole-number axis ticks whole numbers.

    On a short count axis (0–3) plotly would tick every 0.5 and d3's ``d`` would write
    "0, 1, 1, 2": given the ``values`` drawn, an axis of a whole kind that spans at most
    ten steps ticks every 1 (longer axes already get whole steps of 2, 5, 10…).
    """
    axis: dict[str, object] = {
        "tickformat": TICK_FORMATS[kind],
        "gridcolor": "#E5E5E5",
        "zeroline": True,
        "zerolinecolor": "#999",
    }
    form = FORMATS[kind]
    if values is not None and form.decimals == 0 and not form.percent:
        drawn = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").dropna()
        if not drawn.empty and max(drawn.max(), 0) - min(drawn.min(), 0) <= 10:
            axis["dtick"] = 1
    return axis


def _on_scale(figure: go.Figure, scale: tuple[float, float], axis: str = "x") -> None:
    """Span the value axis over the whole scale (1 to 5), one tick per step, with a faint line
    per row for the eye to follow from a name to its dot; room on the right for the labels."""
    low, high = scale
    values = {"range": [low, high], "autorange": False, "dtick": 1, "tickformat": "d", "zeroline": False}
    if axis == "x":
        figure.update_xaxes(**values)
        figure.update_yaxes(showgrid=True, gridcolor="#F0F0F0")
    else:
        figure.update_yaxes(**values)


#: ``layout.meta`` key of a figure whose points carry community ids as ``customdata``.
COMMUNITY_POINTS = "community_points"
#: ``layout.meta`` key of a chart cut to its first rows: how many rows there were before the cut.
ROWS_TOTAL = "rows_total"


def _note_meta(figure: go.Figure, **entries: object) -> None:
    """Add entries to the figure's ``layout.meta`` dict, keeping those already there."""
    meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
    figure.update_layout(meta={**meta, **entries})


def _community_points(figure: go.Figure) -> None:
    """Mark a figure whose points are communities, so a click on one can open its profile."""
    _note_meta(figure, **{COMMUNITY_POINTS: True})


def rows_total(figure: go.Figure) -> int | None:
    """How many rows a chart had before a builder cut it to its first ones (``limit``), if it was cut."""
    meta = figure.layout.meta
    total = meta.get(ROWS_TOTAL) if isinstance(meta, dict) else None
    return int(total) if total is not None else None


def value_labels(values: pd.Series, kind: str, axis: str = "x") -> list[str]:
    """Each bar's label (a ``texttemplate`` per bar): its value in the kind's hover format.

    A bar of zero has no length to see, so without a label it reads as missing; it says
    "0" instead (a format such as ".1%" would write "0.0%", a figure nobody has to parse).
    """
    number = HOVER_FORMATS[kind]
    return ["0" if value == 0 else f"%{{{axis}:{number}}}" for value in values]


#: Stacked parts carry their value inside; a part too narrow for its label at this size shows none.
INSIDE_TEXT = {"uniformtext": {"minsize": 11, "mode": "hide"}}
#: Room right of the plot for the label of the longest bar ("84.7%", "12,345").
LABEL_ROOM_PX = 64


def links_communities(figure: go.Figure) -> bool:
    """Whether the figure's points carry community ids (the builders' ``ids`` argument)."""
    meta = figure.layout.meta
    return isinstance(meta, dict) and bool(meta.get(COMMUNITY_POINTS))


#: ``gap`` of a builder: how many rows lie below the break, and the words on it.
Gap = tuple[int, str]


def _mark_gap(figure: go.Figure, gap: Gap | None, categories: list[object]) -> None:
    """An empty row between the two ends of a shortened ranking, named with how many lie
    between, and a dotted line through it: without it the lowest and highest rows read as
    neighbours.

    ``categories`` are the row labels from the bottom of the chart up; the gap's words become
    a row label (a category with no data) after the first ``rows_below`` of them.
    """
    if gap is None:
        return
    rows_below, words = gap
    order = [*categories[:rows_below], words, *categories[rows_below:]]
    figure.update_yaxes(categoryorder="array", categoryarray=order)
    figure.add_hline(y=rows_below, line_dash="dot", line_color=MUTED, line_width=1)


def escape_labels(figure: go.Figure) -> go.Figure:
    """Data text drawn as written: category values, point text and category orders escaped.

    Plotly reads ``<b>``, ``<br>``, ``<a href=…>`` and entities in every label it draws, and
    the labels are names from uploads; ``&lt;`` is drawn as ``<``, so escaping loses nothing.
    Titles and hover templates are the locale's (with our own ``<extra>`` tags) and are left
    alone; a builder escapes any name it puts into one itself.
    """
    for trace in figure.data:
        for attribute in ("x", "y", "text"):
            values = getattr(trace, attribute, None)
            if values is not None and not isinstance(values, str) and any(isinstance(v, str) for v in values):
                setattr(trace, attribute, [html_literal(v) if isinstance(v, str) else v for v in values])
    for axis in (figure.layout.xaxis, figure.layout.yaxis):
        if axis.categoryarray is not None:
            axis.categoryarray = [html_literal(v) if isinstance(v, str) else v for v in axis.categoryarray]
    return figure


def _literal_labels(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Run a figure builder, then :func:`escape_labels` on what it built (every builder does)."""

    @functools.wraps(build)
    def built(*args: object, **kwargs: object) -> go.Figure:
        return escape_labels(build(*args, **kwargs))

    return built


def _ranked_rows(
    frame: pd.DataFrame, label: str, value: str, *, keep_order: bool, smallest: bool, limit: int | None
) -> pd.DataFrame:
    """The rows a ranked chart draws, bottom first: plotly draws the last row at the top, so the
    rows the reader looks for go last, and equal values in pinyin order of name from the top down."""
    shown = frame.dropna(subset=[value])
    count = limit or len(shown)
    if keep_order:
        return shown.iloc[::-1]
    if smallest:
        return sort_frame(shown, [value, label], ascending=[True, True], names={label}).head(count).iloc[::-1]
    return sort_frame(shown, [value, label], ascending=[True, False], names={label}).tail(count)


def _ranked_trace(
    shown: pd.DataFrame, label: str, value: str, kind: str, ids: str | None, *, dots: bool
) -> go.Scatter | go.Bar:
    """Bars with their values, or dots on a bounded scale (a bar's length from 0 would mean nothing)."""
    common = {
        "x": shown[value],
        "y": shown[label],
        "hovertemplate": f"%{{y}}: %{{x:{HOVER_FORMATS[kind]}}}<extra></extra>",
        "customdata": shown[ids] if ids else None,
        "texttemplate": value_labels(shown[value], kind),
        "cliponaxis": False,
    }
    if dots:
        marker = {"color": OKABE_ITO[0], "size": 11}
        return go.Scatter(**common, mode="markers+text", textposition="middle right", marker=marker)
    return go.Bar(**common, orientation="h", textposition="outside", marker_color=OKABE_ITO[0])


@_literal_labels
def ranked_bars(
    frame: pd.DataFrame,
    label: str,
    value: str,
    *,
    title: str,
    value_title: str,
    label_title: str,
    kind: str,
    reference: float | None = None,
    reference_label: str | None = None,
    keep_order: bool = False,
    limit: int | None = None,
    smallest: bool = False,
    ids: str | None = None,
    scale: tuple[float, float] | None = None,
    gap: Gap | None = None,
) -> go.Figure:
    """Horizontal bars sorted largest first, for "which communities carry the most".

    ``keep_order`` draws the rows as given (first at the top), for ordered categories;
    ``limit`` keeps the largest N (the smallest N with ``smallest``) so a chart stays
    readable when there are many communities; the page's table lists them all (the figure
    records how many there were, :func:`rows_total`). ``ids`` names the column of community
    ids when each bar is a community (clickable). Every bar carries its value.

    A value on a bounded scale (``scale``, by default the column's own from
    :data:`metrics.SCALES`, e.g. 1–5 for satisfaction) is drawn as dots on an axis spanning
    that scale: a bar's length from 0 would mean nothing and make 3.6 and 3.9 look alike.
    ``gap`` marks the break between the two ends of a shortened ranking (:func:`_mark_gap`).
    """
    total = int(frame[value].notna().sum())
    shown = _ranked_rows(frame, label, value, keep_order=keep_order, smallest=smallest, limit=limit)
    scale = scale or SCALES.get(value)
    figure = go.Figure(_ranked_trace(shown, label, value, kind, ids, dots=bool(scale)))
    height = max(320, 28 * (len(shown) + (gap is not None)) + 120)
    figure.update_layout(**base_layout(title, value_title, label_title, height))
    figure.update_xaxes(**_axis_format(kind, shown[value]))
    figure.update_layout(margin={"r": LABEL_ROOM_PX})
    if scale:
        _on_scale(figure, scale)
    if ids:
        _community_points(figure)
    if len(shown) < total:
        _note_meta(figure, **{ROWS_TOTAL: total})
    if reference is not None:
        figure.add_vline(
            x=reference,
            line_dash="dash",
            line_color=OKABE_ITO[3],
            annotation_text=reference_label,
            annotation_position="top",
        )
    _mark_gap(figure, gap, list(shown[label]))
    return figure


@_literal_labels
def stacked_bars(
    frame: pd.DataFrame,
    label: str,
    value: str,
    part: str,
    *,
    title: str,
    value_title: str,
    label_title: str,
    kind: str,
    part_names: dict[str, str],
    ids: str | None = None,
    keep_order: bool = False,
) -> go.Figure:
    """Horizontal bars split into parts (e.g. hours by task category), parts in legend order,
    rows in pinyin order of label from the top (``keep_order``: as they come, for rows whose
    order means something in every language, such as one-off before yearly).

    ``ids`` names the column of community ids when each bar is a community (clickable).
    """
    labels = list(frame[label].dropna().unique())
    order = labels if keep_order else by_pinyin(labels)
    figure = go.Figure()
    for index, (code, name) in enumerate(part_names.items()):
        rows = frame[frame[part] == code]
        figure.add_trace(
            go.Bar(
                x=rows[value],
                y=rows[label],
                name=name,
                orientation="h",
                marker_color=OKABE_ITO[index % len(OKABE_ITO)],
                hovertemplate=f"{name} · %{{y}}: %{{x:{HOVER_FORMATS[kind]}}}<extra></extra>",
                customdata=rows[ids] if ids else None,
                texttemplate=value_labels(rows[value], kind),
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
            )
        )
    height = max(320, 28 * frame[label].nunique() + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height), barmode="stack", **INSIDE_TEXT)
    figure.update_xaxes(**_axis_format(kind, frame.groupby(label)[value].sum()))
    figure.update_yaxes(categoryorder="array", categoryarray=order[::-1])  # the first category at the top
    if ids:
        _community_points(figure)
    return figure


def part_shares(frame: pd.DataFrame, label: str, value: str) -> pd.Series:
    """Each row's ``value`` as a share of its ``label``'s total (null where that total is 0)."""
    totals = frame.groupby(label)[value].transform("sum")
    return frame[value] / totals.where(totals != 0)


@_literal_labels
def share_bars(
    frame: pd.DataFrame,
    label: str,
    value: str,
    part: str,
    *,
    title: str,
    value_title: str,
    label_title: str,
    amount_title: str,
    amount_kind: str,
    part_names: dict[str, str],
    lead_parts: tuple[str, ...] = (),
    ids: str | None = None,
    gap: Gap | None = None,
) -> go.Figure:
    """Horizontal 100 % bars: each row's ``value`` split into its parts' shares of the row's own total.

    For "where does the time go" across rows of very different size (three big streets
    beside small towns): absolute stacks draw the big rows and flatten the rest, while
    shares put every row on the same 0–100 % scale. Rows are sorted by the summed share of
    ``lead_parts`` (e.g. the administrative categories), the largest at the top; the hover
    gives each part's share and its amount (``amount_title``, ``amount_kind``), so the
    size is not lost. ``ids``: the column of community ids when each bar is a community
    (clickable); ``gap``: the break between the two ends of a shortened ranking (:func:`_mark_gap`).
    """
    shown = frame.assign(_share=part_shares(frame, label, value))
    lead = shown[shown[part].isin(lead_parts)].groupby(label)["_share"].sum()
    rows = list(dict.fromkeys(shown[label]))
    # Plotly draws the first category at the bottom: the row with the largest lead share last.
    order = sorted(rows, key=lambda row: (lead.get(row, 0.0), row))
    figure = go.Figure()
    for index, (code, name) in enumerate(part_names.items()):
        parts = shown[shown[part] == code]
        figure.add_trace(
            go.Bar(
                x=parts["_share"],
                y=parts[label],
                name=name,
                orientation="h",
                marker_color=OKABE_ITO[index % len(OKABE_ITO)],
                customdata=list(zip(parts[ids] if ids else parts[label], parts[value], strict=True)),
                hovertemplate=(
                    f"{name} · %{{y}}: %{{x:{HOVER_FORMATS['share']}}}"
                    f"<br>{amount_title}: %{{customdata[1]:{HOVER_FORMATS[amount_kind]}}}<extra></extra>"
                ),
            )
        )
    # 22 px a row: a district's nineteen streets fit beside another chart without a scroll.
    height = max(320, 22 * (len(rows) + (gap is not None)) + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height), barmode="stack")
    # The right margin leaves room for the "100%" tick label, which plotly hides when it
    # would overflow the figure.
    figure.update_layout(legend_traceorder="normal", margin={"r": 28})
    figure.update_xaxes(**_axis_format("share"), range=[0, 1])
    figure.update_yaxes(categoryorder="array", categoryarray=order)
    _mark_gap(figure, gap, order)
    if ids:
        _community_points(figure)
    return figure


def _trend_trace(frame: pd.DataFrame, x: str, y: str, kind: str, name: str, notes: str | None) -> go.Scatter:
    """The trend's own line. Its name (a community's, escaped) reaches the hover through the
    trace's name, never the template: a community called "%{y}" must read as written."""
    prefix = "%{fullData.name} · " if name else ""
    return go.Scatter(
        x=frame[x],
        y=frame[y],
        mode="lines+markers",
        name=name or None,
        line={"color": OKABE_ITO[0], "width": 3},
        customdata=frame[notes] if notes else None,
        hovertemplate=f"{prefix}%{{x}}: %{{y:{HOVER_FORMATS[kind]}}}"
        + ("<br>%{customdata}" if notes else "")
        + "<extra></extra>",
    )


@_literal_labels
def trend_line(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    kind: str,
    reference: str | None = None,
    names: tuple[str, str] | None = None,
    height: int | None = None,
    x_step: int | None = None,
    x_dates: str | None = None,
    scale: tuple[float, float] | None = None,
    notes: str | None = None,
) -> go.Figure:
    """A line over time with markers, for monthly and yearly trends.

    ``reference`` names a second column drawn as a dashed grey line (e.g. the district
    median), with ``names`` = (line, reference) in the legend; ``x_step`` sets whole-number
    x ticks (years); ``x_dates`` is the d3 format of date ticks and hovers, from the locale
    (plotly would write "Jan 2024" on a Chinese page); ``height`` makes a small multiple.
    The value axis starts at 0, or spans ``scale`` (by default the column's, from
    :data:`metrics.SCALES`) for a value on a bounded scale such as 1–5, which has no 0.
    ``notes`` names a column of text added under each point's hover (the counts behind a
    rate, written by the caller in the page's language).
    """
    line_name, reference_name = (html_literal(name) for name in names or ("", ""))  # a community's name
    figure = go.Figure(_trend_trace(frame, x, y, kind, line_name, notes))
    if reference is not None:
        figure.add_trace(
            go.Scatter(
                x=frame[x],
                y=frame[reference],
                mode="lines+markers",
                name=reference_name,
                line={"color": MUTED, "width": 2, "dash": "dash"},
                hovertemplate=f"%{{fullData.name}} · %{{x}}: %{{y:{HOVER_FORMATS[kind]}}}<extra></extra>",
            )
        )
    figure.update_layout(**base_layout(title, x_title, y_title, height or 420))
    figure.update_yaxes(**_axis_format(kind, frame[y]), rangemode="tozero")
    scale = scale or SCALES.get(y)
    if scale:
        _on_scale(figure, scale, axis="y")
    if x_step:
        figure.update_xaxes(dtick=x_step, tickformat="d")
    if x_dates:
        figure.update_xaxes(tickformat=x_dates, hoverformat=x_dates)
    return figure


@_literal_labels
def relation_scatter(
    frame: pd.DataFrame,
    x: str,
    y: str,
    label: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    x_kind: str,
    y_kind: str,
    slope: float | None = None,
    intercept: float | None = None,
    ids: str | None = None,
    height: int = 420,
) -> go.Figure:
    """Points per community with an optional fitted line, for "does X go with Y".

    ``ids`` names the column of community ids (each point then opens its profile);
    ``height`` is lower where the chart shares a column with another.
    """
    figure = go.Figure(
        go.Scatter(
            x=frame[x],
            y=frame[y],
            text=frame[label],
            customdata=frame[ids] if ids else None,
            mode="markers",
            marker={"color": OKABE_ITO[0], "size": 10, "opacity": 0.8},
            hovertemplate=(
                f"%{{text}}<br>%{{x:{HOVER_FORMATS[x_kind]}}} · %{{y:{HOVER_FORMATS[y_kind]}}}<extra></extra>"
            ),
        )
    )
    if slope is not None and intercept is not None and len(frame):
        xs = [frame[x].min(), frame[x].max()]
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=[intercept + slope * v for v in xs],
                mode="lines",
                line={"color": OKABE_ITO[3], "dash": "dash"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    figure.update_layout(**base_layout(title, x_title, y_title, height), showlegend=False)
    figure.update_xaxes(**_axis_format(x_kind, frame[x]))
    figure.update_yaxes(**_axis_format(y_kind, frame[y]))
    if ids:
        _community_points(figure)
    return figure


def burden_relation(
    points: pd.DataFrame,
    *,
    title: str,
    x_title: str,
    y_title: str,
    ids: str | None = None,
    height: int = 420,
) -> go.Figure:
    """Administrative share of hours against mean satisfaction, a point per community, with the
    fitted line: ``points`` is ``burden_vs_satisfaction``'s frame (its first row carries the fit).
    One builder for the task-burden page and the offline report."""
    fit = points.iloc[0]
    return relation_scatter(
        points,
        "admin_hours_share",
        "mean_overall",
        "community_name",
        title=title,
        x_title=x_title,
        y_title=y_title,
        x_kind="share",
        y_kind="mean",
        slope=fit["slope"],
        intercept=fit["intercept"],
        ids=ids,
        height=height,
    )


# Diverging, colour-blind-safe (ColorBrewer RdBu, 5 classes) for Likert answers 1..5.
LIKERT_COLOURS = ("#CA0020", "#F4A582", "#BABABA", "#92C5DE", "#0571B0")
STATUS_COLOURS = {"pass": OKABE_ITO[0], "fail": OKABE_ITO[3], "unknown": "#D9D9D9"}
#: A status as one mark, which fits a cell on a phone ("未达标" does not); the colour and the
#: mark say it twice, so neither colour vision nor the hover is needed to read it.
STATUS_MARKS = {"pass": "✓", "fail": "✗", "unknown": "?"}


@_literal_labels
def dot_whisker(
    frame: pd.DataFrame,
    label: str,
    mean: str,
    low: str,
    high: str,
    *,
    title: str,
    value_title: str,
    label_title: str,
    reference: float | None = None,
    reference_label: str | None = None,
    ids: str | None = None,
    gap: Gap | None = None,
    keep_order: bool = False,
) -> go.Figure:
    """Means with their 95 % intervals, sorted, one row per group (label may carry n).

    ``ids`` names the column of community ids when each row is a community (clickable);
    ``gap`` marks the break between the two ends of a shortened ranking (:func:`_mark_gap`);
    ``keep_order`` keeps the frame's order, first at the top (age groups read young to old).
    """
    if keep_order:
        shown = frame.dropna(subset=[mean]).iloc[::-1]  # plotly draws the first row at the bottom
    else:
        # The highest at the top (drawn last); equal means in pinyin order of label from the top.
        shown = sort_frame(frame.dropna(subset=[mean]), [mean, label], ascending=[True, False], names={label})
    figure = go.Figure(
        go.Scatter(
            x=shown[mean],
            y=shown[label],
            mode="markers",
            marker={"color": OKABE_ITO[0], "size": 9},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shown[high] - shown[mean],
                "arrayminus": shown[mean] - shown[low],
                "color": OKABE_ITO[5],
                "thickness": 2,
            },
            hovertemplate=f"%{{y}}: %{{x:{HOVER_FORMATS['mean']}}}<extra></extra>",
            customdata=shown[ids] if ids else None,
        )
    )
    rows = len(shown) + (gap is not None)
    figure.update_layout(**base_layout(title, value_title, label_title, max(320, 26 * rows + 120)))
    figure.update_xaxes(**_axis_format("mean"))
    if ids:
        _community_points(figure)
    if reference is not None:
        figure.add_vline(x=reference, line_dash="dash", line_color=OKABE_ITO[3], annotation_text=reference_label)
    _mark_gap(figure, gap, list(shown[label]))
    return figure


@_literal_labels
def diverging_likert(
    shares: pd.DataFrame,
    *,
    item_names: dict[str, str],
    answer_names: dict[int, str],
    title: str,
    value_title: str,
) -> go.Figure:
    """Answers 1–5 per item as bars diverging from the neutral middle.

    ``shares`` has columns item, answer, share. Negative answers extend left, positive
    right, and the neutral answer is split across zero so the bars stay centred.
    """
    figure = go.Figure()
    items = [item for item in item_names if item in set(shares["item"])]
    table = shares.pivot_table(index="item", columns="answer", values="share", fill_value=0.0).reindex(items)
    labels = [item_names[item] for item in items]
    # Bars stack outwards from zero in trace order: the neutral half nearest the middle.
    halves = ((3, -1, True), (2, -1, True), (1, -1, True), (3, 1, False), (4, 1, True), (5, 1, True))
    for answer, side, in_legend in halves:
        share = table.get(answer, pd.Series(0.0, index=table.index))
        width = share / 2 if answer == 3 else share
        figure.add_trace(
            go.Bar(
                x=side * width,
                y=labels,
                orientation="h",
                name=answer_names[answer],
                marker_color=LIKERT_COLOURS[answer - 1],
                legendgroup=str(answer),
                legendrank=answer,
                showlegend=in_legend,
                customdata=share,
                hovertemplate=f"{answer_names[answer]} · %{{y}}: %{{customdata:{SHARE}}}<extra></extra>",
                # The neutral answer is labelled once, on its right half, with its whole share.
                texttemplate="" if answer == 3 and side < 0 else f"%{{customdata:{SHARE}}}",
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
            )
        )
    layout = base_layout(title, value_title, "", max(320, 48 * len(items) + 140))
    figure.update_layout(**layout, barmode="relative", **INSIDE_TEXT)
    figure.update_xaxes(tickformat=TICK_FORMATS["share"], gridcolor="#E5E5E5", zeroline=True, zerolinecolor="#333")
    figure.update_yaxes(autorange="reversed")
    return figure


#: Rows beyond which a status grid puts the rules' names above it (a screen's worth of rows).
LONG_MATRIX = 15


@_literal_labels
def status_matrix(
    frame: pd.DataFrame,
    label: str,
    columns: dict[str, str],
    *,
    status_names: dict[str, str],
    title: str,
    x_title: str,
    y_title: str,
    marks: bool = False,
) -> go.Figure:
    """A rows × rules grid coloured pass / fail / unknown, with the word in each cell.

    With ``marks`` each cell shows its :data:`STATUS_MARKS` instead and the word moves to the
    hover (the caller says what the marks mean, in ``x_title``, say). The rules' names sit
    above a long grid, where its first rows are, and under a short one, where a top axis
    would run into the title on a narrow screen.
    """
    codes = {"pass": 0, "fail": 1, "unknown": 2}
    grid = frame[list(columns)].fillna("unknown")
    names = grid.replace(status_names).to_numpy()
    z = grid.replace(codes).astype(float).to_numpy()
    scale = [
        [0.0, STATUS_COLOURS["pass"]],
        [1 / 3, STATUS_COLOURS["pass"]],
        [1 / 3, STATUS_COLOURS["fail"]],
        [2 / 3, STATUS_COLOURS["fail"]],
        [2 / 3, STATUS_COLOURS["unknown"]],
        [1.0, STATUS_COLOURS["unknown"]],
    ]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=list(columns.values()),
            y=list(frame[label]),
            text=grid.replace(STATUS_MARKS).to_numpy() if marks else names,
            customdata=names,
            texttemplate="%{text}",
            colorscale=scale,
            zmin=-0.5,
            zmax=2.5,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y} · %{x}: %{customdata}<extra></extra>",
        )
    )
    figure.update_layout(**base_layout(title, x_title, y_title, max(320, 24 * len(frame) + 160)))
    figure.update_xaxes(side="top" if len(frame) > LONG_MATRIX else "bottom")
    figure.update_yaxes(autorange="reversed")
    return figure


def _joining_lines(shown: pd.DataFrame, label: str, before: str, after: str) -> go.Scatter:
    """Every row's line from before to after as one trace, segments split by gaps."""
    segments_x: list[object] = []
    segments_y: list[object] = []
    for start, end, name in zip(shown[before], shown[after], shown[label], strict=True):
        segments_x += [start, end, None]
        segments_y += [name, name, None]
    line = {"color": MUTED, "width": 2}
    return go.Scatter(x=segments_x, y=segments_y, mode="lines", line=line, showlegend=False, hoverinfo="skip")


@_literal_labels
def dumbbell(
    frame: pd.DataFrame,
    label: str,
    before: str,
    after: str,
    *,
    names: tuple[str, str],
    title: str,
    value_title: str,
    label_title: str,
    kind: str,
    ids: str | None = None,
    limit: int | None = None,
) -> go.Figure:
    """Two values per row joined by a line: last year's and this year's.

    ``ids`` names the column of community ids when each row is a community (clickable);
    ``limit`` keeps the rows that moved most, so thousands of communities stay readable.
    All the joining lines are one trace (segments split by gaps): a trace per row made
    a province's chart take seconds to build and draw.
    """
    shown = frame.dropna(subset=[before, after])
    total = len(shown)
    if limit is not None and len(shown) > limit:
        moved = (shown[after] - shown[before]).abs()
        shown = shown.loc[moved.sort_values(ascending=False).index[:limit]]
    shown = sort_frame(shown, [after, label], ascending=[True, False], names={label})  # ties: pinyin, top down
    figure = go.Figure(_joining_lines(shown, label, before, after))
    for column, name, colour in ((before, names[0], OKABE_ITO[5]), (after, names[1], OKABE_ITO[0])):
        figure.add_trace(
            go.Scatter(
                x=shown[column],
                y=shown[label],
                mode="markers",
                name=name,
                marker={"color": colour, "size": 10},
                hovertemplate=f"{name} · %{{y}}: %{{x:{HOVER_FORMATS[kind]}}}<extra></extra>",
                customdata=shown[ids] if ids else None,
            )
        )
    figure.update_layout(**base_layout(title, value_title, label_title, max(320, 26 * len(shown) + 140)))
    figure.update_xaxes(**_axis_format(kind, shown[[before, after]].stack()))
    if ids:
        _community_points(figure)
    if len(shown) < total:
        _note_meta(figure, **{ROWS_TOTAL: total})
    return figure


@_literal_labels
def grouped_bars(
    frame: pd.DataFrame,
    label: str,
    values: dict[str, str],
    *,
    title: str,
    value_title: str,
    label_title: str,
    kind: str,
) -> go.Figure:
    """Several measures side by side per row (e.g. unadmitted and unfunded share by department)."""
    figure = go.Figure()
    for index, (column, name) in enumerate(values.items()):
        figure.add_trace(
            go.Bar(
                x=frame[column],
                y=frame[label],
                name=name,
                orientation="h",
                marker_color=OKABE_ITO[index % len(OKABE_ITO)],
                hovertemplate=f"{name} · %{{y}}: %{{x:{HOVER_FORMATS[kind]}}}<extra></extra>",
                texttemplate=value_labels(frame[column], kind),
                textposition="outside",
                textfont={"size": 12},
                cliponaxis=False,
            )
        )
    # A row of bars as tall as one ranked bar's row (two thin bars of 14 px), so the ranked
    # chart beside it, of the same rows, ends about level with it.
    height = max(320, max(28, 14 * len(values)) * len(frame) + 130)
    figure.update_layout(**base_layout(title, value_title, label_title, height), barmode="group")
    figure.update_layout(margin={"r": LABEL_ROOM_PX})
    figure.update_xaxes(**_axis_format(kind, frame[list(values)].stack()))
    figure.update_yaxes(autorange="reversed")
    return figure


@_literal_labels
def survival_curves(
    curves: pd.DataFrame,
    *,
    group_names: dict[str, str],
    title: str,
    x_title: str,
    y_title: str,
    height: int = 460,
) -> go.Figure:
    """Kaplan–Meier step curves per group with their 95 % bands.

    ``curves`` has group_key, months, survival, ci_low, ci_high; ``height`` is the figure's
    (a page that puts it beside other charts gives less).
    """
    figure = go.Figure()
    for index, (key, name) in enumerate(group_names.items()):
        rows = curves[curves["group_key"] == key].sort_values("months")
        if rows.empty:
            continue
        colour = OKABE_ITO[index % len(OKABE_ITO)]
        # The band: its upper edge, then its lower edge filled up to the upper one.
        for edge, fill in (("ci_high", {}), ("ci_low", {"fill": "tonexty", "fillcolor": _transparent(colour)})):
            figure.add_trace(
                go.Scatter(
                    x=rows["months"],
                    y=rows[edge],
                    mode="lines",
                    line={"width": 0, "shape": "hv"},
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup=key,
                    **fill,
                )
            )
        figure.add_trace(
            go.Scatter(
                x=rows["months"],
                y=rows["survival"],
                mode="lines",
                name=name,
                line={"color": colour, "width": 3, "shape": "hv"},
                legendgroup=key,
                hovertemplate=f"{name} · %{{x:{HOVER_FORMATS['int']}}}: %{{y:{HOVER_FORMATS['share']}}}<extra></extra>",
            )
        )
    figure.update_layout(**base_layout(title, x_title, y_title, height))
    figure.update_yaxes(tickformat=TICK_FORMATS["share"], range=[0, 1.02], gridcolor="#E5E5E5")
    figure.update_xaxes(gridcolor="#E5E5E5", rangemode="tozero")
    return figure


def _transparent(hex_colour: str, alpha: float = 0.18) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


@_literal_labels
def contribution_bars(
    frame: pd.DataFrame,
    label: str,
    part: str,
    value: str,
    *,
    order: list[str],
    part_names: dict[str, str],
    title: str,
    value_title: str,
    label_title: str,
    flagged: set[str] | frozenset[str] = frozenset(),
    flag: str = " *",
    gap: Gap | None = None,
) -> go.Figure:
    """Stacked bars whose parts add up to each row's total (a composite and what it is made of).

    Rows are drawn in ``order``, the first at the top; labels in ``flagged`` get ``flag``
    appended, so a total that lacks a part is marked where it is read; ``gap`` marks the
    break between the two ends of a shortened ranking (:func:`_mark_gap`).
    """
    shown_order = [name for name in order if name in set(frame[label])]
    tick = {name: f"{name}{flag}" if name in flagged else name for name in shown_order}
    figure = go.Figure()
    for index, (code, name) in enumerate(part_names.items()):
        rows = frame[frame[part] == code]
        figure.add_trace(
            go.Bar(
                x=rows[value],
                y=rows[label].map(tick),
                name=name,
                orientation="h",
                marker_color=OKABE_ITO[index % len(OKABE_ITO)],
                hovertemplate=f"{name} · %{{y}}: %{{x:{HOVER_FORMATS['score']}}}<extra></extra>",
                texttemplate=value_labels(rows[value], "score"),
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
            )
        )
    height = max(320, 28 * (len(shown_order) + (gap is not None)) + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height), barmode="stack", **INSIDE_TEXT)
    figure.update_layout(legend_traceorder="normal")
    figure.update_xaxes(**_axis_format("score"), range=[0, 100])
    figure.update_yaxes(categoryorder="array", categoryarray=[tick[name] for name in reversed(shown_order)])
    _mark_gap(figure, gap, [tick[name] for name in reversed(shown_order)])
    return figure


#: Before a range bar's text: half an em of space, so the text clears a dot at the bar's end
#: (radius 5 px at 14 px type; on the wall 9.5 px at 24 px) at any type size.
CLEAR_OF_DOT = "\u2002"


def rank_range_labels(best: pd.Series, worst: pd.Series) -> list[str]:
    """Each range bar's text (a ``texttemplate`` per bar): "3–7", or "5" for a rank that holds."""
    number = HOVER_FORMATS["int"]
    low, high = f"%{{customdata[0]:{number}}}", f"%{{customdata[1]:{number}}}"
    return [CLEAR_OF_DOT + (low if b == w else f"{low}–{high}") for b, w in zip(best, worst, strict=True)]


def _range_bars(shown: pd.DataFrame, label: str, best: str, worst: str, name: str) -> go.Bar:
    """The best-to-worst range of each row as a bar, its range written just past its end."""
    number = HOVER_FORMATS["int"]
    span = f"%{{customdata[0]:{number}}}–%{{customdata[1]:{number}}}"
    return go.Bar(
        x=shown[worst] - shown[best],
        base=shown[best],
        y=shown[label],
        orientation="h",
        name=name,
        marker_color=_transparent(OKABE_ITO[5], 0.55),
        width=0.5,
        customdata=shown[[best, worst]].to_numpy(),
        hovertemplate=f"%{{y}}: {span}<extra></extra>",
        texttemplate=rank_range_labels(shown[best], shown[worst]),
        textposition="outside",
        constraintext="none",
        cliponaxis=False,
    )


@_literal_labels
def rank_ranges(
    frame: pd.DataFrame,
    label: str,
    rank: str,
    best: str,
    worst: str,
    *,
    title: str,
    value_title: str,
    label_title: str,
    rank_name: str,
    range_name: str,
    gap: Gap | None = None,
) -> go.Figure:
    """Each row's rank as a dot and the best-to-worst range it can take as a bar, rank 1 on top.

    Each bar ends in its range as text ("3–7", or "5" when the rank never moves), in the
    declared whole-number format, just past the bar and its dot, at the chart's type size
    (not shrunk to the bar's thickness), with room right of the plot for the last one.

    ``gap`` marks the break between the two ends of a shortened ranking (:func:`_mark_gap`).
    """
    shown = sort_frame(frame.dropna(subset=[rank]), [rank, label], names={label})  # a shared rank: pinyin
    order = list(shown[label])[::-1]
    number = HOVER_FORMATS["int"]
    figure = go.Figure(_range_bars(shown, label, best, worst, range_name))
    figure.add_trace(
        go.Scatter(
            x=shown[rank],
            y=shown[label],
            mode="markers",
            name=rank_name,
            marker={"color": OKABE_ITO[0], "size": 10},
            hovertemplate=f"%{{y}}: %{{x:{number}}}<extra></extra>",
        )
    )
    height = max(320, 26 * (len(shown) + (gap is not None)) + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height))
    figure.update_layout(margin={"r": LABEL_ROOM_PX})
    step = _whole_step(float(shown[worst].max()) if len(shown) else 1.0)
    figure.update_xaxes(tickformat="d", gridcolor="#E5E5E5", rangemode="tozero", dtick=step)
    figure.update_yaxes(categoryorder="array", categoryarray=order)
    _mark_gap(figure, gap, order)
    return figure


# ---- the headline figures as one slide -------------------------------------------------------

#: Text colours of good and bad news on white: Okabe–Ito's bluish green and vermillion,
#: darkened to a contrast of at least 4.5:1 so they read from the back of a room.
TONE_COLOURS = {"good": "#00785A", "bad": "#B34700", "flat": "#555555"}
#: A change's direction, drawn before it (the colour says whether it is good news).
ARROWS = {"up": "▲", "down": "▼", "off": ""}
#: The board's columns: where each starts (or, for the value, ends) across the slide, its
#: anchor and font size. Sized for the smallest wall screen, 1280 pixels wide.
BOARD_COLUMNS = {
    "label": (0.0, "left", 24),
    "value": (0.52, "right", 40),
    "verdict": (0.555, "left", 24),
    "change": (0.86, "left", 24),
}
BOARD_STRIPE = "#F2F2F2"
#: The verdict column's width on the smallest wall (1280 pixels), in ems of its type as
#: :func:`text_ems` counts them: from 0.555 to 0.86 of about 1,210 pixels of plot, less a gap
#: before the change column.
BOARD_VERDICT_EMS = 14.5
#: When a verdict is too long for one line of the column, the column is set this size, and
#: a verdict still too long takes as many lines as it needs.
BOARD_SMALL_SIZE = 20


def text_ems(text: str) -> float:
    """Roughly how wide ``text`` is in ems: a Chinese character or full-width sign is one,
    a space a quarter, any other character about half (measured on the wall's Noto Sans)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.25 if ch == " " else 0.55 for ch in text)


#: Where a line may break: after a space or beside a Chinese character, never inside a
#: Latin word or a number ("57.6%").
_PIECES = re.compile(r"[^\s\u3000-\u9fff\uff00-\uffef]+\s*|[\u3000-\u9fff\uff00-\uffef]\s*|\s+")
#: Clauses, each with the mark that ends it ("，", "、", "；", ", ", "; "): lines break there first.
_CLAUSES = re.compile(r".+?(?:[，、；]|[,;]\s+|$)")


def wrap_text(text: str, ems: float) -> list[str]:
    """``text`` in lines of at most ``ems``, broken between clauses where a clause fits a line,
    else between words or Chinese characters (a word longer than a line keeps its own line)."""
    lines, line = [], ""
    for clause in _CLAUSES.findall(text):
        if text_ems((line + clause).rstrip()) <= ems:
            line += clause
            continue
        if line and text_ems(clause.rstrip()) <= ems:
            lines.append(line.rstrip())
            line = clause
            continue
        for piece in _PIECES.findall(clause):
            if line and text_ems((line + piece).rstrip()) > ems:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
    return [*lines, line.rstrip()] if line.strip() else lines


def wrap_category_labels(figure: go.Figure, ems: float = 14.0) -> go.Figure:
    """Long category labels (a questionnaire's own questions) in lines of at most ``ems``.

    Plotly never wraps a label: a 30-character question took half a phone's width from the
    plot. The labels are escaped already (:func:`escape_labels`), so the break is plotly's
    ``<br>`` between escaped pieces (the hover shows the same lines).
    """
    for trace in figure.data:
        values = getattr(trace, "y", None)
        if values is None or not any(isinstance(v, str) and text_ems(v) > ems for v in values):
            continue
        trace.y = ["<br>".join(wrap_text(v, ems)) if isinstance(v, str) else v for v in values]
    axis = figure.layout.yaxis
    if axis.categoryarray is not None:
        axis.categoryarray = ["<br>".join(wrap_text(v, ems)) if isinstance(v, str) else v for v in axis.categoryarray]
    return figure


def headline_board(cards: list[dict[str, object]], *, title: str, headers: dict[str, str]) -> go.Figure:
    """The headline figures as one table-like slide: a row per figure, its verdict and change.

    Each card is a dict: ``label``, ``value``, and optionally ``verdict`` with its
    ``verdict_tone`` and ``change`` with its ``change_tone`` ("good", "bad", "flat") and
    ``arrow`` ("up", "down", "off"); ``headers`` names the columns. Rows spread over the
    slide's height, type keeps its pixel size (the layout is set for 1280×720 and up), and
    every text is escaped here. Tone is in the words and the arrow too, never colour alone.
    """
    figure = go.Figure()
    verdict_size = _verdict_size(cards)
    slots = len(cards) + 1  # the header, then a row per card
    for index, row in enumerate([{**headers, "header": True}, *cards]):
        top, bottom = 1 - index / slots, 1 - (index + 1) / slots
        if index % 2 == 1:
            figure.add_shape(
                type="rect", xref="paper", yref="paper", x0=-0.01, x1=1.0, y0=bottom, y1=top,
                line={"color": BOARD_STRIPE, "width": 0}, fillcolor=BOARD_STRIPE, layer="below",
            )  # fmt: skip
        for field, (x, anchor, size) in BOARD_COLUMNS.items():
            text = _board_text(row, field, verdict_size)
            if text:
                figure.add_annotation(
                    text=text,
                    xref="paper",
                    yref="paper",
                    x=x,
                    y=(top + bottom) / 2,
                    xanchor=anchor,
                    yanchor="middle",
                    align=anchor,  # a wrapped verdict's lines start where its column does
                    showarrow=False,
                    font={"size": size if not row.get("header") else 24, "color": "#000000"},
                )
    figure.update_layout(**base_layout(html_literal(title), "", ""), showlegend=False)
    figure.update_xaxes(visible=False, range=[0, 1])
    figure.update_yaxes(visible=False, range=[0, 1])
    return figure


def _verdict_size(cards: list[dict[str, object]]) -> int:
    """The verdict column's type size: the wall's, unless a verdict would not fit one line of
    it; then smaller for every row, so the column reads as one."""
    size = BOARD_COLUMNS["verdict"][2]
    longest = max((text_ems(str(card.get("verdict") or "")) for card in cards), default=0.0)
    return size if longest <= BOARD_VERDICT_EMS else BOARD_SMALL_SIZE


def _board_text(row: dict[str, object], field: str, verdict_size: int) -> str:
    """One cell of the board, escaped, its size and tone inline (so a wall restyle keeps them);
    a verdict in the column's size, on as many lines as the column's width needs."""
    raw = str(row.get(field) or "")
    text = html_literal(raw)
    if not text:
        return ""
    if row.get("header"):
        return f"<span style='color:#555555'>{text}</span>"
    size = BOARD_COLUMNS[field][2]
    if field == "verdict":
        size = verdict_size
        lines = wrap_text(raw, BOARD_VERDICT_EMS * BOARD_COLUMNS[field][2] / size)
        text = "<br>".join(html_literal(line) for line in lines)
    style = f"font-size:{size}px"
    tone = row.get(f"{field}_tone")
    if tone in TONE_COLOURS:
        style += f";color:{TONE_COLOURS[tone]}"
    if field == "change":
        arrow = ARROWS.get(str(row.get("arrow") or "off"), "")
        text = f"{arrow} {text}" if arrow else text
    text = f"<b>{text}</b>" if field == "value" else text
    return f"<span style='{style}'>{text}</span>"


def _whole_step(top: float, ticks: int = 10) -> int:
    """The smallest whole tick step of 1, 2 or 5 times a power of ten that gives at most
    ``ticks`` steps up to ``top``: ranks are whole, and the axis reaches the worst rank shown
    (76 when a chart shows both ends of a ranking), not the number of rows."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if top / (magnitude * factor) <= ticks:
                return magnitude * factor
        magnitude *= 10


def _level_line(figure: go.Figure, level: float, colour: str, written: str | None) -> None:
    """A dashed level across the plot in the colour of its line, its words at the left end in the
    text colour (the Okabe–Ito orange on white is 2.25:1, below the 4.5:1 text needs)."""
    figure.add_hline(
        y=level,
        line_dash="dash",
        line_color=colour,
        line_width=2,
        annotation_text=html_literal(written) if written else None,
        annotation_position="top left",
        annotation_font_color=TEXT,
    )


@_literal_labels
def cumulative_lines(
    frame: pd.DataFrame,
    x: str,
    lines: dict[str, str],
    *,
    label: str,
    title: str,
    x_title: str,
    y_title: str,
    kind: str,
    budgets: dict[str, float] | None = None,
    budget_labels: dict[str, str] | None = None,
    reached: int | None = None,
    reached_name: str | None = None,
    height: int = 380,
) -> go.Figure:
    """Running sums against a count (money spent against communities brought to standard).

    ``lines`` maps each running-sum column to its name; ``budgets`` maps a line's name to a
    level drawn as a dashed line of the same colour, written on with its ``budget_labels``
    entry (a wall screen shows no caption to say what a dashed line is); ``reached`` draws a dotted vertical line
    at that count, named ``reached_name``. Each point's hover names the row (``label``) that
    the step adds, so the reader sees which community each yuan goes to.
    """
    figure = go.Figure()
    for index, (column, name) in enumerate(lines.items()):
        colour = OKABE_ITO[index % len(OKABE_ITO)]
        figure.add_trace(
            go.Scatter(
                x=frame[x],
                y=frame[column],
                mode="lines+markers",
                name=name,
                line={"color": colour, "width": 3, "shape": "hv"},
                marker={"size": 6},
                customdata=frame[label],
                hovertemplate=f"{name} · %{{x}} · %{{customdata}}: %{{y:{HOVER_FORMATS[kind]}}}<extra></extra>",
            )
        )
        level = (budgets or {}).get(name)
        if level is not None:
            _level_line(figure, level, colour, (budget_labels or {}).get(name))
    figure.update_layout(**base_layout(title, x_title, y_title, height))
    figure.update_yaxes(**_axis_format(kind), rangemode="tozero")
    figure.update_xaxes(**_axis_format("int", frame[x]), rangemode="tozero")
    if reached is not None and reached_name:
        figure.add_vline(x=reached, line_dash="dot", line_color=MUTED, line_width=2)
        figure.add_annotation(
            x=reached,
            y=1,
            yref="paper",
            text=html_literal(reached_name),
            showarrow=False,
            xanchor="left",
            yanchor="top",
        )
    return figure
