"""Staff turnover and staffing (INDICATORS.md "staff_turnover").

Over ``queries/staff_turnover.sql`` and ``queries/staffing.sql`` (seats against the 3+X bands).
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.standards import Standards
from community_eval.db.store import Store
from community_eval.indicators.declaration import Indicator, Request
from community_eval.indicators.filters import Filters


def staff_turnover(
    store: Store, filters: Filters, year: int, standards: Standards, level: str = "community"
) -> pd.DataFrame:
    params = {**filters.params(level), "year": year, **standards.reference_wage_params(year)}
    return store.query("staff_turnover", params)


def turnover_by_year(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    return store.query("staff_turnover_by_year", {**filters.params(), "year": year})


def exit_reasons(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    return store.query("exit_reasons", {**filters.params(), "year": year})


def staffing_by_community(
    store: Store, filters: Filters, year: int, standards: Standards, profile_key: str | None = None
) -> pd.DataFrame:
    """Staff in post per community against the 3+X committee-size bands of the standards."""
    params = {**filters.params(), "year": year, **seat_band_params(standards, profile_key)}
    return store.query("staffing_by_community", params)


def seat_band_params(standards: Standards, profile_key: str | None = None) -> dict[str, object]:
    """The 3+X committee-size bands ``macros.staffing_rows`` takes, from the profile that defines them
    (none: one band of 0 seats); the profile uses them too."""
    source = standards.staffing_profile("committee_size", profile_key)
    bounds, seats = source.seat_bands() if source else ([], [0])
    return {"seat_max_population": bounds, "seat_counts": seats}


def pay_by_role(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    return store.query("pay_by_role", {**filters.params(), "year": year})


def tenure_in_post(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    return store.query("tenure_in_post", {**filters.params(), "year": year})


# ---- the declaration ----------------------------------------------------------------------

#: INDICATORS.md's columns of staff_turnover, in order.
COLUMNS = (
    "community_id",
    "year",
    "headcount_start",
    "headcount_end",
    "hires",
    "separations",
    "turnover_rate",
    "certified_share",
    "median_pay",
    "pay_to_reference",
    "joint_secretary_director",  # added later: after the existing columns, so their positions hold
)
#: The community_id of the export's pooled row.
TOTAL_ROW_ID = "ALL"


def export_rows(store: Store, request: Request) -> pd.DataFrame:
    """One row per community with staff hired by 31 Dec of the year, then the pooled ``ALL`` row."""
    rows = staff_turnover(store, request.filters, request.year, request.standards)
    rows = rows[rows["staff_records"] > 0]
    total = staff_turnover(store, request.filters, request.year, request.standards, level="all")
    total = total.assign(group_key=TOTAL_ROW_ID)
    frame = pd.concat([rows, total], ignore_index=True).rename(columns={"group_key": "community_id"})
    frame["year"] = request.year
    return STAFF_TURNOVER.typed(frame[list(COLUMNS)])


STAFF_TURNOVER = Indicator(
    name="staff_turnover",
    query="staff_turnover",
    grain="one row per community (or group) and year; the export adds the pooled row ALL",
    year_table="staff",
    export_columns=COLUMNS,
    export=export_rows,
    integer_columns=("year", "headcount_start", "headcount_end", "hires", "separations"),
    printed_columns=("headcount_start", "headcount_end", "hires", "separations", "turnover_rate", "median_pay"),
)
