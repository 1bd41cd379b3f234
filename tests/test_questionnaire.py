"""问卷星 and 腾讯问卷 exports load as they mean: every platform, kind and format, both directions.

The files and what they mean come from :mod:`tools.survey_exports`, built from the
respondents' answers and never read back through the loader; here what the loader stored is
compared with that truth row by row, and the means with pandas' own.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from community_eval.app import questionnaire_page
from community_eval.db.store import Store
from community_eval.ingest import questionnaire
from community_eval.ingest.loader import Source, ingest
from tools.survey_exports import PlatformExport, platform_exports

EXPORTS = platform_exports()
FIXED = ["overall", "service", "environment", "safety", "participation", "staff_attitude", "facilities"]
PRIVATE = ["ip", "open_text", "phone", "user_id", "nickname"]


@pytest.fixture
def district(sample_db, tmp_path) -> Path:
    """A copy of the sample district per test: loads here change nothing elsewhere."""
    path = tmp_path / "district.duckdb"
    path.write_bytes(Path(sample_db).read_bytes())
    return path


@pytest.fixture
def store(district) -> Store:
    opened = Store(str(district))
    yield opened
    opened.close()


def _key(export: PlatformExport) -> str:
    headers = [h for h in export.questions]
    return questionnaire.questionnaire_key(headers)


def _stored(store: Store, export: PlatformExport) -> pd.DataFrame:
    """The survey rows this export stored, by the platform's response number."""
    with store.cursor() as cur:
        rows = cur.execute(
            "select * from main.survey where starts_with(response_id, $prefix)", {"prefix": _key(export) + "-"}
        ).df()
    rows["response_number"] = rows["response_id"].str.rsplit("-", n=1).str[1].astype(int)
    return rows.set_index("response_number").sort_index()


def _items(store: Store, export: PlatformExport) -> pd.DataFrame:
    with store.cursor() as cur:
        return cur.execute(
            "select q.item_text, a.response_id, a.value from main.survey_answers as a "
            "join (select distinct item_code, item_text from main.questions) as q using (item_code)"
        ).df()


def _meant(export: PlatformExport) -> pd.DataFrame:
    return export.truth.set_index("response_number").sort_index()


@pytest.mark.parametrize("export", EXPORTS, ids=[f"{e.platform}-{e.kind}-{e.fmt}" for e in EXPORTS])
def test_an_export_loads_as_it_means(store, export):
    reports = ingest(store, [Source(export.name, export.data)], likert_order=export.likert_order)
    (report,) = reports
    assert report.loaded, [(p.reason, p.row, p.column, p.value) for p in report.problems]
    stored, every = _stored(store, export), _meant(export)
    # A response whose overall answer is 说不清 has no overall score: left out, and counted.
    meant = every[every["overall"].notna()]
    unrated = [n.count for n in report.notices if n.key == "rows_without_overall"]
    assert unrated == ([len(every) - len(meant)] if len(meant) < len(every) else [])
    assert list(stored.index) == list(meant.index)  # every rated response, none twice
    assert (stored["community_id"] == meant["community_id"]).all()
    assert (stored["survey_date"].dt.date == meant["survey_date"]).all()
    for column in FIXED:
        given = meant[column].astype(float)
        assert stored[column].astype(float).equals(given) or _same(stored[column], given), column
        if given.notna().any():  # the mean a researcher would compute from the file's answers
            assert math.isclose(stored[column].mean(), given.mean(), rel_tol=1e-12)
    labels_written = export.kind == "text" or export.platform == "tencent"
    if labels_written:
        assert stored["gender"].tolist() == meant["gender"].tolist()
    else:  # option numbers cannot say which is 男: not kept, and said
        assert stored["gender"].isna().all()
        assert any(n.key == "personal_codes_dropped" and n.column == "gender" for n in report.notices)
    _check_items(store, export, meant)


def _same(stored: pd.Series, meant: pd.Series) -> bool:
    a, b = stored.astype(float).to_numpy(), meant.astype(float).to_numpy()
    pairs = zip(a, b, strict=True)
    return all((math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-12) for x, y in pairs)


def _check_items(store: Store, export: PlatformExport, meant: pd.DataFrame) -> None:
    """Each own question: the stored answers equal the rescaled answers, and so do the means."""
    own = [h for h, what in export.questions.items() if what == "item"]
    assert own
    items = _items(store, export)
    for header in own:
        text = questionnaire.question_text(header)
        answers = items[items["item_text"] == text]
        answers = answers.assign(n=answers["response_id"].str.rsplit("-", n=1).str[1].astype(int)).set_index("n")
        given = meant[header].dropna().astype(float)  # answers of the responses that were stored
        assert sorted(answers.index) == sorted(given.index), header
        assert _same(answers["value"].sort_index(), given.sort_index()), header
        assert math.isclose(answers["value"].mean(), given.mean(), rel_tol=1e-12), header


NUMERIC = [e for e in EXPORTS if e.likert_order]


@pytest.mark.parametrize("export", NUMERIC, ids=[f"{e.platform}-{e.kind}-{e.fmt}" for e in NUMERIC])
def test_option_numbers_without_a_direction_are_refused_and_nothing_is_stored(store, export):
    before = store.row_count("survey")
    (report,) = ingest(store, [Source(export.name, export.data)])
    assert not report.loaded
    assert [p.reason for p in report.problems] == ["likert_direction_unknown"]
    assert report.likert_codes  # what the page shows beside the choice
    assert store.row_count("survey") == before


def test_the_wrong_direction_is_never_loaded_silently(store):
    """按序号 read as scores: the 说不清 option (6) is off the 1–5 scale, so the file is refused."""
    export = next(e for e in EXPORTS if e.platform == "wjx" and e.kind == "code" and e.fmt == "xlsx")
    (report,) = ingest(store, [Source(export.name, export.data)], likert_order="low-first")
    assert not report.loaded
    assert {p.reason for p in report.problems} == {"not_on_scale"}


def test_a_saved_mapping_loads_the_next_download_the_right_way_round(store):
    """The direction confirmed once is kept with the questionnaire: the next download needs no word."""
    first = next(e for e in EXPORTS if e.platform == "wjx" and e.kind == "code" and e.fmt == "xlsx")
    again = next(e for e in EXPORTS if e.platform == "wjx" and e.kind == "code" and e.fmt == "csv")
    assert ingest(store, [Source(first.name, first.data)], likert_order="high-first")[0].loaded
    saved = store.saved_mappings()
    assert len(saved) == 1 and saved["questionnaire"].iloc[0] == _key(first)
    (report,) = ingest(store, [Source(again.name, again.data)], mode="replace")
    assert report.loaded, [p.reason for p in report.problems]
    assert any(n.key == "mapping_saved_used" for n in report.notices)
    stored, meant = _stored(store, again), _meant(again).dropna(subset=["overall"])
    assert _same(stored["overall"], meant["overall"].astype(float))  # 1 = 非常满意 = 5, as confirmed


def test_nothing_private_reaches_the_database(store, tmp_path):
    """IP, phone, open text, openid and nickname: in no table of any schema after every export is loaded."""
    for export in EXPORTS:
        ingest(store, [Source(export.name, export.data)], likert_order=export.likert_order, mode="replace")
    secrets = {str(v) for e in EXPORTS for c in PRIVATE for v in e.truth[c].dropna()}
    assert len(secrets) > 200
    with store.cursor() as cur:
        # Every catalog: the file's, and the in-memory one of the store's macros and year views.
        tables = cur.execute("select table_catalog, table_schema, table_name from information_schema.tables").fetchall()
        dumped = []
        for catalog, schema, name in tables:
            frame = cur.execute(f'select * from "{catalog}"."{schema}"."{name}"').df()
            dumped.append(frame.astype(str).to_csv(index=False))
    text = "\n".join(dumped)
    leaked = [s for s in secrets if s in text]
    assert not leaked, leaked[:5]
    for bare in ("117.136.", "希望增加停车位"):
        assert bare not in text


def test_the_report_says_what_was_dropped_for_privacy(store):
    export = next(e for e in EXPORTS if e.platform == "wjx" and e.kind == "text" and e.fmt == "csv")
    (report,) = ingest(store, [Source(export.name, export.data)], dry_run=True)
    private = {h for h, what in export.questions.items() if what in ("open_text", "phone")} | {"来自IP", "来源详情"}
    assert private <= set(report.dropped_private)
    assert not set(report.dropped_private) & set(report.mapping)


def test_a_mapping_file_changes_where_a_question_goes(store, tmp_path):
    export = next(e for e in EXPORTS if e.platform == "wjx" and e.kind == "text" and e.fmt == "xlsx")
    proposed = ingest(store, [Source(export.name, export.data)], dry_run=True)[0].plan.mapping
    assert proposed.columns["5、(社区环境卫生)"] == "environment"
    changed = proposed.to_toml().replace('"5、(社区环境卫生)" = "environment"', '"5、(社区环境卫生)" = "item"')
    changed += '\n[themes]\n"5、(社区环境卫生)" = "environment"\n'
    override = questionnaire.read_mapping(changed)
    (report,) = ingest(store, [Source(export.name, export.data)], mapping=override)
    assert report.loaded
    assert _stored(store, export)["environment"].isna().all()
    with store.cursor() as cur:
        themes = dict(cur.execute("select item_text, theme from main.questions").fetchall())
    assert themes["社区环境卫生"] == "environment"


def test_a_mapping_may_not_keep_a_private_column(store):
    export = next(e for e in EXPORTS if e.platform == "wjx" and e.kind == "text" and e.fmt == "csv")
    (report,) = ingest(store, [Source(export.name, export.data)], mapping={"columns": {"来自IP": "item"}})
    assert not report.loaded
    assert [p.reason for p in report.problems] == ["mapping_private"]


def test_undo_takes_the_items_back_with_the_survey_rows(store):
    export = next(e for e in EXPORTS if e.platform == "tencent" and e.kind == "text" and e.fmt == "csv")
    (report,) = ingest(store, [Source(export.name, export.data)])
    assert report.loaded and report.items_loaded == 1
    latest = max(store.undoable_imports())
    assert _count(store, "survey_answers") > 0
    store.undo(latest)
    assert _count(store, "survey_answers") == 0
    assert _count(store, "questions") == 0


def _count(store: Store, table: str) -> int:
    with store.cursor() as cur:
        return cur.execute(f"select count(*) from main.{table}").fetchall()[0][0]


def test_an_unknown_community_is_a_row_problem_that_names_it(store):
    export = next(e for e in EXPORTS if e.platform == "wjx" and e.kind == "text" and e.fmt == "csv")
    text = export.data.decode("gbk")
    name = store.community_names()[export.truth["community_id"].iloc[0]]
    changed = text.replace(name, "不存在社区", 1).encode("gbk")
    (report,) = ingest(store, [Source(export.name, changed)])
    assert not report.loaded
    (problem,) = report.problems
    assert (problem.reason, problem.column, problem.value) == ("unknown_community", "community_id", "不存在社区")
    assert problem.row == 2  # the first answer, under the header


def test_an_old_database_with_whole_point_answers_is_widened(tmp_path):
    path = str(tmp_path / "old.duckdb")
    con = duckdb.connect(path)
    con.execute("create schema stored")
    con.execute(
        "create table stored.survey (response_id varchar, community_id varchar not null, survey_date date not null, "
        "overall tinyint not null, service tinyint, environment tinyint, safety tinyint, participation tinyint, "
        "staff_attitude tinyint, facilities tinyint, weight double, gender varchar, age_group varchar, "
        "import_id bigint not null, replaced_by bigint)"
    )
    con.close()
    opened = Store(path)
    with opened.cursor() as cur:
        kinds = dict(
            cur.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'stored' and table_name = 'survey'"
            ).fetchall()
        )
    opened.close()
    assert kinds["overall"] == "DOUBLE" and kinds["facilities"] == "DOUBLE"


def test_saved_mappings_are_listed_renamed_and_deleted(store):
    export = next(e for e in EXPORTS if e.platform == "tencent" and e.kind == "text" and e.fmt == "xlsx")
    assert ingest(store, [Source(export.name, export.data)])[0].loaded
    (key,) = store.saved_mappings()["questionnaire"]
    assert store.saved_mapping(key)[0] == export.name.rsplit(".", 1)[0]  # named after the file at first
    store.rename_mapping(key, "2024 年居委会满意度（腾讯问卷）")
    name, mapping = store.saved_mapping(key)
    assert name == "2024 年居委会满意度（腾讯问卷）"
    assert mapping["columns"]["4.总体来说，您对本社区居委会的工作满意吗？"] == "overall"
    store.delete_mapping(key)
    assert store.saved_mapping(key) is None and store.saved_mappings().empty


def _cli(*args: str) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "community_eval", "--lang", "zh", "ingest", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)


def _on_disk(tmp_path: Path, platform: str, kind: str) -> Path:
    """The platform's .csv export of that kind, written where the command line can read it."""
    export = next(e for e in EXPORTS if e.platform == platform and e.kind == kind and e.fmt == "csv")
    path = tmp_path / export.name
    path.write_bytes(export.data)
    return path


def test_the_command_line_prints_writes_and_takes_a_mapping(district, tmp_path):
    """按序号 refused with the mapping printed; written out, edited, given back with the direction: loaded."""
    db, path = district, _on_disk(tmp_path, "wjx", "code")
    written = tmp_path / "mapping.toml"
    refused = _cli(str(path), "--db", str(db), "--write-mapping", str(written))
    assert refused.returncode == 1
    assert "问卷星导出" in refused.stdout and "5 列个人信息" in refused.stdout
    assert "7、您对社区垃圾分类工作的满意度 → 自设题目" in refused.stdout
    assert "--likert-order high-first" in refused.stdout and "--mapping" in refused.stdout
    text = written.read_text(encoding="utf-8")
    assert '"来自IP" = "drop"' in text
    written.write_text(text.replace('"8、(社区停车管理)" = "item"', '"8、(社区停车管理)" = "drop"'), encoding="utf-8")
    loaded = _cli(str(path), "--db", str(db), "--mapping", str(written), "--likert-order", "high-first")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "Traceback" not in loaded.stdout + loaded.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        texts = {row[0] for row in con.execute("select item_text from main.questions").fetchall()}
    assert "社区停车管理" not in texts and "社区养老服务" in texts


def test_a_mapping_file_with_an_unknown_column_is_one_sentence(district, tmp_path):
    db, path = district, _on_disk(tmp_path, "wjx", "text")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"5、(社区环境卫生)" = "cleanliness"\n', encoding="utf-8")
    result = _cli(str(path), "--db", str(db), "--mapping", str(mapping))
    assert result.returncode == 1
    assert "“5、(社区环境卫生)”对应的字段“cleanliness”不存在" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_two_exports_changed_on_the_page_keep_their_own_choices(store):
    """The page keeps each questionnaire's table apart; merged, each file still reads as its table says."""
    wjx = next(e for e in EXPORTS if e.platform == "wjx" and e.kind == "text" and e.fmt == "csv")
    tencent = next(e for e in EXPORTS if e.platform == "tencent" and e.kind == "text" and e.fmt == "csv")
    changed = {
        _key(wjx): {"columns": {"8、(社区停车管理)": "drop"}, "themes": {"8、(社区养老服务)": "service"}},
        _key(tencent): {"columns": {"5.请您对以下方面进行评价—社会治安": "item"}, "themes": {}},
    }
    merged = questionnaire_page.merge_overrides(changed)
    assert questionnaire_page.merge_overrides({}) is None
    reports = ingest(store, [Source(wjx.name, wjx.data), Source(tencent.name, tencent.data)], mapping=merged)
    assert all(r.loaded for r in reports), [(r.file_name, [p.reason for p in r.problems]) for r in reports]
    by_file = {r.file_name: r.plan.mapping for r in reports}
    assert by_file[wjx.name].columns["8、(社区停车管理)"] == "drop"
    assert by_file[wjx.name].themes == {"8、(社区养老服务)": "service"}
    assert by_file[tencent.name].columns["5.请您对以下方面进行评价—社会治安"] == "item"
    assert by_file[tencent.name].columns["5.请您对以下方面进行评价—社区环境卫生"] == "environment"
