"""Facility compliance (INDICATORS.md "facility_compliance"): premises against a standards profile.

Over ``queries/facility_compliance.sql``.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.standards import Profile
from community_eval.db.store import Store
from community_eval.indicators.declaration import Indicator, Request
from community_eval.indicators.filters import Filters


def facility_rule_params(profile: Profile) -> dict[str, object]:
    """The profile's thresholds as the one struct ``macros.facility_rows`` takes (``$facility_rules``),
    beside the filter and the year; the profile binds it too."""
    return {"facility_rules": profile.facility_params()}


def facility_compliance(store: Store, filters: Filters, year: int, profile: Profile, level: str = "community"):
    """Per-community compliance under ``profile``; only the profile's rule columns are kept."""
    params = {**filters.params(level), "year": year, **facility_rule_params(profile)}
    frame = store.query("facility_compliance", params)
    wanted = {rule.column for rule in profile.facility_rules}
    unused = [c for c in frame.columns if c.startswith("rule_") and c not in wanted]
    return frame.drop(columns=unused)


def facility_rollup(store: Store, filters: Filters, year: int, profile: Profile, level: str = "all") -> pd.DataFrame:
    """Compliance rate per group, counted in SQL from the community rows (``macros.facility_rows``)."""
    params = {**filters.params(level), "year": year, **facility_rule_params(profile)}
    return store.query("facility_compliance_rollup", params)


def facility_tenure_counts(
    store: Store, filters: Filters, year: int, profile: Profile, level: str = "all"
) -> pd.DataFrame:
    """Communities per kind of premises per group, counted in SQL from the community rows."""
    params = {**filters.params(level), "year": year, **facility_rule_params(profile)}
    return store.query("facility_tenure_counts", params)


# ---- the declaration ----------------------------------------------------------------------

#: The measures before a profile's rule columns, and the counts after them (INDICATORS.md).
MEASURES = (
    "community_id",
    "year",
    "total_area_m2",
    "area_per_100_households",
    "resident_space_share",
    "budget_per_100_households",
)
COUNTS = ("rules_passed", "rules_applicable", "compliant")


def export_rows(store: Store, request: Request) -> pd.DataFrame:
    """One row per community with a facilities row from the year or before, rules in profile order."""
    frame = facility_compliance(store, request.filters, request.year, request.profile)
    frame = frame[frame["year"].notna()]
    columns = [*MEASURES, *(rule.column for rule in request.profile.facility_rules), *COUNTS]
    return FACILITY_COMPLIANCE.typed(frame[columns])


FACILITY_COMPLIANCE = Indicator(
    name="facility_compliance",
    query="facility_compliance",
    grain="one row per community: its latest facilities row up to the year, judged by a profile",
    year_table="facilities",
    export_columns=(*MEASURES, *COUNTS),
    export=export_rows,
    integer_columns=("year", "rules_passed", "rules_applicable"),
    boolean_columns=("compliant",),
    printed_columns=("total_area_m2", "area_per_100_households", "budget_per_100_households", *COUNTS),
)
