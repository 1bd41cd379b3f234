"""Many sessions reading while one loads: every render shows the old data or the new, never both.

Eight AppTest sessions in threads share the process's Store (and Streamlit's caches) and
render the task-burden page over and over while the main thread replaces the tasks table
with 568,800 rows through the real loader. The old and the new tasks differ in every
query that page makes (departments, categories, months, counts, hours, the admission
and funding flags), so each chart, the texts and the table tell which version they came
from. What keeps a render whole is ``cache.snapshot()`` around the entry's run
(:meth:`Store.snapshot`): without it a page's first queries read the old version and its
later ones the new.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import MagicMock

import duckdb
import pandas as pd
import pytest
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.runtime import Runtime
from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test
from streamlit.testing.v1.util import patch_config_options

from community_eval.app import cache
from community_eval.core.schema import TASK_CATEGORIES
from community_eval.db.store import Store
from community_eval.ingest.loader import SAMPLE_DIR, Source, create_sample_database, ingest, ingest_paths

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGE = "pages/task_burden.py"
READERS = 8
TIMEOUT = 120
OLD_DEPARTMENTS = ("旧部门甲", "旧部门乙")
NEW_DEPARTMENTS = tuple(f"新部门{i:02d}" for i in range(50))
#: Old tasks fall in the first half of each year only, so even the monthly trend tells them apart.
OLD_MONTHS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 7)]
NEW_MONTHS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
NEW_ROWS = 79 * len(NEW_MONTHS) * len(NEW_DEPARTMENTS) * len(TASK_CATEGORIES)  # 568,800 for the sample's 79
_TASK_COLUMNS = ["community_id", "period", "department", "task_category", "task_count", "hours", "admitted", "funded"]


def _communities() -> list[str]:
    return pd.read_csv(SAMPLE_DIR / "communities.csv")["community_id"].tolist()


def _old_tasks() -> pd.DataFrame:
    """Two 'old' departments, one task each a month, unadmitted and unfunded: 1,896 rows.

    The administrative share of hours differs between communities (else the burden against
    satisfaction has no slope to show).
    """
    rows = [
        (community, month, department, category, 1, hours, "false", "false")
        for index, community in enumerate(_communities())
        for month in OLD_MONTHS
        for department, category, hours in zip(
            OLD_DEPARTMENTS, ("administrative", "service"), (1.0 + index % 5, 2.0), strict=True
        )
    ]
    return pd.DataFrame(rows, columns=_TASK_COLUMNS)


def _new_tasks() -> pd.DataFrame:
    """Fifty 'new' departments, every category, every month, three tasks, admitted and funded: 568,800 rows."""
    categories = [category.code for category in TASK_CATEGORIES]
    grid = pd.MultiIndex.from_product([_communities(), NEW_MONTHS, NEW_DEPARTMENTS, categories]).to_frame(index=False)
    grid.columns = _TASK_COLUMNS[:4]
    index = grid["community_id"].map({community: i for i, community in enumerate(_communities())})
    hours = (1.0 + index % 4).where(grid["task_category"] == "administrative", 1.5)
    frame = grid.assign(task_count=3, hours=hours, admitted="true", funded="true")
    assert len(frame) == NEW_ROWS
    return frame


@pytest.fixture(scope="module")
def load_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("concurrency")
    files = {"old": folder / "tasks_old.csv", "new": folder / "tasks_new.csv"}
    _old_tasks().to_csv(files["old"], index=False)
    _new_tasks().to_csv(files["new"], index=False)
    return files


@pytest.fixture
def old_db(tmp_path, load_files) -> str:
    """The sample district with its tasks replaced by the old marker tasks."""
    path = str(tmp_path / "concurrency.duckdb")
    create_sample_database(path)
    store = Store(path)
    reports = ingest_paths(store, [load_files["old"]], table="tasks", mode="replace")
    store.close()
    assert all(report.loaded for report in reports), [report.problems[:3] for report in reports]
    return path


@pytest.fixture
def sessions_at_once(monkeypatch):
    """Let AppTest sessions run at the same time, in threads, as a server's sessions do.

    AppTest installs a mock Runtime as the process-wide singleton for each run and removes
    it when the run ends, so a session running meanwhile finds none ("Runtime hasn't been
    created!"), switches its test-mode option on and back off around each run, and
    compiles the script afresh each run (Python 3.11's AST conversion is not safe in
    threads at once). Here, as in a server, every run finds one shared runtime (a mock;
    AppTest's own goes to a subclass nobody reads) and one script cache, and the option
    stays on for the whole test. Nothing of the app is changed.
    """
    shared = MagicMock(spec=Runtime)
    shared.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    shared.dataframe_source_mgr = DataframeSourceManager()
    shared.cache_storage_manager = MemoryCacheStorageManager()
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    shared.bidi_component_registry = components
    monkeypatch.setattr(Runtime, "_instance", shared)
    monkeypatch.setattr(app_test, "Runtime", type("PerRunRuntime", (Runtime,), {"_instance": None}))
    scripts = ScriptCache()
    monkeypatch.setattr(app_test, "ScriptCache", lambda: scripts)
    with patch_config_options({"global.appTest": True}):
        yield


def fingerprint(at: AppTest) -> dict[str, str]:
    """Every number the page shows, by where it is shown: each chart's traces, the texts, the table."""
    parts = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        parts[f"chart:{spec['layout']['title']['text']}"] = json.dumps(spec["data"], sort_keys=True, ensure_ascii=False)
    texts = [element.value for kind in ("markdown", "caption") for element in getattr(at, kind)]
    parts["texts"] = json.dumps(texts, ensure_ascii=False)
    parts["table"] = at.dataframe[-1].value.to_json(force_ascii=False) if at.dataframe else ""
    return parts


@dataclass
class Render:
    reader: int
    started: float
    finished: float
    parts: dict[str, str]


def _session() -> AppTest:
    """A session that opens the task-burden page at its address on each run."""
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    return at.switch_page(PAGE)


def _render(at: AppTest) -> AppTest:
    """Run the session once; the page must render whole, without an exception."""
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Task burden"
    return at


def _read(
    reader: int, renders: list[Render], errors: list[object], start: threading.Barrier, done: threading.Event
) -> None:
    """One session: render the page until the load is done, then once more."""
    try:
        at = _session()
        start.wait()
        load_was_done = False
        while not load_was_done:
            load_was_done = done.is_set()
            began = time.perf_counter()
            _render(at)
            renders.append(Render(reader, began, time.perf_counter(), fingerprint(at)))
    except BaseException as error:  # a reader's failure is the test's, reported from the main thread
        errors.append(error)
        start.abort()


def version_of(render: dict[str, str], old: dict[str, str], new: dict[str, str]) -> set[str]:
    """Which data each telling part of a render came from: 'old', 'new', or 'neither: <part>'."""
    seen = set()
    for part in old.keys() | new.keys():
        if old.get(part) == new.get(part):
            continue  # shows the same under both: tells nothing
        value = render.get(part)
        seen.add("old" if value == old.get(part) else "new" if value == new.get(part) else f"neither: {part}")
    return seen


def _mid_render_gate(monkeypatch) -> threading.Event:
    """An event set once as many threads as there are readers have asked for the data version
    (every cached indicator does, hit or miss): every reader is then inside a render (AppTest
    runs each session's script on a thread of its own).

    The load waits for it, so renders that began before the commit exist however the
    threads are scheduled (a blind sleep let a slow first render start after the load).
    """
    reading: set[int] = set()
    guard, all_in = threading.Lock(), threading.Event()
    data_version = Store.data_version

    def counted(self: Store) -> str:
        with guard:
            reading.add(threading.get_ident())
            if len(reading) >= READERS:
                all_in.set()
        return data_version(self)

    monkeypatch.setattr(Store, "data_version", counted)
    return all_in


def test_renders_during_a_load_are_wholly_old_or_wholly_new(old_db, load_files, sessions_at_once, monkeypatch):
    monkeypatch.setenv("COMMUNITY_EVAL_DB", old_db)
    store = cache._open_store(old_db)  # the process's Store, the one every session's run reads
    old = fingerprint(_render(_session()))
    mid_render = _mid_render_gate(monkeypatch)
    assert "旧部门甲" in json.dumps(old, ensure_ascii=False) and "新部门" not in json.dumps(old, ensure_ascii=False)

    renders: list[Render] = []
    errors: list[object] = []
    start, done = threading.Barrier(READERS + 1), threading.Event()
    readers = [threading.Thread(target=_read, args=(i, renders, errors, start, done)) for i in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        start.wait(timeout=TIMEOUT)
    except threading.BrokenBarrierError:
        pytest.fail(f"a reader failed before the load: {errors}")
    assert mid_render.wait(timeout=TIMEOUT) and not errors, errors  # every reader is mid-render when the load starts
    began = time.perf_counter()
    reports = ingest_paths(store, [load_files["new"]], table="tasks", mode="replace")
    loaded = time.perf_counter()
    done.set()
    for reader in readers:
        reader.join(timeout=TIMEOUT)
    assert not errors, errors
    assert all(report.loaded for report in reports), [report.problems[:3] for report in reports]
    assert store.row_count("tasks") == NEW_ROWS

    new = fingerprint(_render(_session()))
    telling = [part for part in old if old[part] != new.get(part)]
    assert len(telling) >= 5, telling  # charts and texts from several queries differ between the versions
    assert "新部门00" in json.dumps(new, ensure_ascii=False) and "旧部门" not in json.dumps(new, ensure_ascii=False)

    versions = [version_of(render.parts, old, new) for render in renders]
    mixed = [(i, seen) for i, seen in enumerate(versions) if len(seen) != 1 or not seen <= {"old", "new"}]
    counts = {kind: sum(seen == {kind} for seen in versions) for kind in ("old", "new")}
    during = sum(render.started < loaded and render.finished > began for render in renders)
    print(f"load {loaded - began:.2f} s; {len(renders)} renders: {counts}, {during} overlapping the load")
    assert not mixed, f"{len(mixed)} of {len(renders)} renders mixed old and new data: {mixed[:5]}"
    assert counts["old"] > 0 and counts["new"] > 0, counts
    last = {render.reader: render for render in renders}  # appended in order: each reader's latest wins
    assert len(last) == READERS
    assert all(version_of(render.parts, old, new) == {"new"} for render in last.values())
    assert all(version_of(render.parts, old, new) == {"new"} for render in renders if render.started > loaded)


# ---- the snapshot itself, on the store ---------------------------------------------------------

HEADER = "community_id,community_name,district,street,community_type,population,households\n"
FIRST = HEADER + "A,甲,区,一街,urban,100,30\nB,乙,区,一街,rural,200,60\n"
SECOND = HEADER + "C,丙,区,二街,urban,300,90\n"


def _load(store: Store, text: str, mode: str = "append") -> None:
    (report,) = ingest(store, [Source("communities.csv", text.encode())], mode=mode)
    assert report.loaded, report.problems


def _ids(store: Store) -> list[str]:
    return sorted(store.query("filter_options")["community_id"])


def _on_another_thread(work) -> None:
    """Run ``work`` as another session's run would: on a thread of its own, outside this snapshot."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failure, failure


def test_a_snapshot_reads_one_version_while_another_thread_loads(empty_store):
    _load(empty_store, FIRST)
    before = empty_store.data_version()
    with empty_store.snapshot():
        assert _ids(empty_store) == ["A", "B"]
        _on_another_thread(lambda: _load(empty_store, SECOND, mode="replace"))
        assert _ids(empty_store) == ["A", "B"]  # the load committed; this run still reads the old rows
        assert empty_store.data_version() == before  # and caches them under the old version
    assert _ids(empty_store) == ["C"]
    assert empty_store.data_version() != before


def test_a_snapshot_sees_its_own_threads_load(empty_store):
    _load(empty_store, FIRST)
    before = empty_store.data_version()
    with empty_store.snapshot():
        _load(empty_store, SECOND, mode="replace")
        assert _ids(empty_store) == ["C"]  # the data page shows what it has just loaded
        assert empty_store.data_version() != before


def test_a_failed_query_does_not_fail_the_rest_of_the_run(empty_store):
    _load(empty_store, FIRST)
    with empty_store.snapshot():
        with pytest.raises(duckdb.Error):  # a frame without the columns the query reads
            empty_store.query(
                "assessment_contributions",
                {"w_satisfaction": 1, "w_burden": 1, "w_facility": 1, "w_staffing": 1},
                frames={"score_rows": pd.DataFrame({"x": [1]})},
            )
        assert _ids(empty_store) == ["A", "B"]


def test_a_snapshot_ends_with_its_block_even_when_the_run_is_stopped(empty_store):
    _load(empty_store, FIRST)

    def checkpoint() -> None:
        with empty_store.cursor() as cur:  # refused while any other transaction is open
            cur.execute("checkpoint")

    with pytest.raises(KeyboardInterrupt), empty_store.snapshot():  # st.stop() and st.rerun() raise too
        assert _ids(empty_store) == ["A", "B"]
        _on_another_thread(lambda: _load(empty_store, SECOND))  # something for a checkpoint to write
        with pytest.raises(duckdb.TransactionException):
            checkpoint()
        raise KeyboardInterrupt
    checkpoint()
    assert empty_store._snapshot() is None


def test_nested_snapshots_share_the_outer_one(empty_store):
    _load(empty_store, FIRST)
    with empty_store.snapshot():
        outer = empty_store._snapshot()
        with empty_store.snapshot():
            assert empty_store._snapshot() is outer  # a deep-linked page runs the entry inside the entry
        assert empty_store._snapshot() is outer


def test_a_parquet_store_reads_in_a_snapshot_under_its_files_version(known_store, tmp_path):
    known_store.write_parquet(str(tmp_path))
    store = Store(":memory:", parquet=str(tmp_path))
    try:
        outside = store.data_version()
        with store.snapshot():
            assert store.data_version() == outside
            assert _ids(store) == ["C1", "C2", "C3", "C4"]
    finally:
        store.close()
