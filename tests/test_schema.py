"""The schema is the contract: names, aliases and DDL derive from one definition."""

import re
from pathlib import Path

import duckdb
import pytest

from community_eval.core.schema import COMPANIONS, TABLES, create_table_sql, header_index, normalise_header

SHARED_CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "DATA_CONTRACT.md"
#: The project's own, user-facing copy of the contract (the README links to it).
OWN_CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "DATA_CONTRACT.md"


def contract_rows(path: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Per table, each column name with its aliases, as a DATA_CONTRACT.md writes them."""
    tables: dict[str, list[tuple[str, list[str]]]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+) \(", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
        elif current and line.startswith("| ") and not line.startswith("| column") and "---" not in line:
            cells = line.split("|")
            aliases = [a.strip() for a in cells[2].split(",") if a.strip()]
            names = [n.strip() for n in cells[1].split(",")]
            if len(names) > 1:  # `latitude, longitude | 纬度, 经度`: one alias each, in order
                tables[current] += [(name, [alias]) for name, alias in zip(names, aliases, strict=True)]
            else:
                tables[current].append((names[0], aliases))
    return tables


def contract_tables(path: Path = SHARED_CONTRACT) -> dict[str, list[str]]:
    """Table and column names as DATA_CONTRACT.md writes them (skipped when it is absent)."""
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    return {table: [name for name, _ in rows] for table, rows in contract_rows(path).items()}


@pytest.mark.parametrize("path", [SHARED_CONTRACT, OWN_CONTRACT], ids=["shared", "own copy"])
def test_tables_and_columns_are_the_contracts(path):
    expected = contract_tables(path)
    assert list(TABLES) == list(expected)
    for name, table in TABLES.items():
        assert list(table.column_names) == expected[name], name


def test_every_alias_the_own_contract_lists_maps_to_its_column():
    """The copy users read promises these headers: each one must reach its column."""
    for table_name, rows in contract_rows(OWN_CONTRACT).items():
        index = header_index(TABLES[table_name])
        for column, aliases in rows:
            for alias in aliases:
                assert index.get(normalise_header(alias)) == column, (table_name, column, alias)


def test_database_tables_have_exactly_the_contract_names(empty_store):
    """What a researcher opening the file sees in ``main``: the five tables, contract columns only, and
    beside the survey a questionnaire's own questions and their answers in long form."""
    with empty_store.cursor() as cur:
        names = {
            row[0]
            for row in cur.execute(
                # The file's own catalog: the in-memory ``macros`` catalog the store attaches (its
                # year views) is not in the file a researcher opens.
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = 'main'"
            ).fetchall()
        }
        companions = {t.name: t for tables in COMPANIONS.values() for t in tables}
        assert names == set(TABLES) | {"questions", "survey_answers"} == set(TABLES) | set(companions)
        for table in [*TABLES.values(), *companions.values()]:
            columns = [row[0] for row in cur.execute(f"describe main.{table.name}").fetchall()]
            assert columns == list(table.column_names)


def test_a_database_from_before_undo_is_adopted(tmp_path):
    """Early databases kept plain tables in main; opening one keeps its rows, as import 0."""
    path = str(tmp_path / "old.duckdb")
    con = duckdb.connect(path)
    for table in TABLES.values():
        ddl = create_table_sql(table).replace("stored.", "main.")
        ddl = ddl.replace(",\n    import_id bigint not null,\n    replaced_by bigint", "")
        con.execute(ddl)
    con.execute("insert into communities values ('A', '甲', '区', '街', 'urban', 10, 3, null, null)")
    con.close()
    from community_eval.db.store import Store

    store = Store(path)
    assert store.row_count("communities") == 1
    with store.cursor() as cur:
        assert cur.execute("select import_id from stored.communities").fetchall() == [(0,)]
    store.close()


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_no_alias_means_two_columns(table):
    seen: dict[str, str] = {}
    for column in table.columns:
        for alias in (column.name, *column.aliases):
            key = normalise_header(alias)
            assert seen.setdefault(key, column.name) == column.name, (alias, seen[key], column.name)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("户数", "households"),
        (" 户数 ", "households"),
        ("户数（户）", "households"),
        ("户数(户)", "households"),
        ("Households", "households"),
        ("ＨＯＵＳＥＨＯＬＤＳ", "households"),
        ("县(市、区)", "district"),
        ("街道（乡镇）", "street"),
        ("耗时(小时)", "hours"),
    ],
)
def test_header_matching_ignores_case_space_width_and_units(header, column):
    tables = [t for t in TABLES.values() if column in t.column_names]
    assert any(header_index(t).get(normalise_header(header)) == column for t in tables)


def test_a_database_made_before_a_new_column_opens_with_its_default(sample_db, tmp_path):
    """Files written before the contract gained ``also_director`` open, the old rows reading false.

    Without the migration the contract's view could not be made and the database would not open.
    """
    import shutil

    from community_eval.db.store import Store

    path = str(tmp_path / "old.duckdb")
    shutil.copy(sample_db, path)
    con = duckdb.connect(path)
    staff = con.execute("select count(*) from stored.staff").fetchall()[0][0]
    con.execute("drop view main.staff")
    con.execute("alter table stored.staff drop column also_director")
    con.close()
    store = Store(path)
    try:
        with store.cursor() as cur:
            rows = cur.execute("select count(*), count(*) filter (where also_director) from main.staff").fetchall()
    finally:
        store.close()
    assert rows == [(staff, 0)]


def test_a_parquet_dataset_written_before_a_new_column_reads_its_default(sample_db, tmp_path):
    from community_eval.db.store import Store

    store = Store(sample_db)
    try:
        written = store.write_parquet(str(tmp_path / "pq"))
    finally:
        store.close()
    old = tmp_path / "pq" / "staff" / "staff.parquet"
    con = duckdb.connect()
    older = con.sql("select * exclude (also_director) from read_parquet($p)", params={"p": str(old)})
    older.write_parquet(str(tmp_path / "older.parquet"))
    con.close()
    (tmp_path / "older.parquet").replace(old)
    reader = Store(str(tmp_path / "view.duckdb"), parquet=str(tmp_path / "pq"))
    try:
        with reader.cursor() as cur:
            rows = cur.execute("select count(*), count(*) filter (where also_director) from main.staff").fetchall()
    finally:
        reader.close()
    assert rows == [(written["staff"], 0)]
