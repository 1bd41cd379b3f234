"""Loading files: encodings, header aliases, row-numbered problems, and nothing lost on failure."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from community_eval.ingest.loader import Source, ingest

COMMUNITIES_ZH = (
    "社区编码,社区名称,区县,街道,社区类型,常住人口,户数（户）,备注\n"
    'A1,甲社区,测试区,一街道,纯社区,"4,800",1600户,旧城\n'
    "A2,乙社区,测试区,二街道,村改居,１２０００,4000,\n"
)


def load(store, files: dict[str, bytes], **options):
    return ingest(store, [Source(name, data) for name, data in files.items()], **options)


def contents(store) -> dict[str, list[tuple]]:
    """Every stored row of every table, sorted: what "the store is unchanged" compares."""
    out = {}
    with store.cursor() as cur:
        for table in ("communities", "staff", "tasks", "facilities", "survey"):
            out[table] = sorted(cur.execute(f"select * from {table}").fetchall(), key=repr)
        out["imports"] = cur.execute("select count(*) from meta.imports").fetchall()
    return out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_chinese_headers_in_every_encoding(empty_store, encoding):
    (report,) = load(empty_store, {"社区.csv": COMMUNITIES_ZH.encode(encoding)})
    assert report.loaded, report.problems
    assert report.table == "communities" and report.rows_loaded == 2
    assert report.mapping["户数（户）"] == "households"
    assert report.ignored == ["备注"]
    stored = empty_store.query("filter_options")
    assert list(stored["community_type"]) == ["urban", "village_converted"]


@pytest.mark.parametrize("separator", [",", "\t", ";"])
def test_separators(empty_store, separator):
    text = COMMUNITIES_ZH.replace(",", separator).replace('"4' + separator + '800"', "4800")
    (report,) = load(empty_store, {"c.txt": text.encode("gbk")})
    assert report.loaded, report.problems


def test_problems_name_row_column_value_and_reason(empty_store):
    load(empty_store, {"c.csv": COMMUNITIES_ZH.encode()})
    survey = (
        "问卷编号,社区编码,调查日期,总体满意度\n"
        "R1,A1,2025年3月5日,非常满意\n"
        "\n"  # a blank line: row numbers still follow the spreadsheet
        "R2,A1,2025/3/6,好\n"
        "R3,ZZ,2025-02-30,3\n"
        "R1,A2,2025-03-07,\n"
    )
    (report,) = load(empty_store, {"s.csv": survey.encode("gbk")})
    assert not report.loaded
    found = {(p.row, p.column, p.value, p.reason) for p in report.problems}
    assert found == {
        (4, "overall", "好", "not_likert"),
        (5, "survey_date", "2025-02-30", "no_such_date"),
        (5, "community_id", "ZZ", "unknown_community"),
        (6, "overall", "", "required"),
        (6, "response_id", "R1", "duplicate_in_file"),
    }
    assert empty_store.row_count("survey") == 0


def test_skip_invalid_loads_the_valid_rows_and_records_the_rest(empty_store):
    load(empty_store, {"c.csv": COMMUNITIES_ZH.encode()})
    survey = "community_id,survey_date,overall\nA1,2025-03-05,5\nA1,2025-03-05,6\nA2,2025-03-05,满意\n"
    (report,) = load(empty_store, {"s.csv": survey.encode()}, skip_invalid=True)
    assert report.loaded and report.rows_loaded == 2 and report.rows_rejected == 1
    record = empty_store.imports().iloc[0]
    assert (record["table_name"], record["rows_loaded"], record["rows_rejected"]) == ("survey", 2, 1)


def test_failed_load_leaves_store_exactly_as_it_was(empty_store):
    load(empty_store, {"c.csv": COMMUNITIES_ZH.encode()})
    before = contents(empty_store)
    version = empty_store.data_version()
    bad = "community_id,community_name,district,street,community_type,population,households\nA3,丙,区,街,城市,-1,5\n"
    (report,) = load(empty_store, {"bad.csv": bad.encode()})
    assert not report.loaded
    assert contents(empty_store) == before
    assert empty_store.data_version() == version


def test_append_refuses_existing_keys_and_replace_swaps(empty_store):
    load(empty_store, {"c.csv": COMMUNITIES_ZH.encode()})
    (again,) = load(empty_store, {"c.csv": COMMUNITIES_ZH.encode()})
    assert not again.loaded
    assert {p.reason for p in again.problems} == {"duplicate_in_store"}
    replacement = COMMUNITIES_ZH.splitlines()[0] + "\nA9,新社区,测试区,一街道,村,100,30,\n"
    (swapped,) = load(empty_store, {"c.csv": replacement.encode()}, mode="replace")
    assert swapped.loaded
    assert list(empty_store.query("filter_options")["community_id"]) == ["A9"]


def test_batch_loads_communities_first(empty_store):
    staff = "人员编号,社区编码,职务,专兼职,入职日期\nP1,A1,书记,专职,2020-01-01\n"
    reports = load(empty_store, {"staff.csv": staff.encode("gbk"), "c.csv": COMMUNITIES_ZH.encode()})
    assert [r.table for r in reports] == ["communities", "staff"]
    assert all(r.loaded for r in reports)


def test_staff_cross_field_rules(empty_store):
    load(empty_store, {"c.csv": COMMUNITIES_ZH.encode()})
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    staff = (
        "staff_id,community_id,role,employment,hire_date,exit_date,exit_reason\n"
        "P1,A1,secretary,full_time,2020-01-01,2019-12-31,pay\n"
        f"P2,A1,member,part_time,{future},,\n"
        "P3,A1,member,part_time,2020-01-01,,待遇\n"
    )
    (report,) = load(empty_store, {"s.csv": staff.encode()})
    assert {(p.row, p.reason) for p in report.problems} == {
        (2, "exit_before_hire"),
        (3, "in_future"),
        (4, "reason_without_exit"),
    }


def test_facilities_key_is_community_and_year(empty_store):
    load(empty_store, {"c.csv": COMMUNITIES_ZH.encode()})
    rows = (
        "社区编码,年份,办公用房面积,服务用房面积,功能室数,多功能厅,产权\n"
        "A1,2025,80㎡,260平方米,6,有,自有\nA1,2025,80,260,6,是,租用\n"
    )
    (report,) = load(empty_store, {"f.csv": rows.encode("gbk")})
    assert [(p.row, p.reason) for p in report.problems] == [(3, "duplicate_in_file")]


def test_excel_workbook_with_date_cells_and_chosen_sheet(empty_store):
    load(empty_store, {"c.csv": COMMUNITIES_ZH.encode()})
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["这张表是说明"])
    sheet = book.create_sheet("人员")
    sheet.append(["人员编号", "社区编码", "职务", "专兼职", "入职日期", "月工资"])
    sheet.append(["P1", "A1", "书记", "专职", dt.datetime(2021, 5, 6), 2000])
    sheet.append(["P2", "A2", "委员", "兼职", dt.datetime(2022, 1, 2), "1,700元"])
    buffer = io.BytesIO()
    book.save(buffer)
    (report,) = load(empty_store, {"人员.xlsx": buffer.getvalue()})
    assert report.loaded, report.problems
    with empty_store.cursor() as cur:
        rows = cur.execute("select staff_id, hire_date, monthly_pay from staff order by 1").fetchall()
    assert rows == [("P1", dt.date(2021, 5, 6), 2000.0), ("P2", dt.date(2022, 1, 2), 1700.0)]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.csv", b"", "empty_file"),
        ("blank.csv", b"\n\n  \n", "empty_file"),
        ("header.csv", "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n".encode(), "no_rows"),
        ("garbage.csv", bytes(range(256)) * 4, "binary_file"),
        ("fake.xlsx", b"this is not a workbook", "not_a_workbook"),
        ("other.csv", b"a,b,c\n1,2,3\n", "no_table_matches"),
        ("ragged.csv", b"community_id,community_name\nA,B,C,D\n", "ragged_row"),
        (
            "dup.csv",
            "社区编码,编码,社区名称,区县,街道,社区类型,常住人口,户数\nA,A,n,d,s,村,1,1\n".encode(),
            "duplicate_header",
        ),
    ],
)
def test_broken_files_get_one_clear_reason(empty_store, name, data, reason):
    (report,) = load(empty_store, {name: data})
    assert not report.loaded
    assert reason in {p.reason for p in report.file_problems}


def test_loaded_values_are_typed(empty_store, known_db):
    """The stored types are the contract's, whatever the file looked like."""
    from community_eval.db.store import Store

    store = Store(known_db)
    with store.cursor() as cur:
        types = dict(
            cur.execute(
                "select column_name, data_type from information_schema.columns where table_name = 'tasks'"
            ).fetchall()
        )
    assert types["period"] == "DATE" and types["admitted"] == "BOOLEAN" and types["task_count"] == "BIGINT"
    frame = store.query(
        "task_monthly_trend", {"district": None, "street": None, "community_type": None, "community_id": None}
    )
    assert pd.api.types.is_datetime64_any_dtype(frame["period"])
