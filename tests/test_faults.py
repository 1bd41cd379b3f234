"""Faults: a database that is locked, read-only, missing or damaged, a load killed halfway,
and the disk filling during a load.

Each fault is made for real: another process holds the lock, a read-only mount (we run as
root, for whom file permissions do not count), a damaged block of a real database, a
SIGKILL while the load's rows are being written, a tmpfs too small for the load. The page
must show one sentence and no traceback, the command line one sentence on stderr and a
non-zero exit, and the stored data must be exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from community_eval.core import faults
from community_eval.core.i18n import Translator
from community_eval.core.schema import STORED_SCHEMA, TABLES
from community_eval.db import workspaces
from community_eval.db.store import Store, StoreError
from community_eval.ingest.loader import Source, ingest

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
SURVEY = ROOT / "sample_data" / "survey.csv"
#: DuckDB's file layout: three 4 KiB headers, then 256 KiB blocks (see ``pragma database_size``).
HEADERS, BLOCK = 3 * 4096, 262144

LOCKED_EN = "is in use by another program"
DAMAGED_EN = "is damaged or is not a DuckDB database"
READ_ONLY_EN = "can only be read here"
MISSING_EN = "does not exist and cannot be created there"
FULL_EN = "is full, so nothing was written"


# ---- making the faults ------------------------------------------------------------------------


@contextmanager
def held(path: Path) -> Iterator[int]:
    """Another process holding the database open (DuckDB's file lock); yields its PID."""
    code = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(300)"
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        yield child.pid
    finally:
        child.kill()
        child.wait()


@contextmanager
def tmpfs(where: Path, size: int) -> Iterator[Path]:
    """A real small filesystem of ``size`` bytes at ``where``, always unmounted afterwards."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount rights): {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], check=True)  # a child still had a file open


@pytest.fixture
def read_only_db(sample_db: str, tmp_path: Path) -> Iterator[Path]:
    """The sample district on a read-only mount: writes fail with EROFS, even for root."""
    with tmpfs(tmp_path / "ro", 16 * 2**20) as mount:
        shutil.copy(sample_db, mount / "district.duckdb")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "district.duckdb"


def garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.duckdb"
    path.write_bytes(b"this is not a database\n" * 1000)
    return path


def truncated(sample_db: str, tmp_path: Path) -> Path:
    """A real database cut short, as a copy interrupted part way leaves it."""
    path = tmp_path / "truncated.duckdb"
    path.write_bytes(Path(sample_db).read_bytes()[:5000])
    return path


def damaged_survey(sample_db: str, tmp_path: Path) -> Path:
    """A database that opens, whose survey rows lie in a block with bad bytes: found only by a query."""
    path = tmp_path / "damaged.duckdb"
    shutil.copy(sample_db, path)
    with duckdb.connect(str(path), read_only=True) as con:
        (block,) = con.execute(
            f"select min(block_id) from pragma_storage_info('{STORED_SCHEMA}.survey') where block_id >= 0"
        ).fetchone()
    with path.open("r+b") as handle:
        handle.seek(HEADERS + block * BLOCK + 64)
        handle.write(b"\x5a" * 4096)
    return path


def survey_copies(path: Path, copies: int) -> Path:
    """The sample survey's rows ``copies`` times over with fresh response ids: a big valid file."""
    header, *body = SURVEY.read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        for copy in range(copies):
            out.write("\n".join(f"R{copy}-{line}" for line in body) + "\n")
    return path


def state(path: Path) -> dict[str, object]:
    """Everything a load changes: each table's stored, current and replaced rows, the imports, the version."""
    store = Store(str(path))
    try:
        with store.cursor() as cur:
            rows = {}
            for name in TABLES:
                stored, replaced = cur.execute(
                    f"select count(*), count(replaced_by) from {STORED_SCHEMA}.{name}"
                ).fetchone()
                rows[name] = (stored, replaced, store.row_count(name))
            imports = cur.execute("select * from meta.imports order by import_id").fetchall()
            version = cur.execute("select version, token from meta.data_version").fetchall()
        return {"rows": rows, "imports": imports, "version": version}
    finally:
        store.close()


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "community_eval", "--lang", "en", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def refused_in_one_sentence(result: subprocess.CompletedProcess, words: str) -> str:
    """The command failed with ``words`` as its only line on stderr, and no traceback anywhere."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    return lines[0]


COMMANDS = {
    "ingest": lambda db, out: ("ingest", str(SURVEY), "--db", str(db)),
    "export": lambda db, out: ("export", "task_burden", "--db", str(db)),
    "report": lambda db, out: ("report", "--db", str(db), "--output", str(out / "report.html")),
}


# ---- reading DuckDB's messages ----------------------------------------------------------------


def test_duckdb_messages_are_told_apart():
    lock = (
        'IO Error: Could not set lock on file "/d/x.duckdb": Conflicting lock is held in '
        "/usr/bin/python3.11 (PID 4887). See also https://duckdb.org/docs/current/connect/concurrency"
    )
    assert faults.classify(lock) == ("database_locked_by", {"program": "/usr/bin/python3.11", "pid": "4887"})
    assert faults.classify('IO Error: Could not set lock on file "/d/x.duckdb": Resource busy') == (
        "database_locked",
        {},
    )
    full = 'IO Error: Could not write file "/d/x.duckdb": No space left on device'
    assert faults.classify(full) == ("disk_full", {})
    assert faults.classify('IO Error: Could not write file "/d/x.duckdb": File too large') == ("disk_full", {})
    assert faults.classify('IO Error: Cannot open file "/d/x.duckdb": Read-only file system')[0] == (
        "database_read_only"
    )
    assert faults.classify('IO Error: The file "/d/x" exists, but it is not a valid DuckDB database file!')[0] == (
        "database_corrupt"
    )
    assert faults.classify("Binder Error: column x not found") is None


# ---- locked by another process ----------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_a_locked_database_names_the_holder_on_the_command_line(command, sample_db, tmp_path):
    db = tmp_path / "district.duckdb"
    shutil.copy(sample_db, db)
    with held(db) as pid:
        result = cli(*COMMANDS[command](db, tmp_path))
    line = refused_in_one_sentence(result, LOCKED_EN)
    assert f"PID {pid}" in line and str(db) in line


def test_a_locked_database_is_one_sentence_on_the_page_and_the_rest_still_works(sample_db, tmp_path, monkeypatch):
    db = tmp_path / "district.duckdb"
    shutil.copy(sample_db, db)
    workspaces.create("spare", str(db))
    monkeypatch.setenv("COMMUNITY_EVAL_DB", str(db))
    with held(db) as pid:
        at = AppTest.from_file(ENTRY, default_timeout=60)
        at.query_params["lang"] = "zh"
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and f"进程号 {pid}" in errors[0] and str(db) in errors[0], errors
        # The language switch still works, and says the same in English.
        next(w for w in at.get("segmented_control") if w.key == "lang_switch").set_value("en").run()
        assert not at.exception
        assert len(at.error) == 1 and LOCKED_EN in at.error[0].value and f"PID {pid}" in at.error[0].value
        # Another dataset can still be chosen, and its pages work.
        at.selectbox(key="dataset_switch").select("spare").run()
        assert not at.exception, [e.message for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert at.title and at.title[0].value == "Overview"


# ---- damaged ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("damage", "command"), [(garbage, "ingest"), (garbage, "export"), (truncated, "report")])
def test_a_damaged_database_is_one_sentence_on_the_command_line(command, damage, sample_db, tmp_path):
    db = damage(tmp_path) if damage is garbage else damage(sample_db, tmp_path)
    before = db.read_bytes()
    refused_in_one_sentence(cli(*COMMANDS[command](db, tmp_path)), DAMAGED_EN)
    assert db.read_bytes() == before, "a damaged file is never written to"


def test_damage_found_by_a_query_is_one_sentence_on_the_command_line(sample_db, tmp_path):
    db = damaged_survey(sample_db, tmp_path)
    refused_in_one_sentence(cli("export", "satisfaction", "--db", str(db)), DAMAGED_EN)
    refused_in_one_sentence(cli(*COMMANDS["report"](db, tmp_path)), DAMAGED_EN)


@pytest.mark.parametrize("damage", ["garbage", "damaged_survey"])
def test_a_damaged_database_is_one_sentence_on_the_page(damage, sample_db, tmp_path, monkeypatch):
    db = garbage(tmp_path) if damage == "garbage" else damaged_survey(sample_db, tmp_path)
    monkeypatch.setenv("COMMUNITY_EVAL_DB", str(db))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.error) == 1 and DAMAGED_EN in at.error[0].value and str(db) in at.error[0].value
    assert next(w for w in at.get("segmented_control") if w.key == "lang_switch"), "the sidebar is still there"


# ---- missing and cannot be created ------------------------------------------------------------


def test_a_database_that_cannot_be_created_is_one_sentence(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "a_file"
    not_a_folder.write_text("a file where the database's folder should be")
    db = not_a_folder / "district.duckdb"
    line = refused_in_one_sentence(cli("ingest", str(SURVEY), "--db", str(db)), MISSING_EN)
    assert str(db) in line
    result = cli("export", "task_burden", "--db", str(tmp_path / "nowhere.duckdb"))
    assert result.returncode != 0 and "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    monkeypatch.setenv("COMMUNITY_EVAL_DB", str(db))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [e.value for e in at.error] == [Translator("en")("error.database_missing", path=str(db))]


# ---- read-only --------------------------------------------------------------------------------


def test_a_read_only_database_can_be_browsed_but_not_loaded_from_the_command_line(read_only_db):
    before = read_only_db.read_bytes()
    line = refused_in_one_sentence(cli("ingest", str(SURVEY), "--db", str(read_only_db)), READ_ONLY_EN)
    assert str(read_only_db) in line
    exported = cli("export", "task_burden", "--db", str(read_only_db))
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == 80, "one line per community (79) and the header"
    assert read_only_db.read_bytes() == before


def test_a_read_only_database_is_browsed_on_the_page(read_only_db, monkeypatch):
    monkeypatch.setenv("COMMUNITY_EVAL_DB", str(read_only_db))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert {m.label: m.value for m in at.metric}["Communities"] == "79"


def test_a_read_only_store_refuses_loads_and_undo_in_one_sentence(read_only_db):
    store = Store(str(read_only_db))
    try:
        assert store.read_only
        assert store.row_count("communities") == 79
        refusal = store.refusal()
        assert refusal is not None and refusal.reason == "database_read_only"
        with pytest.raises(StoreError) as undo:
            store.undo(max(store.undoable_imports()))
        assert undo.value.reason == "database_read_only"
        with pytest.raises(StoreError) as load:  # a big file: DuckDB's own bulk path
            ingest(store, [Source("survey.csv", SURVEY.read_bytes())], mode="replace")
        assert load.value.reason == "database_read_only"
        small = "\n".join(SURVEY.read_text(encoding="utf-8").splitlines()[:100]).encode()
        with pytest.raises(StoreError) as small_load:  # a small one: the Python path, which files problems
            ingest(store, [Source("small.csv", small)], mode="replace")
        assert small_load.value.reason == "database_read_only"
        assert READ_ONLY_EN in Translator("en")(f"error.{load.value.reason}", **load.value.params)
    finally:
        store.close()


# ---- a load killed halfway --------------------------------------------------------------------


def test_a_load_killed_halfway_leaves_the_store_as_it_was(sample_db, tmp_path):
    db = tmp_path / "district.duckdb"
    shutil.copy(sample_db, db)
    big = survey_copies(tmp_path / "big_survey.csv", 120)  # about 1,025,000 rows, 60 MB
    before = state(db)
    size = db.stat().st_size
    started = time.monotonic()
    load = subprocess.Popen(
        [sys.executable, "-m", "community_eval", "ingest", str(big), "--db", str(db), "--mode", "replace"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The real sign that the load's transaction is under way: its rows are being written
        # into the database file (DuckDB writes a big insert's blocks before it commits).
        while load.poll() is None and db.stat().st_size < size + 2 * BLOCK:
            time.sleep(0.002)
        load.send_signal(signal.SIGKILL)
    finally:
        load.wait(timeout=60)
    assert load.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    killed_after = time.monotonic() - started
    assert state(db) == before, f"killed after {killed_after:.2f} s"
    # The store works: a new load goes in whole.
    small = survey_copies(tmp_path / "small_survey.csv", 1)
    result = cli("ingest", str(small), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    after = state(db)
    assert after["rows"]["survey"][2] == before["rows"]["survey"][2] + 8538
    assert len(after["imports"]) == len(before["imports"]) + 1


# ---- the disk filling during a load -----------------------------------------------------------


def test_the_disk_filling_during_a_command_line_load_is_reported_and_changes_nothing(sample_db, tmp_path):
    big = survey_copies(tmp_path / "big_survey.csv", 25)  # about 213,000 rows
    with tmpfs(tmp_path / "disk", Path(sample_db).stat().st_size + 2 * 2**20) as disk:
        db = disk / "district.duckdb"
        shutil.copy(sample_db, db)
        before = state(db)
        result = cli("ingest", str(big), "--db", str(db), "--mode", "replace")
        line = refused_in_one_sentence(result, FULL_EN)
        assert str(db) in line
        kept = tmp_path / "kept"
        kept.mkdir()
        for file in disk.iterdir():  # read back off the full disk, WAL and all, as the next start would
            shutil.copy(file, kept / file.name)
    assert state(kept / "district.duckdb") == before


def test_the_disk_filling_during_a_page_load_is_a_store_error_and_changes_nothing(sample_db, tmp_path):
    data = survey_copies(tmp_path / "big_survey.csv", 25).read_bytes()
    with tmpfs(tmp_path / "disk", Path(sample_db).stat().st_size + 2 * 2**20) as disk:
        shutil.copy(sample_db, disk / "district.duckdb")
        store = Store(str(disk / "district.duckdb"))
        try:
            version = store.data_version()
            rows = {name: store.row_count(name) for name in TABLES}
            with pytest.raises(StoreError) as full:
                ingest(store, [Source("big_survey.csv", data)], mode="replace")
            assert full.value.reason == "disk_full"
            assert FULL_EN in Translator("en")("error.disk_full", **full.value.params)
            assert {name: store.row_count(name) for name in TABLES} == rows
            assert store.data_version() == version
        finally:
            store.close()


def test_tmpfs_helper_leaves_no_mount_behind(tmp_path):
    with tmpfs(tmp_path / "m", 2**20) as mount:
        assert os.path.ismount(mount)
    assert not os.path.ismount(tmp_path / "m")
