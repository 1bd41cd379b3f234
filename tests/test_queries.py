"""The named queries' macros: defined in dependency order, on every connection, whatever the file holds."""

from __future__ import annotations

import dataclasses
import re
import shutil

import duckdb
import pytest

from community_eval.core.schema import COMPANIONS, TABLES
from community_eval.core.standards import load_standards
from community_eval.db import queries
from community_eval.db import store as store_module
from community_eval.db.store import Store
from community_eval.indicators import facility_compliance, overview, task_burden
from community_eval.indicators.filters import Filters


def test_every_macro_comes_after_the_macros_it_calls():
    placed: set[str] = set()
    for query in queries.macro_definitions():
        name = query.name.removeprefix("macro_")
        called = set(re.findall(r"\bmacros\.([a-z_][a-z0-9_]*)\s*\(", query.sql)) - {name}
        assert called <= placed, (name, called - placed)
        placed.add(name)
    assert "scoped_communities" in placed


def test_a_macro_calling_one_not_defined_is_refused(tmp_path):
    (tmp_path / "a.sql").write_text(
        "-- name: macro_first\ncreate or replace macro macros.first(x) as macros.second(x) + 1\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="second is not defined"):
        queries.macro_definitions(tmp_path)


def test_queries_use_this_codes_macros_not_those_a_file_holds(sample_db, tmp_path):
    """A file written by an earlier version keeps its macros in meta: nothing calls them."""
    path = tmp_path / "old.duckdb"
    shutil.copy(sample_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace macro meta.scoped_communities(a, b, c, d, e) as table select 1 as nothing")
    store = Store(str(path))
    try:
        scope = overview.scope_summary(store, Filters())
        assert scope["n_communities"].iloc[0] > 0
    finally:
        store.close()


def test_two_stores_on_one_file_share_the_macros(sample_db):
    first, second = Store(sample_db), Store(sample_db)
    try:
        first.close()  # the second store's connection keeps the DuckDB database, and its macros, open
        assert overview.scope_summary(first, Filters()).equals(overview.scope_summary(second, Filters()))
    finally:
        first.close()
        second.close()


# ---- statements written once for every table (queries/store_writes.sql) -----------------------


def test_a_statement_for_a_table_is_filled_with_the_schemas_names_only():
    sql = queries.for_table("table_repeated_key", TABLES["staff"], key=("staff_id",))
    assert "from stored.staff as o" in sql and "using (staff_id)" in sql
    assert "{" not in sql.split("\n", 3)[-1]  # every placeholder of the statement is filled
    answers = COMPANIONS["survey"][1]
    assert "insert into stored.survey_answers (response_id, item_code, value, import_id)" in queries.for_table(
        "table_insert_companion_rows", answers
    )


def test_only_tables_and_columns_of_the_schema_fill_a_statement():
    copy = dataclasses.replace(TABLES["staff"])  # equal to the schema's, but not one of its tables
    with pytest.raises(ValueError, match="not a table of the schema"):
        queries.for_table("table_mark_replaced", copy)
    with pytest.raises(ValueError, match="not columns of staff"):
        queries.for_table("table_repeated_key", TABLES["staff"], key=("staff_id; drop table x",))
    with pytest.raises(ValueError, match="not columns of staff"):
        queries.for_table("table_unknown_reference", TABLES["staff"], column="nope")
    with pytest.raises(ValueError, match="takes"):
        queries.for_table("table_repeated_key", TABLES["staff"])  # a key is needed
    with pytest.raises(ValueError, match="takes"):
        queries.for_table("filter_options", TABLES["staff"])  # an ordinary query has nothing to fill


def test_a_statement_for_a_table_cannot_run_unfilled(empty_store):
    with pytest.raises(ValueError, match="for_table"):
        empty_store.query("table_orphan_rows")


def test_a_read_only_file_lacking_a_view_still_opens_and_answers_what_it_can(sample_db, tmp_path, monkeypatch):
    """A file from a version without a view (here: facilities dropped) cannot give the macros that
    read it; the others are defined, and only the queries needing the missing ones fail."""
    path = tmp_path / "old.duckdb"
    shutil.copy(sample_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("drop view main.facilities")
    # As a read-only share opens it (tests/test_faults.py mounts one; the flag is what matters here).
    monkeypatch.setattr(store_module, "_connect", lambda p: (duckdb.connect(p, read_only=True), True))
    store = Store(str(path))
    try:
        assert store.read_only
        assert overview.scope_summary(store, Filters())["n_communities"].iloc[0] > 0
        assert not task_burden.task_burden(store, Filters(), 2025).empty
        with pytest.raises(store_module.DatabaseError, match="facility_rows"):
            facility_compliance.facility_rollup(store, Filters(), 2025, load_standards().profile(None))
    finally:
        store.close()
