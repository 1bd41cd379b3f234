"""Staff turnover (INDICATORS.md, "staff_turnover"; community_eval/indicators/staff_turnover.py).

Its counts, rates, pay and 一肩挑 share against pandas on the hand-made district (conftest.py),
the yearly series, exit reasons, tenure bands and staffing of its page, its export through the
command line against export_district.py, and the staff page through AppTest on the sample district.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from community_eval.core.standards import load_standards
from community_eval.indicators import staff_turnover
from community_eval.indicators.filters import Filters
from tests.app_pages import ENTRY, switch_on, visible_text
from tests.definitions import close, in_post_end
from tests.export_district import COLUMNS, check_table, expected_turnover, output_rows

YEAR = 2025


# ---- the query, against pandas on the hand-made district -----------------------------------------


def expected_turnover_of(staff: pd.DataFrame, year: int) -> dict[str, float]:
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
        expected = expected_turnover_of(staff[staff["community_id"] == community], YEAR)
        for column, value in expected.items():
            assert close(actual.at[community, column], value), (community, column)
    total = staff_turnover.staff_turnover(known_store, Filters(), YEAR, standards, level="all").iloc[0]
    for column, value in expected_turnover_of(staff, YEAR).items():
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


# ---- the page's queries --------------------------------------------------------------------------


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


# ---- the export command, against export_district.py ----------------------------------------------


def test_staff_turnover_default_year_with_total_row_last(exports, frames):
    expected = expected_turnover(frames, 2025)
    check_table(exports, "staff_turnover", expected, "community_id", COLUMNS["staff_turnover"])
    _, rows, _ = output_rows(exports, "staff_turnover")
    assert rows[-1]["community_id"] == "ALL" and [r["community_id"] for r in rows].count("ALL") == 1
    assert "C06" not in {r["community_id"] for r in rows}  # a community without staff has no row


def test_staff_turnover_given_year_json(exports, frames):
    expected = expected_turnover(frames, 2024)
    assert "C05" not in set(expected["community_id"])  # its staff were all hired in 2025
    check_table(exports, "staff_turnover_2024", expected, "community_id", COLUMNS["staff_turnover"])


# ---- the page, on the sample district ------------------------------------------------------------


def test_the_staff_page_shows_the_share_of_secretaries_who_are_also_director(app):
    """一肩挑 in the sample district: 32 of 79 communities, in 2025 as in 2024."""
    at = app(lang="en").run().switch_page("pages/staff.py").run()
    assert not at.exception, [e.message for e in at.exception]
    joint = next(m for m in at.metric if m.label == "Secretary also director (一肩挑)")
    assert joint.value == "40.5%" and joint.proto.delta == "+0.0 pp on last year"
    assert any("In 32 of 79 communities with staff records" in c.value for c in at.caption)
    (table,) = [d.value for d in switch_on(at, "columns_staff_turnover").dataframe]
    assert table["joint_secretary_director"].sum() == 32 and set(table["joint_secretary_director"]) == {0, 1}
    zh = app(lang="zh").run().switch_page("pages/staff.py").run()
    assert next(m for m in zh.metric if m.label == "书记主任一肩挑").value == "40.5%"


def test_nobody_certified_is_one_sentence_not_a_column_of_zeros(app):
    """The sample district has no certified social worker: said once, not "0.0%" on 79 rows."""
    staff = pd.read_csv(Path(ENTRY).parent / "sample_data" / "staff.csv")
    assert not staff["certified_social_worker"].astype(str).str.lower().isin(["true", "1", "是"]).any()
    at = app(lang="zh").run().switch_page("pages/staff.py").run()
    assert not at.exception, [e.message for e in at.exception]
    texts = visible_text(at)
    assert not any("持证社工占 0.0%" in text for text in texts), texts
    assert any("其中没有持证社工" in text for text in texts)
    assert any(c.value.startswith("持证社工占比：所有社区均为 0") for c in at.caption)
    (table,) = [d.value for d in at.dataframe]
    assert "certified_share" not in table.columns and "turnover_rate" in table.columns
