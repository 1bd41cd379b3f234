"""The assessment's figures: the composite as the sum of its weighted parts, how much of each
rank the weighting decides, and the year's movement.

Each function takes the translator and the indicator's frames (computed already) and returns a
:class:`~community_eval.figures.figure.Figure`; the assessment page and the offline report call
the same ones.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.figures import charts
from community_eval.figures.figure import Figure
from community_eval.indicators.assessment import COMPONENTS


def contributions(
    tr: Translator,
    ranked: pd.DataFrame,
    parts: pd.DataFrame,
    shown: list[str],
    year: int,
    *,
    gap: charts.Gap | None = None,
) -> Figure:
    """The composite of the ``shown`` communities (names, best first) as the sum of its weighted
    parts. A rated community lacking a component of weight 0 is marked, and the caption says what
    the mark means whenever one is drawn."""
    flagged = set(ranked.loc[ranked["components_missing"] != "", "community_name"]) & set(shown)
    figure = charts.contribution_bars(
        parts[parts["community_name"].isin(shown)],
        "community_name",
        "component",
        "contribution",
        order=shown,
        part_names={c: tr(f"assessment.component.{c}") for c in COMPONENTS},
        title=tr("assessment.chart_components", year=year),
        value_title=tr("assessment.axis_composite"),
        label_title=tr("level.community"),
        flagged=flagged,
        gap=gap,
    )
    return Figure(figure, tr("assessment.flag_note") if flagged else None)


def stability(tr: Translator, rows: pd.DataFrame, *, gap: charts.Gap | None = None) -> Figure:
    """Each community's rank with the best and worst it takes under every ±10 % move of the weights."""
    figure = charts.rank_ranges(
        rows,
        "community_name",
        "rank",
        "rank_best",
        "rank_worst",
        title=tr("assessment.chart_stability"),
        value_title=tr("assessment.axis_rank"),
        label_title=tr("level.community"),
        rank_name=tr("assessment.rank_dot"),
        range_name=tr("assessment.rank_range"),
        gap=gap,
    )
    return Figure(figure)


def movement(tr: Translator, rows: pd.DataFrame, year: int) -> Figure:
    """Each community's composite last year and this."""
    figure = charts.dumbbell(
        rows,
        "community_name",
        "previous_composite",
        "composite",
        names=(tr("assessment.before", year=year - 1), tr("assessment.after", year=year)),
        title=tr("assessment.chart_movement", previous=year - 1, year=year),
        value_title=tr("assessment.axis_composite"),
        label_title=tr("level.community"),
        kind="score",
    )
    return Figure(figure)
