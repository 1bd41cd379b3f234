"""A questionnaire's own items (INDICATORS.md "survey_items"), estimated as satisfaction is.

Over ``queries/survey_items.sql``.
"""

from __future__ import annotations

import pandas as pd

from community_eval.db.store import Store
from community_eval.indicators.declaration import Indicator, Request, withheld
from community_eval.indicators.filters import Filters
from community_eval.indicators.stats import t_interval


def survey_items(store: Store, filters: Filters, year: int, min_n: int, level: str = "community") -> pd.DataFrame:
    """The questionnaire's own items per group, estimated and withheld exactly as :func:`satisfaction`
    (see the query), with the 95 % interval and the change since the previous year's mean."""
    frame = store.query("survey_items", {**filters.params(level), "year": year, "min_n": min_n})
    frame["ci_low"], frame["ci_high"] = t_interval(frame["mean"], frame["se"], frame["df"])
    frame["change"] = frame["mean"] - frame["mean_previous"]
    return frame


def survey_item_distribution(store: Store, filters: Filters, year: int, min_n: int) -> pd.DataFrame:
    """Shares of each answer of every own item on a five-point scale, as the fixed questions' are."""
    return store.query("survey_item_distribution", {**filters.params(), "year": year, "min_n": min_n})


def stored_questions(store: Store) -> pd.DataFrame:
    """Every own question stored, with its answers count, for the data dictionary."""
    return store.query("stored_questions")


# ---- the declaration ----------------------------------------------------------------------

#: An own item's statistics, in the order the export writes them after the item's columns.
STATISTICS = ("mean", "se", "ci_low", "ci_high", "mean_previous", "change")
#: INDICATORS.md's columns of survey_items, in order.
COLUMNS = ("community_id", "item_code", "item_text", "theme", "scale", "n", *STATISTICS, "suppressed")


def export_rows(store: Store, request: Request) -> pd.DataFrame:
    """One row per (community, own item) answered in the year; suppressed rows keep only n,
    as the satisfaction export does (a questionnaire without own items gives no rows)."""
    frame = survey_items(store, request.filters, request.year, request.standards.min_n)
    frame = frame.rename(columns={"group_key": "community_id"})[list(COLUMNS)]
    return SURVEY_ITEMS.typed(withheld(frame, STATISTICS))


SURVEY_ITEMS = Indicator(
    name="survey_items",
    query="survey_items",
    grain="one row per community (or group) and own question, per year",
    year_table="survey",
    export_columns=COLUMNS,
    export=export_rows,
    integer_columns=("n",),
    boolean_columns=("suppressed",),
)
