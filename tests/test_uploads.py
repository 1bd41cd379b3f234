"""Uploads no uploader holds are let go (community_eval/app/uploads.py).

Streamlit's upload route takes files from any connected tab, page uploader or not, and
kept them in memory while the tab stayed open: 6 × 150 MB took the server from 214 MB to
1.2 GB for as long as the tab was open. The rules are tested with a clock of our own; the
last test is the real server and a tab that never shows an uploader.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from community_eval.app.uploads import GRACE_ENV, Holds, Sweeper, stored_files

ROOT = Path(__file__).resolve().parent.parent
GRACE = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _put(manager: MemoryUploadedFileManager, session: str, file_id: str) -> None:
    manager.add_file(session, UploadedFileRec(file_id, "x.csv", "text/csv", b"a" * 10))


@pytest.fixture
def parts():
    manager, holds, clock = MemoryUploadedFileManager("/upload"), Holds(), Clock()
    return manager, holds, clock, Sweeper(manager, holds, GRACE, clock)


def test_a_file_no_uploader_holds_goes_after_the_grace(parts):
    manager, holds, clock, sweeper = parts
    _put(manager, "viewer", "f1")
    holds.run_started("viewer")
    assert sweeper.sweep() == 0
    clock.now += GRACE - 1
    assert sweeper.sweep() == 0, "a fresh upload gets the grace before its first run"
    clock.now += 1
    assert sweeper.sweep() == 1
    assert stored_files(manager) == set()


def test_a_file_the_uploader_shows_stays_however_long_the_tab_is_idle(parts):
    manager, holds, clock, sweeper = parts
    _put(manager, "editor", "f1")
    _put(manager, "editor", "stray")
    holds.run_started("editor")
    holds.hold("editor", ["f1"], clock.now)
    for _ in range(10):
        clock.now += GRACE
        sweeper.sweep()
    assert stored_files(manager) == {("editor", "f1")}


def test_a_run_that_has_not_reached_its_uploader_yet_does_not_release_it(parts):
    manager, holds, clock, sweeper = parts
    _put(manager, "editor", "f1")
    holds.hold("editor", ["f1"], clock.now)
    clock.now += 5 * GRACE
    holds.hold("editor", ["f1"], clock.now)
    holds.run_started("editor")  # the next run started; its uploader has not run yet
    assert sweeper.sweep() == 0


def test_files_left_behind_when_the_uploader_goes_are_released(parts):
    """Streamlit keeps an uploader's files after the page leaves it, until the tab closes."""
    manager, holds, clock, sweeper = parts
    _put(manager, "editor", "f1")
    holds.run_started("editor")
    holds.hold("editor", ["f1"], clock.now)
    assert sweeper.sweep() == 0
    clock.now += 10
    holds.run_started("editor")  # now on another page: nothing held
    clock.now += GRACE - 11
    assert sweeper.sweep() == 0
    clock.now += 2
    assert sweeper.sweep() == 1


def test_what_holds_remembers_is_bounded_by_what_is_stored(parts):
    _, holds, clock, sweeper = parts
    for n in range(50):
        holds.run_started(f"s{n}")
        holds.hold(f"s{n}", [f"f{n}"], clock.now)
    sweeper.sweep()
    assert holds._current == {} and holds._last_held == {}


# ---- the real server ----------------------------------------------------------------------------


def _rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmRSS")


async def _open_tab(base: str, token: str):
    """A browser tab without the browser: a session on the websocket, its first run on the overview."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    socket_ = await websockets.connect(
        base.replace("http", "ws") + "/_stcore/stream",
        subprotocols=["streamlit", token],
        additional_headers={"Cookie": f"_streamlit_xsrf={token}"},
        max_size=None,
    )
    message = BackMsg()
    message.rerun_script.query_string = ""
    await socket_.send(message.SerializeToString())
    session = None
    while True:  # until the first run has finished, so its memory is in the figure before
        forward = ForwardMsg()
        forward.ParseFromString(await socket_.recv())
        if forward.WhichOneof("type") == "new_session":
            session = forward.new_session.initialize.session_id
        elif forward.WhichOneof("type") == "script_finished" and session is not None:
            return socket_, session


def _upload(base: str, session: str, token: str, size: int) -> int:
    boundary = uuid.uuid4().hex
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n'.encode()
    request = urllib.request.Request(
        f"{base}/_stcore/upload_file/{session}/{uuid.uuid4()}",
        data=head + b"a" * size + f"\r\n--{boundary}--\r\n".encode(),
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": token,
            "Cookie": f"_streamlit_xsrf={token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_tab_that_uploads_without_an_uploader_does_not_keep_the_memory(tmp_path):
    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "COMMUNITY_EVAL_DB": str(tmp_path / "server.duckdb"), GRACE_ENV: "2"}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, token = f"http://127.0.0.1:{port}", generate_xsrf_token_string()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)

        async def visit() -> tuple[int, int, int]:
            tab, session = await _open_tab(base, token)
            await asyncio.sleep(1)
            before = _rss_mb(server.pid)
            for _ in range(4):
                assert await asyncio.to_thread(_upload, base, session, token, 50 * 1024 * 1024) == 204
            held = after = _rss_mb(server.pid)
            deadline = time.monotonic() + 20  # the tab stays open: grace 2 s, a sweep every 0.5 s
            while after - before >= 60 and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                after = _rss_mb(server.pid)
            await tab.close()
            return before, held, after

        # On a thread of its own: the browser tests' Playwright keeps an event loop running on this one.
        with ThreadPoolExecutor(1) as worker:
            before, held, after = worker.submit(asyncio.run, visit()).result()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert held - before >= 150, (before, held, after)
    assert after - before < 60, f"the server still holds the uploads: {before} MB before, {after} MB after"
