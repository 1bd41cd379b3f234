"""What Chromium draws for uploaded text that looks like Streamlit's Markdown extensions.

The unit tests (``tests/test_markdown_directives.py``) check the escaped text against the
frontend's patterns; this checks the frontend itself: a small script shows each hostile
text through :func:`markdown_literal` in the elements the pages use, beside a real
``:smile:`` so the emoji plugin is loaded, and the page must show the text as written:
no emoji, icon, logo, colour or link.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator

import pytest

from community_eval.core.safety import WORD_JOINER
from tests.test_markdown_directives import DIRECTIVES
from tools import meeting_screenshots as harness

TEXTS = [text for text, _ in DIRECTIVES]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import streamlit as st
    from community_eval.core.safety import markdown_literal

    texts = json.loads(sys.argv[1])
    for text in texts:
        st.markdown(":smile: " + markdown_literal(text))  # the emoji plugin runs on this one
        st.caption(markdown_literal(text))
        st.info(markdown_literal(text))
    """
)


@pytest.fixture(scope="module")
def app(browser_ready, tmp_path_factory) -> Iterator[str]:
    """The script on a free loopback port (the dashboard's own server harness)."""
    script = tmp_path_factory.mktemp("markdown_app") / "app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    with harness.dashboard(script=script, script_args=(json.dumps(TEXTS, ensure_ascii=False),)) as base:
        yield base


def test_uploaded_text_is_drawn_as_written(app, browser):
    page = browser.new_page()
    try:
        page.goto(app, wait_until="domcontentloaded")
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-testid=stAlertContainer]').length >= {len(TEXTS)}",
            timeout=60_000,
        )
        page.wait_for_timeout(1500)  # the emoji plugin loads lazily; give it time to apply
        blocks = page.locator("[data-testid=stMarkdownContainer]").all()
        drawn = [block.inner_text().replace(WORD_JOINER, "").strip() for block in blocks]
        alerts = [a.inner_text().replace(WORD_JOINER, "").strip() for a in page.locator("[data-testid=stAlert]").all()]
        for text in TEXTS:
            assert f"😄 {text}" in drawn, (text, drawn)  # the plugin ran, and left the text alone
            assert text in drawn, (text, "the caption", drawn)
            assert text in alerts, (text, "the alert", alerts)
        extras = page.locator(
            "[data-testid=stMain] a, [data-testid=stMain] img, "
            "[data-testid=stMain] [data-testid=stIconMaterial], "
            "[data-testid=stMain] span[style*=color]"
        )
        assert extras.count() == 0, [extras.nth(i).evaluate("e => e.outerHTML") for i in range(extras.count())]
    finally:
        page.close()
