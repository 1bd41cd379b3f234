"""Translations, and numbers written in the reader's language.

Every label, message, chart title and axis comes from ``locales/<lang>.toml``. Keys are
dotted paths (``nav.overview``); values are ``str.format`` templates. A key missing from
a language is a bug the tests catch, not a string that silently falls back to English.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache

from community_eval.core import formats, paths
from community_eval.core.schema import ENUMS

LOCALE_DIR = paths.LOCALE_DIR
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
#: Each language's BCP 47 tag, for ``<html lang>``: screen readers pick their voice by it and
#: browsers their fonts and line breaking.
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = str(value)
    return flat


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, by dotted key."""
    with (LOCALE_DIR / f"{lang}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def translate(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in."""
    template = catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)[key]
    return template.format(**params) if params else template


def has(lang: str, key: str) -> bool:
    return key in catalog(lang)


def language_from_locale(locale: str | None) -> str:
    """The dashboard language for a browser locale: Chinese for zh-*, English for other
    known locales, Chinese when the browser said nothing (the product's first audience)."""
    if not locale:
        return DEFAULT_LANGUAGE
    return "zh" if locale.lower().startswith("zh") else "en"


class Translator:
    """``tr("key", n=3)`` for one language; pages hold one of these."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, **params: object) -> str:
        return translate(self.lang, key, **params)

    @property
    def html_lang(self) -> str:
        """The language's tag for ``<html lang>`` (zh-CN / en)."""
        return HTML_LANG[self.lang]

    def enum(self, column: str, code: str | None) -> str:
        """The display word of an enum code (``urban`` → 纯社区 / Urban), from the schema."""
        if code is None:
            return ""
        for value in ENUMS[column]:
            if value.code == code:
                return value.zh if self.lang == "zh" else value.en
        return str(code)

    def number(self, value: float | None, kind: str = "int") -> str:
        return format_value(value, kind, self.lang)

    def join(self, items: Iterable[str]) -> str:
        """A list as the language writes one in running text: 甲、乙 / a, b."""
        return ("、" if self.lang == "zh" else ", ").join(items)

    def change(self, value: float, kind: str) -> str:
        """A signed change: shares in percentage points, other kinds with a +/− sign."""
        return format_change(value, kind, self.lang)


def format_value(value: float | None, kind: str, lang: str) -> str:
    """A figure in the declared format of its kind (see :mod:`community_eval.core.formats`)."""
    return formats.text(value, kind, lang)


def format_change(value: float, kind: str, lang: str) -> str:
    """A signed change in the declared format of its kind; a share's change in points."""
    return formats.change(value, kind, lang)
