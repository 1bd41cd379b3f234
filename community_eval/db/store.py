"""The DuckDB store: the only module that talks to DuckDB.

One connection per process and a cursor per query, because DuckDB connections are not
safe to share between threads while cursors are (and Streamlit serves every session on
its own thread). Writes are serialised per dataset (:meth:`Store.writing`, held from a
load's checks to its commit) and each is one transaction, so a failed load leaves the
stored data exactly as it was. Every write changes the *data version*, the
key that cached query results are stored under. A page run reads inside a
:meth:`Store.snapshot`, so all its queries see one version even while a load commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from community_eval.core import faults, paths, tempfiles
from community_eval.core.schema import (
    COMPANIONS,
    PARQUET_PARTITIONS,
    PARQUET_ROOT_VARIABLE,
    STORED_SCHEMA,
    TABLES,
    YEAR_VIEWS,
    Kind,
    Table,
    add_column_sql,
    create_parquet_view_sql,
    create_table_sql,
    create_view_sql,
    create_year_view_sql,
    parquet_glob,
)
from community_eval.db import queries

PROJECT_ROOT = paths.PROJECT_ROOT
DEFAULT_DB = PROJECT_ROOT / "data" / "community_eval.duckdb"
DB_ENV = "COMMUNITY_EVAL_DB"
#: A folder (or object-store prefix) of Parquet files to read in place of stored tables.
PARQUET_ENV = "COMMUNITY_EVAL_PARQUET"
#: How many workspace databases the dashboard keeps open at once (see :func:`open_limit`).
OPEN_LIMIT_ENV = "COMMUNITY_EVAL_OPEN_WORKSPACES"
DEFAULT_OPEN_LIMIT = 8

_META_DDL = (
    "create schema if not exists meta",
    "create table if not exists meta.data_version (version bigint not null, token varchar not null, "
    "changed_at timestamp not null)",
    "create sequence if not exists meta.import_ids",
    "create table if not exists meta.imports (import_id bigint primary key, file_name varchar, "
    "sha256 varchar, table_name varchar not null, mode varchar not null, rows_loaded bigint not null, "
    "rows_rejected bigint not null, loaded_at timestamp not null)",
    "alter table meta.imports add column if not exists undone_at timestamp",
    f"create schema if not exists {STORED_SCHEMA}",
    # A questionnaire's confirmed mapping, keyed by its set of question texts
    # (questionnaire.questionnaire_key): the next wave's export loads in one step.
    "create table if not exists meta.questionnaire_mappings (questionnaire varchar primary key, "
    "name varchar not null, mapping varchar not null, saved_at timestamp not null)",
)


#: The id ``meta.import_ids`` will give next, read without taking it.
_NEXT_IMPORT_ID = (
    "select coalesce(last_value + increment_by, start_value) from duckdb_sequences() "
    "where schema_name = 'meta' and sequence_name = 'import_ids'"
)


#: Serialises attaching the macro catalog: Stores opened on one file share one DuckDB database.
_MACROS_GUARD = threading.Lock()


def _install_macros(cur: duckdb.DuckDBPyConnection, read_only: bool, year_views: Callable[[], list[str]]) -> None:
    """Attach the in-memory catalog ``macros`` and define every macro of ``queries/`` in it,
    after the ``<table>_by_year`` views (``year_views()`` makes their statements, see
    ``schema.create_year_view_sql``) that the macros reading some years of a table select from.

    Not in the database file, where an earlier version kept them (in ``meta``, where they stay,
    unused): a read-only file, or one written by another version, would hold that version's
    macros or none, and a query would call a rule that is not this code's. Not as temporary
    macros either: those belong to one cursor, and a query runs on a cursor of its own
    (defining them all per cursor took 12 ms). An attached database belongs to the DuckDB
    database, which every cursor of the connection shares, and a Parquet store's in-memory
    database and a read-only file can attach one alike. Stores opened on one file share one
    DuckDB database, so the catalog may be there already, defined by this code.

    DuckDB checks each macro's body as it creates it: about 20 ms for all of them, in one
    transaction (a third less than one by one), at each opening. A read-only file written before
    a view existed (``questions``) cannot give a macro that reads it: then they are created one
    by one, and that macro and those calling it are left out, so only the queries needing them fail.
    """
    with _MACROS_GUARD:
        attached = cur.execute(
            "select count(*) from duckdb_databases() where database_name = $name", {"name": queries.MACRO_CATALOG}
        ).fetchall()[0][0]
        if attached:
            return
        cur.execute(f"attach ':memory:' as {queries.MACRO_CATALOG} (read_only false)")
        views = year_views()  # only when attaching: on Parquet it reads the files' footers
        cur.execute("begin transaction")
        try:
            for statement in views:
                cur.execute(statement)
            for query in queries.macro_definitions():
                cur.execute(query.sql)
            cur.execute("commit")
        except duckdb.CatalogException:
            cur.execute("rollback")
            if not read_only:
                raise
            for statement in views:
                with suppress(duckdb.CatalogException):
                    cur.execute(statement)
            for query in queries.macro_definitions():
                with suppress(duckdb.CatalogException):
                    cur.execute(query.sql)


class ConcurrentLoad(RuntimeError):
    """The import id a load counted on was taken meanwhile (impossible while writes hold the lock)."""


@dataclass
class _Snapshot:
    """One thread's read transaction: the cursor it runs on and the data version it sees."""

    cursor: duckdb.DuckDBPyConnection
    token: str


#: What DuckDB raises, under the store's name: a caller outside the database layer catches this
#: (or :class:`StoreError`), so only this module and the bulk loader import duckdb.
DatabaseError = duckdb.Error
#: A DuckDB cursor, by the store's name: the bulk loader stages files on one, and no module
#: outside db/ imports duckdb.
Cursor = duckdb.DuckDBPyConnection


class StoreError(Exception):
    """The database cannot be opened or written; ``reason`` is a locale key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(f"{reason}: {params}")
        self.reason = reason
        self.params = params

    @property
    def fault(self) -> bool:
        """Whether this concerns the database itself (locked, read-only, damaged, disk full), not one file.

        A load that meets a fault stops and says so once, instead of blaming each file in turn.
        """
        return self.reason in faults.REASONS


class KeysNotUnique(StoreError):
    """A load would leave two current rows with one key: refused at its commit, whatever was checked before."""

    def __init__(self, columns: tuple[str, ...], value: tuple[object, ...]) -> None:
        super().__init__("keys_not_unique", columns=", ".join(columns), value=" / ".join(map(str, value)))


def database_error(error: duckdb.Error, path: str, fallback: str = "cannot_open_database") -> StoreError:
    """The StoreError a DuckDB failure on ``path`` means: a known fault, else ``fallback`` with DuckDB's first line."""
    known = faults.classify(str(error))
    if known is None:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        return StoreError(fallback, path=path, detail=detail)
    reason, params = known
    return StoreError(reason, path=path, **params)


def _connect(path: str) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """Open ``path`` for writing, or only for reading when the file may be read but not written.

    A database on a read-only share, or a file this user may not write, is still worth
    browsing: it opens read-only (the second value is True) and loads and undo are refused
    with one sentence. A file that does not exist and cannot be created is ``database_missing``.
    """
    local = is_local_file(path)
    if local:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            raise StoreError("database_missing", path=path) from None
    try:
        return duckdb.connect(path), False
    except duckdb.Error as error:
        failure = database_error(error, path)
    if failure.reason != "database_read_only" or not local:
        raise failure
    if not Path(path).is_file():
        raise StoreError("database_missing", path=path)
    try:
        return duckdb.connect(path, read_only=True), True
    except duckdb.Error as error:
        raise database_error(error, path) from None


def default_db_path() -> str:
    """The database the dashboard and the command line open unless told otherwise.

    Any DuckDB database string works: a file path, ``:memory:``, ``md:district`` for
    MotherDuck. With ``COMMUNITY_EVAL_PARQUET`` set and no database named, the store
    is an in-memory database over the Parquet files.
    """
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    return ":memory:" if parquet_root() else str(DEFAULT_DB)


def parquet_root() -> str | None:
    """The Parquet dataset to read instead of loaded tables (``COMMUNITY_EVAL_PARQUET``), if any."""
    return os.environ.get(PARQUET_ENV) or None


def is_local_file(path: str) -> bool:
    """Whether a database string names a file on this machine (not ``:memory:``, ``md:…``, ``s3://…``)."""
    return path != ":memory:" and "://" not in path and ":" not in Path(path).name


#: The write lock of each dataset this process has opened, by :func:`_dataset_key`.
_DATASET_LOCKS: dict[str, threading.RLock] = {}
_DATASET_LOCKS_GUARD = threading.Lock()


def _dataset_key(path: str) -> str | None:
    """What names one dataset: a file by its resolved path (``data/x.duckdb`` and its absolute
    path are one), another database string as written; None for ``:memory:``, a new database each time."""
    if path == ":memory:":
        return None
    return str(Path(path).resolve()) if is_local_file(path) else path


def dataset_lock(path: str) -> threading.RLock:
    """The one write lock of the dataset ``path`` in this process, shared by every Store opened on it.

    Per dataset, not per Store: a workspace's store and a second Store opened on the same file
    (DuckDB then shares one database between them) must not check and write at once. Other
    processes cannot write while this one has the file open (DuckDB locks the file), and the
    store's commit check (:meth:`Store.load_rows`) catches what a lock cannot. Re-entrant, so a
    load holding it while it checks can take it again to write.
    """
    key = _dataset_key(path)
    if key is None:
        return threading.RLock()
    with _DATASET_LOCKS_GUARD:
        return _DATASET_LOCKS.setdefault(key, threading.RLock())


@dataclass(frozen=True)
class ImportRecord:
    """What one load did, kept in ``meta.imports`` so it can be listed and audited."""

    file_name: str
    sha256: str
    table_name: str
    mode: str
    rows_loaded: int
    rows_rejected: int


def open_limit() -> int:
    """How many closable stores stay open: ``COMMUNITY_EVAL_OPEN_WORKSPACES``, else 8 (at least 1).

    Read at every use, so a changed setting applies from the next query on.
    """
    try:
        return max(1, int(os.environ.get(OPEN_LIMIT_ENV, DEFAULT_OPEN_LIMIT)))
    except ValueError:
        return DEFAULT_OPEN_LIMIT


class _OpenStores:
    """The open closable stores of the process, least recently used first.

    Every open DuckDB database has its own buffer pool and a worker thread per core, and
    any viewer can open any workspace with ``?dataset=``: kept open for ever, 200 workspaces
    held 1.2 GB and 1,803 threads. Beyond :func:`open_limit`, the least recently used store
    that no query is using is closed (:meth:`Store._close_if_idle`); it reopens when next
    used. A store in use is never closed under its reader, so while more than the limit are
    in use at once, the excess closes as each becomes idle.

    Weak references: a store nobody holds any more is not kept alive here.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stores: OrderedDict[int, weakref.ref[Store]] = OrderedDict()

    def used(self, store: Store) -> None:
        """Note ``store`` (open, in use) as the most recently used, then close the idle excess."""
        with self._lock:
            held = self._stores.get(id(store))
            if held is None or held() is not store:  # an id is reused once its store is gone
                self._stores[id(store)] = weakref.ref(store)
            self._stores.move_to_end(id(store))
            self._close_excess()

    def close_excess(self) -> None:
        """Close idle stores, least recently used first, until at most the limit are open."""
        with self._lock:
            self._close_excess()

    def forget(self, store: Store) -> None:
        """Stop tracking a store closed by its owner."""
        with self._lock:
            held = self._stores.get(id(store))
            if held is not None and held() in (store, None):
                del self._stores[id(store)]

    def _close_excess(self) -> None:
        excess = len(self._stores) - open_limit()
        for key, held in list(self._stores.items()):
            if excess <= 0:
                return
            store = held()
            if store is None or store._close_if_idle():
                del self._stores[key]
                excess -= 1


_OPEN_STORES = _OpenStores()


class Store:
    """A DuckDB database holding the five contract tables plus the ``meta`` bookkeeping schema."""

    def __init__(self, path: str, parquet: str | None = None, closes_when_idle: bool = False) -> None:
        """Open (creating if need be) the database ``path``: any DuckDB database string.

        With ``parquet`` (a folder, or an ``s3://``/``gs://``… prefix DuckDB can read), the
        five contract tables are views over the Parquet files under it, read where they
        lie; nothing is loaded and the store is read-only (see :meth:`load_rows`).

        With ``closes_when_idle`` (the dashboard's workspaces), the store is one of the few
        :func:`open_limit` keeps open: when more are open, the least recently used one that
        no query is using closes its database, and reopens it when next used. Only a local
        file can close: an in-memory database would lose its contents.
        """
        self.path = path
        self.parquet = parquet
        self._closable = closes_when_idle and parquet is None and is_local_file(path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._read_only_file = False
        self._version = ""
        self._schema_ready = False
        # Guards _con and _users: the connection is closed only while no cursor of it is in use.
        self._state = threading.Lock()
        self._users = 0
        self._write_lock = dataset_lock(path)  # see writing()
        # The snapshot (if any) each thread reads in; see snapshot().
        self._local = threading.local()
        with self._connection():
            pass
        tempfiles.remove_stale()  # copies of files left by a load that was killed (see tempfiles)

    def close(self) -> None:
        """Close the database now; a later use opens it again."""
        with self._state:
            self._close_connection()
        _OPEN_STORES.forget(self)

    @property
    def is_open(self) -> bool:
        """Whether the database is open (a closed one reopens on its next use)."""
        return self._con is not None

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the process's connection, for use on the calling thread only."""
        with self._connection() as con:
            cur = self._new_cursor(con)
            try:
                yield cur
            finally:
                cur.close()

    def _new_cursor(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        cur = con.cursor()
        if self.parquet is not None:
            # DuckDB variables belong to one connection; every cursor needs the dataset's root.
            cur.execute(f"set variable {PARQUET_ROOT_VARIABLE} = $root", {"root": self.parquet.rstrip("/")})
        return cur

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The open connection (reopened if it was closed), kept open until the block ends.

        Counting the blocks in progress is what lets :class:`_OpenStores` close an idle
        store without pulling a connection from under a query on another thread.
        """
        with self._state:
            if self._con is None:
                self._open()
            self._users += 1
            con = self._con
        try:
            if self._closable:
                _OPEN_STORES.used(self)
            yield con
        finally:
            with self._state:
                self._users -= 1
                idle = self._users == 0
            if idle and self._closable:
                _OPEN_STORES.close_excess()

    def _open(self) -> None:
        """Connect and read the data version; at the first opening, bring the schema up to date.

        The version is read again at each reopen because, while the file was closed, another
        process (the command line) may have loaded into it. The schema is not: it is this
        version's since the first opening, and its statements are writes that made a reopen
        ten times slower (330 ms instead of 35).
        """
        con, read_only = _connect(self.path)
        try:
            cur = self._new_cursor(con)
            try:
                if not read_only and not self._schema_ready:  # a read-only file has the schema it was written with
                    self._ensure_schema(cur)
                    self._schema_ready = True
                _install_macros(cur, read_only, lambda: self._year_views(cur))
                version = self._read_version(cur)
            finally:
                cur.close()
        except duckdb.Error as error:
            con.close()
            raise database_error(error, self.parquet or self.path) from None
        self._con, self._read_only_file, self._version = con, read_only, version

    def _close_connection(self) -> None:
        """Close the connection (the caller holds ``_state``)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def _close_if_idle(self) -> bool:
        """Close the database unless a query is using it; whether it is closed now.

        Never waits for ``_state``: it is called holding the registry's lock, and a store
        busy opening or counting its users is simply not idle.
        """
        if not self._state.acquire(blocking=False):
            return False
        try:
            if self._users:
                return False
            self._close_connection()
            return True
        finally:
            self._state.release()

    def _ensure_schema(self, cur: duckdb.DuckDBPyConnection) -> None:
        for statement in _META_DDL:
            cur.execute(statement)
        for table in TABLES.values():
            cur.execute(create_table_sql(table))
            self._add_new_columns(cur, table)
            self._widen_likert(cur, table)
            self._adopt_legacy_table(cur, table)
            if self.parquet is not None:
                cur.execute(create_parquet_view_sql(table, self._parquet_columns(cur, table)))
            else:
                cur.execute(create_view_sql(table))
        for companions in COMPANIONS.values():
            for table in companions:
                cur.execute(create_table_sql(table))
                # A Parquet dataset written before questionnaires had items has no files for them: empty then.
                present = self._parquet_columns(cur, table) if self.parquet is not None else None
                if present:
                    cur.execute(create_parquet_view_sql(table, present))
                else:
                    cur.execute(create_view_sql(table))
        if cur.execute("select count(*) from meta.data_version").fetchall()[0][0] == 0:
            cur.execute(
                "insert into meta.data_version values (0, $token, current_timestamp)",
                {"token": uuid.uuid4().hex},
            )

    @staticmethod
    def _add_new_columns(cur: duckdb.DuckDBPyConnection, table: Table) -> None:
        """Give a database made before the contract gained a column (``also_director``) that column.

        Without it the contract's view cannot be made and the database would not open at all.
        """
        rows = cur.execute(
            "select column_name from information_schema.columns where table_schema = $schema and table_name = $name",
            {"schema": STORED_SCHEMA, "name": table.name},
        ).fetchall()
        have = {row[0] for row in rows}
        for column in table.columns:
            if column.name not in have:
                cur.execute(add_column_sql(table, column))

    @staticmethod
    def _widen_likert(cur: duckdb.DuckDBPyConnection, table: Table) -> None:
        """Answers stored as whole points (tinyint) before rescaled scales came: widened to double."""
        likert = [c.name for c in table.columns if c.kind is Kind.LIKERT]
        if not likert:
            return
        rows = cur.execute(
            "select column_name from information_schema.columns where table_schema = $schema "
            "and table_name = $name and data_type = 'TINYINT'",
            {"schema": STORED_SCHEMA, "name": table.name},
        ).fetchall()
        for (name,) in rows:
            if name in likert:
                cur.execute(f"alter table {STORED_SCHEMA}.{table.name} alter column {name} set data type double")

    def _year_views(self, cur: duckdb.DuckDBPyConnection) -> list[str]:
        """The ``macros.<table>_by_year`` views, over the stored rows or over the Parquet files."""
        if self.parquet is None:
            return [create_year_view_sql(queries.MACRO_CATALOG, TABLES[name], parquet=False) for name in YEAR_VIEWS]
        return [
            create_year_view_sql(
                queries.MACRO_CATALOG,
                TABLES[name],
                parquet=True,
                present=self._parquet_columns(cur, TABLES[name]),
                files_alike=self._parquet_files_alike(cur, TABLES[name]),
            )
            for name in YEAR_VIEWS
        ]

    @staticmethod
    def _parquet_files_alike(cur: duckdb.DuckDBPyConnection, table: Table) -> bool:
        """Whether every file of ``table`` has the same columns of the same types (read once, at opening)."""
        try:
            kinds = cur.execute(
                "select count(distinct columns) from (select file_name, list(name || ':' || type order by name) "
                f"as columns from parquet_schema({parquet_glob(table)}) group by file_name)"
            ).fetchall()[0][0]
        except duckdb.Error:
            return False
        return kinds == 1

    @staticmethod
    def _parquet_columns(cur: duckdb.DuckDBPyConnection, table: Table) -> set[str] | None:
        """The columns a Parquet dataset's files have for ``table`` (None when that cannot be told)."""
        glob = f"getvariable('{PARQUET_ROOT_VARIABLE}') || '/{table.name}/**/*.parquet'"
        try:
            described = cur.execute(
                f"describe select * from read_parquet({glob}, hive_partitioning = true, union_by_name = true)"
            ).fetchall()
        except duckdb.Error:
            return None
        return {row[0] for row in described}

    @staticmethod
    def _adopt_legacy_table(cur: duckdb.DuckDBPyConnection, table: Table) -> None:
        """Move rows of a database made before loads were undoable into the row table.

        Early versions kept each contract table as a plain table in ``main``; its rows
        become import 0 (not undoable) and the table makes way for the view.
        """
        kind = cur.execute(
            "select table_type from information_schema.tables where table_schema = 'main' and table_name = $name",
            {"name": table.name},
        ).fetchall()
        if not kind or kind[0][0] != "BASE TABLE":
            return
        cur.execute(queries.for_table("table_adopt_legacy_rows", table))
        cur.execute(f"drop table main.{table.name}")

    def _read_version(self, cur: duckdb.DuckDBPyConnection) -> str:
        if self.parquet is not None:
            return self._parquet_version(cur)
        return cur.execute("select token from meta.data_version").fetchall()[0][0]

    def _parquet_version(self, cur: duckdb.DuckDBPyConnection) -> str:
        """The data version of a Parquet dataset: a digest of its file list at opening.

        New or rewritten files are seen when the store is next opened (a restart, or the
        cache of stores cleared); for a local folder the sizes and times count too.
        """
        digest = hashlib.sha256()
        for name in TABLES:
            pattern = f"{self.parquet.rstrip('/')}/{name}/**/*.parquet"
            files = cur.execute("select file from glob($pattern) order by file", {"pattern": pattern}).fetchall()
            for (file,) in files:
                digest.update(file.encode())
                if is_local_file(file):
                    stat = Path(file).stat()
                    digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()

    def data_version(self) -> str:
        """A token that changes on every write; cache keys include it.

        Inside a :meth:`snapshot` it is the version that snapshot reads, so a result cached
        under it holds that version's data even when a load commits meanwhile. Otherwise it
        is kept in memory: while this process holds the database open, DuckDB's file lock
        means every write goes through this object, so no query is needed per rerun.
        """
        held = self._snapshot()
        return held.token if held is not None else self._version

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Make every :meth:`query` and :meth:`data_version` on this thread read one committed state.

        A page run makes many queries and a load may commit between any two of them; without
        this, earlier charts would show the old data and later ones the new. Inside, they all
        run on one cursor in one read transaction, which DuckDB's MVCC keeps from seeing
        later commits, and the version is read inside it. Thread-local, as every Streamlit
        run has its own thread; nested calls share the outer snapshot; the transaction and its
        cursor end with the block, whatever ends it (``st.stop()`` and ``st.rerun()`` raise).
        While open it holds old row versions in memory and defers checkpoints, so hold one for
        a run, never longer. Loads and undo still take fresh cursors and commit as before.
        """
        if self._snapshot() is not None:
            yield
            return
        with self.cursor() as cur:
            self._local.snapshot = self._begin_snapshot(cur)
            try:
                yield
            finally:
                self._local.snapshot = None
                with suppress(duckdb.Error):  # closing the cursor rolls back anyway
                    cur.execute("rollback")

    def _snapshot(self) -> _Snapshot | None:
        return getattr(self._local, "snapshot", None)

    def _begin_snapshot(self, cur: duckdb.DuckDBPyConnection) -> _Snapshot:
        """Start a read transaction on ``cur``; its first read fixes what it sees, so read the version first."""
        cur.execute("begin transaction")
        if self.parquet is not None:  # the files' digest, taken at opening; meta's token is of the memory db
            return _Snapshot(cur, self._version)
        return _Snapshot(cur, cur.execute("select token from meta.data_version").fetchall()[0][0])

    def _renew_snapshot(self) -> None:
        """Move this thread's snapshot (if any) to the latest committed version.

        After this thread's own write, so the rest of its run reads what it wrote; and after
        a failed query, because any error aborts a DuckDB transaction and every later query
        in it would fail too (the run then goes on at the latest version, under its token).
        """
        held = self._snapshot()
        if held is None:
            return
        with suppress(duckdb.Error):
            held.cursor.execute("rollback")
        self._local.snapshot = self._begin_snapshot(held.cursor)

    def query(
        self,
        name: str,
        params: dict[str, object] | None = None,
        frames: dict[str, pd.DataFrame] | None = None,
    ) -> pd.DataFrame:
        """Run a named query from ``queries/`` with bound parameters; return its result.

        ``frames`` are small result tables (never raw rows) registered under fixed names, for
        a query over a result the caller already holds (the assessment's scores, which a page
        computes once and derives rank ranges and parts from). A query over another query's
        rows, such as a roll-up, selects from that query's macro instead (see ``queries``).
        """
        query = queries.get(name)
        bound = queries.bind(query, params or {})
        held = self._snapshot()
        if held is None:
            with self.cursor() as cur:
                return self._run(cur, query.sql, bound, frames or {})
        try:
            return self._run(held.cursor, query.sql, bound, frames or {})
        except duckdb.Error:
            self._renew_snapshot()
            raise

    @staticmethod
    def _run(
        cur: duckdb.DuckDBPyConnection, sql: str, bound: dict[str, object], frames: dict[str, pd.DataFrame]
    ) -> pd.DataFrame:
        """Execute on ``cur`` with ``frames`` registered only for this statement (a snapshot's cursor is reused)."""
        for relation, frame in frames.items():
            cur.register(relation, frame)
        try:
            return cur.execute(sql, bound).df()
        finally:
            for relation in frames:
                with suppress(duckdb.Error):  # an aborted transaction drops them when rolled back
                    cur.unregister(relation)

    def distinct_values(self, table: Table, columns: tuple[str, ...]) -> list[tuple]:
        """The distinct current values of ``columns`` of ``table``, none null: the keys a load must not repeat."""
        with self.cursor() as cur:
            return cur.execute(queries.for_table("table_stored_keys", table, key=columns)).fetchall()

    def row_count(self, table: str) -> int:
        with self.cursor() as cur:
            return cur.execute(f"select count(*) from {TABLES[table].name}").fetchall()[0][0]

    def column_values(self, table: str, column: str) -> pd.Series:
        """All stored values of one column (identifiers only from the schema)."""
        spec = TABLES[table].column(column)  # raises for anything not in the schema
        with self.cursor() as cur:
            return cur.execute(f"select {spec.name} from {TABLES[table].name}").df()[spec.name]

    def community_names(self) -> dict[str, str]:
        """Every stored community's name by its code: to read codes Excel mangled by their name."""
        with self.cursor() as cur:
            return dict(cur.execute("select community_id, community_name from communities").fetchall())

    def rows_outside(self, ids: list[str]) -> dict[str, int]:
        """Per table that refers to communities, the stored rows whose community is not in ``ids``.

        What a replace of the communities with ``ids`` would leave pointing at nothing.
        """
        counts = {}
        with self.cursor() as cur:
            for table in TABLES.values():
                if any(c.references == "communities" for c in table.columns):
                    sql = queries.for_table("table_rows_outside", table)
                    counts[table.name] = cur.execute(sql, {"ids": ids}).fetchall()[0][0]
        return counts

    def imports(self) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.execute("select * from meta.imports order by import_id desc").df()

    def last_loaded_at(self) -> dt.datetime | None:
        """When the newest load still in effect (not undone) was made; None before any load."""
        with self.cursor() as cur:
            return cur.execute("select max(loaded_at) from meta.imports where undone_at is null").fetchall()[0][0]

    # ---- saved questionnaire mappings ----------------------------------------------------

    def saved_mapping(self, questionnaire: str) -> tuple[str, dict[str, object]] | None:
        """The name and mapping saved for a questionnaire, or None."""
        with self.cursor() as cur:
            rows = cur.execute(
                "select name, mapping from meta.questionnaire_mappings where questionnaire = $q",
                {"q": questionnaire},
            ).fetchall()
        return (rows[0][0], json.loads(rows[0][1])) if rows else None

    def saved_mappings(self) -> pd.DataFrame:
        """Every saved mapping: questionnaire key, name, when saved, and how many questions it maps."""
        with self.cursor() as cur:
            return cur.execute(
                "select questionnaire, name, saved_at, mapping from meta.questionnaire_mappings order by saved_at desc"
            ).df()

    def save_mapping(self, questionnaire: str, name: str, mapping: dict[str, object]) -> None:
        """Keep a confirmed mapping (a new one, or the questionnaire's again with this wave's choices)."""
        self._refuse_if_read_only()
        with self.writing(), self.cursor() as cur:
            cur.execute(
                "insert or replace into meta.questionnaire_mappings values ($q, $name, $mapping, current_timestamp)",
                {"q": questionnaire, "name": name, "mapping": json.dumps(mapping, ensure_ascii=False)},
            )

    def rename_mapping(self, questionnaire: str, name: str) -> None:
        self._refuse_if_read_only()
        with self.writing(), self.cursor() as cur:
            cur.execute(
                "update meta.questionnaire_mappings set name = $name where questionnaire = $q",
                {"q": questionnaire, "name": name},
            )

    def delete_mapping(self, questionnaire: str) -> None:
        self._refuse_if_read_only()
        with self.writing(), self.cursor() as cur:
            cur.execute("delete from meta.questionnaire_mappings where questionnaire = $q", {"q": questionnaire})

    # ---- writing -------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the dataset's write lock (:func:`dataset_lock`) for the block; blocks of one thread nest.

        A write is only as good as the checks it was validated with: appended keys against the
        stored ones, codes against the known communities, a communities replace against the rows
        that refer to them. Hold this from the first read of stored data to the commit, so no
        other load or undo of this dataset commits in between (two appends of one file stored
        200 ids twice). :meth:`load_rows` and :meth:`undo` take it themselves; a preview needs none.
        """
        with self._write_lock:
            yield

    def load(
        self,
        table: Table,
        frame: pd.DataFrame,
        mode: str,
        record: ImportRecord,
        companions: dict[str, pd.DataFrame] | None = None,
    ) -> int:
        """Append or replace ``table``'s rows with ``frame`` in one transaction; returns the import id.

        ``frame`` has exactly the table's columns, already validated. Replace does not
        delete: it marks the current rows as replaced by this import, so undo can bring
        them back. ``companions`` are rows of the tables written with this one
        (:data:`~community_eval.core.schema.COMPANIONS`: a questionnaire's own items and their
        answers), stored in the same transaction under the same import id. On any error
        the transaction is rolled back and the stored data is as it was before the call.
        """
        verify = None
        if companions is not None or (mode == "replace" and table.name in COMPANIONS):

            def verify(cur: duckdb.DuckDBPyConnection, import_id: int, _: int) -> None:
                self._write_companions(cur, table, companions or {}, mode, import_id)

        with self.cursor() as cur:
            cur.register("incoming_rows", frame)
            try:
                select = queries.for_table("table_cast_rows", table)
                return self.load_rows(cur, table, select, {}, mode, record, verify=verify)
            finally:
                cur.unregister("incoming_rows")

    @staticmethod
    def _write_companions(
        cur: duckdb.DuckDBPyConnection, table: Table, frames: dict[str, pd.DataFrame], mode: str, import_id: int
    ) -> None:
        """Inside the load's transaction: the companion rows, under its import id; a replace replaces them too."""
        for companion in COMPANIONS.get(table.name, ()):
            if mode == "replace":
                cur.execute(queries.for_table("table_mark_replaced", companion), {"id": import_id})
            frame = frames.get(companion.name)
            if frame is None or frame.empty:
                continue
            cur.register("companion_rows", frame)
            try:
                cur.execute(queries.for_table("table_insert_companion_rows", companion), {"id": import_id})
            finally:
                cur.unregister("companion_rows")

    def load_rows(
        self,
        cur: duckdb.DuckDBPyConnection,
        table: Table,
        select: str,
        params: dict[str, object],
        mode: str,
        record: ImportRecord,
        verify: Callable[[duckdb.DuckDBPyConnection, int, int], None] | None = None,
    ) -> int:
        """:meth:`load` for rows already in DuckDB: append or replace ``table`` with ``select``'s rows.

        ``select`` yields exactly the table's columns, typed and validated; it may use
        ``params`` and relations visible to ``cur`` (a cursor of this store, such as one
        holding a temporary table), which is why the caller passes its cursor.
        ``verify(cur, import_id, rows_inserted)`` runs after the insert inside the
        transaction and may raise to refuse the load: the bulk loader checks its record
        count and references there, on the stored rows, instead of before. Then no key
        may repeat among the current rows (:meth:`_refuse_repeated_keys`, raising
        :class:`KeysNotUnique`), however the rows were checked. One transaction with the
        import record and the new data version, under the dataset's write lock; on any
        error it is rolled back. Returns the import id.
        """
        if mode not in ("append", "replace"):
            raise ValueError(f"mode must be append or replace, not {mode}")
        self._refuse_if_read_only()
        # Composed here, not named in store_writes.sql: it wraps the caller's select (over a frame,
        # or over the CSV being read), which no placeholder of the schema's names can stand for.
        columns = ", ".join(table.column_names)
        rows = f"{STORED_SCHEMA}.{table.name}"
        insert = f"insert into {rows} ({columns}, import_id) select {columns}, $import_id from ({select})"
        with self.writing(), self._versioned_write(cur) as versions:
            # The id the sequence will give next, taken for good only once the rows are in
            # and verified: a sequence does not roll back, and a refused load leaves no gap.
            import_id = cur.execute(_NEXT_IMPORT_ID).fetchall()[0][0]
            if mode == "replace":
                cur.execute(queries.for_table("table_mark_replaced", table), {"id": import_id})
            bound = {**params, "import_id": import_id}
            inserted = cur.execute(insert, queries.used_params(insert, bound)).fetchall()[0][0]
            if verify is not None:
                verify(cur, import_id, inserted)
            self._refuse_repeated_keys(cur, table, import_id)
            if cur.execute("select nextval('meta.import_ids')").fetchall()[0][0] != import_id:
                raise ConcurrentLoad("another load took this import id")  # writes hold the lock: never
            versions.append(self._record(cur, import_id, record))
        self._renew_snapshot()
        return import_id

    @staticmethod
    def _refuse_repeated_keys(cur: duckdb.DuckDBPyConnection, table: Table, import_id: int) -> None:
        """Inside the load's transaction: no key this import stored may repeat among the current rows.

        DuckDB has no partial unique index (replaced rows stay, marked ``replaced_by``), so this
        query is the database's own guarantee: it holds for a caller that checked the stored keys
        too early or not at all, and two current rows of one key are refused at the commit.
        """
        for _, columns in table.unique_checks:
            for name in ("table_key_repeated_in_import", "table_repeated_key"):
                repeated = cur.execute(queries.for_table(name, table, key=columns), {"id": import_id}).fetchall()
                if repeated:
                    raise KeysNotUnique(columns, repeated[0])

    def undoable_imports(self) -> set[int]:
        """The loads that can be undone: the latest load of each table not already undone."""
        with self.cursor() as cur:
            return self._latest_loads(cur)

    @staticmethod
    def _latest_loads(cur: duckdb.DuckDBPyConnection) -> set[int]:
        rows = cur.execute(
            "select max(import_id) from meta.imports where undone_at is null and import_id > 0 group by table_name"
        ).fetchall()
        return {row[0] for row in rows}

    def undo(self, import_id: int) -> None:
        """Take back one load: remove the rows it added and bring back the rows it replaced.

        Only the latest load of a table can be undone (later loads were checked against
        it), and never when other tables still refer to communities it added. Whether it is
        the latest is asked inside the transaction, under the dataset's write lock: asked
        before, a replace committing in between made an old import's rows come back beside
        the new ones (37,361 task rows became 74,722).
        """
        self._refuse_if_read_only()
        with self.writing(), self.cursor() as cur, self._versioned_write(cur) as versions:
            if import_id not in self._latest_loads(cur):
                raise StoreError("undo_not_latest", import_id=import_id)
            table = cur.execute(
                "select table_name from meta.imports where import_id = $id", {"id": import_id}
            ).fetchall()[0][0]
            for undone in (TABLES[table], *COMPANIONS.get(table, ())):
                cur.execute(queries.for_table("table_remove_import", undone), {"id": import_id})
                cur.execute(queries.for_table("table_restore_replaced", undone), {"id": import_id})
            orphans = self._orphans(cur) if table == "communities" else 0
            if orphans:
                raise StoreError("undo_would_orphan", rows=orphans)
            cur.execute(
                "update meta.imports set undone_at = current_timestamp where import_id = $id", {"id": import_id}
            )
            versions.append(self._new_version(cur))
        self._renew_snapshot()

    def write_parquet(self, folder: str) -> dict[str, int]:
        """Write the current rows of the five tables (and a questionnaire's own items) as a Parquet dataset.

        Layout: ``<folder>/<table>/``, hive-partitioned by year where the table has one
        (:data:`~community_eval.core.schema.PARQUET_PARTITIONS`), one file otherwise. Existing
        files of the same names are overwritten. Returns the rows written per table.
        """
        written = {}
        with self.cursor() as cur:
            for name, partition in PARQUET_PARTITIONS.items():
                target = f"{folder.rstrip('/')}/{name}"
                if is_local_file(target):
                    Path(target).mkdir(parents=True, exist_ok=True)
                if partition is None:
                    cur.sql(f"select * from main.{name}").write_parquet(f"{target}/{name}.parquet")
                else:
                    # The partition column is named year; the Parquet view keeps only the contract's columns.
                    year = "" if partition == "year" else f", {partition} as year"
                    rows = cur.sql(f"select *{year} from main.{name}")
                    rows.write_parquet(target, partition_by=["year"], overwrite=True)
                written[name] = cur.execute(f"select count(*) from main.{name}").fetchall()[0][0]
        return written

    @contextmanager
    def _versioned_write(self, cur: duckdb.DuckDBPyConnection) -> Iterator[list[str]]:
        """One write transaction that ends in a new data version: the body appends the version
        token it recorded; it is committed with the writes, or everything is rolled back (a known
        fault raised as its StoreError) and the store keeps its version."""
        versions: list[str] = []
        cur.execute("begin transaction")
        try:
            yield versions
            cur.execute("commit")
        except BaseException as error:
            self._roll_back(cur, error)
            raise
        self._version = versions[-1]

    def _roll_back(self, cur: duckdb.DuckDBPyConnection, error: BaseException) -> None:
        """Undo a failed write; a known fault (disk full, …) is raised as its StoreError.

        The rollback itself may fail after a fatal error (DuckDB then refuses every statement
        and rereads the file on the next open, where the write never happened): the first error
        is the one worth telling.
        """
        with suppress(duckdb.Error):
            cur.execute("rollback")
        if isinstance(error, duckdb.Error) and faults.classify(str(error)) is not None:
            raise database_error(error, self.path) from None

    @property
    def read_only(self) -> bool:
        """Whether loads and undo are refused (see :meth:`refusal`)."""
        return self.refusal() is not None

    def refusal(self) -> StoreError | None:
        """Why loads and undo are refused here, or None when they are allowed.

        Parquet files are written by whoever produces them; a database file this process
        may only read (read-only share, no write permission) is opened read-only so it can
        still be browsed.
        """
        if self.parquet is not None:
            return StoreError("read_only_parquet", path=self.parquet)
        if self._read_only_file:
            return StoreError("database_read_only", path=self.path)
        return None

    def _refuse_if_read_only(self) -> None:
        refused = self.refusal()
        if refused is not None:
            raise refused

    @staticmethod
    def _orphans(cur: duckdb.DuckDBPyConnection) -> int:
        """Rows of any table whose community is not (any longer) among the communities."""
        total = 0
        for table in TABLES.values():
            if any(c.references == "communities" for c in table.columns):
                total += cur.execute(queries.for_table("table_orphan_rows", table)).fetchall()[0][0]
        return total

    def _record(self, cur: duckdb.DuckDBPyConnection, import_id: int, record: ImportRecord) -> str:
        """Write the import record and a new data version; returns the new version token."""
        cur.execute(
            "insert into meta.imports (import_id, file_name, sha256, table_name, mode, rows_loaded, "
            "rows_rejected, loaded_at) values ($import_id, $file_name, $sha256, $table_name, $mode, "
            "$rows_loaded, $rows_rejected, $loaded_at)",
            {
                "import_id": import_id,
                "file_name": record.file_name,
                "sha256": record.sha256,
                "table_name": record.table_name,
                "mode": record.mode,
                "rows_loaded": record.rows_loaded,
                "rows_rejected": record.rows_rejected,
                "loaded_at": dt.datetime.now(),
            },
        )
        return self._new_version(cur)

    @staticmethod
    def _new_version(cur: duckdb.DuckDBPyConnection) -> str:
        token = uuid.uuid4().hex
        cur.execute(
            "update meta.data_version set version = version + 1, token = $token, changed_at = current_timestamp",
            {"token": token},
        )
        return token
