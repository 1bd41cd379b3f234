"""Data management (数据管理): upload files, see what they map to and what is wrong before
loading, load or skip, undo a load, and get templates and the data dictionary."""

from dataclasses import replace

import streamlit as st

from community_eval.app import auth, cache, data_page, items_section, page_frame, questionnaire_page, uploads
from community_eval.core.safety import markdown_literal
from community_eval.core.schema import TABLES
from community_eval.db import workspaces
from community_eval.ingest import templates

tr, view = page_frame.page()
st.title(tr("data.title"))
st.caption(tr("data.dataset_now", name=markdown_literal(data_page.dataset_label(tr, cache.dataset()))))
upload, history, blanks, dictionary = st.tabs(
    [tr("data.tab.upload"), tr("data.tab.history"), tr("data.tab.templates"), tr("data.tab.dictionary")]
)

with upload:
    # Viewers get a sentence instead of the controls; the loading functions refuse them too.
    if auth.data_page_notice(tr):
        if cache.store().read_only:  # Parquet read in place, or a file opened read-only; workspaces still load
            st.info(page_frame.error_text(tr, cache.store().refusal()), icon=":material/lock:")
        target = data_page.target_dataset_picker(tr)
        # Any file: the reader tells a workbook from a table by its content and refuses the rest
        # in the reader's language (a WPS .et is a workbook), where the browser, filtering by
        # name, would refuse an .et or .xltx in English ("… files are not allowed").
        files = st.file_uploader(
            tr("data.files"),
            accept_multiple_files=True,
            help=tr("data.files_help"),
            key="data_files",
        )
        uploads.hold(files)  # the sweeper lets go of any other upload of this session (uploads.py)
        left, middle, right = st.columns(3)
        table = left.selectbox(
            tr("data.table"),
            [None, *TABLES],
            format_func=lambda name: tr("data.table_auto") if name is None else tr(f"table.{name}"),
            placeholder=tr("streamlit.choose_option"),
            key="data_table",
        )
        mode = middle.radio(
            tr("data.mode"),
            ["append", "replace"],
            format_func=lambda key: tr(f"data.mode_{key}"),
            horizontal=True,
            key="data_mode",
        )
        skip_invalid = right.checkbox(tr("data.skip_invalid"), key="data_skip_invalid", help=tr("data.skip_help"))
        if files and target is not None:
            sources = data_page.uploaded_sources(tr, files)
            given = data_page.given_set_values()
            likert_order = st.session_state.get("data_likert_order")
            mapping = questionnaire_page.override()
            upload = data_page.Upload(target, sources, table, mode, skip_invalid, given, likert_order, mapping)
            checked = data_page.check_upload(upload)
            questionnaire_page.mapping_editor(tr, checked)
            for report in checked:
                data_page.show_file_report(tr, report)
            set_values = data_page.set_value_fields(tr, checked, given)
            likert_order = data_page.likert_order_choice(tr, checked)
            loadable = [r for r in checked if r.rows_valid and (skip_invalid or not r.problems)]
            if st.button(
                tr("data.load", count=len(loadable)),
                type="primary",
                disabled=not loadable,
                icon=":material/upload:",
                key="data_load",
            ):
                data_page.run_upload(tr, replace(upload, set_values=set_values, likert_order=likert_order))
            if not skip_invalid and any(r.problems and r.rows_valid for r in checked):
                st.caption(tr("data.blocked_hint"))

with history:
    data_page.import_history(tr)
    questionnaire_page.saved_mappings(tr, cache.store())

with blanks:
    st.markdown(tr("data.templates_intro"))
    for name, spec in TABLES.items():
        columns = st.columns([2, 1, 1])
        columns[0].markdown(f"**{tr(f'table.{name}')}** (`{name}`)")
        columns[1].download_button(
            "CSV", templates.template_csv(spec), f"{name}_template.csv", "text/csv", key=f"tpl_csv_{name}"
        )
        columns[2].download_button(
            "Excel",
            templates.template_xlsx(spec),
            f"{name}_template.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"tpl_xlsx_{name}",
        )

with dictionary:
    st.markdown(tr("data.dictionary_intro"))
    for name, spec in TABLES.items():
        st.subheader(f"{tr(f'table.{name}')} · {name}")
        st.dataframe(templates.dictionary(tr, spec), hide_index=True, width="stretch")
    items_section.questions_dictionary(tr)

if workspaces.list_datasets() != [workspaces.MAIN]:
    st.caption(tr("data.workspaces_note"))
