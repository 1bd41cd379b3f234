"""One small file per rejection rule of DATA_CONTRACT.md and community_eval/core/schema.py.

Each row-level case is a three-row file whose middle row (spreadsheet row 3) breaks one
rule. By default the file must not load, the report must name exactly (row, column, value
as written, reason), and the store must be exactly as it was. With ``skip_invalid`` only
row 3 is skipped: rows 2 and 4 load and the import record counts one rejected row.
File-level cases must be refused with one clear reason whatever ``skip_invalid`` says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from unittest.mock import patch

import openpyxl
import pytest

from community_eval.core.i18n import Translator
from community_eval.core.schema import TABLES
from community_eval.db.store import Store
from community_eval.ingest import bulk
from community_eval.ingest.load_report import problem_text
from community_eval.ingest.loader import Source, ingest
from tests.conftest import contents

FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()

#: One valid row per table, as text; ``{n}`` makes keys distinct between rows.
GOOD: dict[str, dict[str, str]] = {
    "communities": {
        "community_id": "B{n}",
        "community_name": "新社区{n}",
        "district": "测试区",
        "street": "一街道",
        "community_type": "村改居",
        "population": "5000",
        "households": "1800",
        "latitude": "30.2",
        "longitude": "113.4",
    },
    "staff": {
        "staff_id": "S{n}",
        "community_id": "A1",
        "role": "委员",
        "employment": "专职",
        "gender": "男",
        "education": "大专",
        "certified_social_worker": "否",
        "monthly_pay": "1800",
        "hire_date": "2020-01-01",
        "exit_date": "",
        "exit_reason": "",
    },
    "tasks": {
        "community_id": "A1",
        "period": "2025-0{n}",
        "department": "民政",
        "task_category": "行政事务",
        "task_count": "{n}",
        "hours": "4.5",
        "admitted": "是",
        "funded": "否",
    },
    "facilities": {
        "community_id": "A2",
        "year": "202{n}",
        "office_area_m2": "60",
        "service_area_m2": "120",
        "room_count": "3",
        "has_hall": "无",
        "tenure": "租用",
        "operating_budget_yuan": "",
    },
    "survey": {
        "response_id": "R{n}",
        "community_id": "A2",
        "survey_date": "2025-05-01",
        "overall": "4",
        "service": "",
        "environment": "",
        "safety": "",
        "participation": "",
        "staff_attitude": "",
        "facilities": "",
        "weight": "",
        "gender": "",
        "age_group": "",
    },
}
#: How a row is told apart in the store, to check which rows ``skip_invalid`` loaded.
IDENTITY = {
    "communities": "community_id",
    "staff": "staff_id",
    "tasks": "task_count",
    "facilities": "year",
    "survey": "response_id",
}


def rows_csv(table: str, overrides: dict[int, dict[str, str]], encoding: str = "utf-8") -> bytes:
    """Rows 2, 3 and 4 of ``table``'s good row, with ``overrides`` by spreadsheet row."""
    columns = list(GOOD[table])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in (2, 3, 4):
        values = {c: GOOD[table][c].format(n=row) for c in columns} | overrides.get(row, {})
        writer.writerow([values[c] for c in columns])
    return out.getvalue().encode(encoding)


def found(report) -> set[tuple]:
    return {(p.row, p.column, p.value, p.reason) for p in report.problems}


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> str:
    """Communities A1, A2 and one stored row of each keyed table, to clash with on append."""
    path = str(tmp_path_factory.mktemp("rejections") / "template.duckdb")
    store = Store(path)
    files = {
        "c.csv": "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nA1,甲社区,测试区,一街道,纯社区,4000,1500\n"
        "A2,乙社区,测试区,二街道,村,900,300\n",
        "s.csv": "人员编号,社区编码,职务,专兼职,入职日期\nP1,A1,书记,专职,2016-03-01\n",
        "f.csv": "社区编码,年份,办公用房面积,服务用房面积,功能室数,多功能厅,产权\nA1,2024,80,260,6,有,自有\n",
        "v.csv": "问卷编号,社区编码,调查日期,总体满意度\nR1,A1,2025-03-05,5\n",
    }
    reports = ingest(store, [Source(name, text.encode()) for name, text in files.items()])
    assert all(r.loaded for r in reports), [r.problems for r in reports]
    store.close()
    return path


@pytest.fixture
def store(template_db, tmp_path) -> Store:
    path = tmp_path / "store.duckdb"
    shutil.copy(template_db, path)
    opened = Store(str(path))
    yield opened
    opened.close()


def assert_refused_then_skipped(store, table, data, expected, name="f.csv"):
    """Refused with exactly ``expected`` and nothing changed; then loaded without row 3."""
    before = contents(store)
    (report,) = ingest(store, [Source(name, data)])
    assert report.table == table
    assert not report.loaded
    assert found(report) == expected
    assert report.rows_rejected == 1
    assert contents(store) == before

    (skipped,) = ingest(store, [Source(name, data)], skip_invalid=True)
    assert skipped.loaded and skipped.rows_loaded == 2 and skipped.rows_rejected == 1
    assert found(skipped) == expected  # the skipped row stays listed in the report
    after = contents(store)
    added = {row for row in after[table] if row not in before[table]}
    key = TABLES[table].column_names.index(IDENTITY[table])
    assert sorted(str(row[key]) for row in added) == sorted(GOOD[table][IDENTITY[table]].format(n=n) for n in (2, 4))
    record = store.imports().iloc[0]
    assert (record["table_name"], record["rows_loaded"], record["rows_rejected"]) == (table, 2, 1)
    return report


# ---- one rule each, row 3 breaks it ------------------------------------------------------

ROW_CASES = [
    # table, column, value written in row 3, reason, params
    ("communities", "community_name", "", "required", {}),
    ("communities", "community_type", "", "required", {}),
    ("communities", "population", "很多", "not_a_number", {}),
    ("communities", "population", "300元", "wrong_unit", {"unit": "元"}),
    ("communities", "population", "1,23", "not_a_number", {}),  # not a unit ",23": not one number
    ("communities", "households", "12.5", "not_an_integer", {}),
    ("communities", "households", "-1", "below_minimum", {"minimum": "0"}),
    ("communities", "latitude", "91", "above_maximum", {"maximum": "90"}),
    ("communities", "longitude", "-180.5", "below_minimum", {"minimum": "-180"}),
    ("communities", "community_type", "商业区", "not_in_enum", None),
    ("staff", "hire_date", "", "required", {}),
    ("staff", "role", "队长", "not_in_enum", None),
    ("staff", "certified_social_worker", "maybe", "not_a_bool", {}),
    ("staff", "monthly_pay", "2000小时", "wrong_unit", {"unit": "小时"}),
    ("staff", "hire_date", "March 5", "not_a_date", {}),
    ("staff", "hire_date", "2023-02-29", "no_such_date", {}),
    ("staff", "exit_date", "2024年13月1日", "no_such_date", {}),
    ("staff", "hire_date", FUTURE, "in_future", {}),
    ("staff", "exit_date", FUTURE, "in_future", {}),
    ("staff", "community_id", "ZZ", "unknown_community", {}),
    ("tasks", "period", "2024-13", "not_a_month", {}),
    ("tasks", "period", "三月", "not_a_month", {}),
    ("tasks", "task_count", "0", "below_minimum", {"minimum": "1"}),
    ("tasks", "hours", "12元", "wrong_unit", {"unit": "元"}),
    ("tasks", "hours", "12-15", "not_a_number", {}),  # a range is not a number with unit "-15"
    ("tasks", "admitted", "maybe", "not_a_bool", {}),
    ("tasks", "funded", "", "required", {}),
    ("tasks", "community_id", "ZZ", "unknown_community", {}),
    ("facilities", "year", "2101", "above_maximum", {"maximum": "2100"}),
    ("facilities", "year", "1999", "below_minimum", {"minimum": "2000"}),
    ("facilities", "office_area_m2", "-1㎡", "below_minimum", {"minimum": "0"}),
    ("facilities", "room_count", "3.5", "not_an_integer", {}),
    ("facilities", "has_hall", "maybe", "not_a_bool", {}),
    ("facilities", "tenure", "公有", "not_in_enum", None),
    ("facilities", "community_id", "ZZ", "unknown_community", {}),
    ("survey", "weight", "0", "below_minimum", {"minimum": "0"}),
    ("survey", "weight", "-2", "below_minimum", {"minimum": "0"}),
    ("survey", "overall", "0", "not_likert", {}),
    ("survey", "overall", "6", "not_likert", {}),
    ("survey", "overall", "好", "not_likert", {}),
    ("survey", "overall", "", "required", {}),
    ("survey", "safety", "6", "not_likert", {}),
    ("survey", "survey_date", "2024-02-30", "no_such_date", {}),
    ("survey", "gender", "X", "not_in_enum", None),
    ("survey", "community_id", "ZZ", "unknown_community", {}),
]


@pytest.mark.parametrize(
    ("table", "column", "value", "reason", "params"),
    ROW_CASES,
    ids=[f"{t}.{c}={v or 'empty'}:{r}" for t, c, v, r, _ in ROW_CASES],
)
def test_row_rule(store, table, column, value, reason, params):
    data = rows_csv(table, {3: {column: value}})
    report = assert_refused_then_skipped(store, table, data, {(3, column, value, reason)})
    (problem,) = report.problems
    if params is not None:
        assert problem.params == params
    else:  # an enum names what it allows, in both forms
        allowed = problem.params["allowed"]
        assert all(f"{v.code} ({v.zh})" in allowed for v in TABLES[table].column(column).values)
    for lang in ("zh", "en"):
        text = problem_text(Translator(lang), problem)
        assert "{" not in text and "3" in text


def test_exit_before_hire(store):
    data = rows_csv("staff", {3: {"hire_date": "2020-01-01", "exit_date": "2019-12-31", "exit_reason": "pay"}})
    report = assert_refused_then_skipped(store, "staff", data, {(3, "exit_date", "2019-12-31", "exit_before_hire")})
    assert "2020-01-01" in problem_text(Translator("en"), report.problems[0])


def test_exit_reason_without_exit_date(store):
    data = rows_csv("staff", {3: {"exit_date": "", "exit_reason": "pay"}})
    assert_refused_then_skipped(store, "staff", data, {(3, "exit_reason", "pay", "reason_without_exit")})


def test_exit_on_the_hire_day_is_allowed(store):
    data = rows_csv("staff", {3: {"hire_date": "2020-01-01", "exit_date": "2020-01-01", "exit_reason": "career"}})
    (report,) = ingest(store, [Source("s.csv", data)])
    assert report.loaded, report.problems


@pytest.mark.parametrize(
    ("table", "column", "row2", "row3", "shown"),
    [
        ("communities", "community_id", {"community_id": "B9"}, {"community_id": "B9"}, "B9"),
        ("staff", "staff_id", {"staff_id": "S9"}, {"staff_id": "S9"}, "S9"),
        ("facilities", "year", {"year": "2022"}, {"year": "2022"}, "A2 / 2022"),
        ("survey", "response_id", {"response_id": "R9"}, {"response_id": "R9"}, "R9"),
    ],
    ids=["communities", "staff", "facilities", "survey"],
)
def test_duplicate_key_in_file(store, table, column, row2, row3, shown):
    """The second occurrence is the bad row; the first is kept (``skip_invalid`` loads it).

    A composite key (facilities: community and year) is shown whole, under its last column.
    """
    data = rows_csv(table, {2: row2, 3: row3})
    before = contents(store)
    (report,) = ingest(store, [Source("f.csv", data)])
    assert not report.loaded
    assert found(report) == {(3, column, shown, "duplicate_in_file")}
    assert report.problems[0].params == {"first": 2}
    assert contents(store) == before
    (skipped,) = ingest(store, [Source("f.csv", data)], skip_invalid=True)
    assert skipped.loaded and skipped.rows_loaded == 2


def test_facilities_same_year_for_another_community_is_not_a_duplicate(store):
    data = rows_csv("facilities", {2: {"year": "2022"}, 3: {"year": "2022", "community_id": "A1"}})
    (report,) = ingest(store, [Source("f.csv", data)])
    assert report.loaded, report.problems


def test_survey_response_id_may_be_left_empty_more_than_once(store):
    data = rows_csv("survey", {n: {"response_id": ""} for n in (2, 3, 4)})
    (report,) = ingest(store, [Source("v.csv", data)])
    assert report.loaded and report.rows_loaded == 3, report.problems


@pytest.mark.parametrize(
    ("table", "column", "row3", "shown"),
    [
        ("communities", "community_id", {"community_id": "A1"}, "A1"),
        ("staff", "staff_id", {"staff_id": "P1"}, "P1"),
        ("facilities", "year", {"community_id": "A1", "year": "2024"}, "A1 / 2024"),
        ("survey", "response_id", {"response_id": "R1"}, "R1"),
    ],
    ids=["communities", "staff", "facilities", "survey"],
)
def test_duplicate_against_stored_data_on_append(store, table, column, row3, shown):
    data = rows_csv(table, {3: row3})
    assert_refused_then_skipped(store, table, data, {(3, column, shown, "duplicate_in_store")})


def test_every_problem_of_a_row_is_listed(store):
    data = rows_csv("staff", {3: {"community_id": "ZZ", "role": "队长", "hire_date": "2024-02-30"}})
    assert_refused_then_skipped(
        store,
        "staff",
        data,
        {
            (3, "community_id", "ZZ", "unknown_community"),
            (3, "role", "队长", "not_in_enum"),
            (3, "hire_date", "2024-02-30", "no_such_date"),
        },
    )


def test_rows_are_numbered_as_the_spreadsheet_shows_them_in_a_workbook(store):
    """Blank rows above and inside the table still count, as in Excel's row numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append(list(GOOD["tasks"]))  # the header, in row 2
    sheet.append([GOOD["tasks"][c].format(n=1) for c in GOOD["tasks"]])
    sheet.append([])
    bad = [GOOD["tasks"][c].format(n=2) for c in GOOD["tasks"]]
    bad[list(GOOD["tasks"]).index("hours")] = "很久"
    sheet.append(bad)  # row 5
    buffer = io.BytesIO()
    book.save(buffer)
    before = contents(store)
    (report,) = ingest(store, [Source("t.xlsx", buffer.getvalue())])
    assert found(report) == {(5, "hours", "很久", "not_a_number")}
    assert contents(store) == before


# ---- file-level refusals -----------------------------------------------------------------

COMMUNITY_HEADER = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数"


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FILE_CASES = [
    ("empty.csv", b"", None, {"reason": "empty_file"}),
    ("blank.csv", "\r\n \u3000\r\n".encode(), None, {"reason": "empty_file"}),
    ("header.csv", (COMMUNITY_HEADER + "\r\n").encode("gbk"), None, {"reason": "no_rows"}),
    ("header.xlsx", _workbook([COMMUNITY_HEADER.split(",")]), None, {"reason": "no_rows"}),
    ("garbage.csv", bytes(range(256)) * 8, None, {"reason": "binary_file"}),
    ("utf16-nul.csv", "社区编码\n\x00\n".encode("utf-16"), None, {"reason": "binary_file"}),
    ("bom-then-gbk.csv", b"\xef\xbb\xbf" + COMMUNITY_HEADER.encode("gbk"), None, {"reason": "unknown_encoding"}),
    ("cut-utf16.csv", COMMUNITY_HEADER.encode("utf-16") + b"\x41", None, {"reason": "unknown_encoding"}),
    (
        "other.csv",
        "姓名,电话\n张三,123\n".encode(),
        None,
        {"reason": "no_table_matches", "params": {"headers": "姓名, 电话", "rows": 20}},
    ),
    (
        "missing.csv",
        "社区编码,社区名称,区县,街道,社区类型,常住人口\nB2,新,区,街,村,10\n".encode(),
        "communities",
        {"reason": "missing_column", "column": "households"},
    ),
    (
        "dup.csv",
        "社区编码,编码,社区名称,区县,街道,社区类型,常住人口,户数\nB2,B2,新,区,街,村,10,5\n".encode(),
        None,
        {"reason": "duplicate_header", "value": "编码"},
    ),
    (
        "ragged.csv",
        f"{COMMUNITY_HEADER}\nB2,新,区,街,村,10,5\nB3,新,区,街,村,10,5,多出来\n".encode(),
        None,
        {"reason": "ragged_row", "params": {"row": 3, "found": 8, "expected": 7}},
    ),
    (
        "short.csv",
        f"{COMMUNITY_HEADER}\nB2,新,区,街,村,10,5\nB3,新,区,街\n".encode(),
        None,
        {"reason": "ragged_row", "params": {"row": 3, "found": 4, "expected": 7}},
    ),
    ("text.xlsx", f"{COMMUNITY_HEADER}\nB2,新,区,街,村,10,5\n".encode(), None, {"reason": "not_a_workbook"}),
    # A "workbook" that is a text table, a damaged legacy .xls (the OLE2 signature and nothing
    # of a workbook), and one renamed .xlsx: each refused saying what it really is.
    ("text.xls", f"{COMMUNITY_HEADER}\nB2,新,区,街,村,10,5\n".encode(), None, {"reason": "xls_is_text"}),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000), None, {"reason": "not_a_workbook"}),
    ("renamed.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000), None, {"reason": "not_a_workbook"}),
    ("page.xls", b"<html><body><p>\xe6\x97\xa0</p></body></html>", None, {"reason": "html_no_table"}),
    ("scan.xls", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", None, {"reason": "pdf_file"}),
    ("image.xls", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), None, {"reason": "xls_not_excel"}),
]


@pytest.mark.parametrize(
    ("name", "data", "table", "expected"),
    FILE_CASES,
    ids=[f"{name}:{expected['reason']}" for name, _, _, expected in FILE_CASES],
)
@pytest.mark.parametrize("skip_invalid", [False, True], ids=["default", "skip_invalid"])
def test_file_rule(store, name, data, table, expected, skip_invalid):
    before = contents(store)
    (report,) = ingest(store, [Source(name, data)], table=table, skip_invalid=skip_invalid)
    assert not report.loaded and report.rows_loaded == 0
    (problem,) = report.problems
    assert problem.row is None and problem.reason == expected["reason"]
    assert problem.column == expected.get("column")
    assert problem.value == expected.get("value")
    if "params" in expected:
        assert problem.params == expected["params"]
    assert contents(store) == before


def test_missing_required_column_without_a_named_table_names_the_column(store):
    """Without ``table=``, a file that has most of a table's required columns is matched to it,
    so the user hears which column is missing, not that the file fits no table."""
    before = contents(store)
    data = "社区编码,社区名称,区县,街道,社区类型,常住人口\nB2,新,区,街,村,10\n".encode()
    (report,) = ingest(store, [Source("missing.csv", data)])
    assert not report.loaded and report.table == "communities"
    (problem,) = report.problems
    assert (problem.row, problem.reason, problem.column) == (None, "missing_column", "households")
    assert "户数（households）" in problem_text(Translator("zh"), problem)
    assert contents(store) == before


def test_two_matching_headers_of_many_is_not_a_table(store):
    """One required column of any table is not enough to guess: the file fits nothing."""
    (report,) = ingest(store, [Source("x.csv", "社区编码,电话\nB2,123\n".encode())])
    assert [p.reason for p in report.problems] == ["no_table_matches"]


def test_unknown_community_in_a_batch_that_loads_its_communities_is_checked_against_the_batch(store):
    communities = rows_csv("communities", {})
    staff = rows_csv("staff", {2: {"community_id": "B2"}, 3: {"community_id": "B9"}, 4: {"community_id": "B4"}})
    reports = ingest(store, [Source("s.csv", staff), Source("c.csv", communities)])
    assert [r.table for r in reports] == ["communities", "staff"]
    assert reports[0].loaded and not reports[1].loaded
    assert found(reports[1]) == {(3, "community_id", "B9", "unknown_community")}


# ---- problems quote what the user wrote ----


def test_duplicate_header_message_names_the_header(store):
    data = "社区编码,编码,社区名称,区县,街道,社区类型,常住人口,户数\nB2,B2,新,区,街,村,10,5\n".encode()
    (report,) = ingest(store, [Source("dup.csv", data)])
    (problem,) = report.problems
    for lang in ("zh", "en"):
        text = problem_text(Translator(lang), problem)
        assert "{value}" not in text and "编码" in text


@pytest.mark.parametrize("fast", [False, True], ids=["python_path", "fast_path"])
@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"hire_date": "2099年1月1日"}, (3, "hire_date", "2099年1月1日", "in_future")),
        (
            {"hire_date": "2020年1月1日", "exit_date": "2019年12月31日", "exit_reason": "待遇"},
            (3, "exit_date", "2019年12月31日", "exit_before_hire"),
        ),
        ({"exit_date": "", "exit_reason": "待遇"}, (3, "exit_reason", "待遇", "reason_without_exit")),
        ({"community_id": "ＺＺ"}, (3, "community_id", "ＺＺ", "unknown_community")),
        ({"hire_date": "  "}, (3, "hire_date", "  ", "required")),
    ],
    ids=["in_future", "exit_before_hire", "reason_without_exit", "unknown_community", "required"],
)
def test_problems_show_the_value_as_written(store, overrides, expected, fast):
    """Problems quote the cell as the user typed it (not our ISO date or code), on both load paths."""
    with patch.object(bulk, "MIN_ROWS", 1 if fast else 10**12):
        (report,) = ingest(store, [Source("s.csv", rows_csv("staff", {3: overrides}))])
    assert found(report) == {expected}
