"""The bill to reach the standard (INDICATORS.md "standard_gap"): shortfalls, priced, and what a budget buys.

Over ``queries/standard_gap.sql``. The shortfalls are physical (m², rooms, seats, yuan of
budget and pay), judged by the same facilities row and profile as facility_compliance; the
prices are the unit costs of the standards file, which a page may change for one meeting.
"""

from __future__ import annotations

import math

import pandas as pd

from community_eval.core.standards import UNIT_COSTS, Profile, Standards
from community_eval.db.store import Store
from community_eval.indicators.assessment import Weights, assessment
from community_eval.indicators.declaration import Indicator, Request
from community_eval.indicators.facility_compliance import facility_rule_params
from community_eval.indicators.filters import Filters

#: The roles that hold a seat on the committee (INDICATORS.md, seats_in_post under seed_2016):
#: a grid worker or an "other" is staff, not a member of the 3+X committee.
COMMITTEE_ROLES = ("secretary", "deputy_secretary", "director", "deputy_director", "member")

#: The orders a budget can be spent in: the cheapest bills first, or the lowest assessment
#: composite first (the page shows both, as neither is the one right policy).
ORDERS = ("cheapest", "worst")

#: Budgets move in steps of 10,000 yuan (万元), as district budgets are written.
BUDGET_STEP = 10_000

#: Unit costs as a page passes them: a dict or (name, yuan) pairs (plain data, for the cache).
Costs = dict[str, float] | tuple[tuple[str, float], ...] | None


def unit_costs(standards: Standards, costs: Costs = None) -> dict[str, float]:
    """The prices to use: the given ones (any subset, the rest from the file) or the file's.

    A file without a price prices that part at 0, and the page says the bill is then incomplete;
    a negative price is refused, as it would make a shortfall look like a saving.
    """
    chosen = {name: cost.yuan for name, cost in standards.unit_costs.items()}
    given = dict(costs or {})
    unknown = set(given) - set(UNIT_COSTS)
    if unknown:
        raise ValueError(f"unknown unit costs {sorted(unknown)}; known: {list(UNIT_COSTS)}")
    chosen.update({name: float(yuan) for name, yuan in given.items()})
    if any(not yuan >= 0 for yuan in chosen.values()):
        raise ValueError("unit costs must be numbers of at least 0 yuan")
    return {name: chosen.get(name, 0.0) for name in UNIT_COSTS}


def example_budgets(bills: tuple[float, float]) -> tuple[float, float]:
    """The example one-off and yearly budgets when none is given: a quarter of each bill, in
    whole steps of :data:`BUDGET_STEP` rounded down (of the bill rounded up to a step, at least
    one). The page's sliders start here and the offline report prices with it, so both show the
    same plan, and both say it is an example: a leader puts in the real figures."""
    tops = budget_steps(bills)
    return float(tops[0] // 4 * BUDGET_STEP), float(tops[1] // 4 * BUDGET_STEP)


def budget_steps(bills: tuple[float, float]) -> tuple[int, int]:
    """Each bill in whole steps of :data:`BUDGET_STEP`, rounded up (at least one): the most a
    budget slider offers, so the whole bill can always be funded."""
    one_off, yearly = (max(1, math.ceil(bill / BUDGET_STEP)) for bill in bills)
    return one_off, yearly


def gap_params(
    filters: Filters, year: int, standards: Standards, profile: Profile, costs: Costs = None, level: str = "community"
) -> dict[str, object]:
    """Everything ``macros.gap_rows`` is bound to: the filter, the profile's rules and seats,
    the year's reference wages and the prices."""
    return {
        **filters.params(level),
        "year": year,
        **facility_rule_params(profile),
        "gap_seats": {**profile.gap_params(), "committee_roles": list(COMMITTEE_ROLES)},
        **standards.reference_wage_params(year),
        "unit_costs": unit_costs(standards, costs),
    }


def standard_gap(
    store: Store,
    filters: Filters,
    year: int,
    standards: Standards,
    profile: Profile,
    costs: Costs = None,
    level: str = "community",
) -> pd.DataFrame:
    """Per community: what it lacks under ``profile`` and what that costs, one-off and a year."""
    frame = store.query("standard_gap", gap_params(filters, year, standards, profile, costs, level))
    return _typed_counts(frame)


def gap_rollup(
    store: Store,
    filters: Filters,
    year: int,
    standards: Standards,
    profile: Profile,
    costs: Costs = None,
    level: str = "all",
) -> pd.DataFrame:
    """The bill per street, community type, district or all, summed in SQL from the community rows."""
    frame = store.query("standard_gap_rollup", gap_params(filters, year, standards, profile, costs, level))
    return _typed_counts(frame)


def budget_plan(
    store: Store,
    filters: Filters,
    year: int,
    budget_one_off: float,
    budget_yearly: float,
    standards: Standards,
    profile: Profile,
    order: str = "cheapest",
    costs: Costs = None,
    weights: Weights = None,
) -> pd.DataFrame:
    """The communities with a bill in ``order``, each with the running sums and whether the budgets fund it.

    ``worst`` takes the rated communities by their assessment composite, lowest first (the
    weights of the page), then those not rated by their cost: a community without a rating is
    not judged worst, as no headline may name it (INDICATORS.md, ``rated``).
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}")
    params = gap_params(filters, year, standards, profile, costs, "community")
    params |= {"order_ids": [], "budget_one_off": float(budget_one_off), "budget_yearly": float(budget_yearly)}
    if order == "worst":
        params["order_ids"] = worst_first(store, filters, year, standards, profile, weights)
    frame = store.query("standard_gap_plan", params)
    frame["funded"] = frame["funded"].astype(bool)
    return _typed_counts(frame)


def worst_first(
    store: Store, filters: Filters, year: int, standards: Standards, profile: Profile, weights: Weights = None
) -> list[str]:
    """The rated communities' ids, lowest composite first (ties by id, so the order is reproducible)."""
    scored = assessment(store, filters, year, standards, profile, weights)
    rated = scored[scored["rated"]].sort_values(["composite", "community_id"], kind="stable")
    return rated["community_id"].tolist()


#: The counted columns, nullable integers wherever they appear (SQL gives them as floats when null).
_COUNTS = ("rooms_short", "seats_required", "seats_in_post", "seats_short", "year")


def _typed_counts(frame: pd.DataFrame) -> pd.DataFrame:
    for column in _COUNTS:
        if column in frame.columns:
            frame[column] = frame[column].astype("Int64")
    if "borrowed" in frame.columns:
        frame["borrowed"] = frame["borrowed"].astype("boolean")
    return frame


# ---- the declaration ----------------------------------------------------------------------

#: INDICATORS.md's columns of standard_gap, in order.
COLUMNS = (
    "community_id",
    "year",
    "required_area_m2",
    "area_short_m2",
    "rooms_short",
    "resident_space_short_m2",
    "borrowed",
    "budget_short_yuan",
    "seats_required",
    "seats_in_post",
    "seats_short",
    "pay_gap_yuan",
    "one_off_yuan",
    "annual_yuan",
    "parts_unknown",
)
#: The community_id of the export's row of sums.
TOTAL_ROW_ID = "ALL"


def export_rows(store: Store, request: Request, costs: Costs = None) -> pd.DataFrame:
    """Every community in the filter, then ``ALL``: the quantities summed, ``borrowed`` left empty
    (a flag, not a quantity) and ``parts_unknown`` naming every part unknown somewhere."""
    year = request.year
    rows = standard_gap(store, request.filters, year, request.standards, request.profile, costs)
    total = gap_rollup(store, request.filters, year, request.standards, request.profile, costs, level="all")
    total = total.assign(community_id=TOTAL_ROW_ID, year=year, borrowed=pd.NA)
    frame = pd.concat([rows[list(COLUMNS)], total[list(COLUMNS)]], ignore_index=True)
    return STANDARD_GAP.typed(frame)


STANDARD_GAP = Indicator(
    name="standard_gap",
    query="standard_gap",
    grain="one row per community: its shortfalls under a profile, priced; the export adds the sums as ALL",
    year_table="facilities",
    export_columns=COLUMNS,
    export=export_rows,
    integer_columns=("year", "rooms_short", "seats_required", "seats_in_post", "seats_short"),
    boolean_columns=("borrowed",),
    printed_columns=("area_short_m2", "rooms_short", "seats_short", "one_off_yuan", "annual_yuan"),
)
