"""The assessment: scores, composite, rank and tier, rank stability and movement.

Expectations are computed with pandas from the definitions in INDICATORS.md: by hand on
the hand-made district, and with the export checks' independent pipeline (export_district.py)
on a district the generator makes with a seed nobody wrote these tests against and, through
the command line, on the export checks' seeded district. The page through AppTest.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from functools import partial

import pandas as pd
import pytest

from community_eval.app import view_state
from community_eval.core.formats import display_value
from community_eval.core.standards import load_standards
from community_eval.db.store import Store
from community_eval.indicators import assessment, staff_turnover
from community_eval.indicators.assessment import COMPONENTS
from community_eval.indicators.filters import Filters
from community_eval.ingest.loader import Source, ingest
from community_eval.report import export
from tests.export_district import COLUMNS, check_table, expected_assessment, output_rows
from tools.generate import canonical_text, generate

YEAR = 2025
SCORES = [f"{c}_score" for c in COMPONENTS]


@pytest.fixture
def standards():
    return load_standards()


def scored(store: Store, standards, filters: Filters | None = None, year: int = YEAR, weights=None) -> pd.DataFrame:
    profile = standards.profile("seed_2016")
    frame = assessment.assessment(store, filters or Filters(), year, standards, profile, weights)
    return frame.set_index("community_id")


# ---- the hand-made district, by hand -----------------------------------------------------------


def test_c1_by_hand(known_store, standards):
    """C1 2025, from conftest's rows worked on paper.

    satisfaction: weighted mean of its 12 answers; burden: 41.5 of 63.5 hours administrative,
    2 of 14 handed-down tasks not admitted; facilities: 6 of 6 seed_2016 rules pass;
    staffing: 2 separations over an average headcount of 2 = turnover 1.0 ≥ 0.30 → 0.
    """
    x = [5, 4, 4, 3, 5, 2, 4, 4, 3, 5, 1, 4]
    w = [1.0, 2.0, 0.5, 1.5, 1.0, 1.0, 0.8, 1.2, 1.0, 2.5, 1.0, 0.5]
    mean = sum(a * b for a, b in zip(x, w, strict=True)) / sum(w)
    expected = {
        "satisfaction_score": (mean - 1) / 4 * 100,
        "burden_score": 50 * (1 - 41.5 / 63.5) + 50 * (1 - 2 / 14),
        "facility_score": 100.0,
        "staffing_score": 0.0,
    }
    row = scored(known_store, standards).loc["C1"]
    for column, value in expected.items():
        assert row[column] == pytest.approx(value, rel=1e-12)
    composite = (0.4 * expected["satisfaction_score"] + 0.2 * expected["burden_score"] + 0.2 * 100 + 0.2 * 0) / 1.0
    assert row["composite"] == pytest.approx(composite, rel=1e-12)
    assert row["components_missing"] == ""
    # staffing at 0 with weight 0.2 could add 20 points, more than any other component
    assert row["best_lever"] == "staffing" and row["best_lever_gain"] == pytest.approx(20.0)


def test_missing_components_are_flagged_and_left_out_of_the_weights(known_store, standards):
    frame = scored(known_store, standards)
    # C2 has 5 responses (< min_n): satisfaction suppressed, composite over the other three
    c2 = frame.loc["C2"]
    assert pd.isna(c2["satisfaction_score"]) and c2["components_missing"] == "satisfaction"
    others = [c2["burden_score"], c2["facility_score"], c2["staffing_score"]]
    assert c2["composite"] == pytest.approx(sum(0.2 * s for s in others) / 0.6, rel=1e-12)
    # C4: no facilities row (no rule applicable), no survey, no task in 2025
    c4 = frame.loc["C4"]
    assert c4["components_missing"] == "satisfaction,burden,facility"
    assert c4["composite"] == pytest.approx(c4["staffing_score"])


def test_rank_and_tier_follow_the_composite_of_the_rated(known_store, standards):
    frame = scored(known_store, standards)
    # C2 lacks satisfaction (weight 0.4) and C4 three components: neither is rated
    assert frame["rated"].to_dict() == {"C1": True, "C2": False, "C3": True, "C4": False}
    rated = frame[frame["rated"]]
    expected_rank = rated["composite"].rank(method="min", ascending=False).astype(int)
    assert rated["rank"].astype(int).to_dict() == expected_rank.to_dict()
    for _, row in rated.iterrows():
        c = row["composite"]
        assert row["tier"] == ("A" if c >= 85 else "B" if c >= 70 else "C" if c >= 60 else "D")
    unrated = frame[~frame["rated"]]
    assert unrated["rank"].isna().all() and unrated["tier"].isna().all()
    assert unrated["composite"].notna().all()  # still computed over what they have, shown as partial
    assert list(frame["rank"].dropna()) == sorted(frame["rank"].dropna())  # best first
    assert set(frame.index[-2:]) == {"C2", "C4"}  # the unrated after the rated


def test_scores_are_fixed_targets_and_only_ranks_depend_on_the_filter(known_store, standards):
    everyone = scored(known_store, standards)
    west = scored(known_store, standards, Filters(street="西镇"))
    assert sorted(west.index) == ["C3", "C4"]
    for key in west.index:
        for column in [*SCORES, "composite", "rated", "tier"]:
            mine, all_of_them = west.at[key, column], everyone.at[key, column]
            assert (pd.isna(mine) and pd.isna(all_of_them)) or mine == all_of_them, (key, column)
    assert west["rated"].to_dict() == {"C3": True, "C4": False}
    assert list(west["rank"].dropna()) == [1]  # C4 is not rated, so C3 is first of one


def test_weights_change_the_composite_as_defined(known_store, standards):
    weights = {"satisfaction": 1.0, "burden": 0.0, "facility": 3.0, "staffing": 1.0}
    frame = scored(known_store, standards, weights=weights)
    for _, row in frame.iterrows():
        present = {c: row[f"{c}_score"] for c in COMPONENTS if pd.notna(row[f"{c}_score"])}
        total = sum(weights[c] for c in present)
        expected = sum(weights[c] * s for c, s in present.items()) / total if total else None
        assert (pd.isna(row["composite"]) and expected is None) or row["composite"] == pytest.approx(expected)


@pytest.mark.parametrize(
    "weights",
    [
        {"satisfaction": 1.0, "burden": 1.0, "facility": 1.0},
        {"satisfaction": -1.0, "burden": 1.0, "facility": 1.0, "staffing": 1.0},
        dict.fromkeys(COMPONENTS, 0.0),
    ],
    ids=["a_component_missing", "negative", "all_zero"],
)
def test_invalid_weights_are_refused(known_store, standards, weights):
    with pytest.raises(ValueError):
        scored(known_store, standards, weights=weights)


def test_a_community_with_nothing_has_no_rank(empty_store, standards):
    data = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nZ1,空社区,区,街,城市社区,100,40\n".encode()
    assert ingest(empty_store, [Source("c.csv", data)])[0].loaded
    row = scored(empty_store, standards).loc["Z1"]
    assert row["components_missing"] == ",".join(COMPONENTS)
    assert pd.isna(row["composite"]) and pd.isna(row["rank"]) and pd.isna(row["tier"])
    assert not row["rated"]


def expected_rating(frame: pd.DataFrame, weights: dict[str, float], bands: dict[str, float]) -> pd.DataFrame:
    """rated, rank and tier from INDICATORS.md, with pandas, given each community's scores.

    rated: every component with a positive weight has a score; rank: 1 = highest composite
    among the rated (ties share the better rank), empty when not rated; tier: the highest
    band whose floor the composite reaches, D below every floor, empty when not rated.
    """
    needed = [f"{c}_score" for c in COMPONENTS if weights[c] > 0]
    rated = frame[needed].notna().all(axis=1)
    composite = frame["composite"].astype(float)
    rank = composite[rated].round(9).rank(method="min", ascending=False).reindex(frame.index)
    floors = sorted(bands.items(), key=lambda band: -band[1])
    tier = [
        next((label for label, floor in floors if c >= floor), "D") if ok else None
        for c, ok in zip(composite, rated, strict=True)
    ]
    return pd.DataFrame({"rated": rated, "rank": rank, "tier": tier}, index=frame.index)


def check_rating(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert actual["rated"].astype(bool).to_dict() == expected["rated"].to_dict()
    for key, want in expected.iterrows():
        if want["rated"]:
            assert actual.at[key, "rank"] == int(want["rank"]), key
            assert actual.at[key, "tier"] == want["tier"], key
        else:
            assert pd.isna(actual.at[key, "rank"]) and pd.isna(actual.at[key, "tier"]), key
    ranks = sorted(int(r) for r in actual["rank"].dropna())
    assert ranks[0] == 1 and ranks[-1] <= int(actual["rated"].sum()) and len(ranks) == int(actual["rated"].sum())


@pytest.mark.parametrize("year", [2024, 2025])
def test_only_communities_with_every_weighted_component_are_rated(unseen, standards, year):
    """On a generated district with many surveys under min_n: the unrated get no rank, no tier."""
    frames, store = unseen
    truth = expected_assessment(frames, year).set_index("community_id")
    actual = scored(store, standards, year=year)
    for column in [*SCORES, "composite"]:  # what the rating starts from, as the definitions give it
        for key, want in truth[column].items():
            got = actual.at[key, column]
            assert (pd.isna(got) and pd.isna(want)) or got == pytest.approx(want, rel=1e-9), (key, column)
    expected = expected_rating(truth, standards.weights, standards.tiers)
    partial = ~expected["rated"] & truth["composite"].notna()
    assert partial.sum() >= 3, partial.sum()  # several communities have a composite but are not rated
    assert (truth.loc[partial, "components_missing"].str.contains("satisfaction")).any()
    check_rating(actual, expected)
    assert actual.loc[partial, "composite"].notna().all()


def test_a_weight_of_zero_does_not_withhold_the_rating(unseen, standards):
    """With the satisfaction weight at 0, a community lacking only satisfaction is rated."""
    frames, store = unseen
    weights = {"satisfaction": 0.0, "burden": 0.2, "facility": 0.2, "staffing": 0.2}
    truth = expected_assessment(frames, YEAR, weights).set_index("community_id")
    actual = scored(store, standards, weights=weights)
    only_residents = truth.index[truth["components_missing"] == "satisfaction"]
    assert len(only_residents) >= 2
    assert actual.loc[only_residents, "rated"].all()
    assert actual.loc[only_residents, "rank"].notna().all() and actual.loc[only_residents, "tier"].notna().all()
    check_rating(actual, expected_rating(truth, weights, standards.tiers))
    # and with the default weights the same communities are not rated
    default = scored(store, standards)
    assert not default.loc[only_residents, "rated"].any()


# ---- rank stability and movement -----------------------------------------------------------


def expected_rank_range(frame: pd.DataFrame, weights: dict[str, float], spread: float) -> pd.DataFrame:
    """Every weight × (1 − spread, 1, 1 + spread), all 81 combinations, ranked with pandas."""
    ranks = []
    scored_rows = frame[frame["rated"]]  # only the rated are ranked
    for factors in itertools.product([1 - spread, 1.0, 1 + spread], repeat=4):
        w = {c: weights[c] * f for c, f in zip(COMPONENTS, factors, strict=True)}
        composite = scored_rows.apply(
            lambda row, w=w: (
                sum(w[c] * row[f"{c}_score"] for c in COMPONENTS if pd.notna(row[f"{c}_score"]))
                / sum(w[c] for c in COMPONENTS if pd.notna(row[f"{c}_score"]))
            ),
            axis=1,
        )
        ranks.append(composite.round(9).rank(method="min", ascending=False))
    table = pd.concat(ranks, axis=1)
    return pd.DataFrame({"rank_best": table.min(axis=1).astype(int), "rank_worst": table.max(axis=1).astype(int)})


def test_rank_range_over_weight_moves(sample_db, standards):
    store = Store(sample_db)
    try:
        profile = standards.profile("seed_2016")
        frame = assessment.assessment(store, Filters(), YEAR, standards, profile).set_index("community_id")
        actual = assessment.assessment_stability(store, Filters(), YEAR, standards, profile).set_index("community_id")
    finally:
        store.close()
    expected = expected_rank_range(frame, standards.weights, 0.10)
    assert sorted(actual.index) == sorted(expected.index)
    assert actual["rank_best"].to_dict() == expected["rank_best"].to_dict()
    assert actual["rank_worst"].to_dict() == expected["rank_worst"].to_dict()
    assert (actual["rank_best"] <= actual["rank"]).all() and (actual["rank"] <= actual["rank_worst"]).all()
    assert (actual["rank_worst"] > actual["rank_best"]).any()  # the sample district has places the weights decide
    assert sorted(actual.index) == sorted(frame.index[frame["rated"]])  # no range for the unrated
    assert actual["rank_worst"].max() <= frame["rated"].sum()


def test_movement_compares_with_last_year(sample_db, standards):
    store = Store(sample_db)
    try:
        profile = standards.profile("seed_2016")
        now = assessment.assessment(store, Filters(), YEAR, standards, profile).set_index("community_id")
        before = assessment.assessment(store, Filters(), YEAR - 1, standards, profile).set_index("community_id")
        moved = assessment.assessment_movement(store, Filters(), YEAR, standards, profile).set_index("community_id")
    finally:
        store.close()
    for key, row in moved.iterrows():
        assert row["previous_rank"] == before.at[key, "rank"] or pd.isna(before.at[key, "rank"])
        if not now.at[key, "rated"] or not before.at[key, "rated"]:
            assert pd.isna(row["rank_change"]), key  # no movement in places for one not rated
        if pd.notna(row["previous_rank"]) and pd.notna(now.at[key, "rank"]):
            assert row["rank_change"] == before.at[key, "rank"] - now.at[key, "rank"]
            assert row["composite_change"] == pytest.approx(now.at[key, "composite"] - before.at[key, "composite"])


# ---- a district these tests were not written against ------------------------------------------


@pytest.fixture(scope="module")
def unseen(tmp_path_factory):
    """The generator's district with another seed, loaded through the loader from canonical CSV."""
    frames = generate(seed=7, scale=0.25, responses_per_wave=(6, 16))
    store = Store(str(tmp_path_factory.mktemp("unseen") / "unseen.duckdb"))
    sources = [Source(f"{name}.csv", canonical_text(f).to_csv(index=False).encode()) for name, f in frames.items()]
    reports = ingest(store, sources)
    assert all(r.loaded for r in reports), [(r.file_name, r.problems[:3]) for r in reports]
    truth = dict(frames, tasks=frames["tasks"].assign(period=pd.to_datetime(frames["tasks"]["period"] + "-01")))
    yield truth, store
    store.close()


@pytest.mark.parametrize("year", [2024, 2025])
def test_export_equals_the_definitions_on_unseen_data(unseen, standards, year):
    frames, store = unseen
    actual = export.build(store, "assessment", standards, year=year).set_index("community_id")
    expected = expected_assessment(frames, year).set_index("community_id")
    assert list(actual.reset_index().columns) == COLUMNS["assessment"]
    assert sorted(actual.index) == sorted(expected.index)
    assert expected["components_missing"].ne("").any() and expected["composite"].notna().sum() > 5
    for key, want in expected.iterrows():
        for column, value in want.items():
            got = actual.at[key, column]
            if value is None or (isinstance(value, float) and pd.isna(value)):
                assert pd.isna(got) or got == "", (key, column, got)
            elif isinstance(value, float):
                assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (key, column)
            else:
                assert got == value, (key, column, got, value)


def test_turnover_ceiling_comes_from_the_standards(unseen, standards):
    _, store = unseen
    strict = replace(standards, turnover_ceiling=0.05)
    loose = scored(store, standards)
    tight = scored(store, strict)
    rates = staff_turnover.staff_turnover(store, Filters(), YEAR, standards).set_index("group_key")["turnover_rate"]
    for key, rate in rates.dropna().items():
        assert tight.at[key, "staffing_score"] == pytest.approx(100 * (1 - min(rate / 0.05, 1)))
        assert loose.at[key, "staffing_score"] == pytest.approx(100 * (1 - min(rate / 0.30, 1)))


# ---- the export command, against export_district.py ----------------------------------------------


def test_assessment_default_year_csv(exports, frames):
    expected = expected_assessment(frames, 2025)
    assert expected["components_missing"].ne("").any()  # C06 has nothing; some lack a component
    check_table(exports, "assessment", expected, "community_id", COLUMNS["assessment"])
    _, rows, _ = output_rows(exports, "assessment")
    ranks = [int(r["rank"]) for r in rows if r["rank"]]
    assert ranks == sorted(ranks) and rows[-1]["rank"] == ""  # best first, the unscored last


def test_assessment_given_year_json(exports, frames):
    check_table(exports, "assessment_2024", expected_assessment(frames, 2024), "community_id", COLUMNS["assessment"])


# ---- the page --------------------------------------------------------------------------------


def _page(sample_db, monkeypatch, **query):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COMMUNITY_EVAL_DB", sample_db)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
    at.query_params.update({"lang": "en", **query})
    at.switch_page("pages/assessment.py")
    return at.run().run()


def _table(at) -> pd.DataFrame:
    """The page's table, community names taken back out of their profile links."""

    (frame,) = [d.value for d in at.dataframe]
    return frame.assign(community_name=frame["community_name"].map(view_state.name_from_link))


def test_page_weights_change_the_table_and_travel_in_the_url(sample_db, monkeypatch, standards):
    at = _page(sample_db, monkeypatch)
    assert not at.exception
    store = Store(sample_db)
    try:
        default = assessment.assessment(store, Filters(), YEAR, standards, standards.profile("seed_2016"))
        weights = {"satisfaction": 1.0, "burden": 0.0, "facility": 0.0, "staffing": 0.0}
        only_residents = assessment.assessment(
            store, Filters(), YEAR, standards, standards.profile("seed_2016"), weights
        )
    finally:
        store.close()
    # The table shows each composite rounded to its declared 1 decimal (community_eval/core/formats.py).
    shown_score = partial(display_value, kind="score")
    shown_default = pd.to_numeric(_table(at)["composite"], errors="coerce")
    expected_default = [shown_score(v) for v in default["composite"]]
    assert [None if pd.isna(v) else float(v) for v in shown_default] == expected_default
    for component in ("burden", "facility", "staffing"):
        at.number_input(key=f"weight_{component}").set_value(0.0)
    at.run()
    assert at.query_params["weights"] == "0.4,0,0,0"  # satisfaction alone: the same as weight 1
    shown = _table(at).set_index("community_name")["composite"].dropna()
    expected = only_residents.set_index("community_name")["composite"].dropna().map(shown_score)
    assert shown.to_dict() == expected.to_dict()
    assert any("do not add up to 1" in c.value for c in at.caption)


def test_page_opened_with_weights_in_the_url_uses_them(sample_db, monkeypatch):
    at = _page(sample_db, monkeypatch, weights="2,1,1,0")
    assert not at.exception
    assert at.number_input(key="weight_satisfaction").value == 2.0
    assert any("do not add up to 1" in c.value for c in at.caption)


def test_page_refuses_all_zero_weights_with_a_message(sample_db, monkeypatch):
    at = _page(sample_db, monkeypatch, weights="0,0,0,0")
    assert not at.exception
    assert any("cannot be negative or all zero" in w.value for w in at.warning)


def _sample_by_hand(sample_db, standards) -> tuple[pd.Series, list[str]]:
    """The sample's 2025 leader among the communities with all four scores, and the others' names."""
    store = Store(sample_db)
    try:
        frame = assessment.assessment(store, Filters(), YEAR, standards, standards.profile("seed_2016"))
    finally:
        store.close()
    complete = frame[frame[SCORES].notna().all(axis=1)]
    unrated = sorted(frame.loc[frame[SCORES].isna().any(axis=1), "community_name"])
    return complete.loc[complete["composite"].idxmax()], unrated


def test_page_headline_names_no_unrated_community(sample_db, monkeypatch, standards):
    """毛台社区 has the highest composite of the sample but no satisfaction score: not first."""
    leader, unrated = _sample_by_hand(sample_db, standards)
    assert "毛台社区" in unrated and "夹河社区" in unrated
    at = _page(sample_db, monkeypatch, lang="zh")
    assert not at.exception, [e.message for e in at.exception]
    headline = next(m.value for m in at.markdown if "居首" in m.value)
    assert "毛台社区" not in headline and not any(name in headline for name in unrated)
    assert leader["community_name"] in headline and f"{leader['composite']:.1f}" in headline
    assert f"{len(unrated)} 个社区数据不全" in headline
    texts = [e.value for kind in ("subheader", "markdown", "caption") for e in getattr(at, kind)]
    assert "数据不全，暂不评级" in texts
    group = next(m.value for m in at.markdown if "毛台社区" in m.value and "居民满意度" in m.value)
    for name in unrated:
        assert name in group
    assert "不完整" in group
    assert not any("其中 0 个" in t or " 0 个" in t for t in texts), texts


def test_page_table_shows_no_none_and_no_rank_for_the_unrated(sample_db, monkeypatch, standards):
    _, unrated = _sample_by_hand(sample_db, standards)
    at = _page(sample_db, monkeypatch)
    assert not at.exception
    table = _table(at).set_index("community_name")
    assert table.loc[unrated, "rank"].isna().all() and (table.loc[unrated, "tier"] == "").all()
    assert table.loc[unrated, "composite"].notna().all()
    assert table.loc[unrated, "rated"].str.startswith("No").all()
    assert (table.drop(index=unrated)["rated"] == "Yes").all()
    text_columns = [c for c in table.columns if table[c].dtype == object]
    assert not table[text_columns].isna().any().any()
    assert not table[text_columns].astype(str).isin(["None", "nan", "<NA>"]).any().any()
    assert at.dataframe[0].proto.placeholder == ""  # missing numbers are shown as empty cells
    headline = next(m.value for m in at.markdown if "comes first" in m.value)
    assert not any(name in headline for name in unrated)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("2,1,1,0", (2.0, 1.0, 1.0, 0.0)), ("0,0,0,0", None), (None, None), ("1,nan,1,1", None)],
)
def test_the_view_reads_the_weights_once_by_one_rule(sample_db, monkeypatch, standards, given, expected):
    """The weights a shared address carries reach the view once per run, and the profile and the
    report take them from there: the URL's when valid and not all zero, else the file's (None)."""
    at = _page(sample_db, monkeypatch, **({"weights": given} if given else {}))
    assert not at.exception
    weights = at.session_state["view"].weights
    assert weights == (None if expected is None else tuple(zip(COMPONENTS, expected, strict=True)))
    defaults = ",".join(f"{float(standards.weights[c]):g}" for c in COMPONENTS)
    assert _page(sample_db, monkeypatch, weights=defaults).session_state["view"].weights is None
