"""The store and the indicator cache: every page's figures keyed on the data version.

Indicator results are cached under the store's data version, so a load anywhere (page or
command line) makes every page recompute, and a filter change only recomputes what that
filter touches.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st

from community_eval.core import url_params
from community_eval.core.standards import Standards, load_standards
from community_eval.db import workspaces
from community_eval.db.store import (
    Store,
    StoreError,
    default_db_path,
    is_local_file,
    parquet_root,
)
from community_eval.ingest.loader import create_sample_database


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    """One Store per database path per process; the main database's first start fills it
    from sample_data/ (a workspace starts empty, made by the data page).

    A workspace's store closes its database when idle beyond the few kept open
    (``COMMUNITY_EVAL_OPEN_WORKSPACES``) and reopens it on demand: any viewer can open any
    workspace with ``?dataset=``, and each open database holds memory and threads. The
    Store object itself stays cached (one per workspace file, a few hundred bytes), so
    every session shares its write lock and data version; the main database stays open.
    """
    main = path == default_db_path()
    if main and parquet_root():
        return Store(path, parquet=parquet_root())
    if sample_to_build(path):
        build_sample(path)
    return Store(path, closes_when_idle=not main)


#: One first-start build at a time in the process: a second visitor arriving meanwhile waits
#: for it (and sees the same progress) instead of building a second copy.
_SAMPLE_BUILD = threading.Lock()


def sample_to_build(path: str | None = None) -> bool:
    """Whether opening ``path`` (default: the dataset the pages read) must first build the main
    database from sample_data/: the first start, when the page should say what it is doing."""
    path = db_path() if path is None else path
    if path != default_db_path() or parquet_root():
        return False
    return is_local_file(path) and not Path(path).exists()


def build_sample(path: str, progress: Callable[[float, str], None] | None = None) -> None:
    """Build the main database from sample_data/ unless another session built it meanwhile
    (``progress``: see :func:`~community_eval.ingest.loader.create_sample_database`)."""
    with _SAMPLE_BUILD:
        if not Path(path).exists():
            create_sample_database(path, progress=progress)


def dataset() -> str:
    """The dataset the pages read: ``?dataset=`` when it names one that exists, else main."""
    return url_params.choice("dataset", workspaces.list_datasets()) or workspaces.MAIN


def db_path() -> str:
    return workspaces.path_for(dataset())


def store() -> Store:
    return _open_store(db_path())


def data_version() -> str:
    return store().data_version()


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(key: str, path: str, version: str, args: tuple, kwargs: tuple) -> pd.DataFrame:
    """Run the indicator function ``key`` names on the database at ``path``; ``version`` keys the cache.

    Profiles travel as their key and standards as ``True`` so the key stays plain data;
    both are resolved here from the standards file.
    """
    resolved = dict(kwargs)
    if "profile" in resolved:
        resolved["profile"] = load_standards().profile(resolved["profile"])
    if resolved.get("standards") is True:
        resolved["standards"] = load_standards()
    return _function_of(key)(_open_store(path), *args, **resolved)


#: Where the functions :func:`compute` runs live: the indicators package, nowhere else.
INDICATOR_PACKAGE = "community_eval.indicators."


def _key_of(indicator: Callable[..., pd.DataFrame]) -> str:
    """``module:function``, the plain text the cache keys on (a function object is not plain data)."""
    if not indicator.__module__.startswith(INDICATOR_PACKAGE):
        raise ValueError(f"{indicator.__qualname__} is not an indicator of {INDICATOR_PACKAGE[:-1]}")
    return f"{indicator.__module__}:{indicator.__qualname__}"


def _function_of(key: str) -> Callable[..., pd.DataFrame]:
    module, name = key.split(":")
    return getattr(importlib.import_module(module), name)


def compute(indicator: Callable[..., pd.DataFrame], *args: object, **kwargs: object) -> pd.DataFrame:
    """``indicator(store, *args, **kwargs)``, cached against the data version.

    ``indicator`` is the function itself, from its indicator's module
    (``cache.compute(task_burden.task_by_department, view.filters, view.year)``), so an editor
    follows it to its definition and a misspelt one fails on import, not on a page.
    Pass plain values only: filters, year, level, ``profile="seed_2016"``, ``standards=True``.
    """
    return _cached(_key_of(indicator), db_path(), data_version(), args, tuple(sorted(kwargs.items())))


@contextmanager
def snapshot() -> Iterator[None]:
    """Read the whole run from one data version (:meth:`Store.snapshot`); the entry file wraps each run.

    Without it a load committing mid-run shows old figures beside new ones, and a query keyed
    on the old version could cache new data under it. A store that cannot be opened is left
    to :func:`store_ready` to report, so the run goes on without a snapshot.
    """
    try:
        current = store()
    except StoreError:
        current = None
    if current is None:
        yield
        return
    with current.snapshot():
        yield


def standards() -> Standards:
    return load_standards()
