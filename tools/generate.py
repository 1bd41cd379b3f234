"""Deterministic sample data: Xiantao city (仙桃市), Hubei, as the 2016 report describes it.

Why this exists: the dashboard needs data that looks like the real thing so pages,
indicators and tests can be exercised without anyone's private records. At scale 1 the
five tables reproduce every published Xiantao figure (see ``shared/seeds/FACTS.md``) as
of 31 December of ``latest_year``; everything the report does not publish is drawn from
``numpy.random.default_rng(seed)`` and nothing else, so the same arguments always give
byte-identical CSV files (no global random state, no reading of today's date).

What is fixed at scale 1, and the choices made where the source is silent:

* communities: 79 in 仙桃市 — 干河街道 19 (11 urban + 8 village_converted), 龙华山街道 16
  (5 + 11), 沙嘴街道 16 (3 + 13), 工业园区 5 (2 + 3) and 23 township communities in 15
  towns; population bands 23 / 32 / 24 (under 5,000 / 5,000–10,000 / over 10,000).
* staff: committee seats by the 3+X rule (5, 6 or 7 seats, three of them full-time);
  475 seats, 23 left vacant by recent exits, so 452 people are in post on 31 December,
  154 women, education 2 / 59 / 302 / 89, none a certified social worker. Pay in post:
  secretary 2,000, deputy secretary or director 1,800, full-time member 1,700 yuan a
  month; part-time members get an allowance of 800–1,200 yuan (in steps of 100).
  Former staff are paid the same scale deflated by 3 % a year before ``latest_year``.
  Each committee's second seat is a director (chance 0.55) or a deputy secretary; with
  no director seat the secretary also holds the director's post (一肩挑,
  ``also_director``): 32 of the 79 communities at the default seed. Source 004 says only
  that "a considerable number" do. The flag is read off the seats and takes no random
  draw, so every other value is what it was before the column existed.
* facilities: 71 communities meet 六室一厅 (≥ 300 m², ≥ 6 rooms and a hall) in the row in
  force for ``latest_year``; 8 fail: the seven the report names (红光, 高家渡, 骑尾, 叶河,
  杨岗, 下查, 柴河) and **何场社区 (龙华山街道)**, the one it counts but does not name —
  here it has the floor space but not the layout (4–5 rooms, no hall).
* tasks: self-governance rows (the committee's own work) are booked under 民政, the
  department that guides residents' committees; they are always admitted, never funded.
* survey: satisfaction follows a latent community score that falls with the share of
  hours spent on administrative work and rises with facility compliance and staff per
  resident, plus noise. In ``latest_year`` the responses of 沙嘴街道 carry
  post-stratification weights (gender × age group), all other weights are empty (= 1).

Other scales multiply the number of communities; extra ones go to synthetic districts
(示例区2, 示例区3, …, about 100 communities each) built with the same rules and mixes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from community_eval.core.schema import TABLES

DEFAULT_SEED = 20161122
DEFAULT_LATEST_YEAR = 2025
HISTORY_START_YEAR = 2014
DISTRICT = "仙桃市"
SYNTHETIC_DISTRICT_SIZE = 100
WEIGHTED_STREET = "沙嘴街道"

#: Column order of each table: the contract's, from the one schema.
COLUMNS: dict[str, list[str]] = {name: list(table.column_names) for name, table in TABLES.items()}

# (street, community_type, names without the 社区 suffix), in community_id order.
XIANTAO: list[tuple[str, str, list[str]]] = [
    ("干河街道", "urban", ["红光", "新华", "建设", "民主", "友谊", "复兴", "汉江", "和平", "胜利", "裕民", "东风"]),
    ("干河街道", "village_converted", ["高家渡", "钱沟", "杜柳", "牌楼", "玉带", "沿河", "干河", "排湖"]),
    ("龙华山街道", "urban", ["龙华", "沔阳", "仙源", "育才", "文化"]),
    (
        "龙华山街道",
        "village_converted",
        ["何场", "卷桥", "五一", "刘口", "黄金", "赵西垸", "新垸", "毛台", "郑仁", "王场", "曹家"],
    ),
    ("沙嘴街道", "urban", ["沙嘴", "新城", "光明"]),
    (
        "沙嘴街道",
        "village_converted",
        ["骑尾", "叶河", "杨岗", "高湖", "陈湾", "牌坊", "夹河", "李台", "周帮", "彭台", "万家", "谢场", "刘家垸"],
    ),
    ("工业园区", "urban", ["园区", "兴业"]),
    ("工业园区", "village_converted", ["九合垸", "刘垸", "许家湾"]),
    ("西流河镇", "township", ["下查", "西流"]),
    ("通海口镇", "township", ["柴河", "通海"]),
    ("郑场镇", "township", ["郑场", "游潭"]),
    ("毛嘴镇", "township", ["毛嘴", "赵河"]),
    ("豆河镇", "township", ["豆河"]),
    ("三伏潭镇", "township", ["三伏潭", "邓口"]),
    ("胡场镇", "township", ["胡场"]),
    ("长埫口镇", "township", ["长埫口", "新里仁口"]),
    ("沙湖镇", "township", ["沙湖", "黄湾"]),
    ("杨林尾镇", "township", ["杨林尾"]),
    ("彭场镇", "township", ["彭场", "大福"]),
    ("张沟镇", "township", ["张沟"]),
    ("郭河镇", "township", ["郭河"]),
    ("沔城回族镇", "township", ["沔城"]),
    ("陈场镇", "township", ["陈场"]),
]
NAMED_FAILING = ["红光社区", "高家渡社区", "骑尾社区", "叶河社区", "杨岗社区", "下查社区", "柴河社区"]
UNNAMED_FAILING = "何场社区"

TYPE_MIX = (21, 35, 23)  # urban, village_converted, township
BAND_MIX = (23, 32, 24)  # under 5,000, 5,000–10,000, over 10,000
TOWNSHIP_BAND_MIX = (16, 6, 1)  # township communities are mostly small
STREET_MIX = (19, 16, 16, 5)  # urban-area communities per street
SEATS_BY_BAND = np.array([5, 6, 7])
SEATS_TOTAL, IN_POST = 475, 452
GENDER_MIX = (154, 298)
EDUCATIONS = ["bachelor_or_above", "college", "high_school", "junior_or_below"]
EDUCATION_MIX = (2, 59, 302, 89)
PAY = {"secretary": 2000, "deputy_secretary": 1800, "director": 1800, "member": 1700}
PART_TIME_ALLOWANCE = np.arange(800, 1201, 100)
EXIT_REASONS = ["pay", "workload", "career", "retirement", "dismissal", "other"]
FACILITY_MIX = (8, 71)  # failing, passing 六室一厅
TENURES = ["borrowed", "rented", "owned"]
TENURE_MIX_FAILING, TENURE_MIX_PASSING = (3, 3, 2), (1, 5, 65)
PER_79 = 79

DEPARTMENTS = [
    "组织", "政法", "民政", "人社", "城管", "卫健", "统计", "计生",
    "住建", "应急", "规划", "文化", "国土", "综治", "妇联", "工会",
]  # fmt: skip
SELF_GOVERNANCE_DEPARTMENT = "民政"
# How often each department hands work down in a month, and how much of it goes through
# the admission list / comes with funds.
DEPT_FREQUENCY = np.array([0.95, 0.9, 0.95, 0.8, 0.85, 0.85, 0.6, 0.7, 0.55, 0.75, 0.3, 0.5, 0.3, 0.9, 0.55, 0.4])
DEPT_ADMITTED = np.array([0.75, 0.6, 0.78, 0.66, 0.5, 0.62, 0.72, 0.64, 0.55, 0.58, 0.45, 0.68, 0.5, 0.6, 0.7, 0.66])
DEPT_FUNDED = np.array([0.62, 0.55, 0.72, 0.64, 0.45, 0.6, 0.7, 0.58, 0.5, 0.52, 0.4, 0.66, 0.45, 0.55, 0.62, 0.6])
CATEGORIES = ["administrative", "inspection", "ledger", "certificate", "service"]
SELF_GOVERNANCE = "self_governance"
# Category mix of handed-down work by department (rows follow DEPARTMENTS).
CATEGORY_MIX = np.array(
    [
        [0.35, 0.30, 0.30, 0.00, 0.05],
        [0.30, 0.35, 0.30, 0.00, 0.05],
        [0.25, 0.15, 0.25, 0.15, 0.20],
        [0.25, 0.10, 0.25, 0.15, 0.25],
        [0.30, 0.45, 0.15, 0.00, 0.10],
        [0.30, 0.30, 0.25, 0.00, 0.15],
        [0.20, 0.10, 0.70, 0.00, 0.00],
        [0.25, 0.20, 0.30, 0.15, 0.10],
        [0.40, 0.30, 0.20, 0.05, 0.05],
        [0.30, 0.45, 0.20, 0.00, 0.05],
        [0.50, 0.20, 0.20, 0.10, 0.00],
        [0.30, 0.20, 0.20, 0.00, 0.30],
        [0.40, 0.20, 0.20, 0.20, 0.00],
        [0.30, 0.35, 0.30, 0.00, 0.05],
        [0.30, 0.15, 0.25, 0.00, 0.30],
        [0.35, 0.15, 0.25, 0.00, 0.25],
    ]
)
TASKS_PER_ROW = np.array([3.0, 1.5, 2.5, 4.0, 5.0])  # mean task_count − 1 by category
HOURS_PER_TASK = np.array([1.5, 3.0, 2.4, 0.4, 1.6])
SELF_GOVERNANCE_HOURS = 3.0
ITEMS = ["service", "environment", "safety", "participation", "staff_attitude", "facilities"]
AGE_GROUPS = ["18-34", "35-59", "60+"]
AGE_SAMPLE, AGE_TARGET = (0.18, 0.42, 0.40), (0.30, 0.45, 0.25)
FEMALE_SAMPLE, FEMALE_TARGET = 0.58, 0.49

SYNTH_CHARS_1 = "东西南北新金银福安康和兴华明光荣盛泰丰永长青春江湖河山林桥港湾园岭塘桂梅竹松柏玉"
SYNTH_CHARS_2 = "园苑村湾桥坊港岭林湖河塘庄台堤口垸洲畈场岗里街门"


# ---------------------------------------------------------------- small helpers


def apportion(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split ``total`` in proportion to ``weights`` by largest remainder.

    Why: it returns the published counts exactly when ``total`` is the published total
    (e.g. 452 staff → 154 / 298) and sensible proportional counts for any other total.
    """
    w = np.asarray(weights, dtype=float)
    quota = total * w / w.sum()
    counts = np.floor(quota + 1e-9).astype(int)
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def labels_from_counts(labels: Sequence, counts: Sequence[int], rng: np.random.Generator) -> np.ndarray:
    """Shuffle exactly ``counts[i]`` copies of ``labels[i]``: exact totals, random placement."""
    return rng.permutation(np.repeat(np.asarray(labels, dtype=object), counts))


def day(year: int, month: int = 1, dom: int = 1) -> int:
    """Days since 1970-01-01; the generator keeps dates as integers until the frame is built."""
    return int(np.datetime64(f"{year:04d}-{month:02d}-{dom:02d}", "D").astype(np.int64))


def years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def to_dates(days: np.ndarray) -> pd.Series:
    """Day numbers (−1 = missing) as a datetime Series, so frames carry real dates."""
    values = np.where(days < 0, np.datetime64("NaT"), days.astype("datetime64[D]"))
    return pd.Series(values.astype("datetime64[s]"))


def weighted_pick(rng: np.random.Generator, pool: np.ndarray, size: int, weight: np.ndarray) -> np.ndarray:
    """Pick ``size`` distinct items of ``pool`` favouring high ``weight`` (exact count, random who)."""
    if size <= 0:
        return pool[:0]
    p = weight[pool] / weight[pool].sum()
    return np.sort(rng.choice(pool, size=size, replace=False, p=p))


def top_k_mask(rng: np.random.Generator, log_weight: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per row, choose ``k`` distinct columns with probability ∝ weight (Gumbel top-k, vectorised)."""
    keys = log_weight + rng.gumbel(size=log_weight.shape)
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return rank < k[:, None]


def zscore(x: np.ndarray) -> np.ndarray:
    """Standardise, returning zeros when there is no spread (e.g. a single community)."""
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


# ---------------------------------------------------------------- communities


def xiantao_frame() -> pd.DataFrame:
    """The 79 Xiantao communities with their published street and type."""
    rows = [(street, ctype, f"{name}社区") for street, ctype, names in XIANTAO for name in names]
    frame = pd.DataFrame(rows, columns=["street", "community_type", "community_name"])
    frame.insert(0, "district", DISTRICT)
    frame.insert(0, "community_id", [f"XT{i:03d}" for i in range(1, len(frame) + 1)])
    frame["fail_plan"] = frame["community_name"].isin([*NAMED_FAILING, UNNAMED_FAILING])
    frame["layout_fail"] = frame["community_name"].eq(UNNAMED_FAILING)
    return frame


def name_stems(rng: np.random.Generator, first: str, second: str, count: int = 0) -> list[str]:
    """Distinct two-character stems from two pools in random order (names for synthetic places).

    When more than the pools allow are asked for, the list repeats with a number added
    (东湖2), so names stay unique at any scale.
    """
    pairs = sorted({a + b for a in first for b in second if a != b})
    stems = [pairs[i] for i in rng.permutation(len(pairs))]
    rounds = -(-count // len(stems)) if count > len(stems) else 1
    return [stem + (str(r + 1) if r else "") for r in range(rounds) for stem in stems]


def synthetic_frame(number: int, size: int, rng: np.random.Generator, place_stems: list[str]) -> pd.DataFrame:
    """One synthetic district (示例区N) with Xiantao's type mix, streets and towns."""
    n_urban, n_vc, n_town = apportion(size, TYPE_MIX)
    per_street = apportion(n_urban + n_vc, STREET_MIX)
    streets = [f"{place_stems.pop()}街道" for _ in per_street]
    town_sizes = town_split(n_town, rng)
    towns = [f"{place_stems.pop()}镇" for _ in town_sizes]
    street_col = np.repeat(streets + towns, list(per_street) + town_sizes)
    urban_types = labels_from_counts(["urban", "village_converted"], [n_urban, n_vc], rng)
    types = np.concatenate([urban_types, np.repeat("township", n_town)])
    names = name_stems(rng, SYNTH_CHARS_1, SYNTH_CHARS_2)[:size]
    fails = labels_from_counts([True, False], apportion(size, FACILITY_MIX), rng).astype(bool)
    layout = np.zeros(size, dtype=bool)
    if fails.any():
        layout[rng.choice(np.flatnonzero(fails))] = True
    return pd.DataFrame(
        {
            "community_id": [f"D{number:02d}{i:03d}" for i in range(1, size + 1)],
            "district": f"示例区{number}",
            "street": street_col,
            "community_type": types.astype(str),
            "community_name": [f"{n}社区" for n in names],
            "fail_plan": fails,
            "layout_fail": layout,
        }
    )


def town_split(n_town: int, rng: np.random.Generator) -> list[int]:
    """Township communities per town, one to three each."""
    sizes: list[int] = []
    while sum(sizes) < n_town:
        sizes.append(int(min(rng.integers(1, 4), n_town - sum(sizes))))
    return sizes


def district_sizes(n_extra: int) -> list[int]:
    """Split the communities beyond Xiantao's 79 into districts of about 100."""
    if n_extra <= 0:
        return []
    k = -(-n_extra // SYNTHETIC_DISTRICT_SIZE)
    return list(apportion(n_extra, [1] * k))


def assign_bands(frame: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Population band (0 small, 1 middle, 2 large) per community, exact per district."""
    band = np.zeros(len(frame), dtype=int)
    for idx in frame.groupby("district", sort=False).indices.values():
        town = idx[frame["community_type"].to_numpy()[idx] == "township"]
        rest = np.setdiff1d(idx, town)
        totals = apportion(len(idx), BAND_MIX)
        town_counts = np.minimum(apportion(len(town), TOWNSHIP_BAND_MIX), totals)
        town_counts[0] += len(town) - town_counts.sum()
        band[town] = labels_from_counts([0, 1, 2], town_counts, rng).astype(int)
        band[rest] = labels_from_counts([0, 1, 2], totals - town_counts, rng).astype(int)
    return band


def population_for(band: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Residents per community inside its band (bands are inclusive at 5,000 and 10,000)."""
    low = np.array([1500, 5000, 10001])[band]
    high = np.array([4999, 10000, 19000])[band]
    return rng.integers(low, high + 1)


def coordinates(frame: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Latitude/longitude clustered by street around Xiantao (30.36 N, 113.45 E, ±0.25°).

    Synthetic districts sit on a grid of neighbouring cells so maps stay readable.
    """
    codes = pd.factorize(frame["district"])[0]
    street_codes, _ = pd.factorize(frame["district"] + "/" + frame["street"])
    centre_lat = rng.uniform(-0.18, 0.18, street_codes.max() + 1)[street_codes]
    centre_lon = rng.uniform(-0.18, 0.18, street_codes.max() + 1)[street_codes]
    lat = 30.36 + np.clip(centre_lat + rng.normal(0, 0.025, len(frame)), -0.25, 0.25)
    lon = 113.45 + np.clip(centre_lon + rng.normal(0, 0.025, len(frame)), -0.25, 0.25)
    lat += 0.6 * (codes // 8)
    lon += 0.6 * (codes % 8)
    return np.round(lat, 5), np.round(lon, 5)


def facility_plan(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Tenure, budget and reporting gaps per community, decided up front so totals are exact."""
    n = len(frame)
    fail = frame["fail_plan"].to_numpy()
    tenure = np.empty(n, dtype=object)
    tenure[fail] = labels_from_counts(TENURES, apportion(int(fail.sum()), TENURE_MIX_FAILING), rng)
    tenure[~fail] = labels_from_counts(TENURES, apportion(int((~fail).sum()), TENURE_MIX_PASSING), rng)
    urban = frame["community_type"].eq("urban").to_numpy()
    budget = np.where(
        urban,
        np.where(rng.random(n) < 0.7, 10_000, rng.integers(12, 19, n) * 1000),
        rng.integers(20, 61, n) * 1000,
    )
    pool = np.arange(n)
    no_budget = np.isin(pool, rng.choice(n, apportion(n, (3, 76))[0], replace=False))
    no_latest = np.isin(pool, rng.choice(n, apportion(n, (3, 76))[0], replace=False))
    candidates = pool[~fail & ~no_latest]
    upgraded = np.isin(pool, rng.choice(candidates, min(apportion(n, (2, 77))[0], len(candidates)), replace=False))
    return frame.assign(
        tenure=tenure,
        budget=budget,
        no_budget=no_budget,
        no_latest=no_latest,
        upgraded=upgraded,
        office_heavy=rng.random(n) < 0.12,
    )


def build_plan(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Every community with its public columns and the hidden facts other tables depend on."""
    frames = [xiantao_frame()]
    sizes = district_sizes(n - PER_79)
    place_stems = name_stems(rng, SYNTH_CHARS_1, SYNTH_CHARS_1, sum(4 + s for s in sizes))
    for k, size in enumerate(sizes, start=2):
        frames.append(synthetic_frame(k, int(size), rng, place_stems))
    frame = pd.concat(frames, ignore_index=True)
    frame["band"] = assign_bands(frame, rng)
    frame["population"] = population_for(frame["band"].to_numpy(), rng)
    frame["households"] = np.rint(frame["population"] / rng.uniform(2.6, 3.3, len(frame))).astype(int)
    frame["latitude"], frame["longitude"] = coordinates(frame, rng)
    frame = facility_plan(frame, rng)
    if n < len(frame):
        frame = frame.iloc[np.sort(rng.choice(len(frame), n, replace=False))].reset_index(drop=True)
    return frame


# ---------------------------------------------------------------- staff


def seat_table(plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per committee seat: 3+X seats, the first three full-time."""
    size = SEATS_BY_BAND[plan["band"].to_numpy()]
    comm = np.repeat(np.arange(len(plan)), size)
    pos = np.arange(len(comm)) - np.repeat(np.cumsum(size) - size, size)
    second = np.where(rng.random(len(plan)) < 0.55, "director", "deputy_secretary")[comm]
    role = np.where(pos == 0, "secretary", np.where(pos == 1, second, "member"))
    return pd.DataFrame(
        {"comm": comm, "pos": pos, "role": role, "employment": np.where(pos < 3, "full_time", "part_time")}
    )


def vacant_seats(seats: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Seats left empty on 31 Dec (23 of 475 at scale 1), one per community, never a secretary."""
    comm = seats["comm"].to_numpy()
    size = np.bincount(comm)
    first = np.cumsum(size) - size
    count = int(np.rint(len(seats) * (SEATS_TOTAL - IN_POST) / SEATS_TOTAL))
    chosen = rng.choice(len(size), min(count, len(size)), replace=False)
    pos = 1 + (rng.random(len(chosen)) * (size[chosen] - 1)).astype(int)
    vacant = np.zeros(len(seats), dtype=bool)
    vacant[first[chosen] + pos] = True
    return vacant


def snap_exits(exit_day: np.ndarray, hire_day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Contracts often end on 31 Dec and some leave on 1 Jan: snap a few exits to those days."""
    year = years_of(exit_day)
    dec31 = (year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) - 1
    jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    u = rng.random(len(exit_day))
    out = np.where(u < 0.08, dec31, exit_day)
    return np.where((u >= 0.08) & (u < 0.11) & (jan1 >= hire_day), jan1, out)


def simulate_holders(seats: pd.DataFrame, plan_size: int, end: int, rng: np.random.Generator) -> pd.DataFrame:
    """Who held each seat since 2014: chains of holders, vectorised over seats.

    Young hires leave after short tenures (mean 1.5 years, the report's complaint);
    others stay long (mean 12 years). A leaver is replaced after 0–120 days.
    """
    election = day(HISTORY_START_YEAR) + rng.integers(0, 90, plan_size)
    seat = np.arange(len(seats))
    hire = election[seats["comm"].to_numpy()] + rng.integers(0, 15, len(seats))
    parts, generation = [], 0
    while seat.size:
        young = rng.random(seat.size) < (0.25 if generation == 0 else 0.35)
        tenure = np.maximum(rng.exponential(np.where(young, 1.5, 12.0) * 365.25), 20).astype(np.int64)
        exit_day = snap_exits(hire + tenure, hire, rng)
        stays = exit_day > end
        parts.append(
            pd.DataFrame(
                {
                    "seat": seat,
                    "hire": hire,
                    "exit": np.where(stays, -1, exit_day),
                    "young": young,
                    "generation": generation,
                }
            )
        )
        leaving = ~stays
        seat = seat[leaving]
        hire = np.minimum(exit_day[leaving] + rng.integers(0, 121, seat.size), end)
        generation += 1
    return pd.concat(parts, ignore_index=True)


def vacate(holders: pd.DataFrame, vacant: np.ndarray, end: int, rng: np.random.Generator) -> pd.DataFrame:
    """The current holder of each vacant seat left within the last two years and was not replaced."""
    idx = np.flatnonzero(vacant[holders["seat"].to_numpy()] & (holders["exit"].to_numpy() < 0))
    low = np.maximum(holders["hire"].to_numpy()[idx], end - 730)
    holders.loc[idx, "exit"] = rng.integers(low, end + 1)
    return holders


def exit_reasons(holders: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Why people left: the young for pay, workload or career; others also retire or are removed."""
    n = len(holders)
    young = rng.choice(EXIT_REASONS, n, p=[0.42, 0.25, 0.28, 0, 0, 0.05])
    older = rng.choice(EXIT_REASONS, n, p=[0.18, 0.15, 0.10, 0.35, 0.07, 0.15])
    reason = np.where(holders["young"].to_numpy(), young, older).astype(object)
    reason[holders["exit"].to_numpy() < 0] = None
    return reason


def in_post_attributes(staff: pd.DataFrame, plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Gender and education of the people in post, with exact published totals.

    Women are picked mostly from pure urban communities; the few graduates from urban
    full-time seats; junior-schooled members mostly from part-time seats outside the city.
    """
    pool = np.flatnonzero(staff["exit"].to_numpy() < 0)
    ctype = plan["community_type"].to_numpy()[staff["comm"].to_numpy()]
    urban = (ctype == "urban").astype(float)
    full = (staff["employment"].to_numpy() == "full_time").astype(float)
    female = weighted_pick(rng, pool, apportion(len(pool), GENDER_MIX)[0], 1 + 7 * urban)
    staff.loc[female, "gender"] = "F"
    staff.loc[pool[~np.isin(pool, female)], "gender"] = "M"
    counts = apportion(len(pool), EDUCATION_MIX)
    left = pool
    for level, count, weight in [
        (0, counts[0], 0.2 + 4 * urban * full),
        (1, counts[1], 1 + 2 * urban + 1.5 * full),
        (3, counts[3], 1 + 2 * (ctype != "urban") + 2 * (1 - full)),
    ]:
        chosen = weighted_pick(rng, left, int(count), weight)
        staff.loc[chosen, "education"] = EDUCATIONS[level]
        left = left[~np.isin(left, chosen)]
    staff.loc[left, "education"] = EDUCATIONS[2]
    return staff


def former_attributes(staff: pd.DataFrame, plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Gender and education of former staff: free, but plausible (young leavers better educated)."""
    gone = np.flatnonzero(staff["exit"].to_numpy() >= 0)
    ctype = plan["community_type"].to_numpy()[staff["comm"].to_numpy()[gone]]
    p_female = np.where(ctype == "urban", 0.5, 0.27)
    staff.loc[gone, "gender"] = np.where(rng.random(len(gone)) < p_female, "F", "M")
    young = staff["young"].to_numpy()[gone]
    edu_young = rng.choice(EDUCATIONS, len(gone), p=[0.05, 0.35, 0.5, 0.1])
    edu_older = rng.choice(EDUCATIONS, len(gone), p=[0, 0.08, 0.62, 0.30])
    staff.loc[gone, "education"] = np.where(young, edu_young, edu_older)
    return staff


def monthly_pay(staff: pd.DataFrame, latest_year: int, rng: np.random.Generator) -> np.ndarray:
    """Pay by role; part-time members get an 800–1,200 allowance; former staff paid less back then."""
    base = staff["role"].map(PAY).to_numpy(dtype=float)
    part = staff["employment"].to_numpy() == "part_time"
    base[part] = rng.choice(PART_TIME_ALLOWANCE, int(part.sum()))
    exit_day = staff["exit"].to_numpy()
    years_back = np.where(exit_day < 0, 0, latest_year - years_of(np.maximum(exit_day, 0)))
    return (np.rint(base * 0.97**years_back / 10) * 10).astype(np.int64)


def build_staff(plan: pd.DataFrame, latest_year: int, rng: np.random.Generator) -> pd.DataFrame:
    """Everyone who has held a committee seat since 2014, current and former."""
    end = day(latest_year, 12, 31)
    seats = seat_table(plan, rng)
    holders = simulate_holders(seats, len(plan), end, rng)
    holders = vacate(holders, vacant_seats(seats, rng), end, rng)
    staff = holders.join(seats, on="seat").sort_values(
        ["comm", "hire", "pos", "generation"], kind="stable", ignore_index=True
    )
    staff["gender"], staff["education"] = None, None
    staff = in_post_attributes(staff, plan, rng)
    staff = former_attributes(staff, plan, rng)
    ids = plan["community_id"].to_numpy()[staff["comm"].to_numpy()]
    seq = staff.groupby("comm").cumcount().to_numpy() + 1
    has_director = np.zeros(len(plan), dtype=bool)
    has_director[seats.loc[seats["role"] == "director", "comm"].to_numpy()] = True
    also_director = (staff["role"].to_numpy() == "secretary") & ~has_director[staff["comm"].to_numpy()]
    return pd.DataFrame(
        {
            "staff_id": [f"{c}-S{s:03d}" for c, s in zip(ids, seq, strict=True)],
            "community_id": ids,
            "role": staff["role"],
            "employment": staff["employment"],
            "gender": staff["gender"].astype("str"),
            "education": staff["education"].astype("str"),
            "also_director": also_director,
            "certified_social_worker": np.zeros(len(staff), dtype=bool),
            "monthly_pay": monthly_pay(staff, latest_year, rng),
            "hire_date": to_dates(staff["hire"].to_numpy()),
            "exit_date": to_dates(staff["exit"].to_numpy()),
            "exit_reason": exit_reasons(staff, rng),
        }
    )


# ---------------------------------------------------------------- facilities


def premises(
    fail: np.ndarray, layout: np.ndarray, office_heavy: np.ndarray, households: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Floor space, rooms and hall: compliant rows clear 六室一厅, failing rows miss it.

    Most failing rows lack the space (under 300 m²); a layout failure has the space but
    only 4–5 rooms and no hall. One office room is the rule, so service space is usually
    the larger share; a minority (and most cramped premises) have office ≥ service.
    """
    n = len(fail)
    total = 305 + rng.gamma(2.0, 90.0, n) + households * rng.uniform(0.0, 0.05, n)
    total = np.where(fail, rng.uniform(40, 290, n), total)
    total = np.where(layout, rng.uniform(310, 380, n), total)
    share = np.where(office_heavy, rng.uniform(0.5, 0.65, n), rng.uniform(0.15, 0.45, n))
    share = np.where(fail & ~layout, rng.uniform(0.35, 0.75, n), share)
    office = np.round(total * share, 1)
    rooms = np.clip(np.rint(total / 70) + rng.integers(0, 4, n), 6, 14)
    rooms = np.where(fail, np.where(layout, rng.integers(4, 6, n), rng.integers(1, 6, n)), rooms)
    hall = np.where(fail, (rng.random(n) < 0.25) & ~layout, True)
    return {
        "office_area_m2": office,
        "service_area_m2": np.round(total - office, 1),
        "room_count": rooms.astype(np.int64),
        "has_hall": hall.astype(bool),
    }


def facility_rows(
    plan: pd.DataFrame, year: int, fail: np.ndarray, budget: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """One inspection year's rows for the given communities."""
    values = premises(
        fail, plan["layout_fail"].to_numpy() & fail, plan["office_heavy"].to_numpy(), plan["households"].to_numpy(), rng
    )
    money = pd.array(np.where(plan["no_budget"], 0, budget), dtype="Int64")
    money[plan["no_budget"].to_numpy()] = pd.NA
    return pd.DataFrame(
        {
            "community_id": plan["community_id"].to_numpy(),
            "year": year,
            **values,
            "tenure": plan["tenure"].to_numpy().astype(str),
            "operating_budget_yuan": money,
        }
    )


def build_facilities(plan: pd.DataFrame, latest_year: int, rng: np.random.Generator) -> pd.DataFrame:
    """Inspections of latest_year − 1 and latest_year; a few communities lack the latest row.

    Premises rarely change, so both years share the same values except for the few
    communities upgraded in the latest year; budgets move a little (10,000 stays 10,000).
    """
    fail = plan["fail_plan"].to_numpy()
    budget = plan["budget"].to_numpy()
    latest = facility_rows(plan, latest_year, fail, budget, rng)
    drift = np.round(budget * rng.uniform(0.85, 1.0, len(plan)), -3)
    prior_budget = pd.array(np.where(budget == 10_000, budget, drift), dtype="Int64")
    prior = latest.assign(year=latest_year - 1, operating_budget_yuan=prior_budget)
    prior.loc[plan["no_budget"].to_numpy(), "operating_budget_yuan"] = pd.NA
    upgraded = plan["upgraded"].to_numpy()
    failing = np.ones(upgraded.sum(), dtype=bool)
    before = facility_rows(plan[upgraded], latest_year - 1, failing, budget[upgraded], rng)
    for col in ["office_area_m2", "service_area_m2", "room_count", "has_hall"]:
        prior.loc[upgraded, col] = before[col].to_numpy()
    latest = latest[~plan["no_latest"].to_numpy()]
    both = pd.concat([prior, latest], ignore_index=True)
    return both.sort_values(["community_id", "year"], kind="stable", ignore_index=True)


# ---------------------------------------------------------------- tasks


def community_factors(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-community tendencies: how much handed-down work lands there, and how well it is admitted."""
    return {
        "burden": rng.lognormal(0, 0.35, n),
        "service": rng.lognormal(0, 0.25, n),
        "self_gov": rng.lognormal(0, 0.3, n),
        "admit": rng.normal(0, 0.07, n),
        "fund": rng.normal(0, 0.07, n),
        "pace": rng.lognormal(0, 0.1, n),
    }


def seasonality(months: np.ndarray) -> np.ndarray:
    """Multiplier by month and category: inspections peak in June and at year end, ledgers each quarter."""
    season = np.ones((len(months), len(CATEGORIES)))
    season[np.isin(months, [6, 11, 12]), 1] = 1.6
    season[np.isin(months, [3, 6, 9, 12]), 2] = 1.4
    return season


def handed_down(plan: pd.DataFrame, factors: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Rows of work handed down: department × category × month per community, vectorised."""
    n_months = 24
    cm_comm = np.repeat(np.arange(len(plan)), n_months)
    cm_month = np.tile(np.arange(n_months), len(plan))
    k = rng.integers(8, 15, len(cm_comm))
    pick = top_k_mask(rng, np.broadcast_to(np.log(DEPT_FREQUENCY), (len(cm_comm), len(DEPARTMENTS))), k)
    cm_idx, dept = np.nonzero(pick)
    m = rng.choice([1, 2, 3], len(dept), p=[0.45, 0.4, 0.15])
    with np.errstate(divide="ignore"):
        cat_pick = top_k_mask(rng, np.log(CATEGORY_MIX[dept]), m)
    row, cat = np.nonzero(cat_pick)
    cm_idx, dept = cm_idx[row], dept[row]
    comm, month_idx = cm_comm[cm_idx], cm_month[cm_idx]
    pop = plan["population"].to_numpy()[comm] / 7000.0
    scale = np.select([cat <= 2, cat == 3], [factors["burden"][comm], pop], pop**0.5 * factors["service"][comm])
    lam = TASKS_PER_ROW[cat] * scale * seasonality(month_idx % 12 + 1)[np.arange(len(cat)), cat]
    count = 1 + rng.poisson(lam)
    year_shift = np.where(month_idx >= 12, 0.03, 0.0)
    p_admit = np.clip(DEPT_ADMITTED[dept] + factors["admit"][comm] + year_shift, 0.05, 0.98)
    admitted = rng.random(len(cat)) < p_admit
    p_fund = np.clip(DEPT_FUNDED[dept] + factors["fund"][comm] + year_shift, 0.05, 0.98)
    p_fund = np.where(admitted, p_fund, 0.05)
    hours = count * HOURS_PER_TASK[cat] * factors["pace"][comm] * rng.lognormal(0, 0.25, len(cat))
    return {
        "comm": comm,
        "month": month_idx,
        "dept": dept,
        "cat": cat,
        "count": count,
        "hours": np.round(hours, 1),
        "admitted": admitted,
        "funded": rng.random(len(cat)) < p_fund,
    }


def self_governance(
    plan: pd.DataFrame, factors: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The committee's own work: a themed activity every half month and more, one row a month."""
    comm = np.repeat(np.arange(len(plan)), 24)
    count = 2 + rng.poisson(2.5 * factors["self_gov"][comm])
    hours = count * SELF_GOVERNANCE_HOURS * factors["pace"][comm] * rng.lognormal(0, 0.2, len(comm))
    return {
        "comm": comm,
        "month": np.tile(np.arange(24), len(plan)),
        "dept": np.full(len(comm), DEPARTMENTS.index(SELF_GOVERNANCE_DEPARTMENT)),
        "cat": np.full(len(comm), len(CATEGORIES)),
        "count": count,
        "hours": np.round(hours, 1),
        "admitted": np.ones(len(comm), bool),
        "funded": np.zeros(len(comm), bool),
    }


def build_tasks(plan: pd.DataFrame, latest_year: int, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly task ledger for the 24 months of latest_year − 1 and latest_year."""
    factors = community_factors(len(plan), rng)
    parts = [handed_down(plan, factors, rng), self_governance(plan, factors, rng)]
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    order = np.lexsort((cols["cat"], cols["dept"], cols["month"], cols["comm"]))
    cols = {key: value[order] for key, value in cols.items()}
    periods = np.array([f"{latest_year - 1 + m // 12}-{m % 12 + 1:02d}" for m in range(24)])
    return pd.DataFrame(
        {
            "community_id": plan["community_id"].to_numpy()[cols["comm"]],
            "period": periods[cols["month"]],
            "department": np.array(DEPARTMENTS)[cols["dept"]],
            "task_category": np.array([*CATEGORIES, SELF_GOVERNANCE])[cols["cat"]],
            "task_count": cols["count"].astype(np.int64),
            "hours": cols["hours"],
            "admitted": cols["admitted"],
            "funded": cols["funded"],
        }
    )


# ---------------------------------------------------------------- survey


def admin_hours_share(tasks: pd.DataFrame, ids: np.ndarray, year: int) -> np.ndarray:
    """Share of hours on administrative work (administrative, inspection, ledger, certificate) in a year."""
    rows = tasks[tasks["period"].str.startswith(f"{year}-")]
    admin = rows["task_category"].isin(CATEGORIES[:4])
    total = rows.groupby("community_id")["hours"].sum()
    share = rows[admin].groupby("community_id")["hours"].sum() / total
    return share.reindex(ids).fillna(share.mean() if len(share) else 0).to_numpy()


def staff_active(staff: pd.DataFrame, ids: np.ndarray, year: int) -> np.ndarray:
    """People in post on 31 Dec of ``year`` per community."""
    end = pd.Timestamp(year, 12, 31)
    active = (staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))
    return staff[active].groupby("community_id").size().reindex(ids, fill_value=0).to_numpy()


def compliant_in_force(facilities: pd.DataFrame, ids: np.ndarray, year: int) -> np.ndarray:
    """1 when the facilities row in force for ``year`` meets 六室一厅, else 0."""
    rows = facilities[facilities["year"] <= year].groupby("community_id").tail(1)
    rows = rows.set_index("community_id")
    ok = (
        (rows["office_area_m2"] + rows["service_area_m2"] >= 300)
        & (rows["room_count"] >= 6)
        & rows["has_hall"].astype(bool)
    )
    return ok.reindex(ids, fill_value=False).to_numpy().astype(float)


def latent_scores(
    plan: pd.DataFrame, tables: dict[str, pd.DataFrame], year: int, base: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Community satisfaction for a wave: down with admin hours share, up with premises and staffing."""
    ids = plan["community_id"].to_numpy()
    share = admin_hours_share(tables["tasks"], ids, year)
    staff = np.maximum(staff_active(tables["staff"], ids, year), 1) / plan["population"].to_numpy()
    comp = compliant_in_force(tables["facilities"], ids, year)
    return (
        base
        - 0.22 * zscore(share)
        + 0.3 * (comp - comp.mean())
        + 0.12 * zscore(np.log(staff))
        + rng.normal(0, 0.08, len(ids))
    )


def wave_sizes(n: int, latest: bool, responses: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Responses per community in a wave; in the latest wave a few communities return under 10."""
    sizes = rng.integers(responses[0], responses[1] + 1, n)
    if latest:
        few = rng.choice(n, apportion(n, (3, 76))[0], replace=False)
        extra = rng.integers(5, 10, max(len(few) - 3, 0))
        sizes[few] = np.concatenate([[6, 8, 9], extra])[: len(few)]
    return sizes


def likert(x: np.ndarray) -> np.ndarray:
    """Round a continuous score onto the 1–5 scale."""
    return np.clip(np.rint(x), 1, 5).astype(np.int64)


def optional_item(x: np.ndarray, rng: np.random.Generator) -> pd.arrays.IntegerArray:
    """An optional likert item with 5–10 % of answers left blank."""
    missing = rng.random(len(x)) < rng.uniform(0.05, 0.10)
    return pd.arrays.IntegerArray(likert(x), missing)


def survey_wave(
    plan: pd.DataFrame,
    latent: np.ndarray,
    comp: np.ndarray,
    staff_z: np.ndarray,
    year: int,
    sizes: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One wave's questionnaires, built with array operations (no loop per response)."""
    comm = np.repeat(np.arange(len(plan)), sizes)
    seq = np.arange(len(comm)) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    start = day(year, 10, 8) + rng.integers(0, 38, len(plan))
    dates = start[comm] + rng.integers(0, 15, len(comm))
    dates = dates[np.lexsort((dates, comm))]  # numbered in the order they came in
    level = latent[comm] + rng.normal(0, 0.55, len(comm))
    shifts = {
        "service": 0.05,
        "environment": -0.1,
        "safety": 0.2,
        "participation": -0.35,
        "staff_attitude": 0.15 + 0.2 * staff_z[comm],
        "facilities": 0.6 * (comp[comm] - 0.9),
    }
    prefix = np.array([f"{c}-{year}-" for c in plan["community_id"]])
    frame = pd.DataFrame(
        {
            "response_id": np.char.add(prefix[comm], np.char.zfill(seq.astype(str), 4)),
            "community_id": plan["community_id"].to_numpy()[comm],
            "survey_date": to_dates(dates),
            "overall": likert(level + rng.normal(0, 0.55, len(comm))),
        }
    )
    for item in ITEMS:
        frame[item] = optional_item(level + shifts[item] + rng.normal(0, 0.7, len(comm)), rng)
    frame["gender"] = np.where(rng.random(len(comm)) < FEMALE_SAMPLE, "F", "M")
    frame["age_group"] = np.array(AGE_GROUPS)[rng.choice(3, len(comm), p=AGE_SAMPLE)]
    frame.insert(frame.columns.get_loc("gender"), "weight", np.nan)
    return frame


def poststratify(wave: pd.DataFrame, in_street: np.ndarray) -> pd.DataFrame:
    """Weights for one street: population share / sample share per gender × age cell, 0.5–2.0."""
    rows = wave[in_street]
    target = pd.DataFrame(
        {
            "gender": np.repeat(["F", "M"], 3),
            "age_group": AGE_GROUPS * 2,
            "target": np.outer([FEMALE_TARGET, 1 - FEMALE_TARGET], AGE_TARGET).ravel(),
        }
    )
    sample = rows.groupby(["gender", "age_group"]).size().rename("n").reset_index()
    cells = sample.merge(target, on=["gender", "age_group"])
    cells["weight"] = np.round(np.clip(cells["target"] / (cells["n"] / len(rows)), 0.5, 2.0), 2)
    weights = rows[["gender", "age_group"]].merge(cells, on=["gender", "age_group"], how="left")
    wave.loc[in_street, "weight"] = weights["weight"].to_numpy()
    return wave


def build_survey(
    plan: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    latest_year: int,
    responses: tuple[int, int],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Satisfaction waves in October–November of latest_year − 1 and latest_year."""
    ids = plan["community_id"].to_numpy()
    base = 3.65 + rng.normal(0, 0.18, len(plan))
    waves = []
    for year in (latest_year - 1, latest_year):
        latent = latent_scores(plan, tables, year, base + 0.05 * (year == latest_year), rng)
        comp = compliant_in_force(tables["facilities"], ids, year)
        staff = np.maximum(staff_active(tables["staff"], ids, year), 1) / plan["population"].to_numpy()
        sizes = wave_sizes(len(plan), year == latest_year, responses, rng)
        wave = survey_wave(plan, latent, comp, zscore(np.log(staff)), year, sizes, rng)
        if year == latest_year:
            streets = plan["street"].to_numpy()
            street = WEIGHTED_STREET if WEIGHTED_STREET in streets else streets[0]
            in_street = np.isin(wave["community_id"], ids[streets == street])
            wave = poststratify(wave, in_street)
        waves.append(wave)
    return pd.concat(waves, ignore_index=True)


# ---------------------------------------------------------------- public API


def generate(
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    latest_year: int = DEFAULT_LATEST_YEAR,
    responses_per_wave: tuple[int, int] = (50, 60),
) -> dict[str, pd.DataFrame]:
    """Build the five tables, keyed by table name, with the contract's canonical columns.

    The same arguments always give equal frames: one ``default_rng(seed)`` feeds every
    draw, in a fixed order. Dates are datetime columns, booleans bool, optional
    integers nullable; :func:`write` renders them as the contract's canonical text.
    """
    rng = np.random.default_rng(seed)
    n = max(1, round(PER_79 * scale))
    plan = build_plan(n, rng)
    tables = {"communities": plan[COLUMNS["communities"]].reset_index(drop=True)}
    tables["staff"] = build_staff(plan, latest_year, rng)
    tables["tasks"] = build_tasks(plan, latest_year, rng)
    tables["facilities"] = build_facilities(plan, latest_year, rng)
    tables["survey"] = build_survey(plan, tables, latest_year, tuple(responses_per_wave), rng)
    return {name: tables[name][cols] for name, cols in COLUMNS.items()}


def canonical_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans as true/false and dates as YYYY-MM-DD, the contract's canonical spellings."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_bool_dtype(series):
            out[col] = np.where(series.to_numpy(dtype=bool), "true", "false")
        elif pd.api.types.is_datetime64_any_dtype(series):
            days = series.to_numpy(dtype="datetime64[D]")
            text = np.datetime_as_string(days, unit="D")
            out[col] = np.where(np.isnat(days), "", text)
    return out


def write(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> dict[str, Path]:
    """Write each table as ``<name>.csv``: UTF-8 without BOM, comma separated, ``\\n`` line ends."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in tables.items():
        paths[name] = out / f"{name}.csv"
        canonical_text(frame).to_csv(paths[name], index=False, encoding="utf-8", lineterminator="\n")
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: regenerate the sample (the defaults reproduce ``sample_data/`` exactly)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--latest-year", type=int, default=DEFAULT_LATEST_YEAR)
    parser.add_argument("--responses-per-wave", type=int, nargs=2, default=(50, 60), metavar=("MIN", "MAX"))
    parser.add_argument("--out", default="sample_data")
    args = parser.parse_args(argv)
    tables = generate(args.seed, args.scale, args.latest_year, tuple(args.responses_per_wave))
    for name, path in write(tables, args.out).items():
        print(f"{path}: {len(tables[name])} rows")


if __name__ == "__main__":
    main()
