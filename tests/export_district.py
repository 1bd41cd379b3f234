"""The seeded district of the export checks, and its truth from the definitions.

A seeded district is generated here as canonical DataFrames (the truth), written the way
people in a street office save files (Chinese headers, GBK, 2024年3月5日, 2025年3月,
是/否 and 有/无, 满意/一般 …, 300㎡, 12.5小时, 2000元, a tab-separated survey) and loaded with
``python -m community_eval ingest``. Every export command then runs once, concurrently, each on
its own copy of the database (DuckDB locks a file to one process); each indicator's test file
checks its columns against the pandas, scipy and lifelines computations written out here, to
1e-9. The fixtures (``frames``, ``loaded_db``, ``exports``) are the session's, through conftest.py.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from scipy import stats

from tests.definitions import ADMIN, FACILITY_COLUMNS, in_post_end

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = tomllib.loads((ROOT / "standards.toml").read_text(encoding="utf-8"))
MIN_N = int(STANDARDS.get("min_n", 10))
AS_OF = "2024-06-30"  # S005 leaves on this day; S070 onwards are hired after it

#: The export columns as docs/INDICATORS.md promises them, written out here on purpose rather
#: than read from the declarations (indicators/<name>.py): the test states what users were
#: promised, so a declaration that drifts from the document fails (``duplicates`` pairs the two).
COLUMNS = {
    "task_burden": [
        "community_id",
        "tasks",
        "hours",
        "admin_hours_share",
        "unadmitted_share",
        "unfunded_share",
        "departments",
        "inspections",
        "ledgers",
        "staff_active",
        "tasks_per_staff",
        "residents_per_staff",
    ],
    "satisfaction": [
        "community_id",
        "n",
        "mean_overall",
        "se",
        "ci_low",
        "ci_high",
        "top2_share",
        "mean_service",
        "mean_environment",
        "mean_safety",
        "mean_participation",
        "mean_staff_attitude",
        "mean_facilities",
        "suppressed",
    ],
    "staff_turnover": [
        "community_id",
        "year",
        "headcount_start",
        "headcount_end",
        "hires",
        "separations",
        "turnover_rate",
        "certified_share",
        "median_pay",
        "pay_to_reference",
        "joint_secretary_director",
    ],
    "staff_retention": ["months", "at_risk", "survival"],
    "assessment": [
        "community_id",
        "satisfaction_score",
        "burden_score",
        "facility_score",
        "staffing_score",
        "composite",
        "components_missing",
        "rated",
        "rank",
        "tier",
    ],
    "standard_gap": [
        "community_id",
        "year",
        "required_area_m2",
        "area_short_m2",
        "rooms_short",
        "resident_space_short_m2",
        "borrowed",
        "budget_short_yuan",
        "seats_required",
        "seats_in_post",
        "seats_short",
        "pay_gap_yuan",
        "one_off_yuan",
        "annual_yuan",
        "parts_unknown",
    ],
}
ITEMS = ("service", "environment", "safety", "participation", "staff_attitude", "facilities")


# ---- the district, as canonical DataFrames -------------------------------------------------


def make_communities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "community_id": ["C01", "C02", "C03", "C04", "C05", "C06"],
            "community_name": ["东门社区", "西湖社区", "南岸社区", "北塘社区", "新村社区", "空白社区"],
            "district": ["仙桃市", "仙桃市", "仙桃市", "测试区", "测试区", "测试区"],
            "street": ["东街道", "东街道", "西镇", "南街道", "南街道", "北街道"],
            "community_type": ["urban", "village_converted", "township", "urban", "rural", "urban"],
            "population": [4000, 12000, 6000, 3000, 8000, 5000],
            "households": [1500, 4200, 800, 1000, 2500, 2100],
        }
    )


def make_staff(rng: np.random.Generator) -> pd.DataFrame:
    """80 people; C05's are all hired in 2025, C06 has none; ties, a same-day exit, retirements."""
    rows = []
    for i in range(80):
        community = "C05" if i >= 74 else ["C01", "C02", "C03", "C04"][i % 4]
        if community == "C05":
            hire = pd.Timestamp(2025, 1 + i % 6, 1)
        else:
            hire = pd.Timestamp(2008, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 365 * 17)))
        exit_date = None
        if rng.random() < 0.5:
            exit_date = hire + pd.DateOffset(months=int(rng.choice([0, 3, 6, 12, 18, 24, 36, 60, 90])))
            exit_date = exit_date if exit_date <= pd.Timestamp(2025, 12, 31) else None
        rows.append(
            {
                "staff_id": f"S{i:03d}",
                "community_id": community,
                "role": rng.choice(["secretary", "director", "member", "grid_worker", "deputy_director"]),
                "employment": rng.choice(["full_time", "part_time"]),
                "gender": rng.choice(["F", "M"]),
                "certified_social_worker": bool(rng.random() < 0.3),
                "monthly_pay": None if rng.random() < 0.1 else float(rng.integers(1500, 4200)),
                "hire_date": hire,
                "exit_date": exit_date,
                "exit_reason": rng.choice(["pay", "workload", "career", "retirement"]) if exit_date else None,
            }
        )
    staff = pd.DataFrame(rows)
    staff.loc[5, ["hire_date", "exit_date", "exit_reason"]] = [pd.Timestamp(2019, 3, 1), pd.Timestamp(AS_OF), "pay"]
    staff.loc[6, ["exit_date", "exit_reason"]] = [staff.loc[6, "hire_date"], "other"]  # left the day they started
    staff.loc[7, ["hire_date", "exit_date", "exit_reason"]] = [
        pd.Timestamp(2015, 1, 1),
        pd.Timestamp(2025, 12, 31),
        "retirement",
    ]
    for column in ("hire_date", "exit_date"):
        staff[column] = pd.to_datetime(staff[column])
    # 一肩挑: the secretaries of C01, C03 and C05 also hold the director's post (no random draw,
    # so the rest of the district is what it was before the column existed)
    staff.insert(6, "also_director", staff["role"].eq("secretary") & staff["community_id"].isin(["C01", "C03", "C05"]))
    return staff


def make_tasks(rng: np.random.Generator) -> pd.DataFrame:
    """C01–C04 in 2024 and 2025, C05 only in 2024; C04's 2025 work logged with 0 hours."""
    categories = ["administrative", "inspection", "ledger", "certificate", "service", "self_governance"]
    departments = ["民政", "城管", "统计", "卫健", "人社", "应急"]
    rows = []
    for community in ("C01", "C02", "C03", "C04", "C05"):
        for year in (2024, 2025):
            if community == "C05" and year == 2025:
                continue
            for month in sorted(rng.choice(np.arange(1, 13), 4, replace=False)):
                for category in rng.choice(categories, 3, replace=False):
                    rows.append(
                        {
                            "community_id": community,
                            "period": pd.Timestamp(year, int(month), 1),
                            "department": "居委会" if category == "self_governance" else rng.choice(departments),
                            "task_category": category,
                            "task_count": int(rng.integers(1, 12)),
                            "hours": 0.0 if (community, year) == ("C04", 2025) else float(rng.integers(0, 80)) / 2,
                            "admitted": bool(rng.random() < 0.6),
                            "funded": bool(rng.random() < 0.4),
                        }
                    )
    return pd.DataFrame(rows)


def make_facilities() -> pd.DataFrame:
    rows = [
        ("C01", 2023, 50.0, 100.0, 3, False, "borrowed", 10000.0),
        ("C01", 2025, 80.0, 260.0, 6, True, "owned", 40000.0),
        ("C02", 2024, 150.0, 200.0, 7, True, "rented", 50000.0),
        ("C03", 2025, 60.0, 90.5, 4, False, "borrowed", None),
        ("C04", 2023, 100.0, 220.0, 6, True, "owned", 25000.0),
    ]
    return pd.DataFrame(rows, columns=FACILITY_COLUMNS)


def make_survey(rng: np.random.Generator) -> pd.DataFrame:
    """C01 weighted (2025), C02 under min_n, C03 unweighted, C04 only in 2024."""
    plan = [("C01", 2025, 25, True), ("C02", 2025, 6, False), ("C03", 2025, 15, False), ("C04", 2024, 12, True)]
    plan += [("C01", 2024, 11, False)]
    rows = []
    for community, year, n, weighted in plan:
        for i in range(n):
            row = {
                "response_id": f"{community}-{year}-{i}",
                "community_id": community,
                "survey_date": pd.Timestamp(year, 10, 1 + i % 20),
                "overall": int(rng.integers(1, 6)),
                "weight": float(rng.choice([0.5, 1.0, 1.5, 2.25])) if weighted and i % 5 else None,
            }
            for item in ITEMS:
                row[item] = None if rng.random() < 0.3 else int(rng.integers(1, 6))
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(42)
    return {
        "communities": make_communities(),
        "staff": make_staff(rng),
        "tasks": make_tasks(rng),
        "facilities": make_facilities(),
        "survey": make_survey(rng),
    }


# ---- written the way a street office writes them ------------------------------------------

TYPE_WORDS = {"urban": "城市社区", "village_converted": "村改居", "township": "乡镇社区", "rural": "村"}
ROLE_WORDS = {
    "secretary": "书记",
    "director": "主任",
    "member": "委员",
    "grid_worker": "网格员",
    "deputy_director": "副主任",
}
REASON_WORDS = {"pay": "待遇", "workload": "工作负担", "career": "个人发展", "retirement": "退休", "other": "其他"}
CATEGORY_WORDS = {
    "administrative": "行政事务",
    "inspection": "检查评比",
    "ledger": "台账报表",
    "certificate": "出具证明",
    "service": "居民服务",
    "self_governance": "居民自治",
}
TENURE_WORDS = {"owned": "自有", "rented": "租赁", "borrowed": "借用"}
LIKERT_WORDS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不太满意", 1: "非常不满意"}
SURVEY_ITEM_HEADERS = ("社区服务", "环境卫生", "社会治安", "居民参与", "工作人员态度", "活动场所")


def chinese_date(value) -> str:
    if pd.isna(value):
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def number(value, unit: str = "") -> str:
    if value is None or pd.isna(value):
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1000 else f"{value:g}"
    return text + unit


def written_files(frames: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, str]]:
    """Each table in Chinese headers and spelled-out values, with its separator."""
    c, s, t, f, v = (frames[k] for k in ("communities", "staff", "tasks", "facilities", "survey"))
    yes_no = {True: "是", False: "否"}
    communities = pd.DataFrame(
        {
            "社区编码": c["community_id"],
            "社区名称": c["community_name"],
            "区县": c["district"],
            "街道": c["street"],
            "社区类型": c["community_type"].map(TYPE_WORDS),
            "常住人口": [number(x, "人") for x in c["population"]],
            "户数（户）": [number(x) for x in c["households"]],
        }
    )
    staff = pd.DataFrame(
        {
            "人员编号": s["staff_id"],
            "社区编码": s["community_id"],
            "职务": s["role"].map(ROLE_WORDS),
            "专兼职": s["employment"].map({"full_time": "专职", "part_time": "兼职"}),
            "性别": s["gender"].map({"F": "女", "M": "男"}),
            # 是 for 一肩挑, 否 for the other secretaries, blank (= false) for everyone else
            "书记主任一肩挑": s["also_director"].map(yes_no).where(s["role"].eq("secretary"), ""),
            "是否持社工证": s["certified_social_worker"].map(yes_no),
            "月工资": [number(x, "元") for x in s["monthly_pay"]],
            "入职日期": [chinese_date(x) for x in s["hire_date"]],
            "离职日期": [chinese_date(x) for x in s["exit_date"]],
            "离职原因": s["exit_reason"].map(REASON_WORDS),
        }
    )
    tasks = pd.DataFrame(
        {
            "社区编码": t["community_id"],
            "月份": [f"{p.year}年{p.month}月" for p in t["period"]],
            "派出部门": t["department"],
            "事项类别": t["task_category"].map(CATEGORY_WORDS),
            "事项数": [f"{x}件" for x in t["task_count"]],
            "工时": [number(x, "小时") for x in t["hours"]],
            "是否准入": t["admitted"].map(yes_no),
            "费随事转": t["funded"].map(yes_no),
        }
    )
    facilities = pd.DataFrame(
        {
            "社区编码": f["community_id"],
            "年度": [f"{y}年" for y in f["year"]],
            "办公用房面积": [number(x, "㎡") for x in f["office_area_m2"]],
            "服务用房面积": [number(x, "平方米") for x in f["service_area_m2"]],
            "功能室数": f["room_count"],
            "多功能厅": f["has_hall"].map({True: "有", False: "无"}),
            "产权": f["tenure"].map(TENURE_WORDS),
            "工作经费": [number(x, "元") for x in f["operating_budget_yuan"]],
        }
    )
    survey = pd.DataFrame(
        {
            "问卷编号": v["response_id"],
            "社区编码": v["community_id"],
            "调查日期": [chinese_date(x) for x in v["survey_date"]],
            "总体满意度": v["overall"].map(LIKERT_WORDS),
            **{alias: v[item].map(LIKERT_WORDS) for alias, item in zip(SURVEY_ITEM_HEADERS, ITEMS, strict=True)},
            "权重": [number(x) for x in v["weight"]],
        }
    )
    return {
        "社区.csv": (communities, ","),
        "人员.csv": (staff, ","),
        "台账.csv": (tasks, ","),
        "设施.csv": (facilities, ","),
        "问卷.csv": (survey, "\t"),
    }


def run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "en_US.UTF-8"}
    return subprocess.run(
        [sys.executable, "-m", "community_eval", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=timeout,
        env=env,
    )


@pytest.fixture(scope="session")
def loaded_db(tmp_path_factory, frames) -> Path:
    folder = tmp_path_factory.mktemp("export_files")
    paths = []
    for name, (frame, separator) in written_files(frames).items():
        path = folder / name
        path.write_bytes(frame.to_csv(index=False, sep=separator).encode("gbk"))
        paths.append(str(path))
    db = folder / "district.duckdb"
    result = run("--lang", "en", "ingest", *paths, "--db", str(db))
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    return db


# ---- every command, run once, concurrently --------------------------------------------------

COMMANDS: dict[str, list[str]] = {
    "task_burden": ["task_burden"],
    "task_burden_2024": ["task_burden", "--year", "2024", "--format", "json"],
    "satisfaction": ["satisfaction", "--format", "json"],
    "satisfaction_2024": ["satisfaction", "--year", "2024"],
    "facility_compliance": ["facility_compliance"],
    "facility_national": ["facility_compliance", "--profile", "national_2021", "--format", "json", "--output", "{out}"],
    "staff_turnover": ["staff_turnover"],
    "staff_turnover_2024": ["staff_turnover", "--year", "2024", "--format", "json"],
    "staff_retention": ["staff_retention", "--as-of", AS_OF, "--output", "{out}"],
    "staff_retention_today": ["staff_retention", "--format", "json"],
    "assessment": ["assessment"],
    "assessment_2024": ["assessment", "--year", "2024", "--format", "json"],
    "standard_gap": ["standard_gap"],
    "standard_gap_national": ["standard_gap", "--profile", "national_2021", "--format", "json"],
    "standard_gap_2024": ["standard_gap", "--year", "2024", "--format", "json"],
    "missing_database": ["task_burden", "--db", "{missing}"],
}


@pytest.fixture(scope="session")
def exports(loaded_db, tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, str]]:
    """Each command's process result and its output text (stdout, or the --output file)."""
    folder = tmp_path_factory.mktemp("exports")

    def one(name: str) -> tuple[str, tuple[subprocess.CompletedProcess, str]]:
        out = folder / f"{name}.out"
        places = {"{out}": str(out), "{missing}": str(folder / "no_such_folder" / "x.duckdb")}
        args = [places.get(a, a) for a in COMMANDS[name]]
        if "--db" not in args:
            db = folder / f"{name}.duckdb"
            shutil.copyfile(loaded_db, db)
            args += ["--db", str(db)]
        result = run("--lang", "en", "export", *args)
        text = out.read_text(encoding="utf-8") if "{out}" in COMMANDS[name] and out.exists() else ""
        return name, (result, text or result.stdout.decode("utf-8"))

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(pool.map(one, COMMANDS))


def output_rows(exports, name: str) -> tuple[list[str], list[dict[str, object]], str]:
    """Columns, rows and format of a successful export: CSV cells as text, JSON values as parsed."""
    result, text = exports[name]
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    if "--format" in COMMANDS[name] and COMMANDS[name][COMMANDS[name].index("--format") + 1] == "json":
        rows = json.loads(text)
        assert isinstance(rows, list) and rows
        return list(rows[0]), rows, "json"
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert rows
    return header, rows, "csv"


def same(actual: object, expected: object, fmt: str) -> bool:
    """One cell against its definition: exact for text, integers and booleans, 1e-9 for floats."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual == ("" if fmt == "csv" else None)
    if isinstance(expected, bool | np.bool_):
        return actual == ("true" if expected else "false") if fmt == "csv" else actual is bool(expected)
    if isinstance(expected, int | np.integer):
        if fmt == "csv":
            return actual == str(int(expected))
        return type(actual) is int and actual == int(expected)
    if isinstance(expected, float | np.floating):
        if fmt == "csv" and actual != repr(float(actual)):  # full precision, written as Python writes it
            return False
        value = float(actual) if fmt == "csv" else actual
        return isinstance(value, float) and value == pytest.approx(float(expected), rel=1e-9, abs=1e-9)
    return actual == expected


def check_table(exports, name: str, expected: pd.DataFrame, key: str, columns: list[str]) -> None:
    """Exact columns in order, exactly the expected rows, and every cell."""
    header, rows, fmt = output_rows(exports, name)
    assert header == columns
    assert all(list(row) == columns for row in rows)
    by_key = {str(row[key]): row for row in rows}
    assert len(by_key) == len(rows)
    assert sorted(by_key) == sorted(str(k) for k in expected[key])
    for _, want in expected.iterrows():
        row = by_key[str(want[key])]
        for column in columns:
            value = None if want[column] is pd.NA else want[column]
            assert same(row[column], value, fmt), (name, want[key], column, row[column], value)


# ---- expectations from the definitions, with pandas ----------------------------------------


def ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def expected_task_burden(frames, year: int) -> pd.DataFrame:
    tasks = frames["tasks"][frames["tasks"]["period"].dt.year == year]
    rows = []
    for community_id, mine in tasks.groupby("community_id"):
        down = mine[mine["task_category"] != "self_governance"]
        community = frames["communities"].set_index("community_id").loc[community_id]
        staff = frames["staff"][frames["staff"]["community_id"] == community_id]
        active = int(in_post_end(staff, year).sum())
        tasks_total = int(mine["task_count"].sum())
        admin_hours = mine.loc[mine["task_category"].isin(ADMIN), "hours"].sum()
        rows.append(
            {
                "community_id": community_id,
                "tasks": tasks_total,
                "hours": float(mine["hours"].sum()),
                "admin_hours_share": ratio(admin_hours, mine["hours"].sum()),
                "unadmitted_share": ratio(down.loc[~down["admitted"], "task_count"].sum(), down["task_count"].sum()),
                "unfunded_share": ratio(down.loc[~down["funded"], "task_count"].sum(), down["task_count"].sum()),
                "departments": int(down["department"].nunique()),
                "inspections": int(mine.loc[mine["task_category"] == "inspection", "task_count"].sum()),
                "ledgers": int(mine.loc[mine["task_category"] == "ledger", "task_count"].sum()),
                "staff_active": active,
                "tasks_per_staff": ratio(tasks_total, active),
                "residents_per_staff": ratio(community["population"], active),
            }
        )
    return pd.DataFrame(rows, dtype=object)


def weighted_mean(values: pd.Series, weights: pd.Series) -> float | None:
    answered = values.notna()
    return float((values[answered] * weights[answered]).sum() / weights[answered].sum()) if answered.any() else None


def expected_satisfaction(frames, year: int) -> pd.DataFrame:
    survey = frames["survey"][frames["survey"]["survey_date"].dt.year == year]
    rows = []
    for community_id, mine in survey.groupby("community_id"):
        row: dict[str, object] = {"community_id": community_id, "n": len(mine), "suppressed": len(mine) < MIN_N}
        x = mine["overall"].astype(float)
        w = mine["weight"].fillna(1.0).astype(float)
        mean = float((w * x).sum() / w.sum())
        n = len(mine)
        # R's svymean on svydesign(ids = ~1, weights = ~w), and confint on n − 1 df.
        se = math.sqrt(n / (n - 1) * (w**2 * (x - mean) ** 2).sum()) / w.sum()
        half = stats.t.ppf(0.975, n - 1) * se
        statistics = {
            "mean_overall": mean,
            "se": se,
            "ci_low": mean - half,
            "ci_high": mean + half,
            "top2_share": float(w[x >= 4].sum() / w.sum()),
            **{f"mean_{item}": weighted_mean(mine[item].astype(float), w) for item in ITEMS},
        }
        row.update({k: None if row["suppressed"] else v for k, v in statistics.items()})
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def rule_status(rule: dict, row: pd.Series) -> str:
    """A facility rule of INDICATORS.md, thresholds from standards.toml."""
    total = row["office_area_m2"] + row["service_area_m2"]
    name = rule["name"]
    if name == "min_total_area":
        passed = total >= rule["min_total_area_m2"]
    elif name == "rooms":
        passed = row["room_count"] >= rule["min_rooms"] and (row["has_hall"] or not rule["require_hall"])
    elif name == "area_per_100_households":
        passed = total / row["households"] * 100 >= rule["min_area_per_100_households"]
    elif name == "household_tier":
        if row["households"] >= rule["tier_high_households"]:
            passed = total >= rule["tier_high_area_m2"]
        elif row["households"] >= rule["tier_low_households"]:
            passed = total >= rule["tier_low_area_m2"]
        else:
            passed = True
    elif name == "tenure":
        passed = row["tenure"] not in rule["disallowed_tenures"]
    elif name == "budget":
        if pd.isna(row["operating_budget_yuan"]):
            return "unknown"
        passed = row["operating_budget_yuan"] / row["households"] * 100 >= rule["min_budget_per_100_households"]
    elif name == "resident_space_share":
        passed = row["service_area_m2"] / total >= rule["min_resident_space_share"]
    else:
        raise AssertionError(f"rule {name} is not in INDICATORS.md")
    return "pass" if passed else "fail"


def expected_facilities(frames, year: int, profile: str) -> pd.DataFrame:
    rules = STANDARDS["profiles"][profile]["facility_rules"]
    facilities = frames["facilities"][frames["facilities"]["year"] <= year]
    latest = facilities.sort_values("year").groupby("community_id").tail(1)
    latest = latest.merge(frames["communities"][["community_id", "households"]], on="community_id")
    rows = []
    for _, row in latest.iterrows():
        total = row["office_area_m2"] + row["service_area_m2"]
        statuses = {f"rule_{rule['name']}": rule_status(rule, row) for rule in rules}
        values = list(statuses.values())
        budget = row["operating_budget_yuan"]
        rows.append(
            {
                "community_id": row["community_id"],
                "year": int(row["year"]),
                "total_area_m2": float(total),
                "area_per_100_households": total / row["households"] * 100,
                "resident_space_share": row["service_area_m2"] / total,
                "budget_per_100_households": None if pd.isna(budget) else budget / row["households"] * 100,
                **statuses,
                "rules_passed": values.count("pass"),
                "rules_applicable": len(values) - values.count("unknown"),
                "compliant": False if "fail" in values else (None if "unknown" in values else True),
            }
        )
    return pd.DataFrame(rows, dtype=object)


def reference_wage(district: str, year: int) -> float | None:
    for row in STANDARDS.get("reference_wages", []):
        if row["district"] == district and int(row["year"]) == year:
            return float(row["monthly_wage_yuan"])
    return None


def turnover_row(staff: pd.DataFrame, year: int, key: str, districts: set[str]) -> dict[str, object]:
    start = pd.Timestamp(year, 1, 1)
    at_start = (staff["hire_date"] < start) & (staff["exit_date"].isna() | (staff["exit_date"] >= start))
    at_end = in_post_end(staff, year)
    separations = int((staff["exit_date"].dt.year == year).sum())
    pay = staff.loc[at_end, "monthly_pay"].dropna()
    median = float(np.median(pay)) if len(pay) else None
    wage = reference_wage(next(iter(districts)), year) if len(districts) == 1 else None
    joint = at_end & staff["role"].eq("secretary") & staff["also_director"]
    return {
        "community_id": key,
        "year": year,
        "headcount_start": int(at_start.sum()),
        "headcount_end": int(at_end.sum()),
        "hires": int((staff["hire_date"].dt.year == year).sum()),
        "separations": separations,
        "turnover_rate": ratio(separations, (at_start.sum() + at_end.sum()) / 2),
        "certified_share": ratio(staff.loc[at_end, "certified_social_worker"].sum(), at_end.sum()),
        "median_pay": median,
        "pay_to_reference": median / wage if median is not None and wage else None,
        "joint_secretary_director": 1.0 if joint.any() else 0.0,
    }


def expected_turnover(frames, year: int) -> pd.DataFrame:
    staff = frames["staff"].merge(frames["communities"][["community_id", "district"]], on="community_id")
    known = staff[staff["hire_date"] <= pd.Timestamp(year, 12, 31)]
    rows = [
        turnover_row(staff[staff["community_id"] == community_id], year, community_id, {district})
        for community_id, district in known.groupby("community_id")["district"].first().items()
    ]
    total = turnover_row(staff, year, "ALL", set(staff["district"]))
    # the share of the communities listed (those with staff by 31 Dec) that have a 一肩挑 secretary
    total["joint_secretary_director"] = float(np.mean([row["joint_secretary_director"] for row in rows]))
    rows.append(total)
    return pd.DataFrame(rows, dtype=object)


def expected_retention(frames, as_of: str) -> pd.DataFrame:
    when = pd.Timestamp(as_of)
    staff = frames["staff"][frames["staff"]["hire_date"] <= when]
    left = staff["exit_date"].notna() & (staff["exit_date"] <= when)
    duration = (staff["exit_date"].where(left, when) - staff["hire_date"]).dt.days.astype(float)
    horizons = [m * 365.25 / 12 for m in (0, 6, 12, 24, 36, 60)]
    survival = KaplanMeierFitter().fit(duration, left).survival_function_at_times(horizons).to_numpy()
    return pd.DataFrame(
        {
            "months": [0, 6, 12, 24, 36, 60],
            "at_risk": [int((duration >= t).sum()) for t in horizons],
            "survival": [float(v) for v in survival],
        },
        dtype=object,
    )


def facility_columns(profile: str) -> list[str]:
    rules = [f"rule_{rule['name']}" for rule in STANDARDS["profiles"][profile]["facility_rules"]]
    head = ["community_id", "year", "total_area_m2", "area_per_100_households", "resident_space_share"]
    return [*head, "budget_per_100_households", *rules, "rules_passed", "rules_applicable", "compliant"]


def expected_assessment(frames, year: int, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """INDICATORS.md "assessment", from the other expectations: every community, best first."""
    settings = STANDARDS["assessment"]
    weights = weights or {k: float(v) for k, v in settings["weights"].items()}
    ceiling = float(STANDARDS.get("turnover_ceiling", 0.30))
    happy = expected_satisfaction(frames, year).set_index("community_id")
    burden = expected_task_burden(frames, year).set_index("community_id")
    rooms = expected_facilities(frames, year, STANDARDS["default_profile"]).set_index("community_id")
    people = expected_turnover(frames, year).set_index("community_id")

    def look(frame: pd.DataFrame, key: str, column: str) -> float | None:
        value = frame[column].get(key) if key in frame.index else None
        return None if value is None or pd.isna(value) else float(value)

    rows = []
    for key in frames["communities"]["community_id"]:
        mean, admin = look(happy, key, "mean_overall"), look(burden, key, "admin_hours_share")
        unadmitted = look(burden, key, "unadmitted_share")
        passed, applicable = look(rooms, key, "rules_passed"), look(rooms, key, "rules_applicable")
        rate = look(people, key, "turnover_rate")
        scores = {
            "satisfaction": None if mean is None else (mean - 1) / 4 * 100,
            "burden": None if admin is None or unadmitted is None else 50 * (1 - admin) + 50 * (1 - unadmitted),
            "facility": 100 * passed / applicable if applicable else None,
            "staffing": None if rate is None else 100 * (1 - min(rate / ceiling, 1)),
        }
        present = {k: v for k, v in scores.items() if v is not None}
        total = sum(weights[k] for k in present)
        composite = sum(weights[k] * v for k, v in present.items()) / total if present and total else None
        rows.append(
            {
                "community_id": key,
                **{f"{k}_score": v for k, v in scores.items()},
                "composite": composite,
                "components_missing": ",".join(k for k, v in scores.items() if v is None),
                # rated: every component with a positive weight has a score
                "rated": all(v is not None for k, v in scores.items() if weights[k] > 0),
            }
        )
    frame = pd.DataFrame(rows, dtype=object)
    rated = frame["rated"].astype(bool)
    composite = frame["composite"].astype(float)
    # rank among the rated communities only, ties sharing the better rank
    ranks = composite[rated].round(9).rank(method="min", ascending=False).reindex(frame.index)
    frame["rank"] = pd.Series([None if pd.isna(r) else int(r) for r in ranks], dtype=object)
    bands = sorted(settings["tiers"].items(), key=lambda band: -band[1])
    frame["tier"] = [
        None if not ok or pd.isna(c) else next((label for label, floor in bands if c >= floor), "D")
        for c, ok in zip(composite, rated, strict=True)
    ]
    return frame


#: The roles that fill a seat of the committee (seed_2016's 3+X count); grid workers do not.
COMMITTEE_ROLES = {"secretary", "deputy_secretary", "director", "deputy_director", "member"}
#: The parts of the bill, in the order parts_unknown names them.
GAP_PARTS = ("area_short_m2", "borrowed", "budget_short_yuan", "seats_short", "pay_gap_yuan")
#: The columns the ALL row sums (borrowed is not a quantity).
GAP_SUMS = (
    "required_area_m2",
    "area_short_m2",
    "rooms_short",
    "resident_space_short_m2",
    "budget_short_yuan",
    "seats_required",
    "seats_in_post",
    "seats_short",
    "pay_gap_yuan",
    "one_off_yuan",
    "annual_yuan",
)
AREA_RULES = {"min_total_area", "area_per_100_households", "household_tier"}


def unit_cost(name: str) -> float:
    return float(STANDARDS["unit_costs"][name]["yuan"])


def required_area(rules: dict[str, dict], households) -> float | None:
    """The largest area any area rule of the profile asks; a rule without its number is left out."""
    asks = []
    if "min_total_area" in rules:
        asks.append(float(rules["min_total_area"]["min_total_area_m2"]))
    if households is not None and not pd.isna(households):
        if "area_per_100_households" in rules:
            asks.append(rules["area_per_100_households"]["min_area_per_100_households"] * households / 100)
        if "household_tier" in rules:
            tier = rules["household_tier"]
            if households >= tier["tier_high_households"]:
                asks.append(float(tier["tier_high_area_m2"]))
            elif households >= tier["tier_low_households"]:
                asks.append(float(tier["tier_low_area_m2"]))
    return float(max(asks)) if asks else None


def seats_required(staffing: dict, population) -> int | None:
    """seed_2016: the 3+X band of the population; national_2021: ceil(18 × population / 10,000)."""
    if population is None or pd.isna(population):
        return None
    if "committee_size" in staffing:
        for band in staffing["committee_size"]:
            if "max_population" not in band or population <= band["max_population"]:
                return int(band["seats"])
    if "min_workers_per_10000_residents" in staffing:
        return math.ceil(Fraction(staffing["min_workers_per_10000_residents"]) * int(population) / 10000)
    return None


def priced_parts(profile: str) -> list[str]:
    """The parts of GAP_PARTS the profile prices, in order."""
    rules = {rule["name"] for rule in STANDARDS["profiles"][profile]["facility_rules"]}
    staffing = STANDARDS["profiles"][profile].get("staffing", {})
    priced = {
        "area_short_m2": bool(rules & AREA_RULES),
        "borrowed": "tenure" in rules,
        "budget_short_yuan": "budget" in rules,
        "seats_short": "committee_size" in staffing or "min_workers_per_10000_residents" in staffing,
        "pay_gap_yuan": True,
    }
    return [part for part in GAP_PARTS if priced[part]]


def gap_row(profile: str, community: pd.Series, facility: pd.Series | None, staff: pd.DataFrame, year: int) -> dict:
    """One community's row of standard_gap: INDICATORS.md, with the rules agreed where it is silent
    (a rule without its number is left out; a missing input leaves its column null)."""
    rules = {rule["name"]: rule for rule in STANDARDS["profiles"][profile]["facility_rules"]}
    staffing = STANDARDS["profiles"][profile].get("staffing", {})
    row: dict[str, object] = {"community_id": community["community_id"], "year": None}
    for column in ("required_area_m2", "area_short_m2", "rooms_short", "resident_space_short_m2"):
        row[column] = None
    row["borrowed"] = row["budget_short_yuan"] = None
    if facility is not None:
        households = community["households"]
        total = facility["office_area_m2"] + facility["service_area_m2"]
        required = required_area(rules, households)
        row["year"] = int(facility["year"])
        row["required_area_m2"] = required
        if required is not None and not pd.isna(total):
            row["area_short_m2"] = float(max(0.0, required - total))
        if "rooms" in rules and not pd.isna(facility["room_count"]) and not pd.isna(facility["has_hall"]):
            rule = rules["rooms"]
            missing_hall = 1 if rule["require_hall"] and not facility["has_hall"] else 0
            row["rooms_short"] = max(0, int(rule["min_rooms"]) - int(facility["room_count"])) + missing_hall
        if "resident_space_share" in rules and required is not None and not pd.isna(total):
            share = rules["resident_space_share"]["min_resident_space_share"]
            row["resident_space_short_m2"] = float(max(0.0, share * max(total, required) - facility["service_area_m2"]))
        if "tenure" in rules and not pd.isna(facility["tenure"]):
            row["borrowed"] = facility["tenure"] in rules["tenure"]["disallowed_tenures"]
        budget = facility["operating_budget_yuan"]
        if "budget" in rules and not pd.isna(budget):
            asked = rules["budget"]["min_budget_per_100_households"] * households / 100
            row["budget_short_yuan"] = float(max(0.0, asked - budget))
    in_post = staff[in_post_end(staff, year)]
    seats = in_post[in_post["role"].isin(COMMITTEE_ROLES)] if "committee_size" in staffing else in_post
    row["seats_required"] = seats_required(staffing, community["population"])
    row["seats_in_post"] = len(seats)
    row["seats_short"] = None if row["seats_required"] is None else max(0, row["seats_required"] - len(seats))
    wage = reference_wage(community["district"], year)
    pay = in_post["monthly_pay"].dropna()
    row["pay_gap_yuan"] = None if wage is None else float(sum(max(0.0, wage - p) * 12 for p in pay))
    row["one_off_yuan"] = (row["area_short_m2"] or 0.0) * unit_cost("cost_per_m2") + (
        unit_cost("cost_to_secure_premises") if row["borrowed"] is True else 0.0
    )
    row["annual_yuan"] = (
        (row["budget_short_yuan"] or 0.0)
        + (row["seats_short"] or 0) * unit_cost("annual_cost_per_seat")
        + (row["pay_gap_yuan"] or 0.0)
    )
    row["parts_unknown"] = ",".join(part for part in priced_parts(profile) if row[part] is None)
    return row


def expected_standard_gap(frames, year: int, profile: str) -> pd.DataFrame:
    """INDICATORS.md "standard_gap": every community of the filter by id, then the ALL row of sums."""
    facilities = frames["facilities"][frames["facilities"]["year"] <= year]
    latest = facilities.sort_values("year").groupby("community_id").tail(1).set_index("community_id")
    staff = frames["staff"]
    rows = [
        gap_row(
            profile,
            community,
            latest.loc[community["community_id"]] if community["community_id"] in latest.index else None,
            staff[staff["community_id"] == community["community_id"]],
            year,
        )
        for _, community in frames["communities"].sort_values("community_id").iterrows()
    ]
    total: dict[str, object] = {"community_id": "ALL", "year": year, "borrowed": None}
    for column in GAP_SUMS:
        known = [row[column] for row in rows if row[column] is not None]
        total[column] = sum(known) if known else None
    named = {part for row in rows for part in row["parts_unknown"].split(",") if part}
    total["parts_unknown"] = ",".join(part for part in GAP_PARTS if part in named)
    rows.append(total)
    return pd.DataFrame(rows, columns=COLUMNS["standard_gap"], dtype=object)
