"""The data page's questionnaire controls: the proposed mapping to check and change, and saved mappings.

A 问卷星 or 腾讯问卷 export is read through a mapping the loader proposes from the question
texts (questionnaire.propose). The researcher sees it as a table, one row per question,
and changes where a question goes or gives an own question a theme; the page then checks
the file again with that mapping. Loading confirms it: the loader saves it with the
questionnaire, and the next export of the same questionnaire is read the same way.
Personal columns (IP, location, account, phone, free text) are not in the table at all:
they cannot be chosen, only counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import streamlit as st

from community_eval.app import auth
from community_eval.core.i18n import Translator
from community_eval.core.safety import markdown_literal
from community_eval.core.schema import SURVEY
from community_eval.db.store import Store, StoreError
from community_eval.ingest.load_report import target_label
from community_eval.ingest.loader import FileReport
from community_eval.ingest.questionnaire import TARGETS

#: The session key of the mappings the user set in the tables, per questionnaire: the page checks the files with them.
OVERRIDE_KEY = "data_mapping_override"


def override() -> dict[str, object] | None:
    """The mappings the user changed in the tables, as one override for the loader (None before any change).

    Kept per questionnaire, so two exports checked together each keep their own table's choices;
    they merge without clashing, since a mapping only applies to the headers its file has.
    """
    return merge_overrides(st.session_state.get(OVERRIDE_KEY) or {})


def merge_overrides(changed: dict[str, dict[str, dict[str, str]]]) -> dict[str, object] | None:
    """Per-questionnaire choices ({key: {"columns": …, "themes": …}}) as one override, or None."""
    if not changed:
        return None
    merged: dict[str, dict[str, str]] = {"columns": {}, "themes": {}}
    for wanted in changed.values():
        merged["columns"].update(wanted["columns"])
        merged["themes"].update(wanted["themes"])
    return merged


def _label(tr: Translator, target: str) -> str:
    """A target as the table shows it: ``总体满意度（overall）``, or the words for item / not loaded."""
    if target in SURVEY.column_names:
        return SURVEY.column(target).bilingual_header
    return target_label(tr, target)


def mapping_editor(tr: Translator, reports: list[FileReport]) -> None:
    """The proposed mapping of each questionnaire export, editable; a change re-checks the files."""
    for report in reports:
        plan = report.plan
        if plan is None:
            continue
        st.subheader(tr("questionnaire.title", platform=tr(f"questionnaire.{plan.platform}")))
        st.caption(tr("questionnaire.intro"))
        if plan.saved_name:
            st.caption(tr("questionnaire.saved_used", name=markdown_literal(plan.saved_name)))
        if report.dropped_private:
            columns = tr("layout.list_sep").join(report.dropped_private)
            private = tr("questionnaire.private", count=len(report.dropped_private), columns=markdown_literal(columns))
            st.caption(private)
        _edit(tr, report)


def _edit(tr: Translator, report: FileReport) -> None:
    """The table of one export's questions; what it holds becomes the override the files are checked with.

    The table is drawn from the mapping as first proposed for this questionnaire (kept in the
    session), so the user's edits stay the widget's own and a re-check cannot undo them.
    """
    plan = report.plan
    assert plan is not None
    private = set(report.dropped_private)
    base = st.session_state.setdefault(f"data_mapping_base_{plan.key}", plan.mapping.as_dict())
    headers = [h for h in base["columns"] if h not in private and h.strip()]
    labels = {target: _label(tr, target) for target in TARGETS}
    table = pd.DataFrame(
        {
            "header": headers,
            "target": [labels[base["columns"][h]] for h in headers],
            "theme": [base["themes"].get(h, "") for h in headers],
        }
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        height="content",
        disabled=["header"],
        column_config={
            "header": st.column_config.TextColumn(tr("questionnaire.header")),
            "target": st.column_config.SelectboxColumn(
                tr("questionnaire.target"), options=list(labels.values()), required=True
            ),
            "theme": st.column_config.TextColumn(tr("questionnaire.theme")),
        },
        key=f"data_mapping_{plan.key}",
    )
    by_label = {label: target for target, label in labels.items()}
    rows = list(edited.itertuples(index=False))
    wanted = {
        "columns": {row.header: by_label.get(row.target, "drop") for row in rows},
        "themes": {row.header: str(row.theme).strip() for row in rows if str(row.theme or "").strip()},
    }
    unchanged = wanted["columns"] == {h: base["columns"][h] for h in headers} and wanted["themes"] == {
        h: t for h, t in base["themes"].items() if h in wanted["columns"]
    }
    changed = st.session_state.setdefault(OVERRIDE_KEY, {})
    current = changed.get(plan.key)
    if (current is None and not unchanged) or (current is not None and current != wanted):
        changed[plan.key] = wanted
        st.rerun()


def saved_mappings(tr: Translator, store: Store) -> None:
    """The saved mappings of this dataset: listed for everyone, renamed and deleted by editors."""
    st.subheader(tr("questionnaire.saved_title"))
    saved = store.saved_mappings()
    if saved.empty:
        st.caption(tr("questionnaire.saved_none"))
        return
    counts = [sum(1 for t in json.loads(m)["columns"].values() if t != "drop") for m in saved["mapping"]]
    st.dataframe(
        pd.DataFrame(
            {
                tr("questionnaire.saved_name"): saved["name"],
                tr("questionnaire.saved_at"): saved["saved_at"].dt.strftime("%Y-%m-%d %H:%M"),
                tr("questionnaire.saved_questions"): counts,
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if not auth.is_editor():
        return
    for row in saved.itertuples(index=False):
        left, middle, right = st.columns([3, 1, 2])
        name = left.text_input(tr("questionnaire.new_name"), value=row.name, key=f"map_name_{row.questionnaire}")
        if middle.button(tr("questionnaire.rename"), key=f"map_rename_{row.questionnaire}") and name.strip():
            _change(tr, store.rename_mapping, (row.questionnaire, name.strip()), "renamed", name.strip())
        if right.button(
            tr("questionnaire.delete", name=row.name), key=f"map_delete_{row.questionnaire}", icon=":material/delete:"
        ):
            _change(tr, store.delete_mapping, (row.questionnaire,), "deleted", row.name)


def _change(tr: Translator, change: Callable[..., None], args: tuple[str, ...], said: str, name: str) -> None:
    """Rename or delete a saved mapping (editors only, asked again here) and say so."""
    if not auth.require_editor(tr):
        return
    try:
        change(*args)
    except StoreError as error:
        st.error(tr(f"error.{error.reason}", **{k: str(v) for k, v in error.params.items()}))
    else:
        st.success(tr(f"questionnaire.{said}", name=markdown_literal(name)))
