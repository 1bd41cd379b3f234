"""The temporary copies a load makes of a file (:mod:`community_eval.ingest.bulk`), and their cleaning.

A big CSV given as bytes, or in an encoding DuckDB does not read, is written to the
system's temporary folder as UTF-8 for DuckDB to read. The load removes its copy whatever
ends it (an error included); only a process that is killed cannot, and a killed load of a
survey left 103 MB behind. So every :class:`~community_eval.db.store.Store` that opens sweeps
the copies older than :data:`STALE_AFTER` that belong to this user: a load that is still
running in another process wrote its copy moments ago and is left alone.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

PREFIX = "community_eval_"
SUFFIX = ".csv"
#: A copy this old (seconds since it was last written) belongs to no running load: loads take seconds to minutes.
STALE_AFTER = 3600.0


def new_copy() -> Path:
    """A new, empty temporary file for a copy; its creator must remove it (see :func:`on_error`)."""
    handle, name = tempfile.mkstemp(prefix=PREFIX, suffix=SUFFIX)
    os.close(handle)
    return Path(name)


@contextlib.contextmanager
def on_error(cleanup: Callable[[], object]) -> Iterator[None]:
    """Run ``cleanup`` if the block raises, then raise on: for a copy not yet handed to whoever removes it."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            cleanup()
        raise


def remove_stale(max_age: float = STALE_AFTER, folder: str | None = None) -> list[Path]:
    """Remove this user's copies in the temporary folder last written over ``max_age`` seconds ago.

    Returns what was removed. Never raises: a file another process removes meanwhile, or
    one that cannot be removed, is left to the next sweep.
    """
    removed = []
    cutoff = time.time() - max_age
    uid = os.getuid() if hasattr(os, "getuid") else None
    for path in Path(folder or tempfile.gettempdir()).glob(f"{PREFIX}*{SUFFIX}"):
        try:
            found = path.stat()
            mine = uid is None or found.st_uid == uid
            if mine and stat.S_ISREG(found.st_mode) and found.st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
