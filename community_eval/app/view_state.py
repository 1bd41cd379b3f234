"""What the reader chose: language, dataset, place, year, profile and weights, kept in the URL.

The sidebar's widgets write :class:`View`; every page reads it. The URL carries the same
choices so a shared link opens the same view, and a community's name links to its profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode

import pandas as pd
import streamlit as st

from community_eval.app import assessment_view, cost_view
from community_eval.app.cache import compute, dataset
from community_eval.core import url_params
from community_eval.core.collation import by_pinyin
from community_eval.core.i18n import LANGUAGES, Translator
from community_eval.core.safety import markdown_literal
from community_eval.core.schema import COMMUNITY_TYPES
from community_eval.core.standards import Profile, load_standards
from community_eval.db import workspaces
from community_eval.indicators import overview
from community_eval.indicators.filters import Filters

# Filter widgets' session keys and the URL parameters that carry them.
URL_PARAMS = {
    "f_district": "district",
    "f_street": "street",
    "f_type": "type",
    "f_community": "community",
    "f_year": "year",
    "f_profile": "profile",
}


def dataset_switch(tr: Translator) -> str:
    """Pick the dataset the pages read, when there is more than the main one."""
    names = workspaces.list_datasets()
    current = dataset()
    if len(names) > 1:
        choice = st.sidebar.selectbox(
            tr("dataset.label"),
            names,
            index=names.index(current),
            format_func=lambda name: tr("dataset.main") if name == workspaces.MAIN else name,
            placeholder=tr("streamlit.choose_option"),
            key="dataset_switch",
        )
        if choice != current:
            st.query_params["dataset"] = choice
            st.rerun()
    if current == workspaces.MAIN:
        if "dataset" in st.query_params:
            del st.query_params["dataset"]
    else:
        st.query_params["dataset"] = current
    return current


def language() -> str:
    """``?lang=`` wins; else the browser's locale; else Chinese (see :mod:`url_params`)."""
    return url_params.language()


def translator() -> Translator:
    return Translator(language())


def language_switch() -> Translator:
    """The 中文 / English switch. The URL is the single place the choice lives, so a
    shared link keeps its language and no widget state can disagree with it."""
    current = language()
    labels = {"zh": "中文", "en": "English"}
    choice = st.sidebar.segmented_control(
        "语言 / Language",
        options=list(LANGUAGES),
        format_func=labels.__getitem__,
        default=current,
        required=True,
        key="lang_switch",
    )
    st.query_params["lang"] = current
    if choice in LANGUAGES and choice != current:
        st.query_params["lang"] = choice
        st.rerun()
    tr = Translator(current)
    html_language(tr)
    return tr


#: Sets ``<html lang>``; the style hides the script's empty element so it takes no room.
_HTML_LANG_SCRIPT = (
    '<style>[data-testid="stElementContainer"]:has(script[data-html-lang]) {{ display: none; }}</style>'
    '<script data-html-lang>document.documentElement.lang = "{tag}";</script>'
)


def html_language(tr: Translator) -> None:
    """Declare the page's language on ``<html>``.

    Streamlit serves every page as ``lang="en"``, so a screen reader reads a Chinese page with
    an English voice and Chrome offers to translate it "from English"; its Python API cannot
    change that (streamlit/streamlit#15726, open), a script in the page can. ``st.html`` runs
    it again whenever its text changes, so switching languages follows.
    """
    script = _HTML_LANG_SCRIPT.format(tag=tr.html_lang)  # a fixed tag per language, never user text
    st.sidebar.html(script, unsafe_allow_javascript=True)


@dataclass(frozen=True)
class View:
    """What the sidebar selected, as every page reads it."""

    filters: Filters
    year: int | None
    profile: str
    lang: str
    #: the assessment weights the address carries (None: the standards file's); see assessment_view.shared_weights
    weights: tuple[tuple[str, float], ...] | None = None
    #: the standards profile ``profile`` names, resolved once per run by :func:`sidebar_filters`
    #: (pages judge by it; the cache, which keys on plain values, takes the key)
    standards_profile: Profile | None = None
    #: the unit costs the address carries (None: the standards file's); see cost_view.shared_choice
    costs: tuple[tuple[str, float], ...] | None = None
    #: this year's one-off and yearly budgets the address carries (None: none given)
    budgets: tuple[float, float] | None = None
    #: the order a budget is spent in (standard_gap.ORDERS)
    order: str = "cheapest"


def view() -> View:
    """The current selection (set by :func:`sidebar_filters` in the entry file)."""
    return st.session_state["view"]


def _options() -> pd.DataFrame:
    return compute(overview.filter_options)


def _restore_from_url(valid: dict[str, list]) -> None:
    """On a session's first run, take each filter from the URL if it names a real choice.

    Any other value is ignored with a notice (:mod:`url_params`); the year is compared as
    text, so a value is never parsed before it is known to be one of the choices.
    """
    if st.session_state.get("_url_restored"):
        return
    st.session_state["_url_restored"] = True
    for key, param in URL_PARAMS.items():
        choices = {str(option): option for option in valid.get(key, [])}
        wanted = url_params.choice(param, choices)
        if wanted is not None:
            st.session_state[key] = choices[wanted]


def _write_to_url() -> None:
    """Put every non-empty filter in the URL, so the address bar is a shareable view."""
    for key, param in URL_PARAMS.items():
        value = st.session_state.get(key)
        if value is None:
            if param in st.query_params:
                del st.query_params[param]
        else:
            st.query_params[param] = str(value)


def _choose(label: str, key: str, options: list, format_func=str, all_label: str | None = None):
    """A selectbox whose empty choice means "all"; an invalid remembered value is dropped."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = None
    return st.sidebar.selectbox(
        label,
        options,
        key=key,
        index=None,
        format_func=format_func,
        placeholder=all_label or "",
    )


def sidebar_filters(tr: Translator) -> View:
    """District, street, community type, community, year and standards profile."""
    communities = _options()
    years = sorted(set().union(*(set(v) for k, v in compute(overview.data_years).items() if k != "staff")) or [])
    profiles = load_standards().profiles
    valid = {
        "f_district": by_pinyin(communities["district"].unique()),
        "f_street": by_pinyin(communities["street"].unique()),
        "f_type": [v.code for v in COMMUNITY_TYPES],
        "f_community": list(communities["community_id"]),
        "f_year": years,
        "f_profile": list(profiles),
    }
    _restore_from_url(valid)
    st.sidebar.subheader(tr("filters.title"))
    district = _choose(tr("filters.district"), "f_district", valid["f_district"], all_label=tr("filters.all"))
    in_district = communities if district is None else communities[communities["district"] == district]
    street = _choose(
        tr("filters.street"), "f_street", by_pinyin(in_district["street"].unique()), all_label=tr("filters.all")
    )
    kind = _choose(
        tr("filters.community_type"),
        "f_type",
        valid["f_type"],
        format_func=lambda code: tr.enum("community_type", code),
        all_label=tr("filters.all"),
    )
    narrowed = in_district if street is None else in_district[in_district["street"] == street]
    narrowed = narrowed if kind is None else narrowed[narrowed["community_type"] == kind]
    names = dict(zip(communities["community_id"], communities["community_name"], strict=True))
    community = _choose(
        tr("filters.community"),
        "f_community",
        list(narrowed["community_id"]),
        format_func=names.get,
        all_label=tr("filters.all"),
    )
    if st.session_state.get("f_year") not in years:
        st.session_state["f_year"] = years[-1] if years else None
    year = (
        st.sidebar.selectbox(tr("filters.year"), years, key="f_year", placeholder=tr("streamlit.choose_option"))
        if years
        else None
    )
    if st.session_state.get("f_profile") not in profiles:
        st.session_state["f_profile"] = load_standards().default_profile
    profile = st.sidebar.selectbox(
        tr("filters.profile"),
        list(profiles),
        key="f_profile",
        format_func=lambda key: profiles[key].name(tr.lang),
        placeholder=tr("streamlit.choose_option"),
    )
    _write_to_url()
    chosen = _view(Filters(district, street, kind, community), year, profile, tr.lang)
    st.session_state["view"] = chosen
    return chosen


def _view(place: Filters, year: int | None, profile: str, lang: str) -> View:
    """The view of this run: the sidebar's choices, and what the address carries for the pages
    that score and price (weights, unit costs, budgets, order), each read once here."""
    standards = load_standards()
    costs, budgets, order = cost_view.shared_choice(standards)
    return View(
        place,
        year,
        profile,
        lang,
        assessment_view.shared_weights(standards),
        standards_profile=standards.profile(profile),
        costs=costs,
        budgets=budgets,
        order=order,
    )


PROFILE_PAGE = "pages/profile.py"


#: A profile link: the page's URL path, then the view's parameters, then ``#`` and the
#: community's name, which :data:`LINK_TEXT` shows in a table instead of the whole URL.
PROFILE_PATH = "profile"


LINK_TEXT = "#(.*)$"


_CLICKED = "_open_profile"


def profile_params(community_id: str, params: Mapping[str, str]) -> dict[str, str]:
    """The URL parameters of a community's profile: the current view's, with the community set."""
    return {**params, URL_PARAMS["f_community"]: community_id}


def profile_url(community_id: str, name: str, params: Mapping[str, str]) -> str:
    """A relative link to a community's profile that keeps the view (language, dataset,
    year, standards, filters, mode…); relative, so it works under any base path."""
    return f"{PROFILE_PATH}?{urlencode(profile_params(community_id, params))}#{quote(name, safe='')}"


def name_from_link(url: str) -> str:
    """The community name a profile link shows (what :data:`LINK_TEXT` extracts), for tests and exports."""
    return unquote(url.partition("#")[2])


def community_from_selection(event: Mapping | None) -> str | None:
    """The community of the first selected point that carries one (charts' ``ids``), if any."""
    selection = (event or {}).get("selection") or {}
    for point in selection.get("points") or []:
        data = point.get("customdata")
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if isinstance(data, str) and data:
            return data
    return None


def _community_clicked(key: str) -> None:
    """A chart's selection callback: a clicked community becomes the filter, then its profile opens.

    Callbacks run before the script, the one moment the sidebar's widgets may be set. The
    other filters are set again too: a switch of page asked by the script (not the browser)
    forgets widget values, but keeps values set this way.
    """
    community = community_from_selection(st.session_state.get(key))
    if community is not None:
        for name in URL_PARAMS:
            if name in st.session_state:
                st.session_state[name] = st.session_state[name]
        st.session_state["f_community"] = community
        st.session_state[_CLICKED] = True


def follow_community_click() -> None:
    """Open the profile of the community a chart click chose (see :func:`_community_clicked`),
    keeping every URL parameter of the view; the sidebar has already put the community there."""
    if st.session_state.pop(_CLICKED, False):
        st.switch_page(PROFILE_PAGE, query_params=st.query_params.to_dict())


def chart_level(current: View) -> str:
    """Roll charts up by street unless the filter is already inside one street."""
    return "community" if current.filters.street or current.filters.community_id else "street"


def scope_words(tr: Translator, current: View) -> list[str]:
    """The filter's words, widest first (district, street, type, community); none for all."""
    names = compute(overview.filter_options).set_index("community_id")["community_name"]
    filters = current.filters
    parts = [
        filters.district,
        filters.street,
        tr.enum("community_type", filters.community_type) if filters.community_type else None,
        names.get(filters.community_id) if filters.community_id else None,
    ]
    return [str(p) for p in parts if p]


def scope_text(tr: Translator, current: View, literal: bool = True) -> str:
    """The filter in words, for captions: "仙桃市 · 干河街道 · 2025年".

    Names come from uploads, so by default they are escaped for Markdown (captions render
    it); ``literal=False`` gives the bare words, for a caller that escapes the whole line.
    """
    words = [markdown_literal(p) if literal else p for p in scope_words(tr, current)]
    return " · ".join(words or [tr("filters.everything")]) + " · " + tr("filters.year_value", year=current.year)
