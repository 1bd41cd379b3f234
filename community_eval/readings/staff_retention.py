"""Staff retention in words: the names of the groups whose time in post is compared.

Pure Python, no Streamlit: the staff page and the offline report name the curves alike.
"""

from __future__ import annotations

from community_eval.core.i18n import Translator


def group_name(tr: Translator, by: str, key: str) -> str:
    """Display name of a retention group: a community type, a role, or everyone."""
    if by in ("community_type", "role"):
        return tr.enum(by, key)
    return tr("level.all")
