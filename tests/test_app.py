"""The dashboard through Streamlit's AppTest: every page, both languages, filters and URLs.

AppTest resets Streamlit's pages-folder detection before every run, so each run takes the
old ``pages/`` path (the first through the main script, later ones through the page and
then the entry, see ``ui.page``). Widgets get other ids on the two paths, so tests that
click a widget settle the session with one more run first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from pypinyin import Style, lazy_pinyin
from streamlit.testing.v1 import AppTest

from community_eval.schema import TABLES


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


def visible_text(at: AppTest) -> list[str]:
    """Every piece of text a reader sees on the page and in the sidebar."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "error", "warning"):
        texts += [element.value for element in getattr(at, kind)]
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
    return texts


# Proper nouns and units allowed on the Chinese pages; any other Latin word is untranslated English.
ALLOWED_LATIN = {
    "Language",
    "English",
    "m²",
    "m2",
    "pp",
    "CI",
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
    (table,) = [d.value for d in at.dataframe]
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


def test_the_facilities_page_stays_short_when_many_communities_fail(app):
    """A province has thousands of failing communities: the page lists the worst, the table all."""
    from community_eval import ui

    at = app(lang="en").run().switch_page("pages/facilities.py").run()
    (table,) = [d.value for d in at.dataframe]
    rules = [c for c in table.columns if c.startswith("rule_")]
    failing = table[(table[rules] == "fail").any(axis=1)]
    assert len(table) == 79 and len(failing) > 20
    listing = [m.value for m in at.markdown if m.value.startswith("- **")][-1]  # after the rules list
    listed = [re.match(r"- \*\*(.+?)\*\*", line).group(1) for line in listing.splitlines()]
    names = failing.assign(name=failing["community_name"].map(ui.name_from_link))
    # fewest rules passed first; as many, in pinyin order (pypinyin's reading, syllable by syllable)
    ordered = sorted(zip(names["rules_passed"], names["name"], strict=True), key=lambda row: (row[0], pinyin(row[1])))
    fewest = [name for _, name in ordered[:20]]
    assert listed == fewest, "the twenty that pass fewest rules, in that order"
    assert f"The 20 that pass fewest rules are listed; {len(failing)} fail in all" in " ".join(
        c.value for c in at.caption
    )


@pytest.mark.parametrize(
    ("page", "column"), [("satisfaction", "mean_overall"), ("facilities", "budget_per_100_households")]
)
def test_a_missing_value_in_a_table_shows_a_dash_not_none(app, page, column):
    """Streamlit paints a missing cell as "None" unless told otherwise (the browser test sees the canvas)."""
    at = app(lang="zh").run().switch_page(f"pages/{page}.py").run()
    (table,) = at.dataframe
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
