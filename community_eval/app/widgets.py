"""What pages draw with: tables with declared number formats, charts, rankings with both ends,
takeaways, downloads, and the theme sentences that sit under them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from community_eval.app import frontend_words, meeting
from community_eval.app.cache import store
from community_eval.app.view_state import LINK_TEXT, _community_clicked, profile_url, scope_words, translator, view
from community_eval.core.formats import display_value, number_format
from community_eval.core.i18n import Translator
from community_eval.core.safety import markdown_literal
from community_eval.core.standards import bilingual
from community_eval.figures import charts, downloads
from community_eval.indicators.declaration import Indicator
from community_eval.indicators.metrics import KINDS
from community_eval.readings import extremes


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
    label: str = "extremes.show_all",
) -> tuple[pd.DataFrame, charts.Gap | None]:
    """The rows a long ranking draws: its ``n`` lowest and ``n`` highest by ``value``
    (:mod:`community_eval.readings.extremes`; only the ``n`` highest with ``high_only``), or all of
    them once the reader asks.

    Also returns the break to mark between the two ends, for a chart sorted by ``value``.
    A ranking no longer than what the ends would show is drawn whole, with no caption and no
    switch. On a meeting slide both ends fit the wall together, the break between them.
    ``label`` names the switch's words when the rows are not communities ("全部街道（乡镇）").
    """
    if meeting.active():  # a slide holds meeting.MAX_ROWS rows legibly: the two ends share them
        n = min(n, meeting.MAX_ROWS if high_only else meeting.MAX_ROWS // 2)
    picked = (extremes.highest if high_only else extremes.ends)(frame, value, n, tie_break)
    if not picked.shortened:
        return frame, None
    if full_list_switch(tr, key, extremes.caption(tr, picked, "highest" if high_only else words), where, label):
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


def download_context(tr: Translator, indicator: Indicator) -> downloads.DownloadContext:
    """What the current view's downloads of ``indicator`` cover: the filter, year, standards and data date."""
    current = view()
    profile = current.standards_profile
    return downloads.DownloadContext(
        indicator=indicator.name,
        year=current.year,
        scope=tuple(scope_words(tr, current)),
        standards=profile.name(tr.lang) if profile else current.profile,
        data_date=store().last_loaded_at(),
    )


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(
    tr: Translator, frame: pd.DataFrame, columns: list[str], indicator: Indicator, where: object | None = None
) -> None:
    """CSV (for machines) and Excel (for people) downloads of an indicator table, named after
    the indicator (its declaration), year and filter; files are built only when clicked.

    ``where`` is a horizontal container to put them in (the table's row of controls).
    """
    context = download_context(tr, indicator)
    stem = downloads.file_stem(tr, context)
    places = (where, where) if where is not None else st.columns([1, 1, 4])[:2]
    files = (
        ("csv", lambda: downloads.csv_bytes(frame, columns), "text/csv", ":material/download:"),
        ("xlsx", lambda: downloads.xlsx_bytes(tr, frame, columns, context), XLSX_MIME, ":material/table_view:"),
    )
    for place, (suffix, data, mime, icon) in zip(places, files, strict=True):
        place.download_button(
            tr(f"download.{suffix}"),
            data=data,
            file_name=f"{stem}.{suffix}",
            mime=mime,
            icon=icon,
            on_click="ignore",
            key=f"{suffix}_{indicator.name}",
            help=tr(f"download.{suffix}_help"),
        )


def indicator_table(
    tr: Translator,
    frame: pd.DataFrame,
    columns: list[str],
    indicator: Indicator,
    placeholder: str | None = MISSING_CELL,
    quiet_zeros: tuple[str, ...] = (),
    key_columns: Sequence[str] = (),
) -> None:
    """The indicator table every page ends with: headers, formats and downloads.

    ``indicator`` is the indicator's declaration (``task_burden.TASK_BURDEN``…), whose name the
    downloads and the columns switch carry.

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
    switch = f"columns_{indicator.name}"  # one switch per table, whatever the year
    label = tr("table.all_columns", count=len(shown))
    if key_shown and len(key_shown) < len(shown) and not controls.toggle(label, key=switch):
        shown = key_shown
    download_buttons(tr, frame, columns, indicator, where=controls)
    show_table(tr, capped_rows(tr, frame, indicator), shown, placeholder)


#: Rows a page's table sends before its "全部行" switch: a province's 5,000 communities sent
#: about 1 MB of cells and profile links on every rerun of the page (issue 20). The downloads
#: always hold every row.
TABLE_ROWS = 500


def capped_rows(tr: Translator, frame: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The table's first :data:`TABLE_ROWS` rows, saying so, with a switch for all of them."""
    if len(frame) <= TABLE_ROWS:
        return frame
    note = tr("table.rows_capped", n=tr.number(TABLE_ROWS), total=tr.number(len(frame)))
    if full_list_switch(tr, f"rows_{indicator.name}", note, label="table.all_rows"):
        return frame
    return frame.head(TABLE_ROWS)


def all_zero_columns(frame: pd.DataFrame, candidates: tuple[str, ...]) -> list[str]:
    """The candidates that are 0 on every row of a non-empty frame (a missing value is no 0)."""
    if frame.empty:
        return []
    return [c for c in candidates if c in frame and frame[c].notna().all() and (frame[c] == 0).all()]


def source_text(source: object, lang: str) -> str:
    """A standards source note in the reader's language."""
    return bilingual(source, lang)
