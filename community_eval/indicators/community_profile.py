"""Community profile (社区画像): one community against the other communities of its district.

The measures are the theme indicators' own columns; which way is better and which
standard applies are declared here as data (:data:`MEASURES`, :func:`measure_standards`).
Medians, ranks, positions and trends are computed in ``queries/profile.sql``, from the
theme indicators' community rows (their macros); this module binds the measures and their
standards and picks the strongest and weakest points from the positions.

It is built on the indicators' modules and the import goes one way; pages call these
functions through ``cache.compute`` as they call the indicators'.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from community_eval.core.standards import Profile, Standards
from community_eval.db.store import Store
from community_eval.indicators import (
    assessment,
    facility_compliance,
    staff_turnover,
)
from community_eval.indicators.filters import Filters

#: The four themes of a profile, in the order the page shows them.
THEMES = ("task_burden", "satisfaction", "facilities", "staff")
#: The themes' columns on the page. Satisfaction has one measure and task burden three,
#: while facilities and staff carry standards and rule lists under theirs: four equal
#: columns left the first two half empty, so those two share the first column.
THEME_COLUMNS = (("task_burden", "satisfaction"), ("facilities",), ("staff",))
#: Fewer communities with a value than this in the district: no rank, no position.
MIN_RANKED = 3
#: How many strongest and weakest points a profile names.
POINTS = 3
#: Measures drawn year by year.
TREND_MEASURES = ("mean_overall", "admin_hours_share", "turnover_rate")
#: How many communities the page without a chosen community names as most needing attention.
ATTENTION = 5


@dataclass(frozen=True)
class Measure:
    """One measure of the profile: its indicator column, theme, number kind and direction.

    ``better`` is "higher" or "lower"; None means the measure is shown against the median
    but is neither a strength nor a weakness (more staff is not better in itself).
    """

    name: str
    theme: str
    kind: str
    better: str | None


MEASURES = (
    Measure("admin_hours_share", "task_burden", "share", "lower"),
    Measure("unadmitted_share", "task_burden", "share", "lower"),
    Measure("tasks_per_staff", "task_burden", "rate", "lower"),
    Measure("mean_overall", "satisfaction", "mean", "higher"),
    Measure("rules_passed_share", "facilities", "share", "higher"),
    Measure("area_per_100_households", "facilities", "rate", "higher"),
    Measure("budget_per_100_households", "facilities", "yuan", "higher"),
    Measure("turnover_rate", "staff", "share", "lower"),
    Measure("headcount_end", "staff", "int", None),
    Measure("seat_gap", "staff", "int", "higher"),
    Measure("pay_to_reference", "staff", "ratio", "higher"),
)
KINDS = {measure.name: measure.kind for measure in MEASURES}


def measure_standards(standards: Standards, profile: Profile) -> dict[str, tuple[float, object]]:
    """Each measure's standard under ``profile`` as (minimum, source), where one exists.

    Facility thresholds come from the active profile only; staffing standards from the
    profile that defines them, the active one first (as on the staff page).
    """
    rules = {rule.name: rule for rule in profile.facility_rules}
    thresholds = profile.facility_params()
    found: dict[str, tuple[float, object]] = {}
    if rules:
        found["rules_passed_share"] = (1.0, {"zh": profile.name_zh, "en": profile.name_en})
    for measure, rule, threshold in (
        ("area_per_100_households", "area_per_100_households", "min_area_per_100_households"),
        ("budget_per_100_households", "budget", "min_budget_per_100_households"),
    ):
        if rule in rules:
            found[measure] = (float(thresholds[threshold]), rules[rule].sources)
    seats = standards.staffing_profile("committee_size", profile.key)
    if seats is not None:
        found["seat_gap"] = (0.0, seats.staffing.get("committee_size_source"))
    pay = standards.staffing_profile("min_pay_to_reference", profile.key)
    if pay is not None:
        found["pay_to_reference"] = (pay.staffing_value("min_pay_to_reference"), pay.staffing.get("pay_source"))
    return found


def profile_card(store: Store, community_id: str) -> pd.DataFrame:
    """The community's name, district, street, type, population and households (no row if unknown)."""
    return store.query("profile_community", {"community_id": community_id})


def _district(store: Store, community_id: str) -> str | None:
    card = profile_card(store, community_id)
    return None if card.empty else str(card["district"].iloc[0])


def district_positions(store: Store, district: str, year: int, standards: Standards, profile: Profile) -> pd.DataFrame:
    """Every measure of :data:`MEASURES` for every community of ``district`` against the district.

    Columns: community_id, measure, theme, better, value, district_median,
    diff_from_median, n_with_value, rank (1 = best), n_ranked, position (0 = worst … 1 =
    best), standard, meets_standard, standard_source (the standards file's bilingual
    note), kind. One call serves every community of the district (pages cache it).
    """
    found = measure_standards(standards, profile)
    params = {
        "district": district,
        "year": year,
        "min_n": standards.min_n,
        **facility_compliance.facility_rule_params(profile),
        **standards.reference_wage_params(year),
        **staff_turnover.seat_band_params(standards, profile.key),
        "min_ranked": MIN_RANKED,
        "measure_names": [m.name for m in MEASURES],
        "measure_themes": [m.theme for m in MEASURES],
        "measure_betters": [m.better for m in MEASURES],
        "measure_standards": [found[m.name][0] if m.name in found else None for m in MEASURES],
    }
    frame = store.query("profile_positions", params)
    frame["rank"] = frame["rank"].astype("Int64")
    frame["n_ranked"] = frame["n_ranked"].astype("Int64")
    frame["standard_source"] = [found[m][1] if m in found else None for m in frame["measure"]]
    frame["kind"] = frame["measure"].map(KINDS)
    return frame


def profile_positions(
    store: Store, community_id: str, year: int, standards: Standards, profile: Profile
) -> pd.DataFrame:
    """One community's rows of :func:`district_positions`, one per measure in :data:`MEASURES` order."""
    district = _district(store, community_id)
    if district is None:
        return pd.DataFrame()
    return of_community(district_positions(store, district, year, standards, profile), community_id)


def of_community(frame: pd.DataFrame, community_id: str) -> pd.DataFrame:
    """The rows of one community from a district-wide frame."""
    return frame[frame["community_id"] == community_id].reset_index(drop=True)


def profile_trends(store: Store, community_id: str, year: int, min_n: int) -> pd.DataFrame:
    """Mean satisfaction, administrative share and turnover per year up to ``year``:
    the community's value beside its district's median (columns measure, year, value,
    district_median, n_communities)."""
    district = _district(store, community_id)
    params = {"district": district, "community_id": community_id, "year": year, "min_n": min_n}
    return store.query("profile_trends", params)


def district_assessment(
    store: Store,
    district: str,
    year: int,
    standards: Standards,
    profile: Profile,
    weights: tuple[tuple[str, float], ...] | None = None,
) -> pd.DataFrame:
    """The assessment of every community of ``district``, ranked within it, with n_ranked."""
    scores = assessment.assessment(store, Filters(district=district), year, standards, profile, weights)
    return scores.assign(n_ranked=int(scores["rank"].notna().sum()))


def profile_assessment(
    store: Store,
    community_id: str,
    year: int,
    standards: Standards,
    profile: Profile,
    weights: tuple[tuple[str, float], ...] | None = None,
) -> pd.DataFrame:
    """The community's row of the assessment, its rank counted among its district."""
    district = _district(store, community_id)
    if district is None:
        return pd.DataFrame()
    return of_community(district_assessment(store, district, year, standards, profile, weights), community_id)


def needing_attention(scores: pd.DataFrame, limit: int = ATTENTION) -> pd.DataFrame:
    """The ``limit`` communities with the lowest composite among the rated ones, lowest first.

    Only rated communities count: an unrated one's composite is partial (INDICATORS.md,
    "assessment") and may not be named as worst. Equal composites are ordered by community
    id, so the list is the same on every run.
    """
    rated = scores[scores["rated"] & scores["composite"].notna()]
    return rated.sort_values(["composite", "community_id"]).head(limit).reset_index(drop=True)


def strengths_and_weaknesses(positions: pd.DataFrame, limit: int = POINTS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The measures where the community stands best and worst within its district.

    Only measures with a position count. Strengths are those above the district's middle
    (position > 0.5), best first; weaknesses those below it, worst first; ties keep the
    order of :data:`MEASURES`. At most ``limit`` of each.
    """
    placed = positions.dropna(subset=["position"]) if len(positions) else positions
    if placed.empty:
        return placed, placed
    order = {m.name: index for index, m in enumerate(MEASURES)}
    placed = placed.assign(_order=placed["measure"].map(order))
    strong = placed[placed["position"] > 0.5].sort_values(["position", "_order"], ascending=[False, True])
    weak = placed[placed["position"] < 0.5].sort_values(["position", "_order"], ascending=[True, True])
    return strong.head(limit).drop(columns="_order"), weak.head(limit).drop(columns="_order")
