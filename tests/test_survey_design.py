"""Satisfaction estimates as a survey methodologist computes them (INDICATORS.md, "satisfaction").

Three independent checks of the same definitions:

- R's survey package 4.1.1: ``tests/survey_design/reference.R`` ran ``svymean`` and
  ``confint(df = degf(design))`` on the district of ``make_district.py`` (unequal weights,
  response counts and populations, one community under min_n) and its figures are kept in
  ``reference.csv``; the dashboard must agree to 1e-9 at every level.
- pandas and scipy, on a district generated here with another seed: every response's
  linearized residual written out one by one, not the sums the query uses.
- The roll-up mean is the population-weighted mean of the community means.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from community_eval.db.store import Store
from community_eval.indicators import satisfaction
from community_eval.indicators.filters import Filters
from tests.conftest import database_from

HERE = Path(__file__).resolve().parent / "survey_design"
YEAR = 2025
MIN_N = 10
TOLERANCE = 1e-9
LEVELS = ("community", "street", "community_type", "all")
COLUMNS = ("mean_overall", "se", "df", "ci_low", "ci_high", "top2_share", "mean_service")


@pytest.fixture(scope="module")
def r_store(tmp_path_factory):
    communities = pd.read_csv(HERE / "communities.csv")
    survey = pd.read_csv(HERE / "survey.csv")
    store = Store(database_from({"communities": communities, "survey": survey}, tmp_path_factory.mktemp("r")))
    yield store
    store.close()


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(HERE / "reference.csv")


@pytest.mark.parametrize("level", LEVELS)
def test_every_estimate_equals_r_survey_package(r_store, reference, level):
    expected = reference[reference["level"] == level].set_index("group_key")
    actual = satisfaction.satisfaction(r_store, Filters(), YEAR, MIN_N, level=level).set_index("group_key")
    shown = actual[~actual["suppressed"].astype(bool)]
    assert sorted(shown.index) == sorted(expected.index)
    for key, row in expected.iterrows():
        for column in COLUMNS:
            assert shown.at[key, column] == pytest.approx(row[column], abs=TOLERANCE, rel=TOLERANCE), (key, column)


def test_the_community_under_min_n_is_in_no_estimate(r_store):
    rows = satisfaction.satisfaction(r_store, Filters(), YEAR, MIN_N).set_index("group_key")
    assert rows.at["D03", "suppressed"] and pd.isna(rows.at["D03", "se"]) and pd.isna(rows.at["D03", "ci_low"])
    north = satisfaction.satisfaction(r_store, Filters(), YEAR, MIN_N, level="street").set_index("group_label")
    assert (north.at["北街道", "n"], north.at["北街道", "n_counted"], north.at["北街道", "df"]) == (92, 88, 86)


def test_respondent_groups_equal_r_domain_means(r_store, reference):
    """Gender across every community (min_n 2, so no cell is hidden): R's svyby on the stratified
    w* design, the interval on that design's degrees of freedom."""
    expected = reference[reference["level"] == "gender"].set_index("group_key")
    actual = satisfaction.satisfaction_by_respondent(r_store, Filters(), YEAR, 2, "gender").set_index(
        "respondent_group"
    )
    for key, row in expected.iterrows():
        for column in ("mean_overall", "se", "df", "ci_low", "ci_high", "top2_share"):
            assert actual.at[key, column] == pytest.approx(row[column], abs=TOLERANCE, rel=TOLERANCE), (key, column)


# ---- an independent computation on unseen data -------------------------------------------------


def generated_district(seed: int = 29) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Twelve communities, four streets, weights in some, populations and counts unrelated."""
    rng = np.random.default_rng(seed)
    ids = [f"G{i:02d}" for i in range(12)]
    communities = pd.DataFrame(
        {
            "community_id": ids,
            "community_name": [f"生成{i}社区" for i in range(12)],
            "district": "生成区",
            "street": [f"{'甲乙丙丁'[i % 4]}街道" for i in range(12)],
            "community_type": ["urban" if i % 3 else "township" for i in range(12)],
            "population": rng.integers(800, 30000, 12),
            "households": rng.integers(300, 9000, 12),
        }
    )
    rows = []
    for index, community in enumerate(ids):
        size = int(rng.choice([6, 11, 14, 23, 40, 77]))
        weighted = index % 2 == 0
        level = rng.uniform(2.5, 4.3)
        for i in range(size):
            rows.append(
                {
                    "response_id": f"{community}-{i}",
                    "community_id": community,
                    "survey_date": f"2025-{1 + i % 12:02d}-03",
                    "overall": int(np.clip(np.rint(rng.normal(level, 1.1)), 1, 5)),
                    "service": None if rng.random() < 0.25 else int(rng.integers(1, 6)),
                    "weight": round(float(rng.uniform(0.3, 4.0)), 3) if weighted else None,
                }
            )
    survey = pd.DataFrame(rows)
    survey["service"] = survey["service"].astype("Int64")
    return communities, survey


def design_estimate(responses: pd.DataFrame, by_population: bool) -> dict[str, float]:
    """INDICATORS.md's estimator written response by response (no algebraic shortcuts)."""
    frame = responses.copy()
    frame["w"] = frame["weight"].fillna(1.0).astype(float)
    if by_population:
        frame["w_star"] = frame["w"] * frame["population"] / frame.groupby("community_id")["w"].transform("sum")
    else:
        frame["w_star"] = frame["w"]
    x, w = frame["overall"].astype(float), frame["w_star"]
    mean = (w * x).sum() / w.sum()
    spread = 0.0
    for _, stratum in frame.groupby("community_id"):
        residuals = stratum["w_star"] * (stratum["overall"] - mean)
        n_h = len(stratum)
        spread += n_h / (n_h - 1) * ((residuals - residuals.mean()) ** 2).sum()
    se = math.sqrt(spread) / w.sum()
    df = len(frame) - frame["community_id"].nunique()
    half = stats.t.ppf(0.975, df) * se
    answered = frame[frame["service"].notna()]
    return {
        "mean_overall": mean,
        "se": se,
        "df": df,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "top2_share": w[x >= 4].sum() / w.sum(),
        "mean_service": (answered["w_star"] * answered["service"].astype(float)).sum() / answered["w_star"].sum(),
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    communities, survey = generated_district()
    store = Store(database_from({"communities": communities, "survey": survey}, tmp_path_factory.mktemp("gen")))
    yield store, communities, survey
    store.close()


def _group_of(level: str, communities: pd.DataFrame) -> pd.Series:
    if level == "street":
        return communities["district"] + " · " + communities["street"]
    if level == "all":
        return pd.Series("ALL", index=communities.index)
    return communities["community_id" if level == "community" else level]


@pytest.mark.parametrize("level", LEVELS)
def test_estimates_equal_the_definition_on_a_generated_district(generated, level):
    store, communities, survey = generated
    counts = survey.groupby("community_id")["response_id"].transform("size")
    shown = survey[counts >= MIN_N].merge(communities.assign(group=_group_of(level, communities)), on="community_id")
    assert survey[counts < MIN_N]["community_id"].nunique() >= 1, "some community is withheld"
    actual = satisfaction.satisfaction(store, Filters(), YEAR, MIN_N, level=level).set_index("group_key")
    for group, responses in shown.groupby("group"):
        expected = design_estimate(responses, by_population=level != "community")
        for column, value in expected.items():
            assert actual.at[group, column] == pytest.approx(value, rel=1e-9, abs=1e-12), (group, column)


def test_a_roll_up_weights_each_community_by_its_population(generated):
    store, communities, _ = generated
    rows = satisfaction.satisfaction(store, Filters(), YEAR, MIN_N).merge(
        communities, left_on="group_key", right_on="community_id"
    )
    rows = rows[~rows["suppressed"].astype(bool)]
    expected = (rows["population"] * rows["mean_overall"]).sum() / rows["population"].sum()
    total = satisfaction.satisfaction(store, Filters(), YEAR, MIN_N, level="all").iloc[0]
    assert total["mean_overall"] == pytest.approx(expected, rel=1e-12)
    # Not the mean of whoever answered: the pooled respondents' mean is another number here.
    counts = rows["n"].astype(float)
    assert abs(total["mean_overall"] - (counts * rows["mean_overall"]).sum() / counts.sum()) > 0.01


def test_a_community_of_no_recorded_residents_weighs_nothing_in_a_roll_up(known_frames, tmp_path):
    """The contract allows a population of 0; such a community's answers stand for nobody in a
    roll-up (w* = 0), while its own row keeps its weights and its mean."""
    frames = {name: known_frames[name] for name in ("communities", "survey")}
    frames["communities"] = frames["communities"].assign(
        population=lambda f: f["population"].where(f["community_id"] != "C1", 0)
    )
    store = Store(database_from(frames, tmp_path))
    try:
        rows = satisfaction.satisfaction(store, Filters(), YEAR, MIN_N).set_index("group_key")
        total = satisfaction.satisfaction(store, Filters(), YEAR, MIN_N, level="all").iloc[0]
    finally:
        store.close()
    assert pd.notna(rows.at["C1", "mean_overall"])
    assert total["mean_overall"] == pytest.approx(rows.at["C3", "mean_overall"], rel=1e-12)
    assert total["n_counted"] == rows.at["C1", "n"] + rows.at["C3", "n"]
