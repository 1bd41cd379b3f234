"""The first visit on a fresh data folder says what it is doing while the sample database is
built (issue 20; the page was blank for seconds): the steps in the page's language, then the
page itself, the steps gone."""

from __future__ import annotations

import pytest

from community_eval.core.i18n import translate
from community_eval.core.schema import TABLES
from tools import meeting_screenshots as harness

#: Every text the main column shows, each time it changes, from the document's first moment:
#: the steps are on screen for about a second, and gone once the page is drawn.
RECORD = """
window.__seen = [];
setInterval(() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const text = main ? main.innerText.trim() : '';
  const seen = window.__seen;
  if (text && (!seen.length || seen[seen.length - 1] !== text)) seen.push(text);
}, 20);
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_visit_shows_the_build_in_the_page_language_then_the_page(tab, lang):
    other = "en" if lang == "zh" else "zh"
    with harness.dashboard() as base:  # an empty folder: the first visit builds the database
        view = tab(lang=lang)
        view.page.add_init_script(RECORD)
        view.open(f"{base}/?lang={lang}")
        seen: list[str] = view.page.evaluate("() => window.__seen")
        heading = view.page.locator("h1").first.inner_text()
        final = view.page.locator("[data-testid='stMain']").inner_text()
    title = translate(lang, "first_start.title")
    steps = [i for i, text in enumerate(seen) if title in text]
    assert steps, f"the build's steps never showed: {seen[:3]}"
    shown = "\n".join(seen[i] for i in steps)
    assert all(translate(lang, f"table.{name}") in shown for name in TABLES), shown
    # The progress bar names the table being loaded, file by file.
    steps_named = [translate(lang, "first_start.step", table=translate(lang, f"table.{name}")) for name in TABLES]
    assert any(step in shown for step in steps_named), shown
    assert translate(other, "first_start.title") not in "".join(seen)
    page = [i for i, text in enumerate(seen) if heading in text.splitlines()]
    assert page and steps[0] < page[0], "the steps come before the page"
    assert heading == translate(lang, "nav.overview")
    assert title not in final, "the steps are gone once the page is drawn"
    assert not view.exceptions() and not view.errors, (view.exceptions(), view.errors)
