"""The dashboard through Streamlit's AppTest: every page, both languages, filters and URLs.

AppTest resets Streamlit's pages-folder detection before every run, so each run takes the
old ``pages/`` path (the first through the main script, later ones through the page and
then the entry, see ``page_frame.page``). Widgets get other ids on the two paths, so tests that
click a widget settle the session with one more run first.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypinyin import Style, lazy_pinyin
from streamlit.testing.v1 import AppTest

from community_eval.app import view_state
from community_eval.core.schema import ADMINISTRATIVE_CATEGORIES, TABLES, TASK_CATEGORIES


def pinyin(name: str) -> list[str]:
    """A name's syllables with tone numbers: lists of them compare as a pinyin index orders names."""
    return lazy_pinyin(name, style=Style.TONE3)


CHART_PAGES = [
    "pages/overview.py",
    "pages/task_burden.py",
    "pages/satisfaction.py",
    "pages/facilities.py",
    "pages/staff.py",
    "pages/assessment.py",
]
PAGES = [*CHART_PAGES, "pages/data.py"]
TIMEOUT = 60
ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")
#: Task category codes by their Chinese names, as the charts' legends show them.
TASK_CATEGORY_CODES = {value.zh: value.code for value in TASK_CATEGORIES}


@pytest.fixture
def app(sample_db, monkeypatch):
    """A fresh app session on the sample district."""
    monkeypatch.setenv("COMMUNITY_EVAL_DB", sample_db)

    def make(**query) -> AppTest:
        at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
        for key, value in query.items():
            at.query_params[key] = value
        return at

    return make


#: Streamlit's own Markdown markup, which the reader never sees: a badge or colour directive's
#: name (``:red-badge[``) and a Material icon (``:material/error:``).
STREAMLIT_MARKUP = re.compile(r":material/[a-z_]+:|:[a-z]+(?:-badge|-background)?\[")


#: A fenced block of code (the R call that reproduces an estimate): a program's text, in the
#: program's language on every page, not prose to translate.
CODE_BLOCK = re.compile(r"```.*?```", re.S)


def visible_text(at: AppTest) -> list[str]:
    """Every piece of text a reader sees on the page and in the sidebar (code blocks aside)."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "error", "warning"):
        texts += [CODE_BLOCK.sub("", STREAMLIT_MARKUP.sub("", element.value)) for element in getattr(at, kind)]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    texts += [w.label for w in at.selectbox] + [w.label for w in at.get("segmented_control")]
    texts += [text for c in at.get("plotly_chart") for text in chart_texts(c.proto.spec)]
    return texts


def chart_texts(spec: str) -> list[str]:
    """A plotly figure's titles and category labels: the words a reader sees on a chart."""
    figure = json.loads(spec)
    layout = figure.get("layout", {})
    texts = [layout.get("title", {}).get("text", "")]
    for axis in ("xaxis", "yaxis"):
        texts.append(layout.get(axis, {}).get("title", {}).get("text", ""))
    for trace in figure.get("data", []):
        texts.append(str(trace.get("name", "")))
        for axis in ("x", "y"):
            values = trace.get(axis, [])  # numbers arrive packed as {"dtype", "bdata"}
            texts += [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
    # Plotly's line break in a long label (charts.wrap_category_labels) is markup, not a word on the page.
    return [text.replace("<br>", " ") for text in texts]


# Proper nouns and units allowed on the Chinese pages; any other Latin word is untranslated English.
ALLOWED_LATIN = {
    "Language",
    "English",
    "m²",
    "m2",
    "pp",
    "CI",
    "se",  # a standard error's symbol, as in formulas and the export's column
    "CSV",
    "Excel",
    "BOM",
    "UTF",
    "GBK",
    "GB",
    "SHA",
}
# The contract's own identifiers (table and column names) are shown as they are, in code style.
ALLOWED_LATIN |= {
    word
    for table in TABLES.values()
    for name in (table.name, *table.column_names)
    for word in re.findall(r"[A-Za-z]{2,}", name)
}


#: A source cited by an internal document number: "001：村干部…", "002、004：…".
RAW_SOURCE_ID = re.compile(r"(?<![\d.])00\d(?:[、,]\s*00\d)*[：:]")


def english_words(texts: list[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        words |= {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_LATIN}
    return words


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(app, page, lang):
    at = app(lang=lang).run()
    if page != PAGES[0]:
        at.switch_page(page).run()
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
    at = app(lang="en").run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert charts, page
    for figure in charts:
        layout = figure["layout"]
        assert layout["title"]["text"], page
        axis_titles = [layout.get(axis, {}).get("title", {}).get("text") for axis in ("xaxis", "yaxis")]
        assert any(axis_titles), (page, layout["title"]["text"])
        assert layout["colorway"][0] == "#0072B2"  # the Okabe–Ito palette


def test_switching_the_standards_profile_changes_the_facility_rules(app):
    def matrix_columns(at: AppTest) -> list[str]:
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        heatmap = next(s for s in specs if s["data"][0]["type"] == "heatmap")
        return heatmap["data"][0]["x"]

    seed = app(lang="en").run().switch_page("pages/facilities.py").run()
    national = app(lang="en", profile="national_2021").run().switch_page("pages/facilities.py").run()
    assert len(matrix_columns(seed)) == 6
    assert matrix_columns(national) == ["Area per 100 households", "Resident space share", "Tenure"]
    assert seed.markdown[0].value != national.markdown[0].value


def test_the_staff_page_shows_the_share_of_secretaries_who_are_also_director(app):
    """一肩挑 in the sample district: 32 of 79 communities, in 2025 as in 2024."""
    at = app(lang="en").run().switch_page("pages/staff.py").run()
    assert not at.exception, [e.message for e in at.exception]
    joint = next(m for m in at.metric if m.label == "Secretary also director (一肩挑)")
    assert joint.value == "40.5%" and joint.proto.delta == "+0.0 pp on last year"
    assert any("In 32 of 79 communities with staff records" in c.value for c in at.caption)
    (table,) = [d.value for d in switch_on(at, "columns_staff_turnover").dataframe]
    assert table["joint_secretary_director"].sum() == 32 and set(table["joint_secretary_director"]) == {0, 1}
    zh = app(lang="zh").run().switch_page("pages/staff.py").run()
    assert next(m for m in zh.metric if m.label == "书记主任一肩挑").value == "40.5%"


def test_retention_curves_follow_the_chosen_grouping(app):
    at = app(lang="en").run().switch_page("pages/staff.py").run().run()

    def curve_names(at: AppTest) -> set[str]:
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        retention = next(s for s in specs if "Retention curve" in s["layout"]["title"]["text"])
        return {trace["name"] for trace in retention["data"] if trace.get("name")}

    assert curve_names(at) == {"Urban", "Village-converted", "Township"}
    control = next(c for c in at.get("segmented_control") if c.label == "Group by")
    control.set_value("role").run()
    assert {"Secretary", "Member"} <= curve_names(at)


def figure(at: AppTest, title: str) -> dict:
    """The plotly figure whose title contains ``title``."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if title in s["layout"]["title"]["text"])


def switch_on(at: AppTest, key: str) -> AppTest:
    """Turn on a page's switch (after a settling run, see the module's docstring)."""
    at.run()
    at.toggle(key=key).set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_facilities_page_stays_short_when_many_communities_fail(app):
    """A province has thousands of failing communities: the page lists the worst, the table all."""

    at = app(lang="en").run().switch_page("pages/facilities.py").run()
    (table,) = [d.value for d in at.dataframe]
    assert "rules_passed" in table.columns and "rule_tenure" not in table.columns, "key columns first"
    switch_on(at, "columns_facility_compliance")
    (table,) = [d.value for d in at.dataframe]
    rules = [c for c in table.columns if c.startswith("rule_")]
    failing = table[(table[rules] == "fail").any(axis=1)]
    assert len(table) == 79 and len(rules) == 6 and len(failing) > 10
    listing = [m.value for m in at.markdown if m.value.startswith("- **")][-1]  # after the rules list
    listed = [re.match(r"- \*\*(.+?)\*\*", line).group(1) for line in listing.splitlines()]
    names = failing.assign(name=failing["community_name"].map(view_state.name_from_link))
    # fewest rules passed first; as many, in pinyin order (pypinyin's reading, syllable by syllable)
    ordered = sorted(zip(names["rules_passed"], names["name"], strict=True), key=lambda row: (row[0], pinyin(row[1])))
    fewest = [name for _, name in ordered[:10]]
    assert listed == fewest, "the ten that pass fewest rules, in that order"
    captions = " ".join(c.value for c in at.caption)
    assert f"The 10 that pass fewest rules are listed; {len(failing)} fail in all" in captions
    assert f"Showing the 10 communities that fail most rules; {len(failing)} of the 79 judged" in captions


def test_the_facilities_grid_shows_failing_communities_until_asked_for_all(app):
    at = app(lang="en").run().switch_page("pages/facilities.py").run()
    (table,) = [d.value for d in switch_on(at, "columns_facility_compliance").dataframe]
    rules = [c for c in table.columns if c.startswith("rule_")]
    failing = set(table.loc[(table[rules] == "fail").any(axis=1), "community_name"].map(_name))
    grid = figure(at, "Rules met, ")["data"][0]
    assert len(grid["y"]) == 10 and set(grid["y"]) <= failing, "ten communities, every one failing"
    switch_on(at, "all_facilities_matrix")
    grid = figure(at, "Rules met, ")["data"][0]
    assert sorted(grid["y"]) == sorted(table["community_name"].map(_name)), "all 79"


def _name(link: str) -> str:

    return view_state.name_from_link(link)


def test_the_satisfaction_ranking_shows_both_ends_and_all_communities_one_click_away(app):
    survey = pd.read_csv(Path(ENTRY).parent / "sample_data" / "survey.csv")
    answered = survey[survey["survey_date"].str.startswith("2025")].groupby("community_id").size()
    shown_communities = int((answered >= 10).sum())  # the page's min_n; the rest are withheld
    assert shown_communities == 76
    at = app(lang="zh").run().switch_page("pages/satisfaction.py").run()
    (table,) = [d.value for d in at.dataframe]
    means = table.dropna(subset=["mean_overall"]).assign(name=table["community_name"].map(_name))
    order = means.sort_values(["mean_overall", "name"])["name"].tolist()
    chart = figure(at, "各社区总体满意度")
    drawn = [label.rsplit(" (n=", 1)[0] for label in chart["data"][0]["y"]]
    assert sorted(drawn) == sorted(order[:10] + order[-10:]), "the ten lowest and the ten highest"
    assert chart["layout"]["yaxis"]["categoryarray"][10] == "中间另有 56 个"
    assert "显示最低 10 个与最高 10 个，共 76 个社区。" in [c.value for c in at.caption]
    switch_on(at, "all_satisfaction_means")
    chart = figure(at, "各社区总体满意度")
    assert len(chart["data"][0]["y"]) == shown_communities
    assert "categoryarray" not in chart["layout"]["yaxis"], "no break in the whole list"
    assert not any(c.value.startswith("显示最低") for c in at.caption)


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


def test_nobody_certified_is_one_sentence_not_a_column_of_zeros(app):
    """The sample district has no certified social worker: said once, not "0.0%" on 79 rows."""
    staff = pd.read_csv(Path(ENTRY).parent / "sample_data" / "staff.csv")
    assert not staff["certified_social_worker"].astype(str).str.lower().isin(["true", "1", "是"]).any()
    at = app(lang="zh").run().switch_page("pages/staff.py").run()
    assert not at.exception, [e.message for e in at.exception]
    texts = visible_text(at)
    assert not any("持证社工占 0.0%" in text for text in texts), texts
    assert any("其中没有持证社工" in text for text in texts)
    assert any(c.value.startswith("持证社工占比：所有社区均为 0") for c in at.caption)
    (table,) = [d.value for d in at.dataframe]
    assert "certified_share" not in table.columns and "turnover_rate" in table.columns


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

    at = app(lang=lang).run()
    if page != PAGES[0]:
        at.switch_page(page).run()
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


def _unpacked(values: object) -> list[object]:
    """A plotly array as sent to the browser: a list, or numbers packed as {"dtype", "bdata"}."""
    if isinstance(values, dict):
        return list(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return list(values)


def test_where_the_hours_go_is_each_streets_own_split(app):
    """Three big streets used to flatten the towns: each bar is now 100 % of its street's own hours."""
    sample = Path(ENTRY).parent / "sample_data"
    tasks = pd.read_csv(sample / "tasks.csv").merge(pd.read_csv(sample / "communities.csv"), on="community_id")
    tasks = tasks[tasks["period"].str.startswith("2025")]
    hours = tasks.groupby(["street", "task_category"])["hours"].sum()
    expected = hours / hours.groupby(level="street").transform("sum")
    admin = expected[expected.index.get_level_values(1).isin(ADMINISTRATIVE_CATEGORIES)].groupby(level=0).sum()
    at = app(lang="zh").run().switch_page("pages/task_burden.py").run()
    assert not at.exception, [e.message for e in at.exception]
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    (spec,) = [s for s in specs if s["layout"]["title"]["text"] == "2025年工时去向：各类事项占工时的比例"]
    drawn = pd.Series(
        {
            (street, TASK_CATEGORY_CODES[trace["name"]]): share
            for trace in spec["data"]
            for street, share in zip(_unpacked(trace["y"]), _unpacked(trace["x"]), strict=True)
        }
    )
    drawn.index = drawn.index.set_names(["street", "task_category"])
    assert drawn.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())
    assert drawn.groupby(level="street").sum().to_numpy() == pytest.approx(1.0)
    # the most administrative street at the top (plotly's last category)
    assert spec["layout"]["yaxis"]["categoryarray"] == list(admin.sort_values().index)
    assert spec["layout"]["xaxis"]["title"]["text"] == "占其全部工时的比例（%）"
