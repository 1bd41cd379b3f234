"""A Parquet dataset read in place: the same numbers as the stored tables, and nothing written.

The sample district is written out with ``python -m community_eval parquet``; a store over
those files must give every export exactly what the database gives, refuse loads, and see
a rewritten file as a new data version.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from community_eval import cli
from community_eval.core.schema import TABLES
from community_eval.core.standards import load_standards
from community_eval.db.store import PARQUET_ENV, Store, StoreError
from community_eval.indicators import survey_items
from community_eval.indicators.catalog import BY_NAME
from community_eval.indicators.declaration import Request
from community_eval.ingest.loader import ingest_paths
from community_eval.report import export

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def _database(path: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the sample database, opened the way the app opens it (DuckDB refuses a
    second connection to one file with another configuration in the same process)."""
    store = Store(path)
    try:
        with store.cursor() as cur:
            yield cur
    finally:
        store.close()


@pytest.fixture(scope="module")
def parquet_dir(sample_db, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("parquet")
    assert cli.main(["parquet", "--db", sample_db, "--output", str(folder)]) == 0
    return folder


@pytest.fixture
def parquet_store(parquet_dir):
    store = Store(":memory:", parquet=str(parquet_dir))
    yield store
    store.close()


def test_the_layout_is_hive_partitioned_by_year(parquet_dir, sample_db):
    with _database(sample_db) as con:
        survey_years = {row[0] for row in con.execute("select distinct year(survey_date) from survey").fetchall()}
        facility_years = {row[0] for row in con.execute("select distinct year from facilities").fetchall()}
    assert {p.name for p in (parquet_dir / "survey").iterdir()} == {f"year={y}" for y in survey_years}
    assert {p.name for p in (parquet_dir / "facilities").iterdir()} == {f"year={y}" for y in facility_years}
    assert [p.name for p in (parquet_dir / "communities").iterdir()] == ["communities.parquet"]


def test_every_table_reads_back_row_for_row(parquet_store, sample_db):
    with _database(sample_db) as con:
        for name, table in TABLES.items():
            columns = ", ".join(table.column_names)
            stored = con.execute(f"select {columns} from {name} order by all").df()
            with parquet_store.cursor() as cur:
                read = cur.execute(f"select {columns} from {name} order by all").df()
            pd.testing.assert_frame_equal(read, stored, check_dtype=True, obj=name)


@pytest.mark.parametrize("indicator", export.INDICATORS)
def test_every_export_is_the_same_from_parquet(indicator, parquet_store, sample_db):
    standards = load_standards()
    database = Store(sample_db)
    try:
        expected = export.build(database, indicator, standards, as_of=dt.date(2025, 12, 31))
    finally:
        database.close()
    actual = export.build(parquet_store, indicator, standards, as_of=dt.date(2025, 12, 31))
    assert len(actual) > 0 or indicator == "survey_items"  # the sample's survey has no own questions
    pd.testing.assert_frame_equal(actual, expected, obj=indicator)


def test_loads_and_undo_are_refused_and_change_nothing(parquet_store):
    before = parquet_store.row_count("communities")
    version = parquet_store.data_version()
    (report,) = ingest_paths(parquet_store, [str(ROOT / "sample_data" / "staff.csv")], mode="replace")
    assert not report.loaded
    assert parquet_store.row_count("communities") == before and parquet_store.data_version() == version
    with pytest.raises(StoreError) as refused:
        parquet_store.undo(1)
    assert refused.value.reason == "read_only_parquet"


def test_the_command_line_refuses_to_load_in_one_sentence(parquet_dir, monkeypatch, capsys):
    monkeypatch.setenv(PARQUET_ENV, str(parquet_dir))
    monkeypatch.delenv("COMMUNITY_EVAL_DB", raising=False)
    status = cli.main(["ingest", "--lang", "en", str(ROOT / "sample_data" / "communities.csv")])
    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error == (
        f"The data are read from the Parquet files in {parquet_dir}; load into those files, not through the dashboard."
    )


def test_a_rewritten_file_is_a_new_data_version(sample_db, tmp_path):
    folder = tmp_path / "dataset"
    Store(sample_db).write_parquet(str(folder))
    first = Store(":memory:", parquet=str(folder))
    again = Store(":memory:", parquet=str(folder))
    assert first.data_version() == again.data_version(), "the same files, the same version"
    responses = first.row_count("survey")
    target = next((folder / "survey").glob("year=2025/*.parquet"))
    with duckdb.connect() as con:
        rows = con.execute("select * from read_parquet($f) limit 100", {"f": str(target)}).df()
    target.unlink()
    rows.to_parquet(target.with_name("smaller.parquet"))
    changed = Store(":memory:", parquet=str(folder))
    assert changed.data_version() != first.data_version()
    assert changed.row_count("survey") < responses


def test_the_dashboard_runs_on_the_parquet_dataset(parquet_dir, sample_db, monkeypatch):
    def headline_values(environment: dict[str, str]) -> list[str]:
        for key, value in environment.items():
            monkeypatch.setenv(key, value)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.query_params["lang"] = "en"
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return [m.value for m in at.metric]

    monkeypatch.delenv(PARQUET_ENV, raising=False)
    stored = headline_values({"COMMUNITY_EVAL_DB": sample_db})
    monkeypatch.delenv("COMMUNITY_EVAL_DB")
    read = headline_values({PARQUET_ENV: str(parquet_dir)})
    assert read == stored and len(read) == 7


def test_a_questionnaires_own_questions_travel_with_the_dataset(sample_db, tmp_path):
    """Items loaded from a 问卷星 export are written beside the survey and read back with the same estimates."""
    from community_eval.indicators.filters import Filters
    from community_eval.ingest.loader import Source, ingest
    from tools.survey_exports import platform_exports

    database = tmp_path / "with_items.duckdb"
    database.write_bytes(Path(sample_db).read_bytes())
    export = next(e for e in platform_exports() if e.platform == "wjx" and e.kind == "text" and e.fmt == "xlsx")
    store = Store(str(database))
    try:
        assert ingest(store, [Source(export.name, export.data)])[0].loaded
        expected = survey_items.survey_items(store, Filters(), 2024, 10, level="street")
    finally:
        store.close()
    folder = tmp_path / "parquet"
    assert cli.main(["parquet", "--db", str(database), "--output", str(folder)]) == 0
    assert (folder / "survey_answers" / "survey_answers.parquet").exists()
    read = Store(":memory:", parquet=str(folder))
    try:
        found = survey_items.survey_items(read, Filters(), 2024, 10, level="street")
    finally:
        read.close()
    assert len(expected) == 4  # the four own questions of 沙嘴街道's questionnaire
    pd.testing.assert_frame_equal(found, expected)


#: Exports of one year that read only that year's survey and task files (survey_items also
#: reads the year before, for its change; the trends and the monthly series read every year).
ONE_YEAR_EXPORTS = ("satisfaction", "task_burden", "assessment")


def _parquet_scans(plan: dict) -> Iterator[dict[str, str]]:
    """Every Parquet scan of a query profile (DuckDB's JSON profile), with what it read."""
    for operator in plan.get("operator", plan.get("children", [])):
        if operator.get("name") == "READ_PARQUET":
            yield operator["extra_info"]
        yield from _parquet_scans(operator)


@pytest.fixture
def profiled_scans(monkeypatch, tmp_path) -> list[dict[str, str]]:
    """The Parquet scans of every query the store runs from now on, read from DuckDB's profile."""
    scans: list[dict[str, str]] = []
    run = Store._run
    output = tmp_path / "profile.json"

    def run_profiled(cur, sql, bound, frames):
        cur.execute("pragma enable_profiling = 'json'")
        cur.execute(f"pragma profiling_output = '{output}'")
        try:
            return run(cur, sql, bound, frames)
        finally:
            cur.execute("pragma disable_profiling")
            scans.extend(_parquet_scans(json.loads(output.read_text(encoding="utf-8"))))

    monkeypatch.setattr(Store, "_run", staticmethod(run_profiled))
    return scans


def test_a_years_indicators_read_only_that_years_files(sample_db, tmp_path, profiled_scans):
    """Partition pruning: the year's exports open only the survey and task files of that year
    (``year=2025/``), as DuckDB's profile of every query they run counts them, and give the
    database's numbers. Filtering on ``year(survey_date)`` instead opens every year's files
    (DuckDB then skips their rows by the files' statistics, but still opens each one, a request
    per file on object storage). Each declaration's export is called with its year: choosing the
    default year lists every year, which opens every file."""
    folder = tmp_path / "dataset"
    Store(sample_db).write_parquet(str(folder))
    files_of_2025 = {table: len(list(folder.glob(f"{table}/year=2025/*.parquet"))) for table in ("survey", "tasks")}
    assert all(count >= 1 for count in files_of_2025.values())
    assert all(len(list(folder.glob(f"{table}/*/*.parquet"))) > files_of_2025[table] for table in files_of_2025)
    standards = load_standards()
    request = Request(2025, standards, export.resolve_profile(standards, None), dt.date(2025, 12, 31))
    database = Store(sample_db)
    try:
        expected = {name: BY_NAME[name].export(database, request) for name in ONE_YEAR_EXPORTS}
    finally:
        database.close()
    store = Store(":memory:", parquet=str(folder))
    try:
        store.data_version()  # opened: the views made, the files' columns and list read
        profiled_scans.clear()
        for name, frame in expected.items():
            pd.testing.assert_frame_equal(BY_NAME[name].export(store, request), frame, obj=name)
    finally:
        store.close()
    read = {
        table: [int(scan["Total Files Read"]) for scan in profiled_scans if f"/{table}/" in scan["Filename(s)"]]
        for table in files_of_2025
    }
    assert read["survey"] and read["tasks"], "the exports read the survey and the tasks"
    assert read == {table: [count] * len(read[table]) for table, count in files_of_2025.items()}
