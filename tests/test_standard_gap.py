"""The bill to reach the standard (INDICATORS.md, "standard_gap").

Its export through the command line on the seeded district of export_district.py, every column
under both standards profiles and for a given year, against the pandas computation written out
there from the definition; that computation itself against cells worked by hand on the seeded
district; and a small hand-made district of edges (the 3+X population bands and the 18-per-10,000
ceiling at their limits, a shortfall of exactly 0, an exit on 31 Dec, a hire on 31 Dec, a grid
worker, pay above the reference and pay missing) whose every cell is worked by hand and checked
in the export and in the pandas computation alike, and whose default year (a later facilities row,
2026, a year no district has a reference wage for) is the facilities' latest.
"""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

from tests.conftest import database_from
from tests.definitions import FACILITY_COLUMNS
from tests.export_district import COLUMNS, check_table, expected_standard_gap, output_rows, run, same

GAP = COLUMNS["standard_gap"]
ORDER = ["C01", "C02", "C03", "C04", "C05", "C06", "ALL"]


# ---- the export command, against export_district.py ----------------------------------------------


def test_standard_gap_default_profile_and_year_csv(exports, frames):
    """seed_2016, Y = 2025 (the latest facilities year): every community, then ALL."""
    expected = expected_standard_gap(frames, 2025, "seed_2016")
    check_table(exports, "standard_gap", expected, "community_id", GAP)
    _, rows, fmt = output_rows(exports, "standard_gap")
    assert fmt == "csv" and [row["community_id"] for row in rows] == ORDER


def test_standard_gap_national_profile_json(exports, frames):
    expected = expected_standard_gap(frames, 2025, "national_2021")
    check_table(exports, "standard_gap_national", expected, "community_id", GAP)
    _, rows, _ = output_rows(exports, "standard_gap_national")
    assert [row["community_id"] for row in rows] == ORDER


def test_standard_gap_given_year_json(exports, frames):
    """2024: C01's borrowed 2023 premises are the row in force, C03 has none yet, C05 nobody in post."""
    expected = expected_standard_gap(frames, 2024, "seed_2016")
    check_table(exports, "standard_gap_2024", expected, "community_id", GAP)
    _, rows, _ = output_rows(exports, "standard_gap_2024")
    assert [row["community_id"] for row in rows] == ORDER


# ---- the pandas computation, against cells worked by hand on the seeded district -----------------


def test_expected_standard_gap_by_hand_seed(frames):
    gap = expected_standard_gap(frames, 2025, "seed_2016").set_index("community_id")
    # C01 (2025 row): 80 + 260 = 340 m², 1,500 households → required max(300, 20 × 15 = 300, tier
    # ≥ 1,000 → 200) = 300, short 0; 6 rooms and a hall; owned; 2,000 × 15 = 30,000 < 40,000 yuan.
    c01 = gap.loc["C01"]
    assert (c01["year"], c01["required_area_m2"], c01["area_short_m2"], c01["rooms_short"]) == (2025, 300.0, 0.0, 0)
    assert c01["borrowed"] is False and c01["budget_short_yuan"] == 0.0 and c01["one_off_yuan"] == 0.0
    assert c01["seats_required"] == 5  # population 4,000 ≤ 4,999
    # C02 (only a 2024 row): 150 + 200 = 350 m², 4,200 households → required max(300, 840, 300) =
    # 840, short 490; budget 84,000 − 50,000 = 34,000; population 12,000 → 7 seats.
    c02 = gap.loc["C02"]
    assert (c02["year"], c02["required_area_m2"], c02["area_short_m2"]) == (2024, 840.0, 490.0)
    assert c02["budget_short_yuan"] == 34000.0 and c02["seats_required"] == 7
    assert c02["one_off_yuan"] == 490 * 3000
    # C03: 60 + 90.5 = 150.5 m², 800 households → required max(300, 160; no tier minimum) = 300,
    # short 149.5; 4 rooms, no hall → 2 + 1 = 3; borrowed → one-off 149.5 × 3,000 + 150,000;
    # budget missing → null and named; population 6,000 → 6 seats.
    c03 = gap.loc["C03"]
    assert (c03["required_area_m2"], c03["area_short_m2"], c03["rooms_short"]) == (300.0, 149.5, 3)
    assert c03["borrowed"] is True and c03["one_off_yuan"] == pytest.approx(598500.0)
    assert c03["budget_short_yuan"] is None and c03["parts_unknown"] == "budget_short_yuan"
    assert c03["seats_required"] == 6 and c03["resident_space_short_m2"] is None
    # C06: no facilities row, nobody on the staff, 测试区 has no reference wage; population 5,000 →
    # 6 seats (over 4,999), all short: 6 × 41,000 a year.
    c06 = gap.loc["C06"]
    assert c06["year"] is None and c06["required_area_m2"] is None and c06["borrowed"] is None
    assert (c06["seats_required"], c06["seats_in_post"], c06["seats_short"]) == (6, 0, 6)
    assert c06["pay_gap_yuan"] is None and c06["one_off_yuan"] == 0.0 and c06["annual_yuan"] == 246000.0
    assert c06["parts_unknown"] == "area_short_m2,borrowed,budget_short_yuan,pay_gap_yuan"
    total = gap.loc["ALL"]
    assert total["year"] == 2025 and total["borrowed"] is None
    assert total["required_area_m2"] == 300 + 840 + 300 + 300  # C04 (2023 row): 320 m², 1,000 households
    assert total["area_short_m2"] == 490 + 149.5 and total["rooms_short"] == 3
    assert total["resident_space_short_m2"] is None and total["budget_short_yuan"] == 34000.0
    assert total["seats_required"] == 5 + 7 + 6 + 5 + 6 + 6
    assert total["parts_unknown"] == "area_short_m2,borrowed,budget_short_yuan,pay_gap_yuan"


def test_expected_standard_gap_by_hand_national(frames):
    gap = expected_standard_gap(frames, 2025, "national_2021").set_index("community_id")
    # C03: required 30 × 8 = 240, short 240 − 150.5 = 89.5; residents' space 0.6 × max(150.5, 240)
    # − 90.5 = 53.5; borrowed → 89.5 × 3,000 + 150,000; no rooms or budget rule: null, not named.
    c03 = gap.loc["C03"]
    assert (c03["required_area_m2"], c03["area_short_m2"]) == (240.0, 89.5)
    assert c03["resident_space_short_m2"] == pytest.approx(53.5) and c03["one_off_yuan"] == 418500.0
    assert c03["rooms_short"] is None and c03["budget_short_yuan"] is None and c03["parts_unknown"] == ""
    assert c03["seats_required"] == 11  # ceil(18 × 6,000 / 10,000 = 10.8)
    # C04 (2023 row, 100 + 220 m², 1,000 households): required 300, short 0; 0.6 × 320 − 220 < 0 → 0.
    c04 = gap.loc["C04"]
    assert (c04["area_short_m2"], c04["resident_space_short_m2"]) == (0.0, 0.0)
    # C06: ceil(18 × 5,000 / 10,000) = 9 exactly, nobody in post; the budget is not priced here.
    c06 = gap.loc["C06"]
    assert (c06["seats_required"], c06["seats_short"], c06["annual_yuan"]) == (9, 9, 369000.0)
    assert c06["parts_unknown"] == "area_short_m2,borrowed,pay_gap_yuan"
    # seats in post: every worker under national_2021, the committee roles only under seed_2016
    seed = expected_standard_gap(frames, 2025, "seed_2016").set_index("community_id")
    assert gap.at["C05", "seats_in_post"] == 6 and seed.at["C05", "seats_in_post"] == 4  # two grid workers


# ---- a hand-made district of edges, every cell worked by hand ------------------------------------

# E1 仙桃市, 4,999 people, 999 households; E2 仙桃市, 5,000 / 2,000; E3 测试区 (no reference
# wage), 10,000 / 1,200, no facilities row; E4 仙桃市, 10,001 / 3,000. Y = 2025, reference 3,416.67.
EDGE_COMMUNITIES = pd.DataFrame(
    {
        "community_id": ["E1", "E2", "E3", "E4"],
        "community_name": ["边一社区", "边二社区", "边三社区", "边四社区"],
        "district": ["仙桃市", "仙桃市", "测试区", "仙桃市"],
        "street": ["东街道", "东街道", "西镇", "西镇"],
        "community_type": ["urban", "urban", "rural", "urban"],
        "population": [4999, 5000, 10000, 10001],
        "households": [999, 2000, 1200, 3000],
    }
)
EDGE_STAFF_ROWS = [
    # staff_id, community, role, pay, hire, exit
    ("A1", "E1", "secretary", 3000.0, "2020-01-01", None),  # (3,416.67 − 3,000) × 12 = 5,000.04
    ("A2", "E1", "deputy_secretary", None, "2025-12-31", None),  # hired on 31 Dec: in post; pay unknown
    ("A3", "E1", "member", 2000.0, "2019-01-01", "2025-12-31"),  # left on 31 Dec: not in post
    ("A4", "E1", "grid_worker", 3416.67, "2018-05-01", None),  # a worker, not a committee seat; gap 0
    ("A5", "E1", "director", 4000.0, "2021-03-01", None),  # paid above the reference: 0, not negative
    ("B1", "E3", "deputy_director", 1000.0, "2022-01-01", None),  # 测试区: no reference wage
]
EDGE_FACILITIES_ROWS = [
    # community, year, office, service, rooms, hall, tenure, budget
    ("E1", 2025, 100.0, 100.0, 6, True, "borrowed", 19980.0),
    ("E2", 2025, 250.0, 150.0, 7, False, "rented", 0.0),
    ("E4", 2025, 500.0, 500.0, 8, True, "owned", None),
    ("E4", 2026, 10.0, 10.0, 1, False, "borrowed", 1.0),  # after Y: not the row in force
]

# Under seed_2016:
# E1: required max(300, 20 × 9.99 = 199.8; under 1,000 households no tier minimum) = 300, 200 m²
#     → short 100; 6 rooms + hall → 0; borrowed; budget 2,000 × 9.99 = 19,980 → short exactly 0;
#     seats: 4,999 → 5, in post A1 A2 A5 = 3 → short 2; pay gap 5,000.04 (A2 unknown, A3 gone,
#     A4 and A5 0); one-off 100 × 3,000 + 150,000 = 450,000; annual 2 × 41,000 + 5,000.04.
# E2: required max(300, 400, tier ≥ 2,000 → 300) = 400 = 250 + 150 → short exactly 0; 7 rooms, no
#     hall → 1; rented; budget 40,000 − 0; 5,000 → 6 seats, nobody → 6 short; pay gap 0.0 (known
#     reference, nobody to pay); annual 40,000 + 6 × 41,000.
# E3: no facilities row; 10,000 → 6 seats, B1 in post → 5 short; no reference wage → null.
# E4: the 2025 row: required max(300, 600, 300) = 600 ≤ 1,000 → 0; budget unknown → null and
#     named; 10,001 → 7 seats, nobody → 7 short; pay gap 0.0.
EDGE_SEED = {
    "E1": [2025, 300.0, 100.0, 0, None, True, 0.0, 5, 3, 2, 5000.04, 450000.0, 87000.04, ""],
    "E2": [2025, 400.0, 0.0, 1, None, False, 40000.0, 6, 0, 6, 0.0, 0.0, 286000.0, ""],
    "E3": [None, None, None, None, None, None, None, 6, 1, 5, None, 0.0, 205000.0, None],
    "E4": [2025, 600.0, 0.0, 0, None, False, None, 7, 0, 7, 0.0, 0.0, 287000.0, "budget_short_yuan"],
    "ALL": [2025, 1300.0, 100.0, 1, None, None, 40000.0, 24, 4, 20, 5000.04, 450000.0, 865000.04, None],
}
EDGE_SEED["E3"][-1] = EDGE_SEED["ALL"][-1] = "area_short_m2,borrowed,budget_short_yuan,pay_gap_yuan"

# Under national_2021 (no rooms or budget rule; every worker counts):
# E1: required 30 × 9.99 = 299.7, short 99.7; residents' space 0.6 × 299.7 − 100 = 79.82;
#     seats ceil(18 × 0.4999 = 8.9982) = 9, in post A1 A2 A4 A5 = 4 → 5 short;
#     one-off 99.7 × 3,000 + 150,000 = 449,100; annual 5 × 41,000 + 5,000.04.
# E2: required 600, short 200; 0.6 × 600 − 150 = 210; ceil(9.0) = 9 → 9 short; one-off 600,000.
# E3: ceil(18.0) = 18, B1 → 17 short.
# E4: required 900 ≤ 1,000 → 0; 0.6 × 1,000 − 500 = 100; ceil(18.0018) = 19 → 19 short.
EDGE_NATIONAL = {
    "E1": [2025, 299.7, 99.7, None, 79.82, True, None, 9, 4, 5, 5000.04, 449100.0, 210000.04, ""],
    "E2": [2025, 600.0, 200.0, None, 210.0, False, None, 9, 0, 9, 0.0, 600000.0, 369000.0, ""],
    "E3": [None, None, None, None, None, None, None, 18, 1, 17, None, 0.0, 697000.0, None],
    "E4": [2025, 900.0, 0.0, None, 100.0, False, None, 19, 0, 19, 0.0, 0.0, 779000.0, ""],
    "ALL": [2025, 1799.7, 299.7, None, 389.82, None, None, 55, 5, 50, 5000.04, 1049100.0, 2055000.04, None],
}
EDGE_NATIONAL["E3"][-1] = EDGE_NATIONAL["ALL"][-1] = "area_short_m2,borrowed,pay_gap_yuan"
EDGE = {"seed_2016": EDGE_SEED, "national_2021": EDGE_NATIONAL}


def edge_frames() -> dict[str, pd.DataFrame]:
    staff = pd.DataFrame(
        EDGE_STAFF_ROWS, columns=["staff_id", "community_id", "role", "monthly_pay", "hire_date", "exit_date"]
    )
    staff.insert(3, "employment", "full_time")
    staff.insert(4, "gender", "F")
    staff.insert(5, "also_director", False)
    staff.insert(6, "certified_social_worker", False)
    for column in ("hire_date", "exit_date"):
        staff[column] = pd.to_datetime(staff[column])
    staff["exit_reason"] = staff["exit_date"].map(lambda d: None if pd.isna(d) else "career")
    facilities = pd.DataFrame(EDGE_FACILITIES_ROWS, columns=FACILITY_COLUMNS)
    return {"communities": EDGE_COMMUNITIES, "staff": staff, "facilities": facilities}


@pytest.fixture(scope="module")
def edge_exports(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """The edge district loaded through the real loader, exported under each profile for 2025, and
    with neither year nor profile given; each command's process result, checked by its test."""
    db = database_from(edge_frames(), tmp_path_factory.mktemp("gap_edges"), "edges")
    out = {}
    for name in [*EDGE, "default_year"]:
        args = ["standard_gap", "--db", db, "--format", "json"]
        if name != "default_year":
            args += ["--year", "2025", "--profile", name]
        out[name] = run("--lang", "en", "export", *args)
    return out


def edge_rows(edge_exports, name: str) -> list[dict]:
    result = edge_exports[name]
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    return json.loads(result.stdout.decode("utf-8"))


def check_hand(rows: list[dict], hand: dict[str, list]) -> None:
    assert [row["community_id"] for row in rows] == list(hand)
    for row in rows:
        assert list(row) == GAP
        for column, want in zip(GAP[1:], hand[row["community_id"]], strict=True):
            assert same(row[column], want, "json"), (row["community_id"], column, row[column], want)


@pytest.mark.parametrize("profile", list(EDGE))
def test_edges_by_hand_in_the_pandas_computation(profile):
    frame = expected_standard_gap(edge_frames(), 2025, profile)
    check_hand(frame.to_dict("records"), EDGE[profile])


@pytest.mark.parametrize("profile", list(EDGE))
def test_edges_by_hand_in_the_export(edge_exports, profile):
    check_hand(edge_rows(edge_exports, profile), EDGE[profile])


def test_edges_default_year_is_the_latest_facilities_year(edge_exports):
    """No --year: Y is 2026, E4's 2026 row (borrowed, 20 m²), the staff at 31 Dec 2026, and no
    reference wage for 2026, so no pay gap anywhere (the staff's latest year is 2025)."""
    rows = {row["community_id"]: row for row in edge_rows(edge_exports, "default_year")}
    assert rows["ALL"]["year"] == 2026 and rows["E4"]["year"] == 2026 and rows["E1"]["year"] == 2025
    assert rows["E4"]["borrowed"] is True and rows["E4"]["area_short_m2"] == 600.0 - 20.0
    assert all(row["pay_gap_yuan"] is None for row in rows.values())
    check_hand(
        list(rows.values()),
        {
            row["community_id"]: [row[column] for column in GAP[1:]]
            for row in expected_standard_gap(edge_frames(), 2026, "seed_2016").to_dict("records")
        },
    )
