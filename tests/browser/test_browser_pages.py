"""Every page in Chromium, in Chinese and English: it loads without an exception box or a
console error, its plotly charts draw marks, and a screenshot is kept for a person to see.
The sidebar filters change the charts, and a shared URL reproduces the view."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

from tools.meeting_screenshots import entry_pages

#: Every page in both languages, on each run, for a person to look at (git-ignored).
SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "pages"

#: (URL path, extra parameters): the first page lives at the root; the profile shows one community.
PAGES = [
    ("" if i == 0 else path, "community=XT002" if path == "profile" else "")
    for i, (*_, path) in enumerate(entry_pages())
]
NAMES = [path or entry_pages()[0][3] for path, _ in PAGES]

#: What plotly writes on a date axis unless told otherwise ("Jan 2024"), never on a Chinese page.
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")

#: Marks of a drawn plotly chart: bars, points, lines, heatmap images, filled areas.
MARKS = """(chart) => chart.querySelectorAll(
  '.trace.bars .point path, .trace.scatter path.point, .trace.scatter .js-line, .js-fill, .heatmaplayer image'
).length"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("path", "extra"), PAGES, ids=NAMES)
def test_every_page_loads_and_draws_its_charts(server, tab, path, extra, lang):
    view = tab(lang=lang).open(f"{server}/{path}?lang={lang}{'&' + extra if extra else ''}")
    name = path or NAMES[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.page.screenshot(path=str(SHOTS / f"{name}_{lang}.png"), full_page=True)
    assert not view.exceptions(), view.exceptions()
    assert not view.errors, view.errors
    charts = view.page.locator(".js-plotly-plot").all()
    if name != "data":
        assert charts, f"{name} draws no chart"
    for index, chart in enumerate(charts):
        assert chart.evaluate(MARKS) > 0, f"{name}: chart {index} has no marks"
    title = view.page.locator("h1").first.inner_text()
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title), title
        ticks = [t.text_content() or "" for t in view.page.locator(".js-plotly-plot .xtick text, .ytick text").all()]
        assert not [t for t in ticks if ENGLISH_MONTH.search(t)], f"{name}: plotly's English month names {ticks}"
    else:
        assert title.isascii(), title


def _bar_labels(view, index: int) -> list[str]:
    """The category labels of the index-th chart, as plotly holds them (``gd.data``)."""
    return (
        view.page.locator(".js-plotly-plot")
        .nth(index)
        .evaluate("(gd) => gd.data.flatMap((trace) => (trace.orientation === 'h' ? trace.y : trace.x) || [])")
    )


def test_the_sidebar_filter_changes_what_a_chart_shows(server, tab):
    view = tab(lang="en").open(f"{server}/task_burden?lang=en")
    before = set(_bar_labels(view, 0))
    street = view.page.locator(".st-key-f_street")
    street.click()
    view.page.get_by_role("option", name="干河街道", exact=True).click()
    view.settle()
    assert view.query()["street"] == "干河街道"
    after = set(_bar_labels(view, 0))
    communities = pd.read_csv(Path(__file__).resolve().parents[2] / "sample_data" / "communities.csv")
    in_street = set(communities.loc[communities["street"] == "干河街道", "community_name"])
    assert after and after <= in_street and after != before, "the street's communities only"
    assert "干河街道" in view.page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    assert not view.errors and not view.exceptions()


def test_a_shared_url_reproduces_the_view(server, tab):
    url = f"{server}/satisfaction?lang=zh&street={quote('干河街道')}&year=2024"
    first = tab(lang="zh").open(url)
    again = tab(lang="en").open(url)  # another visitor, another browser language: the URL wins
    for view in (first, again):
        assert view.query() == {"lang": "zh", "street": "干河街道", "year": "2024", "profile": "seed_2016"}
        assert view.page.locator("h1").first.inner_text() == "居民满意度"
        assert "干河街道 · 2024年" in view.page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    titles = [first.page.locator(".js-plotly-plot").nth(i).evaluate("(gd) => gd.layout.title.text") for i in range(2)]
    assert all("2024" in title for title in titles), titles
    assert _bar_labels(first, 0) == _bar_labels(again, 0)


#: A laptop page fits in about three of its screens (issue 16, part 5): 3 × 900 px at 1440×900.
LAPTOP = (1440, 900)
MAX_HEIGHT = 2700
#: A phone's viewport (issue 16: every page seen at 390×844).
PHONE = (390, 844)
#: Chart titles that run past their figure's right edge: plotly draws a title as one SVG line
#: that never wraps, so a long one is cut mid-word ("…by department, 20").
CLIPPED_TITLES = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap((chart) => {
  const title = chart.querySelector('.gtitle');
  const figure = chart.querySelector('.main-svg');
  if (!title || !figure) return [];
  const box = title.getBBox();
  return box.x + box.width > figure.getBoundingClientRect().width + 1 ? [title.textContent] : [];
})"""
#: The page's full height: Streamlit scrolls its main column, not the document.
FULL_HEIGHT = "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
ANALYSIS_PAGES = [
    pytest.param(path, extra, id=name)
    for (path, extra), name in zip(PAGES, NAMES, strict=True)
    if name != "data"  # a form, as long as what it asks
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("path", "extra"), ANALYSIS_PAGES)
def test_a_laptop_page_fits_in_about_three_screens(server, tab, path, extra, lang):
    view = tab(*LAPTOP, lang=lang).open(f"{server}/{path}?lang={lang}{'&' + extra if extra else ''}")
    height = view.page.evaluate(FULL_HEIGHT)
    assert height <= MAX_HEIGHT, f"{path or NAMES[0]} ({lang}) is {height} px tall at 1440×900"
    assert not view.page.evaluate(CLIPPED_TITLES), "chart titles cut at the figure's edge"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("path", "extra"), ANALYSIS_PAGES)
def test_every_chart_title_fits_its_figure_on_a_phone(server, tab, path, extra, lang):
    view = tab(*PHONE, lang=lang).open(f"{server}/{path}?lang={lang}{'&' + extra if extra else ''}")
    assert view.page.locator(".js-plotly-plot .gtitle").count(), "the page's charts have titles"
    assert not view.page.evaluate(CLIPPED_TITLES), f"{path or NAMES[0]} ({lang}): titles cut on a phone"
