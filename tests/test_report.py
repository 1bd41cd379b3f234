"""The offline report: one self-contained HTML file that opens and prints with no network.

Built on the sample district in both languages and read back: plotly.js once, nothing that
a browser would fetch, every theme's charts, the ranking as the assessment indicator ranks,
labels in the reader's language, names from data escaped; then the command line, and a
real Chromium with every request aborted drawing every chart.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs
from streamlit.testing.v1 import AppTest

from community_eval.app import report_page
from community_eval.core.i18n import catalog, translate
from community_eval.core.standards import load_standards
from community_eval.db.store import Store
from community_eval.indicators import assessment, community_profile, overview
from community_eval.indicators.assessment import COMPONENTS
from community_eval.indicators.filters import Filters
from community_eval.ingest.loader import Source, ingest
from community_eval.report import html_report

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
LANGS = ("zh", "en")
THEME_SECTIONS = ("task_burden", "satisfaction", "facilities", "staff")
#: Whatever in HTML or CSS makes a browser fetch: a tag's src/href/data, @import, url().
FETCHING = re.compile(
    r"""<(?:script|img|link|iframe|source|video|audio|embed|object|image|use)\b[^>]*"""
    r"""\b(?:src|href|data|srcset|xlink:href)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|@import|url\(\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)


# ---- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_store(sample_db):
    store = Store(sample_db)
    yield store
    store.close()


@pytest.fixture(scope="module")
def cli_db(sample_db, tmp_path_factory) -> str:
    """A copy of the sample district for the command line: the tests' own store holds the
    sample's file lock, as the dashboard would."""
    folder = tmp_path_factory.mktemp("cli")
    for suffix in ("", ".wal"):
        if Path(sample_db + suffix).exists():
            shutil.copy(sample_db + suffix, folder / f"sample.duckdb{suffix}")
    return str(folder / "sample.duckdb")


@pytest.fixture(scope="module")
def profiled(sample_store) -> str:
    """The community whose profile the reports carry: the first of the sample district."""
    return str(overview.filter_options(sample_store)["community_id"].iloc[0])


@pytest.fixture(scope="module")
def reports(sample_store, profiled) -> dict[str, str]:
    """The sample district's report in each language, with one community's profile."""
    standards = load_standards()
    return {
        lang: html_report.build_report(sample_store, Filters(), YEAR, lang, standards, None, community_id=profiled)
        for lang in LANGS
    }


class _Sections(HTMLParser):
    """Each <section>'s tables (rows of cell texts) and its plotly figure divs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[list[str]]]] = {}
        self.charts: dict[str, int] = {}
        self.section: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self.section = found.get("id")
            self.tables[self.section] = []
            self.charts[self.section] = 0
        elif tag == "div" and "plotly-graph-div" in (found.get("class") or ""):
            self.charts[self.section] += 1
        elif tag == "table":
            self.tables[self.section].append([])
        elif tag == "tr":
            self.tables[self.section][-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[self.section][-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def sections(document: str) -> _Sections:
    parser = _Sections()
    parser.feed(without_library(document))
    return parser


def without_library(document: str) -> str:
    """The report minus the inlined plotly.js (whose own strings are not the report's)."""
    return document.replace(get_plotlyjs(), "")


# ---- the file ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_plotly_js_is_inlined_exactly_once(reports, lang):
    document = reports[lang]
    assert document.count(get_plotlyjs()) == 1
    assert document.count("plotly.js v") == 1
    assert document.index(get_plotlyjs()) < document.index('class="plotly-graph-div"')


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_in_the_file_would_fetch_from_the_network(reports, lang):
    document = reports[lang]
    assert not FETCHING.findall(document)
    # Outside plotly.js (whose code names plotly.com and map tile servers it never calls
    # for these charts), the report names no address at all.
    assert not re.findall(r"https?://|//cdn|fonts\.googleapis", without_library(document))


@pytest.mark.parametrize("lang", LANGS)
def test_every_theme_the_ranking_and_the_profile_have_charts(reports, lang):
    found = sections(reports[lang])
    for section in (*THEME_SECTIONS, "assessment", "profile"):
        assert found.charts.get(section, 0) >= 1, section
    assert sum(found.charts[s] for s in THEME_SECTIONS) >= 4
    assert sum(found.charts.values()) == reports[lang].count('class="plotly-graph-div"')
    for section in THEME_SECTIONS:
        assert found.tables[section], f"{section} has no table"


@pytest.mark.parametrize("lang", LANGS)
def test_the_ranking_is_the_assessment_indicators_ranking(reports, sample_store, lang):
    expected = assessment.assessment(sample_store, Filters(), YEAR, load_standards(), load_standards().profile(None))
    expected = expected.dropna(subset=["rank"]).sort_values("rank")
    assert len(expected) <= html_report.RANKING_ROWS, "the sample should be listed whole"
    (table,) = sections(reports[lang]).tables["assessment"]
    header, rows = table[0], table[1:]
    assert header[:4] == [translate(lang, f"col.{c}") for c in ("rank", "community_name", "tier", "composite")]
    assert [int(row[0]) for row in rows] == [int(r) for r in expected["rank"]]
    assert [row[1] for row in rows] == list(expected["community_name"])
    assert [row[2] for row in rows] == list(expected["tier"])
    assert [row[3] for row in rows] == [f"{c:.1f}" for c in expected["composite"]]


@pytest.mark.parametrize("lang", LANGS)
def test_the_headline_cards_carry_the_pages_verdicts(reports, lang):
    """The report's cards say what the overview's cards say, against figures computed with
    pandas from sample_data: staff below 18 per 10,000, facilities short, tasks handed down
    without admission or funds (the admission system allows none), no community below 3
    (一般), turnover under its ceiling; the misses in vermillion, the rest in green."""
    from tests.test_headlines import sample_truth

    truth = sample_truth()
    unadmitted, unfunded = (f"{truth[key] * 100:.1f}%" for key in ("unadmitted_share", "unfunded_share"))
    assert (unadmitted, truth["satisfaction_below"]) == ("33.2%", 0)
    head = re.search(r'<section id="headlines">(.*?)</section>', without_library(reports[lang]), re.DOTALL).group(1)
    expected = [
        ("misses", translate(lang, "verdict.staff_in_post.misses", line="18")),
        ("meets", translate(lang, "verdict.mean_satisfaction.meets", neutral="3")),
        ("misses", translate(lang, "verdict.compliant_share.misses", count=truth["facilities_short"])),
        ("meets", translate(lang, "verdict.turnover_rate.meets", line="30.0%")),
        ("misses", translate(lang, "verdict.admin_hours_share.misses", unadmitted=unadmitted, unfunded=unfunded)),
    ]
    found = re.findall(r'<div class="verdict (\w+)">(.*?)</div>', head)
    assert [(verdict, html.unescape(text)) for verdict, text in found] == expected
    place = "仙桃市"
    reading = translate(lang, "overview.reading_intro", place=place, communities="79", figures="")[:-1]
    assert html.unescape(re.search(r'<p class="takeaway">(.*?)</p>', head).group(1)).startswith(reading)
    assert translate(lang, "headline_basis.admin_hours_share") in html.unescape(head), "why the card is so judged"
    css = re.search(r"<style>(.*?)</style>", reports[lang], re.DOTALL).group(1)
    assert re.search(r"\.verdict\.misses\s*{\s*color:\s*#B34700", css)


def test_the_chinese_report_has_no_english_label(reports):
    """No piece of an English message (between its placeholders) appears in the Chinese report."""
    zh, en = without_library(reports["zh"]), without_library(reports["en"])
    prefixes = ("report.", "overview.chart.", "task_burden.", "satisfaction.", "facilities.", "staff.", "assessment.")
    prefixes += ("axis.", "headline", "col.", "level.", "nav.", "item.", "likert.", "filters.", "status.", "relation.")
    checked = 0
    for key, text in catalog("en").items():
        if not key.startswith(prefixes):
            continue
        for piece in (literal for literal, *_ in string.Formatter().parse(text)):
            if len(re.findall(r"[A-Za-z]{3,}", piece)) >= 2 and piece in en:
                assert piece not in zh, (key, piece)
                checked += 1
    assert checked > 50, "too few English labels found in the English report: the check is broken"


@pytest.mark.parametrize("lang", LANGS)
def test_chart_titles_and_headers_are_the_locales(reports, lang):
    document = without_library(reports[lang])
    for key in ("task_burden.chart.departments", "satisfaction.chart.items", "assessment.chart_components"):
        title = translate(lang, key, year=YEAR)
        # Chart titles sit in plotly's JSON: raw UTF-8 with orjson installed, \u-escaped without.
        assert title in document or json.dumps(title)[1:-1] in document, key
    for key in ("nav.task_burden", "nav.satisfaction", "nav.facilities", "nav.staff", "report.title"):
        assert translate(lang, key) in document, key
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in document


def test_print_styles_make_a4_pages(reports):
    css = re.search(r"<style>(.*?)</style>", reports["zh"], re.DOTALL).group(1)
    assert re.search(r"@page\s*{\s*size:\s*A4;\s*margin:\s*15mm", css)
    assert re.search(r"figure\.chart\s*{[^}]*break-inside:\s*avoid", css)
    assert re.search(r"section\s*{[^}]*break-before:\s*page", css)
    assert "@media print" in css


def test_the_profile_compares_the_community_with_its_district(reports, sample_store, profiled):
    standards = load_standards()
    card = community_profile.profile_card(sample_store, profiled).iloc[0]
    scores = assessment.assessment(
        sample_store, Filters(district=card["district"]), YEAR, standards, standards.profile(None)
    )
    row = scores[scores["community_id"] == profiled].iloc[0]
    scores_table, positions = sections(reports["en"]).tables["profile"]
    composite = scores_table[1]
    assert composite[0] == translate("en", "col.composite")
    assert composite[1] == f"{row['composite']:.1f}"
    assert composite[2] == f"{scores['composite'].median():.1f}"
    assert len(positions) - 1 == len(
        community_profile.profile_positions(sample_store, profiled, YEAR, standards, standards.profile(None))
    )
    assert card["community_name"] in reports["en"]


# ---- names from data --------------------------------------------------------------------

EVIL = '<script>alert("x")</script>社区'


def test_names_from_data_are_escaped(empty_store):
    communities = (
        "community_id,community_name,district,street,community_type,population,households\n"
        f'E1,"{EVIL.replace(chr(34), chr(34) * 2)}",测试区,<b>街道</b>,urban,3000,1000\n'
        "E2,二号社区,测试区,东街道,urban,2000,800\n"
    )
    survey = "response_id,community_id,survey_date,overall\n" + "".join(
        f"R{i},E{1 + i % 2},2025-06-0{1 + i % 9},{1 + i % 5}\n" for i in range(40)
    )
    reports = ingest(empty_store, [Source("c.csv", communities.encode()), Source("s.csv", survey.encode())])
    assert all(r.loaded for r in reports), [r.problems for r in reports]
    document = html_report.build_report(empty_store, Filters(), YEAR, "zh", load_standards(), None, community_id="E1")
    assert "<script>alert" not in document
    assert "<b>街道</b>" not in without_library(document)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;社区" in document
    assert document.count("<script") == document.count("</script>")


def test_an_unknown_community_is_refused(sample_store):
    with pytest.raises(html_report.ExportError) as refused:
        html_report.build_report(sample_store, Filters(), YEAR, "en", load_standards(), None, community_id="NOPE")
    assert refused.value.key == "report.unknown_community"


# ---- the command line -------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "community_eval", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_the_command_writes_the_report(cli_db, tmp_path, profiled):
    output = tmp_path / "report.html"
    result = run("report", "--db", cli_db, "--lang", "en", "--community", profiled, "--output", str(output))
    assert result.returncode == 0, result.stderr
    document = output.read_text(encoding="utf-8")
    assert document.startswith("<!DOCTYPE html>") and document.count(get_plotlyjs()) == 1
    assert translate("en", "report.title") in document and 'id="profile"' in document


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--community", "NOPE"), translate("zh", "report.unknown_community", community="NOPE")),
        (("--year", "1999"), translate("zh", "export.no_data_in_year", table="survey", year=1999, years="2024, 2025")),
        (("--profile", "nope"), "nope"),
    ],
)
def test_the_command_refuses_in_one_sentence(cli_db, tmp_path, args, message):
    output = tmp_path / "report.html"
    result = run("--lang", "zh", "report", "--db", cli_db, *args, "--output", str(output))
    assert result.returncode != 0
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert not output.exists()


def test_the_command_says_when_it_cannot_write_or_open(cli_db, tmp_path):
    result = run("report", "--lang", "en", "--db", cli_db, "--output", str(tmp_path / "no" / "dir" / "r.html"))
    assert result.returncode != 0 and result.stderr.startswith("Cannot write")
    missing = run("report", "--lang", "en", "--db", str(tmp_path / "none.duckdb"), "--output", str(tmp_path / "r.html"))
    assert missing.returncode != 0 and "There is no database" in missing.stderr
    for refused in (result, missing):
        assert "Traceback" not in refused.stdout + refused.stderr


# ---- the download button ----------------------------------------------------------------


def _download_app() -> None:
    import streamlit as st

    from community_eval.app import report_page
    from community_eval.app import view_state as state  # its own name: ruff drops a repeat of the module's
    from community_eval.indicators.filters import Filters

    community = st.query_params.get("community")
    view = state.View(Filters(community_id=community), 2025, "seed_2016", st.query_params.get("lang", "zh"))
    report_page.report_download(state.translator(), view)


@pytest.mark.parametrize("lang", LANGS)
def test_the_download_button_offers_the_views_report(sample_db, monkeypatch, lang):
    monkeypatch.setenv("COMMUNITY_EVAL_DB", sample_db)
    at = AppTest.from_function(_download_app, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    (button,) = at.get("download_button")
    assert button.proto.label == translate(lang, "report.download")


def test_the_file_name_names_year_language_and_community():
    from community_eval.app.view_state import View

    assert report_page.file_name(View(Filters(), 2025, "seed_2016", "zh")) == "community_report_2025_zh.html"
    named = report_page.file_name(View(Filters(community_id="X/1"), 2024, "p", "en"))
    assert named == "community_report_2024_en_X1.html"


# ---- in a browser, with the network cut -------------------------------------------------

RENDERED = """() => [...document.querySelectorAll('.plotly-graph-div')].map(div => ({
  svg: div.querySelectorAll('.main-svg').length,
  marks: div.querySelectorAll('path.point, .bars path, .scatterlayer path, .heatmaplayer image').length,
}))"""
#: How far anything sticks out right of the report's column (which is A4's width less margins).
OVERFLOW = """() => {
  const column = document.querySelector('.report').getBoundingClientRect();
  // Inside a chart only the drawing's own box counts (plotly's invisible drag handles stick out).
  const boxes = [...document.querySelectorAll('.report *')]
    .filter(el => !el.closest('svg') || el.matches('svg.main-svg'));
  const rights = boxes.map(el => el.getBoundingClientRect().right);
  return {overflow: Math.max(...rights) - column.right, width: column.width};
}"""
ALL_DRAWN = """() => {
  const divs = [...document.querySelectorAll('.plotly-graph-div')];
  return divs.length > 0 && divs.every(div => div.querySelector('.main-svg'));
}"""


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_renders_offline_in_chromium(reports, tmp_path, lang, browser):
    """In the session's Chromium (tests/conftest.py): one Playwright per process."""
    path = tmp_path / f"report_{lang}.html"
    path.write_text(reports[lang], encoding="utf-8")
    charts, problems, requested, fit = _render(browser, path, ROOT / "screenshots" / f"report_{lang}.png")
    assert not requested, f"the report asked the network for {requested}"
    assert not problems, problems
    assert len(charts) == reports[lang].count('class="plotly-graph-div"') >= 6
    assert all(chart["svg"] >= 1 and chart["marks"] >= 1 for chart in charts), charts
    assert fit["overflow"] <= 1 and abs(fit["width"] - 180 * 96 / 25.4) < 1, fit


def _render(browser, path: Path, screenshot: Path) -> tuple[list[dict], list[str], list[str], dict]:
    """Open the file with every non-file request aborted; what was drawn, console errors,
    which addresses the page tried to reach, and whether everything fits the A4 column."""
    context = browser.new_context(viewport={"width": 900, "height": 1200})
    context.set_offline(True)
    requested: list[str] = []

    def route(request_route) -> None:
        if request_route.request.url.startswith("file:"):
            request_route.continue_()
        else:
            requested.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_function(ALL_DRAWN, timeout=60_000)
    charts, fit = page.evaluate(RENDERED), page.evaluate(OVERFLOW)
    screenshot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return charts, problems, requested, fit


def test_screenshots_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "/screenshots/" in ignored or "screenshots/" in ignored


def test_the_report_of_an_area_with_few_communities_lists_them_whole(sample_store):
    """Inside one street there are fewer communities than the caps: no "left out" rows."""
    options = overview.filter_options(sample_store)
    street = options.groupby("street").size().idxmin()
    scoped = html_report.build_report(sample_store, Filters(street=street), YEAR, "en", load_standards(), None)
    assert 'class="gap"' not in scoped
    assert translate("en", "level.community") in scoped


def test_the_ranking_follows_the_weights_given(sample_store):
    """Weights from the assessment page (or a script) rank the report as they rank the page."""
    standards = load_standards()
    weights = {"satisfaction": 0.0, "burden": 1.0, "facility": 0.0, "staffing": 0.0}
    document = html_report.build_report(sample_store, Filters(), YEAR, "en", standards, None, weights=weights)
    expected = assessment.assessment(sample_store, Filters(), YEAR, standards, standards.profile(None), weights)
    expected = expected.dropna(subset=["rank"]).sort_values("rank")
    (table,) = sections(document).tables["assessment"]
    assert [row[1] for row in table[1:]] == list(expected["community_name"])
    assert "burden 1 · facilities 0" in document


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_ranks_only_the_rated_and_lists_the_unrated(reports, sample_store, lang):
    """毛台社区 has the sample's highest composite but no satisfaction score: it leads nothing."""
    standards = load_standards()
    scores = assessment.assessment(sample_store, Filters(), YEAR, standards, standards.profile(None))
    complete = scores[scores[[f"{c}_score" for c in COMPONENTS]].notna().all(axis=1)]
    leader = complete.loc[complete["composite"].idxmax(), "community_name"]
    unrated = scores.loc[~scores.index.isin(complete.index), "community_name"]
    assert "毛台社区" in set(unrated)
    document = without_library(reports[lang])
    first = "{}在 {} 个已评级社区中居首" if lang == "zh" else "{} comes first of the {} rated communities"
    assert first.format(leader, len(complete)) in document
    assert "毛台社区在" not in document and "毛台社区 comes first" not in document
    (table,) = sections(reports[lang]).tables["assessment"]
    assert not set(unrated) & {row[1] for row in table[1:]}
    title = translate(lang, "assessment.unrated_title")
    assert title in document
    group = document[document.index(title) :]
    for name in unrated:
        assert name in group
    assert ("不完整" if lang == "zh" else "(partial)") in group
    assert "其中 0 个" not in document and " 0 of them" not in document
