"""Why the database cannot be opened or written, read from DuckDB's message.

DuckDB reports a locked file, a damaged file, a read-only file and a full disk alike, as
one exception class (``IOException`` or plain ``Error``) with a sentence of its own; that
sentence is the only place that says which it was. It is read here, once, and turned into
a locale key (``error.<reason>``) so the page and the command line can each say it in one
sentence of the reader's language, with what to do about it, instead of a traceback.
"""

from __future__ import annotations

import re

#: The reasons told here: each is a key under ``[error]`` in both locale files. A load that
#: meets one stops (it concerns the database, not the file being loaded) and says it once.
REASONS = frozenset(
    {
        "database_locked",
        "database_locked_by",
        "database_read_only",
        "database_missing",
        "database_corrupt",
        "disk_full",
    }
)

# DuckDB names the process holding the lock: 'Conflicting lock is held in /usr/bin/python3 (PID 4887)'.
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")

# Lower-case fragments of DuckDB's (and the operating system's) messages, by reason, tried in order:
# a lock message names the file, which could contain any other fragment.
_FRAGMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("database_locked", ("could not set lock",)),
    ("disk_full", ("no space left on device", "file too large", "disk quota exceeded", "not enough space")),
    ("database_read_only", ("read-only file system", "permission denied", "attached in read-only")),
    ("database_missing", ("database does not exist", "no such file or directory")),
    (
        "database_corrupt",
        (
            "not a valid duckdb database",
            "corrupt database file",
            "could not read enough bytes",
            "checksum",
            "serialization error",
            "failed to deserialize",
        ),
    ),
)


def classify(message: str) -> tuple[str, dict[str, str]] | None:
    """The reason and its parameters for a DuckDB error message, or None for anything else.

    None means the failure is not one of the known faults (a bug, or a DuckDB error
    this module has never seen); callers then keep their own, more general message.
    """
    lowered = message.lower()
    for reason, fragments in _FRAGMENTS:
        if any(fragment in lowered for fragment in fragments):
            return _with_holder(reason, message)
    return None


def _with_holder(reason: str, message: str) -> tuple[str, dict[str, str]]:
    """A lock names who holds it when DuckDB says so, so the reader knows which program to close."""
    holder = _HOLDER.search(message) if reason == "database_locked" else None
    if holder is None:
        return reason, {}
    return "database_locked_by", {"program": holder["program"], "pid": holder["pid"]}
