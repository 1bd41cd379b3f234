"""The data page's parts: choosing where an upload goes, checking it, loading it, undoing.

Checking is a dry run of the real loader, so what the page promises before loading is
exactly what the load does. Every message is the loader's own reason, translated.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from community_eval.app import auth
from community_eval.app.cache import _open_store, dataset
from community_eval.core.i18n import Translator
from community_eval.core.safety import markdown_literal
from community_eval.core.schema import TABLES
from community_eval.db import workspaces
from community_eval.db.store import Store, StoreError
from community_eval.ingest.load_report import (
    detection_lines,
    ignored_headers,
    mapping_items,
    notice_text,
    problem_text,
    reason_text,
)
from community_eval.ingest.loader import LIKERT_ORDERS, FileReport, Source, ingest

_NEW = "__new__"
_REFUSED = "__refused__"
PROBLEMS_SHOWN = 500


def dataset_label(tr: Translator, name: str) -> str:
    return tr("dataset.main") if name == workspaces.MAIN else name


def target_dataset_picker(tr: Translator) -> str | None:
    """Where the upload goes: an existing dataset, or a new workspace made here.

    Returns None while a new workspace has no name yet, so nothing can be loaded by
    accident into a dataset the user did not choose.
    """
    names = workspaces.list_datasets()
    current = dataset()
    choice = st.selectbox(
        tr("data.target"),
        [*names, _NEW],
        index=names.index(current),
        format_func=lambda name: tr("data.new_workspace") if name == _NEW else dataset_label(tr, name),
        placeholder=tr("streamlit.choose_option"),
        key="data_target",
    )
    if choice != _NEW:
        return choice
    name = st.text_input(tr("data.workspace_name"), max_chars=40, key="data_workspace_name").strip()
    st.button(
        tr("data.create_workspace"),
        disabled=not name,
        key="data_create_workspace",
        on_click=_create_workspace,
        args=(name,),
    )
    failure = st.session_state.pop("_workspace_error", None)
    if failure:
        st.error(tr("auth.refused") if failure == _REFUSED else tr(f"error.{failure}", name=name))
    return None


def _create_workspace(name: str) -> None:
    """Button callback: runs before the widgets, so it may point the picker at the new workspace.

    Viewers never see the button; the check here refuses a rerun crafted to call it anyway.
    """
    if not auth.is_editor():
        st.session_state["_workspace_error"] = _REFUSED
        return
    try:
        workspaces.create(name)
    except workspaces.WorkspaceError as error:
        st.session_state["_workspace_error"] = error.reason
    else:
        st.session_state["data_target"] = name


def upload_limit_bytes() -> int:
    """The largest upload, from ``server.maxUploadSize`` (MB), so our check and the server's agree."""
    return int(st.get_option("server.maxUploadSize")) * 1024 * 1024


def uploaded_sources(tr: Translator, files: list) -> list[Source]:
    """The uploaded files to check, less any over the size limit, each refused with a message.

    The server refuses bigger uploads itself; this check keeps the promise when the option
    is changed at run time, or a file reaches the page by another way than the uploader.
    """
    limit = upload_limit_bytes()
    sources = []
    for file in files:
        if file.size > limit:
            st.error(
                tr(
                    "security.upload_too_large",
                    file=markdown_literal(file.name),
                    size=f"{file.size / 1024 / 1024:.1f}",
                    limit=limit // (1024 * 1024),
                )
            )
        else:
            sources.append(Source(file.name, file.getvalue()))
    return sources


@dataclass(frozen=True)
class Upload:
    """The files and what the page's form chose for them: the dataset they go to, the table,
    append or replace, whether invalid rows are skipped, one value for a column the files lack,
    the direction of numeric answer codes, and a questionnaire's mapping as the user changed it.
    The check and the load take the same object, so they cannot be asked different things."""

    target: str
    sources: list[Source]
    table: str | None
    mode: str
    skip_invalid: bool
    set_values: dict[str, str] | None = None
    likert_order: str | None = None
    mapping: dict[str, object] | None = None

    def options(self) -> dict[str, object]:
        """The loader's keyword arguments (:func:`community_eval.ingest.loader.ingest`)."""
        return {
            "table": self.table,
            "mode": self.mode,
            "skip_invalid": self.skip_invalid,
            "set_values": self.set_values,
            "likert_order": self.likert_order,
            "mapping": self.mapping,
        }

    def fingerprint(self, data_version: str) -> str:
        """The files' names and bytes, the choices and the data version: a check's cache key."""
        digest = hashlib.sha256()
        for source in self.sources:
            digest.update(source.name.encode() + hashlib.sha256(source.data).digest())
        choices = (self.target, self.table, self.mode, self.skip_invalid, sorted((self.set_values or {}).items()))
        digest.update(repr((*choices, self.likert_order, repr(self.mapping), data_version)).encode())
        return digest.hexdigest()


def check_upload(upload: Upload) -> list[FileReport]:
    """The dry-run reports of the files, computed once per files, choices and data version."""
    store = _open_store(workspaces.path_for(upload.target))
    key = upload.fingerprint(store.data_version())
    cache = st.session_state.setdefault("_upload_checks", {})
    if key not in cache:
        cache.clear()
        cache[key] = ingest(store, upload.sources, dry_run=True, **upload.options())
    return cache[key]


def missing_columns(reports: list[FileReport]) -> list[str]:
    """Columns some file lacks, which the user may give one value for every row."""
    found = [p.column for r in reports for p in r.problems if p.reason == "missing_column" and p.column]
    return list(dict.fromkeys(found))


def given_set_values() -> dict[str, str]:
    """The values typed into the set-value fields so far (read before the fields are drawn)."""
    prefix = "data_set_"
    return {
        key.removeprefix(prefix): str(value).strip()
        for key, value in st.session_state.items()
        if isinstance(key, str) and key.startswith(prefix) and str(value or "").strip()
    }


def set_value_fields(tr: Translator, reports: list[FileReport], given: dict[str, str]) -> dict[str, str]:
    """A field per missing column (and per column already given a value): one value for every row.

    The way forward for a city table without 区县: the district is the same for every row.
    """
    values = {}
    for column in dict.fromkeys([*given, *missing_columns(reports)]):
        text = st.text_input(
            tr("data.set_value", column=_column_label(column)),
            key=f"data_set_{column}",
            help=tr("data.set_value_help"),
        )
        if text.strip():
            values[column] = text.strip()
    return values


def _column_label(column: str) -> str:
    table = next(t for t in TABLES.values() if column in t.column_names)
    return table.column(column).bilingual_header


def likert_order_choice(tr: Translator, reports: list[FileReport]) -> str | None:
    """Which way numeric answer codes run, asked beside how often each code was given."""
    asked = [r for r in reports if r.likert_codes]
    asking = any(p.reason == "likert_direction_unknown" for r in reports for p in r.problems)
    if not asking and st.session_state.get("data_likert_order") is None:
        return None
    for report in asked:
        if report.likert_codes:
            counts = pd.DataFrame(
                {
                    tr("data.likert_code"): list(report.likert_codes),
                    tr("data.likert_count"): report.likert_codes.values(),
                }
            )
            st.caption(tr("data.likert_codes", file=markdown_literal(report.file_name)))
            st.dataframe(counts, hide_index=True)
    return st.radio(
        tr("data.likert_order"),
        [None, *LIKERT_ORDERS],
        format_func=lambda order: tr(f"data.likert_{order or 'unknown'}"),
        key="data_likert_order",
    )


def show_file_report(tr: Translator, report: FileReport) -> None:
    """One file: its table, header mapping, ignored headers, preview and problems."""
    ready = report.rows_valid and not report.problems
    icon = ":material/check_circle:" if ready else ":material/error:"
    title = tr(
        "data.file_title",
        file=markdown_literal(report.file_name),
        table=tr(f"table.{report.table}") if report.table else "—",
        rows=report.rows_total,
        problems=len(report.problems),
    )
    # Open while something needs a look: a problem, or a notice of what the loader did to values.
    with st.expander(title, expanded=not ready or bool(report.notices), icon=icon):
        for line in detection_lines(tr, report):
            st.caption(markdown_literal(line))
        if report.mapping and report.plan is None:  # a questionnaire's mapping is the editable table above
            items = mapping_items(tr, report)
            mapping = pd.DataFrame(
                {
                    tr("data.header"): [h for h, _, _ in items],
                    tr("data.column"): [c for _, c, _ in items],
                    tr("data.conversion"): [what for _, _, what in items],
                }
            )
            st.dataframe(mapping, hide_index=True, height="content")  # every header in sight, none behind a scroll
        for notice in report.notices:
            st.info(markdown_literal(notice_text(tr, notice)), icon=":material/info:")
        if report.ignored or report.unnamed:
            ignored = tr("layout.list_sep").join(ignored_headers(tr, report))
            st.caption(tr("data.ignored", columns=markdown_literal(ignored)))
        if report.table and TABLES[report.table].rows_private:
            st.caption(tr("data.preview_private"))
        elif report.preview is not None and not report.preview.empty:
            st.markdown(tr("data.preview"))
            preview = report.preview.astype(object)
            st.dataframe(preview.where(preview.notna(), ""), hide_index=True)
        _show_problems(tr, report)


def _show_problems(tr: Translator, report: FileReport) -> None:
    if not report.problems:
        return
    for problem in report.file_problems:
        st.error(markdown_literal(problem_text(tr, problem).strip()))
    rows = [p for p in report.problems if p.row is not None]
    if not rows:
        return
    counts = Counter(p.reason for p in rows)
    st.warning(
        tr(
            "data.problem_summary",
            rows=report.rows_rejected,
            total=report.rows_total,
            kinds="；".join(f"{tr(f'reason_short.{r}')} × {n}" for r, n in counts.most_common()),
        )
    )
    table = pd.DataFrame(
        {
            tr("data.row"): [p.where for p in rows[:PROBLEMS_SHOWN]],
            tr("data.column"): [p.column for p in rows[:PROBLEMS_SHOWN]],
            tr("data.value"): [p.value for p in rows[:PROBLEMS_SHOWN]],
            tr("data.reason"): [reason_text(tr, p) for p in rows[:PROBLEMS_SHOWN]],
        }
    )
    st.dataframe(table, hide_index=True)
    if len(rows) > PROBLEMS_SHOWN:
        st.caption(tr("data.more_problems", count=len(rows) - PROBLEMS_SHOWN))


def run_upload(tr: Translator, upload: Upload) -> None:
    """Load for real, with a progress bar; say what loaded and what did not.

    Only editors may: the page hides the button from viewers, and this refuses them again.
    """
    if not auth.require_editor(tr):
        return
    store = _open_store(workspaces.path_for(upload.target))
    bar = st.progress(0.0, text=tr("data.loading"))
    reports = ingest(
        store,
        upload.sources,
        progress=lambda share, name: bar.progress(min(share, 1.0), text=tr("data.loading_file", file=name)),
        **upload.options(),
    )
    bar.empty()
    for report in reports:
        if report.loaded:
            st.success(
                tr(
                    "data.loaded",
                    file=markdown_literal(report.file_name),
                    rows=report.rows_loaded,
                    table=tr(f"table.{report.table}"),
                    skipped=report.rows_rejected,
                )
            )
        else:
            st.error(tr("data.not_loaded", file=markdown_literal(report.file_name)))


def import_history(tr: Translator) -> None:
    """Every load into the current dataset, newest first, with undo for the undoable ones
    (undo buttons for editors only; viewers see the history)."""
    store = _open_store(workspaces.path_for(dataset()))
    records = store.imports()
    if records.empty:
        st.info(tr("data.no_history"))
        return
    undoable = store.undoable_imports()
    shown = pd.DataFrame(
        {
            tr("data.history.id"): records["import_id"],
            tr("data.history.time"): records["loaded_at"].dt.strftime("%Y-%m-%d %H:%M"),
            tr("data.history.file"): records["file_name"],
            tr("data.history.table"): [tr(f"table.{t}") for t in records["table_name"]],
            tr("data.history.mode"): [tr(f"data.mode_{m}") for m in records["mode"]],
            tr("data.history.loaded"): records["rows_loaded"],
            tr("data.history.rejected"): records["rows_rejected"],
            tr("data.history.state"): [tr("data.history.undone") if pd.notna(u) else "" for u in records["undone_at"]],
            "SHA-256": records["sha256"].str[:12],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    if not auth.is_editor():
        return
    for import_id in sorted(undoable, reverse=True):
        record = records.set_index("import_id").loc[import_id]
        label = tr(
            "data.undo",
            id=import_id,
            file=markdown_literal(record["file_name"]),
            table=tr(f"table.{record['table_name']}"),
        )
        if st.button(label, key=f"undo_{import_id}", icon=":material/undo:"):
            undo_import(tr, store, int(import_id))


def undo_import(tr: Translator, store: Store, import_id: int) -> None:
    """Undo one load and show the result; refused for viewers even if a rerun reaches it."""
    if not auth.require_editor(tr):
        return
    try:
        store.undo(import_id)
    except StoreError as error:
        st.error(tr(f"error.{error.reason}", **{k: str(v) for k, v in error.params.items()}))
    else:
        st.success(tr("data.undone", id=import_id))
        st.rerun()
