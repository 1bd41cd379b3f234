"""Workspaces opened through the dashboard keep only a few DuckDB databases open at once.

Any viewer can open any workspace with ``?dataset=``; each open DuckDB database holds its
own buffer pool and worker threads, so before the limit 200 workspaces held 1.2 GB and
1,803 threads for the life of the process. Now at most ``COMMUNITY_EVAL_OPEN_WORKSPACES``
stay open (least recently used closed first, never while a query is using them) and a
closed one reopens when it is next read.
"""

from __future__ import annotations

import os
import threading

import pytest

from community_eval.app import cache
from community_eval.db import workspaces
from community_eval.db.store import DB_ENV
from community_eval.ingest.loader import Source, ingest

LIMIT = 3
OPEN_LIMIT_ENV = "COMMUNITY_EVAL_OPEN_WORKSPACES"
COMMUNITY = (
    "community_id,community_name,district,street,community_type,population,households\n"
    "W1,工作区社区,测试区,一街道,urban,4000,1500\n"
)


def _threads() -> int:
    """Every thread of this process, DuckDB's native workers included (threading sees only Python's)."""
    return len(os.listdir("/proc/self/task"))


def _open(name: str):
    """The dashboard's store of workspace ``name`` (made on first use), after one read, as a page run does."""
    path = workspaces.path_for(name)
    if name not in workspaces.list_datasets():
        workspaces.create(name)
    store = cache._open_store(path)
    store.row_count("communities")
    return store


@pytest.fixture
def dashboard(tmp_path, monkeypatch):
    """A fresh main database and workspace folder, with the dashboard's store cache emptied around the test."""
    monkeypatch.setenv(DB_ENV, str(tmp_path / "main.duckdb"))
    monkeypatch.setenv(OPEN_LIMIT_ENV, str(LIMIT))
    cache._open_store.clear()
    yield
    cache._open_store.clear()


def test_open_workspaces_and_their_threads_stay_bounded(dashboard):
    _open("w0")
    one = _threads()
    _open("w1")
    per_store = max(_threads() - one, 1)
    stores = [_open(f"w{i}") for i in range(4 * LIMIT)]
    # Before the limit every store stayed open: 12 workspaces kept 12 databases' threads.
    assert _threads() <= one + LIMIT * per_store, f"{_threads()} threads, {per_store} per open database"
    assert sum(store.is_open for store in stores) <= LIMIT


def test_an_evicted_workspace_reopens_and_reads_what_it_holds(dashboard):
    first = _open("w0")
    (report,) = ingest(first, [Source("c.csv", COMMUNITY.encode())])
    assert report.loaded
    version = first.data_version()
    for i in range(1, 2 * LIMIT):
        _open(f"w{i}")
    assert not first.is_open, "the least recently used workspace was closed"
    again = cache._open_store(workspaces.path_for("w0"))
    assert again.row_count("communities") == 1
    assert again.community_names() == {"W1": "工作区社区"}
    assert again.data_version() == version
    assert again.is_open


def test_a_workspace_in_use_is_not_closed_under_its_reader(dashboard):
    """A session mid-run holds a snapshot; other sessions opening workspaces must not close it."""
    busy = _open("w0")
    inside, release = threading.Event(), threading.Event()
    seen: list[object] = []

    def session() -> None:
        try:
            with busy.snapshot():
                inside.set()
                release.wait(120)
                seen.append(busy.row_count("communities"))
                seen.append(len(busy.imports()))
        except Exception as error:
            seen.append(error)

    reader = threading.Thread(target=session)
    reader.start()
    assert inside.wait(120)
    for i in range(1, 3 * LIMIT):
        _open(f"w{i}")
    assert busy.is_open, "a store with a query running stays open"
    release.set()
    reader.join(120)
    assert seen == [0, 0]
    for i in range(LIMIT):
        _open(f"later{i}")
    assert not busy.is_open, "once idle, it is closed like any other"


def test_many_sessions_reading_many_workspaces_never_fail(dashboard):
    names = [f"w{i}" for i in range(2 * LIMIT)]
    stores = [_open(name) for name in names]
    failures: list[BaseException] = []

    def session(offset: int) -> None:
        try:
            for step in range(25):
                store = stores[(offset + step) % len(stores)]
                with store.snapshot():
                    store.row_count("communities")
                    store.data_version()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive()
    assert failures == []
    assert sum(store.is_open for store in stores) <= LIMIT
