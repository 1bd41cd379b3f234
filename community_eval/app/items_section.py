"""The questionnaire's own questions on pages: the satisfaction page's section and the data
dictionary's list of stored items.

A researcher's questionnaire asks more than the contract's seven fixed questions; what it
adds is stored long (``main.questions``, ``main.survey_answers``) and estimated by
``queries/survey_items.sql`` exactly as the fixed ones, under the same disclosure control.
Here it is drawn by :mod:`community_eval.figures.survey_items`, with the chart builders the
fixed questions use, so an own item reads like any other question. Nothing is shown when no
questionnaire brought own questions.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from community_eval.app import cache, widgets
from community_eval.app.view_state import View
from community_eval.core.i18n import Translator
from community_eval.figures import survey_items as figures
from community_eval.indicators import survey_items
from community_eval.readings import survey_items as readings

#: The page table's columns (the download keeps the export's).
TABLE_COLUMNS = ["community_name", "item_text", "n", "mean", "ci_low", "ci_high", "mean_previous", "change", "note"]
#: The downloads' columns: what ``export survey_items`` writes, with the community's name.
DOWNLOAD_COLUMNS = ["community_id", "community_name", *survey_items.COLUMNS[1:]]


def _means(tr: Translator, view: View, total: pd.DataFrame) -> None:
    """Every item's mean over the filter with its 95 % interval, and its change where last year had it."""
    shown = total[total["mean"].notna()]
    if shown.empty:
        return
    widgets.chart(figures.means(tr, shown, view.year).figure, key="items_means")
    changed = shown[shown["mean_previous"].notna()]
    if changed.empty:
        return
    widgets.chart(figures.change(tr, changed, view.year).figure, key="items_change")


def _answers(tr: Translator, view: View, total: pd.DataFrame, min_n: int) -> None:
    """The answers of every five-point item as a diverging bar; rescaled items are named instead."""
    answers = cache.compute(survey_items.survey_item_distribution, view.filters, view.year, min_n)
    shown = total[total["mean"].notna()]
    names = dict(zip(shown["item_code"], shown["item_text"], strict=True))
    if not answers.empty:
        widgets.chart(figures.answers(tr, answers, names, view.year).figure, key="items_answers")
    if note := readings.not_drawn_note(tr, names, answers["item"]):
        st.caption(note)


def _table(tr: Translator, view: View, min_n: int) -> None:
    """Every community's item figures; a community with too few questionnaires says so, as the
    satisfaction table does, and keeps only its n."""
    rows = cache.compute(survey_items.survey_items, view.filters, view.year, min_n, level="community")
    table = rows.rename(columns={"group_key": "community_id", "group_label": "community_name"})
    table["note"] = [tr("satisfaction.too_few", min_n=min_n) if s else "" for s in table["suppressed"]]
    controls = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    controls.subheader(tr("items.table_title"), width="content")
    widgets.download_buttons(tr, table, DOWNLOAD_COLUMNS, survey_items.SURVEY_ITEMS, where=controls)
    widgets.show_table(tr, table, TABLE_COLUMNS)


def own_questions(tr: Translator, view: View, min_n: int) -> None:
    """The satisfaction page's section on the questionnaire's own questions, when it has any."""
    total = cache.compute(survey_items.survey_items, view.filters, view.year, min_n, level="all")
    if total.empty:
        return
    st.subheader(tr("items.title"))
    st.caption(tr("items.intro", min_n=min_n))
    if total["suppressed"].all():
        st.caption(tr("satisfaction.too_few_overall", min_n=min_n))
    else:
        _means(tr, view, total)
        _answers(tr, view, total, min_n)
    _table(tr, view, min_n)


def questions_dictionary(tr: Translator) -> None:
    """The data dictionary's list of stored own questions (nothing when there are none)."""
    stored = cache.compute(survey_items.stored_questions)
    if stored.empty:
        return
    st.subheader(tr("items.dictionary_title"))
    st.caption(tr("items.dictionary_intro"))
    columns = ["questionnaire", "item_code", "item_text", "theme", "scale", "answers"]
    st.dataframe(
        stored[columns].rename(columns={c: tr(f"col.{c}") for c in columns}),
        hide_index=True,
        width="stretch",
    )
