"""Meeting mode in a real browser: the slide's chart draws and nothing scrolls, at the two
screen sizes of a meeting room (checked by ``tools/meeting_screenshots.py``'s own check)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tools import meeting_screenshots as shots

SIZES = [(1920, 1080), (1280, 720)]


@pytest.fixture
def browser_on_dashboard(server, browser):
    return server, browser


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize(
    ("path", "lang", "slide", "extra"),
    [
        ("overview", "zh", 1, ""),
        ("satisfaction", "en", 2, ""),
        ("facilities", "zh", 1, ""),  # the rules matrix: 79 rows on the page
        ("staff", "zh", 3, f"auto=30&street={quote('干河街道')}"),  # retention curves, auto-advance, a filter
        ("profile", "zh", 2, "community=XT002"),  # one community, its second slide
        ("data", "en", 1, ""),  # no charts: the deck says so
    ],
)
def test_a_slide_draws_and_nothing_scrolls(browser_on_dashboard, path, lang, slide, extra, width, height):
    base, browser = browser_on_dashboard
    view = shots.check_view(browser, base, shots.View(path, lang, width, height, slide, extra=extra))
    assert not view.errors, view.errors
    assert not view.scrolled, view.scroll
    if path != "data":
        assert view.slides > 1 and view.scroll["chart"]["height"] > height / 2, view.scroll
        assert view.scroll["footer"]["bottom"] <= height, "the footer stays on screen"
