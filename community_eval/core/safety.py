"""Text from outside (uploads, the address bar) shown as written, never run as markup.

Streamlit renders Markdown in st.markdown, captions, alerts, expander and button labels;
plotly renders a subset of HTML (``<b>``, ``<a href>``, ``<span style>``…) in titles, tick
labels and hover text. A community named ``**x**`` or ``<img src=x onerror=…>`` must read
as those characters, so every such string goes through one of these before it is drawn.
Text from the locale files is ours and keeps its markup; only the values put into it are
escaped.
"""

from __future__ import annotations

import html
import re

#: Characters Markdown (with Streamlit's extensions: ``$`` maths, ``:red[…]`` directives,
#: ``~`` strikethrough, ``|`` tables) reads as syntax wherever they stand. CommonMark lets
#: any ASCII punctuation be escaped with a backslash, which then shows as the character.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>$~|&#])")
#: What only starts a block at the beginning of a line: a list (``-``, ``+``, ``1.``), a
#: quote, a heading underline. Text is flattened to one line, so only its start can.
_LEADING = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")
#: U+2060 WORD JOINER: invisible, zero width, and no letter, digit or punctuation.
WORD_JOINER = "\u2060"
#: What Streamlit and GFM read in plain text *after* backslash escapes are undone, so a
#: backslash cannot stop them: emoji and icon shortcodes (``:smile:``, ``:material/lock:``,
#: ``:streamlit:``), colour directives (``:red[…]``) and bare links (``http://``, ``www.``,
#: ``a@b.cn``). A word joiner after a ``:`` or ``@`` with text right after it, or inside
#: ``www.``, breaks each pattern while the text reads the same (checked in a real browser
#: by the tests).
_SHORTCODES = re.compile(r"([:@])(?=\S)|(?<=www)(?=\.)", re.IGNORECASE)


def markdown_literal(text: object) -> str:
    """``text`` escaped so Markdown shows it character for character (line breaks become spaces).

    Only what Markdown would read is escaped, so ``新社区.csv`` stays ``新社区.csv``; a
    shortcode or a bare link gets an invisible word joiner instead (see :data:`_SHORTCODES`).
    """
    flat = " ".join(str(text).splitlines())
    escaped = _ANYWHERE.sub(r"\\\1", flat)
    joined = _SHORTCODES.sub(lambda match: (match.group(1) or "") + WORD_JOINER, escaped)
    return _LEADING.sub(_escape_leading, joined)


def _escape_leading(match: re.Match[str]) -> str:
    """``- x`` → ``\\- x``; ``1. x`` → ``1\\. x`` (the escape goes before the list's dot)."""
    space, mark = match.groups()
    return f"{space}\\{mark}" if not mark.isdigit() else f"{space}{mark}\\"


def html_literal(text: object) -> str:
    """``text`` escaped for plotly's HTML-like labels: ``<``, ``>`` and ``&`` as entities,
    which plotly draws as the characters."""
    return html.escape(str(text), quote=False)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut: for echoing input back."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
