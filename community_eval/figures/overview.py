"""The overview's figures: one chart per theme, and the headline cards drawn as one board.

The overview page and the offline report draw each theme's key measure by street (or
community) with :func:`theme_chart`; the meeting's first slide draws the cards as one board.
The cards and their verdicts are readings (:mod:`community_eval.readings.headlines`); drawing
them is a figure's job, so it lives here, above the readings, and the readings stay free of plotly.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from community_eval.core.i18n import Translator
from community_eval.figures import charts
from community_eval.figures.figure import Figure
from community_eval.readings import headlines
from community_eval.readings.headlines import Card


def board(tr: Translator, cards: list[Card], title: str) -> go.Figure:
    """The cards as one figure (:func:`charts.headline_board`), for the meeting's first slide."""
    return charts.headline_board(
        [
            {
                "label": card.label,
                "value": card.value,
                "verdict": card.verdict_text,
                "verdict_tone": headlines.VERDICT_TONES.get(card.verdict),
                "change": card.change_short,
                "change_tone": card.change_tone,
                "arrow": headlines.change_arrow(card.change, card.change_short),
            }
            for card in cards
        ],
        title=title,
        headers={
            "label": tr("overview.board.figure"),
            "value": tr("overview.board.value"),
            "verdict": tr("overview.board.standard"),
            "change": tr("overview.board.change"),
        },
    )


#: Each theme's key measure on the overview (and the report's first chart of the theme), and
#: the kind of number it is: (column, kind).
THEMES = {
    "task_burden": ("admin_hours_share", "share"),
    "satisfaction": ("mean_overall", "mean"),
    "facilities": ("compliant_share", "share"),
    "staff": ("turnover_rate", "share"),
}


def theme_chart(
    tr: Translator,
    theme: str,
    groups: pd.DataFrame,
    year: int,
    level: str,
    *,
    ids: str | None = None,
    limit: int | None = None,
    gap: charts.Gap | None = None,
) -> Figure:
    """A theme's key measure by group (``level``: street or community), highest first.

    ``groups`` are the indicator's rows rolled up to ``level``, labelled (``group_label``);
    ``limit`` keeps the report's A4 page to its first rows; ``gap`` marks the break between
    the two ends of a shortened ranking (the page's :func:`widgets.ranking_rows`).
    """
    value, kind = THEMES[theme]
    figure = charts.ranked_bars(
        groups,
        "group_label",
        value,
        title=tr(f"overview.chart.{theme}", year=year),
        value_title=tr(f"axis.{value}"),
        label_title=tr(f"level.{level}"),
        kind=kind,
        ids=ids,
        limit=limit,
        gap=gap,
    )
    return Figure(figure)
