"""The frame every page runs in: the entry's sidebar and language, meeting mode, the phone layout,
and the one workaround for Streamlit's legacy page mode (see :func:`page`)."""

from __future__ import annotations

import runpy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from community_eval.app import meeting
from community_eval.app.cache import build_sample, db_path, sample_to_build, store
from community_eval.app.view_state import (
    PROFILE_PATH,
    URL_PARAMS,
    View,
    follow_community_click,
    scope_text,
    translator,
    view,
)
from community_eval.core import paths
from community_eval.core.i18n import Translator
from community_eval.core.schema import TABLES
from community_eval.db.store import (
    DatabaseError,
    StoreError,
    database_error,
)

FAVICON = str(paths.FAVICON)


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
        if sample_to_build():
            _first_start(tr)
        store()
    except StoreError as error:
        st.error(error_text(tr, error), icon=":material/error:")
        return False
    return True


def _first_start(tr: Translator) -> None:
    """Build the sample database with its steps on the page, in the reader's language.

    The first visit waits seconds for the build, and showed a blank page meanwhile (issue 20);
    Streamlit's own spinner text is English, so the words are ours. The steps go once the
    database is built (the page then starts as on any other visit) or could not be.
    """
    path = db_path()
    shown = st.empty()
    try:
        with shown.container(), st.status(tr("first_start.title"), expanded=True):
            st.write(tr("first_start.creating", file=Path(path).name))
            st.write(tr("first_start.loading", tables=tr.join(tr(f"table.{name}") for name in TABLES)))
            bar = st.progress(0.0)

            def step(share: float, file_name: str) -> None:
                table = Path(file_name).stem
                name = tr(f"table.{table}") if table in TABLES else file_name
                bar.progress(min(max(share, 0.0), 1.0), text=tr("first_start.step", table=name))

            build_sample(path, progress=step)
    finally:
        shown.empty()  # built, or failed: then the one sentence of :func:`store_ready` says why


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
