"""The queries behind the page charts, against independent pandas and scipy computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from community_eval.core.standards import load_standards
from community_eval.indicators import facility_compliance, satisfaction, staff_turnover, task_burden
from community_eval.indicators.filters import Filters

YEAR = 2025
ONE_COMMUNITY = "community_id,community_name,district,street,community_type,population,households\nA,甲,区,街,村,1,1\n"
ADMIN = {"administrative", "inspection", "ledger", "certificate"}


def weighted_mean(frame: pd.DataFrame) -> float:
    w = frame["weight"].fillna(1.0)
    return float((w * frame["overall"]).sum() / w.sum())


def test_burden_vs_satisfaction_fit_matches_scipy(known_store, known_frames):
    tasks = known_frames["tasks"][known_frames["tasks"]["period"].dt.year == YEAR]
    survey = known_frames["survey"][known_frames["survey"]["survey_date"].dt.year == YEAR]
    rows = []
    for community, mine in tasks.groupby("community_id"):
        answers = survey[survey["community_id"] == community]
        if len(answers) >= 3 and mine["hours"].sum() > 0:
            share = mine.loc[mine["task_category"].isin(ADMIN), "hours"].sum() / mine["hours"].sum()
            rows.append((community, share, weighted_mean(answers)))
    expected = pd.DataFrame(rows, columns=["community_id", "x", "y"])
    fit = stats.linregress(expected["x"], expected["y"])
    actual = task_burden.burden_vs_satisfaction(known_store, Filters(), YEAR, min_n=3)
    assert sorted(actual["community_id"]) == sorted(expected["community_id"])  # C2 (5 answers) is in at min_n 3
    first = actual.iloc[0]
    assert first["slope"] == pytest.approx(fit.slope, rel=1e-9)
    assert first["intercept"] == pytest.approx(fit.intercept, rel=1e-9)
    assert first["correlation"] == pytest.approx(fit.rvalue, rel=1e-9)
    assert first["p_value"] == pytest.approx(fit.pvalue, rel=1e-6)
    assert first["n_communities"] == len(expected)


def test_small_communities_never_enter_the_scatter(known_store):
    actual = task_burden.burden_vs_satisfaction(known_store, Filters(), YEAR, min_n=10)
    assert "C2" not in set(actual["community_id"])


@pytest.mark.parametrize("level", ["street", "community_type", "district"])
def test_satisfaction_rollups_count_shown_communities_by_population(known_store, known_frames, level):
    """A roll-up adds its communities of at least min_n, each by its population, never a smaller one."""
    survey = known_frames["survey"]
    survey = survey[survey["survey_date"].dt.year == YEAR].merge(known_frames["communities"], on="community_id")
    survey = survey.assign(community_n=survey.groupby("community_id")["community_id"].transform("size"))
    column = {"street": "street", "community_type": "community_type", "district": "district"}[level]
    actual = satisfaction.satisfaction(known_store, Filters(), YEAR, min_n=10, level=level)
    for _, row in actual.iterrows():
        group = survey[survey[column] == row["group_label"]]
        counted = group[group["community_n"] >= 10]
        assert (row["n"], row["n_counted"], row["n_withheld"]) == (len(group), len(counted), len(group) - len(counted))
        if len(counted) >= 10:
            means = counted.groupby("community_id").apply(weighted_mean)
            population = counted.groupby("community_id")["population"].first()
            expected = (means * population).sum() / population.sum()
            assert row["mean_overall"] == pytest.approx(expected, rel=1e-12)
        else:
            assert row["suppressed"] and pd.isna(row["mean_overall"])


def test_satisfaction_by_respondent_groups(empty_store):
    from community_eval.ingest.loader import Source, ingest

    communities = (
        "community_id,community_name,district,street,community_type,population,households\nA,甲,区,街,村,1,1\n"
    )
    rows = ["community_id,survey_date,overall,gender,age_group,weight"]
    rows += [
        f"A,2025-05-01,{1 + i % 5},{'F' if i % 3 else 'M'},{'60+' if i < 4 else '18-34'},{1 + i % 2}" for i in range(14)
    ]
    ingest(empty_store, [Source("c.csv", communities.encode()), Source("s.csv", "\n".join(rows).encode())])
    frame = pd.DataFrame([r.split(",") for r in rows[1:]], columns=rows[0].split(","))
    frame["overall"], frame["weight"] = frame["overall"].astype(int), frame["weight"].astype(float)
    by_gender = satisfaction.satisfaction_by_respondent(empty_store, Filters(), YEAR, 5, "gender").set_index(
        "respondent_group"
    )
    for gender, group in frame.groupby("gender"):
        assert by_gender.at[gender, "n"] == len(group)
        if len(group) >= 5:
            assert by_gender.at[gender, "mean_overall"] == pytest.approx(weighted_mean(group))
        else:
            assert pd.isna(by_gender.at[gender, "mean_overall"])
    by_age = satisfaction.satisfaction_by_respondent(empty_store, Filters(), YEAR, 5, "age_group").set_index(
        "respondent_group"
    )
    # 60+ has 4 answers (primary suppression); 18-34's 10 would then give 60+ away as A's
    # total minus 18-34, so it is hidden too (secondary suppression): nothing is counted.
    assert by_age.at["60+", "suppressed"] and by_age.at["60+", "n_withheld"] == 4
    assert by_age.at["18-34", "suppressed"] and by_age.at["18-34", "n_withheld"] == 10
    assert by_age["n"].sum() == 0 and by_age["mean_overall"].isna().all()


def test_turnover_by_year_matches_the_yearly_indicator(known_store, known_frames):
    standards = load_standards()
    by_year = staff_turnover.turnover_by_year(known_store, Filters(), YEAR).set_index("year")
    first_hire = known_frames["staff"]["hire_date"].dt.year.min()
    assert list(by_year.index) == list(range(first_hire + 1, YEAR + 1))
    for year in (2024, 2025):
        total = staff_turnover.staff_turnover(known_store, Filters(), year, standards, level="all").iloc[0]
        for column in ("headcount_start", "headcount_end", "hires", "separations"):
            assert by_year.at[year, column] == total[column]
        assert by_year.at[year, "turnover_rate"] == pytest.approx(total["turnover_rate"])


def test_exit_reasons_and_tenure_bands(known_store, known_frames):
    staff = known_frames["staff"]
    reasons = staff_turnover.exit_reasons(known_store, Filters(), YEAR).set_index("exit_reason")["separations"]
    expected = staff[staff["exit_date"].dt.year == YEAR]["exit_reason"].value_counts()
    assert reasons.to_dict() == expected.to_dict()
    end = pd.Timestamp(YEAR, 12, 31)
    in_post = staff[(staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))]
    years = (end - in_post["hire_date"]).dt.days / 365.25
    bands = np.digitize(years, [1, 3, 5, 10]) + 1
    tenure = staff_turnover.tenure_in_post(known_store, Filters(), YEAR).set_index("band")["headcount_end"]
    assert tenure.to_dict() == pd.Series(bands).value_counts().to_dict()


def test_staffing_against_three_plus_x(known_store, known_frames):
    standards = load_standards()
    actual = staff_turnover.staffing_by_community(known_store, Filters(), YEAR, standards).set_index("community_id")
    seats = {"C1": 5, "C2": 7, "C3": 6, "C4": 5}  # populations 4,000 / 12,000 / 6,000 / 3,000
    assert actual["seats_expected"].to_dict() == seats
    end = pd.Timestamp(YEAR, 12, 31)
    staff = known_frames["staff"]
    in_post = staff[(staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))]
    counts = in_post["community_id"].value_counts()
    for community, row in actual.iterrows():
        assert row["headcount_end"] == counts.get(community, 0)
        assert row["seat_gap"] == counts.get(community, 0) - seats[community]
        population = known_frames["communities"].set_index("community_id").at[community, "population"]
        assert row["workers_per_10000"] == pytest.approx(counts.get(community, 0) / population * 10000)


def test_facility_shortfalls_in_plain_units(known_store):
    profile = load_standards().profile("seed_2016")
    frame = facility_compliance.facility_compliance(known_store, Filters(), YEAR, profile).set_index("community_id")
    c3 = frame.loc["C3"]  # 150 m², 4 rooms, no hall, borrowed, 800 households
    assert c3["shortfall_total_area_m2"] == pytest.approx(150)
    assert c3["shortfall_rooms"] == 2 and c3["shortfall_hall"]
    assert c3["shortfall_area_for_households_m2"] == pytest.approx(20 * 800 / 100 - 150)
    c2 = frame.loc["C2"]  # 50,000 yuan for 4,200 households: 1,190.48 per 100, 2,000 needed
    assert c2["shortfall_budget_per_100_households"] == pytest.approx(2000 - 50000 / 42)
    assert c2["shortfall_budget_yuan"] == pytest.approx(2000 * 42 - 50000)
    assert pd.isna(frame.loc["C1", "shortfall_total_area_m2"])


def test_facility_rollup_by_street_recomputed_from_rows(known_store):
    profile = load_standards().profile("seed_2016")
    rows = facility_compliance.facility_compliance(known_store, Filters(), YEAR, profile)
    by_street = facility_compliance.facility_rollup(known_store, Filters(), YEAR, profile, level="street")
    for _, row in by_street.iterrows():
        mine = rows[rows["street"] == row["group_key"].split(" · ")[-1]]
        assert len(mine) == row["n_communities"]
        known = mine["compliant"].dropna()
        assert row["n_known"] == len(known)
        if len(known):
            assert row["compliant_share"] == pytest.approx(known.astype(bool).mean())


def test_departments_rules_shares(known_store, known_frames):
    tasks = known_frames["tasks"]
    down = tasks[(tasks["period"].dt.year == YEAR) & (tasks["task_category"] != "self_governance")]
    actual = task_burden.task_by_department(known_store, Filters(), YEAR).set_index("department")
    for department, group in down.groupby("department"):
        assert actual.at[department, "tasks"] == group["task_count"].sum()
        share = group.loc[~group["admitted"], "task_count"].sum() / group["task_count"].sum()
        assert actual.at[department, "unadmitted_share"] == pytest.approx(share)


def test_top2_share_is_zero_not_missing_when_nobody_is_satisfied(empty_store):
    from community_eval.ingest.loader import Source, ingest

    communities = ONE_COMMUNITY
    survey = "community_id,survey_date,overall\n" + "".join(f"A,2025-05-01,{1 + i % 3}\n" for i in range(12))
    ingest(empty_store, [Source("c.csv", communities.encode()), Source("s.csv", survey.encode())])
    row = satisfaction.satisfaction(empty_store, Filters(), YEAR, min_n=10).iloc[0]
    assert row["top2_share"] == 0.0
    group = satisfaction.satisfaction_by_respondent(empty_store, Filters(), YEAR, 10, "gender")
    assert group.empty  # no gender given: no group to show


def test_relation_reading_when_every_community_has_the_same_share():
    """No correlation exists when one of the two measures does not vary: say so, don't crash."""
    from community_eval.core.i18n import Translator
    from community_eval.readings.task_burden import relation_reading

    fit = pd.Series({"correlation": np.nan, "n_communities": 4, "p_value": np.nan, "slope": np.nan})
    for lang in ("zh", "en"):
        assert relation_reading(Translator(lang), fit) == Translator(lang)("relation.undefined", n=4)
