"""Satisfaction's figures: community means with their intervals, the change since the last
survey, every item's answers, and the means of respondent groups.

Each function takes the translator and the indicator's frames (computed already, withheld
rows removed by the caller) and returns a :class:`~community_eval.figures.figure.Figure`; the
satisfaction page and the offline report call the same ones.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.core.schema import SURVEY_ITEMS
from community_eval.figures import charts
from community_eval.figures.figure import Figure
from community_eval.readings import satisfaction as readings


def means(
    tr: Translator,
    rows: pd.DataFrame,
    year: int,
    overall: float | None,
    *,
    name: str = "group_label",
    ids: str | None = None,
    gap: charts.Gap | None = None,
) -> Figure:
    """Community means with their 95 % intervals, n beside each name (``name`` the column of
    names), and the overall mean as a line (None when it is withheld)."""
    labelled = rows.assign(label=readings.with_n(tr, rows[name], rows["n"]))
    figure = charts.dot_whisker(
        labelled,
        "label",
        "mean_overall",
        "ci_low",
        "ci_high",
        title=tr("satisfaction.chart.mean", year=year),
        value_title=tr("axis.mean_overall"),
        label_title=tr("level.community"),
        reference=overall,
        reference_label=tr("satisfaction.overall_line"),
        ids=ids,
        gap=gap,
    )
    return Figure(figure)


def change(tr: Translator, paired: pd.DataFrame, year: int) -> Figure:
    """Each community's mean last year and this, for those large enough in both."""
    figure = charts.dumbbell(
        paired,
        "group_label",
        "mean_overall_before",
        "mean_overall",
        names=(str(year - 1), str(year)),
        title=tr("satisfaction.chart.change", before=year - 1, year=year),
        value_title=tr("axis.mean_overall"),
        label_title=tr("level.community"),
        kind="mean",
        ids="group_key",
    )
    return Figure(figure)


def items(tr: Translator, answers: pd.DataFrame, year: int) -> Figure:
    """Every fixed item's answers, diverging from the neutral middle."""
    figure = charts.diverging_likert(
        answers,
        item_names={item: tr(f"item.{item}") for item in SURVEY_ITEMS},
        answer_names=readings.answer_names(tr),
        title=tr("satisfaction.chart.items", year=year),
        value_title=tr("axis.share_of_answers"),
    )
    return Figure(figure)


def by_respondent(tr: Translator, groups: pd.DataFrame, attribute: str, year: int) -> Figure:
    """The means of respondent groups (gender, age group) with their intervals: a gap of 0.04
    between two groups is rarely a difference."""
    names = readings.respondent_groups(tr, attribute, groups["respondent_group"])
    figure = charts.dot_whisker(
        groups.assign(label=readings.with_n(tr, names, groups["n"])),
        "label",
        "mean_overall",
        "ci_low",
        "ci_high",
        title=tr(f"satisfaction.chart.by_{attribute}", year=year),
        value_title=tr("axis.mean_overall"),
        label_title=tr(f"axis.{attribute}"),
        keep_order=True,
    )
    return Figure(figure)
