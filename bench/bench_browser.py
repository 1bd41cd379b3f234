"""The speed a person feels: every page in Chromium against the real server, from navigation
to the last chart drawn and the run finished.

    python bench/bench_browser.py [--scales district,city,province] [--repeat K] [--pages overview staff]
                                  [--first-visits K] [--data DIR] [--note TEXT] [--no-write] [--report-only]

The server timings of "## Scale" (AppTest) leave out what a visitor waits for besides the
script: the websocket, the frontend building the page, plotly drawing every chart. Here
Playwright drives Debian's Chromium (``/usr/bin/chromium``) against ``streamlit run``
(``tools.meeting_screenshots.dashboard``) and times, for each page of ``dashboard.PAGES`` at
each scale, in Chinese at 1366×900:

* **cold**: a new visitor on a server just started, whose data cache is empty. Each
  measurement has a server of its own; a first visit to the data page (which computes
  almost nothing) has imported the app's modules and opened the store beforehand, so cold
  is the page's own work, not the process's start (that is "start" below);
* **warm**: the same visitor opens the same view in a second tab (a new Streamlit session,
  the frontend's files in the browser's cache): the data cache is full;
* **switched to**: the same visitor, in a third tab, opens the overview (the task burden when
  measuring the overview), then clicks the page's link in the sidebar: Streamlit switches
  pages within the tab, the frontend and plotly already loaded; the page's data is cached;
* **filter change**: in the warm visitor's tab, the year picked in the sidebar (the
  latest year to the one before, a view not yet computed), from the click to the page
  drawn again;
* **start**: the process's first visit (imports, opening the database, the data page);
* **first visit**: a server on a fresh data folder, whose first visit builds the sample
  database from ``sample_data/`` (``--first-visits`` runs), and when the page first showed
  anything (the progress of the build, since issue 20).

Each time has two parts: *run* ends when the browser sees the script finished (every
element received) and *drawn* when, besides, nothing is a skeleton or stale and every
plotly chart has its ``.main-svg`` (the browser tests' SETTLED check), held 0.6 s so a
second run cannot hide behind the first. The bytes the websocket brought and the plotly
points drawn say what was sent. Each figure is the median of ``--repeat`` runs.

Data: the scales of ``bench/bench_scale.py`` (its generator's CSV files, cached in
``--data``/<scale>), loaded by the real loader into a database of this script's own
(``/tmp/community_eval_browser/<scale>``), which every server copies; nothing is shared
with a running ``bench_scale.py``. The results go to the "Browser" section of BENCHMARKS.md
(other sections are left alone) unless ``--no-write``; the raw results stay in
``/tmp/community_eval_browser/<scale>/results.json``. Run it alone on the machine
(``flock /tmp/bench.lock python bench/bench_browser.py``): Chromium and the server share its
cores. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench_scale  # noqa: E402
from scale_common import machine  # noqa: E402
from scale_report import write_section  # noqa: E402

from community_eval.core.i18n import translate  # noqa: E402
from community_eval.core.schema import TABLES  # noqa: E402
from community_eval.db.store import Store  # noqa: E402
from tools import meeting_screenshots as harness  # noqa: E402

BENCHMARKS = ROOT / "BENCHMARKS.md"
#: Each page's locale key of its title (its link in the sidebar), by URL path.
NAV = {entry[3]: entry[1] for entry in harness.entry_pages()}
SECTION = "## Browser"
OWN = Path(tempfile.gettempdir()) / "community_eval_browser"
VIEWPORT = {"width": 1366, "height": 900}
LANG = "zh"
#: How long the page must stay settled before its time counts (a second run could start meanwhile).
QUIET_MS = 600
TIMEOUT_MS = 180_000
#: Issue 20's targets on this 2-core machine.
TARGET_DRAWN_S = {"district": 1.5, "province": 3.0}  # the issue sets none for a city
TARGET_FILTER_S = 1.0

#: Polled in the page: when the script last finished (run), when the page last became settled
#: (drawn), when the main column first showed any text (content). Resolves with those times
#: (ms since the document's navigation began) once settled for ``quiet`` ms; with
#: ``needRun``, only after a run was seen (a filter change's rerun may start a moment late).
WATCH = """([quiet, needRun]) => {
  const w = window.__bench || (window.__bench = {});
  const now = performance.now();
  const app = document.querySelector('.stApp');
  const main = document.querySelector('[data-testid="stMain"]');
  if (w.boot == null && app) w.boot = now;
  if (w.content == null && main && main.innerText.trim()) w.content = now;
  const idle = !!app && app.getAttribute('data-test-script-state') === 'notRunning';
  const stale = !!document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]');
  if (!idle || stale) w.sawRun = true;
  const finished = idle && !!(main && main.querySelector('h1'));
  if (!finished) w.run = null; else if (w.run == null) w.run = now;
  const drawn = finished && !stale && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every((el) => el.querySelector('.js-plotly-plot .main-svg'));
  if (!drawn) w.drawn = null; else if (w.drawn == null) w.drawn = now;
  if (!drawn || now - w.drawn < quiet || (needRun && !w.sawRun)) return null;
  return {run: w.run, drawn: w.drawn, content: w.content, boot: w.boot};
}"""

#: What the page drew: plotly charts and their points (a heatmap's cells), tables.
DRAWN = """() => {
  const charts = [...document.querySelectorAll('.js-plotly-plot')];
  const size = (v) => (Array.isArray(v) ? v.reduce((n, row) => n + (Array.isArray(row) ? row.length : 1), 0) : 0);
  const points = charts.reduce((n, gd) => n + (gd.data || []).reduce(
    (m, t) => m + Math.max(size(t.x), size(t.y), size(t.z), size(t.values)), 0), 0);
  return {charts: charts.length, points,
          tables: document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stTable"]').length};
}"""


@dataclass
class Timing:
    """One measurement, in seconds from navigation (or the click)."""

    run_s: float
    drawn_s: float
    content_s: float | None
    boot_s: float | None
    ws_kib: float
    charts: int = 0
    points: int = 0
    tables: int = 0


class Tab:
    """One browser page, counting what its websocket brings: a new visitor (a browser context of
    its own: empty HTTP cache, new session), or with ``same`` another tab of that visitor (the
    frontend's files cached, a new Streamlit session)."""

    def __init__(self, browser: object, same: Tab | None = None) -> None:
        self.owner = same is None
        self.context = browser.new_context(viewport=VIEWPORT, locale=f"{LANG}-CN") if same is None else same.context
        self.page = self.context.new_page()
        self.received = 0
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._count))

    def _count(self, payload: bytes | str) -> None:
        self.received += len(payload)

    def _wait(self, need_run: bool, since_ms: float = 0.0) -> Timing:
        got = self.page.wait_for_function(WATCH, arg=[QUIET_MS, need_run], timeout=TIMEOUT_MS, polling=20)
        times = got.json_value()
        drawn = self.page.evaluate(DRAWN)
        content = times["content"]
        return Timing(
            run_s=(times["run"] - since_ms) / 1000,
            drawn_s=(times["drawn"] - since_ms) / 1000,
            content_s=None if content is None else max(content - since_ms, 0) / 1000,
            boot_s=None if times["boot"] is None else max(times["boot"] - since_ms, 0) / 1000,
            ws_kib=self.received / 1024,
            **drawn,
        )

    def open(self, url: str) -> Timing:
        """Navigate and wait until drawn; times count from the navigation's start."""
        self.received = 0
        self.page.bring_to_front()  # the tab a person looks at: a background tab's frames are throttled
        self.page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        return self._wait(need_run=False)

    def switch_to(self, path: str) -> Timing:
        """Click the page's link in the sidebar: Streamlit switches pages without reloading the
        tab, so the frontend and plotly are loaded already, as when a person moves between pages."""
        label = translate(LANG, NAV[path])
        link = self.page.locator('[data-testid="stSidebarNav"] a').filter(has_text=label)
        self.received = 0
        start = self.page.evaluate("() => { window.__bench = {}; return performance.now(); }")
        link.click()
        return self._wait(need_run=True, since_ms=start)

    def change_year(self) -> Timing | None:
        """Pick the year before the one shown in the sidebar; None when the data has one year."""
        box = self.page.locator(".st-key-f_year")
        shown = box.get_by_role("combobox").input_value().strip()
        # In the middle of the sidebar, then the arrow: at the sidebar's foot the list opened
        # and shut again as the click scrolled it; a click in the text field does not open it.
        box.evaluate("(el) => el.scrollIntoView({block: 'center'})")
        self.page.wait_for_timeout(300)
        box.locator("button").click()
        self.page.get_by_role("option").first.wait_for(state="attached", timeout=10_000)
        options = [text.strip() for text in self.page.get_by_role("option").all_inner_texts()]
        earlier = [option for option in options if option < shown]
        if not earlier:
            self.page.keyboard.press("Escape")
            return None
        option = self.page.get_by_role("option", name=earlier[-1], exact=True)
        self.received = 0
        start = self.page.evaluate("() => { window.__bench = {}; return performance.now(); }")
        option.click()
        return self._wait(need_run=True, since_ms=start)

    def close(self) -> None:
        if self.owner:
            self.context.close()
        else:
            self.page.close()


# ---- the data ------------------------------------------------------------------------------------


def prepare(scale: bench_scale.Scale, data: Path) -> tuple[Path, str]:
    """The scale's database (built once by the real loader from bench_scale's cached files) and
    one community of it, for the profile page."""
    bench_scale.generate_phase(data, scale)
    files = bench_scale.csv_files(data, scale)
    manifest = json.loads((bench_scale.scale_dir(data, scale) / "manifest.json").read_text(encoding="utf-8"))
    database = OWN / scale.name / "community_eval.duckdb"
    built = database.with_suffix(".built.json")
    if not (database.exists() and built.exists() and json.loads(built.read_text()) == manifest):
        print(f"[{scale.name}] loading {sum(manifest['rows'].values()):,} rows into {database} …", flush=True)
        database.parent.mkdir(parents=True, exist_ok=True)
        database.unlink(missing_ok=True)
        store = Store(str(database))
        try:
            bench_scale.ingest(store, [files[name] for name in TABLES], manifest["rows"])
        finally:
            store.close()
        built.write_text(json.dumps(manifest), encoding="utf-8")
    with files["communities"].open(encoding="utf-8") as handle:
        community = next(csv.DictReader(handle))["community_id"]
    return database, community


def page_url(base: str, path: str, community: str) -> str:
    """A page's address in Chinese; the first page lives at the root, the profile shows one community."""
    first = harness.entry_pages()[0][3]
    extra = f"&community={community}" if path == "profile" else ""
    return f"{base}/{'' if path == first else path}?lang={LANG}{extra}"


# ---- measuring -------------------------------------------------------------------------------------


@contextmanager
def visitor(browser: object, same: Tab | None = None) -> Iterator[Tab]:
    tab = Tab(browser, same)
    try:
        yield tab
    finally:
        tab.close()


def measure_page(browser: object, database: Path, path: str, community: str) -> dict[str, Timing | None]:
    """One round for one page on a server of its own: start, cold, warm, a filter change, and a
    switch to the page from another one (drawn already) in the same tab, warm."""
    with harness.dashboard(db=str(database), timeout=300) as base:
        with visitor(browser) as first:
            start = first.open(page_url(base, "data", community))
        with visitor(browser) as cold_tab:
            cold = cold_tab.open(page_url(base, path, community))
            with visitor(browser, same=cold_tab) as warm_tab:
                warm = warm_tab.open(page_url(base, path, community))
                change = warm_tab.change_year()
            with visitor(browser, same=cold_tab) as moving:
                # From the overview (from the task burden to the overview), as a person moves on.
                source = "task_burden" if path == "overview" else "overview"
                chosen = f"&community={community}" if path == "profile" else ""
                moving.open(page_url(base, source, community) + chosen)
                switch = moving.switch_to(path)
    return {"start": start, "cold": cold, "warm": warm, "change": change, "switch": switch}


def measure_scale(browser: object, scale: bench_scale.Scale, args: argparse.Namespace) -> dict[str, object]:
    """Every page ``--repeat`` times, the pages interleaved within each round."""
    database, community = prepare(scale, args.data)
    pages = [entry[3] for entry in harness.entry_pages() if not args.pages or entry[3] in args.pages]
    rounds: dict[str, list[dict[str, dict | None]]] = {path: [] for path in pages}
    for round_ in range(1, args.repeat + 1):
        for path in pages:
            measured = measure_page(browser, database, path, community)
            rounds[path].append({kind: asdict(t) if t else None for kind, t in measured.items()})
            cold, warm, change = measured["cold"], measured["warm"], measured["change"]
            print(
                f"[{scale.name} {round_}/{args.repeat}] {path}: cold {cold.drawn_s:.2f}s (run {cold.run_s:.2f}s) "
                f"warm {warm.drawn_s:.2f}s, year {change.drawn_s if change else float('nan'):.2f}s, "
                f"{cold.points:,} points, {cold.ws_kib:,.0f} KiB",
                flush=True,
            )
    return {
        "scale": scale.name,
        "communities": scale.communities,
        "database_bytes": database.stat().st_size,
        "pages": rounds,
    }


FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"


def floor(browser: object, repeat: int) -> dict[str, list[dict]]:
    """The stack alone (bench/floor_app.py): a title and 0, 4 or 7 small charts, a new visitor and a
    second tab, so the dashboard's own share of each time can be told from Streamlit's and plotly's."""
    results: dict[str, list[dict]] = {}
    for charts in (0, 4, 7):
        for _ in range(repeat):
            with (
                harness.dashboard(script=FLOOR_APP, script_args=(str(charts),)) as base,
                visitor(browser) as cold_tab,
            ):
                cold = cold_tab.open(f"{base}/")
                with visitor(browser, same=cold_tab) as warm_tab:
                    warm = warm_tab.open(f"{base}/")
            results.setdefault(str(charts), []).append({"cold": asdict(cold), "warm": asdict(warm)})
            print(
                f"[floor {charts} charts] new visitor {cold.drawn_s:.2f}s, second tab {warm.drawn_s:.2f}s", flush=True
            )
    return results


def first_visits(browser: object, runs: int) -> list[dict]:
    """The first visit on a fresh data folder: the server builds the sample database from sample_data/."""
    results = []
    for run in range(1, runs + 1):
        with harness.dashboard(timeout=300) as base, visitor(browser) as tab:
            timing = tab.open(page_url(base, harness.entry_pages()[0][3], ""))
        results.append(asdict(timing))
        shown = "—" if timing.content_s is None else f"{timing.content_s:.2f}s"
        print(f"[first visit {run}/{runs}] first text {shown}, drawn {timing.drawn_s:.2f}s", flush=True)
    return results


# ---- the report ---------------------------------------------------------------------------------------


def med(rounds: list[dict | None], kind: str, field: str = "drawn_s") -> float | None:
    values = [r[kind][field] for r in rounds if r and r.get(kind) and r[kind].get(field) is not None]
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def page_table(result: dict) -> list[str]:
    """One row per page: cold, warm and filter change (drawn, and of it the run), what was sent."""
    lines = [
        "| Page | Cold: drawn (run) s | Warm: drawn (run) s | Switched to, same tab: drawn (run) s "
        "| Year changed: drawn (run) s | Charts | Plotly points | Tables | Sent, cold (KiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path, rounds in result["pages"].items():
        cells = [
            f"{fmt(med(rounds, k))} ({fmt(med(rounds, k, 'run_s'))})" for k in ("cold", "warm", "switch", "change")
        ]
        counts = [fmt(med(rounds, "cold", f), 0) for f in ("charts", "points", "tables", "ws_kib")]
        lines.append(f"| {path} | {' | '.join(cells)} | {' | '.join(counts)} |")
    return lines


def verdicts(result: dict) -> list[str]:
    """Each target beside the figures: met or not, and by which pages."""
    scale, pages = result["scale"], result["pages"]
    target = TARGET_DRAWN_S.get(scale)
    worst = {
        kind: max(((med(r, kind) or 0.0, p) for p, r in pages.items()), default=(0.0, ""))
        for kind in ("cold", "warm", "switch", "change")
    }
    lines = []
    if target is not None:
        for kind in ("cold", "warm", "switch"):
            if not any(med(r, kind) is not None for r in pages.values()):
                continue
            over = [p for p, r in pages.items() if (med(r, kind) or 0.0) > target]
            verdict = "met" if not over else f"**not met** ({', '.join(over)})"
            lines.append(
                f"- Every page drawn ≤ {target:g} s, {kind}: {verdict}; slowest "
                f"{worst[kind][1]} {worst[kind][0]:.2f} s."
            )
    over = [p for p, r in pages.items() if (med(r, "change") or 0.0) > TARGET_FILTER_S]
    verdict = "met" if not over else f"**not met** ({', '.join(over)})"
    lines.append(
        f"- A filter change drawn ≤ {TARGET_FILTER_S:g} s: {verdict}; slowest "
        f"{worst['change'][1]} {worst['change'][0]:.2f} s."
    )
    return lines


def remeasured(result: dict) -> list[str]:
    """Pages measured again after a change, by another command (their rows above are the new ones)."""
    again = result.get("remeasured")
    if not again:
        return []
    return [
        f"Re-measured after a change: {', '.join(again['pages'])}, with `{again['command']}` (load average "
        f"before {again['load_before']}, after {again['load_after']}).",
        "",
    ]


def scale_section(result: dict) -> list[str]:
    starts = [r["start"]["drawn_s"] for rounds in result["pages"].values() for r in rounds if r.get("start")]
    lines = [
        f"### {result['scale'].capitalize()}: {result['communities']:,} communities",
        "",
        f"Measured {result['measured_on']} with `{result['command']}`; load average before "
        f"{result['load_before']}, after {result['load_after']}; median of {result['repeat']} runs.",
        "",
        *page_table(result),
        "",
        *remeasured(result),
        f"The process's first visit (imports, opening the database, the data page): "
        f"{fmt(statistics.median(starts) if starts else None)} s.",
        "",
        *verdicts(result),
        "",
    ]
    return lines


def first_visit_section(results: list[dict], when: str, load: tuple[str, str], command: str) -> list[str]:
    if not results:
        return []
    content = [r["content_s"] for r in results if r["content_s"] is not None]
    return [
        "### First visit on a fresh data folder",
        "",
        f"Measured {when} with `{command}`; load average before {load[0]}, after {load[1]}; "
        f"median of {len(results)} runs. "
        "The server has just started on an empty folder; the visit to the overview builds "
        "`data/community_eval.duckdb` from `sample_data/`, then draws the page.",
        "",
        f"- First words on the page: {fmt(statistics.median(content) if content else None)} s "
        f"(runs: {', '.join(fmt(c) for c in content) or 'none'}).",
        f"- Overview drawn: {fmt(statistics.median(r['drawn_s'] for r in results))} s "
        f"(run finished {fmt(statistics.median(r['run_s'] for r in results))} s).",
        "",
    ]


def floor_section(saved: dict) -> list[str]:
    """The stack alone: what any Streamlit page with plotly charts costs here."""
    if not saved.get("floor"):
        return []
    lines = [
        "### The stack alone",
        "",
        "`bench/floor_app.py` under `streamlit run`: a title and N three-bar plotly charts, no data, none "
        f"of the dashboard's code (`--floor`; load average after {saved.get('floor_load', '?')}).",
        "",
        "| Charts | New visitor: drawn (run) s | Second tab: drawn (run) s |",
        "|---:|---:|---:|",
    ]
    for charts, rounds in saved["floor"].items():
        cells = [f"{fmt(med(rounds, k))} ({fmt(med(rounds, k, 'run_s'))})" for k in ("cold", "warm")]
        lines.append(f"| {charts} | {' | '.join(cells)} |")
    return [*lines, ""]


def section(saved: dict) -> str:
    lines = [
        SECTION,
        "",
        "Written by `bench/bench_browser.py` (each scale's command below; `--report-only` rewrites this "
        "section from the saved results).",
        "",
        f"- Machine: {saved['machine']}. {saved.get('note', '')}".rstrip(),
        f"- Chromium {saved['chromium']} (headless, Debian's), viewport {VIEWPORT['width']}×{VIEWPORT['height']}, "
        "Chinese. Chromium and the server share the machine's cores.",
        "- *drawn*: from navigation (or the click) until the run has finished, nothing is a skeleton or "
        "stale, and every plotly chart has drawn; *run*: until the browser saw the script finish. "
        "Cold: a new visitor (empty browser cache) on a server of its own, data cache empty (the process "
        "already started); warm: the same visitor's second tab on the same view; switched to: "
        "that visitor's click on the page's link in the sidebar of a tab showing the overview (the task burden "
        "for the overview), data cached; year changed: the warm "
        "tab's year set one year back, not yet computed.",
        "- Targets (issue 20): district every page drawn ≤ 1.5 s, province ≤ 3 s, a filter change ≤ 1 s.",
        "",
        *first_visit_section(
            saved.get("first_visit", []),
            saved.get("first_visit_on", ""),
            tuple(saved.get("first_visit_load", ("", ""))),
            saved.get("first_visit_command", ""),
        ),
    ]
    for name in ("district", "city", "province", "region"):
        if name in saved["scales"]:
            lines += scale_section(saved["scales"][name])
    lines += floor_section(saved)
    return "\n".join(lines).rstrip("\n") + "\n"


# ---- the command -----------------------------------------------------------------------------------------


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def chromium_version(browser: object) -> str:
    return getattr(browser, "version", "?")


def run(args: argparse.Namespace, saved: dict, command: str) -> None:
    """Measure what was asked and merge it into the saved results (other scales keep theirs)."""
    with harness.chromium() as browser:
        saved.update(command=command, machine=machine(), chromium=chromium_version(browser), note=args.note)
        if args.floor:
            saved["floor"] = floor(browser, args.repeat)
            saved["floor_load"] = load_average()
        if args.first_visits:
            before = load_average()
            saved["first_visit"] = first_visits(browser, args.first_visits)
            saved["first_visit_on"] = dt.date.today().isoformat()
            saved["first_visit_load"] = (before, load_average())
            saved["first_visit_command"] = command
        for name in args.scales.split(","):
            if not name:
                continue
            before = load_average()
            result = measure_scale(browser, bench_scale.SCALES[name], args)
            result.update(
                measured_on=dt.date.today().isoformat(),
                load_before=before,
                load_after=load_average(),
                repeat=args.repeat,
                command=command,
            )
            saved["scales"][name] = result
            RESULTS.write_text(json.dumps(saved, indent=2), encoding="utf-8")


RESULTS = OWN / "results.json"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="district,city,province", help="comma-separated, of bench_scale's")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    parser.add_argument("--pages", nargs="*", help="only these pages (URL paths), e.g. overview staff")
    parser.add_argument("--first-visits", type=int, default=3, help="first visits on a fresh folder (0: none)")
    parser.add_argument("--floor", action="store_true", help="also the stack alone: bench/floor_app.py")
    parser.add_argument("--data", type=Path, default=bench_scale.DEFAULT_DATA, help="bench_scale's files")
    parser.add_argument("--note", default="", help="a sentence for the report, such as what else ran")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave BENCHMARKS.md alone")
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from the saved results")
    args = parser.parse_args(argv)
    OWN.mkdir(parents=True, exist_ok=True)
    saved = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {"scales": {}}
    if not args.report_only:
        command = shlex.join(["python", "bench/bench_browser.py", *argv])
        started = time.perf_counter()
        run(args, saved, command)
        RESULTS.write_text(json.dumps(saved, indent=2), encoding="utf-8")
        print(f"measured in {time.perf_counter() - started:.0f} s", flush=True)
    text = section(saved)
    print(text)
    if not args.no_write:
        write_section(BENCHMARKS, SECTION, text)


if __name__ == "__main__":
    main()
