"""Streamlit's own Markdown extensions, given uploaded text, show it as written.

CommonMark escapes (``\\:``) are undone before Streamlit's plugins look at the text, so
they do not stop an emoji shortcode (``:smile:``), a Material icon (``:material/lock:``),
the logo (``:streamlit:``), a colour directive (``:red[…]``) or a bare link. These tests
check the escaped text against the frontend's own patterns, and the browser test in
``tests/browser/test_browser_markdown.py`` checks what Chromium really draws.
"""

from __future__ import annotations

import re

import pytest

from community_eval.core.safety import WORD_JOINER, markdown_literal

#: Streamlit 1.67's StreamlitMarkdown: the test that loads remark-emoji, the rewrite that
#: turns ``:material/x:`` into an icon, and what makes ``:name[…]`` a directive.
EMOJI = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")
ICON = re.compile(r":(material|streamlit)[/:]")
DIRECTIVE = re.compile(r":[A-Za-z][\w-]*\[")
#: GFM's autolink literals: ``www.``, a scheme's ``://``, an e-mail address.
AUTOLINK = re.compile(r"www\.|://|[\w.+-]@[\w-]", re.IGNORECASE)

#: Uploaded text, and the pattern it would trigger if only backslash-escaped.
DIRECTIVES = [
    (":smile:", EMOJI),
    ("红光社区:+1:", EMOJI),
    (":material/lock: 幸福社区", ICON),
    (":streamlit:", ICON),
    (":red[红]社区", DIRECTIVE),
    (":blue-background[蓝]", DIRECTIVE),
    ("见 www.example.cn", AUTOLINK),
    ("http://evil.example.cn/login", AUTOLINK),
    ("联系 wang@example.gov.cn", AUTOLINK),
]


def plugins_see(markdown: str) -> str:
    """The text node Streamlit's plugins get: backslash escapes undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize(("text", "pattern"), DIRECTIVES)
def test_no_streamlit_pattern_survives_escaping(text, pattern):
    assert pattern.search(plugins_see(text)), "the case is one the plugins would read"
    seen = plugins_see(markdown_literal(text))
    for any_pattern in (EMOJI, ICON, DIRECTIVE, AUTOLINK):
        assert not any_pattern.search(seen), (text, any_pattern.pattern)
    assert seen.replace(WORD_JOINER, "") == text, "nothing visible is added or lost"


def test_plain_text_and_file_names_are_left_alone():
    assert markdown_literal("新社区.csv") == "新社区.csv"
    assert markdown_literal("12时30分") == "12时30分"
