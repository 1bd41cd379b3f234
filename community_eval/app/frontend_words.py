"""Streamlit's and plotly's own words in the page's language: an upload box's "Upload", a
select box's "No results", a table's and a chart's toolbar tips.

Plotly translates its chart toolbar itself, given a dictionary in the chart's ``config``
(:func:`plotly_config`). Streamlit has no such setting (streamlit/streamlit#1353, #13500), so
each run of the entry file puts one small script on the page (:func:`install`); it rewrites,
as they appear, the text nodes and the title, aria-label, placeholder and ``data-title``
attributes that say exactly one of the words of ``[streamlit]`` in ``locales/en.toml``,
with that key's text in the page's language. ``en.toml`` therefore holds the English
Streamlit 1.67 shows, character for character; a ``{name}`` in it stands for any text (a
file name, a size), carried over into the translation. A Streamlit upgrade that rewords
one would show it in English again: tests/test_frontend_words.py finds each word in the
installed frontend's files, and tests/browser/test_browser_chinese.py reads the pages.

The script changes only a text node's value or an attribute, never an element, so React
keeps the nodes it owns and updates them as usual (a value React rewrites is translated
again). It keeps each original, so a switch to English puts Streamlit's words back. Only a
text or attribute that is one of the words as a whole changes, and never inside code, an
input, a chart's SVG (the data's words) or an icon (whose text names its glyph in the icon
font, "search" or "link"); English pages have no words to change.
"""

from __future__ import annotations

import json
import re
import string
from functools import cache

import streamlit as st

from community_eval.core.i18n import Translator, catalog

#: The locale sections of Streamlit's words and of plotly's.
STREAMLIT = "streamlit"
PLOTLY = "plotly"
#: The plotly locale the dictionary is registered under (plotly's own name for Chinese).
PLOTLY_LOCALE = "zh-CN"
#: The container that holds the script; hidden, it takes no room on the page.
CONTAINER = "frontend_words"

_REGEX_SPECIAL = re.compile(r"[\\^$.|?*+()\[\]{}/]")


def _escape(text: str) -> str:
    """``text`` as a literal in a regular expression read the same by Python and JavaScript."""
    return _REGEX_SPECIAL.sub(lambda match: "\\" + match.group(), text)


def pattern(source: str) -> tuple[str, list[str]]:
    """A template of en.toml (``Remove {name}``) as an anchored regular expression and its
    field names in order; a field matches any text, at least one character."""
    parts, names = ["^"], []
    for literal, field, _, _ in string.Formatter().parse(source):
        parts.append(_escape(literal))
        if field is not None:
            parts.append(r"([\s\S]+?)")
            names.append(field)
    parts.append("$")
    return "".join(parts), names


def _literal_length(source: str) -> int:
    return sum(len(literal) for literal, *_ in string.Formatter().parse(source))


@cache
def streamlit_words(lang: str) -> dict[str, object]:
    """What the script needs for ``lang``: whole texts to replace, and templates.

    A template is tried after every whole text, most specific first (the most fixed
    characters), so ``{index} of {count} results`` wins over ``{count} results``. English
    needs nothing: the script then only puts back what it had translated.
    """
    english, own = catalog("en"), catalog(lang)
    exact: dict[str, str] = {}
    templates: list[tuple[str, str]] = []
    for key, source in english.items():
        if not key.startswith(f"{STREAMLIT}.") or own[key] == source:
            continue
        if "{" in source:
            templates.append((source, own[key]))
        else:
            exact[source] = own[key]
    templates.sort(key=lambda item: -_literal_length(item[0]))
    patterns = []
    for source, target in templates:
        regex, names = pattern(source)
        patterns.append({"re": regex, "names": names, "to": target})
    return {"lang": lang, "exact": exact, "patterns": patterns}


def translate(words: dict[str, object], text: str) -> str | None:
    """What the script makes of ``text`` (the same rules, in Python, for tests); None: left as is."""
    trimmed = text.strip()
    if not trimmed or not re.search(r"[A-Za-z]", trimmed):
        return None
    result = words["exact"].get(trimmed)
    if result is None:
        matches = ((rule, re.match(rule["re"], trimmed)) for rule in words["patterns"])
        result = next((_fill(rule, match) for rule, match in matches if match), None)
    if result is None:
        return None
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return lead + result + trail


def _fill(rule: dict, match: re.Match[str]) -> str:
    """A template's translation with the matched texts put in its fields."""
    values = dict(zip(rule["names"], match.groups(), strict=True))
    return re.sub(r"\{(\w+)\}", lambda field: values[field.group(1)], rule["to"])


# The script. It runs again only when its text changes (a switch of language): Streamlit's
# st.html runs a script when it mounts the element, and keeps an unchanged element as it is.
# One observer per browser tab, kept on ``window``; each run replaces its words.
_SCRIPT = """
(() => {
  const given = __WORDS__;
  const ATTRIBUTES = ["title", "aria-label", "placeholder", "data-title"];
  // An icon's text is its glyph's name in the icon font ("search", "link"): never a word to translate.
  const KEEP = [
    "script", "style", "textarea", "code", "pre", "svg", "[contenteditable]",
    "[translate='no']", "[data-testid='stIconMaterial']",
  ].join(",");
  const state = window.__communityEvalWords || (window.__communityEvalWords = {});
  state.exact = new Map(Object.entries(given.exact));
  state.patterns = given.patterns.map((p) => ({re: new RegExp(p.re), names: p.names, to: p.to}));

  const render = (text) => {
    const trimmed = text.trim();
    if (!trimmed || !/[A-Za-z]/.test(trimmed)) return null;
    let result = state.exact.get(trimmed);
    if (result === undefined) {
      for (const p of state.patterns) {
        const match = p.re.exec(trimmed);
        if (match) {
          result = p.to.replace(/\\{(\\w+)\\}/g, (_, name) => match[p.names.indexOf(name) + 1]);
          break;
        }
      }
    }
    if (result === undefined) return null;
    return text.slice(0, text.length - text.trimStart().length) + result + text.slice(text.trimEnd().length);
  };
  // memo = [original, shown]: a value still as we left it was translated from the original;
  // any other value is new (React wrote it), and becomes the original.
  const rewrite = (current, memo) => {
    const source = memo && current === memo[1] ? memo[0] : current;
    const shown = render(source);
    return {source, shown: shown === null ? source : shown};
  };
  const text = (node) => {
    const parent = node.parentElement;
    if (!parent || parent.closest(KEEP)) return;
    const {source, shown} = rewrite(node.nodeValue, node.__ceWords);
    node.__ceWords = [source, shown];
    if (node.nodeValue !== shown) node.nodeValue = shown;
  };
  const attribute = (el, name) => {
    const current = el.getAttribute(name);
    if (current === null) return;
    const memos = el.__ceWords || (el.__ceWords = {});
    const {source, shown} = rewrite(current, memos[name]);
    memos[name] = [source, shown];
    if (current !== shown) el.setAttribute(name, shown);
  };
  const visit = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return text(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) text(node);
    const selector = ATTRIBUTES.map((name) => `[${name}]`).join(",");
    for (const el of [root, ...root.querySelectorAll(selector)]) {
      for (const name of ATTRIBUTES) if (el.hasAttribute && el.hasAttribute(name)) attribute(el, name);
    }
  };
  if (!state.observer) {
    state.observer = new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "childList") record.addedNodes.forEach(visit);
        else if (record.type === "characterData") text(record.target);
        else attribute(record.target, record.attributeName);
      }
    });
    state.observer.observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
    });
  }
  visit(document.body);
})();
"""


def script(lang: str) -> str:
    """The page script for ``lang``, its words inlined (no ``</`` can end the script early)."""
    words = json.dumps(streamlit_words(lang), ensure_ascii=False).replace("</", "<\\/")
    return _SCRIPT.replace("__WORDS__", words)


def install(tr: Translator) -> None:
    """Put Streamlit's words of every page in ``tr``'s language; the entry file calls this once per run.

    English pages get the script too: with no words, it puts back whatever an earlier
    Chinese view of the same tab translated.
    """
    # Hidden with the wrapper Streamlit puts around it, whose flex gap would push the page down.
    hidden = f".st-key-{CONTAINER}, [data-testid='stLayoutWrapper']:has(> .st-key-{CONTAINER}) {{display: none}}"
    with st.container(key=CONTAINER):
        st.html(f"<style>{hidden}</style><script>{script(tr.lang)}</script>", unsafe_allow_javascript=True)


@cache
def _plotly_dictionary(lang: str) -> dict[str, str]:
    english, own = catalog("en"), catalog(lang)
    prefix = f"{PLOTLY}."
    return {english[key]: own[key] for key in english if key.startswith(prefix) and own[key] != english[key]}


def plotly_config(tr: Translator) -> dict[str, object]:
    """Plotly's ``config`` that words a chart's toolbar and notes in ``tr``'s language
    (plotly's own locale mechanism; English is plotly's default and needs none)."""
    dictionary = _plotly_dictionary(tr.lang)
    if not dictionary:
        return {}
    return {"locale": PLOTLY_LOCALE, "locales": {PLOTLY_LOCALE: {"dictionary": dictionary}}}
