"""Staff retention (Kaplan–Meier) against lifelines, the reference implementation.

Durations and events are derived here from the DataFrames with pandas, straight from
INDICATORS.md; lifelines' KaplanMeierFitter then gives S(t) and its default band
(exponential Greenwood), and at_risk is counted by hand. The known district covers the
edges (an exit on the as-of date, someone hired after it, someone hired on it, a
retirement, a group in which everyone leaves); a seeded random district covers ties,
exits on the day of hire and many groups. Then its export through the command line against
export_district.py, and the retention curves on the staff page through AppTest.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from streamlit.testing.v1 import AppTest

from community_eval.db.store import Store
from community_eval.indicators.filters import Filters
from community_eval.indicators.staff_retention import retention_curves, staff_retention
from community_eval.ingest.loader import ingest_paths
from tests.export_district import AS_OF, COLUMNS, check_table, expected_retention

MONTHS = [0, 6, 12, 24, 36, 60]
HORIZONS = [m * 365.25 / 12 for m in MONTHS]
BYS = ("all", "community_type", "role")

# 2025-06-15: P10 leaves on the as-of date. 2025-01-15: P03 is hired after it (2025-02-01).
# 2025-01-01: P02 leaves and P04 is hired on the as-of date. 2025-12-31: P05 retires on it.
KNOWN_AS_OF = ("2025-12-31", "2025-06-15", "2025-01-15", "2025-01-01", "2019-12-31")
RANDOM_AS_OF = ("2025-12-31", "2020-07-01", "2011-03-01")


def assert_close(actual, expected) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=1e-9, atol=1e-9, equal_nan=True
    )


# ---- the definition, with pandas ---------------------------------------------------------


def km_inputs(frames: dict[str, pd.DataFrame], as_of: str, retirement_censored: bool) -> pd.DataFrame:
    """One row per person hired on or before ``as_of``: duration in days, event, groups."""
    when = pd.Timestamp(as_of)
    types = frames["communities"].set_index("community_id")["community_type"]
    people = frames["staff"][frames["staff"]["hire_date"] <= when].copy()
    left = people["exit_date"].notna() & (people["exit_date"] <= when)
    end = people["exit_date"].where(left, when)
    retired = (people["exit_reason"] == "retirement").fillna(False).astype(bool)
    people["duration"] = (end - people["hire_date"]).dt.days.astype(float)
    people["event"] = left & ~(retired & retirement_censored)
    people["community_type"] = people["community_id"].map(types)
    people["all"] = "ALL"
    return people


def fitted(people: pd.DataFrame) -> KaplanMeierFitter:
    return KaplanMeierFitter().fit(people["duration"], event_observed=people["event"])


def groups(people: pd.DataFrame, by: str) -> dict[str, pd.DataFrame]:
    return {str(key): group for key, group in people.groupby(by)}


# ---- checks against lifelines ------------------------------------------------------------


def check_at_horizons(actual: pd.DataFrame, people: pd.DataFrame) -> None:
    assert list(actual.columns) == ["months", "at_risk", "survival"]
    assert actual["months"].tolist() == MONTHS
    expected_at_risk = [int((people["duration"] >= t).sum()) for t in HORIZONS]
    assert actual["at_risk"].tolist() == expected_at_risk
    if people.empty:
        assert actual["survival"].isna().all()
        return
    assert_close(actual["survival"], fitted(people).survival_function_at_times(HORIZONS).to_numpy())


def check_curve(curve: pd.DataFrame, people: pd.DataFrame) -> None:
    """Rows at day 0 and every exit day match lifelines' estimate, band and event table."""
    kmf = fitted(people)
    exit_days = sorted(people.loc[people["event"], "duration"].unique())
    if 0.0 in exit_days:
        days = exit_days
    else:
        days = [0.0, *exit_days]
        origin = curve.iloc[0]
        assert (origin["duration_days"], origin["events"], origin["at_risk"]) == (0, 0, len(people))
        assert (origin["survival"], origin["ci_low"], origin["ci_high"]) == (1.0, 1.0, 1.0)
    assert curve["duration_days"].astype(float).tolist() == days
    assert_close(curve["months"], curve["duration_days"] / (365.25 / 12))
    assert curve["at_risk"].tolist() == [int((people["duration"] >= t).sum()) for t in days]
    assert curve["events"].tolist() == [int((people["event"] & (people["duration"] == t)).sum()) for t in days]
    assert_close(curve["survival"], kmf.survival_function_at_times(days).to_numpy())
    if exit_days:
        band = kmf.confidence_interval_.loc[exit_days]
        rows = curve[curve["events"] > 0]
        assert_close(rows["ci_low"], band.iloc[:, 0].to_numpy())
        assert_close(rows["ci_high"], band.iloc[:, 1].to_numpy())
    assert (curve["ci_low"] <= curve["survival"] + 1e-12).all()
    assert (curve["survival"] <= curve["ci_high"] + 1e-12).all()


def check_everything(store: Store, frames, as_of: str, retirement_censored: bool, by: str) -> None:
    people = km_inputs(frames, as_of, retirement_censored)
    date = dt.date.fromisoformat(as_of)
    if by == "all":
        check_at_horizons(staff_retention(store, Filters(), date, retirement_censored), people)
    curves = retention_curves(store, Filters(), date, by=by, retirement_censored=retirement_censored)
    expected = groups(people, by)
    assert sorted(curves["group_key"].unique()) == sorted(expected)
    for key, group in expected.items():
        check_curve(curves[curves["group_key"] == key].reset_index(drop=True), group)


# ---- the known district ------------------------------------------------------------------


@pytest.mark.parametrize("by", BYS)
@pytest.mark.parametrize("retirement_censored", [False, True])
@pytest.mark.parametrize("as_of", KNOWN_AS_OF)
def test_known_district_matches_lifelines(known_store, known_frames, as_of, retirement_censored, by):
    check_everything(known_store, known_frames, as_of, retirement_censored, by)


def test_staff_hired_after_the_as_of_date_are_left_out(known_store):
    """On 15 Jan 2025 eleven of the twelve had been hired: P03 starts on 1 Feb 2025."""
    result = staff_retention(known_store, Filters(), dt.date(2025, 1, 15))
    assert result["at_risk"].iloc[0] == 11
    assert staff_retention(known_store, Filters(), dt.date(2025, 2, 1))["at_risk"].iloc[0] == 12


def test_at_risk_by_hand(known_store):
    """As of 31 Dec 2025, worked from conftest: who had been observed for 6, 12, 24 … months."""
    result = staff_retention(known_store, Filters(), dt.date(2025, 12, 31)).set_index("months")
    # 12 months (365.25 days): not P03 (302 days) nor P04 (364); 24 months: nor P08 (578);
    # 36 months: nor P10 (896); 60 months (1826.25 days): P01, P02, P05, P06 and P09 only,
    # P07 having left after 1,826 days, P11 being at 1,825 and P12 at 1,460.
    assert result["at_risk"].tolist() == [12, 12, 10, 9, 8, 5]
    # S: P03 leaves at 302 days of 12 at risk, P10 at 896 of 9, P07 at 1,826 of 6.
    s12, s36 = 11 / 12, 11 / 12 * 8 / 9
    assert result["survival"].tolist() == pytest.approx([1, 1, s12, s12, s36, s36 * 5 / 6])


def test_exit_on_the_as_of_date_is_an_event(known_store):
    """P10 (hired 2023-01-01) leaves on 2025-06-15: an event at 896 days as of that day."""
    curve = retention_curves(known_store, Filters(), dt.date(2025, 6, 15))
    row = curve.set_index("duration_days").loc[896]
    assert row["events"] == 1


def test_everyone_leaving_drops_survival_to_zero(known_store):
    """Secretaries as of 2025-12-31: P05 is the only one observed past 4,000 days and leaves."""
    curve = retention_curves(known_store, Filters(), dt.date(2025, 12, 31), by="role")
    last = curve[curve["group_key"] == "secretary"].iloc[-1]
    assert (last["survival"], last["ci_low"], last["ci_high"]) == (0.0, 0.0, 0.0)
    censored = retention_curves(known_store, Filters(), dt.date(2025, 12, 31), by="role", retirement_censored=True)
    assert censored[censored["group_key"] == "secretary"]["events"].sum() == 0


def test_filters_and_empty_scope(known_store, known_frames):
    result = staff_retention(known_store, Filters(street="西镇"), dt.date(2025, 12, 31))
    people = km_inputs(known_frames, "2025-12-31", False)
    check_at_horizons(result, people[people["community_id"].isin(["C3", "C4"])])
    empty = staff_retention(known_store, Filters(district="无此区"), dt.date(2025, 12, 31))
    check_at_horizons(empty, people.iloc[0:0])
    assert retention_curves(known_store, Filters(district="无此区"), dt.date(2025, 12, 31)).empty


def test_grouping_is_checked(known_store):
    with pytest.raises(ValueError, match="by must be one of"):
        retention_curves(known_store, Filters(), dt.date(2025, 12, 31), by="gender")


# ---- a larger random district with ties --------------------------------------------------


def random_frames(seed: int = 20250101, n_staff: int = 400) -> dict[str, pd.DataFrame]:
    """Hires on the first of a month and tenures in whole months, so many durations tie;
    some leave on the day they start; a fifth of exits are retirements."""
    rng = np.random.default_rng(seed)
    types = ["urban", "village_converted", "township", "rural", "urban", "township"]
    communities = pd.DataFrame(
        {
            "community_id": [f"R{i}" for i in range(1, 7)],
            "community_name": [f"随机{i}社区" for i in range(1, 7)],
            "district": ["随机区"] * 6,
            "street": ["甲街道", "甲街道", "乙街道", "乙街道", "丙镇", "丙镇"],
            "community_type": types,
            "population": rng.integers(2000, 15000, 6),
            "households": rng.integers(600, 5000, 6),
        }
    )
    months_since_2005 = rng.integers(0, 20 * 12 + 6, n_staff)
    hire = pd.to_datetime({"year": 2005 + months_since_2005 // 12, "month": months_since_2005 % 12 + 1, "day": 1})
    tenure = rng.choice([0, 1, 3, 6, 12, 18, 24, 36, 48, 60, 84, 120], n_staff)
    leaves = rng.random(n_staff) < 0.6
    exit_date = pd.Series([h + pd.DateOffset(months=int(t)) for h, t in zip(hire, tenure, strict=True)])
    exit_date = exit_date.where(leaves & (exit_date <= pd.Timestamp("2025-12-31")))
    reasons = rng.choice(["pay", "workload", "career", "retirement", "dismissal", "other", "retirement"], n_staff)
    staff = pd.DataFrame(
        {
            "staff_id": [f"S{i:04d}" for i in range(n_staff)],
            "community_id": rng.choice(communities["community_id"], n_staff),
            "role": rng.choice(["secretary", "director", "member", "grid_worker", "other"], n_staff),
            "employment": rng.choice(["full_time", "part_time"], n_staff),
            "hire_date": hire,
            "exit_date": exit_date,
            "exit_reason": pd.Series(reasons).where(exit_date.notna()),
        }
    )
    return {"communities": communities, "staff": staff}


@pytest.fixture(scope="module")
def random_district(tmp_path_factory):
    frames = random_frames()
    folder = tmp_path_factory.mktemp("random_staff")
    paths = []
    for name, frame in frames.items():
        out = frame.copy()
        for column in ("hire_date", "exit_date"):
            if column in out:
                out[column] = out[column].dt.strftime("%Y-%m-%d")
        out.to_csv(folder / f"{name}.csv", index=False)
        paths.append(folder / f"{name}.csv")
    store = Store(str(folder / "random.duckdb"))
    reports = ingest_paths(store, paths)
    assert all(r.loaded for r in reports), [(r.file_name, r.problems[:3]) for r in reports]
    yield store, frames
    store.close()


def test_random_district_has_ties_and_same_day_exits(random_district):
    _, frames = random_district
    people = km_inputs(frames, "2025-12-31", False)
    exits = people.loc[people["event"], "duration"]
    assert exits.duplicated().sum() > 50 and (exits == 0).any()


@pytest.mark.parametrize("by", BYS)
@pytest.mark.parametrize("retirement_censored", [False, True])
@pytest.mark.parametrize("as_of", RANDOM_AS_OF)
def test_random_district_matches_lifelines(random_district, as_of, retirement_censored, by):
    store, frames = random_district
    check_everything(store, frames, as_of, retirement_censored, by)


# ---- the export command, against export_district.py ----------------------------------------------


def test_staff_retention_as_of_csv_file(exports, frames):
    check_table(exports, "staff_retention", expected_retention(frames, AS_OF), "months", COLUMNS["staff_retention"])


def test_staff_retention_defaults_to_today_json(exports, frames):
    expected = expected_retention(frames, dt.date.today().isoformat())
    check_table(exports, "staff_retention_today", expected, "months", COLUMNS["staff_retention"])


# ---- the page, on the sample district ------------------------------------------------------------


def test_retention_curves_follow_the_chosen_grouping(app):
    at = app(lang="en").run().switch_page("pages/staff.py").run().run()

    def curve_names(at: AppTest) -> set[str]:
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        retention = next(s for s in specs if "Retention curve" in s["layout"]["title"]["text"])
        return {trace["name"] for trace in retention["data"] if trace.get("name")}

    assert curve_names(at) == {"Urban", "Village-converted", "Township"}
    control = next(c for c in at.get("segmented_control") if c.label == "Group by")
    control.set_value("role").run()
    assert {"Secretary", "Member"} <= curve_names(at)
