"""Meeting mode (会议模式): the dashboard on a wall screen, one chart per slide.

``?mode=meeting`` (or the sidebar toggle) turns it on. The entry file runs the page inside
:func:`deck`: the page draws into a hidden container while every chart it hands to
``widgets.chart`` is kept here as a slide (:func:`collect`). After the page the deck shows one
slide, restyled to be read from the back of a room (:func:`wall_figure`), with previous /
next controls, a counter, optional auto-advance and a footer with the filter and data date.

The URL holds the state: ``mode=meeting``, ``slide=N`` (1-based) and ``auto=SECONDS``;
every other parameter (language, filters, dataset, page) is left as it is.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import plotly.graph_objects as go
import streamlit as st

from community_eval.core import url_params
from community_eval.core.i18n import Translator
from community_eval.core.safety import markdown_literal
from community_eval.figures.charts import FONT_FAMILY, MUTED, rows_total

MODE, SLIDE, AUTO = "mode", "slide", "auto"
#: Auto-advance choices in seconds (0 is off); ``?auto=`` may name any other from 5 to 600.
AUTO_CHOICES = (0, 10, 20, 30, 60)
_AUTO_ALLOWED = frozenset({0, *range(5, 601)})
#: Pages that are tools rather than findings: stepping from page to page passes them by.
SKIPPED = ("data",)
#: Category rows a slide shows at most: at 24 px they fit a 720-pixel-high screen.
MAX_ROWS = 10
BASE_PX, AXIS_TITLE_PX, TITLE_PX = 24, 26, 34
INK = "#000000"
GRID = "#C4C4C4"
#: A title wider than this (in ems of the title font) is broken onto two lines.
TITLE_EMS = 33.0
#: Room right of the plot for the longest bar's value label at the wall's type size ("84.7%").
LABEL_ROOM_PX = 110
#: A horizontal value axis reaching this far writes labels too wide for many ticks at 24 px
#: ("40,000,000"): plotly would tilt them, so the wall keeps at most WIDE_TICKS of them, level.
WIDE_VALUE, WIDE_TICKS = 1_000_000, 6
#: A line with more points than this (a budget curve's 79 communities) keeps markers small
#: enough for the line between them to show.
MANY_POINTS, MANY_POINTS_MARKER_PX = 30, 10

_SLIDES = "_meeting_slides"
_STATE = "_meeting_state"
_SHOWN_AT = "_meeting_shown_at"
_GOTO = "_meeting_goto"
_TOGGLE = "meeting_toggle"
_AUTO_PICK = "meeting_auto"

# Static CSS only: no text from data or the URL is ever put in this block.
_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stMainMenu"], [data-testid="stAppDeployButton"],
.stAppDeployButton, [data-testid="stDecoration"], [data-testid="stStatusWidget"], .st-key-meeting_source,
[data-testid="stLayoutWrapper"]:has(> .st-key-meeting_source) {
  display: none !important;
}
[data-testid="stMain"] { overflow: hidden !important; }
[data-testid="stMainBlockContainer"] {
  padding: 8px 24px 6px 24px !important; max-width: none !important; height: calc(100vh - 2px); box-sizing: border-box;
  display: flex; flex-direction: column;
}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { flex: 1 1 0; min-height: 0; gap: 6px; }
[data-testid="stLayoutWrapper"]:has(> .st-key-meeting_stage) { flex: 1 1 0; min-height: 0; }
.st-key-meeting_stage { height: 100%; }
.st-key-meeting_header h1 { font-size: 40px !important; line-height: 1.2; padding: 0 !important; }
.st-key-meeting_header p, .st-key-meeting_footer p, .st-key-meeting_stage p { margin: 0 !important; }
.st-key-meeting_header p, .st-key-meeting_footer p, .st-key-meeting_stage p, .st-key-meeting_header button,
.st-key-meeting_auto input, [role="listbox"] [role="option"], [role="listbox"] li {
  font-size: 24px !important; color: #000;
}
.st-key-meeting_auto [data-baseweb="select"] > div { min-height: 52px; }
.st-key-meeting_header button { min-height: 52px; padding: 4px 18px; }
.st-key-meeting_header [data-testid="stIconMaterial"] { font-size: 30px !important; }
.st-key-meeting_counter p { font-size: 30px !important; font-weight: 700; white-space: nowrap; }
.st-key-meeting_stage [data-testid="stAlert"] p { font-size: 32px !important; }
[data-testid="stElementContainer"]:has([data-testid="stMarkdownContainer"] style) { display: none; }
.stApp[data-test-script-state="running"] .st-key-meeting_stage [data-testid="stAlert"] { visibility: hidden; }
</style>
"""


def active() -> bool:
    """Whether the current view is in meeting mode (``?mode=meeting``)."""
    return url_params.choice(MODE, ("meeting",)) == "meeting"


def collect(figure: go.Figure, key: str) -> None:
    """Keep a chart the page draws as a slide of the deck, in the page's order."""
    st.session_state.setdefault(_SLIDES, []).append((key, figure))


# ---- entering and leaving ---------------------------------------------------------------


def sidebar_toggle(tr: Translator) -> None:
    """The sidebar switch into meeting mode; the URL stays the one place the mode lives."""
    st.session_state[_TOGGLE] = active()
    st.sidebar.toggle(tr("meeting.enter"), key=_TOGGLE, on_change=_toggled, help=tr("meeting.enter_help"))


def _toggled() -> None:
    if st.session_state[_TOGGLE]:
        st.query_params[MODE] = "meeting"
        st.query_params[SLIDE] = "1"
    else:
        _leave()


def _leave() -> None:
    for param in (MODE, SLIDE, AUTO):
        if param in st.query_params:
            del st.query_params[param]


# ---- the deck ---------------------------------------------------------------------------


def _deck_header(tr: Translator, title: str) -> object:
    """The page's title with previous, the slide counter (returned, filled once the slides are known), next and exit."""
    with st.container(key="meeting_header", horizontal=True, vertical_alignment="center"):
        st.title(title)
        with st.container(key="meeting_controls", horizontal=True, horizontal_alignment="right", width="content"):
            st.button(
                tr("meeting.previous"), key="meeting_prev", on_click=_step, args=(-1,), icon=":material/arrow_back:"
            )
            counter = st.container(key="meeting_counter", width="content").empty()
            st.button(
                tr("meeting.next"), key="meeting_next", on_click=_step, args=(1,), icon=":material/arrow_forward:"
            )
        st.button(tr("meeting.exit"), key="meeting_exit", on_click=_leave, icon=":material/close_fullscreen:")
    return counter


def _deck_footer(tr: Translator, footer: tuple[str, dt.datetime | None]) -> int:
    """The filter in words, when the data were loaded, and the auto-advance choice (its seconds, 0 for off)."""
    scope, loaded_at = footer
    with st.container(
        key="meeting_footer", horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"
    ):
        st.markdown(_plain(tr("meeting.scope", scope=scope)), width="content")
        st.markdown(_plain(tr("meeting.data_date", date=_when(loaded_at))), width="content")
        return _auto_picker(tr)


@contextmanager
def deck(
    tr: Translator,
    title: str,
    footer: tuple[str, dt.datetime | None],
    here: int | None,
    pages: Sequence[str],
    kept: Sequence[str] = (),
    empty: str | None = None,
) -> Iterator[None]:
    """Run the current page hidden and show its charts one at a time.

    ``footer`` is the filter in words and when the data were loaded; ``here`` is the page's
    index in ``pages`` (the scripts in navigation order), which the deck steps through past
    the first and last slide, keeping the widgets named in ``kept`` (the filters). A page
    may stop early (``st.stop()`` when a filter leaves no data): everything the deck needs
    besides the slide is drawn before the page runs (previous / next included, so a page
    without slides never strands the deck), and the slide's place holds ``empty`` (by
    default the no-data message) until the page's charts replace it.
    """
    _follow_pending_switch()
    st.markdown(_CSS, unsafe_allow_html=True)
    st.session_state[_SLIDES] = []
    st.session_state[_STATE] = (0, 1, here, tuple(pages), tuple(kept))
    st.session_state[_SHOWN_AT] = time.monotonic()
    counter = _deck_header(tr, title)
    slot = st.container(key="meeting_stage").empty()
    slot.info(empty or tr("meeting.no_data"), icon=":material/info:")
    seconds = _deck_footer(tr, footer)
    if seconds:
        st.fragment(run_every=seconds)(_tick)(seconds)
    with st.container(key="meeting_source"):
        yield
    slides: list[tuple[str, go.Figure]] = st.session_state.pop(_SLIDES, [])
    if not slides:
        slot.info(tr("meeting.no_charts"), icon=":material/info:")
        return
    current = _slide_number(len(slides))
    st.query_params[SLIDE] = str(current)
    st.session_state[_STATE] = (len(slides), current, here, tuple(pages), tuple(kept))
    slot.plotly_chart(
        wall_figure(slides[current - 1][1], tr),
        key="meeting_chart",
        theme=None,
        height="stretch",
        config={"displayModeBar": False, "responsive": True},
    )
    counter.markdown(tr("meeting.counter", current=current, total=len(slides)))


def _slide_number(total: int) -> int:
    """The 1-based slide the URL asks for, kept within the deck (``last`` is the last)."""
    if url_params.raw(SLIDE) == "last":
        return total
    number = url_params.whole_number(SLIDE, range(10**9)) or 1
    return min(max(number, 1), total)


def _step(delta: int) -> bool:
    """Previous / next: within the page, then on to the neighbouring page of the deck.

    Returns whether there was anywhere to go.
    """
    total, current, here, pages, kept = st.session_state.get(_STATE, (0, 1, None, (), ()))
    wanted = current + delta
    if 1 <= wanted <= total:
        st.query_params[SLIDE] = str(wanted)
        return True
    target = _neighbour(here, pages, delta)
    if target is None:
        return False
    # A page switch the script asks for forgets widget values, but keeps values set this way.
    for key in kept:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    st.session_state[_GOTO] = (target, "1" if delta > 0 else "last")
    return True


def _neighbour(here: int | None, pages: Sequence[str], delta: int) -> str | None:
    """The next (or previous) page in the deck's order, wrapping round, skipping tools."""
    if here is None or not pages:
        return None
    for offset in range(1, len(pages)):
        candidate = pages[(here + delta * offset) % len(pages)]
        if not any(candidate.endswith(f"/{name}.py") for name in SKIPPED):
            return candidate
    return None


def _follow_pending_switch() -> None:
    """Go to the page a click (or the timer) asked for, keeping every other URL parameter."""
    target = st.session_state.pop(_GOTO, None)
    if target is not None:
        script, slide = target
        st.switch_page(script, query_params={**st.query_params.to_dict(), SLIDE: slide})


def _auto_picker(tr: Translator) -> int:
    """Auto-advance off or every N seconds, mirrored in ``?auto=``; returns the seconds."""
    seconds = url_params.whole_number(AUTO, _AUTO_ALLOWED) or 0
    st.session_state[_AUTO_PICK] = seconds
    st.selectbox(
        tr("meeting.auto"),
        sorted({*AUTO_CHOICES, seconds}),
        key=_AUTO_PICK,
        format_func=lambda s: tr("meeting.auto_every", seconds=s) if s else tr("meeting.auto_off"),
        placeholder=tr("streamlit.choose_option"),
        on_change=_auto_changed,
        label_visibility="collapsed",
        width=260,
    )
    return seconds


def _auto_changed() -> None:
    seconds = st.session_state[_AUTO_PICK]
    if seconds:
        st.query_params[AUTO] = str(seconds)
    elif AUTO in st.query_params:
        del st.query_params[AUTO]


def _tick(seconds: int) -> None:
    """Run every ``seconds`` by the fragment timer: advance once the slide has had its time."""
    if time.monotonic() - st.session_state.get(_SHOWN_AT, 0.0) < seconds - 0.5:
        return
    if _step(1):
        st.rerun()


def _when(loaded_at: dt.datetime | None) -> str:
    return loaded_at.strftime("%Y-%m-%d %H:%M") if loaded_at else "—"


def _plain(text: str) -> str:
    """Text shown as written: markdown's special characters escaped."""
    return markdown_literal(text)


# ---- restyling a figure for the wall ------------------------------------------------------


def wall_figure(figure: go.Figure, tr: Translator) -> go.Figure:
    """A copy of ``figure`` to read from the back of a room.

    Type of at least 24 px in black on white, thicker lines, larger markers with black
    outlines and outlined bars (the Okabe–Ito hues stay, so colour-blind safety does too),
    a title broken in two when it would not fit, and at most :data:`MAX_ROWS` category rows
    in the chart's own order, with a subtitle saying how many there are in all: all the rows
    the chart was drawn from (79 communities), not only those its page kept (the top 20).
    """
    wall = go.Figure(figure)
    title = _wall_title(wall, figure, tr)
    wall.update_layout(**_wall_layout(title))
    if any(_labelled_beyond(trace) for trace in wall.data):
        wall.update_layout(margin={"r": LABEL_ROOM_PX})
    wall.update_xaxes(**WALL_AXIS)
    wall.update_yaxes(**WALL_AXIS)
    if _widest_x(wall) >= WIDE_VALUE:
        wall.update_xaxes(nticks=WIDE_TICKS, tickangle=0)
    if wall.layout.xaxis.side == "top":  # a long matrix's header row; a slide's few rows keep it below
        wall.update_xaxes(side="bottom")
    wall.update_yaxes(title_standoff=16)
    for annotation in wall.layout.annotations:
        annotation.font = {"size": BASE_PX, "color": INK}
        if str(annotation.yref).endswith(("paper", "domain")) and (annotation.y or 0) >= 1:
            # A label above the plot (a reference line's) would run into the large title: bring it in.
            annotation.update(yanchor="top", bgcolor="rgba(255,255,255,0.85)")
    for shape in wall.layout.shapes:
        shape.line.width = 4
    for trace in wall.data:
        _thicken(trace)
    return wall


#: Axes read from the back of a room: large black ticks and titles, thick lines, outside ticks.
WALL_AXIS = {
    "tickfont": {"size": BASE_PX, "color": INK},
    "title": {"font": {"size": AXIS_TITLE_PX, "color": INK}},
    "gridcolor": GRID,
    "gridwidth": 1.5,
    "showline": True,
    "linecolor": INK,
    "linewidth": 2,
    "ticks": "outside",
    "tickcolor": INK,
    "tickwidth": 2,
    "zerolinecolor": "#555555",
    "zerolinewidth": 2,
    "automargin": True,
}


def _wall_title(wall: go.Figure, figure: go.Figure, tr: Translator) -> str:
    """The title in lines that fit, and, when the slide keeps fewer rows than there are, how many."""
    title = _wrap(wall.layout.title.text or "", TITLE_EMS)
    rows = _fit_rows(wall)
    if rows:
        shown, drawn = rows
        total = max(drawn, rows_total(figure) or 0)
        if shown < total:
            note = tr("meeting.rows_shown", shown=shown, total=total)
            title += f"<br><span style='font-size:{BASE_PX}px'>{note}</span>"
    return title


def _wall_layout(title: str) -> dict[str, object]:
    """The slide's frame: black type on white, the title top left, the legend beside the plot."""
    return {
        "height": None,
        "autosize": True,
        "font": {"family": FONT_FAMILY, "size": BASE_PX, "color": INK},
        "title": {
            "text": title,
            "font": {"size": TITLE_PX, "color": INK},
            "x": 0,
            "xanchor": "left",
            "xref": "paper",
            "y": 1,
            "yanchor": "bottom",
            "yref": "paper",
            "automargin": True,
            "pad": {"b": 16},
        },
        "legend": {
            "orientation": "v",
            "x": 1.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": BASE_PX, "color": INK},
        },
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": BASE_PX}},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }


def _labelled_beyond(trace: object) -> bool:
    """Whether a trace writes values past its marks (a bar's label outside it, a dot's beside
    it): the longest one needs room right of the plot at the wall's type size."""
    if trace.type == "bar":
        return trace.textposition == "outside" and trace.texttemplate is not None
    return trace.type == "scatter" and "text" in (trace.mode or "")


def _thicken(trace: object) -> None:
    """Bars and markers outlined in black, lines at least 5 px, heatmap words at 24 px."""
    kind = trace.type
    if kind == "bar":
        trace.marker.line = {"color": INK, "width": 1.5}
    elif kind == "heatmap":
        trace.textfont = {"size": BASE_PX}
        trace.xgap, trace.ygap = 3, 3
    elif kind == "scatter":
        mode = trace.mode or ""
        if "lines" in mode and trace.line.width != 0:
            trace.line.width = max(5, trace.line.width or 0)
            if trace.line.color == MUTED:
                trace.line.color = "#6E6E6E"
        if "markers" in mode:
            many = "lines" in mode and trace.x is not None and len(trace.x) > MANY_POINTS
            trace.marker.size = MANY_POINTS_MARKER_PX if many else max(16, (trace.marker.size or 0) * 1.6)
            trace.marker.line = {"color": INK, "width": 1.5}
            trace.marker.opacity = 1
        if trace.error_x.array is not None:
            trace.error_x.thickness = 4
            trace.error_x.width = 8
            trace.error_x.color = INK


def _widest_x(figure: go.Figure) -> float:
    """The largest number a trace draws along the x axis (0 for categories, dates or none)."""
    widest = 0.0
    for trace in figure.data:
        values = getattr(trace, "x", None)
        if values is None or len(values) == 0:
            continue
        numbers = [abs(float(v)) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        numbers = [v for v in numbers if v == v]  # NaN (a missing bar) is no width
        widest = max([widest, *numbers])
    return widest


def _fit_rows(figure: go.Figure) -> tuple[int, int] | None:
    """Zoom a long category axis to its first MAX_ROWS rows as the reader sees them.

    Plotly numbers categories 0, 1, … in order of first appearance; a y axis drawn upwards
    shows the last of them at the top, a reversed one the first. Returns (rows in view, rows
    in the figure) for a chart with category rows, else None. The data stay whole (the axis
    can be panned).
    """
    rows: dict[str, None] = {}
    for trace in figure.data:
        values = trace.y
        if values is None or len(values) == 0 or not all(isinstance(v, str) for v in values):
            continue
        rows.update(dict.fromkeys(values))
    total = len(rows)
    if total == 0:
        return None
    if total <= MAX_ROWS:
        return total, total
    if figure.layout.yaxis.autorange == "reversed":
        figure.update_yaxes(range=[MAX_ROWS - 0.5, -0.5], autorange=False)
    else:
        figure.update_yaxes(range=[total - MAX_ROWS - 0.5, total - 0.5], autorange=False)
    return MAX_ROWS, total


def _ems(text: str) -> float:
    """Rough width of ``text`` in ems: a CJK character is one, anything else about half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def _wrap(text: str, limit: float) -> str:
    """Break a too-wide title once, at the space or punctuation that best halves it."""
    if "<br>" in text or _ems(text) <= limit:
        return text
    after, before = " ，、：；·—)）", "（("
    breaks = [i for i in range(1, len(text)) if text[i - 1] in after or text[i] in before] or list(range(1, len(text)))
    best = min(breaks, key=lambda i: max(_ems(text[:i]), _ems(text[i:])))
    return text[:best].rstrip() + "<br>" + text[best:].lstrip()
