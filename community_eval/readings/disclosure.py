"""Disclosure control in words: what the satisfaction figures leave out, and why.

The rule itself lives in ``queries/satisfaction.sql``: no statistic over fewer than
``min_n`` responses, and no total that contains a suppressed group's answers (so none can
be recovered by subtracting the shown groups from a total). This module only phrases the
result the same way on pages and in the offline report.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator


def overall_reading(tr: Translator, overall: pd.Series, min_n: int) -> str:
    """The one-line reading of a filter's satisfaction, or why there is none.

    The count quoted is the responses in the figure (``n_counted``), not all returned:
    a reader checking the figure against the questionnaires must get the same total.
    """
    if overall["suppressed"]:
        return tr("satisfaction.too_few_overall", min_n=min_n)
    return tr(
        "satisfaction.takeaway",
        mean=tr.number(overall["mean_overall"], "mean"),
        top2=tr.number(overall["top2_share"], "share"),
        n=tr.number(overall["n_counted"]),
    )


def withheld_note(tr: Translator, overall: pd.Series, min_n: int) -> str | None:
    """Say that totals leave out small communities' responses, when they do."""
    withheld = int(overall["n_withheld"])
    if withheld == 0 or overall["suppressed"]:
        return None
    return tr("satisfaction.withheld_note", n=tr.number(withheld), min_n=min_n)


def shown_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """The respondent groups that may be drawn: those with figures."""
    return groups[~groups["suppressed"].astype(bool)]


def groups_note(tr: Translator, groups: pd.DataFrame, min_n: int) -> str | None:
    """Say how many answers the respondent-group figures leave out, when any."""
    withheld = int(groups["n_withheld"].sum())
    if withheld == 0:
        return None
    return tr("satisfaction.group_suppressed", min_n=min_n, n=tr.number(withheld))
