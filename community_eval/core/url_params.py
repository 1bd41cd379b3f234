"""Every URL parameter the dashboard reads comes through here.

A link is input from anyone who can send one, so a value is cut to :data:`MAX_LENGTH`
before anything else looks at it (no parsing of a megabyte of digits), and a value that
names no real choice is ignored: the page uses its default, the parameter is dropped from
the address (so a shared link does not carry it on), and a toast says which parameter was
ignored and what it held, shortened and shown as literal text, once per session and value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container

import streamlit as st

from community_eval.core.i18n import LANGUAGES, Translator, language_from_locale
from community_eval.core.safety import markdown_literal, shorten

#: Longest value read; a longer one is cut first (no real choice is anywhere near this long).
MAX_LENGTH = 200
#: How much of an ignored value the notice echoes back.
SHOWN_LENGTH = 40
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_NOTICED = "_url_params_noticed"


def raw(name: str) -> str | None:
    """The parameter as written, cut to :data:`MAX_LENGTH`; None when the URL lacks it or it is
    empty (``?street=`` asks for nothing, so it is not worth a notice)."""
    value = st.query_params.get(name)
    return value[:MAX_LENGTH] if value else None


def choice(name: str, allowed: Collection[object]) -> str | None:
    """The parameter when it is one of ``allowed``; else None (and a notice when it was given)."""
    value = raw(name)
    if value is None:
        return None
    if value in allowed:
        return value
    ignore(name, value)
    return None


def whole_number(name: str, allowed: Container[int]) -> int | None:
    """The parameter as an ASCII whole number in ``allowed`` (a range, say); else None (with a notice).

    ASCII only: ``str.isdigit`` accepts ``²`` and ``١``, which ``int`` then refuses or reads.
    """
    value = raw(name)
    if value is None:
        return None
    if _WHOLE_NUMBER.fullmatch(value) and int(value) in allowed:
        return int(value)
    ignore(name, value)
    return None


def language() -> str:
    """``?lang=`` when it names a language; else the browser's locale; else Chinese."""
    return choice("lang", LANGUAGES) or language_from_locale(st.context.locale)


def ignore(name: str, value: str) -> None:
    """Drop an unusable parameter from the address and say so, once per session and value."""
    if name in st.query_params:
        del st.query_params[name]
    noticed: set[tuple[str, str]] = st.session_state.setdefault(_NOTICED, set())
    if (name, value) in noticed:
        return
    noticed.add((name, value))
    tr = Translator(language())
    shown = markdown_literal(shorten(value, SHOWN_LENGTH))
    st.toast(tr("security.param_ignored", param=markdown_literal(name), value=shown), icon=":material/link_off:")
