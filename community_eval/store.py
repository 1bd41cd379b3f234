"""The DuckDB store: the only module that talks to DuckDB.

One connection per process and a cursor per query, because DuckDB connections are not
safe to share between threads while cursors are (and Streamlit serves every session on
its own thread). Writes are serialised and each is one transaction, so a failed load
leaves the stored data exactly as it was. Every write changes the *data version*, the
key that cached query results are stored under.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from community_eval import queries
from community_eval.schema import TABLES, Table, create_table_sql

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "community_eval.duckdb"
DB_ENV = "COMMUNITY_EVAL_DB"

_META_DDL = (
    "create schema if not exists meta",
    "create table if not exists meta.data_version (version bigint not null, token varchar not null, "
    "changed_at timestamp not null)",
    "create sequence if not exists meta.import_ids",
    "create table if not exists meta.imports (import_id bigint primary key, file_name varchar, "
    "sha256 varchar, table_name varchar not null, mode varchar not null, rows_loaded bigint not null, "
    "rows_rejected bigint not null, loaded_at timestamp not null)",
)


class StoreError(Exception):
    """The database cannot be opened or written; ``reason`` is a locale key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(f"{reason}: {params}")
        self.reason = reason
        self.params = params


def default_db_path() -> str:
    """The database the dashboard and the command line open unless told otherwise."""
    return os.environ.get(DB_ENV) or str(DEFAULT_DB)


@dataclass(frozen=True)
class ImportRecord:
    """What one load did, kept in ``meta.imports`` so it can be listed and audited."""

    file_name: str
    sha256: str
    table_name: str
    mode: str
    rows_loaded: int
    rows_rejected: int


class Store:
    """A DuckDB database holding the five contract tables plus the ``meta`` bookkeeping schema."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:" and "://" not in path and ":" not in Path(path).name:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(path)
        except duckdb.Error as error:
            raise StoreError("cannot_open_database", path=path, detail=str(error).splitlines()[0]) from None
        self._write_lock = threading.Lock()
        self._ensure_schema()
        self._version = self._read_version()

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the process's connection, for use on the calling thread only."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def _ensure_schema(self) -> None:
        with self.cursor() as cur:
            for statement in _META_DDL:
                cur.execute(statement)
            for table in TABLES.values():
                cur.execute(create_table_sql(table))
            for query in queries.all_queries().values():
                if query.name.startswith("macro_"):
                    cur.execute(query.sql)
            if cur.execute("select count(*) from meta.data_version").fetchone()[0] == 0:
                cur.execute(
                    "insert into meta.data_version values (0, $token, current_timestamp)",
                    {"token": uuid.uuid4().hex},
                )

    # ---- reading -------------------------------------------------------------------------

    def _read_version(self) -> str:
        with self.cursor() as cur:
            return cur.execute("select token from meta.data_version").fetchone()[0]

    def data_version(self) -> str:
        """A token that changes on every write; cache keys include it.

        Kept in memory: while this process holds the database open, DuckDB's file lock
        means every write goes through this object, so no query is needed per rerun.
        """
        return self._version

    def query(
        self,
        name: str,
        params: dict[str, object] | None = None,
        frames: dict[str, pd.DataFrame] | None = None,
    ) -> pd.DataFrame:
        """Run a named query from ``queries/`` with bound parameters; return its result.

        ``frames`` are small result tables (never raw rows) registered under fixed names
        for queries that aggregate the output of another query, such as roll-ups.
        """
        query = queries.get(name)
        with self.cursor() as cur:
            for relation, frame in (frames or {}).items():
                cur.register(relation, frame)
            return cur.execute(query.sql, queries.bind(query, params or {})).df()

    def row_count(self, table: str) -> int:
        with self.cursor() as cur:
            return cur.execute(f"select count(*) from {TABLES[table].name}").fetchone()[0]

    def column_values(self, table: str, column: str) -> pd.Series:
        """All stored values of one column (identifiers only from the schema)."""
        spec = TABLES[table].column(column)  # raises for anything not in the schema
        with self.cursor() as cur:
            return cur.execute(f"select {spec.name} from {TABLES[table].name}").df()[spec.name]

    def imports(self) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.execute("select * from meta.imports order by import_id desc").df()

    # ---- writing -------------------------------------------------------------------------

    def load(self, table: Table, frame: pd.DataFrame, mode: str, record: ImportRecord) -> None:
        """Append or replace ``table``'s rows with ``frame`` in one transaction.

        ``frame`` has exactly the table's columns, already validated. On any error the
        transaction is rolled back and the stored data is as it was before the call.
        """
        if mode not in ("append", "replace"):
            raise ValueError(f"mode must be append or replace, not {mode}")
        columns = ", ".join(table.column_names)
        casts = ", ".join(f"cast({c.name} as {c.sql_type}) as {c.name}" for c in table.columns)
        with self._write_lock, self.cursor() as cur:
            cur.execute("begin transaction")
            try:
                if mode == "replace":
                    cur.execute(f"delete from {table.name}")
                cur.register("incoming_rows", frame)
                cur.execute(f"insert into {table.name} ({columns}) select {casts} from incoming_rows")
                cur.unregister("incoming_rows")
                token = self._record(cur, record)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
            self._version = token

    def _record(self, cur: duckdb.DuckDBPyConnection, record: ImportRecord) -> str:
        """Write the import record and a new data version; returns the new version token."""
        token = uuid.uuid4().hex
        cur.execute(
            "insert into meta.imports values (nextval('meta.import_ids'), $file_name, $sha256, "
            "$table_name, $mode, $rows_loaded, $rows_rejected, $loaded_at)",
            {
                "file_name": record.file_name,
                "sha256": record.sha256,
                "table_name": record.table_name,
                "mode": record.mode,
                "rows_loaded": record.rows_loaded,
                "rows_rejected": record.rows_rejected,
                "loaded_at": dt.datetime.now(),
            },
        )
        cur.execute(
            "update meta.data_version set version = version + 1, token = $token, changed_at = current_timestamp",
            {"token": token},
        )
        return token
