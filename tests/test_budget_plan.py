"""What a budget buys (standard_gap.budget_plan, queries/standard_gap.sql "standard_gap_plan").

The plan is checked against pandas on the sample district: the same communities in the same
order, the same running sums and the same funded set, for both orders and several budgets and
prices. Hypothesis then checks the two promises the page makes whatever the numbers: the funded
never cost more than either budget, and more money never drops a community from the list.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_eval.core.standards import load_standards
from community_eval.db.store import Store
from community_eval.indicators import assessment, standard_gap
from community_eval.indicators.filters import Filters

YEAR = 2025
STANDARDS = load_standards()
PROFILES = ("seed_2016", "national_2021")


@pytest.fixture(scope="module")
def store(sample_db) -> Store:
    opened = Store(sample_db)
    yield opened
    opened.close()


def expected_plan(
    store: Store, profile: str, budgets: tuple[float, float], order: str, costs: dict[str, float] | None
) -> pd.DataFrame:
    """The plan from its words, in pandas: communities with a bill, the rated lowest composite first
    (worst) or none first (cheapest), then by one-off + yearly and id; funded while both running
    sums stay within their budgets."""
    chosen = STANDARDS.profile(profile)
    rows = standard_gap.standard_gap(store, Filters(), YEAR, STANDARDS, chosen, costs)
    rows = rows[rows["one_off_yuan"] + rows["annual_yuan"] > 0].copy()
    rows["first_year"] = rows["one_off_yuan"] + rows["annual_yuan"]
    rows["rank_key"] = len(rows) + 1
    if order == "worst":
        scores = assessment.assessment(store, Filters(), YEAR, STANDARDS, chosen)
        rated = scores[scores["rated"]].sort_values(["composite", "community_id"])
        place = {community: index for index, community in enumerate(rated["community_id"])}
        rows["rank_key"] = [place.get(community, len(rows) + 1) for community in rows["community_id"]]
    rows = rows.sort_values(["rank_key", "first_year", "community_id"]).reset_index(drop=True)
    running_one_off = rows["one_off_yuan"].cumsum()
    running_annual = rows["annual_yuan"].cumsum()
    rows["funded"] = (running_one_off <= budgets[0]) & (running_annual <= budgets[1])
    rows["cumulative_one_off_yuan"], rows["cumulative_annual_yuan"] = running_one_off, running_annual
    return rows


def plan(store: Store, profile: str, budgets: tuple[float, float], order: str, costs=None) -> pd.DataFrame:
    chosen = STANDARDS.profile(profile)
    return standard_gap.budget_plan(store, Filters(), YEAR, *budgets, STANDARDS, chosen, order=order, costs=costs)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("order", standard_gap.ORDERS)
@pytest.mark.parametrize(
    ("budgets", "costs"),
    [
        ((0, 0), None),
        ((5_000_000, 3_000_000), None),
        ((20_000_000, 8_000_000), {"cost_per_m2": 2500, "annual_cost_per_seat": 30000}),
        ((1e12, 1e12), None),
    ],
)
def test_the_plan_equals_its_definition_in_pandas(store, profile, order, budgets, costs):
    got = plan(store, profile, budgets, order, costs)
    want = expected_plan(store, profile, budgets, order, costs)
    assert list(got["community_id"]) == list(want["community_id"])
    assert list(got["position"]) == list(range(1, len(want) + 1))
    assert list(got["funded"]) == list(want["funded"])
    for column in ("cumulative_one_off_yuan", "cumulative_annual_yuan"):
        assert got[column].to_numpy() == pytest.approx(want[column].to_numpy(), rel=1e-12)


def test_the_sample_has_something_to_decide(store):
    """The cases above mean something: some communities need money, some budgets fund part of them,
    and the two orders differ."""
    cheapest = plan(store, "seed_2016", (5_000_000, 3_000_000), "cheapest")
    worst = plan(store, "seed_2016", (5_000_000, 3_000_000), "worst")
    assert len(cheapest) > 20
    assert 0 < cheapest["funded"].sum() < len(cheapest)
    assert list(cheapest["community_id"]) != list(worst["community_id"])
    assert plan(store, "seed_2016", (1e12, 1e12), "cheapest")["funded"].all()
    assert not plan(store, "seed_2016", (0, 0), "cheapest")["funded"].any()


budgets = st.tuples(st.integers(0, 60_000_000), st.integers(0, 20_000_000))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    low=budgets,
    more=budgets,
    order=st.sampled_from(standard_gap.ORDERS),
    profile=st.sampled_from(PROFILES),
    per_m2=st.integers(0, 8000),
)
def test_funded_never_cost_more_than_the_budget_and_more_money_never_drops_one(
    store, low, more, order, profile, per_m2
):
    costs = {"cost_per_m2": per_m2}
    high = (low[0] + more[0], low[1] + more[1])
    small, large = plan(store, profile, low, order, costs), plan(store, profile, high, order, costs)
    for chosen, budget in ((small, low), (large, high)):
        funded = chosen[chosen["funded"]]
        assert funded["one_off_yuan"].sum() <= budget[0] + 1e-6
        assert funded["annual_yuan"].sum() <= budget[1] + 1e-6
        # the funded are the first ones in the order: nobody skips ahead of a community left out
        assert list(chosen["funded"]) == sorted(chosen["funded"], reverse=True)
    assert set(small.loc[small["funded"], "community_id"]) <= set(large.loc[large["funded"], "community_id"])


def test_an_unknown_order_or_a_negative_price_is_refused(store):
    with pytest.raises(ValueError, match="order"):
        plan(store, "seed_2016", (1, 1), "alphabetical")
    with pytest.raises(ValueError, match="at least 0"):
        plan(store, "seed_2016", (1, 1), "cheapest", {"cost_per_m2": -1})
    with pytest.raises(ValueError, match="unknown unit costs"):
        plan(store, "seed_2016", (1, 1), "cheapest", {"cost_per_m3": 1})
