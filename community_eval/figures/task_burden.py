"""Task burden's figures: who carries most per staff member, where the hours go, the relation
with satisfaction, the monthly trend, and the departments that hand work down.

Each function takes the translator and the indicator's frames (computed already: a figure never
queries) and returns a :class:`~community_eval.figures.figure.Figure`. The task-burden page and
the offline report call the same functions; ``ids``, ``gap``, ``limit`` and ``height`` are
where they are drawn (a page links communities and marks the break between a ranking's two
ends; a printed page keeps to its first rows).
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.core.schema import ADMINISTRATIVE_CATEGORIES, TASK_CATEGORIES
from community_eval.figures import charts
from community_eval.figures.figure import Figure

#: The kind of number of each per-staff measure.
PER_STAFF = {"tasks_per_staff": "rate", "residents_per_staff": "int"}


def per_staff(
    tr: Translator,
    rows: pd.DataFrame,
    value: str,
    year: int,
    *,
    ids: str | None = None,
    gap: charts.Gap | None = None,
    limit: int | None = None,
) -> Figure:
    """Tasks (or residents) per staff member in post, by community, highest first."""
    figure = charts.ranked_bars(
        rows,
        "group_label",
        value,
        title=tr(f"task_burden.chart.{value}", year=year),
        value_title=tr(f"axis.{value}"),
        label_title=tr("level.community"),
        kind=PER_STAFF[value],
        ids=ids,
        gap=gap,
        limit=limit,
    )
    return Figure(figure)


def hours(
    tr: Translator,
    hours_by_category: pd.DataFrame,
    year: int,
    level: str,
    *,
    groups: pd.Series | None = None,
    gap: charts.Gap | None = None,
) -> Figure:
    """Where staff time goes, as shares of each group's own hours (absolute hours would let three
    big streets flatten every town), the administrative categories first.

    ``groups`` (group keys) keeps the bars of a shortened ranking, its two ends, with ``gap``
    between them: a province's 962 streets drew 5,772 bar parts 21,000 px tall."""
    if groups is not None:
        hours_by_category = hours_by_category[hours_by_category["group_key"].isin(groups)]
    figure = charts.share_bars(
        hours_by_category,
        "group_label",
        "hours",
        "task_category",
        title=tr("task_burden.chart.hours", year=year),
        value_title=tr("axis.share_of_hours"),
        label_title=tr(f"level.{level}"),
        amount_title=tr("axis.hours"),
        amount_kind="int",
        part_names={v.code: tr.enum("task_category", v.code) for v in TASK_CATEGORIES},
        lead_parts=ADMINISTRATIVE_CATEGORIES,
        ids="group_key" if level == "community" else None,
        gap=gap,
    )
    return Figure(figure, tr(f"task_burden.hours_note_{level}"))


def relation(
    tr: Translator, points: pd.DataFrame, year: int, *, ids: str | None = None, height: int | None = None
) -> Figure:
    """Administrative share against mean satisfaction, one point per community, with the fitted line."""
    options = {"height": height} if height is not None else {}
    figure = charts.burden_relation(
        points,
        title=tr("task_burden.chart.relation", year=year),
        x_title=tr("axis.admin_hours_share"),
        y_title=tr("axis.mean_overall"),
        ids=ids,
        **options,
    )
    return Figure(figure)


def trend(tr: Translator, monthly: pd.DataFrame, *, height: int | None = None) -> Figure:
    """Tasks handed down month by month: the context of the year's figures."""
    figure = charts.trend_line(
        monthly,
        "period",
        "tasks",
        title=tr("task_burden.chart.trend"),
        x_title=tr("axis.month"),
        y_title=tr("axis.tasks"),
        kind="int",
        x_dates=tr("axis.month_format"),
        height=height,
    )
    return Figure(figure)


def departments(tr: Translator, rows: pd.DataFrame, year: int, *, limit: int | None = None) -> Figure:
    """Tasks handed down by each department, most first."""
    figure = charts.ranked_bars(
        rows,
        "department",
        "tasks",
        title=tr("task_burden.chart.departments", year=year),
        value_title=tr("axis.tasks"),
        label_title=tr("axis.department"),
        kind="int",
        limit=limit,
    )
    return Figure(figure)


def rules(tr: Translator, rows: pd.DataFrame, year: int) -> Figure:
    """Each department's shares of tasks handed down without admission and without funds."""
    figure = charts.grouped_bars(
        rows,
        "department",
        {"unadmitted_share": tr("col.unadmitted_share"), "unfunded_share": tr("col.unfunded_share")},
        title=tr("task_burden.chart.rules", year=year),
        value_title=tr("axis.share_of_tasks"),
        label_title=tr("axis.department"),
        kind="share",
    )
    return Figure(figure)
