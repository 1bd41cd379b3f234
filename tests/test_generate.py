"""The sample-data generator reproduces Xiantao's published figures and stays deterministic.

Every figure checked here comes from shared/seeds/FACTS.md (source 001) or from the
generator's brief; the tests use pandas on the frames ``generate()`` returns and import
no other project module, so they hold the generator to the data contract on its own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools.generate import COLUMNS, generate, write

LATEST = 2025
END = pd.Timestamp(LATEST, 12, 31)
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
NAMED_FAILING = {
    "红光社区": "干河街道",
    "高家渡社区": "干河街道",
    "骑尾社区": "沙嘴街道",
    "叶河社区": "沙嘴街道",
    "杨岗社区": "沙嘴街道",
    "下查社区": "西流河镇",
    "柴河社区": "通海口镇",
}
ENUMS = {
    ("communities", "community_type"): {"urban", "village_converted", "township", "rural"},
    ("staff", "role"): {
        "secretary",
        "deputy_secretary",
        "director",
        "deputy_director",
        "member",
        "grid_worker",
        "other",
    },
    ("staff", "employment"): {"full_time", "part_time"},
    ("staff", "gender"): {"F", "M"},
    ("staff", "education"): {"junior_or_below", "high_school", "college", "bachelor_or_above"},
    ("staff", "exit_reason"): {"pay", "workload", "career", "retirement", "dismissal", "other"},
    ("tasks", "task_category"): {"administrative", "inspection", "ledger", "certificate", "service", "self_governance"},
    ("facilities", "tenure"): {"owned", "rented", "borrowed"},
    ("survey", "gender"): {"F", "M"},
    ("survey", "age_group"): {"18-34", "35-59", "60+"},
}
LIKERT = ["overall", "service", "environment", "safety", "participation", "staff_attitude", "facilities"]
KEYS = {
    "communities": ["community_id"],
    "staff": ["staff_id"],
    "facilities": ["community_id", "year"],
    "survey": ["response_id"],
    "tasks": ["community_id", "period", "department", "task_category"],
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """The default sample, generated once for the module."""
    return generate()


@pytest.fixture(scope="module")
def communities(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Communities indexed by id."""
    return tables["communities"].set_index("community_id")


@pytest.fixture(scope="module")
def in_post(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Staff in post on 31 Dec of the latest year."""
    staff = tables["staff"]
    return staff[(staff["hire_date"] <= END) & (staff["exit_date"].isna() | (staff["exit_date"] > END))]


@pytest.fixture(scope="module")
def in_force(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The facilities row in force for the latest year, per community, with a pass flag."""
    rows = tables["facilities"].query("year <= @LATEST").sort_values("year")
    rows = rows.groupby("community_id").tail(1)
    area = rows["office_area_m2"] + rows["service_area_m2"]
    ok = (area >= 300) & (rows["room_count"] >= 6) & rows["has_hall"]
    return rows.assign(ok=ok).set_index("community_id")


def band(population: pd.Series) -> pd.Series:
    """0 under 5,000; 1 for 5,000–10,000 inclusive; 2 over 10,000."""
    return pd.Series(np.select([population < 5000, population <= 10000], [0, 1], 2), index=population.index)


# ---------------------------------------------------------------- shape and contract


def test_columns_follow_the_contract(tables: dict[str, pd.DataFrame]) -> None:
    assert list(tables) == ["communities", "staff", "tasks", "facilities", "survey"]
    for name, frame in tables.items():
        assert list(frame.columns) == COLUMNS[name]


@pytest.mark.parametrize("name", list(KEYS))
def test_keys_are_unique(tables: dict[str, pd.DataFrame], name: str) -> None:
    assert not tables[name].duplicated(KEYS[name]).any()


@pytest.mark.parametrize(("table", "column"), list(ENUMS))
def test_enum_values_are_contract_codes(tables: dict[str, pd.DataFrame], table: str, column: str) -> None:
    assert set(tables[table][column].dropna()) <= ENUMS[(table, column)]


def test_references_and_value_ranges(tables: dict[str, pd.DataFrame]) -> None:
    ids = set(tables["communities"]["community_id"])
    for name in ["staff", "tasks", "facilities", "survey"]:
        assert set(tables[name]["community_id"]) <= ids
    survey = tables["survey"]
    for col in LIKERT:
        assert survey[col].dropna().between(1, 5).all()
    assert survey["overall"].notna().all()
    tasks = tables["tasks"]
    assert (tasks["task_count"] >= 1).all() and (tasks["hours"] >= 0).all()
    assert tasks["hours"].eq(tasks["hours"].round(1)).all()
    assert tasks["period"].str.fullmatch(r"\d{4}-\d{2}").all()


# ---------------------------------------------------------------- communities


def test_seventy_nine_communities_by_street_and_type(communities: pd.DataFrame) -> None:
    assert len(communities) == 79 and (communities["district"] == "仙桃市").all()
    assert communities.index.str.fullmatch(r"XT0\d\d").all()
    names = communities["community_name"]
    assert names.str.endswith("社区").all() and names.is_unique
    split = pd.crosstab(communities["street"], communities["community_type"])
    expected = {"干河街道": (11, 8), "龙华山街道": (5, 11), "沙嘴街道": (3, 13), "工业园区": (2, 3)}
    for street, (urban, converted) in expected.items():
        assert (split.loc[street, "urban"], split.loc[street, "village_converted"]) == (urban, converted)
        assert split.loc[street, "township"] == 0
    assert communities["community_type"].value_counts().to_dict() == {
        "village_converted": 35,
        "township": 23,
        "urban": 21,
    }
    towns = communities.loc[communities["community_type"] == "township", "street"]
    assert towns.str.endswith("镇").all() and towns.value_counts().between(1, 3).all()


def test_population_bands_and_households(communities: pd.DataFrame) -> None:
    bands = band(communities["population"])
    assert bands.value_counts().sort_index().tolist() == [23, 32, 24]
    township = bands[communities["community_type"] == "township"]
    assert (township == 0).sum() > len(township) / 2
    persons = communities["population"] / communities["households"]
    assert persons.between(2.55, 3.35).all()
    assert communities["latitude"].sub(30.36).abs().le(0.25).all()
    assert communities["longitude"].sub(113.45).abs().le(0.25).all()


def test_the_seven_named_communities_exist(communities: pd.DataFrame) -> None:
    streets = communities.set_index("community_name")["street"]
    for name, street in NAMED_FAILING.items():
        assert streets[name] == street


# ---------------------------------------------------------------- staff


def test_people_in_post_match_the_report(in_post: pd.DataFrame) -> None:
    assert len(in_post) == 452
    assert in_post["gender"].value_counts().to_dict() == {"M": 298, "F": 154}
    assert in_post["education"].value_counts().to_dict() == {
        "high_school": 302,
        "junior_or_below": 89,
        "college": 59,
        "bachelor_or_above": 2,
    }
    assert not in_post["certified_social_worker"].any()


def test_women_mostly_in_urban_communities(in_post: pd.DataFrame, communities: pd.DataFrame) -> None:
    women = in_post[in_post["gender"] == "F"]
    urban_area = communities["community_type"].ne("township")
    assert urban_area[women["community_id"]].mean() > 0.75
    pure = communities["community_type"].eq("urban")
    assert pure[women["community_id"]].mean() > pure[in_post["community_id"]].mean()


def test_pay_by_role_in_post(in_post: pd.DataFrame) -> None:
    full = in_post[in_post["employment"] == "full_time"]
    pay = full.groupby("role")["monthly_pay"].agg(["min", "max"])
    assert pay.loc["secretary"].tolist() == [2000, 2000]
    for role in ["deputy_secretary", "director"]:
        assert pay.loc[role].tolist() == [1800, 1800]
    assert pay.loc["member"].tolist() == [1700, 1700]
    part = in_post[in_post["employment"] == "part_time"]
    assert (part["role"] == "member").all() and part["monthly_pay"].between(800, 1200).all()


def test_committee_seats_follow_three_plus_x(in_post: pd.DataFrame, communities: pd.DataFrame) -> None:
    seats = band(communities["population"]).map({0: 5, 1: 6, 2: 7})
    assert seats.sum() == 475
    held = in_post.groupby("community_id").size().reindex(communities.index, fill_value=0)
    vacant = seats - held
    assert vacant.between(0, 1).all() and vacant.sum() == 23
    secretaries = in_post[in_post["role"] == "secretary"].groupby("community_id").size()
    assert secretaries.reindex(communities.index).eq(1).all()
    full = in_post[in_post["employment"] == "full_time"].groupby("community_id").size()
    assert full.le(3).all()


def test_secretary_is_also_director_where_the_committee_has_no_director(
    tables: dict[str, pd.DataFrame], in_post: pd.DataFrame
) -> None:
    """一肩挑: every secretary of a committee whose second seat is a deputy secretary, never anyone else."""
    staff = tables["staff"]
    assert not staff.loc[staff["role"] != "secretary", "also_director"].any()
    joint = staff.groupby("community_id")["also_director"].any()
    has_director = staff["role"].eq("director").groupby(staff["community_id"]).any()
    assert joint.eq(~has_director).all()
    secretaries = staff[staff["role"] == "secretary"]
    assert secretaries.groupby("community_id")["also_director"].nunique().eq(1).all()
    assert joint.sum() == 32  # of 79: source 004 says only "a considerable number" (相当数量)
    in_post_joint = in_post[in_post["role"] == "secretary"].set_index("community_id")["also_director"]
    assert in_post_joint.sum() == 32


def test_staff_dates_are_consistent(tables: dict[str, pd.DataFrame]) -> None:
    staff = tables["staff"]
    assert staff["hire_date"].between(pd.Timestamp(2014, 1, 1), END).all()
    gone = staff.dropna(subset=["exit_date"])
    assert (gone["exit_date"] >= gone["hire_date"]).all() and (gone["exit_date"] <= END).all()
    assert gone["exit_reason"].notna().all()
    assert staff.loc[staff["exit_date"].isna(), "exit_reason"].isna().all()
    assert not staff["certified_social_worker"].any()
    assert (gone["hire_date"].dt.year == gone["exit_date"].dt.year).any()
    assert ((gone["exit_date"].dt.month == 1) & (gone["exit_date"].dt.day == 1)).any()
    assert ((gone["exit_date"].dt.month == 12) & (gone["exit_date"].dt.day == 31)).any()
    top = gone["exit_reason"].value_counts().index[:3]
    assert {"pay", "workload", "career"} & set(top)


def test_recent_turnover_is_moderate(tables: dict[str, pd.DataFrame]) -> None:
    staff = tables["staff"]
    for year in range(LATEST - 4, LATEST + 1):
        start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        hired, left = staff["hire_date"], staff["exit_date"]
        at_start = ((hired < start) & (left.isna() | (left >= start))).sum()
        at_end = ((hired <= end) & (left.isna() | (left > end))).sum()
        rate = (staff["exit_date"].dt.year == year).sum() / ((at_start + at_end) / 2)
        assert 0.10 <= rate <= 0.18, (year, rate)


# ---------------------------------------------------------------- facilities


def test_seventy_one_meet_six_rooms_and_a_hall(in_force: pd.DataFrame, communities: pd.DataFrame) -> None:
    assert len(in_force) == 79 and in_force["ok"].sum() == 71
    failing = set(communities.loc[in_force.index[~in_force["ok"]], "community_name"])
    assert set(NAMED_FAILING) < failing and len(failing) == 8
    assert failing - set(NAMED_FAILING) == {"何场社区"}  # the one the report counts but does not name
    assert (in_force["year"] == LATEST - 1).sum() == 3


def test_facility_mixes(tables: dict[str, pd.DataFrame], in_force: pd.DataFrame, communities: pd.DataFrame) -> None:
    facilities = tables["facilities"]
    assert set(facilities["year"]) == {LATEST - 1, LATEST}
    assert in_force["tenure"].value_counts().to_dict() == {"owned": 67, "rented": 8, "borrowed": 4}
    office_larger = in_force["office_area_m2"] >= in_force["service_area_m2"]
    assert 0 < office_larger.sum() < 20
    budget = in_force["operating_budget_yuan"]
    assert 2 <= budget.isna().sum() <= 3
    urban = communities["community_type"].eq("urban").reindex(in_force.index)
    assert budget[urban].dropna().eq(10_000).mean() > 0.5
    assert budget[~urban].dropna().between(20_000, 60_000).all()


# ---------------------------------------------------------------- tasks


def test_task_ledger(tables: dict[str, pd.DataFrame]) -> None:
    tasks = tables["tasks"]
    periods = sorted(tasks["period"].unique())
    assert periods == [f"{y}-{m:02d}" for y in (LATEST - 1, LATEST) for m in range(1, 13)]
    assert 10_000 <= len(tasks) <= 80_000
    down = tasks[tasks["task_category"] != "self_governance"]
    per_month = down.groupby(["community_id", "period"])["department"].nunique()
    assert per_month.between(8, 14).all()
    admitted = down.loc[down["admitted"], "task_count"].sum() / down["task_count"].sum()
    funded = down.loc[down["funded"], "task_count"].sum() / down["task_count"].sum()
    assert 0.55 <= admitted <= 0.70 and 0.30 <= funded <= 0.50
    own = tasks[tasks["task_category"] == "self_governance"]
    assert own["admitted"].all() and not own["funded"].any()
    by_category = down.groupby("task_category")[["hours", "task_count"]].sum()
    hours = by_category["hours"] / by_category["task_count"]
    assert hours["ledger"] > hours["administrative"] and hours["inspection"] > hours["administrative"]


# ---------------------------------------------------------------- survey


def test_survey_waves(tables: dict[str, pd.DataFrame]) -> None:
    survey = tables["survey"]
    assert survey["survey_date"].dt.month.isin([10, 11]).all()
    sizes = survey.groupby([survey["survey_date"].dt.year, "community_id"]).size()
    assert sizes[LATEST - 1].between(50, 60).all() and len(sizes[LATEST - 1]) == 79
    latest = sizes[LATEST]
    assert sorted(latest[latest < 10].tolist()) == [6, 8, 9]
    assert latest[latest >= 10].between(50, 60).all() and len(latest) == 79
    missing = survey[LIKERT[1:]].isna().mean()
    assert missing.between(0.04, 0.11).all()


def test_weights_for_one_street_in_latest_year(tables: dict[str, pd.DataFrame], communities: pd.DataFrame) -> None:
    survey = tables["survey"]
    weighted = survey.dropna(subset=["weight"])
    assert (weighted["survey_date"].dt.year == LATEST).all()
    assert communities.loc[weighted["community_id"], "street"].nunique() == 1
    assert weighted["weight"].between(0.5, 2.0).all()
    assert weighted["weight"].eq(weighted["weight"].round(2)).all()
    assert len(weighted) < len(survey) / 5


def test_satisfaction_falls_with_administrative_load(tables: dict[str, pd.DataFrame]) -> None:
    tasks = tables["tasks"][tables["tasks"]["period"].str.startswith(str(LATEST))]
    admin = tasks["task_category"].isin(["administrative", "inspection", "ledger", "certificate"])
    hours = tasks.groupby("community_id")["hours"].sum()
    share = tasks[admin].groupby("community_id")["hours"].sum() / hours
    survey = tables["survey"][tables["survey"]["survey_date"].dt.year == LATEST]
    weight = survey["weight"].fillna(1)
    mean = (survey["overall"] * weight).groupby(survey["community_id"]).sum() / weight.groupby(
        survey["community_id"]
    ).sum()
    assert -0.85 < share.corr(mean) < -0.3


# ---------------------------------------------------------------- determinism and files


def test_same_seed_same_frames_other_seed_differs(tables: dict[str, pd.DataFrame]) -> None:
    again = generate()
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, again[name])
    other = generate(seed=1)
    assert not all(frame.equals(other[name]) for name, frame in tables.items())


def test_committed_sample_is_what_generate_writes(tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    paths = write(tables, tmp_path)
    for name, path in paths.items():
        committed = SAMPLE_DIR / f"{name}.csv"
        assert committed.read_bytes() == path.read_bytes(), name
        fresh = pd.read_csv(path, dtype=str, keep_default_na=False)
        stored = pd.read_csv(committed, dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(stored, fresh)
        assert list(stored.columns) == COLUMNS[name] and len(stored) == len(tables[name])


def test_written_values_are_canonical(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    paths = write({"staff": tables["staff"], "tasks": tables["tasks"].head(500)}, tmp_path)
    raw = paths["staff"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    staff = pd.read_csv(paths["staff"], dtype=str, keep_default_na=False)
    assert set(staff["certified_social_worker"]) == {"false"}
    assert set(staff["also_director"]) == {"true", "false"}
    assert staff["hire_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert staff["exit_date"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    tasks = pd.read_csv(paths["tasks"], dtype=str, keep_default_na=False)
    assert set(tasks["admitted"]) | set(tasks["funded"]) <= {"true", "false"}


def test_scale_three() -> None:
    scaled = generate(scale=3)
    communities = scaled["communities"]
    assert len(communities) == 237 and communities["community_id"].is_unique
    assert communities["district"].iloc[0] == "仙桃市" and communities["district"].nunique() > 1
    assert set(scaled["staff"]["community_id"]) <= set(communities["community_id"])
    assert scaled["survey"]["response_id"].is_unique and scaled["staff"]["staff_id"].is_unique
