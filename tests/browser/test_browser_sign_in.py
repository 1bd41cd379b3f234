"""The password lock-out against the real server: ``streamlit run`` (uvicorn), Chromium, and
forged ``X-Forwarded-For`` headers.

uvicorn, as Streamlit 1.67 starts it, believes ``X-Forwarded-For`` from a loopback peer and
makes it the connection's address, and a browser on this machine is a loopback peer: each
browser context below claims another address. Five wrong passwords from one claimed address
must lock out the right password from the next claimed address too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from community_eval.core import passwords
from tools import meeting_screenshots as harness

PASSWORD = "居委会-editor 2025"
#: The script has run and the data page's title is drawn.
IDLE = """() => {
  const app = document.querySelector('.stApp');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-testid="stMain"] h1')
    && !document.querySelector('[data-stale="true"]');
}"""
LOCKED = "Too many wrong passwords"


@pytest.fixture(scope="module")
def password_server(browser_ready, sample_db, tmp_path_factory) -> Iterator[str]:
    """The dashboard with an editor password (cheap scrypt cost, so the test is quick) in a
    secrets file of its own, passed as Streamlit's ``secrets.files`` option."""
    secrets = Path(tmp_path_factory.mktemp("secrets")) / "secrets.toml"
    hashed = passwords.hash_password(PASSWORD, n=16, r=8, p=1)
    secrets.write_text(f'[community_eval]\neditor_password_hash = "{hashed}"\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(os.environ, "STREAMLIT_SECRETS_FILES", str(secrets))
        with harness.dashboard(sample_db) as base:
            yield base


def settle(page) -> None:
    """Wait until the run a click asked for has started and finished."""
    for _ in range(2):
        page.wait_for_timeout(300)
        page.wait_for_function(IDLE, timeout=60_000)


def visitor(browser, base: str, forged: str):
    """A new browser context whose every request, the websocket's included, claims ``forged``."""
    context = browser.new_context(locale="en-US", extra_http_headers={"X-Forwarded-For": forged})
    page = context.new_page()
    page.goto(f"{base}/data?lang=en", wait_until="domcontentloaded")
    settle(page)
    return context, page


def try_password(page, password: str) -> str:
    """Type a password into the sidebar and press Sign in; returns what the sidebar then says."""
    sidebar = page.locator("[data-testid='stSidebar']")
    field = sidebar.get_by_label("Editor password")
    field.fill(password)
    field.press("Enter")
    settle(page)
    sidebar.get_by_role("button", name="Sign in").click()
    settle(page)
    return sidebar.inner_text()


def test_forged_forwarded_addresses_do_not_get_past_the_lock_out(browser, password_server):
    contexts = []
    try:
        context, attacker = visitor(browser, password_server, "198.51.100.1")
        contexts.append(context)
        said = [try_password(attacker, f"guess {n}") for n in range(5)]
        assert "Wrong password" in said[0] and LOCKED in said[-1], said[-1]

        context, again = visitor(browser, password_server, "198.51.100.2")
        contexts.append(context)
        answer = try_password(again, PASSWORD)
        assert LOCKED in answer, f"another forged address signed in: {answer!r}"
        assert again.locator("[data-testid='stFileUploader']").count() == 0, "the uploader showed"
        assert "Sign out" not in answer
    finally:
        for context in contexts:
            context.close()
