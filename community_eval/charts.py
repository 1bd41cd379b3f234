"""Figure builders with the project's theme; pages call these and never style charts inline.

The palette is Okabe–Ito (safe for the common colour-vision deficiencies), fonts fall back
through the CJK families found on Windows, macOS and Linux so Chinese renders everywhere,
and every figure gets a title and axis titles (with units) from the caller's locale.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from community_eval.collation import by_pinyin, sort_frame
from community_eval.safety import html_literal

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', 'Source Han Sans SC', "
    "'WenQuanYi Micro Hei', sans-serif"
)
TICK_FORMATS = {"int": ",d", "decimal": ",.2f", "share": ".0%", "yuan": ",.0f", "ratio": ".2f", "score": ".0f"}
HOVER_FORMATS = {"int": ",d", "decimal": ",.2f", "share": ".1%", "yuan": ",.0f", "ratio": ".2f", "score": ".1f"}
MUTED = "#B0B0B0"


def base_layout(title: str, x_title: str, y_title: str, height: int = 420) -> dict[str, object]:
    """Layout shared by every figure: title, axis titles, font, palette and margins."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}},
        "font": {"family": FONT_FAMILY, "size": 14},
        "colorway": list(OKABE_ITO),
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "automargin": True},
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "height": height,
        "separators": ".,",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "plot_bgcolor": "white",
    }


def _axis_format(kind: str) -> dict[str, object]:
    return {"tickformat": TICK_FORMATS[kind], "gridcolor": "#E5E5E5", "zeroline": True, "zerolinecolor": "#999"}


#: ``layout.meta`` key of a figure whose points carry community ids as ``customdata``.
COMMUNITY_POINTS = "community_points"


def _community_points(figure: go.Figure) -> None:
    """Mark a figure whose points are communities, so a click on one can open its profile."""
    figure.update_layout(meta={COMMUNITY_POINTS: True})


def links_communities(figure: go.Figure) -> bool:
    """Whether the figure's points carry community ids (the builders' ``ids`` argument)."""
    meta = figure.layout.meta
    return isinstance(meta, dict) and bool(meta.get(COMMUNITY_POINTS))


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
) -> go.Figure:
    """Horizontal bars sorted largest first, for "which communities carry the most".

    ``keep_order`` draws the rows as given (first at the top), for ordered categories;
    ``limit`` keeps the largest N (the smallest N with ``smallest``) so a chart stays
    readable when there are many communities; the page's table lists them all.
    ``ids`` names the column of community ids when each bar is a community (clickable).
    """
    shown = frame.dropna(subset=[value])
    count = limit or len(shown)
    # Plotly draws the last row at the top: put the rows the reader looks for last, and
    # equal values in pinyin order of name from the top down (so, last to first here).
    if keep_order:
        shown = shown.iloc[::-1]
    elif smallest:
        shown = sort_frame(shown, [value, label], ascending=[True, True], names={label}).head(count).iloc[::-1]
    else:
        shown = sort_frame(shown, [value, label], ascending=[True, False], names={label}).tail(count)
    figure = go.Figure(
        go.Bar(
            x=shown[value],
            y=shown[label],
            orientation="h",
            marker_color=OKABE_ITO[0],
            hovertemplate=f"%{{y}}: %{{x:{HOVER_FORMATS[kind]}}}<extra></extra>",
            customdata=shown[ids] if ids else None,
        )
    )
    height = max(320, 28 * len(shown) + 120)
    figure.update_layout(**base_layout(title, value_title, label_title, height))
    figure.update_xaxes(**_axis_format(kind))
    if ids:
        _community_points(figure)
    if reference is not None:
        figure.add_vline(
            x=reference,
            line_dash="dash",
            line_color=OKABE_ITO[3],
            annotation_text=reference_label,
            annotation_position="top",
        )
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
) -> go.Figure:
    """Horizontal bars split into parts (e.g. hours by task category), parts in legend order,
    rows in pinyin order of label from the top.

    ``ids`` names the column of community ids when each bar is a community (clickable).
    """
    order = by_pinyin(frame[label].dropna().unique())
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
            )
        )
    height = max(320, 28 * frame[label].nunique() + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height), barmode="stack")
    figure.update_xaxes(**_axis_format(kind))
    figure.update_yaxes(categoryorder="array", categoryarray=order[::-1])  # the first category at the top
    if ids:
        _community_points(figure)
    return figure


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
) -> go.Figure:
    """A line over time with markers, for monthly and yearly trends.

    ``reference`` names a second column drawn as a dashed grey line (e.g. the district
    median), with ``names`` = (line, reference) in the legend; ``x_step`` sets whole-number
    x ticks (years); ``x_dates`` is the d3 format of date ticks and hovers, from the locale
    (plotly would write "Jan 2024" on a Chinese page); ``height`` makes a small multiple.
    """
    line_name, reference_name = (html_literal(name) for name in names or ("", ""))  # a community's name
    # The name reaches the hover through the trace's own name, never the template: a
    # community called "%{y}" must read as written, not as a placeholder.
    prefix = "%{fullData.name} · " if line_name else ""
    figure = go.Figure(
        go.Scatter(
            x=frame[x],
            y=frame[y],
            mode="lines+markers",
            name=line_name or None,
            line={"color": OKABE_ITO[0], "width": 3},
            hovertemplate=f"{prefix}%{{x}}: %{{y:{HOVER_FORMATS[kind]}}}<extra></extra>",
        )
    )
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
    figure.update_yaxes(**_axis_format(kind), rangemode="tozero")
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
) -> go.Figure:
    """Points per community with an optional fitted line, for "does X go with Y".

    ``ids`` names the column of community ids (each point then opens its profile).
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
    figure.update_layout(**base_layout(title, x_title, y_title), showlegend=False)
    figure.update_xaxes(**_axis_format(x_kind))
    figure.update_yaxes(**_axis_format(y_kind))
    if ids:
        _community_points(figure)
    return figure


# Diverging, colour-blind-safe (ColorBrewer RdBu, 5 classes) for Likert answers 1..5.
LIKERT_COLOURS = ("#CA0020", "#F4A582", "#BABABA", "#92C5DE", "#0571B0")
STATUS_COLOURS = {"pass": OKABE_ITO[0], "fail": OKABE_ITO[3], "unknown": "#D9D9D9"}


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
) -> go.Figure:
    """Means with their 95 % intervals, sorted, one row per group (label may carry n).

    ``ids`` names the column of community ids when each row is a community (clickable).
    """
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
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
            customdata=shown[ids] if ids else None,
        )
    )
    figure.update_layout(**base_layout(title, value_title, label_title, max(320, 26 * len(shown) + 120)))
    figure.update_xaxes(**_axis_format("decimal"))
    if ids:
        _community_points(figure)
    if reference is not None:
        figure.add_vline(x=reference, line_dash="dash", line_color=OKABE_ITO[3], annotation_text=reference_label)
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
                hovertemplate=f"{answer_names[answer]} · %{{y}}: %{{customdata:.1%}}<extra></extra>",
            )
        )
    figure.update_layout(**base_layout(title, value_title, "", max(320, 48 * len(items) + 140)), barmode="relative")
    figure.update_xaxes(tickformat=".0%", gridcolor="#E5E5E5", zeroline=True, zerolinecolor="#333")
    figure.update_yaxes(autorange="reversed")
    return figure


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
) -> go.Figure:
    """A rows × rules grid coloured pass / fail / unknown, with the word in each cell."""
    codes = {"pass": 0, "fail": 1, "unknown": 2}
    grid = frame[list(columns)].fillna("unknown")
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
            text=grid.replace(status_names).to_numpy(),
            texttemplate="%{text}",
            colorscale=scale,
            zmin=-0.5,
            zmax=2.5,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        )
    )
    figure.update_layout(**base_layout(title, x_title, y_title, max(320, 24 * len(frame) + 160)))
    figure.update_xaxes(side="top")
    figure.update_yaxes(autorange="reversed")
    return figure


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
    if limit is not None and len(shown) > limit:
        moved = (shown[after] - shown[before]).abs()
        shown = shown.loc[moved.sort_values(ascending=False).index[:limit]]
    shown = sort_frame(shown, [after, label], ascending=[True, False], names={label})  # ties: pinyin, top down
    segments_x: list[object] = []
    segments_y: list[object] = []
    for start, end, name in zip(shown[before], shown[after], shown[label], strict=True):
        segments_x += [start, end, None]
        segments_y += [name, name, None]
    figure = go.Figure(
        go.Scatter(
            x=segments_x,
            y=segments_y,
            mode="lines",
            line={"color": MUTED, "width": 2},
            showlegend=False,
            hoverinfo="skip",
        )
    )
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
    figure.update_xaxes(**_axis_format(kind))
    if ids:
        _community_points(figure)
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
            )
        )
    height = max(320, 22 * len(values) * len(frame) + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height), barmode="group")
    figure.update_xaxes(**_axis_format(kind))
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
) -> go.Figure:
    """Kaplan–Meier step curves per group with their 95 % bands.

    ``curves`` has group_key, months, survival, ci_low, ci_high.
    """
    figure = go.Figure()
    for index, (key, name) in enumerate(group_names.items()):
        rows = curves[curves["group_key"] == key].sort_values("months")
        if rows.empty:
            continue
        colour = OKABE_ITO[index % len(OKABE_ITO)]
        band = _transparent(colour)
        figure.add_trace(
            go.Scatter(
                x=rows["months"],
                y=rows["ci_high"],
                mode="lines",
                line={"width": 0, "shape": "hv"},
                showlegend=False,
                hoverinfo="skip",
                legendgroup=key,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows["months"],
                y=rows["ci_low"],
                mode="lines",
                line={"width": 0, "shape": "hv"},
                fill="tonexty",
                fillcolor=band,
                showlegend=False,
                hoverinfo="skip",
                legendgroup=key,
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
                hovertemplate=f"{name} · %{{x:.0f}}: %{{y:.1%}}<extra></extra>",
            )
        )
    figure.update_layout(**base_layout(title, x_title, y_title, 460))
    figure.update_yaxes(tickformat=".0%", range=[0, 1.02], gridcolor="#E5E5E5")
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
) -> go.Figure:
    """Stacked bars whose parts add up to each row's total (a composite and what it is made of).

    Rows are drawn in ``order``, the first at the top; labels in ``flagged`` get ``flag``
    appended, so a total that lacks a part is marked where it is read.
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
            )
        )
    height = max(320, 28 * len(shown_order) + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height), barmode="stack")
    figure.update_layout(legend_traceorder="normal")
    figure.update_xaxes(**_axis_format("score"), range=[0, 100])
    figure.update_yaxes(categoryorder="array", categoryarray=[tick[name] for name in reversed(shown_order)])
    return figure


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
) -> go.Figure:
    """Each row's rank as a dot and the best-to-worst range it can take as a bar, rank 1 on top."""
    shown = sort_frame(frame.dropna(subset=[rank]), [rank, label], names={label})  # a shared rank: pinyin
    order = list(shown[label])[::-1]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=shown[worst] - shown[best],
            base=shown[best],
            y=shown[label],
            orientation="h",
            name=range_name,
            marker_color=_transparent(OKABE_ITO[5], 0.55),
            width=0.5,
            customdata=shown[[best, worst]].to_numpy(),
            hovertemplate="%{y}: %{customdata[0]:d}–%{customdata[1]:d}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=shown[rank],
            y=shown[label],
            mode="markers",
            name=rank_name,
            marker={"color": OKABE_ITO[0], "size": 10},
            hovertemplate="%{y}: %{x:d}<extra></extra>",
        )
    )
    height = max(320, 26 * len(shown) + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height))
    figure.update_xaxes(tickformat="d", gridcolor="#E5E5E5", rangemode="tozero", dtick=max(1, len(frame) // 10))
    figure.update_yaxes(categoryorder="array", categoryarray=order)
    return figure
