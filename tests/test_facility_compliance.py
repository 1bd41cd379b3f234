"""Facility compliance (INDICATORS.md, "facility_compliance"; community_eval/indicators/facility_compliance.py).

Its rules worked by hand on the hand-made district (conftest.py) under both standards profiles,
the shortfalls and roll-ups of its page, its export through the command line against the rules
written out in export_district.py, and its page through AppTest on the sample district.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from community_eval.app import view_state
from community_eval.core.standards import load_standards
from community_eval.indicators import facility_compliance
from community_eval.indicators.filters import Filters
from tests.app_pages import figure, link_name, pinyin, switch_on
from tests.export_district import STANDARDS, check_table, expected_facilities, facility_columns

YEAR = 2025


# ---- the query, against pandas on the hand-made district -----------------------------------------


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


# ---- the page's queries --------------------------------------------------------------------------


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


# ---- the export command, against export_district.py ----------------------------------------------


def test_facility_compliance_default_profile_csv(exports, frames):
    profile = STANDARDS["default_profile"]
    expected = expected_facilities(frames, 2025, profile)
    check_table(exports, "facility_compliance", expected, "community_id", facility_columns(profile))


def test_facility_compliance_named_profile_json_file(exports, frames):
    expected = expected_facilities(frames, 2025, "national_2021")
    check_table(exports, "facility_national", expected, "community_id", facility_columns("national_2021"))


# ---- the page, on the sample district ------------------------------------------------------------


def test_switching_the_standards_profile_changes_the_facility_rules(app):
    def matrix_columns(at: AppTest) -> list[str]:
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        heatmap = next(s for s in specs if s["data"][0]["type"] == "heatmap")
        return heatmap["data"][0]["x"]

    seed = app(lang="en").run().switch_page("pages/facilities.py").run()
    national = app(lang="en", profile="national_2021").run().switch_page("pages/facilities.py").run()
    assert len(matrix_columns(seed)) == 6
    assert matrix_columns(national) == ["Area per 100 households", "Resident space share", "Tenure"]
    assert seed.markdown[0].value != national.markdown[0].value


def test_the_facilities_page_stays_short_when_many_communities_fail(app):
    """A province has thousands of failing communities: the page lists the worst, the table all."""

    at = app(lang="en").run().switch_page("pages/facilities.py").run()
    (table,) = [d.value for d in at.dataframe]
    assert "rules_passed" in table.columns and "rule_tenure" not in table.columns, "key columns first"
    switch_on(at, "columns_facility_compliance")
    (table,) = [d.value for d in at.dataframe]
    rules = [c for c in table.columns if c.startswith("rule_")]
    failing = table[(table[rules] == "fail").any(axis=1)]
    assert len(table) == 79 and len(rules) == 6 and len(failing) > 10
    listing = [m.value for m in at.markdown if m.value.startswith("- **")][-1]  # after the rules list
    listed = [re.match(r"- \*\*(.+?)\*\*", line).group(1) for line in listing.splitlines()]
    names = failing.assign(name=failing["community_name"].map(view_state.name_from_link))
    # fewest rules passed first; as many, in pinyin order (pypinyin's reading, syllable by syllable)
    ordered = sorted(zip(names["rules_passed"], names["name"], strict=True), key=lambda row: (row[0], pinyin(row[1])))
    fewest = [name for _, name in ordered[:10]]
    assert listed == fewest, "the ten that pass fewest rules, in that order"
    captions = " ".join(c.value for c in at.caption)
    assert f"The 10 that pass fewest rules are listed; {len(failing)} fail in all" in captions
    assert f"Showing the 10 communities that fail most rules; {len(failing)} of the 79 judged" in captions


def test_the_facilities_grid_shows_failing_communities_until_asked_for_all(app):
    at = app(lang="en").run().switch_page("pages/facilities.py").run()
    (table,) = [d.value for d in switch_on(at, "columns_facility_compliance").dataframe]
    rules = [c for c in table.columns if c.startswith("rule_")]
    failing = set(table.loc[(table[rules] == "fail").any(axis=1), "community_name"].map(link_name))
    grid = figure(at, "Rules met, ")["data"][0]
    assert len(grid["y"]) == 10 and set(grid["y"]) <= failing, "ten communities, every one failing"
    switch_on(at, "all_facilities_matrix")
    grid = figure(at, "Rules met, ")["data"][0]
    assert sorted(grid["y"]) == sorted(table["community_name"].map(link_name)), "all 79"
