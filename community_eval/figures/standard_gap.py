"""The bill to reach the standard in charts: the bill by street or community type, and the
budget curve (yuan spent against communities brought to standard, in the chosen order).

Each function takes the translator and the indicator's frames (computed already) and returns a
:class:`~community_eval.figures.figure.Figure`; the 达标测算 page, the meeting slides and the
offline report call the same ones.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.figures import charts
from community_eval.figures.figure import Figure

#: The parts of the bill, each under the bill it belongs to (one-off or yearly), as drawn.
BILL_PARTS = (
    ("area_cost_yuan", "one_off"),
    ("premises_cost_yuan", "one_off"),
    ("budget_short_yuan", "annual"),
    ("seats_cost_yuan", "annual"),
    ("pay_gap_yuan", "annual"),
)


def bill_parts(tr: Translator, total: pd.Series, year: int) -> Figure:
    """The filter's two bills, each split into what it pays for (``total`` from ``gap_rollup``
    at level all): the district's bill as one chart, for a slide and the report."""
    frame = pd.DataFrame(
        {
            "bill": [tr(f"cost.{bill}") for _, bill in BILL_PARTS],
            "part": [part for part, _ in BILL_PARTS],
            "yuan": [float(total[part]) if pd.notna(total[part]) else 0.0 for part, _ in BILL_PARTS],
        }
    )
    figure = charts.stacked_bars(
        frame,
        "bill",
        "yuan",
        "part",
        title=tr("cost.chart.parts", year=year),
        value_title=tr("axis.yuan"),
        label_title=tr("cost.axis.bill"),
        kind="yuan",
        part_names={part: tr(f"cost.priced.{part}") for part, _ in BILL_PARTS},
        keep_order=True,  # one-off above yearly, in both languages
    )
    return Figure(figure)


def bill_by_group(tr: Translator, rows: pd.DataFrame, level: str, year: int, limit: int | None = None) -> Figure:
    """One-off and yearly bill side by side per group (``rows`` from ``gap_rollup``, labelled),
    largest one-off bill first: the two are never added, as they come from different budgets.
    With ``limit``, the groups with the largest bills only, and the caption says how many there are."""
    shown = rows.sort_values(["one_off_yuan", "annual_yuan", "group_label"], ascending=[False, False, True])
    caption = tr("cost.largest_groups", n=limit, total=len(shown)) if limit and len(shown) > limit else None
    shown = shown.head(limit) if limit else shown
    figure = charts.grouped_bars(
        shown,
        "group_label",
        {"one_off_yuan": tr("cost.one_off"), "annual_yuan": tr("cost.annual")},
        title=tr(f"cost.chart.bill_{level}", year=year),
        value_title=tr("axis.yuan"),
        label_title=tr(f"level.{level}"),
        kind="yuan",
    )
    return Figure(figure, caption)


def budget_curve(
    tr: Translator, plan: pd.DataFrame, year: int, order: str, budgets: tuple[float, float] | None = None
) -> Figure:
    """Running one-off and yearly bills against the number of communities brought to standard,
    in ``order``; with ``budgets`` (one-off, yearly), their levels and where the money runs out."""
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "position": [0],
                    "community_name": [""],
                    "cumulative_one_off_yuan": [0.0],
                    "cumulative_annual_yuan": [0.0],
                }
            ),
            plan,
        ],
        ignore_index=True,
    )  # the curve starts at nothing spent
    one_off, annual = tr("cost.one_off"), tr("cost.annual")
    levels = dict(zip((one_off, annual), budgets, strict=True)) if budgets else None
    labels = (
        {
            one_off: tr("cost.budget_line.one_off", yuan=tr.number(budgets[0], "yuan")),
            annual: tr("cost.budget_line.annual", yuan=tr.number(budgets[1], "yuan")),
        }
        if budgets
        else None
    )
    funded = int(plan["funded"].sum()) if budgets and "funded" in plan else None
    figure = charts.cumulative_lines(
        frame,
        "position",
        {"cumulative_one_off_yuan": one_off, "cumulative_annual_yuan": annual},
        label="community_name",
        title=tr("cost.chart.curve", year=year, order=tr(f"cost.order.{order}")),
        x_title=tr("cost.axis.communities"),
        y_title=tr("axis.yuan"),
        kind="yuan",
        budgets=levels,
        budget_labels=labels,
        reached=funded,
        reached_name=tr("cost.reached", n=funded) if funded is not None else None,
    )
    caption = tr("cost.curve_caption") if budgets else None
    return Figure(figure, caption)
