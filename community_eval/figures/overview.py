"""The overview's own figure: the headline cards drawn as one board, for the meeting's first slide.

The cards and their verdicts are readings (:mod:`community_eval.readings.headlines`); drawing
them is a figure's job, so it lives here, above the readings, and the readings stay free of plotly.
"""

from __future__ import annotations

import plotly.graph_objects as go

from community_eval.core.i18n import Translator
from community_eval.figures import charts
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
