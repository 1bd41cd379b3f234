"""Staff retention's figure: Kaplan–Meier curves of time in post by group, as of a date.

The staff page (by community type, role or everyone) and the offline report (by community type)
draw the same curves with the same caption, the date they are read at.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.figures import charts
from community_eval.figures.figure import Figure
from community_eval.readings.staff_retention import group_name


def retention(tr: Translator, curves: pd.DataFrame, by: str, as_of: dt.date, *, height: int | None = None) -> Figure:
    """The share still in post after each month, one curve per group (``by``), read at ``as_of``."""
    names = {key: group_name(tr, by, key) for key in curves["group_key"].unique()}
    options = {"height": height} if height is not None else {}
    figure = charts.survival_curves(
        curves,
        group_names=names,
        title=tr("staff.chart.retention"),
        x_title=tr("axis.months_in_post"),
        y_title=tr("axis.still_in_post"),
        **options,
    )
    return Figure(figure, tr("staff.as_of", date=as_of.isoformat()))
