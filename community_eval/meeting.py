"""Meeting mode (会议模式): the dashboard on a wall screen, one chart per slide.

Placeholder seam: :func:`active` says whether the view is in meeting mode and
:func:`collect` receives each chart a page draws while it is.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st


def active() -> bool:
    """Whether the current view is in meeting mode (``?mode=meeting``)."""
    return st.query_params.get("mode") == "meeting"


def collect(figure: go.Figure, key: str) -> None:
    """Keep a chart as a slide of the current page (shown for now as a normal chart)."""
    st.plotly_chart(figure, key=key)
