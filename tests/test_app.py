"""The dashboard through Streamlit's AppTest: every page, both languages, the overview, filters
and URLs. An indicator's own page is checked in that indicator's test file (test_task_burden.py,
test_satisfaction.py, …); the helpers that read a page are in app_pages.py.

AppTest resets Streamlit's pages-folder detection before every run, so each run takes the
old ``pages/`` path (the first through the main script, later ones through the page and
then the entry, see ``page_frame.page``). Widgets get other ids on the two paths, so tests that
click a widget settle the session with one more run first.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app_pages import (
    CHART_PAGES,
    ENTRY,
    PAGES,
    STREAMLIT_MARKUP,
    TIMEOUT,
    chart_texts,
    english_words,
    opened,
    switch_on,
    visible_text,
)

#: A source cited by an internal document number: "001：村干部…", "002、004：…".
RAW_SOURCE_ID = re.compile(r"(?<![\d.])00\d(?:[、,]\s*00\d)*[：:]")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(app, page, lang):
    at = opened(app, page, lang=lang)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "every page has a title"
    if lang == "zh":
        assert not english_words(visible_text(at)), english_words(visible_text(at))
    # a standard is cited by its document's name, never by the seed file's number ("001：…")
    raw_ids = [text for text in visible_text(at) if RAW_SOURCE_ID.search(text)]
    assert not raw_ids, raw_ids


def test_browser_locale_picks_the_language(app):
    at = app()
    at.context["locale"] = "en-US"
    at.run()
    assert at.title[0].value == "Overview"
    at = app(lang="zh")
    at.context["locale"] = "en-US"
    at.run()
    assert at.title[0].value == "总览", "?lang= wins over the browser"


def test_overview_shows_the_sample_districts_figures(app):
    at = app(lang="en").run()
    figures = {m.label: m.value for m in at.metric}
    assert figures["Communities"] == "79"
    assert figures["Staff in post"] == "452"
    assert len(at.get("plotly_chart")) == 4
    # Streamlit reads a delta's direction from its first character: the sign must lead.
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Staff in post"] == "-8 on last year"
    zh = app(lang="zh").run()
    assert {m.label: m.proto.delta for m in zh.metric}["在岗社区干部"] == "-8（较上年）"


def _metric_colour(metric) -> tuple[str, str]:
    """A metric's delta colour and arrow as Streamlit draws them ("RED", "UP")."""
    fields = metric.proto.DESCRIPTOR.fields_by_name
    colour = fields["color"].enum_type.values_by_number[metric.proto.color].name
    arrow = fields["direction"].enum_type.values_by_number[metric.proto.direction].name
    return colour, arrow


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_judges_each_figure_against_its_standard(app, lang):
    """The reading names the place; the cards say which standards are met, in words and
    colour; a change is red when it is bad news, whichever way it points."""
    from community_eval.core.i18n import Translator
    from community_eval.core.standards import load_standards
    from tests.test_headlines import sample_truth

    tr, truth = Translator(lang), sample_truth()
    at = app(lang=lang).run()
    assert not at.exception, [e.message for e in at.exception]
    reading = at.markdown[0].value
    assert reading.startswith(f"**{tr('overview.reading_intro', place='仙桃市', communities='79', figures='')[:-1]}")
    # A verdict is a tinted, wrapping badge (st.badge would cut a long verdict off).
    badges = [m.value for m in at.markdown if "-background[" in m.value]
    unadmitted, unfunded = (f"{truth[key] * 100:.1f}%" for key in ("unadmitted_share", "unfunded_share"))
    assert truth["satisfaction_below"] == 0, "no community shown averages below 3 in 2025"
    expected = [
        ("red", tr("verdict.staff_in_post.misses", line="18")),
        ("green", tr("verdict.mean_satisfaction.meets", neutral="3")),
        ("red", tr("verdict.compliant_share.misses", count=truth["facilities_short"])),
        ("green", tr("verdict.turnover_rate.meets", line="30.0%")),
        ("red", tr("verdict.admin_hours_share.misses", unadmitted=unadmitted, unfunded=unfunded)),
    ]
    assert len(badges) == len(expected)
    for badge, (colour, words) in zip(badges, expected, strict=True):
        assert badge.startswith(f":small[:{colour}-background[:{colour}["), badge
        assert words in STREAMLIT_MARKUP.sub("", badge).replace("\\", "").rstrip("]"), badge
    colours = {m.label: _metric_colour(m) for m in at.metric}
    assert colours[tr("headline.turnover_rate")] == ("RED", "UP"), "turnover rose 5 points: bad news"
    assert colours[tr("headline.admin_hours_share")] == ("GREEN", "DOWN"), "the admin share fell: good news"
    assert colours[tr("headline.staff_in_post")] == ("RED", "DOWN")
    assert colours[tr("headline.mean_satisfaction")] == ("GREEN", "UP")
    help_text = next(m.proto.help for m in at.metric if m.label == tr("headline.staff_in_post"))
    assert tr("headline_standard.staff_in_post", line="18", source="")[:8] in help_text
    help_text = next(m.proto.help for m in at.metric if m.label == tr("headline.admin_hours_share"))
    source = load_standards().task_limits["unadmitted_share"].source[lang]
    assert tr("headline_basis.admin_hours_share") in help_text and source in help_text


def test_a_filter_changes_the_figures_and_the_url(app):
    at = app(lang="en").run().run()
    before = {m.label: m.value for m in at.metric}
    next(s for s in at.selectbox if s.label == "Street / town").select("干河街道").run()
    after = {m.label: m.value for m in at.metric}
    assert (before["Communities"], after["Communities"]) == ("79", "19")
    assert after["Staff in post"] != before["Staff in post"]
    assert at.query_params["street"] == "干河街道"
    labels = [text for c in at.get("plotly_chart") for text in chart_texts(c.proto.spec)]
    assert "红光社区" in labels, "inside one street, charts show its communities"


def test_a_shared_url_reproduces_the_view(app):
    at = app(lang="en", street="沙嘴街道", type="village_converted", year="2024").run()
    assert not at.exception
    figures = {m.label: m.value for m in at.metric}
    assert figures["Communities"] == "13"
    assert next(s for s in at.selectbox if s.label == "Year").value == 2024


def test_unknown_url_values_are_ignored(app):
    at = app(lang="en", street="'; drop table communities; --", year="1850").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Communities"] == "79"


def test_a_filter_that_leaves_nothing_explains_itself(app):
    at = app(lang="en", type="rural").run()
    assert not at.exception
    for page in CHART_PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception
        assert any("No data" in info.value for info in at.info), page


def test_first_start_creates_the_database_from_sample_data(tmp_path, monkeypatch):
    target = tmp_path / "fresh" / "community_eval.duckdb"
    monkeypatch.setenv("COMMUNITY_EVAL_DB", str(target))
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert target.exists()
    assert {m.label: m.value for m in at.metric}["Communities"] == "79"


def test_the_language_switch_rewrites_the_url_and_the_page(app):
    at = app(lang="en").run().run()
    at.get("segmented_control")[0].set_value("zh").run()
    assert at.query_params["lang"] == "zh"
    assert at.title[0].value == "总览"


def test_filters_survive_a_page_switch(app):
    at = app(lang="en", street="沙嘴街道").run()
    at.switch_page("pages/facilities.py").run()
    assert not at.exception
    assert next(s for s in at.selectbox if s.label == "Street / town").value == "沙嘴街道"
    assert at.query_params["street"] == "沙嘴街道"
    assert "沙嘴街道" in at.caption[0].value


@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_chart_has_a_title_and_axis_titles(app, page):
    at = opened(app, page, lang="en")
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert charts, page
    for figure in charts:
        layout = figure["layout"]
        assert layout["title"]["text"], page
        axis_titles = [layout.get(axis, {}).get("title", {}).get("text") for axis in ("xaxis", "yaxis")]
        assert any(axis_titles), (page, layout["title"]["text"])
        assert layout["colorway"][0] == "#0072B2"  # the Okabe–Ito palette


@pytest.mark.parametrize(
    ("page", "column"), [("satisfaction", "mean_overall"), ("facilities", "budget_per_100_households")]
)
def test_a_missing_value_in_a_table_shows_a_dash_not_none(app, page, column):
    """Streamlit paints a missing cell as "None" unless told otherwise (the browser test sees the canvas)."""
    at = app(lang="zh").run().switch_page(f"pages/{page}.py").run()
    indicator = {"satisfaction": "satisfaction", "facilities": "facility_compliance"}[page]
    (table,) = switch_on(at, f"columns_{indicator}").dataframe  # every column, not only the key ones
    assert table.value[column].isna().any(), "the sample district leaves some cells empty here"
    assert table.proto.HasField("placeholder") and table.proto.placeholder == "—"


# ---- every number in its declared format ---------------------------------------------------

#: Numbers written some other way than the declaration (community_eval/core/formats.py) allows:
#: e-notation, a percentage without exactly one decimal, three or more decimals (only a
#: p-value has three, after "p = "), and ".00" on what should be a whole count.
UNDECLARED_NUMBERS = [
    re.compile(r"\d[eE][-+]?\d"),
    re.compile(r"(?<![\d.])\d+(?:\.\d{2,})?\s?%"),
    re.compile(r"(?<!p [=<] )(?<![\d.])\d+\.\d{3,}(?!\d)"),
    re.compile(r"\d\.00\s?(?:件|人|个|元|次)"),
]


#: Fixed terms of method, not figures: a 95 % confidence interval, weights moved by ±10 %,
#: parts adding up to 100 % (a figure of 100 % is written "100.0%").
#: The t quantile of a 95 % interval in the written-out formulas, t(0.975, n − 1), is one too.
METHOD_TERMS = re.compile(r"95\s?%|(?:±|浮动|by )\s?10\s?%|(?<![\d.])100\s?%|t\(0\.975")


def undeclared_numbers(texts: list[str]) -> list[str]:
    plain = [METHOD_TERMS.sub("", str(text)) for text in texts]
    return [m.group(0) for text in plain for pattern in UNDECLARED_NUMBERS for m in pattern.finditer(text)]


def _plotly_formats(spec: str) -> list[str]:
    """The d3 formats a chart writes numbers with: hover templates, text templates, ticks."""
    figure = json.loads(spec)
    found = []
    for trace in figure.get("data", []):
        for key in ("hovertemplate", "texttemplate"):
            found += re.findall(r"%\{[^:}]+:([^}]+)\}", str(trace.get(key) or ""))
    layout = figure.get("layout", {})
    found += [layout[axis]["tickformat"] for axis in ("xaxis", "yaxis") if layout.get(axis, {}).get("tickformat")]
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_number_on_a_page_is_written_the_declared_way(app, page, lang):
    from community_eval.core.formats import number_format
    from community_eval.figures import charts
    from community_eval.indicators.metrics import KINDS

    at = opened(app, page, lang=lang)
    assert not at.exception
    texts = visible_text(at)
    assert not undeclared_numbers(texts), undeclared_numbers(texts)
    assert not [t for t in texts if re.search(r"\b(None|nan|NaN)\b", str(t))], "no None or nan in words"
    # Charts: only the declared hover and tick formats (dates are the locale's month format).
    declared = {*charts.HOVER_FORMATS.values(), *charts.TICK_FORMATS.values(), "d", "%Y年%-m月", "%b %Y"}
    for chart in at.get("plotly_chart"):
        assert set(_plotly_formats(chart.proto.spec)) <= declared, _plotly_formats(chart.proto.spec)
    # Tables: each number column in its kind's Streamlit format, rounded to its decimals.
    for table in at.dataframe:
        config = json.loads(table.proto.columns or "{}")
        shown = table.value
        for column, settings in config.items():
            kind = KINDS.get(column)
            fmt = settings.get("type_config", {}).get("format")
            if kind is None or fmt is None:
                continue
            assert fmt == number_format(kind).streamlit, (column, fmt)
            values = pd.to_numeric(shown[column], errors="coerce").dropna()
            decimals = number_format(kind).decimals
            assert (values.round(decimals) == values).all(), f"{column} not rounded to {decimals} decimals"
