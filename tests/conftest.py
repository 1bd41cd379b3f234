"""Shared fixtures: a hand-made district whose answers are known, the sample district, the
export checks' seeded district and the dashboard on the sample district.

Layered like Datasette's: ``known_frames`` are plain DataFrames (the truth the tests
compute expectations from, with pandas), ``known_store`` is the same data loaded through
the real loader from CSV files, ``sample_db`` is the shipped sample loaded once per session.
``frames``, ``loaded_db`` and ``exports`` are the seeded district of export_district.py, its
files loaded through the command line and every export command's output, once per session;
``app`` opens the dashboard on the sample district (the helpers that read it: app_pages.py).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from community_eval.core.schema import TABLES
from community_eval.db.store import Store
from community_eval.ingest.loader import create_sample_database, ingest_paths
from tests.app_pages import ENTRY, TIMEOUT
from tests.definitions import FACILITY_COLUMNS
from tests.export_district import exports, frames, loaded_db  # noqa: F401 (the session's fixtures)

ROOT = Path(__file__).resolve().parent.parent


def _communities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "community_id": ["C1", "C2", "C3", "C4"],
            "community_name": ["一号社区", "二号社区", "三号社区", "四号社区"],
            "district": ["测试区", "测试区", "测试区", "测试区"],
            "street": ["东街道", "东街道", "西镇", "西镇"],
            "community_type": ["urban", "village_converted", "township", "urban"],
            "population": [4000, 12000, 6000, 3000],
            "households": [1500, 4200, 800, 1000],
        }
    )


def _staff() -> pd.DataFrame:
    rows = [
        # staff_id, community, role, employment, gender, certified, pay, hire, exit, reason
        ("P01", "C1", "secretary", "full_time", "F", True, 2000, "2016-03-01", None, None),
        ("P02", "C1", "member", "full_time", "M", False, 1700, "2019-05-01", "2025-01-01", "pay"),
        ("P03", "C1", "member", "part_time", "F", False, 900, "2025-02-01", "2025-11-30", "workload"),
        ("P04", "C1", "member", "full_time", "M", False, 1700, "2025-01-01", None, None),
        ("P05", "C2", "secretary", "full_time", "M", False, 2000, "2014-01-01", "2025-12-31", "retirement"),
        ("P06", "C2", "director", "full_time", "F", True, 1800, "2018-07-01", None, None),
        ("P07", "C2", "member", "full_time", "F", False, 1750, "2020-01-01", "2024-12-31", "career"),
        ("P08", "C2", "member", "part_time", "M", False, 1000, "2024-06-01", None, None),
        ("P09", "C3", "secretary", "full_time", "M", False, 2100, "2015-01-01", None, None),
        ("P10", "C3", "member", "full_time", "F", False, 1700, "2023-01-01", "2025-06-15", "pay"),
        ("P11", "C3", "member", "full_time", "F", True, None, "2021-01-01", None, None),
        ("P12", "C4", "secretary", "full_time", "M", False, 1900, "2022-01-01", None, None),
    ]
    columns = [
        "staff_id",
        "community_id",
        "role",
        "employment",
        "gender",
        "certified_social_worker",
        "monthly_pay",
        "hire_date",
        "exit_date",
        "exit_reason",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("hire_date", "exit_date"):
        frame[column] = pd.to_datetime(frame[column])
    # 一肩挑: C1's secretary also directs; C2's did until leaving on 31 Dec 2025; C3's does not;
    # C4's cell is blank (= false). Everyone else's is blank too.
    joint = {"P01": True, "P05": True, "P09": False}
    frame.insert(5, "also_director", frame["staff_id"].map(joint).astype(object).where(frame["staff_id"].isin(joint)))
    return frame


def _tasks() -> pd.DataFrame:
    rows = [
        # community, period, department, category, count, hours, admitted, funded
        ("C1", "2025-01", "民政", "administrative", 5, 20.0, True, False),
        ("C1", "2025-01", "城管", "inspection", 2, 12.5, False, False),
        ("C1", "2025-02", "统计", "ledger", 3, 9.0, True, True),
        ("C1", "2025-03", "民政", "service", 4, 16.0, True, True),
        ("C1", "2025-03", "居委会", "self_governance", 2, 6.0, True, False),
        ("C1", "2024-12", "民政", "administrative", 9, 30.0, False, False),
        ("C2", "2025-05", "卫健", "certificate", 10, 5.0, False, True),
        ("C2", "2025-06", "卫健", "inspection", 1, 8.0, True, False),
        ("C2", "2025-06", "居委会", "self_governance", 3, 12.0, True, False),
        ("C3", "2025-07", "人社", "service", 6, 18.0, True, True),
        ("C3", "2025-07", "人社", "ledger", 2, 0.0, False, False),
        ("C4", "2024-03", "应急", "inspection", 1, 4.0, True, True),
    ]
    columns = ["community_id", "period", "department", "task_category", "task_count", "hours", "admitted", "funded"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["period"] = pd.to_datetime(frame["period"] + "-01")
    return frame


def _facilities() -> pd.DataFrame:
    rows = [
        # community, year, office, service, rooms, hall, tenure, budget
        ("C1", 2025, 80.0, 260.0, 6, True, "owned", 40000.0),
        ("C1", 2023, 50.0, 100.0, 3, False, "borrowed", 10000.0),
        ("C2", 2024, 150.0, 200.0, 7, True, "rented", 50000.0),
        ("C3", 2025, 60.0, 90.0, 4, False, "borrowed", None),
    ]
    return pd.DataFrame(rows, columns=FACILITY_COLUMNS)


def _survey() -> pd.DataFrame:
    overall_c1 = [5, 4, 4, 3, 5, 2, 4, 4, 3, 5, 1, 4]
    weights_c1 = [1.0, 2.0, 0.5, 1.5, 1.0, 1.0, 0.8, 1.2, 1.0, 2.5, 1.0, 0.5]
    overall_c3 = [3, 3, 4, 2, 5, 4, 3, 3, 4, 4, 2, 3, 5, 4, 3]
    rows = []
    for i, (x, w) in enumerate(zip(overall_c1, weights_c1, strict=True)):
        service = None if i % 4 == 0 else (x % 5) + 1
        rows.append((f"C1-{i}", "C1", "2025-10-01", x, service, w))
    for i, x in enumerate([5, 5, 4, 4, 3]):  # 5 responses: fewer than min_n, suppressed
        rows.append((f"C2-{i}", "C2", "2025-10-02", x, 4, None))
    for i, x in enumerate(overall_c3):
        rows.append((f"C3-{i}", "C3", "2025-11-03", x, None, None))
    for i, x in enumerate([2, 3, 4, 4, 5, 3, 3, 2, 4, 4]):
        rows.append((f"C1-old-{i}", "C1", "2024-10-01", x, 3, None))
    frame = pd.DataFrame(rows, columns=["response_id", "community_id", "survey_date", "overall", "service", "weight"])
    frame["survey_date"] = pd.to_datetime(frame["survey_date"])
    return frame


@pytest.fixture(scope="session")
def known_frames() -> dict[str, pd.DataFrame]:
    """The hand-made district as canonical DataFrames: the truth expectations come from."""
    return {
        "communities": _communities(),
        "staff": _staff(),
        "tasks": _tasks(),
        "facilities": _facilities(),
        "survey": _survey(),
    }


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            fmt = "%Y-%m" if column == "period" else "%Y-%m-%d"
            out[column] = out[column].dt.strftime(fmt)
    out.to_csv(path, index=False)


def database_from(tables: dict[str, pd.DataFrame], folder: Path, name: str = "known") -> str:
    """Tables (by name, in loading order) written as CSV and loaded through the real loader
    into a new database file in ``folder``; its path. Every file must load."""
    paths = []
    for table, frame in tables.items():
        path = folder / f"{table}.csv"
        _to_csv(frame, path)
        paths.append(path)
    db = str(folder / f"{name}.duckdb")
    store = Store(db)
    reports = ingest_paths(store, paths)
    store.close()
    assert all(r.loaded for r in reports), [(r.file_name, r.problems[:3]) for r in reports]
    return db


def contents(store: Store) -> dict[str, object]:
    """Every stored row of every table, every import record and the data version: what
    "unchanged" compares."""
    out: dict[str, object] = {}
    with store.cursor() as cur:
        for table in TABLES:
            out[table] = sorted(cur.execute(f"select * from {table}").fetchall(), key=repr)
        out["imports"] = cur.execute("select * from meta.imports order by import_id").fetchall()
    out["version"] = store.data_version()
    return out


@pytest.fixture(scope="session")
def known_db(tmp_path_factory, known_frames) -> str:
    """The hand-made district loaded through the real loader into a database file."""
    return database_from(known_frames, tmp_path_factory.mktemp("known"))


@pytest.fixture
def known_store(known_db) -> Store:
    store = Store(known_db)
    yield store
    store.close()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> str:
    """The shipped sample district, built once per test session the way first start builds it."""
    path = str(tmp_path_factory.mktemp("sample") / "sample.duckdb")
    create_sample_database(path)
    return path


@pytest.fixture
def empty_store(tmp_path) -> Store:
    store = Store(str(tmp_path / "empty.duckdb"))
    yield store
    store.close()


@pytest.fixture
def app(sample_db, monkeypatch):
    """A fresh app session on the sample district."""
    monkeypatch.setenv("COMMUNITY_EVAL_DB", sample_db)

    def make(**query) -> AppTest:
        at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
        for key, value in query.items():
            at.query_params[key] = value
        return at

    return make


# ---- the browser (tests/browser and the offline report's rendering) --------------------------

#: Set by .ci/run: a missing browser fails the browser tests instead of skipping them.
REQUIRED = os.environ.get("COMMUNITY_EVAL_BROWSER_TESTS") == "required"


def missing() -> list[str]:
    """What the browser tests need and this machine lacks."""
    lacking = []
    if importlib.util.find_spec("playwright") is None:
        lacking.append("the playwright package (pip install -r requirements-dev.txt)")
    if importlib.util.find_spec("axe_playwright_python") is None:
        lacking.append("the axe-playwright-python package (pip install -r requirements-dev.txt)")
    if not Path(_harness().CHROMIUM).exists():
        lacking.append(f"Chromium at {_harness().CHROMIUM} (apt-get install chromium)")
    fc_list = shutil.which("fc-list")
    fonts = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True).stdout if fc_list else ""
    if "Noto Sans CJK" not in fonts:
        lacking.append("CJK fonts (apt-get install fonts-noto-cjk)")
    return lacking


@pytest.fixture(scope="session")
def browser_ready() -> None:
    lacking = missing()
    if lacking:
        message = "browser tests need " + ", ".join(lacking)
        if REQUIRED:
            pytest.fail(message + " (COMMUNITY_EVAL_BROWSER_TESTS=required)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser(browser_ready):
    with _harness().chromium() as chromium:
        yield chromium


def _harness():
    """The server and browser helpers of tools/meeting_screenshots.py (imported when needed)."""
    from tools import meeting_screenshots

    return meeting_screenshots
