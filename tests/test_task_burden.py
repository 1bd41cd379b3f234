"""Task burden (INDICATORS.md, "task_burden"; community_eval/indicators/task_burden.py).

Its query against pandas and scipy on the hand-made district (conftest.py), the chart queries
of its page, its export through the command line against the definitions written out in
export_district.py, and its page through AppTest on the sample district.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from community_eval.core.schema import ADMINISTRATIVE_CATEGORIES, TASK_CATEGORIES
from community_eval.indicators import task_burden
from community_eval.indicators.filters import Filters
from tests.app_pages import ENTRY, unpacked
from tests.definitions import ADMIN, close, in_post_end, weighted_mean
from tests.export_district import COLUMNS, check_table, expected_task_burden

YEAR = 2025


# ---- the query, against pandas on the hand-made district -----------------------------------------


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


# ---- the page's queries --------------------------------------------------------------------------


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


def test_relation_reading_when_every_community_has_the_same_share():
    """No correlation exists when one of the two measures does not vary: say so, don't crash."""
    from community_eval.core.i18n import Translator
    from community_eval.readings.task_burden import relation_reading

    fit = pd.Series({"correlation": np.nan, "n_communities": 4, "p_value": np.nan, "slope": np.nan})
    for lang in ("zh", "en"):
        assert relation_reading(Translator(lang), fit) == Translator(lang)("relation.undefined", n=4)


def test_departments_rules_shares(known_store, known_frames):
    tasks = known_frames["tasks"]
    down = tasks[(tasks["period"].dt.year == YEAR) & (tasks["task_category"] != "self_governance")]
    actual = task_burden.task_by_department(known_store, Filters(), YEAR).set_index("department")
    for department, group in down.groupby("department"):
        assert actual.at[department, "tasks"] == group["task_count"].sum()
        share = group.loc[~group["admitted"], "task_count"].sum() / group["task_count"].sum()
        assert actual.at[department, "unadmitted_share"] == pytest.approx(share)


# ---- the export command, against export_district.py ----------------------------------------------


def test_task_burden_default_year_csv(exports, frames):
    check_table(exports, "task_burden", expected_task_burden(frames, 2025), "community_id", COLUMNS["task_burden"])


def test_task_burden_given_year_json(exports, frames):
    check_table(exports, "task_burden_2024", expected_task_burden(frames, 2024), "community_id", COLUMNS["task_burden"])


# ---- the page, on the sample district ------------------------------------------------------------


#: Task category codes by their Chinese names, as the charts' legends show them.
TASK_CATEGORY_CODES = {value.zh: value.code for value in TASK_CATEGORIES}


def test_where_the_hours_go_is_each_streets_own_split(app):
    """Three big streets used to flatten the towns: each bar is now 100 % of its street's own hours."""
    sample = Path(ENTRY).parent / "sample_data"
    tasks = pd.read_csv(sample / "tasks.csv").merge(pd.read_csv(sample / "communities.csv"), on="community_id")
    tasks = tasks[tasks["period"].str.startswith("2025")]
    hours = tasks.groupby(["street", "task_category"])["hours"].sum()
    expected = hours / hours.groupby(level="street").transform("sum")
    admin = expected[expected.index.get_level_values(1).isin(ADMINISTRATIVE_CATEGORIES)].groupby(level=0).sum()
    at = app(lang="zh").run().switch_page("pages/task_burden.py").run()
    assert not at.exception, [e.message for e in at.exception]
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    (spec,) = [s for s in specs if s["layout"]["title"]["text"] == "2025年工时去向：各类事项占工时的比例"]
    drawn = pd.Series(
        {
            (street, TASK_CATEGORY_CODES[trace["name"]]): share
            for trace in spec["data"]
            for street, share in zip(unpacked(trace["y"]), unpacked(trace["x"]), strict=True)
        }
    )
    drawn.index = drawn.index.set_names(["street", "task_category"])
    assert drawn.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())
    assert drawn.groupby(level="street").sum().to_numpy() == pytest.approx(1.0)
    # the most administrative street at the top (plotly's last category)
    assert spec["layout"]["yaxis"]["categoryarray"] == list(admin.sort_values().index)
    assert spec["layout"]["xaxis"]["title"]["text"] == "占其全部工时的比例（%）"
