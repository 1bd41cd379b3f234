"""Uploaded files that no uploader holds are let go: Streamlit's upload route is open to every session.

Streamlit 1.67 accepts ``PUT /_stcore/upload_file/<session>/<file>`` from any connected tab
(with its XSRF token, which the tab has), whether or not its page shows an uploader: the
data page shows viewers none, but the route is Streamlit's. It keeps each file whole in
memory until the tab's session ends and limits only each file's size
(``server.maxUploadSize``), so a viewer's tab took the server from 214 MB to 1.2 GB with
6 × 150 MB, held for as long as it stayed open.

The app cannot refuse the request, but it can let the files go: every run says which
files its uploaders hold (:func:`run_started`, :func:`hold`), and a sweeper thread removes
every stored file no uploader of its session has held for :func:`grace_seconds` (60 s
unless ``COMMUNITY_EVAL_UPLOAD_GRACE`` says otherwise). A file on the data page's uploader
is never removed, however long the tab sits idle; a new upload reaches the page's next
run within a second, well inside the grace. What a client can hold is then what it can
send in about a minute, which the reverse proxy limits (README, "Deployment limits").

The sweeper reads the upload manager's storage, which Streamlit does not publish: if that
ever changes, it logs one warning and stops, touching nothing.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFileManager

GRACE_ENV = "COMMUNITY_EVAL_UPLOAD_GRACE"
DEFAULT_GRACE_SECONDS = 60.0

_LOG = logging.getLogger(__name__)
FileKey = tuple[str, str]  # (session id, file id)


def grace_seconds() -> float:
    """How long a stored upload may go unheld before it is removed (``COMMUNITY_EVAL_UPLOAD_GRACE``)."""
    try:
        return max(0.5, float(os.environ.get(GRACE_ENV, DEFAULT_GRACE_SECONDS)))
    except ValueError:
        return DEFAULT_GRACE_SECONDS


class Holds:
    """Which uploaded files each session's uploaders hold, as the app's own runs say.

    A run first empties its session's set (:meth:`run_started`), then each uploader adds
    what it shows (:meth:`hold`): so the set is what the latest run held, and a tab idle on
    the data page keeps its files. Each hold's time is kept too, so the moment between a
    run's start and its uploader (or a run cut short by a rerun) does not count as unheld.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: dict[str, set[str]] = {}
        self._last_held: dict[FileKey, float] = {}

    def run_started(self, session_id: str) -> None:
        with self._lock:
            self._current[session_id] = set()

    def hold(self, session_id: str, file_ids: Iterable[str], now: float) -> None:
        with self._lock:
            held = self._current.setdefault(session_id, set())
            for file_id in file_ids:
                held.add(file_id)
                self._last_held[(session_id, file_id)] = now

    def held(self, key: FileKey, now: float, grace: float) -> bool:
        """Whether the session's latest run held the file, or any run did within ``grace`` seconds."""
        session_id, file_id = key
        with self._lock:
            recent = now - self._last_held.get(key, -math.inf) < grace
            return recent or file_id in self._current.get(session_id, ())

    def keep_only(self, stored: set[FileKey]) -> None:
        """Forget files no longer stored and sessions holding none (their next run starts afresh)."""
        sessions = {session_id for session_id, _ in stored}
        with self._lock:
            self._last_held = {key: at for key, at in self._last_held.items() if key in stored}
            self._current = {s: held for s, held in self._current.items() if s in sessions}


def stored_files(manager: UploadedFileManager) -> set[FileKey]:
    """Every (session, file) Streamlit's in-memory upload manager holds, read under its lock.

    ``file_storage`` and ``_lock`` are MemoryUploadedFileManager's own (Streamlit 1.67);
    without them this raises AttributeError and the sweeper stops.
    """
    with manager._lock:  # type: ignore[attr-defined]
        storage = manager.file_storage  # type: ignore[attr-defined]
        return {(session_id, file_id) for session_id, files in storage.items() for file_id in files}


class Sweeper:
    """Removes the stored uploads that no uploader has held for the grace period."""

    def __init__(
        self, manager: UploadedFileManager, holds: Holds, grace: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._manager = manager
        self._holds = holds
        self._grace = grace
        self._clock = clock
        # When each stored file was first seen: a fresh upload gets the grace before its first run.
        self._first_seen: dict[FileKey, float] = {}

    def sweep(self) -> int:
        """Remove what has been unheld for the grace period; returns how many files went."""
        now = self._clock()
        stored = stored_files(self._manager)
        first_seen, removed = {}, 0
        for key in stored:
            seen = self._first_seen.get(key, now)
            if now - seen >= self._grace and not self._holds.held(key, now, self._grace):
                self._manager.remove_file(*key)
                removed += 1
            else:
                first_seen[key] = seen
        self._first_seen = first_seen
        self._holds.keep_only(set(first_seen))
        return removed


_HOLDS = Holds()
_START_LOCK = threading.Lock()
_started = False


def run_started() -> None:
    """Call at the start of every run: the session's uploaders hold nothing until they say so.

    Starts the sweeper the first time, when the app runs under Streamlit's server (not in
    ``AppTest``, which has no server and whose files go with each test).
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    _HOLDS.run_started(ctx.session_id)
    _start_sweeper()


def hold(files: Iterable[object] | None) -> None:
    """Note the files an uploader shows (``st.file_uploader``'s return value) as held by this session."""
    ctx = get_script_run_ctx()
    if ctx is None or not files:
        return
    _HOLDS.hold(ctx.session_id, [file.file_id for file in files], time.monotonic())


def _start_sweeper() -> None:
    global _started
    with _START_LOCK:
        if _started or not Runtime.exists():
            return
        _started = True
    grace = grace_seconds()
    sweeper = Sweeper(Runtime.instance().uploaded_file_mgr, _HOLDS, grace)
    threading.Thread(target=_sweep_forever, args=(sweeper, grace / 4), name="upload-sweeper", daemon=True).start()


def _sweep_forever(sweeper: Sweeper, period: float) -> None:
    while True:
        time.sleep(period)
        try:
            removed = sweeper.sweep()
        except Exception:  # Streamlit's internals changed: stop, and say so once
            _LOG.warning("Unheld uploads are no longer released: the upload manager is not as expected", exc_info=True)
            return
        if removed:
            _LOG.info("Released %d uploaded file(s) no uploader held", removed)
