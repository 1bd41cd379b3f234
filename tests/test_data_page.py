"""The data page: uploads checked before loading, loads that change the pages, undo,
workspaces that leave the district data alone, and templates that load as they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from community_eval.core.i18n import Translator
from community_eval.core.schema import TABLES
from community_eval.db import workspaces
from community_eval.ingest import templates
from community_eval.ingest.loader import Source, ingest

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")
NEW_COMMUNITIES = (
    "社区编码,社区名称,区县,街道,社区类型,常住人口,户数（户）\n"
    'NEW1,新建社区,新区,新街道,纯社区,"3,000",1000户\n'
    "NEW2,另一社区,新区,新街道,村改居,８０００,2600\n"
).encode("gbk")
BAD_COMMUNITIES = (
    "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n"  # 商业区 is no community type
    "BAD1,坏社区,新区,新街道,商业区,100,30\n"
).encode("gbk")


@pytest.fixture
def data_page(sample_db, tmp_path, monkeypatch):
    """The data page of a fresh session on a private copy of the sample district."""
    db = tmp_path / "district.duckdb"
    shutil.copy(sample_db, db)
    monkeypatch.setenv("COMMUNITY_EVAL_DB", str(db))

    def make(**query) -> AppTest:
        at = AppTest.from_file(ENTRY, default_timeout=60)
        at.query_params.update({"lang": "en", **query})
        return at.run().switch_page("pages/data.py").run().run()

    return make


def communities_metric(at: AppTest) -> str:
    at.switch_page("pages/overview.py").run()
    return {m.label: m.value for m in at.metric}["Communities"]


def test_an_upload_is_checked_then_loaded_and_the_pages_follow(data_page):
    at = data_page()
    at.get("file_uploader")[0].upload("新社区.csv", NEW_COMMUNITIES, "text/csv").run()
    assert not at.exception
    expander = at.expander[0]
    assert "新社区.csv" in expander.label and "Communities" in expander.label
    frames = [df.value for df in at.dataframe]
    assert any("户数（户）" in list(frame.iloc[:, 0]) for frame in frames), "the header mapping is shown"
    assert any("新建社区" in frame.to_string() for frame in frames), "the parsed rows are previewed"
    load = next(b for b in at.button if b.label.startswith("Load"))
    load.click().run()
    assert any("loaded into Communities: 2 rows" in s.value for s in at.success)
    assert communities_metric(at) == "81"


def test_a_bad_upload_says_why_and_cannot_be_loaded(data_page):
    at = data_page()
    at.get("file_uploader")[0].upload("bad.csv", BAD_COMMUNITIES, "text/csv").run()
    problems = next(df.value for df in at.dataframe if "Reason" in df.value.columns)
    assert list(problems.iloc[0])[:3] == ["2", "community_type", "商业区"]
    assert next(b for b in at.button if b.label.startswith("Load")).disabled
    assert communities_metric(at) == "79"


def test_undo_from_the_history_tab(data_page):
    at = data_page()
    at.get("file_uploader")[0].upload("新社区.csv", NEW_COMMUNITIES, "text/csv").run()
    next(b for b in at.button if b.label.startswith("Load")).click().run()
    undo = next(b for b in at.button if b.label.startswith("Undo load") and "新社区.csv" in b.label)
    undo.click().run()
    assert not at.exception
    assert communities_metric(at) == "79"


def test_a_workspace_upload_leaves_the_district_data_alone(data_page):
    at = data_page()
    target = next(s for s in at.selectbox if s.label == "Load into")
    target.select("__new__").run()
    next(t for t in at.text_input).input("研究A").run()
    next(b for b in at.button if b.label == "Create workspace").click().run()
    assert "研究A" in workspaces.list_datasets()
    at.get("file_uploader")[0].upload("新社区.csv", NEW_COMMUNITIES, "text/csv").run()
    next(b for b in at.button if b.label.startswith("Load")).click().run()
    assert communities_metric(at) == "79", "the district data did not change"
    with duckdb.connect(workspaces.path_for("研究A")) as con:
        stored = sorted(row[0] for row in con.execute("select community_id from communities").fetchall())
    assert stored == ["NEW1", "NEW2"], "the workspace holds the upload"
    workspace = data_page(dataset="研究A")
    assert "研究A" in workspace.caption[0].value, "?dataset= picks the workspace"


def test_templates_load_as_they_are(empty_store):
    sources = [Source(f"{name}.csv", templates.template_csv(table)) for name, table in TABLES.items()]
    reports = ingest(empty_store, sources)
    assert all(r.loaded for r in reports), [(r.file_name, r.problems[:3]) for r in reports]
    assert [empty_store.row_count(name) for name in TABLES] == [2, 2, 2, 2, 2]


def test_excel_templates_load_too(empty_store):
    sources = [Source(f"{name}.xlsx", templates.template_xlsx(table)) for name, table in TABLES.items()]
    reports = ingest(empty_store, sources)
    assert all(r.loaded for r in reports), [(r.file_name, r.problems[:3]) for r in reports]


def test_template_headers_are_bilingual(empty_store):
    header = templates.template_csv(TABLES["facilities"]).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("社区编码（community_id）,年份（year）,")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_dictionary_covers_every_column(lang):
    tr = Translator(lang)
    for table in TABLES.values():
        frame = templates.dictionary(tr, table)
        assert list(frame.iloc[:, 0]) == list(table.column_names)
    survey = templates.dictionary(tr, TABLES["survey"]).set_index(tr("dictionary.column"))
    assert "> 0" in survey.loc["weight"].iloc[-1]


@pytest.mark.parametrize(("lang", "words"), [("zh", "空白按 否 处理"), ("en", "empty means no")])
def test_a_yes_no_columns_default_is_said_in_the_readers_words(lang, words):
    tr = Translator(lang)
    staff = templates.dictionary(tr, TABLES["staff"]).set_index(tr("dictionary.column"))
    rule = staff.loc["certified_social_worker", tr("dictionary.rule")]
    assert words in rule and "False" not in rule
    survey = templates.dictionary(tr, TABLES["survey"]).set_index(tr("dictionary.column"))
    assert tr("dictionary.default", value="1") in survey.loc["weight", tr("dictionary.rule")]


def test_workspace_names_are_checked(tmp_path):
    main = str(tmp_path / "main.duckdb")
    with pytest.raises(workspaces.WorkspaceError):
        workspaces.path_for("../escape", main)
    with pytest.raises(workspaces.WorkspaceError):
        workspaces.create("main", main)  # the district's own data is not a workspace
    workspaces.create("研究-1", main)
    assert workspaces.list_datasets(main) == ["main", "研究-1"]
    with pytest.raises(workspaces.WorkspaceError):
        workspaces.create("研究-1", main)
