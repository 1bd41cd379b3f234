"""Staff retention (INDICATORS.md, "staff_retention"): Kaplan–Meier survival of time in post.

Why Kaplan–Meier rather than "the share who left": most staff are still in post on the
as-of date, so their time in post so far is a lower bound, not a duration. Dropping them
makes retention look worse, counting them as stayers makes it look better; the
product-limit estimate uses each person for exactly as long as they were observed. The
estimate, the people at risk and the 95 % band are computed in DuckDB by
``queries/staff_retention.sql``; this module only chooses parameters and shapes columns.

It stands below :mod:`community_eval.indicators`, which re-exports these functions for
``cache.compute``: it imports the filters and the store, never the indicators.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from community_eval.db.store import Store
from community_eval.indicators.declaration import Indicator, NothingToExport, Request
from community_eval.indicators.filters import Filters

#: The horizons of the export, in months since hire.
MONTHS: tuple[int, ...] = (0, 6, 12, 24, 36, 60)

#: A month is a twelfth of the mean Gregorian year, so 12 months is 365.25 days.
DAYS_PER_MONTH = 365.25 / 12

#: How curves can be split: one curve, one per community type, one per role.
GROUPINGS = ("all", "community_type", "role")


def horizon_days(months: tuple[int, ...] = MONTHS) -> list[float]:
    """Days since hire for each horizon in months (6 months = 182.625 days)."""
    return [m * DAYS_PER_MONTH for m in months]


def _as_date(value: dt.date) -> dt.date:
    """The as-of date as a plain date: a datetime would bind as a timestamp and count hours."""
    return value.date() if isinstance(value, dt.datetime) else value


def _params(filters: Filters, as_of: dt.date, retirement_censored: bool, by: str) -> dict[str, object]:
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}, not {by!r}")
    return {
        **filters.params(),
        "as_of": _as_date(as_of),
        "retirement_censored": bool(retirement_censored),
        "group_by": by,
    }


def staff_retention(
    store: Store,
    filters: Filters,
    as_of: dt.date,
    retirement_censored: bool = False,
    months: tuple[int, ...] = MONTHS,
) -> pd.DataFrame:
    """S(t) and the people at risk at each horizon, pooled over the filter.

    Columns months (int), at_risk (int) and survival (S(t), exits on day t included;
    null when nobody in the filter was hired by ``as_of``). With ``retirement_censored``
    a retirement ends the observation without counting as leaving, which separates
    "people leave the job" from "people reach retirement age".
    """
    params = {**_params(filters, as_of, retirement_censored, "all"), "horizons_days": horizon_days(months)}
    result = store.query("staff_retention_at", params)
    wanted = pd.DataFrame({"months": list(months), "horizon_days": horizon_days(months)})
    frame = wanted.merge(result[["horizon_days", "at_risk", "survival"]], on="horizon_days", how="left")
    return pd.DataFrame(
        {
            "months": frame["months"].astype("int64"),
            "at_risk": frame["at_risk"].fillna(0).astype("int64"),
            "survival": frame["survival"].astype("float64"),
        }
    )


def retention_curves(
    store: Store,
    filters: Filters,
    as_of: dt.date,
    by: str = "all",
    retirement_censored: bool = False,
) -> pd.DataFrame:
    """The whole Kaplan–Meier step function per group, with its 95 % band, for the page.

    ``by`` is "all", "community_type" or "role". One row per (group_key, duration_days):
    day 0 (S = 1) and every day on which someone left, with ``months`` (the same time in
    months, for the chart's axis), at_risk, events, survival, ci_low and ci_high
    (lifelines' default exponential-Greenwood band). A step function is drawn with a
    horizontal line from each row to the next (``line_shape="hv"``).
    """
    frame = store.query("staff_retention_curve", _params(filters, as_of, retirement_censored, by))
    frame.insert(frame.columns.get_loc("duration_days") + 1, "months", frame["duration_days"] / DAYS_PER_MONTH)
    return frame


# ---- the declaration ----------------------------------------------------------------------

#: INDICATORS.md's columns of staff_retention, in order.
COLUMNS = ("months", "at_risk", "survival")


def export_rows(store: Store, request: Request) -> pd.DataFrame:
    """Kaplan–Meier S(t) at 0, 6, 12, 24, 36 and 60 months; refused when nobody was hired by the as-of date."""
    frame = staff_retention(store, request.filters, request.as_of)
    if int(frame["at_risk"].iloc[0]) == 0:
        raise NothingToExport("export.no_staff", as_of=request.as_of.isoformat())
    return STAFF_RETENTION.typed(frame[list(COLUMNS)])


STAFF_RETENTION = Indicator(
    name="staff_retention",
    query="staff_retention_at",
    grain="one row per horizon in months (one curve, or one per community type or role)",
    year_table=None,
    export_columns=COLUMNS,
    export=export_rows,
    integer_columns=("months", "at_risk"),
)
