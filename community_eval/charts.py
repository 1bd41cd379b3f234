"""Figure builders with the project's theme; pages call these and never style charts inline.

The palette is Okabe–Ito (safe for the common colour-vision deficiencies), fonts fall back
through the CJK families found on Windows, macOS and Linux so Chinese renders everywhere,
and every figure gets a title and axis titles (with units) from the caller's locale.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', 'Source Han Sans SC', "
    "'WenQuanYi Micro Hei', sans-serif"
)
TICK_FORMATS = {"int": ",d", "decimal": ",.2f", "share": ".0%", "yuan": ",.0f", "ratio": ".2f"}
HOVER_FORMATS = {"int": ",d", "decimal": ",.2f", "share": ".1%", "yuan": ",.0f", "ratio": ".2f"}
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
) -> go.Figure:
    """Horizontal bars sorted largest first, for "which communities carry the most"."""
    shown = frame.dropna(subset=[value]).sort_values(value, ascending=True)
    figure = go.Figure(
        go.Bar(
            x=shown[value],
            y=shown[label],
            orientation="h",
            marker_color=OKABE_ITO[0],
            hovertemplate=f"%{{y}}: %{{x:{HOVER_FORMATS[kind]}}}<extra></extra>",
        )
    )
    height = max(320, 28 * len(shown) + 120)
    figure.update_layout(**base_layout(title, value_title, label_title, height))
    figure.update_xaxes(**_axis_format(kind))
    if reference is not None:
        figure.add_vline(
            x=reference,
            line_dash="dash",
            line_color=OKABE_ITO[3],
            annotation_text=reference_label,
            annotation_position="top",
        )
    return figure


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
) -> go.Figure:
    """Horizontal bars split into parts (e.g. hours by task category), parts in legend order."""
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
            )
        )
    height = max(320, 28 * frame[label].nunique() + 140)
    figure.update_layout(**base_layout(title, value_title, label_title, height), barmode="stack")
    figure.update_xaxes(**_axis_format(kind))
    return figure


def trend_line(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    kind: str,
) -> go.Figure:
    """A line over time with markers, for monthly and yearly trends."""
    figure = go.Figure(
        go.Scatter(
            x=frame[x],
            y=frame[y],
            mode="lines+markers",
            line={"color": OKABE_ITO[0], "width": 3},
            hovertemplate=f"%{{x}}: %{{y:{HOVER_FORMATS[kind]}}}<extra></extra>",
        )
    )
    figure.update_layout(**base_layout(title, x_title, y_title))
    figure.update_yaxes(**_axis_format(kind), rangemode="tozero")
    return figure


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
) -> go.Figure:
    """Points per community with an optional fitted line, for "does X go with Y"."""
    figure = go.Figure(
        go.Scatter(
            x=frame[x],
            y=frame[y],
            text=frame[label],
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
    return figure
