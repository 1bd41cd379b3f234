"""Task burden (INDICATORS.md "task_burden"): the work handed down to each community.

Over ``queries/task_burden.sql``.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.collation import sort_frame
from community_eval.db.store import Store
from community_eval.indicators.declaration import Indicator, Request
from community_eval.indicators.filters import Filters
from community_eval.indicators.stats import correlation_p_value


def task_burden(store: Store, filters: Filters, year: int, level: str = "community") -> pd.DataFrame:
    return store.query("task_burden", {**filters.params(level), "year": year})


def task_by_department(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    """Tasks per department, most first; departments with as many in pinyin order of name."""
    frame = store.query("task_burden_by_department", {**filters.params(), "year": year})
    return sort_frame(frame, ["tasks", "department"], ascending=[False, True], names={"department"})


def task_hours_by_category(store: Store, filters: Filters, year: int, level: str = "community") -> pd.DataFrame:
    return store.query("task_hours_by_category", {**filters.params(level), "year": year})


def task_monthly_trend(store: Store, filters: Filters) -> pd.DataFrame:
    return store.query("task_monthly_trend", filters.params())


def burden_vs_satisfaction(store: Store, filters: Filters, year: int, min_n: int) -> pd.DataFrame:
    """Admin share of hours against mean satisfaction per community, with the fitted line.

    Adds the two-sided p-value of the correlation (t test with n − 2 degrees of freedom),
    so the page can say when the relation is indistinguishable from none.
    """
    frame = store.query("burden_vs_satisfaction", {**filters.params(), "year": year, "min_n": min_n})
    frame["p_value"] = correlation_p_value(frame["correlation"], frame["n_communities"])
    return frame


# ---- the declaration ----------------------------------------------------------------------

#: INDICATORS.md's columns of task_burden, in order.
COLUMNS = (
    "community_id",
    "tasks",
    "hours",
    "admin_hours_share",
    "unadmitted_share",
    "unfunded_share",
    "departments",
    "inspections",
    "ledgers",
    "staff_active",
    "tasks_per_staff",
    "residents_per_staff",
)


def export_rows(store: Store, request: Request) -> pd.DataFrame:
    """One row per community with task rows in the year."""
    frame = task_burden(store, request.filters, request.year)
    frame = frame[frame["tasks"].notna()].rename(columns={"group_key": "community_id"})
    return TASK_BURDEN.typed(frame[list(COLUMNS)])


TASK_BURDEN = Indicator(
    name="task_burden",
    query="task_burden",
    grain="one row per community (or group of communities) and year",
    year_table="tasks",
    export_columns=COLUMNS,
    export=export_rows,
    integer_columns=("tasks", "departments", "inspections", "ledgers", "staff_active"),
    printed_columns=(
        "tasks",
        "hours",
        "admin_hours_share",
        "unadmitted_share",
        "unfunded_share",
        "tasks_per_staff",
        "residents_per_staff",
    ),
)
