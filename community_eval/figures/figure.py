"""What a figure function returns: the chart and the sentence that goes under it.

The pages and the offline report draw the same figures; each figure module
(:mod:`community_eval.figures.task_burden`, …) builds a chart once and hands back this pair, so
the page (``widgets.chart``) and the report (``html_report._figure``) cannot drift apart in
title, axes or caption. Only where it is drawn differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go


@dataclass(frozen=True)
class Figure:
    """A chart and its caption (None when the chart needs no words under it)."""

    figure: go.Figure
    caption: str | None = None
