"""Writes are checked against the stored data under the dataset's write lock, and the database refuses the rest.

Each race is made to happen, not hoped for: at one point of a write (after it has read the
stored keys, or inside its transaction) a second write or an undo is started on another
thread and given a moment. When the first write holds the dataset's lock there, as it must,
the second waits and then sees what the first stored; when it does not, the second runs to
its end in between, which is exactly the race the issue reproduced (200 ids stored twice,
37,361 task rows becoming 74,722).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from community_eval.core.schema import TABLES
from community_eval.db.store import ImportRecord, Store, StoreError
from community_eval.ingest import bulk, loader
from community_eval.ingest.loader import FileReport, Source, ingest, typed_frame

ROOT = Path(__file__).resolve().parent.parent
HEADER = "community_id,community_name,district,street,community_type,population,households\n"
#: How long the second write is given before the first goes on: enough to run a 200-row load
#: to its end many times over when nothing stops it, and it then waits on the lock instead.
MOMENT = 2.0


def communities_csv(count: int, prefix: str = "Q", bad_row: int | None = None) -> bytes:
    """``count`` communities; ``bad_row`` (0-based) gets a population that is not a number."""
    lines = [f"{prefix}{n:05d},社区{n},区,街道,urban,{'many' if n == bad_row else 1000 + n},300" for n in range(count)]
    return (HEADER + "\n".join(lines) + "\n").encode()


class Meanwhile:
    """Runs ``other`` on its own thread the first time :meth:`now` is called, and gives it a moment.

    Where the caller of :meth:`now` holds the dataset's write lock, ``other`` waits for it;
    where it does not, ``other`` finishes in between. :meth:`result` waits for ``other``'s end.
    """

    def __init__(self, other: Callable[[], object]) -> None:
        self._other = other
        self._thread: threading.Thread | None = None
        self._outcome: list[object] = []
        self.finished_in_between = False

    def now(self) -> None:
        if self._thread is not None:
            return  # the second write passes the same point: it runs on
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._thread.join(MOMENT)
        self.finished_in_between = not self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._outcome.append(self._other())
        except BaseException as error:  # handed to the test's thread by result()
            self._outcome.append(error)

    def result(self) -> object:
        assert self._thread is not None, "the write never reached the point"
        self._thread.join(120)
        (outcome,) = self._outcome
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def after(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, meanwhile: Meanwhile) -> None:
    """Make ``owner.name`` call ``meanwhile.now()`` once it has done its work."""
    original = getattr(owner, name)

    def wrapped(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)
        meanwhile.now()
        return result

    monkeypatch.setattr(owner, name, wrapped)


def current(store: Store, table: str = "communities", column: str = "community_id") -> pd.Series:
    """The current rows' values of ``column`` (replaced rows left out), one per stored row."""
    with store.cursor() as cur:
        return cur.execute(f"select {column} from stored.{table} where replaced_by is null").df()[column]


@pytest.fixture
def stores(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Store, Store]]:
    """The store each of two writers uses: one Store, or two opened on the same file (as a
    workspace's page and the data page may): the lock belongs to the dataset, not the object."""
    first = Store(str(tmp_path / "district.duckdb"))
    second = first if request.param == "one store" else Store(str(tmp_path / "district.duckdb"))
    yield first, second
    for store in {id(first): first, id(second): second}.values():
        store.close()


def one_loaded_one_refused(first: FileReport, second: FileReport, rows: int) -> None:
    """Exactly one of the two loaded; the other was refused because its ids are stored already."""
    assert [first.loaded, second.loaded].count(True) == 1, (first.problems[:3], second.problems[:3])
    refused = second if first.loaded else first
    assert refused.rows_loaded == 0
    assert {p.reason for p in refused.problems} == {"duplicate_in_store"}
    assert len(refused.problems) == rows


# ---- two appends of the same file at once ------------------------------------------------------


@pytest.mark.parametrize("stores", ["one store", "two stores"], indirect=True)
def test_two_appends_at_once_store_each_id_once_python_path(stores, monkeypatch):
    """200 rows go through the Python path; the second append starts once the first has read the stored keys."""
    data = communities_csv(200)
    mine, theirs = stores
    meanwhile = Meanwhile(lambda: ingest(theirs, [Source("theirs.csv", data)]))
    after(monkeypatch, loader, "stored_keys", meanwhile)
    (first,) = ingest(mine, [Source("mine.csv", data)])
    (second,) = meanwhile.result()
    ids = current(mine)
    assert len(ids) == 200 and ids.is_unique, f"{len(ids) - ids.nunique()} ids stored twice"
    one_loaded_one_refused(first, second, 200)


@pytest.mark.parametrize("stores", ["one store", "two stores"], indirect=True)
@pytest.mark.parametrize(
    ("bad_row", "point"),
    [(7, "validate"), (None, "_verify_import")],
    ids=["careful way", "direct way"],
)
def test_two_appends_at_once_store_each_id_once_bulk_path(stores, monkeypatch, bad_row, point):
    """5,000 rows go through DuckDB. With one bad row (loaded with skip_invalid), the careful way
    checks the stored keys in SQL before storing; the second append starts once the first has
    checked them. A valid file is stored in one pass and checked inside its transaction; the
    second starts there."""
    rows = bulk.MIN_ROWS
    data = communities_csv(rows, bad_row=bad_row)
    mine, theirs = stores
    meanwhile = Meanwhile(lambda: ingest(theirs, [Source("theirs.csv", data)], skip_invalid=True))
    after(monkeypatch, bulk, point, meanwhile)
    taken = []
    monkeypatch.setattr(bulk, "_scan", lambda *args, scan=bulk._scan: taken.append(1) or scan(*args))
    (first,) = ingest(mine, [Source("mine.csv", data)], skip_invalid=True)
    (second,) = meanwhile.result()
    assert taken, "the refused file went through the bulk path's careful way"
    ids = current(mine)
    valid = rows - (bad_row is not None)
    assert len(ids) == valid and ids.is_unique, f"{len(ids) - ids.nunique()} ids stored twice"
    assert [first.loaded, second.loaded].count(True) == 1
    refused = second if first.loaded else first
    bad = {"not_a_number"} if bad_row is not None else set()
    assert {p.reason for p in refused.problems} == {"duplicate_in_store", *bad}
    assert sum(p.reason == "duplicate_in_store" for p in refused.problems) == valid


def test_a_later_file_of_a_batch_is_checked_against_the_communities_stored_by_then(empty_store):
    """communities.csv then staff.csv in one batch; between the two, another session replaces the
    communities. The staff file is checked against what is stored then, not what the batch loaded."""
    ours = HEADER + "A,甲,区,街道,urban,100,30\n"
    staff = "staff_id,community_id,role,employment,hire_date\nP1,A,secretary,full_time,2020-01-01\n"
    theirs = HEADER + "B,乙,区,街道,urban,100,30\n"
    between: list[FileReport] = []

    def progress(share: float, name: str) -> None:
        if name == "staff.csv" and share == 1.0:  # the staff file is next, and no lock is held
            other = threading.Thread(
                target=lambda: between.extend(ingest(empty_store, [Source("b.csv", theirs.encode())], mode="replace"))
            )
            other.start()
            other.join(60)

    reports = ingest(
        empty_store, [Source("communities.csv", ours.encode()), Source("staff.csv", staff.encode())], progress=progress
    )
    assert [r.loaded for r in reports] == [True, False] and between[0].loaded
    assert [p.reason for p in reports[1].problems] == ["unknown_community"]
    assert list(current(empty_store, "staff", "staff_id")) == []


# ---- undo and replace racing -------------------------------------------------------------------


def test_an_undo_while_a_replace_holds_the_lock_does_not_bring_old_rows_back(empty_store, monkeypatch):
    """Import 2 replaces import 1's communities; while import 3 replaces them again (inside its
    transaction), import 2 is undone. It was the latest when asked, but is not once import 3
    commits: undoing it then would bring import 1's rows back beside import 3's."""
    data = communities_csv(200)
    for mode in ("append", "replace"):
        (report,) = ingest(empty_store, [Source("c.csv", data)], mode=mode)
        assert report.loaded
    undone = int(empty_store.imports().iloc[0]["import_id"])
    assert empty_store.undoable_imports() == {undone}
    meanwhile = Meanwhile(lambda: empty_store.undo(undone))
    after(monkeypatch, Store, "_record", meanwhile)
    (third,) = ingest(empty_store, [Source("c.csv", data)], mode="replace")
    assert third.loaded
    try:
        meanwhile.result()
    except StoreError as error:
        refused = error
    else:
        refused = None
    ids = current(empty_store)
    assert len(ids) == 200 and ids.is_unique, f"{len(ids) - ids.nunique()} ids stored twice"
    assert refused is not None and refused.reason == "undo_not_latest"
    assert empty_store.imports().set_index("import_id")["undone_at"].isna().all()


@pytest.mark.parametrize("stores", ["one store", "two stores"], indirect=True)
def test_two_replaces_at_once_leave_exactly_one_of_the_files(stores, monkeypatch):
    mine, theirs = stores
    ours, other = communities_csv(300, "A"), communities_csv(200, "B")
    meanwhile = Meanwhile(lambda: ingest(theirs, [Source("theirs.csv", other)], mode="replace"))
    after(monkeypatch, Store, "_record", meanwhile)
    (first,) = ingest(mine, [Source("mine.csv", ours)], mode="replace")
    (second,) = meanwhile.result()
    assert first.loaded and second.loaded, (first.problems, second.problems)
    ids = set(current(mine))
    assert len(current(mine)) == len(ids)
    assert ids in ({f"A{n:05d}" for n in range(300)}, {f"B{n:05d}" for n in range(200)})
    assert not meanwhile.finished_in_between, "the second replace waited for the first"


# ---- the database's own check --------------------------------------------------------------------


def _frame(ids: list[str]) -> pd.DataFrame:
    table = TABLES["communities"]
    given = {"district": "区", "street": "街道", "community_type": "urban", "population": 100, "households": 30}
    rows = [{**dict.fromkeys(table.column_names), **given, "community_id": i, "community_name": i} for i in ids]
    return typed_frame(pd.DataFrame(rows, dtype=object), table)


def _record(mode: str = "append") -> ImportRecord:
    return ImportRecord("direct.csv", "", "communities", mode, 2, 0)


@pytest.mark.parametrize(
    ("ids", "mode"),
    [(["Q00001", "NEW"], "append"), (["NEW", "NEW"], "append"), (["NEW", "NEW"], "replace")],
    ids=["stored already", "twice in the rows", "twice in a replace"],
)
def test_the_database_refuses_a_repeated_key_even_when_the_lock_was_not_taken(empty_store, ids, mode):
    """Store.load straight away, with no validation before it: the commit is refused."""
    (report,) = ingest(empty_store, [Source("c.csv", communities_csv(3))])
    assert report.loaded
    before = sorted(current(empty_store))
    imports = len(empty_store.imports())
    with pytest.raises(StoreError) as refused:
        empty_store.load(TABLES["communities"], _frame(ids), mode, _record(mode))
    assert refused.value.reason == "keys_not_unique"
    assert refused.value.params["value"] in ("Q00001", "NEW")
    assert sorted(current(empty_store)) == before and len(empty_store.imports()) == imports


def test_a_refused_commit_is_a_problem_of_the_file(empty_store, monkeypatch):
    """A load whose checks missed a stored key (as if it had read the keys too early) is told why."""
    data = communities_csv(3)
    ingest(empty_store, [Source("c.csv", data)])
    monkeypatch.setattr(loader, "stored_keys", lambda store, table: set())
    (report,) = ingest(empty_store, [Source("again.csv", data)])
    assert not report.loaded
    assert [p.reason for p in report.problems] == ["keys_not_unique"]
    assert len(current(empty_store)) == 3


def test_the_bulk_path_still_reports_each_stored_key_as_a_row_problem(empty_store):
    """The direct way's insert is refused by the database check; the careful way then names every row."""
    data = communities_csv(bulk.MIN_ROWS)
    (first,) = ingest(empty_store, [Source("c.csv", data)])
    (again,) = ingest(empty_store, [Source("c.csv", data)])
    assert first.loaded and not again.loaded
    assert {p.reason for p in again.problems} == {"duplicate_in_store"} and len(again.problems) == bulk.MIN_ROWS


# ---- temporary copies ------------------------------------------------------------------------------

#: A load killed (SIGKILL: no finally runs) once its temporary copy of the file is written.
KILLED_LOAD = """
import os, signal, sys
from community_eval.ingest import bulk
from community_eval.ingest.loader import Source
ready = bulk.read(Source("big.csv", open(sys.argv[1], "rb").read()), None, "append")
assert ready is not None and ready[1].utf8.temporary
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder, for this process and the ones it starts."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("community_eval_*.csv"))


def test_a_copy_left_by_a_killed_load_is_removed_when_a_store_opens(tmp_path, temp_dir):
    source = tmp_path / "big.csv"
    source.write_bytes(communities_csv(bulk.MIN_ROWS))
    killed = subprocess.run([sys.executable, "-c", KILLED_LOAD, str(source)], cwd=ROOT, check=False)
    assert killed.returncode == -signal.SIGKILL
    (left,) = copies(temp_dir)
    assert left.stat().st_size == source.stat().st_size
    hour_ago = time.time() - 3601
    os.utime(left, (hour_ago, hour_ago))
    in_use = temp_dir / "community_eval_in_use.csv"  # another process's load, going on now
    in_use.write_text("a")
    theirs = temp_dir / "other_program.csv"
    theirs.write_text("b")
    os.utime(theirs, (hour_ago, hour_ago))
    Store(str(tmp_path / "district.duckdb")).close()
    assert copies(temp_dir) == [in_use]
    assert theirs.exists()


@pytest.mark.parametrize("where", ["reading", "loading"])
def test_the_copy_is_removed_when_the_load_raises(empty_store, temp_dir, monkeypatch, where):
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the load failed")

    if where == "reading":
        monkeypatch.setattr(bulk, "choose_table", fail)  # after the copy is written
    else:
        monkeypatch.setattr(Store, "load_rows", fail)
    with pytest.raises(RuntimeError):
        ingest(empty_store, [Source("big.csv", communities_csv(bulk.MIN_ROWS))])
    assert copies(temp_dir) == []
