"""Datasets: the district's main data, and researchers' own workspaces beside it.

A workspace is a database file of its own in ``workspaces/`` next to the main database,
so an upload into one can never alter another: there is no shared table to get wrong.
The pages read whichever dataset the sidebar picks.
"""

from __future__ import annotations

import re
from pathlib import Path

from community_eval.db.store import Store, default_db_path

MAIN = "main"
#: Checked with fullmatch: ``$`` also matches before a final line break, so ``main2\n`` passed.
_NAME = re.compile(r"[\w\u4e00-\u9fff-]{1,40}")


class WorkspaceError(ValueError):
    """A workspace name that cannot be used; ``reason`` is a locale key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def workspace_dir(main_path: str | None = None) -> Path:
    return Path(main_path or default_db_path()).resolve().parent / "workspaces"


def is_valid_name(name: str) -> bool:
    """Letters, digits, Chinese characters, - and _, at most 40: safe as a file name."""
    return bool(_NAME.fullmatch(name)) and name != MAIN


def path_for(name: str, main_path: str | None = None) -> str:
    """The database file of a dataset (``main`` is the district's own database)."""
    if name == MAIN:
        return main_path or default_db_path()
    if not is_valid_name(name):
        raise WorkspaceError("bad_workspace_name", name=name)
    return str(workspace_dir(main_path) / f"{name}.duckdb")


def list_datasets(main_path: str | None = None) -> list[str]:
    """``main`` first, then every workspace by name."""
    folder = workspace_dir(main_path)
    names = sorted(p.stem for p in folder.glob("*.duckdb") if is_valid_name(p.stem)) if folder.exists() else []
    return [MAIN, *names]


def create(name: str, main_path: str | None = None) -> str:
    """Make an empty workspace (its tables exist, with no rows); returns its path."""
    if not is_valid_name(name):
        raise WorkspaceError("bad_workspace_name", name=name)
    path = path_for(name, main_path)
    if Path(path).exists():
        raise WorkspaceError("workspace_exists", name=name)
    Store(path).close()
    return path
