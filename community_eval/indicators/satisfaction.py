"""Resident satisfaction (INDICATORS.md "satisfaction"): design-based means.

Over ``queries/satisfaction.sql``: per community R's ``svymean``; roll-ups population-weighted.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.schema import NEUTRAL_ANSWER
from community_eval.db.store import Store
from community_eval.indicators.declaration import Indicator, Request, withheld
from community_eval.indicators.filters import Filters
from community_eval.indicators.metrics import ANSWER_MEANS
from community_eval.indicators.stats import t_interval


def satisfaction(store: Store, filters: Filters, year: int, min_n: int, level: str = "community") -> pd.DataFrame:
    """Satisfaction per community, or rolled up to ``level`` with each community counted by its
    population; design-based se and 95 % interval as R's survey package gives them (see the query)."""
    frame = store.query("satisfaction", {**filters.params(level), "year": year, "min_n": min_n})
    frame["ci_low"], frame["ci_high"] = t_interval(frame["mean_overall"], frame["se"], frame["df"])
    return frame


def satisfaction_below_neutral(
    store: Store, filters: Filters, year: int, min_n: int, neutral: float = NEUTRAL_ANSWER
) -> pd.DataFrame:
    """Communities shown (``n_shown``) and those whose mean overall satisfaction is below the
    scale's middle answer (``n_below``), counted in SQL from the community rows
    (``macros.satisfaction_rows``: only the mean is needed, not the interval Python adds)."""
    params = {**filters.params(), "year": year, "min_n": min_n, "neutral": neutral}
    return store.query("satisfaction_below_neutral", params)


def satisfaction_distribution(store: Store, filters: Filters, year: int, min_n: int) -> pd.DataFrame:
    return store.query("satisfaction_distribution", {**filters.params(), "year": year, "min_n": min_n})


def satisfaction_by_respondent(store: Store, filters: Filters, year: int, min_n: int, attribute: str) -> pd.DataFrame:
    """Satisfaction by respondent gender or age group, small groups suppressed."""
    if attribute not in ("gender", "age_group"):
        raise ValueError("attribute must be gender or age_group")
    params = {**filters.params(), "year": year, "min_n": min_n, "attribute": attribute}
    frame = store.query("satisfaction_by_respondent", params)
    frame["ci_low"], frame["ci_high"] = t_interval(frame["mean_overall"], frame["se"], frame["df"])
    return frame


# ---- the declaration ----------------------------------------------------------------------

#: The statistics a withheld community does not show (its n is shown).
STATISTICS = ("mean_overall", "se", "ci_low", "ci_high", "top2_share", *ANSWER_MEANS[1:])
#: INDICATORS.md's columns of satisfaction, in order.
COLUMNS = ("community_id", "n", *STATISTICS, "suppressed")


def export_rows(store: Store, request: Request) -> pd.DataFrame:
    """One row per community with responses in the year; suppressed rows keep only n."""
    frame = satisfaction(store, request.filters, request.year, request.standards.min_n)
    frame = frame.rename(columns={"group_key": "community_id"})[list(COLUMNS)]
    return SATISFACTION.typed(withheld(frame, STATISTICS))


SATISFACTION = Indicator(
    name="satisfaction",
    query="satisfaction",
    grain="one row per community (or group, population-weighted) and year",
    year_table="survey",
    export_columns=COLUMNS,
    export=export_rows,
    integer_columns=("n",),
    boolean_columns=("suppressed",),
    printed_columns=("n", "mean_overall", "ci_low", "ci_high", "top2_share"),
)
