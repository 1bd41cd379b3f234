"""Facility compliance's figures: communities × rules, floor area per 100 households against
the standard, premises by tenure, and compliance rates by group.

Each function takes the translator and the indicator's frames (computed already) and returns a
:class:`~community_eval.figures.figure.Figure`; the facilities page and the offline report call
the same ones. ``ids``, ``gap``, ``limit`` and ``smallest`` are where they are drawn.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.core.schema import TENURES
from community_eval.figures import charts
from community_eval.figures.figure import Figure


def matrix(tr: Translator, rows: pd.DataFrame, rule_columns: dict[str, str], year: int, profile_name: str) -> Figure:
    """Each community against each rule of the profile (``rule_columns``: column → rule's label),
    with a mark in each cell so the verdict does not rest on colour alone."""
    figure = charts.status_matrix(
        rows,
        "community_name",
        rule_columns,
        status_names={status: tr(f"status.{status}") for status in ("pass", "fail", "unknown")},
        title=tr("facilities.chart.matrix", year=year, profile=profile_name),
        x_title=tr("facilities.matrix_axis"),  # the rules, and what the cells' marks mean
        y_title=tr("level.community"),
        marks=True,
    )
    return Figure(figure)


def area(
    tr: Translator,
    rows: pd.DataFrame,
    year: int,
    threshold: float | None,
    *,
    ids: str | None = None,
    gap: charts.Gap | None = None,
    limit: int | None = None,
    smallest: bool = False,
) -> Figure:
    """Floor area per 100 households by community, against the standard's line (when it sets one)."""
    figure = charts.ranked_bars(
        rows,
        "community_name",
        "area_per_100_households",
        title=tr("facilities.chart.area", year=year),
        value_title=tr("axis.area_per_100_households"),
        label_title=tr("level.community"),
        kind="rate",
        reference=threshold,
        reference_label=tr("facilities.standard_line", value=threshold) if threshold is not None else None,
        ids=ids,
        gap=gap,
        limit=limit,
        smallest=smallest,
    )
    return Figure(figure)


def tenure_rows(tr: Translator, counts: pd.DataFrame) -> pd.DataFrame:
    """The tenure counts in the contract's order, labelled; communities with no premises left out."""
    counts = counts[counts["tenure"] != "none"]
    order = [value.code for value in TENURES]
    rows = counts.set_index("tenure").reindex(order).dropna().reset_index()
    rows["label"] = [tr.enum("tenure", code) for code in rows["tenure"]]
    return rows


def tenure(tr: Translator, rows: pd.DataFrame, year: int) -> Figure:
    """Communities by kind of premises (``rows`` from :func:`tenure_rows`), in the contract's order."""
    figure = charts.ranked_bars(
        rows,
        "label",
        "n_communities",
        title=tr("facilities.chart.tenure", year=year),
        value_title=tr("axis.communities"),
        label_title=tr("axis.tenure"),
        kind="int",
        keep_order=True,
    )
    return Figure(figure)


def rate(tr: Translator, rates: pd.DataFrame, level: str, year: int, limit: int) -> Figure:
    """The compliance rate by group (street or community type), the lowest ``limit`` first,
    with a caption saying how many groups there are when some were left out."""
    figure = charts.ranked_bars(
        rates,
        "group_label",
        "compliant_share",
        title=tr(f"facilities.chart.rate_{level}", year=year),
        value_title=tr("axis.compliant_share"),
        label_title=tr(f"level.{level}"),
        kind="share",
        limit=limit,
        smallest=True,
    )
    caption = tr("chart.bottom_n_groups", n=limit, total=len(rates)) if len(rates) > limit else None
    return Figure(figure, caption)
