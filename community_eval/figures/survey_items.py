"""The questionnaire's own items' figures: every item's mean with its interval, its change since
last year, and the answers of the five-point items.

Drawn with the builders the fixed questions use, so an own item reads like any other question.
Each function takes the translator and the indicator's frames and returns a
:class:`~community_eval.figures.figure.Figure`.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.figures import charts
from community_eval.figures.figure import Figure
from community_eval.readings import satisfaction as readings


def means(tr: Translator, shown: pd.DataFrame, year: int) -> Figure:
    """Every item's mean over the filter with its 95 % interval, each text with the answers behind it."""
    figure = charts.dot_whisker(
        shown.assign(label=readings.with_n(tr, shown["item_text"], shown["n_counted"])),
        "label",
        "mean",
        "ci_low",
        "ci_high",
        title=tr("items.chart.means", year=year),
        value_title=tr("items.axis_mean"),
        label_title=tr("items.axis_item"),
    )
    return Figure(charts.wrap_category_labels(figure))


def change(tr: Translator, changed: pd.DataFrame, year: int) -> Figure:
    """Each item's mean last year and this, for the items last year's questionnaire asked too."""
    figure = charts.dumbbell(
        changed,
        "item_text",
        "mean_previous",
        "mean",
        names=(str(year - 1), str(year)),
        title=tr("items.chart.change", before=year - 1, year=year),
        value_title=tr("items.axis_mean"),
        label_title=tr("items.axis_item"),
        kind="mean",
    )
    return Figure(figure)


def answers(tr: Translator, distribution: pd.DataFrame, names: dict[str, str], year: int) -> Figure:
    """The answers of every five-point item (``names``: item code → text), diverging from the middle."""
    figure = charts.diverging_likert(
        distribution,
        item_names=names,
        answer_names=readings.answer_names(tr),
        title=tr("items.chart.answers", year=year),
        value_title=tr("axis.share_of_answers"),
    )
    return Figure(figure)
