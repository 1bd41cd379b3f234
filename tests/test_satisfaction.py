"""Satisfaction (INDICATORS.md, "satisfaction"; community_eval/indicators/satisfaction.py).

Its estimates against pandas and scipy on the hand-made district (conftest.py); the roll-ups
and respondent groups of its page; its export through the command line against the definitions
written out in export_district.py; its page through AppTest on the sample district; and, as a
survey methodologist computes them, three more independent checks of the same definitions:

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
from tests.app_pages import ENTRY, figure, link_name, switch_on
from tests.conftest import database_from
from tests.definitions import close, weighted_mean
from tests.export_district import COLUMNS, check_table, expected_satisfaction

YEAR = 2025
ONE_COMMUNITY = "community_id,community_name,district,street,community_type,population,households\nA,甲,区,街,村,1,1\n"


# ---- the query, against pandas on the hand-made district -----------------------------------------


def expected_satisfaction_of(survey: pd.DataFrame) -> dict[str, float]:
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
        expected = expected_satisfaction_of(survey[survey["community_id"] == community])
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
    c1 = expected_satisfaction_of(shown[shown["community_id"] == "C1"])
    c3 = expected_satisfaction_of(shown[shown["community_id"] == "C3"])
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


# ---- the page's queries --------------------------------------------------------------------------


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


def test_top2_share_is_zero_not_missing_when_nobody_is_satisfied(empty_store):
    from community_eval.ingest.loader import Source, ingest

    communities = ONE_COMMUNITY
    survey = "community_id,survey_date,overall\n" + "".join(f"A,2025-05-01,{1 + i % 3}\n" for i in range(12))
    ingest(empty_store, [Source("c.csv", communities.encode()), Source("s.csv", survey.encode())])
    row = satisfaction.satisfaction(empty_store, Filters(), YEAR, min_n=10).iloc[0]
    assert row["top2_share"] == 0.0
    group = satisfaction.satisfaction_by_respondent(empty_store, Filters(), YEAR, 10, "gender")
    assert group.empty  # no gender given: no group to show


# ---- the export command, against export_district.py ----------------------------------------------


def test_satisfaction_default_year_json(exports, frames):
    expected = expected_satisfaction(frames, 2025)
    assert expected["suppressed"].any() and not expected["suppressed"].all()
    check_table(exports, "satisfaction", expected, "community_id", COLUMNS["satisfaction"])


def test_satisfaction_given_year_csv(exports, frames):
    expected = expected_satisfaction(frames, 2024)
    check_table(exports, "satisfaction_2024", expected, "community_id", COLUMNS["satisfaction"])


# ---- the page, on the sample district ------------------------------------------------------------


def test_the_satisfaction_ranking_shows_both_ends_and_all_communities_one_click_away(app):
    survey = pd.read_csv(Path(ENTRY).parent / "sample_data" / "survey.csv")
    answered = survey[survey["survey_date"].str.startswith("2025")].groupby("community_id").size()
    shown_communities = int((answered >= 10).sum())  # the page's min_n; the rest are withheld
    assert shown_communities == 76
    at = app(lang="zh").run().switch_page("pages/satisfaction.py").run()
    (table,) = [d.value for d in at.dataframe]
    means = table.dropna(subset=["mean_overall"]).assign(name=table["community_name"].map(link_name))
    order = means.sort_values(["mean_overall", "name"])["name"].tolist()
    chart = figure(at, "各社区总体满意度")
    drawn = [label.rsplit(" (n=", 1)[0] for label in chart["data"][0]["y"]]
    assert sorted(drawn) == sorted(order[:10] + order[-10:]), "the ten lowest and the ten highest"
    assert chart["layout"]["yaxis"]["categoryarray"][10] == "中间另有 56 个"
    assert "显示最低 10 个与最高 10 个，共 76 个社区。" in [c.value for c in at.caption]
    switch_on(at, "all_satisfaction_means")
    chart = figure(at, "各社区总体满意度")
    assert len(chart["data"][0]["y"]) == shown_communities
    assert "categoryarray" not in chart["layout"]["yaxis"], "no break in the whole list"
    assert not any(c.value.startswith("显示最低") for c in at.caption)


# ---- against R's survey package -----------------------------------------------------------------

HERE = Path(__file__).resolve().parent / "survey_design"
MIN_N = 10
TOLERANCE = 1e-9
LEVELS = ("community", "street", "community_type", "all")
R_COLUMNS = ("mean_overall", "se", "df", "ci_low", "ci_high", "top2_share", "mean_service")


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
        for column in R_COLUMNS:
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
