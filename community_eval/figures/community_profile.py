"""The community profile's figures: where each measure stands in the district, each trend beside
the district median, and the four component scores beside the district's.

Each function takes the translator and the profile's frames (computed already) and returns a
:class:`~community_eval.figures.figure.Figure`; the profile page and the offline report's
profile section draw with them.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.core.safety import html_literal
from community_eval.figures import charts
from community_eval.figures.figure import Figure
from community_eval.indicators.assessment import COMPONENTS
from community_eval.indicators.community_profile import KINDS
from community_eval.indicators.metrics import SCALES


def positions(tr: Translator, placed: pd.DataFrame, year: int) -> Figure:
    """Each measure's place in the district, 0 (worst) to 1 (best), against the middle."""
    figure = charts.ranked_bars(
        placed,
        "label",
        "position",
        title=tr("profile.chart_position", year=year),
        value_title=tr("profile.axis_position"),
        label_title=tr("profile.axis_measure"),
        kind="share",
        reference=0.5,
        reference_label=tr("profile.middle"),
        keep_order=True,
    )
    return Figure(figure)


def trend(tr: Translator, rows: pd.DataFrame, measure: str, name: str) -> Figure:
    """One measure year by year, the community (``name``) beside the district median; the
    turnover line carries each year's counts as notes."""
    figure = charts.trend_line(
        rows,
        "year",
        "value",
        reference="district_median",
        names=(name, tr("profile.district_median")),
        title=tr(f"profile.trend.{measure}"),
        x_title=tr("axis.year"),
        y_title=tr(f"axis.{measure}"),
        kind=KINDS[measure],
        height=320,
        x_step=1,
        scale=SCALES.get(measure),
        notes="note" if measure == "turnover_rate" else None,
    )
    return Figure(figure)


def components(tr: Translator, row: pd.Series, scores: pd.DataFrame, name: str, district: str, year: int) -> Figure:
    """The community's four component scores (``row``) beside the district's median score of
    each (``scores``: every community of the district), 0–100."""
    frame = pd.DataFrame(
        {
            "component": [tr(f"assessment.component.{c}") for c in COMPONENTS],
            "value": [row[f"{c}_score"] for c in COMPONENTS],
            "district_median": [scores[f"{c}_score"].median() for c in COMPONENTS],
        }
    )
    figure = charts.grouped_bars(
        frame,
        "component",
        {"value": tr("report.this_community"), "district_median": tr("report.district_median")},
        title=tr("report.profile_chart", year=year, name=html_literal(name), district=html_literal(district)),
        value_title=tr("report.score_axis"),
        label_title=tr("report.component"),
        kind="score",
    )
    return Figure(figure)
