"""``python -m community_eval export`` as a command: the district it is checked on, and its refusals.

Each indicator's export is checked column by column in that indicator's test file
(test_task_burden.py, test_satisfaction.py, …) on the seeded district of export_district.py,
written the way a street office writes files and loaded with ``python -m community_eval ingest``;
here, that the files exercise the contract, and that a missing folder and a refused request
each end in one sentence.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.export_district import AS_OF, MIN_N


def test_the_files_exercise_the_contract(frames, loaded_db):
    """The load went through the aliases and word values, and the edges are in the data."""
    staff = frames["staff"]
    assert (staff["exit_date"] == staff["hire_date"]).any()
    assert (staff["exit_date"] == pd.Timestamp(AS_OF)).any() and (staff["hire_date"] > pd.Timestamp(AS_OF)).any()
    assert (frames["survey"].groupby(["community_id", frames["survey"]["survey_date"].dt.year]).size() < MIN_N).any()


def test_missing_database_directory(exports, tmp_path_factory):
    result, _ = exports["missing_database"]
    assert result.returncode != 0 and result.stdout == b""
    message = result.stderr.decode().strip()
    assert "no_such_folder" in message and "\n" not in message and "Traceback" not in message
    assert not list(Path(tmp_path_factory.getbasetemp()).glob("exports*/no_such_folder"))  # never created


@pytest.mark.parametrize(
    "args",
    [
        ["facility_compliance", "--profile", "no_such_profile"],
        ["task_burden", "--year", "2019"],
        ["staff_retention", "--as-of", "2000-01-01"],
    ],
    ids=["unknown_profile", "year_without_data", "nobody_hired_yet"],
)
def test_refusals_are_one_sentence(loaded_db, tmp_path, capsys, args):
    """The same main() as the command, in-process: these refusals need no new process."""
    from community_eval.cli import main

    db = tmp_path / "copy.duckdb"
    shutil.copyfile(loaded_db, db)
    status = main(["--lang", "en", "export", *args, "--db", str(db)])
    captured = capsys.readouterr()
    assert status != 0 and captured.out == ""
    message = captured.err.strip()
    assert message and "\n" not in message and "Traceback" not in message
