"""Meeting mode in a real browser: every page, both languages, 1920×1080 and 1280×720.

Starts the dashboard on a free port against a throw-away database (created from
sample_data/ on first start), opens each page with ``?mode=meeting&lang=..`` in Chromium,
waits until the slide's chart has rendered and the script is idle, then checks that
neither the document nor Streamlit's main container scrolls and that the console stayed
clean, and saves a PNG per view in ``screenshots/meeting/``.

    python tools/meeting_screenshots.py [--pages overview staff] [--sizes 1280x720]
           [--langs zh] [--out screenshots/meeting] [--db copy-this.duckdb]

Exit status 0 when every view passed. Uses the system Chromium (``/usr/bin/chromium``);
Playwright never downloads a browser here.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "dashboard.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SIZES = ((1920, 1080), (1280, 720))
LANGS = ("zh", "en")
#: A slide has rendered: its plotly chart is drawn, or (a page without charts) the deck's message shows.
CHART = ".st-key-meeting_stage .js-plotly-plot .main-svg"
MESSAGE = ".st-key-meeting_stage [data-testid='stAlert']"
IDLE = "[data-test-script-state='notRunning']"
#: The deck's style sheet is in force (it hides the sidebar and the page's own body).
STYLED = "() => [...document.querySelectorAll('style')].some((el) => el.textContent.includes('.st-key-meeting_source'))"

# Whether the page or Streamlit's main container scrolls, in the browser.
SCROLL_CHECK = """() => {
  const doc = document.scrollingElement;
  const main = document.querySelector('[data-testid="stMain"]') || document.querySelector('section.main');
  const slide = document.querySelector('.st-key-meeting_stage');
  const footer = document.querySelector('.st-key-meeting_footer');
  const rect = (el) => el ? el.getBoundingClientRect().toJSON() : null;
  return {
    innerHeight: window.innerHeight,
    docScroll: doc.scrollHeight,
    mainScroll: main ? main.scrollHeight : 0,
    mainClient: main ? main.clientHeight : 0,
    slide: rect(slide),
    footer: rect(footer),
    chart: rect(document.querySelector('.st-key-meeting_stage .js-plotly-plot')),
    beyond: [...document.querySelectorAll('[data-testid="stMain"] *')]
      .filter((el) => !el.closest('svg') && el.getBoundingClientRect().bottom > window.innerHeight + 1)
      .slice(0, 6)
      .map((el) => `${el.tagName} ${el.getAttribute('data-testid') || ''} ${String(el.className).slice(0, 50)} `
        + `${Math.round(el.getBoundingClientRect().bottom)}`),
  };
}"""


def entry_pages() -> list[tuple[str, str, str, str]]:
    """``PAGES`` of dashboard.py, read without running the entry file."""
    tree = ast.parse(ENTRY.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise LookupError("dashboard.py has no PAGES")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def dashboard(
    db: str | None = None, timeout: float = 90.0, script: Path = ENTRY, script_args: tuple[str, ...] = ()
) -> Iterator[str]:
    """Run ``streamlit run dashboard.py`` (or another ``script``, given ``script_args``) on a
    free port against a temporary database.

    Yields the base URL once ``/_stcore/health`` answers; stops the server on exit.
    """
    folder = Path(tempfile.mkdtemp(prefix="meeting_"))
    target = folder / "community_eval.duckdb"
    if db:
        shutil.copyfile(db, target)
    port = free_port()
    env = {**os.environ, "COMMUNITY_EVAL_DB": str(target)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *(("--", *script_args) if script_args else ()),
    ]
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the dashboard exited: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"no health answer from {base} in {timeout:.0f} s")
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """The system Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class View:
    """One page at one size in one language, and what the browser saw."""

    path: str
    lang: str
    width: int
    height: int
    slide: int = 1
    slides: int = 0
    extra: str = ""  # more URL parameters, e.g. "auto=30&street=..."
    seconds: float = 0.0
    scroll: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    screenshot: Path | None = None

    @property
    def url_path(self) -> str:
        """The default page lives at the app's root."""
        return "" if self.path == entry_pages()[0][3] else self.path

    @property
    def scrolled(self) -> bool:
        s = self.scroll
        limit = s.get("innerHeight", 0) + 1
        return s.get("docScroll", 0) > limit or s.get("mainScroll", 0) > max(s.get("mainClient", 0), 0) + 1

    @property
    def ok(self) -> bool:
        return bool(self.scroll) and not self.scrolled and not self.errors


#: Console errors that are Streamlit's, not the app's: on a page's own URL the frontend asks
#: for its server under the page's path first (404 on ``/task_burden/_stcore/health`` and
#: ``/host-config``), then finds it at the root (streamlit/streamlit#7074).
BENIGN = (re.compile(r"/[^/]+/_stcore/(health|host-config)$"),)
#: Pages with no slide until a community is chosen (``--community``; XT002 is the sample
#: district's, with ``--db`` name one of that database's).
NEEDS_COMMUNITY = ("profile",)


def _console(view: View, message) -> None:
    if message.type != "error":
        return
    url = (message.location or {}).get("url", "")
    if url and any(pattern.search(url) for pattern in BENIGN):
        view.ignored.append(url)
    else:
        view.errors.append(f"console: {message.text} {url}".strip())


def check_view(browser, base: str, view: View, out: Path | None = None, timeout_ms: int = 60_000) -> View:
    """Open one meeting view, wait for its slide and idleness, measure scrolling, screenshot it.

    A view that never renders is recorded as failed (with a screenshot of what it showed).
    """
    context = browser.new_context(viewport={"width": view.width, "height": view.height}, locale=f"{view.lang}-CN")
    page = context.new_page()
    page.on("console", lambda m: _console(view, m))
    page.on("pageerror", lambda e: view.errors.append(f"page error: {e}"))
    try:
        started = time.monotonic()
        view.slides = open_slide(page, base, view, timeout_ms)
        view.seconds = time.monotonic() - started
        view.scroll = _settled(page)
    except Exception as error:  # a view that never rendered is a failure of this view, not of the run
        view.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        exceptions = page.locator("[data-testid='stException']")
        if exceptions.count():
            view.errors.append(f"exception: {exceptions.first.inner_text()[:300]}")
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            slide = f"_{view.slide}" if view.slide > 1 else ""
            view.screenshot = out / f"{view.path}{slide}_{view.lang}_{view.width}x{view.height}.png"
            page.screenshot(path=str(view.screenshot))
        context.close()
    return view


def open_slide(page, base: str, view: View, timeout_ms: int = 60_000) -> int:
    """Open ``view`` in meeting mode in ``page`` and wait until its slide has drawn and the
    script is idle; the deck's number of slides (0 when the page has none, only a message)."""
    query = f"mode=meeting&lang={view.lang}" + (f"&slide={view.slide}" if view.slide > 1 else "")
    query += f"&{view.extra}" if view.extra else ""
    page.goto(f"{base}/{view.url_path}?{query}", wait_until="domcontentloaded")
    page.wait_for_selector(".st-key-meeting_stage", state="attached", timeout=timeout_ms)
    page.wait_for_selector(IDLE, state="attached", timeout=timeout_ms)
    page.wait_for_function(STYLED, timeout=timeout_ms)
    # A deck with slides fills in its counter; its chart draws once plotly's code has loaded.
    counter = page.locator(".st-key-meeting_counter")
    count = counter.inner_text().strip() if counter.count() else ""
    page.wait_for_selector(CHART if count else MESSAGE, state="visible", timeout=timeout_ms)
    return int(count.split("/")[-1]) if count else 0


def _settled(page, tries: int = 12) -> dict:
    """The scroll measures once the layout has stopped moving (plotly resizes after drawing)."""
    last = page.evaluate(SCROLL_CHECK)
    for _ in range(tries):
        page.wait_for_timeout(300)
        now = page.evaluate(SCROLL_CHECK)
        if now == last:
            break
        last = now
    return last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", help="URL paths (default: every page of dashboard.PAGES)")
    parser.add_argument("--sizes", nargs="*", default=[f"{w}x{h}" for w, h in SIZES])
    parser.add_argument("--langs", nargs="*", default=list(LANGS))
    parser.add_argument("--out", default=str(ROOT / "screenshots" / "meeting"))
    parser.add_argument("--db", help="a database file to copy and show (default: the sample district)")
    parser.add_argument("--every-slide", action="store_true", help="every slide of each page, not only the first")
    parser.add_argument("--community", default="XT002", help="the community the profile shows (default XT002)")
    args = parser.parse_args(argv)
    paths = args.pages or [path for *_, path in entry_pages()]
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes]
    views: list[View] = []
    with dashboard(args.db) as base, chromium() as browser:
        for width, height in sizes:
            for lang in args.langs:
                for path in paths:
                    extra = f"community={args.community}" if path in NEEDS_COMMUNITY else ""
                    first = check_view(browser, base, View(path, lang, width, height, extra=extra), Path(args.out))
                    more = range(2, first.slides + 1) if args.every_slide else ()
                    for view in [first, *(View(path, lang, width, height, slide, extra=extra) for slide in more)]:
                        if view is not first:
                            check_view(browser, base, view, Path(args.out))
                        views.append(view)
                        report(view)
    failed = [v for v in views if not v.ok]
    print(f"{len(views) - len(failed)} of {len(views)} views passed; screenshots in {args.out}")
    return 1 if failed else 0


def report(view: View) -> None:
    """One line per view: page, slide, language, size, time to render, verdict and scroll sizes."""
    verdict = "ok" if view.ok else ("SCROLLS" if view.scrolled else "ERRORS")
    scroll = view.scroll
    lines = [
        f"{view.path:13} {view.slide}/{view.slides} {view.lang} {view.width}x{view.height} {view.seconds:5.2f} s "
        f"{verdict:7} doc {scroll.get('docScroll')}/{scroll.get('innerHeight')} "
        f"main {scroll.get('mainScroll')}/{scroll.get('mainClient')}",
        *(f"    {error}" for error in view.errors),
        *(f"    beyond: {line}" for line in (scroll.get("beyond", []) if view.scrolled else [])),
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
