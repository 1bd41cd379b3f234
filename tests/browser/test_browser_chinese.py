"""A Chinese page shows no English, Streamlit's and plotly's own words included; an English page
keeps them in English; and no page in either language shows "None" or "nan".

Streamlit writes its frontend in English (an upload box's "Upload", a select box's "No results",
a table's and a chart's toolbar tips) and has no setting to change that (streamlit/streamlit#1353,
#13500): :mod:`community_eval.app.frontend_words` rewrites those words in the browser, so only a
browser can check them. Each check reads what a reader meets: the text of every visible element,
the title, aria-label, placeholder and tooltip (plotly's ``data-title``) of every visible element,
the text a table paints on its canvas, and what shows only after a hover, a click or typing.
"""

from __future__ import annotations

import re

import pytest

from community_eval.core.i18n import catalog
from community_eval.core.schema import ENUMS, TABLES
from tests.app_pages import ALLOWED_LATIN
from tests.browser.test_browser_pages import NAMES, PAGES
from tests.test_collation import STREETS

#: Words a Chinese page may show besides ALLOWED_LATIN (proper nouns, units, the data contract's
#: identifiers): file formats, named as CSV and Excel are (the offline report's HTML, a chart's
#: PNG download), and the units of a file's size (the upload limit, an uploaded file's size).
ALLOWED = ALLOWED_LATIN | {"HTML", "PNG", "KB", "MB"}
#: The contract's codes (``administrative``) and unit suffixes (``hr``, ``yuan``), which the data
#: dictionary lists beside their Chinese words as what a file may contain, like the column identifiers.
CONTRACT = [value.code for values in ENUMS.values() for value in values]
UNITS = [column.unit for table in TABLES.values() for column in table.columns if column.unit]
CONTRACT += [suffix for unit in UNITS for suffix in unit.suffixes]
ALLOWED |= {word for text in CONTRACT for word in re.findall(r"[A-Za-z]{2,}", text)}
#: What names a thing in any language: a file name's extension (".xlsx", ".ods") and a file's
#: fingerprint (the import history's hexadecimal digest).
EXTENSION = re.compile(r"\.[A-Za-z0-9]{2,5}\b|\b[0-9a-f]{12,64}\b")

#: The text of every visible text node and the reader-facing attributes of every visible element.
#: Material icons are drawn from their name ("dashboard", "upload") in an icon font: a glyph, no word.
READ_PAGE = """() => {
  const icon = (el) => el.closest('[data-testid="stIconMaterial"]')
    || /Material Symbols|Material Icons/.test(getComputedStyle(el).fontFamily);
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !node.nodeValue.trim() || el.closest('script, style') || !el.checkVisibility() || icon(el)) continue;
    texts.push(node.nodeValue);
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [data-title]')) {
    if (!el.checkVisibility()) continue;
    for (const name of ['title', 'aria-label', 'placeholder', 'data-title']) {
      const value = el.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts;
}"""

#: Everything the document holds as text, hidden or not: where a missing value would show as
#: "None" or "nan" (a table's cells are read from its canvas, :data:`RECORD_CANVAS`).
ALL_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('script, style')) texts.push(node.nodeValue);
  }
  return texts.join(' | ');
}"""
#: What pandas and Python write for a missing value; "None" is also Streamlit's default for an empty cell.
MISSING = re.compile(r"\b(None|nan|NaN)\b")

#: A table (st.dataframe) paints its cells on a canvas, out of reach of the document's text:
#: installed before the page loads, this keeps every text painted on any canvas.
RECORD_CANVAS = """(() => {
  const painted = (window.__paintedText = []);
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    painted.push(String(text));
    return fillText.call(this, text, ...rest);
  };
})();"""
PAINTED = "() => window.__paintedText.splice(0)"


def english(texts: list[str]) -> list[str]:
    """Each English word with the first text it was found in, sorted: empty when there is none."""
    found: dict[str, str] = {}
    for text in texts:
        for word in re.findall(r"[A-Za-z]{2,}", EXTENSION.sub(" ", text)):
            if word not in ALLOWED:
                found.setdefault(word, text[:100])
    return [f"{word} ← {text!r}" for word, text in sorted(found.items())]


def read(view) -> list[str]:
    return view.page.evaluate(READ_PAGE)


def hover_first_visible(view, selector: str):
    """Hover the first visible element of ``selector`` (scrolled into view); it, or None."""
    for element in view.page.locator(selector).all():
        if element.is_visible():
            element.scroll_into_view_if_needed()
            element.hover()
            view.page.wait_for_timeout(400)
            return element
    return None


TOOLTIP = "[data-testid='stTooltipContent']"


def toolbar_tooltips(view) -> list[str]:
    """Hover a table, then each button of its toolbar: the tooltip each shows (none without a table)."""
    table = hover_first_visible(view, "[data-testid='stDataFrame']")
    if table is None:
        return []
    tips: list[str] = []
    buttons = [b for b in view.page.locator("[data-testid='stElementToolbar'] button").all() if b.is_visible()]
    for button in buttons:
        table.hover()
        button.hover()
        view.page.locator(TOOLTIP).first.wait_for(timeout=5000)  # shown after a short delay
        tips += view.page.locator(TOOLTIP).all_inner_texts()
    assert tips, "the table's toolbar shows its tooltips"
    return tips


def modebar_titles(view) -> list[str]:
    """Hover a chart: its modebar's tooltips (plotly's ``data-title``) and aria-labels."""
    if hover_first_visible(view, ".js-plotly-plot") is None:
        return []
    return view.page.evaluate(
        """() => [...document.querySelectorAll('.modebar-btn')]
             .flatMap((b) => [b.getAttribute('data-title'), b.getAttribute('aria-label')]).filter(Boolean)"""
    )


#: The table's canvas shows a column resize cursor on the edge between two headers.
CURSOR = "(canvas) => getComputedStyle(canvas).cursor"


def open_column_menu(view, table, column: int) -> None:
    """Open the menu of the table's ``column``-th column (0 = first): hover its header, click
    the menu button it then draws just left of the column's right edge (found by the cursor)."""
    canvas = table.locator("canvas").first
    box = table.bounding_box()
    y = box["y"] + 18
    edges: list[int] = []  # where each run of resize cursors starts
    resizing = False
    for x in range(20, int(box["width"]), 2):  # from past the table's own left edge
        view.page.mouse.move(box["x"] + x, y)
        now = canvas.evaluate(CURSOR) == "col-resize"
        if now and not resizing:
            edges.append(x)
        resizing = now
        if len(edges) > column:
            break
    view.page.mouse.move(box["x"] + edges[column] - 40, y)
    view.page.wait_for_timeout(300)
    view.page.mouse.click(box["x"] + edges[column] - 14, y)
    view.page.locator("[data-testid='stDataFrameColumnMenu']").wait_for(timeout=5000)


def switch_language(view, label: str, lang: str) -> None:
    """Click the sidebar's language control until the page says it switched (a click landing
    while the page still settles can be lost)."""
    for _ in range(4):
        view.page.get_by_role("radio", name=label).click()
        view.page.wait_for_timeout(800)
        if view.query().get("lang") == lang:
            break
    view.settle()
    assert view.query().get("lang") == lang


def url(server: str, path: str, extra: str, lang: str) -> str:
    return f"{server}/{path}?lang={lang}{'&' + extra if extra else ''}"


def visit(tab, server: str, path: str, extra: str, lang: str):
    """A new visitor on the page, recording what its tables paint (:data:`RECORD_CANVAS`)."""
    view = tab(lang=lang)
    view.page.add_init_script(RECORD_CANVAS)
    return view.open(url(server, path, extra, lang))


def each_tab(view):
    """Show each tab of the page in turn (the data page has four); a page without tabs once."""
    names = view.page.get_by_role("tab").all_inner_texts()
    yield None
    for name in names[1:]:
        view.page.get_by_role("tab", name=name, exact=True).click()
        view.page.wait_for_timeout(500)
        yield name


def scroll_tables(view) -> list[str]:
    """Scroll each visible table to its last row: every text its cells painted on the way."""
    for table in view.page.locator("[data-testid='stDataFrame']").all():
        if table.is_visible():
            table.scroll_into_view_if_needed()
            table.hover()
            for _ in range(8):
                view.page.mouse.wheel(0, 400)
                view.page.wait_for_timeout(120)
    return view.page.evaluate(PAINTED)


@pytest.mark.parametrize(("path", "extra"), PAGES, ids=NAMES)
def test_a_chinese_page_shows_no_english(server, tab, path, extra):
    view = visit(tab, server, path, extra, "zh")
    texts = read(view) + scroll_tables(view)
    texts += toolbar_tooltips(view) + read(view)
    titles = modebar_titles(view)
    if (path or NAMES[0]) != "data":
        assert titles, "the chart shows its modebar"
    texts += titles + read(view)
    assert not english(texts), english(texts)
    assert not view.errors and not view.exceptions()
    # the script's element and its wrapper take no room (a flex gap would push the page down)
    hidden = "[data-testid='stLayoutWrapper']:has(> .st-key-frontend_words)"
    assert view.page.locator(hidden).evaluate("(el) => getComputedStyle(el).display") == "none"


def test_the_data_pages_tabs_and_uploader_speak_chinese(server, tab):
    view = visit(tab, server, "data", "", "zh")
    dropzone = view.page.locator("[data-testid='stFileUploaderDropzone']")
    assert "上传" in dropzone.inner_text()
    texts = read(view)
    # a file the uploader holds: its chip, its size, its remove button
    view.page.locator(".st-key-data_files input[type='file']").set_input_files(
        files=[{"name": "表格.et", "mimeType": "application/vnd.ms-excel", "buffer": "社区编码,社区名称\n".encode()}]
    )
    view.page.locator("[data-testid='stFileChip']").first.wait_for()
    view.settle()
    # the browser takes any file (a WPS .et is a workbook); the reader says, in Chinese, what it is
    assert not view.page.locator("[data-testid='stFileChip'] [role='alert']").count()
    assert catalog("zh")["reason.xls_is_text"] in view.page.locator("[data-testid='stMain']").inner_text()
    texts += read(view)
    for _ in each_tab(view):
        texts += read(view) + scroll_tables(view) + toolbar_tooltips(view)
    assert not english(texts), english(texts)
    assert not view.errors and not view.exceptions()


def test_an_opened_select_box_speaks_chinese_and_lists_streets_in_pinyin_order(server, tab):
    view = tab(lang="zh").open(url(server, "task_burden", "", "zh"))
    view.page.locator(".st-key-f_street").click()
    options = view.page.get_by_role("option").all_inner_texts()
    assert options == STREETS, "the streets in pinyin order"
    texts = read(view)
    view.page.keyboard.type("zzzz")  # no street has this in its name
    view.page.wait_for_timeout(400)
    texts += read(view)
    assert catalog("zh")["streamlit.no_results"] in view.page.locator("body").inner_text()
    assert not english(texts), english(texts)


def test_the_table_toolbar_search_and_column_menus_speak_chinese(server, tab):
    view = tab(lang="zh").open(url(server, "task_burden", "", "zh"))
    texts = toolbar_tooltips(view)
    assert catalog("zh")["streamlit.search"] in texts
    table = hover_first_visible(view, "[data-testid='stDataFrame']")
    view.page.get_by_role("button", name=catalog("zh")["streamlit.show_hide_columns"]).click()
    view.page.wait_for_timeout(400)
    texts += read(view)
    view.page.keyboard.press("Escape")
    table.hover()
    view.page.get_by_role("button", name=catalog("zh")["streamlit.search"]).click()
    view.page.keyboard.type("社区")
    view.page.wait_for_timeout(600)
    texts += read(view)
    assert catalog("zh")["streamlit.next_result"] in texts
    view.page.keyboard.press("Escape")
    # the menu of a number column, its format and statistics submenus, and the kind icon's tooltip
    open_column_menu(view, table, 1)
    texts += read(view)
    for item in ("statistics", "format"):
        view.page.get_by_role("menuitem", name=catalog("zh")[f"streamlit.{item}"]).hover()
        view.page.wait_for_timeout(500)
        texts += read(view)
    assert catalog("zh")["streamlit.format_scientific"] in texts
    assert catalog("zh")["streamlit.stat_median"] in texts
    assert not english(texts), english(texts)
    assert not view.errors and not view.exceptions()


def test_an_english_page_keeps_streamlits_english_and_a_switch_restores_it(server, tab):
    view = tab(lang="en").open(url(server, "data", "", "en"))
    dropzone = view.page.locator("[data-testid='stFileUploaderDropzone']")
    assert "Upload" in dropzone.inner_text() and "100MB per file" in dropzone.inner_text()
    switch_language(view, "中文", "zh")
    assert "上传" in dropzone.inner_text() and "每个文件不超过 100MB" in dropzone.inner_text()
    switch_language(view, "English", "en")
    assert "Upload" in dropzone.inner_text() and "100MB per file" in dropzone.inner_text()
    assert not re.search("[\u4e00-\u9fff]", dropzone.inner_text())
    titles = modebar_titles(view.open(url(server, "task_burden", "", "en")))
    assert "Download plot as a PNG" in titles and "Fullscreen" in titles
    assert "Search" in toolbar_tooltips(view)
    assert not view.errors and not view.exceptions()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("path", "extra"), PAGES, ids=NAMES)
def test_no_page_shows_none_or_nan(server, tab, path, extra, lang):
    view = visit(tab, server, path, extra, lang)
    texts = []
    for _ in each_tab(view):
        painted = scroll_tables(view)
        if any(table.is_visible() for table in view.page.locator("[data-testid='stDataFrame']").all()):
            assert painted, "the tables' painted text is read"
        texts += [view.page.evaluate(ALL_TEXT), *painted]
    text = " | ".join(texts)
    assert not MISSING.findall(text), [text[max(0, m.start() - 60) : m.end() + 60] for m in MISSING.finditer(text)]
