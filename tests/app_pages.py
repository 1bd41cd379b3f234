"""The dashboard through Streamlit's AppTest: what the page tests share.

The ``app`` fixture (conftest.py) opens a session on the sample district; these helpers read
what a reader sees in it. AppTest resets Streamlit's pages-folder detection before every run,
so widgets get other ids on the first run and later ones: ``switch_on`` settles the session
with one more run before it clicks.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
from pypinyin import Style, lazy_pinyin
from streamlit.testing.v1 import AppTest

from community_eval.app import view_state
from community_eval.core.schema import TABLES


def pinyin(name: str) -> list[str]:
    """A name's syllables with tone numbers: lists of them compare as a pinyin index orders names."""
    return lazy_pinyin(name, style=Style.TONE3)


ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")
TIMEOUT = 60

#: The pages with charts, the entry's own first; every page the ``app`` fixture opens without a community.
CHART_PAGES = [
    "pages/overview.py",
    "pages/task_burden.py",
    "pages/satisfaction.py",
    "pages/facilities.py",
    "pages/staff.py",
    "pages/assessment.py",
    "pages/cost.py",
]
PAGES = [*CHART_PAGES, "pages/data.py"]


def opened(app, page: str, **query: str) -> AppTest:
    """A fresh session from the ``app`` fixture, run and moved on to ``page`` (the entry opens the first)."""
    at = app(**query).run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    return at


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


def english_words(texts: list[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        words |= {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_LATIN}
    return words


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


def link_name(link: str) -> str:
    """A community's name as a table shows it, taken back out of its profile link."""
    return view_state.name_from_link(link)


def unpacked(values: object) -> list[object]:
    """A plotly array as sent to the browser: a list, or numbers packed as {"dtype", "bdata"}."""
    if isinstance(values, dict):
        return list(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return list(values)
