"""Hostile input (issue 8, part 3): SQL fragments, markup and formulas from links and uploads.

Each test here stands for one protection and fails when it is taken away: values bound
as SQL parameters, URL parameters validated and cut, upload text shown as written in
Markdown, plotly and the offline report, downloads neutralised against spreadsheet
formulas, an upload size limit of our own, and Streamlit's XSRF protection left on.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import inspect
import io
import json
import os
import pkgutil
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from community_eval.core import url_params
from community_eval.core.i18n import Translator
from community_eval.core.safety import markdown_literal
from community_eval.core.standards import load_standards
from community_eval.db.store import Store
from community_eval.figures import charts, downloads
from community_eval.indicators import overview
from community_eval.indicators.filters import Filters
from community_eval.ingest.loader import Source, ingest
from community_eval.report import html_report
from tests.app_pages import CHART_PAGES, ENTRY, TIMEOUT

ROOT = Path(__file__).resolve().parent.parent

SQL_FRAGMENTS = [
    "' or 1=1 --",
    "'; drop table main.survey; --",
    '"); select 1; --',
    "$year",
    "’ or ‘1’=‘1",  # unicode quotes
    "1 union select community_id from communities",
    "x" * 5000,
]
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**x**",
    "[a](javascript:alert(1))",
]
FRAGMENTS = SQL_FRAGMENTS + MARKUP + ["²", "１２"]  # digits str.isdigit takes and int() refuses or reads
#: The fragments a whole session is rendered with (renders take seconds each).
URL_FRAGMENTS = [SQL_FRAGMENTS[0], SQL_FRAGMENTS[1], SQL_FRAGMENTS[-1], "²"]
#: Every URL parameter the dashboard reads (grep query_params / url_params in community_eval/).
PARAMS = [
    "lang",
    "dataset",
    "district",
    "street",
    "type",
    "community",
    "year",
    "profile",
    "weights",
    "mode",
    "costs",
    "budget",
    "order",
]
MEETING_PARAMS = ["slide", "auto"]  # read only in meeting mode
PAGES = [*CHART_PAGES, "pages/profile.py", "pages/data.py"]


def row_counts(path: str) -> dict[str, int]:
    """Rows of every table of the database, bookkeeping included (read beside the app's connection)."""
    store = Store(path)
    try:
        with store.cursor() as cur:
            names = cur.execute(
                "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
            ).fetchall()
            return {
                f"{schema}.{name}": cur.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
                for schema, name in names
            }
    finally:
        store.close()


@pytest.fixture
def district(sample_db, tmp_path, monkeypatch) -> str:
    """A private copy of the sample district, so a write would show in its row counts."""
    db = tmp_path / "district.duckdb"
    shutil.copy(sample_db, db)
    monkeypatch.setenv("COMMUNITY_EVAL_DB", str(db))
    return str(db)


def render(page: str, **query: str) -> AppTest:
    """A fresh session opened on ``page`` with ``query`` in its URL (an English browser)."""
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.context["locale"] = "en-US"
    at.query_params.update(query)
    at.run()
    seen = _toasts(at)
    if page != PAGES[0]:
        at.switch_page(page).run()
        seen += _toasts(at)
    at.seen_notices = seen  # a notice comes once, on the run that read the value
    return at


def _toasts(at: AppTest) -> list[str]:
    return [toast.proto.body for toast in at.toast]


def notices(at: AppTest) -> list[str]:
    """Every notice the session has shown, on any of its runs so far."""
    seen = getattr(at, "seen_notices", [])
    return seen + [text for text in _toasts(at) if text not in seen]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# ---- SQL and URL parameters ---------------------------------------------------------------


@pytest.mark.parametrize("fragment", URL_FRAGMENTS, ids=range(len(URL_FRAGMENTS)))
def test_every_url_parameter_ignores_a_fragment_with_a_notice(district, fragment):
    before = row_counts(district)
    at = render(PAGES[0], **dict.fromkeys(PARAMS, fragment))
    assert not at.exception, [e.message for e in at.exception]
    assert metrics(at)["Communities"] == "79", "the default view, in the browser's language"
    assert next(s for s in at.selectbox if s.label == "Year").value == 2025
    shown = notices(at)
    for param in PARAMS:
        assert any(f"parameter {param} was ignored" in text for text in shown), (param, shown)
        assert at.query_params.get(param) != fragment, f"{param} is dropped from the address"
    value = markdown_literal(fragment[: url_params.SHOWN_LENGTH - 1])
    assert all(value in text for text in shown), "the notice echoes the value, shortened and escaped"
    assert all(len(text) < 400 for text in shown)
    assert row_counts(district) == before


@pytest.mark.parametrize("fragment", [SQL_FRAGMENTS[0], "²"], ids=range(2))
def test_meeting_parameters_ignore_a_fragment(district, fragment):
    at = render(PAGES[0], lang="en", mode="meeting", **dict.fromkeys(MEETING_PARAMS, fragment))
    assert not at.exception, [e.message for e in at.exception]
    counter = [m.value for m in at.markdown if " / " in m.value]
    assert counter and counter[-1].startswith("1 / "), "slide 1 of the deck"
    assert at.selectbox(key="meeting_auto").value == 0, "auto-advance off"
    for param in MEETING_PARAMS:
        assert any(f"parameter {param} was ignored" in text for text in notices(at)), param


@pytest.mark.parametrize("page", PAGES)
def test_every_page_survives_fragments_in_every_parameter(district, page):
    """One fragment per parameter, a different one on each page, meeting mode on one page."""
    offset = PAGES.index(page)
    query = {param: FRAGMENTS[(offset + i) % len(FRAGMENTS)] for i, param in enumerate(PARAMS + MEETING_PARAMS)}
    if page == "pages/staff.py":
        query["mode"] = "meeting"
    before = row_counts(district)
    at = render(page, **query)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "the page drew"
    shown = notices(at)
    assert shown, "every page reads the filters, language and dataset"
    assert not any(markup in text for text in shown for markup in MARKUP), "a value is echoed as text"
    assert row_counts(district) == before


def test_a_valid_link_raises_no_notice(district):
    at = render(
        PAGES[0],
        lang="en",
        street="沙嘴街道",
        type="village_converted",
        year="2024",
        weights="0.4,0.2,0.2,0.2",
        costs="2500,100000,30000",
        budget="12000000,3000000",
        order="worst",
    )
    assert not notices(at)
    assert metrics(at)["Communities"] == "13"


def test_huge_values_are_cut_before_anything_reads_them(monkeypatch):
    class Params(dict):
        def get(self, key, default=None):
            return super().get(key, default)

    monkeypatch.setattr(url_params.st, "query_params", Params(year="9" * 100_000, street=""))
    assert len(url_params.raw("year")) == 200, "cut to a length no real choice comes near"
    assert url_params.raw("street") is None, "an empty value asks for nothing"


def indicator_calls(store: Store, filters: Filters) -> dict[str, object]:
    """Every function of the indicators package that takes Filters, called with ``filters``."""
    standards = load_standards()
    profile = standards.profile(standards.default_profile)
    values = {
        "store": store,
        "filters": filters,
        "year": 2025,
        "min_n": standards.min_n,
        "standards": standards,
        "profile": profile,
        "attribute": "gender",
        "as_of": dt.date(2025, 12, 31),  # staff retention is read at a date
        "budget_one_off": 10_000_000.0,  # what a budget buys (standard_gap.budget_plan)
        "budget_yearly": 3_000_000.0,
    }
    results = {}
    for module in indicator_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            parameters = inspect.signature(function).parameters
            private = name.startswith("_")  # a helper of the indicator, not one (staff_retention._params)
            if private or function.__module__ != module.__name__ or "filters" not in parameters:
                continue
            results[name] = function(**{key: values[key] for key in parameters if key in values})
    return results


def indicator_modules() -> list[object]:
    """Every module of the indicators package (one per indicator, and what they share)."""
    package = importlib.import_module("community_eval.indicators")
    names = [info.name for info in pkgutil.iter_modules(package.__path__, "community_eval.indicators.")]
    return [importlib.import_module(name) for name in names]


FIELDS = ("district", "street", "community_type", "community_id")
#: The fragment that would widen a query in each filter alone, then every other fragment in
#: some filter (four at a time: an indicator call set takes seconds).
_OTHERS = FRAGMENTS[1:]
FILTER_CASES = [{field: SQL_FRAGMENTS[0]} for field in FIELDS] + [
    dict(zip(FIELDS, _OTHERS[start : start + len(FIELDS)], strict=False)) for start in range(0, len(_OTHERS), 4)
]


@pytest.mark.parametrize("chosen", FILTER_CASES, ids=range(len(FILTER_CASES)))
def test_indicators_bind_filter_values(known_db, tmp_path, chosen):
    db = tmp_path / "known.duckdb"
    shutil.copy(known_db, db)
    before = row_counts(str(db))
    store = Store(str(db))
    try:
        results = indicator_calls(store, Filters(**chosen))
    finally:
        store.close()
    assert len(results) >= 20, sorted(results)
    for name, result in results.items():
        frames = result.values() if isinstance(result, dict) else [result]
        for frame in frames:
            if isinstance(frame, pd.DataFrame) and "community_id" in frame.columns:
                assert frame["community_id"].dropna().empty, name
    assert results["scope_summary"]["n_communities"].fillna(0).sum() == 0
    assert row_counts(str(db)) == before


# ---- text from uploads --------------------------------------------------------------------

HOSTILE_NAMES = [*MARKUP, "'; drop table main.survey; --", '=HYPERLINK("http://x")', "a & b <i>"]
HOSTILE_STREET = "<b>街道</b> ' or 1=1 --"
HOSTILE_HEADERS = ["<script>alert(1)</script>", "'; drop table main.survey; --"]
#: The same headers as the report gives them: spaces beside punctuation inside a header are
#: taken out (headers match ignoring spaces), the markup and the SQL stay as written.
HOSTILE_HEADERS_READ = ["<script>alert(1)</script>", "';drop table main.survey;--"]


def hostile_communities_csv() -> bytes:
    """A communities file whose names, street and two extra headers are SQL and markup."""
    frame = pd.DataFrame(
        {
            "community_id": [f"H{i}" for i in range(len(HOSTILE_NAMES))],
            "community_name": HOSTILE_NAMES,
            "district": "仙桃市",
            "street": HOSTILE_STREET,
            "community_type": "urban",
            "population": 1000,
            "households": 300,
            HOSTILE_HEADERS[0]: "x",
            HOSTILE_HEADERS[1]: "y",
        }
    )
    return frame.to_csv(index=False).encode("utf-8")


HOSTILE_DEPARTMENT = "<script>alert(1)</script>"


def hostile_tasks_csv() -> bytes:
    """Tasks of the hostile communities, from a department named like a script."""
    frame = pd.DataFrame(
        {
            "community_id": [f"H{i}" for i in range(len(HOSTILE_NAMES))],
            "period": "2025-03",
            "department": HOSTILE_DEPARTMENT,
            "task_category": "administrative",
            "task_count": 500,
            "hours": 900.0,
            "admitted": False,
            "funded": False,
        }
    )
    return frame.to_csv(index=False).encode("utf-8")


@pytest.fixture
def hostile_db(district) -> str:
    """The sample district with the hostile communities and their tasks loaded by the real loader."""
    store = Store(district)
    try:
        sources = [Source("<b>evil</b>.csv", hostile_communities_csv()), Source("tasks.csv", hostile_tasks_csv())]
        reports = ingest(store, sources)
    finally:
        store.close()
    assert all(r.loaded for r in reports), [r.problems for r in reports]
    assert reports[0].ignored == HOSTILE_HEADERS_READ, "hostile headers are reported, and ignored"
    return district


def test_uploaded_text_round_trips_and_filters_on_it(hostile_db):
    store = Store(hostile_db)
    try:
        stored = store.query("filter_options").set_index("community_id")
        assert [stored.loc[f"H{i}", "community_name"] for i in range(len(HOSTILE_NAMES))] == HOSTILE_NAMES
        assert set(stored.loc[stored["street"] == HOSTILE_STREET].index) == {f"H{i}" for i in range(len(HOSTILE_NAMES))}
        summary = overview.scope_summary(store, Filters(street=HOSTILE_STREET))
        assert int(summary["n_communities"].iloc[0]) == len(HOSTILE_NAMES)
        one = overview.scope_summary(store, Filters(community_id="H1"))
        assert int(one["n_communities"].iloc[0]) == 1
        assert store.row_count("survey") > 0, "the survey table is still there"
    finally:
        store.close()


def markdown_values(at: AppTest) -> list[str]:
    """What the page hands to Markdown: body text, captions, alerts, subheaders, expander labels."""
    kinds = ("markdown", "caption", "info", "error", "warning", "success", "subheader", "title")
    values = [element.value for kind in kinds for element in getattr(at, kind)]
    return values + [e.label for e in at.expander] + [b.label for b in at.button]


def test_uploaded_names_are_shown_as_written(hostile_db):
    """Captions, lists and chart labels show uploaded names literally, never as markup."""
    overview = render(PAGES[0], lang="en", street=HOSTILE_STREET)
    assert not overview.exception, [e.message for e in overview.exception]
    assert overview.caption[0].value.startswith(markdown_literal(HOSTILE_STREET)), "the scope caption"
    assert not any(HOSTILE_STREET in text for text in markdown_values(overview))

    facilities = render("pages/facilities.py", lang="en")
    missing = next(text for text in markdown_values(facilities) if "no facility inspection" in text)
    assert markdown_literal("、".join(HOSTILE_NAMES)) in missing
    for name in MARKUP:
        assert name not in missing, name

    burden = render("pages/task_burden.py", lang="en")
    assert not burden.exception, [e.message for e in burden.exception]
    burden.run()  # settle (AppTest's second path), then every department, not only the top ten
    burden.toggle(key="all_burden_departments").set_value(True).run()
    assert not burden.exception, [e.message for e in burden.exception]
    figures = [json.loads(c.proto.spec) for c in burden.get("plotly_chart")]
    labels = [v for f in figures for trace in f["data"] for v in (trace.get("y") or []) if isinstance(v, str)]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in labels, "the department, escaped for plotly"
    assert "&lt;b&gt;街道&lt;/b&gt; ' or 1=1 --" in labels, "the street, escaped for plotly"
    assert not any("<script>" in label or "<b>" in label for label in labels)


def test_the_profile_shows_an_uploaded_name_as_written(hostile_db):
    at = render("pages/profile.py", lang="en", community="H2", year="2025")  # **x**
    assert not at.exception, [e.message for e in at.exception]
    assert at.subheader[0].value == r"\*\*x\*\*"
    assert markdown_literal(HOSTILE_STREET) in at.caption[0].value
    assert not any("**x**" in text for text in markdown_values(at) if not text.startswith("**"))
    takeaway = next(m.value for m in at.markdown if m.value.startswith("**"))
    assert r"\*\*x\*\*" in takeaway


def test_the_data_page_shows_upload_text_as_written(district):
    at = render("pages/data.py", lang="en")
    at.run()
    at.get("file_uploader")[0].upload("<b>evil</b>.csv", hostile_communities_csv(), "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.expander[0].label.startswith(r"\<b\>evil\</b\>.csv")
    ignored = next(c.value for c in at.caption if c.value.startswith("Columns not used"))
    assert markdown_literal(", ".join(HOSTILE_HEADERS_READ)) in ignored
    assert "<script>" not in ignored


def test_the_offline_report_escapes_uploaded_names(hostile_db):
    standards = load_standards()
    store = Store(hostile_db)
    try:
        html = html_report.build_report(
            store, Filters(street=HOSTILE_STREET), 2025, "en", standards, standards.default_profile, community_id="H0"
        )
    finally:
        store.close()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror=alert(1)>" not in html
    assert "<b>街道</b>" not in html.replace("\\u003cb\\u003e", "?")


def _trend_line_named(line: str, reference: str):
    """A two-year trend line whose line and reference carry the given (hostile) names."""
    return charts.trend_line(
        pd.DataFrame({"year": [2024, 2025], "value": [1, 2], "median": [1, 1]}),
        "year",
        "value",
        reference="median",
        names=(line, reference),
        title="t",
        x_title="x",
        y_title="y",
        kind="int",
    )


def test_chart_labels_escape_plotly_markup():
    frame = pd.DataFrame({"name": ["<a href='javascript:alert(1)'>x</a>", "a & b"], "value": [1, 2]})
    figure = charts.ranked_bars(frame, "name", "value", title="t", value_title="v", label_title="l", kind="int")
    assert set(figure.data[0].y) == {"a &amp; b", "&lt;a href='javascript:alert(1)'&gt;x&lt;/a&gt;"}
    line = _trend_line_named("<b>x</b>", "median")
    assert line.data[0].name == "&lt;b&gt;x&lt;/b&gt;"
    assert "<b>" not in line.data[0].hovertemplate


def test_a_name_is_never_a_hover_placeholder():
    """A community called "%{y}" is drawn by name: plotly fills placeholders only in the template."""
    line = _trend_line_named("%{y}社区", "%{x}")
    assert [trace.name for trace in line.data] == ["%{y}社区", "%{x}"]
    assert all("社区" not in trace.hovertemplate and "%{fullData.name}" in trace.hovertemplate for trace in line.data)


def test_the_meeting_footer_is_plain_text():
    from community_eval.app import meeting

    # the word joiner after the colon keeps "javascript:" from being an autolink's scheme
    assert (
        meeting._plain("[a](javascript:alert(1)) <img src=x>") == "\\[a\\](javascript:\u2060alert(1)) \\<img src=x\\>"
    )


# ---- downloads ----------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", " =1", "  @x"]


COLUMNS = ["community_name", "rank_change", "composite"]
CONTEXT = downloads.DownloadContext("assessment", 2025, (), "Hubei", None)


def download_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "community_id": [f"C{i}" for i in range(9)],
            "community_name": [*FORMULAS, "一号社区"],
            "rank_change": [-3, -1, 0, 2, -5, 1, 4, -2, 7],
            "composite": [-0.5, 1.5, 2.0, -3.25, 0.0, 1.0, 2.0, 3.0, 4.0],
        }
    )


def test_csv_download_neutralises_formulas():
    data = downloads.csv_bytes(download_table(), COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert header == ["community_id", *COLUMNS]
    assert [row[1] for row in rows] == [f"'{value}" for value in FORMULAS] + ["一号社区"]
    assert [row[2] for row in rows] == ["-3", "-1", "0", "2", "-5", "1", "4", "-2", "7"], "numbers stay numbers"
    assert rows[0][3] == "-0.5"


def test_excel_download_neutralises_formulas():
    book = downloads.xlsx_bytes(Translator("en"), download_table(), COLUMNS, CONTEXT)
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    rows = list(sheet.iter_rows(min_row=downloads.TITLE_ROWS + 2, values_only=True))
    # Older openpyxl reads a carriage return back as a line feed, newer keeps it; either way the
    # cell still starts with the quote.
    assert [row[1].replace("\r", "\n") for row in rows] == [f"'{value}".replace("\r", "\n") for value in FORMULAS] + [
        "一号社区"
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), "no cell is a formula"
    assert [row[2] for row in rows][:2] == [-3, -1] and rows[0][3] == -0.5
    assert isinstance(rows[0][2], int)


def test_every_table_download_goes_through_the_neutraliser():
    """The dashboard's only table downloads are widgets.download_buttons; the rest are fixed files."""
    sources = {
        path: path.read_text(encoding="utf-8")
        for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("community_eval/**/*.py")]
    }
    users = {path.name for path, text in sources.items() if "download_button(" in text}
    assert users == {"widgets.py", "report_page.py", "data.py"}, users
    assert "downloads.csv_bytes(frame, columns)" in sources[ROOT / "community_eval" / "app" / "widgets.py"]
    assert (
        "downloads.xlsx_bytes(tr, frame, columns, context)" in sources[ROOT / "community_eval" / "app" / "widgets.py"]
    )
    writers = sources[ROOT / "community_eval" / "figures" / "downloads.py"]
    assert writers.count("neutralise_formulas(frame[columns])") == 2, "both files defuse formulas"
    assert "templates.template_csv" in sources[ROOT / "pages" / "data.py"]


# ---- upload size and XSRF ---------------------------------------------------------------------


def test_an_upload_over_the_limit_is_refused_with_a_message(district):
    from streamlit import config

    before = config.get_option("server.maxUploadSize")
    config.set_option("server.maxUploadSize", 1)
    try:
        at = render("pages/data.py", lang="en")
        at.run()
        big = hostile_communities_csv() + b"\n" * (1024 * 1024 + 1)
        at.get("file_uploader")[0].upload("big<i>.csv", big, "text/csv").run()
    finally:
        config.set_option("server.maxUploadSize", before)
    assert not at.exception, [e.message for e in at.exception]
    refusal = [e.value for e in at.error if "was not read" in e.value]
    assert refusal == [r"big\<i\>.csv was not read: it is 1.0 MB, more than the 1 MB an upload may be."]
    assert not at.expander, "the file is not checked or previewed"


def test_the_server_config_keeps_xsrf_on_and_limits_uploads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True, "turning CORS off turns XSRF protection off too"
    assert isinstance(server.get("maxUploadSize"), int) and 0 < server["maxUploadSize"] <= 200


def test_the_server_refuses_an_upload_without_the_xsrf_token(tmp_path):
    """The real server, as the README starts it: an upload without the XSRF cookie and header is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "COMMUNITY_EVAL_DB": str(tmp_path / "server.duckdb")}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        body, boundary = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\na\r\n--b--\r\n',
            "b",
        )
        upload = urllib.request.Request(
            f"{base}/_stcore/upload_file/session/file",
            data=body,
            method="PUT",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(upload, timeout=10)
        assert refused.value.code == 403
    finally:
        server.terminate()
        server.wait(timeout=20)
