"""The real dashboard in a real browser: one ``streamlit run`` server per session (the
Chromium and the skip-or-fail rule are in ``tests/conftest.py``, shared with the report's test)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from tools import meeting_screenshots as harness

#: The script has run, its output is in place (no skeletons, no stale elements) and every
#: plotly chart has drawn.
SETTLED = """() => {
  const app = document.querySelector('.stApp');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-testid="stMain"] h1')
    && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
         .every((el) => el.querySelector('.js-plotly-plot .main-svg'));
}"""


@pytest.fixture(scope="session")
def server(browser_ready) -> Iterator[str]:
    """The dashboard on a free loopback port, on a fresh copy of the sample district."""
    with harness.dashboard() as base:
        yield base


@dataclass
class Tab:
    """One browser page with what its console said."""

    page: object
    errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def until(self, check: Callable[[], object], what: str, seconds: float = 60) -> object:
        """``check()``'s first truthy answer, asked every 250 ms: a shared machine may draw slowly."""
        deadline = time.monotonic() + seconds
        while True:
            answer = check()
            if answer:
                return answer
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not seen in {seconds:.0f} s")
            self.page.wait_for_timeout(250)

    def open(self, url: str) -> Tab:
        self.page.goto(url, wait_until="domcontentloaded")
        self.settle()
        return self

    def settle(self, timeout_ms: int = 60_000) -> None:
        """Wait until the script has run and every plotly chart of the page has drawn."""
        # Idle, nothing still a placeholder, every chart drawn: twice in a row, 300 ms apart,
        # because a run a click (or the first connection) asks for starts a moment later.
        for _ in range(2):
            self.page.wait_for_timeout(300)
            self.page.wait_for_function(SETTLED, timeout=timeout_ms)

    def exceptions(self) -> list[str]:
        return [e.inner_text()[:300] for e in self.page.locator("[data-testid='stException']").all()]

    def query(self) -> dict[str, str]:
        from urllib.parse import parse_qsl, urlparse

        return dict(parse_qsl(urlparse(self.page.url).query))


@pytest.fixture(scope="module")
def own_server(browser_ready) -> Iterator[str]:
    """A server of the test module's own, for tests that load data: the other modules' server keeps the sample."""
    with harness.dashboard() as base:
        yield base


@pytest.fixture
def tab(browser) -> Iterator[callable]:
    """A new browser context (a visitor) per call: ``tab(width, height, lang)``."""
    contexts = []

    def make(width: int = 1366, height: int = 900, lang: str = "zh") -> Tab:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=f"{lang}-CN")
        contexts.append(context)
        page = context.new_page()
        made = Tab(page)
        view = harness.View("", lang, width, height)
        page.on("console", lambda m: harness._console(view, m))
        page.on("pageerror", lambda e: view.errors.append(f"page error: {e}"))
        made.errors, made.ignored = view.errors, view.ignored
        return made

    yield make
    for context in contexts:
        context.close()
