"""The schema is the contract: names, aliases and DDL derive from one definition."""

import re
from pathlib import Path

import duckdb
import pytest

from community_eval.schema import TABLES, create_table_sql, header_index, normalise_header

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "DATA_CONTRACT.md"


def contract_tables() -> dict[str, list[str]]:
    """Table and column names as DATA_CONTRACT.md writes them (skipped when it is absent)."""
    if not CONTRACT.exists():
        pytest.skip("shared/DATA_CONTRACT.md is not beside this checkout")
    tables: dict[str, list[str]] = {}
    current = None
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+) \(", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
        elif current and line.startswith("| ") and not line.startswith("| column") and "---" not in line:
            for name in line.split("|")[1].split(","):
                tables[current].append(name.strip())
    return tables


def test_tables_and_columns_are_the_contracts():
    expected = contract_tables()
    assert list(TABLES) == list(expected)
    for name, table in TABLES.items():
        assert list(table.column_names) == expected[name], name


def test_database_tables_have_exactly_the_contract_names(empty_store):
    """What a researcher opening the file sees in ``main``: the five tables, contract columns only."""
    with empty_store.cursor() as cur:
        names = {
            row[0]
            for row in cur.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
        assert names == set(TABLES)
        for table in TABLES.values():
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
    from community_eval.store import Store

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
