"""The pages of bench_scale.py: every page of the dashboard through Streamlit's AppTest.

A *session* is a new ``AppTest`` of ``dashboard.py`` opened on one page (``?lang=zh``, the
profile page with ``?community=XT001``), as a reader opening a shared link. In it, one after
the other, with each ``run()`` timed to completion:

1. first render;
2. a rerun with nothing changed (what any click that does not touch the filters costs, and
   AppTest needs it before a widget can be set, see tests/test_app.py);
3. a rerun after the year filter moves to the year before (still the whole database);
4. a rerun after the street filter is set to 干河街道 (19 communities) — on the profile page,
   which is about one community, the community filter moves to XT002 instead.

Beside each time, the part of it spent in ``Store.query`` (DuckDB running the indicator's SQL
and handing back its frame); the rest is Python: the page, charts, tables, AppTest.

A *cold* session starts with Streamlit's data cache emptied (``st.cache_data.clear()``): every
indicator is computed, as after a load or a restart; the store stays open, as it does in a
server. A *warm* session follows a cold one of the same page and finds every result cached
by it: what a second reader of the same view waits for (rendering only). Before the timed
rounds, one untimed round runs every page once, so module imports are paid there; the very
first run of the process (imports, opening the database, cold cache) is reported on its own.
"""

from __future__ import annotations

import ast
import logging
import os
import time
from pathlib import Path

from scale_common import peak_rss_mib

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "dashboard.py"
STREET = "干河街道"
COMMUNITY, OTHER_COMMUNITY = "XT001", "XT002"
PROFILE_PAGE = "pages/profile.py"
TIMEOUT = 900


def page_scripts() -> list[str]:
    """The scripts of ``dashboard.PAGES``, read from the file (importing it would draw the frame)."""
    tree = ast.parse(ENTRY.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [entry[0] for entry in ast.literal_eval(node.value)]
    raise LookupError("dashboard.py has no PAGES")


class QueryClock:
    """Adds up the time spent in ``Store.query`` (DuckDB and the frame it returns), from any thread."""

    def __init__(self) -> None:
        from community_eval.db.store import Store

        self.spent = 0.0
        query = Store.query

        def timed_query(store: Store, *args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return query(store, *args, **kwargs)
            finally:
                self.spent += time.perf_counter() - start

        Store.query = timed_query


class Session:
    """One reader's session on one page, each step timed; the first error ends it."""

    def __init__(self, page: str, default_page: str, clock: QueryClock) -> None:
        from streamlit.testing.v1 import AppTest

        self.page, self.clock = page, clock
        self.app = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
        self.app.query_params["lang"] = "zh"
        if page == PROFILE_PAGE:
            self.app.query_params["community"] = COMMUNITY
        if page != default_page:
            self.app.switch_page(page)
        self.times: dict[str, float] = {}
        self.error: str | None = None

    def step(self, name: str, change: tuple[str, object] | None = None, expect: tuple[str, str] | None = None) -> None:
        if self.error:
            return
        try:
            if change is not None:
                self.app.selectbox(key=change[0]).set_value(change[1])
            queried, start = self.clock.spent, time.perf_counter()
            self.app.run()
            elapsed, queried = time.perf_counter() - start, self.clock.spent - queried
        except Exception as error:  # a page being edited may break: record it, go on with the others
            self.error = f"{name}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            return
        if self.app.exception:
            self.error = f"{name}: {self.app.exception[0].message.splitlines()[0]}"
        elif expect is not None and self.app.query_params.get(expect[0]) != expect[1]:
            self.error = f"{name}: the filter did not change ({expect[0]}={self.app.query_params.get(expect[0])})"
        else:
            self.times[name] = elapsed
            self.times[f"{name} in queries"] = queried

    def years(self) -> list[int]:
        return sorted(int(option) for option in self.app.selectbox(key="f_year").options)


def session(page: str, default_page: str, cold: bool, year: int, clock: QueryClock) -> Session:
    import streamlit as st

    if cold:
        st.cache_data.clear()
    reader = Session(page, default_page, clock)
    reader.step("first")
    reader.step("same")
    reader.step("year", ("f_year", year - 1), ("year", str(year - 1)))
    if page == PROFILE_PAGE:
        reader.step("street", ("f_community", OTHER_COMMUNITY), ("community", OTHER_COMMUNITY))
    else:
        reader.step("street", ("f_street", STREET), ("street", STREET))
    return reader


def run(database: Path, repeat: int, label: str) -> dict[str, object]:
    """Time every page, cold and warm, ``repeat`` rounds after an untimed one; returns every time and error."""
    logging.disable(logging.WARNING)  # AppTest outside a server warns at every run; errors still show
    os.environ["COMMUNITY_EVAL_DB"] = str(database)
    clock = QueryClock()
    pages = page_scripts()
    start = time.perf_counter()
    first = Session(pages[0], pages[0], clock)
    first.step("first")
    process_first = time.perf_counter() - start
    if first.error:
        return {"pages": pages, "error": first.error, "process_first_s": process_first}
    first.step("same")
    year = first.years()[-1]
    times: dict[str, dict[str, list[float]]] = {page: {} for page in pages}
    errors: dict[str, str] = {}
    for round_ in range(repeat + 1):  # round 0 is the warm-up
        for page in pages:
            for temperature in ("cold", "warm"):
                reader = session(page, pages[0], temperature == "cold", year, clock)
                if reader.error:
                    errors.setdefault(page, reader.error)
                if round_ == 0:
                    continue
                for step, elapsed in reader.times.items():
                    times[page].setdefault(f"{temperature}:{step}", []).append(elapsed)
            cold = [(name, values) for name, values in times[page].items() if "cold" in name and "queries" not in name]
            shown = ", ".join(f"{name} {values[-1]:.2f}s" for name, values in cold)
            print(f"[{label} pages] round {round_}/{repeat} {page}: {shown or errors.get(page, '')}", flush=True)
    return {
        "pages": pages,
        "year": year,
        "process_first_s": process_first,
        "times": times,
        "errors": errors,
        "peak_mib": peak_rss_mib(),
    }
