"""Indicators against INDICATORS.md, each expectation computed independently with pandas.

The hand-made district (conftest.py) covers the edges: weights, a community under min_n,
someone hired and gone in the same year, exits on 1 January and 31 December, a facility
row from an earlier year, a missing budget, a community with no tasks in the year.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from community_eval.core.standards import load_standards
from community_eval.indicators import facility_compliance, overview, satisfaction, staff_turnover, task_burden
from community_eval.indicators.filters import Filters

YEAR = 2025
ADMIN = {"administrative", "inspection", "ledger", "certificate"}


def close(actual, expected) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None or pd.isna(actual)
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-12)


def in_post_end(staff: pd.DataFrame, year: int) -> pd.Series:
    end = pd.Timestamp(year, 12, 31)
    return (staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))


# ---- task burden ------------------------------------------------------------------------


def expected_burden(frames, year: int) -> pd.DataFrame:
    tasks = frames["tasks"][frames["tasks"]["period"].dt.year == year]
    rows = []
    for _, community in frames["communities"].iterrows():
        mine = tasks[tasks["community_id"] == community["community_id"]]
        down = mine[mine["task_category"] != "self_governance"]
        staff = frames["staff"][frames["staff"]["community_id"] == community["community_id"]]
        active = int(in_post_end(staff, year).sum())
        hours = mine["hours"].sum() if len(mine) else None
        rows.append(
            {
                "group_key": community["community_id"],
                "tasks": mine["task_count"].sum() if len(mine) else None,
                "hours": hours,
                "admin_hours_share": (mine.loc[mine["task_category"].isin(ADMIN), "hours"].sum() / hours)
                if hours
                else None,
                "unadmitted_share": (down.loc[~down["admitted"], "task_count"].sum() / down["task_count"].sum())
                if len(down)
                else None,
                "unfunded_share": (down.loc[~down["funded"], "task_count"].sum() / down["task_count"].sum())
                if len(down)
                else None,
                "departments": down["department"].nunique() if len(mine) else None,
                "inspections": mine.loc[mine["task_category"] == "inspection", "task_count"].sum()
                if len(mine)
                else None,
                "ledgers": mine.loc[mine["task_category"] == "ledger", "task_count"].sum() if len(mine) else None,
                "staff_active": active,
                "tasks_per_staff": (mine["task_count"].sum() / active) if active and len(mine) else None,
                "residents_per_staff": community["population"] / active if active else None,
            }
        )
    return pd.DataFrame(rows)


def test_task_burden_matches_definition(known_store, known_frames):
    actual = task_burden.task_burden(known_store, Filters(), YEAR).set_index("group_key")
    expected = expected_burden(known_frames, YEAR).set_index("group_key")
    assert sorted(actual.index) == sorted(expected.index)
    for key, row in expected.iterrows():
        for column, value in row.items():
            assert close(actual.at[key, column], value), (key, column, actual.at[key, column], value)


def test_task_burden_by_hand(known_store):
    """C1 in 2025, worked by hand from conftest: 16 tasks, 63.5 hours, 41.5 administrative."""
    row = task_burden.task_burden(known_store, Filters(), YEAR).set_index("group_key").loc["C1"]
    assert row["tasks"] == 16
    assert row["hours"] == pytest.approx(63.5)
    assert row["admin_hours_share"] == pytest.approx(41.5 / 63.5)
    assert row["unadmitted_share"] == pytest.approx(2 / 14)  # the inspection, of 14 handed down
    assert row["unfunded_share"] == pytest.approx(7 / 14)
    assert row["departments"] == 3  # 民政, 城管, 统计 (居委会 is its own work)
    assert row["staff_active"] == 2  # P01, P04; P02 left 1 Jan, P03 left in November
    assert row["residents_per_staff"] == pytest.approx(2000)


def test_task_burden_rolls_up_from_rows_not_averages(known_store, known_frames):
    street = task_burden.task_burden(known_store, Filters(), YEAR, level="street").set_index("group_label")
    tasks = known_frames["tasks"]
    tasks = tasks[(tasks["period"].dt.year == YEAR) & tasks["community_id"].isin(["C1", "C2"])]
    share = tasks.loc[tasks["task_category"].isin(ADMIN), "hours"].sum() / tasks["hours"].sum()
    assert street.at["东街道", "admin_hours_share"] == pytest.approx(share, rel=1e-12)
    assert street.at["东街道", "tasks"] == tasks["task_count"].sum()


def test_filters_narrow_the_scope(known_store):
    result = task_burden.task_burden(known_store, Filters(street="西镇"), YEAR)
    assert sorted(result["group_key"]) == ["C3", "C4"]
    result = task_burden.task_burden(known_store, Filters(community_type="urban"), YEAR)
    assert sorted(result["group_key"]) == ["C1", "C4"]


# ---- satisfaction -----------------------------------------------------------------------


def expected_satisfaction(survey: pd.DataFrame) -> dict[str, float]:
    """One community's estimates: R's svymean on svydesign(ids = ~1, weights = ~w), by hand."""
    x = survey["overall"].astype(float)
    w = survey["weight"].fillna(1.0).astype(float)
    n = len(survey)
    mean = (w * x).sum() / w.sum()
    se = math.sqrt(n / (n - 1) * (w**2 * (x - mean) ** 2).sum()) / w.sum()
    half = stats.t.ppf(0.975, n - 1) * se
    answered = survey["service"].notna()
    return {
        "n": n,
        "mean_overall": mean,
        "se": se,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "top2_share": w[x >= 4].sum() / w.sum(),
        "mean_service": (w[answered] * survey.loc[answered, "service"]).sum() / w[answered].sum()
        if answered.any()
        else None,
    }


def test_satisfaction_matches_definition(known_store, known_frames):
    actual = satisfaction.satisfaction(known_store, Filters(), YEAR, min_n=10).set_index("group_key")
    survey = known_frames["survey"]
    survey = survey[survey["survey_date"].dt.year == YEAR]
    for community in ("C1", "C3"):
        expected = expected_satisfaction(survey[survey["community_id"] == community])
        for column, value in expected.items():
            assert close(actual.at[community, column], value), (community, column)
        assert not actual.at[community, "suppressed"]


def test_satisfaction_unweighted_interval_is_the_ordinary_t_interval(known_store, known_frames):
    survey = known_frames["survey"]
    x = survey[(survey["community_id"] == "C3") & (survey["survey_date"].dt.year == YEAR)]["overall"]
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    row = satisfaction.satisfaction(known_store, Filters(), YEAR, min_n=10).set_index("group_key").loc["C3"]
    assert row["ci_low"] == pytest.approx(low, rel=1e-9)
    assert row["ci_high"] == pytest.approx(high, rel=1e-9)


def test_small_groups_are_suppressed(known_store):
    row = satisfaction.satisfaction(known_store, Filters(), YEAR, min_n=10).set_index("group_key").loc["C2"]
    assert row["n"] == 5 and row["suppressed"]
    for column in ("mean_overall", "ci_low", "ci_high", "top2_share", "mean_service"):
        assert pd.isna(row[column]), column


def test_satisfaction_total_counts_shown_communities_by_population(known_store, known_frames):
    survey = known_frames["survey"]
    survey = survey[survey["survey_date"].dt.year == YEAR]
    counts = survey.groupby("community_id")["community_id"].transform("size")
    shown, withheld = survey[counts >= 10], survey[counts < 10]
    assert len(withheld) == 5, "C2's five responses are the suppressed group"
    total = satisfaction.satisfaction(known_store, Filters(), YEAR, min_n=10, level="all").iloc[0]
    # Each shown community (C1: 4,000 residents, C3: 6,000) counts by its population; C2's
    # answers are in no total, so none can be subtracted out.
    c1 = expected_satisfaction(shown[shown["community_id"] == "C1"])
    c3 = expected_satisfaction(shown[shown["community_id"] == "C3"])
    for column in ("mean_overall", "top2_share"):
        assert close(total[column], (4000 * c1[column] + 6000 * c3[column]) / 10000), column
    assert close(total["mean_service"], c1["mean_service"]), "C3 answered no service item"
    assert total["df"] == len(shown) - 2, "n − H: two strata"
    assert (total["n"], total["n_counted"], total["n_withheld"]) == (len(survey), len(shown), len(withheld))


def test_satisfaction_distribution_matches_definition(known_store, known_frames):
    """Weighted share of each answer per item, over communities with at least min_n responses,
    each community counted by its population."""
    min_n = 10
    survey = known_frames["survey"]
    survey = survey[survey["survey_date"].dt.year == YEAR]
    counts = survey.groupby("community_id")["response_id"].transform("size")
    kept = survey[counts >= min_n].assign(w=lambda f: f["weight"].fillna(1.0))
    assert kept["community_id"].nunique() < survey["community_id"].nunique(), "a small community is left out"
    # Each community counts by its population: w* = w · P_h / W_h.
    population = known_frames["communities"].set_index("community_id")["population"]
    kept["w"] = kept["w"] * kept["community_id"].map(population) / kept.groupby("community_id")["w"].transform("sum")
    expected = []
    # The hand-made survey answers overall and service only; the other items are all blank.
    for item in ("overall", "service"):
        answered = kept[kept[item].notna()]
        for answer, rows in answered.groupby(answered[item].astype(int)):
            expected.append((item, answer, rows["w"].sum() / answered["w"].sum(), len(rows)))
    actual = satisfaction.satisfaction_distribution(known_store, Filters(), YEAR, min_n)
    assert len(actual) == len(expected)
    got = {(r.item, int(r.answer)): (r.share, r.n) for r in actual.itertuples()}
    for item, answer, share, n in expected:
        assert got[(item, answer)][0] == pytest.approx(share, rel=1e-12), (item, answer)
        assert got[(item, answer)][1] == n, (item, answer)


# ---- facility compliance ----------------------------------------------------------------


def test_facility_compliance_seed_profile(known_store):
    profile = load_standards().profile("seed_2016")
    frame = facility_compliance.facility_compliance(known_store, Filters(), YEAR, profile).set_index("community_id")
    c1 = frame.loc["C1"]  # 2025 row: 340 m², 6 rooms + hall, owned, 40,000 yuan for 1,500 households
    assert c1["year"] == 2025 and c1["total_area_m2"] == 340
    assert c1["area_per_100_households"] == pytest.approx(340 / 1500 * 100)
    assert c1["budget_per_100_households"] == pytest.approx(40000 / 1500 * 100)
    assert [c1[f"rule_{r}"] for r in ("min_total_area", "rooms", "area_per_100_households")] == ["pass"] * 3
    assert c1["rule_household_tier"] == "pass" and c1["rule_tenure"] == "pass" and c1["rule_budget"] == "pass"
    assert c1["rules_passed"] == 6 and c1["compliant"]
    c2 = frame.loc["C2"]  # only a 2024 row: it is the one in force for 2025
    assert c2["year"] == 2024 and c2["total_area_m2"] == 350
    assert c2["rule_household_tier"] == "pass"  # 4,200 households need 300 m²
    assert c2["rule_area_per_100_households"] == "fail"  # 350 / 42 ≈ 8.3 < 20
    assert not c2["compliant"]
    c3 = frame.loc["C3"]  # budget missing: unknown, not passed, and not applicable
    assert c3["rule_budget"] == "unknown" and c3["rules_applicable"] == 5
    c4 = frame.loc["C4"]  # no facilities row at all
    assert pd.isna(c4["year"]) and c4["rules_applicable"] == 0 and pd.isna(c4["compliant"])


def test_facility_profile_switch_changes_rules(known_store):
    profile = load_standards().profile("national_2021")
    frame = facility_compliance.facility_compliance(known_store, Filters(), YEAR, profile).set_index("community_id")
    rule_columns = [c for c in frame.columns if c.startswith("rule_")]
    assert rule_columns == ["rule_area_per_100_households", "rule_tenure", "rule_resident_space_share"]
    c1 = frame.loc["C1"]  # 340 / 15 = 22.7 m² per 100 households < 30
    assert c1["rule_area_per_100_households"] == "fail"
    assert c1["resident_space_share"] == pytest.approx(260 / 340) and c1["rule_resident_space_share"] == "pass"


def test_compliance_with_unknown_but_no_failure_is_null(known_store):
    """A community that passes everything it can be judged on but has an unknown rule."""
    from community_eval.core.standards import FacilityRule, Profile

    profile = Profile("t", "t", "t", (FacilityRule("budget", {"min_budget_per_100_households": 1}, ""),))
    frame = facility_compliance.facility_compliance(known_store, Filters(), YEAR, profile).set_index("community_id")
    assert frame.at["C1", "compliant"]
    assert pd.isna(frame.at["C3", "compliant"])


def test_facility_rollup_counts_known_communities(known_store):
    profile = load_standards().profile("seed_2016")
    rows = facility_compliance.facility_compliance(known_store, Filters(), YEAR, profile)
    total = facility_compliance.facility_rollup(known_store, Filters(), YEAR, profile).iloc[0]
    known = rows["compliant"].dropna()
    assert total["n_known"] == len(known)
    assert total["compliant_share"] == pytest.approx(known.astype(bool).mean())


# ---- staff turnover ---------------------------------------------------------------------


def expected_turnover(staff: pd.DataFrame, year: int) -> dict[str, float]:
    start = pd.Timestamp(year, 1, 1)
    at_start = (staff["hire_date"] < start) & (staff["exit_date"].isna() | (staff["exit_date"] >= start))
    at_end = in_post_end(staff, year)
    separations = int((staff["exit_date"].dt.year == year).sum())
    average = (at_start.sum() + at_end.sum()) / 2
    pay = staff.loc[at_end, "monthly_pay"].dropna()
    return {
        "headcount_start": int(at_start.sum()),
        "headcount_end": int(at_end.sum()),
        "hires": int((staff["hire_date"].dt.year == year).sum()),
        "separations": separations,
        "turnover_rate": separations / average if average else None,
        "certified_share": staff.loc[at_end, "certified_social_worker"].sum() / at_end.sum() if at_end.any() else None,
        "median_pay": float(np.median(pay)) if len(pay) else None,
    }


def test_staff_turnover_matches_definition(known_store, known_frames):
    standards = load_standards()
    actual = staff_turnover.staff_turnover(known_store, Filters(), YEAR, standards).set_index("group_key")
    staff = known_frames["staff"]
    for community in ("C1", "C2", "C3", "C4"):
        expected = expected_turnover(staff[staff["community_id"] == community], YEAR)
        for column, value in expected.items():
            assert close(actual.at[community, column], value), (community, column)
    total = staff_turnover.staff_turnover(known_store, Filters(), YEAR, standards, level="all").iloc[0]
    for column, value in expected_turnover(staff, YEAR).items():
        assert close(total[column], value), column


def test_turnover_edges_by_hand(known_store):
    """C1 2025: P02 left on 1 Jan (in post at start, a separation); P03 came and went."""
    row = staff_turnover.staff_turnover(known_store, Filters(), YEAR, load_standards()).set_index("group_key").loc["C1"]
    assert (row["headcount_start"], row["headcount_end"], row["hires"], row["separations"]) == (2, 2, 2, 2)
    assert row["turnover_rate"] == pytest.approx(1.0)
    c2 = staff_turnover.staff_turnover(known_store, Filters(), YEAR, load_standards()).set_index("group_key").loc["C2"]
    # P05 left on 31 Dec 2025: in post at the start, gone at the end; P07 left 31 Dec 2024.
    assert (c2["headcount_start"], c2["headcount_end"], c2["separations"]) == (3, 2, 1)


def expected_joint(staff: pd.DataFrame, communities: pd.DataFrame, year: int, by: str) -> dict[str, float]:
    """INDICATORS.md joint_secretary_director: per community 1 when a secretary with also_director
    (blank = false) is in post on 31 Dec, else 0; per group, the share of its communities with 1
    among those with staff hired by 31 Dec."""
    joint = in_post_end(staff, year) & staff["role"].eq("secretary") & staff["also_director"].eq(True)
    hired = staff[staff["hire_date"] <= pd.Timestamp(year, 12, 31)]
    per_community = joint.groupby(staff["community_id"]).any().astype(float)[hired["community_id"].unique()]
    groups = communities.set_index("community_id", drop=False).loc[per_community.index, by]
    return per_community.groupby(groups).mean().to_dict()


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
@pytest.mark.parametrize(("level", "by"), [("community", "community_id"), ("street", "street"), ("all", "all")])
def test_joint_secretary_director_matches_definition(known_store, known_frames, year, level, by):
    communities = known_frames["communities"]
    groups = communities.assign(street=communities["district"] + " · " + communities["street"], all="ALL")
    expected = expected_joint(known_frames["staff"], groups, year, by)
    frame = staff_turnover.staff_turnover(known_store, Filters(), year, load_standards(), level=level)
    actual = frame.set_index("group_key")["joint_secretary_director"]
    assert set(actual.dropna().index) == set(expected)
    for key, value in expected.items():
        assert close(actual[key], value), (level, key)


def test_joint_secretary_director_by_hand(known_store):
    """C1's secretary holds both posts; C2's did until leaving on 31 Dec 2025; C3's does not; C4's is blank."""
    standards = load_standards()
    rows = staff_turnover.staff_turnover(known_store, Filters(), YEAR, standards).set_index("group_key")
    assert rows["joint_secretary_director"].to_dict() == {"C1": 1.0, "C2": 0.0, "C3": 0.0, "C4": 0.0}
    before = staff_turnover.staff_turnover(known_store, Filters(), YEAR - 1, standards).set_index("group_key")
    assert before["joint_secretary_director"].to_dict() == {"C1": 1.0, "C2": 1.0, "C3": 0.0, "C4": 0.0}
    total = staff_turnover.staff_turnover(known_store, Filters(), YEAR, standards, level="all").iloc[0]
    assert total["joint_secretary_director"] == pytest.approx(0.25)
    west = staff_turnover.staff_turnover(known_store, Filters(street="西镇"), YEAR, standards, level="all").iloc[0]
    assert west["joint_secretary_director"] == 0.0


def test_pay_to_reference_uses_the_districts_wage(known_store):
    from dataclasses import replace

    standards = replace(
        load_standards(), reference_wages=({"district": "测试区", "year": YEAR, "monthly_wage_yuan": 2500.0},)
    )
    row = staff_turnover.staff_turnover(known_store, Filters(), YEAR, standards).set_index("group_key").loc["C1"]
    assert row["pay_to_reference"] == pytest.approx(row["median_pay"] / 2500.0)
    no_wage = staff_turnover.staff_turnover(known_store, Filters(), YEAR, load_standards()).set_index("group_key")
    assert no_wage["pay_to_reference"].isna().all()


# ---- overview ---------------------------------------------------------------------------


def test_headlines_carry_previous_year(known_store, known_frames):
    standards = load_standards()
    figures = {
        h.key: h for h in overview.headlines(known_store, Filters(), YEAR, standards, standards.profile("seed_2016"))
    }
    staff = known_frames["staff"]
    assert figures["communities"].value == 4
    assert figures["residents"].value == 25000
    assert figures["staff_in_post"].value == in_post_end(staff, YEAR).sum()
    assert figures["staff_in_post"].previous == in_post_end(staff, YEAR - 1).sum()
    assert figures["turnover_rate"].value == pytest.approx(expected_turnover(staff, YEAR)["turnover_rate"])
    assert figures["turnover_rate"].change == pytest.approx(
        expected_turnover(staff, YEAR)["turnover_rate"] - expected_turnover(staff, YEAR - 1)["turnover_rate"]
    )
