"""Every load is recorded and the latest load of a table can be taken back exactly."""

from __future__ import annotations

import pytest

from community_eval.db.store import StoreError
from community_eval.ingest.loader import Source, ingest

HEADER = "community_id,community_name,district,street,community_type,population,households\n"
FIRST = HEADER + "A,甲,区,一街,urban,100,30\nB,乙,区,一街,rural,200,60\n"
SECOND = HEADER + "C,丙,区,二街,urban,300,90\n"
STAFF = "staff_id,community_id,role,employment,hire_date\nP1,C,secretary,full_time,2020-01-01\n"


def load(store, name: str, text: str, mode: str = "append"):
    (report,) = ingest(store, [Source(name, text.encode())], mode=mode)
    assert report.loaded, report.problems
    return int(store.imports().iloc[0]["import_id"])


def ids(store) -> list[str]:
    return sorted(store.query("filter_options")["community_id"])


def test_undo_an_append_removes_exactly_its_rows(empty_store):
    load(empty_store, "first.csv", FIRST)
    second = load(empty_store, "second.csv", SECOND)
    version = empty_store.data_version()
    empty_store.undo(second)
    assert ids(empty_store) == ["A", "B"]
    assert empty_store.data_version() != version
    record = empty_store.imports().set_index("import_id").loc[second]
    assert record["undone_at"] is not None


def test_undo_a_replace_brings_the_old_rows_back(empty_store):
    load(empty_store, "first.csv", FIRST)
    replace = load(empty_store, "second.csv", SECOND, mode="replace")
    assert ids(empty_store) == ["C"]
    empty_store.undo(replace)
    assert ids(empty_store) == ["A", "B"]


def test_only_the_latest_load_of_a_table_can_be_undone(empty_store):
    first = load(empty_store, "first.csv", FIRST)
    second = load(empty_store, "second.csv", SECOND)
    assert empty_store.undoable_imports() == {second}
    with pytest.raises(StoreError) as refused:
        empty_store.undo(first)
    assert refused.value.reason == "undo_not_latest"
    empty_store.undo(second)
    assert empty_store.undoable_imports() == {first}


def test_undo_never_leaves_rows_without_their_community(empty_store):
    load(empty_store, "first.csv", FIRST)
    second = load(empty_store, "second.csv", SECOND)
    load(empty_store, "staff.csv", STAFF)
    before = ids(empty_store)
    with pytest.raises(StoreError) as refused:
        empty_store.undo(second)
    assert refused.value.reason == "undo_would_orphan"
    assert ids(empty_store) == before


def test_the_views_show_current_rows_only_and_the_row_tables_keep_history(empty_store):
    load(empty_store, "first.csv", FIRST)
    replace = load(empty_store, "second.csv", SECOND, mode="replace")
    with empty_store.cursor() as cur:
        history = cur.execute(
            "select community_id, replaced_by from stored.communities order by community_id"
        ).fetchall()
    assert history == [("A", replace), ("B", replace), ("C", None)]
    assert empty_store.row_count("communities") == 1


def contents(store) -> dict[str, list]:
    with store.cursor() as cur:
        return {
            name: sorted(cur.execute(f"select * from stored.{name}").fetchall(), key=repr)
            for name in ("communities", "staff", "tasks", "facilities", "survey")
        } | {"imports": cur.execute("select * from meta.imports").fetchall()}


def test_a_load_interrupted_inside_its_transaction_changes_nothing(empty_store, monkeypatch):
    """Fail after the rows are written but before the load commits: all of it rolls back."""
    load(empty_store, "first.csv", FIRST)
    before, version = contents(empty_store), empty_store.data_version()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("interrupted while recording the load")

    monkeypatch.setattr(type(empty_store), "_record", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(empty_store, [Source("second.csv", SECOND.encode())], mode="replace")
    assert contents(empty_store) == before
    assert empty_store.data_version() == version
