"""Pieces of INDICATORS.md written out once for the checks that recompute indicators with pandas."""

from __future__ import annotations

import math

import pandas as pd
import pytest

ADMIN = {"administrative", "inspection", "ledger", "certificate"}
#: The facilities table's columns in the contract's order, as the hand-made districts write them.
FACILITY_COLUMNS = [
    "community_id",
    "year",
    "office_area_m2",
    "service_area_m2",
    "room_count",
    "has_hall",
    "tenure",
    "operating_budget_yuan",
]


def in_post_end(staff: pd.DataFrame, year: int) -> pd.Series:
    end = pd.Timestamp(year, 12, 31)
    return (staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))


def close(actual, expected) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None or pd.isna(actual)
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-12)


def weighted_mean(frame: pd.DataFrame) -> float:
    w = frame["weight"].fillna(1.0)
    return float((w * frame["overall"]).sum() / w.sum())
