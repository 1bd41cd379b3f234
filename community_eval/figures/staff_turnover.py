"""Staff turnover's figures: turnover over the years and by community, why people left, how
long those in post have served, pay by role, and workers per 10,000 residents.

Each function takes the translator and the indicator's frames (computed already) and returns a
:class:`~community_eval.figures.figure.Figure`; the staff page and the offline report call the
same ones. ``ids`` and ``gap`` are a page's (links to profiles, the break between two ends).
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.figures import charts
from community_eval.figures.figure import Figure
from community_eval.readings import staff_turnover as readings


def by_year(tr: Translator, years: pd.DataFrame) -> Figure:
    """The turnover rate year by year, up to the year shown."""
    figure = charts.trend_line(
        years,
        "year",
        "turnover_rate",
        title=tr("staff.chart.by_year"),
        x_title=tr("axis.year"),
        y_title=tr("axis.turnover_rate"),
        kind="share",
    )
    return Figure(figure)


def turnover(
    tr: Translator, rows: pd.DataFrame, year: int, *, ids: str | None = None, gap: charts.Gap | None = None
) -> Figure:
    """The turnover rate by community, highest first."""
    figure = charts.ranked_bars(
        rows,
        "group_label",
        "turnover_rate",
        title=tr("staff.chart.turnover", year=year),
        value_title=tr("axis.turnover_rate"),
        label_title=tr("level.community"),
        kind="share",
        ids=ids,
        gap=gap,
    )
    return Figure(figure)


def reasons(tr: Translator, exits: pd.DataFrame, year: int) -> Figure:
    """Why people left, most common first (an unrecorded reason named as such)."""
    figure = charts.ranked_bars(
        exits.assign(label=readings.reason_names(tr, exits["exit_reason"])),
        "label",
        "separations",
        title=tr("staff.chart.reasons", year=year),
        value_title=tr("axis.people"),
        label_title=tr("axis.exit_reason"),
        kind="int",
    )
    return Figure(figure)


def tenure(tr: Translator, bands: pd.DataFrame, year: int) -> Figure:
    """Those in post at the year's end by years served, shortest first."""
    figure = charts.ranked_bars(
        bands.assign(label=[tr(f"staff.tenure_band.{band}") for band in bands["band"]]),
        "label",
        "headcount_end",
        title=tr("staff.chart.tenure", year=year),
        value_title=tr("axis.people"),
        label_title=tr("axis.years_in_post"),
        kind="int",
        keep_order=True,
    )
    return Figure(figure)


def pay(tr: Translator, roles: pd.DataFrame, year: int, village: float | None) -> Figure:
    """Median monthly pay by role, against the village head's pay the source compares it with."""
    figure = charts.ranked_bars(
        roles.assign(label=[tr.enum("role", role) for role in roles["role"]]),
        "label",
        "median_pay",
        title=tr("staff.chart.pay", year=year),
        value_title=tr("axis.monthly_pay"),
        label_title=tr("axis.role"),
        kind="yuan",
        reference=village,
        reference_label=tr("staff.village_line", value=tr.number(village, "yuan")) if village else None,
    )
    return Figure(figure)


def per_10000(
    tr: Translator,
    rows: pd.DataFrame,
    year: int,
    target: float | None,
    *,
    ids: str | None = None,
    gap: charts.Gap | None = None,
) -> Figure:
    """Workers per 10,000 residents by community, against the standard's floor (when it sets one)."""
    figure = charts.ranked_bars(
        rows,
        "community_name",
        "workers_per_10000",
        title=tr("staff.chart.per_10000", year=year),
        value_title=tr("axis.workers_per_10000"),
        label_title=tr("level.community"),
        kind="rate",
        reference=target,
        reference_label=tr("staff.workers_line", value=target) if target else None,
        ids=ids,
        gap=gap,
    )
    return Figure(figure)
