"""What every page shares: the store, cached indicators, the language and the filters.

Pages stay thin by calling these. Indicator results are cached under the store's data
version, so a load anywhere (page or command line) makes every page recompute, and a
filter change only recomputes what that filter touches.
"""

from __future__ import annotations

import importlib
import math
import runpy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from community_eval.app import assessment_view, frontend_words, meeting
from community_eval.core import paths, url_params
from community_eval.core.collation import by_pinyin
from community_eval.core.formats import display_value, number_format
from community_eval.core.i18n import LANGUAGES, Translator
from community_eval.core.safety import markdown_literal
from community_eval.core.schema import COMMUNITY_TYPES
from community_eval.core.standards import Standards, bilingual, load_standards
from community_eval.db import workspaces
from community_eval.db.store import (
    DatabaseError,
    Store,
    StoreError,
    database_error,
    default_db_path,
    is_local_file,
    parquet_root,
)
from community_eval.figures import charts, downloads
from community_eval.indicators import overview
from community_eval.indicators.filters import Filters
from community_eval.indicators.metrics import KINDS
from community_eval.ingest.loader import create_sample_database
from community_eval.readings import extremes

FAVICON = str(paths.FAVICON)

# Filter widgets' session keys and the URL parameters that carry them.
URL_PARAMS = {
    "f_district": "district",
    "f_street": "street",
    "f_type": "type",
    "f_community": "community",
    "f_year": "year",
    "f_profile": "profile",
}


# ---- store and cache ------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    """One Store per database path per process; the main database's first start fills it
    from sample_data/ (a workspace starts empty, made by the data page).

    A workspace's store closes its database when idle beyond the few kept open
    (``COMMUNITY_EVAL_OPEN_WORKSPACES``) and reopens it on demand: any viewer can open any
    workspace with ``?dataset=``, and each open database holds memory and threads. The
    Store object itself stays cached (one per workspace file, a few hundred bytes), so
    every session shares its write lock and data version; the main database stays open.
    """
    main = path == default_db_path()
    if main and parquet_root():
        return Store(path, parquet=parquet_root())
    if main and is_local_file(path) and not Path(path).exists():
        create_sample_database(path)
    return Store(path, closes_when_idle=not main)


def dataset() -> str:
    """The dataset the pages read: ``?dataset=`` when it names one that exists, else main."""
    return url_params.choice("dataset", workspaces.list_datasets()) or workspaces.MAIN


def db_path() -> str:
    return workspaces.path_for(dataset())


def store() -> Store:
    return _open_store(db_path())


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


def data_version() -> str:
    return store().data_version()


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(key: str, path: str, version: str, args: tuple, kwargs: tuple) -> pd.DataFrame:
    """Run the indicator function ``key`` names on the database at ``path``; ``version`` keys the cache.

    Profiles travel as their key and standards as ``True`` so the key stays plain data;
    both are resolved here from the standards file.
    """
    resolved = dict(kwargs)
    if "profile" in resolved:
        resolved["profile"] = load_standards().profile(resolved["profile"])
    if resolved.get("standards") is True:
        resolved["standards"] = load_standards()
    return _function_of(key)(_open_store(path), *args, **resolved)


#: Where the functions :func:`compute` runs live: the indicators package, nowhere else.
INDICATOR_PACKAGE = "community_eval.indicators."


def _key_of(indicator: Callable[..., pd.DataFrame]) -> str:
    """``module:function``, the plain text the cache keys on (a function object is not plain data)."""
    if not indicator.__module__.startswith(INDICATOR_PACKAGE):
        raise ValueError(f"{indicator.__qualname__} is not an indicator of {INDICATOR_PACKAGE[:-1]}")
    return f"{indicator.__module__}:{indicator.__qualname__}"


def _function_of(key: str) -> Callable[..., pd.DataFrame]:
    module, name = key.split(":")
    return getattr(importlib.import_module(module), name)


def compute(indicator: Callable[..., pd.DataFrame], *args: object, **kwargs: object) -> pd.DataFrame:
    """``indicator(store, *args, **kwargs)``, cached against the data version.

    ``indicator`` is the function itself, from its indicator's module
    (``ui.compute(task_burden.task_by_department, view.filters, view.year)``), so an editor
    follows it to its definition and a misspelt one fails on import, not on a page.
    Pass plain values only: filters, year, level, ``profile="seed_2016"``, ``standards=True``.
    """
    return _cached(_key_of(indicator), db_path(), data_version(), args, tuple(sorted(kwargs.items())))


@contextmanager
def snapshot() -> Iterator[None]:
    """Read the whole run from one data version (:meth:`Store.snapshot`); the entry file wraps each run.

    Without it a load committing mid-run shows old figures beside new ones, and a query keyed
    on the old version could cache new data under it. A store that cannot be opened is left
    to :func:`store_ready` to report, so the run goes on without a snapshot.
    """
    try:
        current = store()
    except StoreError:
        current = None
    if current is None:
        yield
        return
    with current.snapshot():
        yield


def standards() -> Standards:
    return load_standards()


# ---- language -------------------------------------------------------------------------


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


# ---- filters --------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What the sidebar selected, as every page reads it."""

    filters: Filters
    year: int | None
    profile: str
    lang: str
    #: the assessment weights the address carries (None: the standards file's); see assessment_view.shared_weights
    weights: tuple[tuple[str, float], ...] | None = None


def view() -> View:
    """The current selection (set by :func:`sidebar_filters` in the entry file)."""
    return st.session_state["view"]


ENTRY = paths.ENTRY
_FRAMED_RUN = "_community_eval_framed_run"


def _run_token() -> object | None:
    """An object that lives exactly as long as the current script run.

    Streamlit gives every run a fresh cursor table on the run's context; holding on to it
    makes it an identity no later run can share.
    """
    ctx = get_script_run_ctx()
    return ctx.cursors if ctx is not None else None


def _mark_framed(framed: bool) -> None:
    ctx = get_script_run_ctx()
    if ctx is not None:
        setattr(ctx, _FRAMED_RUN, _run_token() if framed else None)


def _in_frame() -> bool:
    """Whether the entry file is running the current page in this very run.

    A flag in the session would outlive a run stopped by ``st.stop()`` (a stop does not
    always unwind the entry's ``with`` before the next run starts), and the next direct run
    of a page would then skip its frame.
    """
    ctx = get_script_run_ctx()
    token = _run_token()
    return ctx is None or (token is not None and getattr(ctx, _FRAMED_RUN, None) is token)


@contextmanager
def frame(current: st.Page | None = None, pages: Sequence[tuple[str, ...]] = ()) -> Iterator[None]:
    """Mark the entry file's run of the current page (see :func:`page`).

    In meeting mode the page runs hidden inside the meeting deck, which shows its charts one
    per screen; ``current`` is the page being run and ``pages`` the entry's page list
    (script first), the order in which the deck moves from page to page.
    """
    _mark_framed(True)
    try:
        if meeting.active() and current is not None:
            tr = translator()
            scripts = [entry[0] for entry in pages]
            paths = [entry[-1] for entry in pages]
            here = paths.index(current.url_path) if current.url_path in paths else (0 if pages else None)
            footer = (scope_text(tr, view(), literal=False), store().last_loaded_at())
            # The profile without a community has nothing to show but its picker, hidden on the wall.
            empty = (
                tr("meeting.pick_community")
                if current.url_path == PROFILE_PATH and not view().filters.community_id
                else None
            )
            with meeting.deck(tr, current.title, footer, here, scripts, kept=list(URL_PARAMS), empty=empty):
                yield
        else:
            yield
    finally:
        _mark_framed(False)


def page() -> tuple[Translator, View]:
    """Start a page: its translator and the sidebar's selection.

    Until the first st.navigation call in a process, Streamlit treats an app with a
    ``pages/`` folder the old way and runs a deep-linked page (``/task_burden``) without
    the entry file, so there is no sidebar, language or filter. A page in that state runs
    the entry instead, which draws the frame and then this page inside it.
    """
    if not _in_frame():
        runpy.run_path(str(ENTRY), run_name="__main__")
        st.stop()
    follow_community_click()
    return translator(), view()


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
    weights = assessment_view.shared_weights(load_standards())
    chosen = View(Filters(district, street, kind, community), year, profile, tr.lang, weights)
    st.session_state["view"] = chosen
    return chosen


# ---- tables ---------------------------------------------------------------------------


def column_kind(column: str, values: pd.Series) -> str | None:
    """The declared kind of a shown column; ``None`` for words. A number without a declared
    kind is a bug (Streamlit would write it as "2957.667"), so it fails loudly in the tests."""
    kind = KINDS.get(column)
    if kind is None and pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        raise ValueError(f"column {column!r} holds numbers but has no kind in community_eval/metrics.KINDS")
    return kind


def column_config(tr: Translator, frame: pd.DataFrame, columns: list[str]) -> dict[str, object]:
    """Streamlit column settings: translated header and the kind's declared number format."""
    config: dict[str, object] = {}
    for column in columns:
        label = tr(f"col.{column}")
        kind = column_kind(column, frame[column])
        if kind is None:
            config[column] = st.column_config.Column(label)
        else:
            config[column] = st.column_config.NumberColumn(label, format=number_format(kind).streamlit)
    return config


def displayed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns as a table draws them: each number rounded to its kind, shares ×100.

    Streamlit's formats only pad decimals; rounding here (half away from zero, as the
    sentences and Excel round) makes the table agree with the card above it.
    """
    shown = frame[columns].copy()
    for column in columns:
        kind = column_kind(column, shown[column])
        if kind is not None:
            shown[column] = pd.array([display_value(v, kind) for v in shown[column]], dtype="Float64")
    return shown


#: What a table shows for a missing value, in any language: a dash, as :func:`i18n.format_value`
#: writes one (Streamlit would paint "None").
MISSING_CELL = "—"


def show_table(tr: Translator, frame: pd.DataFrame, columns: list[str], placeholder: str | None = MISSING_CELL) -> None:
    """An indicator table with translated headers and locale number formats.

    When the rows are communities, each name links to that community's profile.
    ``placeholder`` is what a missing value shows: a dash unless the caller says otherwise
    (``""`` for an empty cell; None would leave Streamlit's "None").
    """
    shown, config = displayed(frame, columns), column_config(tr, frame, columns)
    ids = next((frame[c] for c in ("community_id", "group_key") if c in frame.columns), None)
    if "community_name" in columns and ids is not None:
        params = st.query_params.to_dict()
        shown = shown.assign(
            community_name=[
                profile_url(str(community), str(name), params) if pd.notna(community) and pd.notna(name) else None
                for community, name in zip(ids, frame["community_name"], strict=True)
            ]
        )
        config["community_name"] = st.column_config.LinkColumn(tr("col.community_name"), display_text=LINK_TEXT)
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch", placeholder=placeholder)


# ---- the community profile, reached from any table or chart -------------------------------

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


# ---- charts ---------------------------------------------------------------------------


def chart(figure: go.Figure, key: str, where: object | None = None) -> None:
    """Every chart of every page is drawn here, so what happens to charts is decided once.

    ``where`` is the column or container to draw in (the page itself by default). In
    meeting mode the chart becomes a slide instead (:mod:`community_eval.app.meeting`).
    """
    if meeting.active():
        meeting.collect(figure, key)
        return
    config = frontend_words.plotly_config(translator())  # the modebar's tips in the page's language
    if charts.links_communities(figure):
        # A community's point opens its profile (roll-ups by street carry no ids).
        (where or st).plotly_chart(
            figure, key=key, on_select=lambda: _community_clicked(key), selection_mode="points", config=config
        )
    else:
        (where or st).plotly_chart(figure, key=key, config=config)


def meeting_slide(build: Callable[[], go.Figure], key: str) -> None:
    """A slide only meeting mode shows: what the page itself shows another way (the overview's
    cards, which a wall screen needs as one figure). ``build`` runs only in meeting mode."""
    if meeting.active():
        meeting.collect(build(), key)


# ---- page helpers -----------------------------------------------------------------------

#: On a narrow screen Streamlit gives every column the whole width, so seven metric cards
#: make seven screens of a phone. A row of columns that holds metric cards and nothing else
#: (each card straight inside its column) keeps two cards a row instead; any other row of
#: columns (a card beside a sentence, charts) still stacks. 640px is Streamlit's own
#: breakpoint for stacking columns.
_CARD = '> [data-testid="stColumn"] > [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"] >'
_CARDS_ONLY = (  # one compound selector: a blank inside it would mean "a descendant of"
    f'[data-testid="stHorizontalBlock"]:has({_CARD} [data-testid="stMetric"])'
    f':not(:has({_CARD} :not([data-testid="stMetric"])))'
)
#: A container of rows of cards that hold more than a metric (a card with its verdict):
#: :func:`card_columns` makes one, and its columns too keep two a row on a phone.
CARD_ROWS = "card_rows"
PHONE_CSS = f"""<style>
@media (max-width: 640px) {{
  {_CARDS_ONLY} > [data-testid="stColumn"],
  .st-key-{CARD_ROWS} [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
    flex: 0 0 calc(50% - 0.5rem) !important;
    width: calc(50% - 0.5rem) !important;
    min-width: calc(50% - 0.5rem) !important;
  }}
  /* A half-width card wraps its label and change rather than cutting them ("+1.3个百分点（…"). */
  .st-key-{CARD_ROWS} [data-testid="stMetricLabel"] *,
  .st-key-{CARD_ROWS} [data-testid="stMetricDelta"] * {{
    white-space: normal !important;
    overflow: visible !important;
    text-overflow: clip !important;
  }}
  /* A plotly title is one SVG line that never wraps: at 18 px a phone cut most of them at the
     figure's edge. At 14 px, the size of the axis text, a title of 25 Chinese or 50 Latin
     characters fits a phone's 358 px figure. */
  .js-plotly-plot .gtitle {{
    font-size: 14px !important;
  }}
}}
</style>"""


def card_columns(*counts: int) -> list:
    """Columns for rows of cards (``card_columns(4, 3)``): two cards a row on a phone, whatever
    each card holds. One such group a page (its key names it for the style sheet)."""
    with st.container(key=CARD_ROWS):
        return [column for count in counts for column in st.columns(count)]


def phone_layout() -> None:
    """The style sheet of :data:`PHONE_CSS`, once per run (a style-only st.html takes no space)."""
    st.html(PHONE_CSS)


def error_text(tr: Translator, error: StoreError) -> str:
    """A StoreError as the one sentence its locale key says."""
    return tr(f"error.{error.reason}", **{k: str(v) for k, v in error.params.items()})


def store_ready(tr: Translator) -> bool:
    """Open (or first create) the database; on failure say so in one sentence, no traceback.

    The opening is not cached when it fails, so the next run (a click, a reload) tries again:
    a lock released or a disk freed meanwhile needs no restart.
    """
    try:
        store()
    except StoreError as error:
        st.error(error_text(tr, error), icon=":material/error:")
        return False
    return True


@contextmanager
def faults_shown(tr: Translator) -> Iterator[None]:
    """Show a database failure met during the run (a damaged block a query reads, the disk
    filling during a load) as one sentence in place of the page, not a traceback; the
    sidebar drawn before it (language, dataset) keeps working."""
    try:
        yield
    except StoreError as error:
        st.error(error_text(tr, error), icon=":material/error:")
    except DatabaseError as error:
        st.error(error_text(tr, database_error(error, db_path(), "database_failed")), icon=":material/error:")


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


#: How many communities a list names at most (the assessment's biggest levers).
TOP_N = 20


#: Rows from each end of a page's main ranking (satisfaction's means, the assessment's composite).
ENDS = 10
#: Rows from each end of a ranking that shares the screen with others (a half-width chart,
#: a second or third ranking of a page): ten rows keep three screens enough for a page.
ENDS_SMALL = 5


def full_list_switch(
    tr: Translator, key: str, note: str | None, where: object | None = None, label: str = "extremes.show_all"
) -> bool:
    """Under a shortened chart: its caption (which rows, how many) and the "全部社区" switch
    (``label`` names other words for it, "全部部门").

    Returns whether the reader switched the whole list on. The switch lives in the session,
    like the page's other chart controls, not in the URL: a shared link opens on what needs
    attention, which is what everyone should see first. Draw the chart above it in a
    container made before the call (the switch decides what the chart draws).
    """
    row = (where or st).container(horizontal=True, vertical_alignment="center", gap="medium", wrap=False)
    caption_place = row.empty()
    everything = row.toggle(tr(label), key=f"all_{key}")
    if note and not everything:
        caption_place.caption(note)
    return everything


def ranking_rows(
    tr: Translator,
    key: str,
    frame: pd.DataFrame,
    value: str,
    n: int,
    *,
    words: str = "lowest_highest",
    tie_break: str | None = None,
    where: object | None = None,
    high_only: bool = False,
) -> tuple[pd.DataFrame, charts.Gap | None]:
    """The rows a long ranking draws: its ``n`` lowest and ``n`` highest by ``value``
    (:mod:`community_eval.readings.extremes`; only the ``n`` highest with ``high_only``), or all of
    them once the reader asks.

    Also returns the break to mark between the two ends, for a chart sorted by ``value``.
    A ranking no longer than what the ends would show is drawn whole, with no caption and no
    switch. On a meeting slide both ends fit the wall together, the break between them.
    """
    if meeting.active():  # a slide holds meeting.MAX_ROWS rows legibly: the two ends share them
        n = min(n, meeting.MAX_ROWS if high_only else meeting.MAX_ROWS // 2)
    picked = (extremes.highest if high_only else extremes.ends)(frame, value, n, tie_break)
    if not picked.shortened:
        return frame, None
    if full_list_switch(tr, key, extremes.caption(tr, picked, "highest" if high_only else words), where):
        return frame, None
    return picked.rows, None if high_only else (picked.each, tr("extremes.gap", hidden=picked.hidden))


def empty_state(tr: Translator, key: str = "empty.no_data") -> None:
    """Say why there is nothing to show and what to do about it."""
    st.info(tr(key), icon=":material/info:")


def takeaway(text: str, where: object | None = None) -> None:
    """The one-line plain-language reading at the top of a page (or of a column: ``where``), in bold.

    The sentence carries names from uploads, and takeaway sentences have no markup of
    their own, so the whole of it is escaped: a name like ``**x**`` reads as written.
    """
    (where or st).markdown(f"**{markdown_literal(text)}**")


def label_groups(tr: Translator, frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Give group keys their display label (enum words for community types)."""
    labelled = frame.copy()
    if level == "community_type":
        labelled["group_label"] = [tr.enum("community_type", code) for code in labelled["group_key"]]
    return labelled


# ---- downloads --------------------------------------------------------------------------


def download_context(tr: Translator, indicator: str) -> downloads.DownloadContext:
    """What the current view's downloads cover: the filter, year, standards and data date."""
    current = view()
    profile = standards().profiles.get(current.profile)
    return downloads.DownloadContext(
        indicator=indicator,
        year=current.year,
        scope=tuple(scope_words(tr, current)),
        standards=profile.name(tr.lang) if profile else current.profile,
        data_date=store().last_loaded_at(),
    )


def download_buttons(
    tr: Translator, frame: pd.DataFrame, columns: list[str], indicator: str, where: object | None = None
) -> None:
    """CSV (for machines) and Excel (for people) downloads of an indicator table, named after
    the indicator, year and filter; files are built only when clicked.

    ``where`` is a horizontal container to put them in (the table's row of controls).
    """
    context = download_context(tr, indicator)
    stem = downloads.file_stem(tr, context)
    left, right = (where, where) if where is not None else st.columns([1, 1, 4])[:2]
    left.download_button(
        tr("download.csv"),
        data=lambda: downloads.csv_bytes(frame, columns),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"csv_{indicator}",
        help=tr("download.csv_help"),
    )
    right.download_button(
        tr("download.xlsx"),
        data=lambda: downloads.xlsx_bytes(tr, frame, columns, context),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        on_click="ignore",
        key=f"xlsx_{indicator}",
        help=tr("download.xlsx_help"),
    )


def indicator_table(
    tr: Translator,
    frame: pd.DataFrame,
    columns: list[str],
    indicator: str,
    placeholder: str | None = MISSING_CELL,
    quiet_zeros: tuple[str, ...] = (),
    key_columns: Sequence[str] = (),
) -> None:
    """The indicator table every page ends with: headers, formats and downloads.

    ``indicator`` is the export's name (``task_burden``…), which names the downloads.

    A column of ``quiet_zeros`` that is 0 on every row is said once, in a sentence, instead of
    on every row. With ``key_columns`` the table first shows those (a phone's width holds
    three or four), and a switch shows every column; the downloads keep every column.
    """
    # The title and the table's controls in one row: the columns switch, then the downloads.
    controls = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    controls.subheader(tr("table.title"), width="content")
    zeros = all_zero_columns(frame, quiet_zeros)
    if zeros:
        st.caption(tr("table.all_zero", columns=tr.join(tr(f"col.{c}") for c in zeros)))
    shown = [c for c in columns if c not in zeros]
    key_shown = [c for c in shown if c in key_columns]
    switch = f"columns_{indicator}"  # one switch per table, whatever the year
    label = tr("table.all_columns", count=len(shown))
    if key_shown and len(key_shown) < len(shown) and not controls.toggle(label, key=switch):
        shown = key_shown
    download_buttons(tr, frame, columns, indicator, where=controls)
    show_table(tr, frame, shown, placeholder)


def all_zero_columns(frame: pd.DataFrame, candidates: tuple[str, ...]) -> list[str]:
    """The candidates that are 0 on every row of a non-empty frame (a missing value is no 0)."""
    if frame.empty:
        return []
    return [c for c in candidates if c in frame and frame[c].notna().all() and (frame[c] == 0).all()]


def relation_reading(tr: Translator, fit: pd.Series) -> str:
    """The scatter in plain words, without claiming more than a correlation can say.

    Strength follows the usual bands of |r| (under 0.1 none, 0.3 weak, 0.5 moderate,
    else strong); a p-value of 0.05 or more says the data cannot tell it from no relation.
    """
    r, n, p_value = float(fit["correlation"]), int(fit["n_communities"]), float(fit["p_value"])
    if not math.isfinite(r):  # every community has the same share (or the same mean): no line to read
        return tr("relation.undefined", n=n)
    strength = next(
        word for bound, word in ((0.1, "none"), (0.3, "weak"), (0.5, "moderate"), (2, "strong")) if abs(r) < bound
    )
    direction = "lower" if r < 0 else "higher"
    per_ten_points = float(fit["slope"]) / 10
    parts = [
        tr(
            "relation.summary",
            n=n,
            strength=tr(f"relation.strength.{strength}"),
            r=tr.number(r, "ratio"),
            change=tr.number(abs(per_ten_points), "mean"),
            direction=tr(f"relation.direction.{direction}"),
        )
    ]
    parts.append(
        tr("relation.not_significant")
        if p_value >= 0.05
        else tr("relation.significant", p=tr.number(p_value, "p_value"))
    )
    parts.append(tr("relation.caution"))
    return " ".join(parts)


def shortfall_text(tr: Translator, row: pd.Series) -> str:
    """What a failing community lacks, in m², rooms and yuan, one phrase per failed rule."""
    phrases = []
    area_gaps = [
        row.get(column)
        for column in ("shortfall_total_area_m2", "shortfall_area_for_households_m2", "shortfall_tier_area_m2")
    ]
    area_gaps = [gap for gap in area_gaps if gap is not None and pd.notna(gap) and gap > 0]
    if area_gaps:
        phrases.append(tr("shortfall.area", m2=tr.number(max(area_gaps))))
    if pd.notna(row.get("shortfall_rooms")) and row["shortfall_rooms"] > 0:
        phrases.append(tr("shortfall.rooms", rooms=int(row["shortfall_rooms"])))
    if row.get("shortfall_hall") is True:
        phrases.append(tr("shortfall.hall"))
    if row.get("rule_tenure") == "fail":
        phrases.append(tr("shortfall.tenure", tenure=tr.enum("tenure", row["tenure"])))
    if pd.notna(row.get("shortfall_budget_yuan")):
        phrases.append(
            tr(
                "shortfall.budget",
                per_100=tr.number(row["shortfall_budget_per_100_households"], "yuan"),
                total=tr.number(row["shortfall_budget_yuan"], "yuan"),
            )
        )
    if pd.notna(row.get("shortfall_resident_space_m2")):
        phrases.append(tr("shortfall.resident_space", m2=tr.number(row["shortfall_resident_space_m2"])))
    return tr("shortfall.joiner").join(phrases)


def source_text(source: object, lang: str) -> str:
    """A standards source note in the reader's language."""
    return bilingual(source, lang)


def group_name(tr: Translator, by: str, key: str) -> str:
    """Display name of a retention group: a community type, a role, or everyone."""
    if by in ("community_type", "role"):
        return tr.enum(by, key)
    return tr("level.all")
