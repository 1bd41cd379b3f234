"""The questionnaire's own items in words: which items a diverging bar cannot draw.

Pure Python, no Streamlit: said under the own items' answers wherever they are drawn. (The
items' labels with their n and the scale's answers are :mod:`community_eval.readings.satisfaction`'s,
shared with the fixed questions.)
"""

from __future__ import annotations

from collections.abc import Iterable

from community_eval.core.i18n import Translator


def not_drawn_note(tr: Translator, names: dict[str, str], drawn: Iterable[str]) -> str | None:
    """The items (``names``: code → text) whose answers are not drawn (``drawn``: the codes that
    are), because they were asked on another scale and rescaled; None when every item is drawn."""
    drawn = set(drawn)
    rescaled = [text for code, text in names.items() if code not in drawn]
    return tr("items.not_drawn", items=tr.join(rescaled)) if rescaled else None
