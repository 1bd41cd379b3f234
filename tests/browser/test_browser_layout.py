"""The phone style sheet in Chromium: metric cards two a row on a phone, and nothing else changed.

A small script draws rows of columns the way the pages do (cards only; a card beside a
sentence; sentences only) under :func:`community_eval.app.view_state.phone_layout`; the test reads where
Chromium put each column at a phone's width and at a laptop's.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from tools import meeting_screenshots as harness

SCRIPT = textwrap.dedent(
    """
    import streamlit as st
    from community_eval.app import page_frame

    page_frame.phone_layout()
    for index, column in enumerate(st.columns(4) + st.columns(3)):
        column.metric(f"card {index}", index, border=True)
    text, card = st.columns([3, 1])
    text.markdown("a sentence beside a card")
    card.metric("beside", 1, border=True)
    left, right = st.columns(2)
    left.markdown("left words")
    right.markdown("right words")
    for index, column in enumerate(page_frame.card_columns(2, 1)):  # cards that carry a verdict too
        with column.container(border=True):
            st.metric(f"verdict card {index}", index)
            st.markdown("below the standard")
    st.markdown("end")
    """
)

#: Each column of the page: its row (block) index, left edge, top edge and width.
COLUMNS = """() => [...document.querySelectorAll('[data-testid="stHorizontalBlock"]')].flatMap((block, row) =>
  [...block.querySelectorAll(':scope > [data-testid="stColumn"]')].map((column) => {
    const box = column.getBoundingClientRect();
    return {row, left: Math.round(box.left), top: Math.round(box.top), width: Math.round(box.width)};
  }))"""


@pytest.fixture(scope="module")
def app(browser_ready, tmp_path_factory) -> Iterator[str]:
    script = tmp_path_factory.mktemp("layout_app") / "app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    with harness.dashboard(script=script) as base:
        yield base


def columns_at(browser, app: str, width: int, height: int) -> list[dict]:
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(app, wait_until="domcontentloaded")
        page.wait_for_function("() => [...document.querySelectorAll('p')].some((p) => p.innerText === 'end')")
        page.wait_for_timeout(500)
        return page.evaluate(COLUMNS)
    finally:
        page.close()


def test_metric_cards_go_two_a_row_on_a_phone(app, browser):
    columns = columns_at(browser, app, 390, 844)
    rows = [[c for c in columns if c["row"] == row] for row in range(6)]
    four, three, mixed, words, verdicts, lone = rows
    full = max(c["width"] for c in mixed)
    assert verdicts[0]["top"] == verdicts[1]["top"], "cards with a verdict too go two a row"
    assert 0.4 * full < lone[0]["width"] < 0.55 * full
    for cards in (four, three, verdicts):
        assert cards[0]["top"] == cards[1]["top"] and cards[1]["left"] > cards[0]["left"], "side by side"
        assert all(0.4 * full < c["width"] < 0.55 * full for c in cards), cards
        assert len({c["top"] for c in cards}) == (len(cards) + 1) // 2, "two a row"
    assert three[2]["width"] == three[0]["width"], "a lone last card keeps its half"
    for row in (mixed, words):  # a sentence still gets the whole width
        assert row[0]["top"] < row[1]["top"] and row[0]["width"] == row[1]["width"] == full, row


def test_a_laptop_keeps_its_rows_of_cards(app, browser):
    columns = columns_at(browser, app, 1440, 900)
    four = [c for c in columns if c["row"] == 0]
    assert len({c["top"] for c in four}) == 1 and len(four) == 4
