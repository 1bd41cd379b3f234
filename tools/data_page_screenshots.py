"""The data page's report on office-shaped files, in a real browser, for a person to look at.

Starts the dashboard (the harness of ``tools/meeting_screenshots.py``: a throw-away copy of
the sample district), opens the data page in Chromium in each language and size, uploads
each file through the real uploader (with 整表替换 chosen first where the file is meant to
replace), opens the file's report, and saves the whole page as a PNG in
``screenshots/data_page/`` (git-ignored). Nothing is loaded: the page shows the dry run.

The files come from :mod:`tools.office_files`: ``a`` (statistics table with a title,
merged streets, totals and notes), ``d`` (a roster with an instructions sheet and one sheet
per street), ``h`` (a city table without 区县; ``h-set`` is the same with 仙桃市 typed into
the field the page offers for it).

    python tools/data_page_screenshots.py [--shapes a d h h-set] [--langs zh en]
           [--sizes 1440x900 390x844 1920x1080] [--out screenshots/data_page]

Exit status 0 when every view rendered without an exception box or a console error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import meeting_screenshots as harness
from tools import office_files

#: A laptop, a phone, the meeting room's projector.
SIZES = ((1440, 900), (390, 844), (1920, 1080))
SHAPES = ("a", "d", "h", "h-set")
MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
}
#: The script has run and nothing on the page is stale or a placeholder.
SETTLED = """() => {
  const app = document.querySelector('.stApp');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-testid="stMain"] h1')
    && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]');
}"""
#: How tall the page's content is (Streamlit scrolls its main container, not the document).
CONTENT_HEIGHT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return Math.max(document.scrollingElement.scrollHeight, main ? main.scrollHeight : 0);
}"""


def settle(page, timeout_ms: int = 120_000) -> None:
    """Idle and nothing stale, twice 300 ms apart (a run asked for by a click starts a moment later)."""
    for _ in range(2):
        page.wait_for_timeout(300)
        page.wait_for_function(SETTLED, timeout=timeout_ms)


def wait_for(page, check, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not seen in {seconds:.0f} s")
        page.wait_for_timeout(250)


def grids_drawn(page) -> bool:
    """Every table on the page has its cells (the grid draws them a moment after the script ends)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stExpanderDetails"] [data-testid="stDataFrame"]')]
             .every((grid) => grid.querySelector('[role="gridcell"]'))"""
    )


def shoot(browser, base: str, shape: str, lang: str, width: int, height: int, out: Path) -> harness.View:
    """One view: upload the shape's file on the data page, open its report, save the whole page."""
    key = shape.removesuffix("-set")
    (office,) = [f for f in office_files.office_files() if f.key == key]
    view = harness.View("data", lang, width, height)
    context = browser.new_context(viewport={"width": width, "height": height}, locale=f"{lang}-CN")
    page = context.new_page()
    page.on("console", lambda m: harness._console(view, m))
    page.on("pageerror", lambda e: view.errors.append(f"page error: {e}"))
    started = time.monotonic()
    try:
        page.goto(f"{base}/data?lang={lang}", wait_until="domcontentloaded")
        settle(page)
        if office.options.get("mode") == "replace":
            page.locator(".st-key-data_mode [role='radiogroup'] label").nth(1).click()
            settle(page)
        suffix = office.name[office.name.rfind(".") :]
        page.locator(".st-key-data_files input[type='file']").set_input_files(
            files=[{"name": office.name, "mimeType": MIME[suffix], "buffer": office.data}]
        )
        wait_for(page, lambda: page.locator("[data-testid='stExpander']").count(), "the file's report")
        settle(page)
        if shape.endswith("-set"):
            field = page.locator(".st-key-data_set_district input")
            field.fill(office_files.DISTRICT)
            field.press("Enter")
            wait_for(page, lambda: not page.locator("[data-testid='stAlertContentError']").count(), "no problem")
            settle(page)
        for summary in page.locator("[data-testid='stExpander'] details:not([open]) > summary").all():
            summary.click()
        settle(page)
        wait_for(page, lambda: grids_drawn(page), "the tables")
        view.seconds = time.monotonic() - started
        # The whole page in one picture: as tall as its content, as wide as the device.
        page.set_viewport_size({"width": width, "height": max(height, page.evaluate(CONTENT_HEIGHT))})
        settle(page)
        wait_for(page, lambda: grids_drawn(page), "the tables, redrawn")
    except Exception as error:  # a view that never rendered is recorded, with what it showed
        view.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        exceptions = page.locator("[data-testid='stException']")
        if exceptions.count():
            view.errors.append(f"exception: {exceptions.first.inner_text()[:300]}")
        out.mkdir(parents=True, exist_ok=True)
        view.screenshot = out / f"{shape}_{lang}_{width}x{height}.png"
        page.screenshot(path=str(view.screenshot), full_page=True)
        context.close()
    return view


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="*", default=list(SHAPES), choices=SHAPES)
    parser.add_argument("--sizes", nargs="*", default=[f"{w}x{h}" for w, h in SIZES])
    parser.add_argument("--langs", nargs="*", default=list(harness.LANGS))
    parser.add_argument("--out", default=str(harness.ROOT / "screenshots" / "data_page"))
    args = parser.parse_args(argv)
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes]
    views = []
    with harness.dashboard() as base, harness.chromium() as browser:
        for width, height in sizes:
            for lang in args.langs:
                for shape in args.shapes:
                    view = shoot(browser, base, shape, lang, width, height, Path(args.out))
                    views.append(view)
                    verdict = "ok" if not view.errors else "ERRORS"
                    print(f"{view.screenshot.name:28} {view.seconds:6.2f} s {verdict}", flush=True)
                    for error in view.errors:
                        print(f"    {error}", flush=True)
    failed = [v for v in views if v.errors]
    print(f"{len(views) - len(failed)} of {len(views)} views rendered cleanly; screenshots in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
