"""Every format DATA_CONTRACT.md accepts, end to end: bytes in, typed rows in DuckDB out.

test_loader.py shows that each encoding and separator loads at all; here every accepted
form is loaded through ``ingest`` and the stored values are read back with DuckDB and
compared exactly, including the characters GBK cannot hold, quoted separators and newlines,
every header alias of every table in every spelling the contract allows, and Excel's own
date, number and boolean cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata

import pytest

from community_eval.core.i18n import Translator
from community_eval.core.schema import TABLES, Table
from community_eval.db.store import Store
from community_eval.ingest.layout import clean_header
from community_eval.ingest.load_report import report_lines
from community_eval.ingest.loader import Source, ingest
from tests.spreadsheets import first_sheet_rewritten, xlsx

COMMUNITY_COLUMNS = list(TABLES["communities"].column_names)
RARE_NAME = "𠀀㐀社区"  # U+20000 and U+3400: in GB18030, not in GBK


def rows(store: Store, sql: str) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute(sql).fetchall()


def load(store: Store, files: dict[str, bytes], **options):
    return ingest(store, [Source(name, data) for name, data in files.items()], **options)


def community_csv(name: str, separator: str = ",", newline: str = "\n") -> str:
    header = ["社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数", "纬度", "经度"]
    body = ["A1", name, "测试区", "一街道", "纯社区", "4800", "1600户", "30.5", "113.25"]
    return separator.join(header) + newline + separator.join(body) + newline


EXPECTED_COMMUNITY = ("A1", "测试区", "一街道", "urban", 4800, 1600, 30.5, 113.25)


def stored_community(store: Store) -> tuple:
    (row,) = rows(store, "select * from communities")
    assert len(row) == len(COMMUNITY_COLUMNS)
    return row


# ---- encodings ---------------------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "gbk": lambda text: text.encode("gbk"),
    "gb18030": lambda text: text.encode("gb18030"),
    "utf-16-le-bom": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "utf-16-be-bom": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_every_encoding_stores_the_same_values(empty_store, encoding):
    name = "红光社区" if encoding == "gbk" else RARE_NAME
    (report,) = load(empty_store, {"社区.csv": ENCODINGS[encoding](community_csv(name))})
    assert report.loaded, report.problems
    row = stored_community(empty_store)
    assert row[1] == name
    assert (row[0], *row[2:]) == EXPECTED_COMMUNITY


def test_gb18030_characters_outside_gbk_survive_in_every_text_column(empty_store):
    with pytest.raises(UnicodeEncodeError):
        RARE_NAME.encode("gbk")  # so this file is GB18030, not GBK
    text = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n㐀1,𠀀社区,㐀区,𠀁街道,村,10,5\n"
    (report,) = load(empty_store, {"c.csv": text.encode("gb18030")})
    assert report.loaded, report.problems
    assert rows(empty_store, "select community_id, community_name, district, street from communities") == [
        ("㐀1", "𠀀社区", "㐀区", "𠀁街道")
    ]
    staff = "人员编号,社区编码,职务,专兼职,入职日期\nP1,㐀1,书记,专职,2020-01-01\n"
    (report,) = load(empty_store, {"s.csv": staff.encode("gb18030")})
    assert report.loaded, report.problems  # the reference matches across files


# ---- separators, line endings and quoting ------------------------------------------------

TRICKY_NAME = 'He said "hi", ok;\tthen\nleft'  # every separator, a quote and a newline


def _csv(records: list[list[str]], separator: str, newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator=newline, quoting=csv.QUOTE_MINIMAL).writerows(records)
    return out.getvalue()


@pytest.mark.parametrize("separator", [",", "\t", ";"], ids=["comma", "tab", "semicolon"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_separators_line_endings_and_quoted_fields(empty_store, separator, newline, encoding):
    header = ["社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数"]
    good = [
        header,
        ["A1", TRICKY_NAME, "测试区", "一街道", "纯社区", "4,800", "1 600"],
        ["A2", '"引号"社区', "测试区", "二街道", "村", "12,000", "4000"],
    ]
    (report,) = load(empty_store, {"c.csv": _csv(good, separator, newline).encode(encoding)})
    assert report.loaded, report.problems
    assert rows(
        empty_store, "select community_id, community_name, population, households from communities order by 1"
    ) == [
        ("A1", 'He said "hi", ok; then left', 4800, 1600),  # the tab and the line break become one space
        ("A2", '"引号"社区', 12000, 4000),
    ]


@pytest.mark.parametrize("separator", [",", "\t", ";"], ids=["comma", "tab", "semicolon"])
def test_a_multi_line_cell_is_one_row_when_rows_are_numbered(empty_store, separator):
    """Excel shows a quoted cell with a newline in one row; the row numbers must agree."""
    records = [
        ["社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数"],
        ["A1", "第一行\n第二行\n第三行", "测试区", "一街道", "纯社区", "10", "5"],
        ["A2", "乙", "测试区", "一街道", "纯社区", "很多", "5"],
    ]
    (report,) = load(empty_store, {"c.csv": _csv(records, separator, "\r\n").encode()})
    assert [(p.row, p.column, p.value, p.reason) for p in report.problems] == [
        (3, "population", "很多", "not_a_number")
    ]


@pytest.mark.parametrize("separator", ["\t", ";"], ids=["tab", "semicolon"])
def test_blank_lines_above_the_header_do_not_hide_the_separator(empty_store, separator):
    text = "\r\n\r\n" + community_csv("甲社区", separator, "\r\n")
    (report,) = load(empty_store, {"c.txt": text.encode("gbk")})
    assert report.loaded, report.problems
    assert stored_community(empty_store)[1] == "甲社区"


@pytest.mark.parametrize("separator", [",", "\t", ";"], ids=["comma", "tab", "semicolon"])
def test_separators_inside_quoted_headers_do_not_decide_the_separator(empty_store, separator):
    """Files whose every field is quoted (R, pandas, many export tools) may quote separators."""
    others = "".join(s for s in ",\t;" if s != separator) * 8  # more of each than the 6 real separators
    header = ["社区编码", "社区名称", f"区县({others})", "街道", "社区类型", "常住人口", "户数"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerows([header, ["A1", "甲", "测试区", "一街道", "村", "10", "5"]])
    (report,) = load(empty_store, {"c.txt": out.getvalue().encode()})
    assert report.loaded, report.problems
    assert report.mapping[f"区县({others})".replace("\t", "")] == "district"  # spaces inside a header go


# ---- header aliases ----------------------------------------------------------------------

GOOD_VALUES: dict[str, dict[str, tuple[str, object]]] = {
    # column: (as written, as stored)
    "communities": {
        "community_id": ("A1", "A1"),
        "community_name": ("甲社区", "甲社区"),
        "district": ("测试区", "测试区"),
        "street": ("一街道", "一街道"),
        "community_type": ("城市社区", "urban"),
        "population": ("4,800人", 4800),
        "households": ("1600户", 1600),
        "latitude": ("30.5", 30.5),
        "longitude": ("113.25", 113.25),
    },
    "staff": {
        "staff_id": ("P1", "P1"),
        "community_id": ("A1", "A1"),
        "role": ("副书记", "deputy_secretary"),
        "employment": ("兼职", "part_time"),
        "gender": ("女", "F"),
        "education": ("研究生", "bachelor_or_above"),
        "also_director": ("否", False),  # 一肩挑 is a secretary's only
        "certified_social_worker": ("是", True),
        "monthly_pay": ("2,100元", 2100.0),
        "hire_date": ("2019年7月1日", dt.date(2019, 7, 1)),
        "exit_date": ("2024/6/30", dt.date(2024, 6, 30)),
        "exit_reason": ("个人发展", "career"),
    },
    "tasks": {
        "community_id": ("A1", "A1"),
        "period": ("2025年3月", dt.date(2025, 3, 1)),
        "department": ("城管", "城管"),
        "task_category": ("督查考核", "inspection"),
        "task_count": ("3件", 3),
        "hours": ("7.5小时", 7.5),
        "admitted": ("否", False),
        "funded": ("✓", True),
    },
    "facilities": {
        "community_id": ("A1", "A1"),
        "year": ("2024", 2024),
        "office_area_m2": ("80㎡", 80.0),
        "service_area_m2": ("260 平方米", 260.0),
        "room_count": ("6间", 6),
        "has_hall": ("有", True),
        "tenure": ("租赁", "rented"),
        "operating_budget_yuan": ("40,000元", 40000.0),
    },
    "survey": {
        "response_id": ("Q1", "Q1"),
        "community_id": ("A1", "A1"),
        "survey_date": ("20250305", dt.date(2025, 3, 5)),
        "overall": ("基本满意", 3),
        "service": ("非常满意", 5),
        "environment": ("不太满意", 2),
        "safety": ("4", 4),
        "participation": ("非常不满意", 1),
        "staff_attitude": ("满意", 4),
        "facilities": ("５", 5),
        "weight": ("0.8", 0.8),
        "gender": ("男", "M"),
        "age_group": ("60岁以上", "60岁以上"),
    },
}

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


def _full_width(text: str) -> str:
    return "".join(FULL_WIDTH.get(c, c) for c in text)


#: The spellings of a header the contract promises to match: case, surrounding spaces,
#: full-width forms and a bracketed unit (in each kind of bracket).
HEADER_STYLES = {
    "as-is": lambda h: h,
    "upper": str.upper,
    "spaces": lambda h: f"  {h}\u3000",
    "full-width": _full_width,
    # A bracket that is no unit is part of the name; a unit must be the column's own (a
    # unit of another kind refuses the file: see test_units.py).
    "unit": lambda h: f"{h}（单位）",
    "unit-ascii": lambda h: f"{h} (note)",
    "unit-square": lambda h: f"{h}[必填]",
    "unit-lenticular": lambda h: f"{h}【说明】",
}


def _alias_files(table: Table) -> list[tuple[str, list[str]]]:
    """Header rows that, together, spell every alias of every column in every style."""
    names = {c.name: [c.name, *c.aliases] for c in table.columns}
    longest = max(len(a) for a in names.values())
    files = []
    for style, spell in HEADER_STYLES.items():
        for k in range(longest):
            files.append((f"{style}-{k}", [spell(names[c][k % len(names[c])]) for c in table.column_names]))
    return files


def _communities_first(store: Store) -> None:
    text = "community_id,community_name,district,street,community_type,population,households\nA1,甲,区,街,村,1,1\n"
    (report,) = load(store, {"c.csv": text.encode()})
    assert report.loaded


@pytest.mark.parametrize("table_name", list(TABLES))
def test_every_alias_of_every_column_in_every_spelling(empty_store, table_name):
    table = TABLES[table_name]
    if table_name != "communities":
        _communities_first(empty_store)
    values = GOOD_VALUES[table_name]
    expected = tuple(values[c][1] for c in table.column_names)
    seen: set[tuple[str, str]] = set()
    for label, headers in _alias_files(table):
        text = _csv([headers, [values[c][0] for c in table.column_names]], ",", "\r\n")
        (report,) = load(empty_store, {f"{label}.csv": text.encode("gb18030")}, mode="replace")
        assert report.loaded and report.table == table_name, (label, headers, report.problems)
        # Headers are reported as written, less the spaces inside them (``户数 (note)`` → ``户数(note)``).
        assert report.mapping == dict(zip(map(clean_header, headers), table.column_names, strict=True)), label
        assert report.ignored == []
        assert rows(empty_store, f"select * from {table_name}") == [expected], label
        seen |= {(c, unicodedata.normalize("NFKC", h)) for h, c in report.mapping.items()}
    for column in table.columns:  # every alias was loaded at least once
        for alias in (column.name, *column.aliases):
            assert (column.name, unicodedata.normalize("NFKC", alias)) in seen, (column.name, alias)


def test_unknown_columns_are_reported_as_ignored_not_lost(empty_store):
    text = "社区编码,备注,社区名称,区县,街道,社区类型,常住人口,户数,联系人\nA1,旧城,甲,区,街,村,10,5,张\n"
    (report,) = load(empty_store, {"c.csv": text.encode("gbk")})
    assert report.loaded
    assert report.ignored == ["备注", "联系人"]


# ---- Excel workbooks ---------------------------------------------------------------------


COMMUNITY_SHEET = [
    ["社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数", "纬度", "经度"],
    [420601001, "甲社区", "测试区", "一街道", "纯社区", 4800, 1600.0, 30.5, 113.25],  # a numeric code
    ["A2", "乙社区", "测试区", "二街道", "村", "12,000", "4000户", None, None],
]


def test_excel_numeric_cells_and_numeric_codes(empty_store):
    (report,) = load(empty_store, {"社区.xlsx": xlsx({"社区": COMMUNITY_SHEET})})
    assert report.loaded, report.problems
    assert rows(empty_store, "select * from communities order by community_id") == [
        ("420601001", "甲社区", "测试区", "一街道", "urban", 4800, 1600, 30.5, 113.25),
        ("A2", "乙社区", "测试区", "二街道", "rural", 12000, 4000, None, None),
    ]


@pytest.mark.parametrize("name", ["社区.csv", "社区", "社区.xlsm"])
def test_a_workbook_is_read_as_a_workbook_whatever_its_name(empty_store, name):
    (report,) = load(empty_store, {name: xlsx({"社区": COMMUNITY_SHEET})})
    assert report.loaded and report.rows_loaded == 2, report.problems


def test_excel_date_and_boolean_cells_for_staff(empty_store):
    load(empty_store, {"社区.xlsx": xlsx({"社区": COMMUNITY_SHEET})})
    staff = [
        ["人员编号", "社区编码", "职务", "专兼职", "社工证", "月工资", "入职日期", "离职日期", "离职原因"],
        ["P1", "A2", "书记", "专职", True, 2000, dt.datetime(2016, 3, 1), None, None],
        ["P2", "A2", "委员", "兼职", False, 1850.5, dt.date(2019, 5, 1), dt.datetime(2024, 12, 31, 17, 30), "待遇"],
        ["P3", 420601001, "网格员", "专职", None, None, "2021年9月1日", None, None],
    ]
    (report,) = load(empty_store, {"人员.xlsx": xlsx({"人员": staff})})
    assert report.loaded, report.problems
    assert rows(
        empty_store,
        "select staff_id, community_id, certified_social_worker, monthly_pay, hire_date, exit_date, exit_reason "
        "from staff order by 1",
    ) == [
        ("P1", "A2", True, 2000.0, dt.date(2016, 3, 1), None, None),
        ("P2", "A2", False, 1850.5, dt.date(2019, 5, 1), dt.date(2024, 12, 31), "pay"),
        ("P3", "420601001", False, None, dt.date(2021, 9, 1), None, None),  # missing certificate = false
    ]


def test_excel_month_cells_counts_hours_and_flags_for_tasks(empty_store):
    load(empty_store, {"社区.xlsx": xlsx({"社区": COMMUNITY_SHEET})})
    tasks = [
        ["社区编码", "月份", "派出部门", "事项类别", "事项数", "工时", "是否准入", "费随事转"],
        ["A2", dt.datetime(2025, 3, 1), "民政", "行政事务", 5, 20, True, False],
        ["A2", dt.datetime(2025, 4, 17), "城管", "检查评比", 2.0, 12.5, False, True],  # any day in the month
        ["A2", "2025年5月", "统计", "报表", "3", "9小时", "是", "否"],
    ]
    (report,) = load(empty_store, {"台账.xlsx": xlsx({"台账": tasks})})
    assert report.loaded, report.problems
    assert rows(
        empty_store, "select period, task_category, task_count, hours, admitted, funded from tasks order by 1"
    ) == [
        (dt.date(2025, 3, 1), "administrative", 5, 20.0, True, False),
        (dt.date(2025, 4, 1), "inspection", 2, 12.5, False, True),
        (dt.date(2025, 5, 1), "ledger", 3, 9.0, True, False),
    ]


def test_excel_sheet_is_chosen_by_its_headers_among_several(empty_store):
    load(empty_store, {"社区.xlsx": xlsx({"社区": COMMUNITY_SHEET})})
    facilities = [
        ["社区编码", "年份", "办公用房面积", "服务用房面积", "功能室数", "多功能厅", "产权", "工作经费"],
        ["A2", 2024, 80.5, 260, 6, True, "自有", 40000],
        ["A2", 2025.0, "90㎡", "300平方米", "7", False, "借用", None],
    ]
    data = xlsx(
        {
            "说明": [["本表由街道填报"], ["填表日期", dt.datetime(2025, 1, 1)]],
            "汇总": [["指标", "数值"], ["社区数", 2]],
            "设施": facilities,
            "空白": [],
        }
    )
    (report,) = load(empty_store, {"设施.xlsx": data})
    assert report.loaded, report.problems
    assert report.table == "facilities" and report.file_name.endswith("[设施]")
    assert rows(empty_store, "select * from facilities order by year") == [
        ("A2", 2024, 80.5, 260.0, 6, True, "owned", 40000.0),
        ("A2", 2025, 90.0, 300.0, 7, False, "borrowed", None),
    ]


def test_excel_sheet_named_by_the_user(empty_store):
    staff = [
        ["人员编号", "社区编码", "职务", "专兼职", "入职日期"],
        ["P1", "A2", "主任", "专职", dt.datetime(2020, 1, 1)],
    ]
    data = xlsx({"社区": COMMUNITY_SHEET, "人员": staff})
    (communities,) = load(empty_store, {"全部.xlsx": data}, table="communities")
    assert communities.loaded and communities.file_name.endswith("[社区]"), communities.problems
    (chosen,) = load(empty_store, {"全部.xlsx": data}, table="staff")
    assert chosen.loaded and chosen.table == "staff" and chosen.file_name.endswith("[人员]"), chosen.problems
    assert rows(empty_store, "select staff_id, community_id, role, hire_date from staff") == [
        ("P1", "A2", "director", dt.date(2020, 1, 1))
    ]


def test_excel_survey_with_numeric_likert_cells_and_date_cells(empty_store):
    load(empty_store, {"社区.xlsx": xlsx({"社区": COMMUNITY_SHEET})})
    survey = [
        ["问卷编号", "社区编码", "调查日期", "总体满意度", "社区服务", "环境卫生", "权重", "性别"],
        ["Q1", "A2", dt.datetime(2025, 6, 1), 5, 4.0, "一般", 1.25, "女"],
        [1002, "A2", dt.date(2025, 6, 2), "不满意", None, None, None, None],  # weight missing = 1
    ]
    (report,) = load(empty_store, {"问卷.xlsx": xlsx({"问卷": survey})})
    assert report.loaded, report.problems
    assert rows(
        empty_store,
        "select response_id, survey_date, overall, service, environment, weight, gender from survey order by 1",
    ) == [
        ("1002", dt.date(2025, 6, 2), 2, None, None, 1.0, None),
        ("Q1", dt.date(2025, 6, 1), 5, 4, 3, 1.25, "F"),
    ]


def _with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's recorded used range replaced, as some programs write it."""

    def replaced(content: bytes) -> bytes:
        content, count = re.subn(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(), content)
        assert count == 1
        return content

    return first_sheet_rewritten(data, replaced)


@pytest.mark.parametrize("ref", ["A1:A1", "A1:C2"])
def test_excel_sheet_with_a_wrong_recorded_size_is_read_whole(empty_store, ref):
    """Read-only openpyxl trusts the <dimension> record; rows past it must not be dropped."""
    (report,) = load(empty_store, {"社区.xlsx": _with_dimension(xlsx({"社区": COMMUNITY_SHEET}), ref)})
    assert report.loaded and report.rows_loaded == 2, report.problems
    assert rows(empty_store, "select community_id, households from communities order by 1") == [
        ("420601001", 1600),
        ("A2", 4000),
    ]


def test_excel_note_beside_the_table_is_listed_as_ignored_not_lost(empty_store):
    """A value right of the last header has no column: it is reported, and the table still loads."""
    sheet = [list(COMMUNITY_SHEET[0]), list(COMMUNITY_SHEET[1]), [*COMMUNITY_SHEET[2], None, "数据截至6月"]]
    (report,) = load(empty_store, {"社区.xlsx": xlsx({"社区": sheet})})
    assert report.loaded, report.problems
    width = len(COMMUNITY_SHEET[0])
    assert report.ignored == [] and report.unnamed == [width + 1, width + 2]
    lines = report_lines(Translator("zh"), report)
    assert f"（第 {width + 2} 列，无表头）" in "\n".join(lines)
    assert f"(column {width + 2}, no header)" in "\n".join(report_lines(Translator("en"), report))
    assert report.rows_loaded == 2
