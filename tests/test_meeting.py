"""Meeting mode through AppTest: every page as a deck of slides, the controls, the URL and the
restyled figures. The browser-level checks (no scrolling at 1920×1080 and 1280×720) are in
``tests/browser/test_browser_meeting.py``.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from community_eval.app import meeting, widgets
from community_eval.core.i18n import Translator
from community_eval.core.safety import WORD_JOINER
from community_eval.db.store import Store
from community_eval.figures import charts
from tools.meeting_screenshots import entry_pages

TIMEOUT = 60
ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = [script for script, *_ in entry_pages()]
FIRST = PAGES[0]
#: Slides a deck shows besides the page's charts: the overview opens with its headline figures.
MEETING_ONLY = {"pages/overview.py": 1}


def deck_size(normal_counts: dict[str, int], page: str) -> int:
    """How many slides a page's deck has: its charts, and any slide only meeting mode shows."""
    return normal_counts[page] + MEETING_ONLY.get(page, 0)


@pytest.fixture
def app(sample_db, monkeypatch):
    """A fresh app session on the sample district, with the given URL parameters."""
    monkeypatch.setenv("COMMUNITY_EVAL_DB", sample_db)

    def make(page: str = FIRST, **query) -> AppTest:
        """Open ``page`` as a link with ``query`` would: AppTest starts on the first page, so the
        deck's own parameters are set only once the session is there (the filters at once)."""
        at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
        own = {key: query.pop(key) for key in ("mode", "slide", "auto") if key in query and page != FIRST}
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page != FIRST:
            for key, value in own.items():
                at.query_params[key] = value
            at.switch_page(page).run()
        return at

    return make


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def title_of(figure: dict) -> str:
    return figure["layout"]["title"]["text"]


def counter(at: AppTest) -> str | None:
    """The slide counter ("3 / 7"), if the deck shows one."""
    texts = [m.value for m in at.markdown if "/" in m.value and m.value.replace(" ", "").replace("/", "").isdigit()]
    return texts[0] if texts else None


def unescaped(text: str) -> str:
    """What the reader sees: no backslash escapes, no invisible word joiners."""
    return text.replace("\\", "").replace(WORD_JOINER, "")


@pytest.fixture(scope="module")
def normal_counts(sample_db) -> dict[str, int]:
    """How many charts each page draws outside meeting mode (the deck must have as many slides)."""

    @cache
    def count(page: str) -> int:
        at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
        at.query_params["lang"] = "en"
        at.run()
        if page != FIRST:
            at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        return len(at.get("plotly_chart"))

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMMUNITY_EVAL_DB", sample_db)
        yield {page: count(page) for page in PAGES}


# ---- every page -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_as_a_deck(app, normal_counts, page, lang):
    at = app(page, lang=lang, mode="meeting")
    assert not at.exception, [e.message for e in at.exception]
    tr = Translator(lang)
    total = deck_size(normal_counts, page)
    shown = figures(at)
    if total == 0:
        assert not shown
        # No charts, stopped before any, or (the profile) no community chosen yet.
        messages = (tr("meeting.no_charts"), tr("meeting.no_data"), tr("meeting.pick_community"))
        assert any(info.value in messages for info in at.info), page
        assert counter(at) is None
    else:
        assert len(shown) == 1, "one chart per screen"
        assert counter(at) == f"1 / {total}"
        assert at.query_params["slide"] == "1"
    assert at.button(key="meeting_exit").label == tr("meeting.exit")


def test_next_and_previous_change_the_slide_and_the_url(app, normal_counts):
    page = "pages/task_burden.py"
    at = app(page, lang="en", mode="meeting").run()
    first = title_of(figures(at)[0])
    at.button(key="meeting_next").click().run()
    assert at.query_params["slide"] == "2"
    assert counter(at) == f"2 / {normal_counts[page]}"
    second = title_of(figures(at)[0])
    assert second != first
    at.button(key="meeting_next").click().run()
    assert at.query_params["slide"] == "3"
    assert title_of(figures(at)[0]) not in (first, second)
    at.button(key="meeting_prev").click().run().button(key="meeting_prev").click().run()
    assert at.query_params["slide"] == "1"
    assert title_of(figures(at)[0]) == first


def test_the_url_opens_a_given_slide(app, normal_counts):
    page = "pages/staff.py"
    total = normal_counts[page]
    at = app(page, lang="en", mode="meeting", slide="3")
    assert counter(at) == f"3 / {total}"
    last = app(page, lang="en", mode="meeting", slide="last")
    assert counter(last) == f"{total} / {total}"
    assert last.query_params["slide"] == str(total)
    beyond = app(page, lang="en", mode="meeting", slide="999")
    assert counter(beyond) == f"{total} / {total}"
    nonsense = app(page, lang="en", mode="meeting", slide="'; drop")
    assert counter(nonsense) == f"1 / {total}"


def test_past_the_last_slide_comes_the_next_page_with_the_filters_kept(app, normal_counts):
    at = app("pages/overview.py", lang="zh", mode="meeting", street="干河街道", slide="last").run()
    at.button(key="meeting_next").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == Translator("zh")("nav.task_burden")
    assert counter(at) == f"1 / {normal_counts['pages/task_burden.py']}"
    assert dict(at.query_params) | {"slide": "1"} == dict(at.query_params)
    kept = (at.query_params["street"], at.query_params["lang"], at.query_params["mode"])
    assert kept == ("干河街道", "zh", "meeting")
    assert "干河街道" in unescaped(" ".join(m.value for m in at.markdown))
    at.button(key="meeting_prev").click().run()
    assert at.title[0].value == Translator("zh")("nav.overview")
    assert at.query_params["slide"] == str(deck_size(normal_counts, "pages/overview.py"))


def test_a_page_without_slides_still_leads_on(app):
    """The profile without a community has no slide; previous / next must not strand the deck."""
    tr = Translator("en")
    at = app("pages/profile.py", lang="en", mode="meeting")
    assert tr("meeting.pick_community") in [info.value for info in at.info]
    at.button(key="meeting_next").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == tr("nav.overview"), "past the data page, round to the first"
    assert at.query_params["mode"] == "meeting"


def test_the_profile_of_a_community_is_a_deck(app):
    at = app("pages/profile.py", lang="zh", mode="meeting", community="XT002")
    assert not at.exception, [e.message for e in at.exception]
    assert len(figures(at)) == 1
    total = int(counter(at).split("/")[1])
    assert total >= 2, "its position and its trends at least"
    assert "新华社区" in unescaped(" ".join(m.value for m in at.markdown)), "the footer names the community"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_footer_names_the_filter_and_the_data_date(app, lang):
    tr = Translator(lang)
    at = app("pages/satisfaction.py", lang=lang, mode="meeting", street="干河街道", year="2024")
    footer = [unescaped(m.value) for m in at.markdown]
    scope = "干河街道 · " + tr("filters.year_value", year=2024)
    assert tr("meeting.scope", scope=scope) in footer
    assert any(text.startswith(tr("meeting.data_date", date="")) and text[-5:-3].isdigit() for text in footer)


def test_the_slide_is_set_for_the_back_of_the_room(app):
    at = app("pages/staff.py", lang="zh", mode="meeting", slide="3")
    layout = figures(at)[0]["layout"]
    sizes = [layout["font"]["size"], layout["title"]["font"]["size"], layout["legend"]["font"]["size"]]
    for axis in ("xaxis", "yaxis"):
        sizes += [layout[axis]["tickfont"]["size"], layout[axis]["title"]["font"]["size"]]
    sizes += [annotation["font"]["size"] for annotation in layout.get("annotations", [])]
    assert min(sizes) >= 24, sizes
    assert layout["font"]["color"] == "#000000"
    assert "height" not in layout, "the slide's height follows the screen"


def test_a_filter_that_leaves_nothing_still_shows_a_slide(app):
    tr = Translator("en")
    at = app("pages/task_burden.py", lang="en", mode="meeting", type="rural")
    assert not at.exception
    assert not figures(at)
    assert any(tr("meeting.no_data") in info.value for info in at.info)
    scope = tr.enum("community_type", "rural") + " · " + tr("filters.year_value", year=2025)
    assert tr("meeting.scope", scope=scope) in [unescaped(m.value) for m in at.markdown], "the footer still shows"


# ---- in and out ---------------------------------------------------------------------------


def test_leaving_restores_the_page_and_keeps_the_view(app, normal_counts):
    page = "pages/satisfaction.py"
    at = app(page, lang="en", mode="meeting", street="沙嘴街道", slide="2", auto="30").run()
    at.button(key="meeting_exit").click().run()
    assert not at.exception
    assert "mode" not in at.query_params and "slide" not in at.query_params and "auto" not in at.query_params
    assert (at.query_params["lang"], at.query_params["street"]) == ("en", "沙嘴街道")
    assert len(at.get("plotly_chart")) == normal_counts[page]
    assert at.title[0].value == "Resident satisfaction"


def test_the_sidebar_switch_enters_meeting_mode(app):
    at = app("pages/facilities.py", lang="en", street="沙嘴街道").run()
    assert at.toggle(key="meeting_toggle").value is False
    at.toggle(key="meeting_toggle").set_value(True).run()
    assert (at.query_params["mode"], at.query_params["slide"]) == ("meeting", "1")
    assert at.query_params["street"] == "沙嘴街道"
    assert len(figures(at)) == 1
    assert at.title[0].value == "Facility compliance"


def test_auto_advance_lives_in_the_url(app):
    at = app("pages/overview.py", lang="en", mode="meeting", auto="20").run()
    assert at.selectbox(key="meeting_auto").value == 20
    at.selectbox(key="meeting_auto").set_value(0).run()
    assert "auto" not in at.query_params
    at.selectbox(key="meeting_auto").set_value(10).run()
    assert at.query_params["auto"] == "10"
    odd = app("pages/overview.py", lang="en", mode="meeting", auto="45")
    assert odd.selectbox(key="meeting_auto").value == 45
    assert app("pages/overview.py", lang="en", mode="meeting", auto="1").selectbox(key="meeting_auto").value == 0


# ---- the figure and the deck's order, without Streamlit --------------------------------------


def long_ranking(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"name": [f"社区{i}" for i in range(rows)], "value": range(rows)})


def test_a_long_ranking_shows_its_top_rows_with_a_note():
    figure = charts.ranked_bars(
        long_ranking(30), "name", "value", title="T", value_title="V", label_title="L", kind="int"
    )
    wall = meeting.wall_figure(figure, Translator("en"))
    assert list(wall.layout.yaxis.range) == [19.5, 29.5], "the top ten of thirty, drawn upwards"
    assert "Showing the first 10 of 30" in wall.layout.title.text
    assert len(wall.data[0].y) == 30, "the data stay whole"
    assert wall.data[0].marker.line.color == "#000000"
    assert figure.layout.height is not None and figure.layout.font.size == 14, "the page's figure is untouched"


def test_a_ranking_cut_to_its_top_rows_counts_all_of_them_on_the_wall():
    """The page keeps the top 20 of 79; the wall shows 10 and must say of 79, not of 20."""
    figure = charts.ranked_bars(
        long_ranking(79), "name", "value", title="T", value_title="V", label_title="L", kind="int", limit=20
    )
    wall = meeting.wall_figure(figure, Translator("zh"))
    assert "图中显示前 10 项，共 79 项" in wall.layout.title.text
    few = charts.ranked_bars(
        long_ranking(79), "name", "value", title="T", value_title="V", label_title="L", kind="int", limit=5
    )
    assert "Showing the first 5 of 79" in meeting.wall_figure(few, Translator("en")).layout.title.text


def test_the_wall_counts_the_districts_communities(app):
    """The staff deck's last slide ranks workers per 10,000 residents, both ends of it: the
    break between them counts every other community of the sample, as pandas counts them."""
    communities = pd.read_csv(Path(__file__).resolve().parent.parent / "sample_data" / "communities.csv")
    at = app("pages/staff.py", lang="zh", mode="meeting", slide="last")
    (figure,) = figures(at)
    tr = Translator("zh")
    assert title_of(figure).startswith(tr("staff.chart.per_10000", year=2025))
    rows = [label for trace in figure["data"] for label in (trace.get("y") or []) if isinstance(label, str)]
    named = {label for label in rows if not label.startswith("中间另有")}
    assert len(named) == 2 * widgets.ENDS_SMALL
    assert tr("extremes.gap", hidden=len(communities) - len(named)) in figure["layout"]["yaxis"]["categoryarray"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_deck_opens_with_the_headline_figures_and_their_verdicts(app, lang):
    """Slide 1 is the figures the overview's cards show, each judged by the same function."""
    from tests.test_headlines import sample_truth

    tr = Translator(lang)
    truth = sample_truth()
    at = app(FIRST, lang=lang, mode="meeting")
    assert not at.exception, [e.message for e in at.exception]
    (figure,) = figures(at)
    assert title_of(figure) == tr("overview.board_title", place="仙桃市", year=2025)
    texts = [unescaped(a["text"]) for a in figure["layout"]["annotations"]]
    shown = " ".join(texts)
    for key in ("communities", "residents", "staff_in_post"):
        assert tr(f"headline.{key}") in shown
        assert tr.number(truth[key]) in shown, key
    assert tr("verdict.staff_in_post.misses", line="18") in shown, "6.9 per 10,000 is below 18"
    assert tr("verdict.compliant_share.misses", count=truth["facilities_short"]) in shown
    assert tr("verdict.turnover_rate.meets", line="30.0%") in shown
    unadmitted, unfunded = (f"{truth[key] * 100:.1f}%" for key in ("unadmitted_share", "unfunded_share"))
    # A verdict too long for the column wraps onto two lines: read it without the breaks.
    words = tr("verdict.admin_hours_share.misses", unadmitted=unadmitted, unfunded=unfunded)
    assert words.replace(" ", "") in shown.replace("<br>", "").replace(" ", "")
    assert truth["satisfaction_below"] == 0 and tr("verdict.mean_satisfaction.meets", neutral="3") in shown
    # Bad news in vermillion, good news in green, whichever way the arrow points.
    turnover = next(t for t in texts if tr("verdict.turnover_rate.meets", line="30.0%") in t)
    assert charts.TONE_COLOURS["good"] in turnover
    rise = next(t for t in texts if t.count("▲") and "5.0" in t)
    assert charts.TONE_COLOURS["bad"] in rise, "turnover rose: red, though up"


def test_a_long_matrix_shows_its_first_rows():
    frame = pd.DataFrame({"name": [f"c{i}" for i in range(15)], "rule": ["pass"] * 15})
    figure = charts.status_matrix(
        frame, "name", {"rule": "Rule"}, status_names={"pass": "P", "fail": "F", "unknown": "?"},
        title="T", x_title="X", y_title="Y",
    )  # fmt: skip
    wall = meeting.wall_figure(figure, Translator("zh"))
    assert list(wall.layout.yaxis.range) == [9.5, -0.5]
    assert wall.layout.xaxis.side == "bottom"
    assert wall.data[0].textfont.size >= 24


def test_short_charts_are_left_whole_and_lines_thickened():
    figure = charts.trend_line(
        pd.DataFrame({"x": [2023, 2024, 2025], "y": [0.1, 0.2, 0.15]}),
        "x", "y", title="T", x_title="X", y_title="Y", kind="share",
    )  # fmt: skip
    wall = meeting.wall_figure(figure, Translator("en"))
    assert wall.layout.yaxis.range is None
    assert wall.data[0].line.width >= 5 and wall.data[0].marker.size >= 16


def test_a_long_title_is_broken_once_where_it_halves_best():
    assert meeting._wrap("Short title", 33) == "Short title"
    wrapped = meeting._wrap("Administrative share of staff hours against resident satisfaction by community, 2025", 33)
    assert wrapped.count("<br>") == 1
    first, second = wrapped.split("<br>")
    assert abs(len(first) - len(second)) < 20
    chinese = "二〇二五年各社区行政事务工时占比与居民总体满意度的关系及其九十五置信区间"
    assert meeting._wrap(chinese, 20).count("<br>") == 1


def test_the_deck_moves_round_the_pages_past_the_tools():
    pages = ["pages/a.py", "pages/b.py", "pages/data.py"]
    assert meeting._neighbour(0, pages, 1) == "pages/b.py"
    assert meeting._neighbour(1, pages, 1) == "pages/a.py", "past data, round to the start"
    assert meeting._neighbour(0, pages, -1) == "pages/b.py"
    assert meeting._neighbour(None, pages, 1) is None


def test_the_data_date_is_the_newest_load_still_in_effect(known_db, empty_store, tmp_path):
    assert empty_store.last_loaded_at() is None
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(known_db, copy)
    store = Store(str(copy))
    try:
        loads = store.imports().sort_values("import_id")
        assert store.last_loaded_at() == loads["loaded_at"].max().to_pydatetime()
        latest = int(loads["import_id"].iloc[-1])
        store.undo(latest)
        assert store.last_loaded_at() == loads["loaded_at"].iloc[:-1].max().to_pydatetime()
    finally:
        store.close()


def test_no_slide_of_the_assessment_names_an_unrated_community(app, normal_counts, sample_db):
    """The deck's ranking slides carry the rated only: 毛台社区, with the best partial composite
    of the sample and no satisfaction score, is on none of them (INDICATORS.md ``rated``)."""
    from community_eval.core.standards import load_standards
    from tests.test_assessment import _sample_by_hand

    _, unrated = _sample_by_hand(sample_db, load_standards())
    assert "毛台社区" in unrated
    page = "pages/assessment.py"
    for slide in range(1, normal_counts[page] + 1):
        at = app(page, lang="zh", mode="meeting", slide=str(slide))
        assert not at.exception, [e.message for e in at.exception]
        (figure,) = figures(at)
        labels = {
            v for trace in figure["data"] for axis in ("x", "y") for v in (trace.get(axis) or []) if isinstance(v, str)
        }
        assert not labels & set(unrated), (slide, title_of(figure), labels & set(unrated))


def test_a_ranking_slide_shows_both_ends_and_the_break_whole(app):
    """The wall holds ten rows: five lowest, the break, five highest, none scrolled out of view."""
    at = app("pages/satisfaction.py", lang="zh", mode="meeting")
    assert not at.exception, [e.message for e in at.exception]
    (means,) = figures(at)
    assert "各社区总体满意度" in title_of(means)
    rows = means["data"][0]["y"]
    assert len(rows) == meeting.MAX_ROWS
    assert means["layout"]["yaxis"]["categoryarray"][5] == "中间另有 66 个", "76 shown communities less ten"
    assert "range" not in means["layout"]["yaxis"], "nothing zoomed out of view"
