"""Files as offices really make them, end to end: each loads exactly as meant, or is refused.

Every file comes from :mod:`tools.office_files` with what it means, built with the
file (never read back through the loader). Each is loaded through ``loader.ingest`` into a
fresh database holding the sample communities, and then either what is *stored* (read back
from the contract's views) equals the meaning exactly — values, converted units, every
sheet, the direction of answers, months, also_director — or the file is refused with a
problem naming the row, the column and the reason, and the database is exactly as before.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from community_eval.db.store import Store
from community_eval.ingest.loader import SAMPLE_DIR, FileReport, Source, ingest, ingest_paths
from tools import office_files
from tools.office_files import COLUMNS, OfficeFile

FILES = office_files.office_files()
LOADS = [f for f in FILES if f.refusal is None]
REFUSED = [f for f in FILES if f.refusal is not None]
TABLES = list(COLUMNS)


def _id(office: OfficeFile) -> str:
    return office.key


def _by_shape(prefix: str) -> OfficeFile:
    (office,) = [f for f in FILES if f.key == prefix]
    return office


# ---- a database holding the sample communities, copied for every load -----------------------


@pytest.fixture(scope="module")
def communities_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("office") / "communities.duckdb"
    store = Store(str(path))
    try:
        reports = ingest_paths(store, [SAMPLE_DIR / "communities.csv"])
    finally:
        store.close()
    assert all(r.loaded for r in reports), [r.problems[:3] for r in reports]
    return path


def _fresh_copy(source: Path, folder: Path) -> Path:
    target = folder / "office.duckdb"
    shutil.copy(source, target)
    if Path(f"{source}.wal").exists():
        shutil.copy(f"{source}.wal", f"{target}.wal")
    return target


def _order(row: tuple) -> tuple:
    return tuple((value is None, str(value)) for value in row)


def stored_rows(store: Store, table: str) -> list[tuple]:
    """The current rows of a contract table, in the contract's columns, in a stable order."""
    columns = ", ".join(COLUMNS[table])
    with store.cursor() as cur:
        return sorted(cur.execute(f"select {columns} from {table}").fetchall(), key=_order)


def snapshot(store: Store) -> dict[str, object]:
    """Everything a refused load must leave as it was: every table's rows and the import log."""
    state: dict[str, object] = {table: stored_rows(store, table) for table in TABLES}
    with store.cursor() as cur:
        state["imports"] = cur.execute("select count(*) from meta.imports").fetchall()
    return state


def records(office: OfficeFile) -> list[tuple]:
    return [tuple(row) for row in office.expected.itertuples(index=False, name=None)]


@dataclass
class Outcome:
    reports: list[FileReport]
    before: dict[str, object]
    after: dict[str, object]

    @property
    def report(self) -> FileReport:
        (report,) = self.reports
        return report


@pytest.fixture(scope="module")
def outcome(communities_db, tmp_path_factory):
    """Load an office file once per module (its ``before`` files first); the same outcome for every test."""
    done: dict[str, Outcome | BaseException] = {}

    def load(office: OfficeFile) -> Outcome:
        if office.shape not in done:
            store = Store(str(_fresh_copy(communities_db, tmp_path_factory.mktemp("load"))))
            try:
                for first in office.before:
                    reports = ingest(store, [Source(first.name, first.data)])
                    assert all(r.loaded for r in reports), [(r.file_name, r.problems[:3]) for r in reports]
                before = snapshot(store)
                reports = ingest(store, [Source(office.name, office.data)], **office.options)
                done[office.shape] = Outcome(reports, before, snapshot(store))
            except Exception as error:  # e.g. an option the loader does not take yet: every test says so
                done[office.shape] = error
            finally:
                store.close()
        result = done[office.shape]
        if isinstance(result, BaseException):
            raise result
        return result

    return load


def _problems(report: FileReport) -> list[tuple]:
    return [(p.reason, getattr(p, "sheet", None), p.row, p.column, p.value) for p in report.problems]


def _sheet_value(sheet_report: object, name: str) -> object:
    """A SheetReport's field, whether kept on the report itself or on its ``layout``."""
    if hasattr(sheet_report, name):
        return getattr(sheet_report, name)
    return getattr(sheet_report.layout, name)


# ---- every file that must load, loads exactly as meant ------------------------------------------


@pytest.mark.parametrize("office", LOADS, ids=_id)
def test_loads_exactly_as_meant(outcome, office):
    result = outcome(office)
    report = result.report
    assert report.loaded, _problems(report)
    assert report.table == office.table
    assert report.rows_loaded == len(office.expected)
    expected = records(office)
    if office.options.get("mode") != "replace":
        expected += result.before[office.table]
    stored = result.after[office.table]
    missing, extra = Counter(expected) - Counter(stored), Counter(stored) - Counter(expected)
    assert (sorted(missing, key=_order)[:5], sorted(extra, key=_order)[:5]) == ([], [])
    assert stored == sorted(expected, key=_order)
    others = [t for t in TABLES if t != office.table]
    assert {t: result.after[t] for t in others} == {t: result.before[t] for t in others}


@pytest.mark.parametrize("office", LOADS, ids=_id)
def test_conversions_are_said_and_only_where_a_unit_differs(outcome, office):
    report = outcome(office).report
    assert report.loaded, _problems(report)
    assert report.conversions == office.conversions


NOTICED = [f for f in LOADS if f.notices]


@pytest.mark.parametrize("office", NOTICED, ids=_id)
def test_what_was_read_by_a_rule_that_deserves_a_word_is_counted(outcome, office):
    report = outcome(office).report
    assert report.loaded, _problems(report)
    notices = report.notices
    for (key, column), count in office.notices.items():
        found = [n for n in notices if n.key == key and n.column == column]
        assert found, (key, column, [(n.key, n.column, n.count) for n in notices])
        if count is not None:
            assert sum(n.count for n in found) == count, (key, column)


WORKBOOKS = [f for f in LOADS if f.sheets]


@pytest.mark.parametrize("office", WORKBOOKS, ids=_id)
def test_the_report_says_what_happened_to_every_sheet(outcome, office):
    report = outcome(office).report
    reported = {s.title: s for s in report.sheets}
    assert set(office.sheets) <= set(reported), list(reported)
    for title, meaning in office.sheets.items():
        assert (_sheet_value(reported[title], "kind"), _sheet_value(reported[title], "rows")) == tuple(meaning), title
        if meaning.kind == "table":
            assert _sheet_value(reported[title], "table") == office.table
    assert sum(m.rows for m in office.sheets.values()) == report.rows_loaded


LAID_OUT = [f for f in LOADS if f.layout]


@pytest.mark.parametrize("office", LAID_OUT, ids=_id)
def test_the_report_says_where_the_header_was_and_what_was_skipped(outcome, office):
    reported = {s.title: s for s in outcome(office).report.sheets}
    for title, layout in office.layout.items():
        assert title in reported, list(reported)
        for name, value in layout.items():
            found = _sheet_value(reported[title], name)
            if isinstance(value, list | tuple):
                found, value = list(found), list(value)
            assert found == value, (title, name)


def test_merged_street_cells_are_filled_and_counted(outcome):
    office = _by_shape("a")
    (sheet,) = outcome(office).report.sheets
    assert _sheet_value(sheet, "merged_filled") > 0
    # every community kept its street: the merged cell covered it
    by_id = {row[0]: row[3] for row in outcome(office).after["communities"]}
    assert by_id == {row[0]: row[3] for row in records(office)}


def test_the_direction_of_answers_decides_the_means(outcome):
    """问卷星 按序号: 1 = 非常满意. Read high-first the mean is what people said; read as scores it is mirrored."""
    high, low = _by_shape("f-high-first"), _by_shape("f-low-first")
    position = COLUMNS["survey"].index("overall")

    def mean(rows: list[tuple]) -> float:
        return sum(r[position] for r in rows) / len(rows)

    meant = mean(records(high))
    assert mean(outcome(high).after["survey"]) == pytest.approx(meant)
    assert mean(outcome(low).after["survey"]) == pytest.approx(6 - meant)
    assert meant > 3.1  # the sample leans to 满意: reversed it would look like dissatisfaction


def test_one_person_holding_both_posts_is_a_secretary_who_is_also_director(outcome):
    office = _by_shape("d")
    columns = COLUMNS["staff"]
    rows = outcome(office).after["staff"]
    both = [r for r in rows if r[columns.index("also_director")]]
    assert both and {r[columns.index("role")] for r in both} == {"secretary"}
    assert len(both) == sum(r[columns.index("also_director")] for r in records(office))


# ---- every file that must be refused, is: naming row, column and reason, and nothing changes -----


@pytest.mark.parametrize("office", REFUSED, ids=_id)
def test_is_refused_naming_the_row_the_column_and_the_reason(outcome, office):
    result = outcome(office)
    report = result.report
    refusal = office.refusal
    assert not report.loaded and report.rows_loaded == 0
    matching = [p for p in report.problems if p.reason == refusal.reason and p.row == refusal.row]
    assert matching, _problems(report)
    problem = matching[0]
    if refusal.column is not None:
        assert problem.column == refusal.column, _problems(report)
    if refusal.sheet is not None:
        assert problem.sheet == refusal.sheet, _problems(report)
    if refusal.params:
        said = " ".join(f"{key}={value}" for key, value in problem.params.items())
        for key, value in refusal.params.items():
            assert str(key) in said and str(value) in said, (refusal.params, problem.params)
    assert result.after == result.before


# ---- the command line: --set and --likert-order -----------------------------------------------


def _cli(*args: str) -> int:
    from community_eval.cli import main

    return main(["--lang", "en", *args])


def _db_rows(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(f"select {', '.join(COLUMNS[table])} from {table}").fetchall(), key=_order)
    finally:
        con.close()


def test_cli_set_gives_a_missing_column_one_value(communities_db, tmp_path):
    office = _by_shape("h-set")
    db = _fresh_copy(communities_db, tmp_path)
    path = tmp_path / office.name
    path.write_bytes(office.data)
    assert _cli("ingest", str(path), "--db", str(db), "--mode", "replace") == 1  # refused without --set
    assert _cli("ingest", str(path), "--db", str(db), "--mode", "replace", "--set", "district=仙桃市") == 0
    assert _db_rows(db, "communities") == sorted(records(office), key=_order)


def test_cli_likert_order_gives_the_direction_of_numeric_answers(communities_db, tmp_path):
    office = _by_shape("f-high-first")
    db = _fresh_copy(communities_db, tmp_path)
    path = tmp_path / office.name
    path.write_bytes(office.data)
    assert _cli("ingest", str(path), "--db", str(db)) == 1  # direction unknown: refused
    assert _db_rows(db, "survey") == []
    assert _cli("ingest", str(path), "--db", str(db), "--likert-order", "high-first") == 0
    assert _db_rows(db, "survey") == sorted(records(office), key=_order)


# ---- the generator itself ---------------------------------------------------------------------


def test_the_generator_writes_every_file_and_each_opens_without_our_reader(tmp_path):
    import openpyxl
    import python_calamine
    from lxml import html

    office_files.main(["--output", str(tmp_path)])
    names = {f.name for f in FILES} | {b.name for f in FILES for b in f.before if b.shipped is None}
    assert {p.name for p in tmp_path.iterdir()} == names | {"MANIFEST.txt"}
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            assert all(sheet.max_row > 1 for sheet in book.worksheets), path.name
        elif data.startswith(b"<html"):
            table = html.fromstring(data).find(".//table")
            assert len(table.findall(".//tr")) > 2, path.name
        elif path.suffix in (".xls", ".ods"):
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            assert all(len(book.get_sheet_by_name(n).to_python()) > 2 for n in book.sheet_names), path.name
        elif path.suffix == ".csv":
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:  # saved by Excel on a Chinese Windows
                text = data.decode("gbk")
            assert text.count("\n") > 2, path.name
    manifest = (tmp_path / "MANIFEST.txt").read_text(encoding="utf-8")
    assert all(f.shape in manifest for f in FILES)


def test_the_legacy_xls_is_a_real_excel_97_file_and_the_html_one_is_not():
    assert _by_shape("e-xls").data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    assert _by_shape("e-html").data.startswith(b"<html")
    assert (
        zipfile.ZipFile(io.BytesIO(_by_shape("e-ods").data)).read("mimetype")
        == b"application/vnd.oasis.opendocument.spreadsheet"
    )


def test_the_generator_is_deterministic():
    today = dt.date(2026, 6, 1)
    first = [(f.name, f.data) for f in office_files.office_files(today)]
    again = [(f.name, f.data) for f in office_files.office_files(today)]
    assert first == again


def test_what_a_file_means_is_built_with_it_never_read_through_the_loader():
    """The meaning must not come from the code under test, or the tests would check it against itself."""
    tree = ast.parse(Path(office_files.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name and name.startswith("community_eval")}


def test_expected_rows_use_the_contracts_columns_and_defaults():
    for office in LOADS:
        assert list(office.expected.columns) == COLUMNS[office.table], office.shape
        if office.table == "staff":
            assert office.expected["also_director"].isin([True, False]).all()
        if office.table == "survey":
            assert (office.expected["weight"] == 1.0).all()
