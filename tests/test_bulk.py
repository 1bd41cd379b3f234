"""The fast path for big CSV files (bulk.py) against the Python path, which is the reference.

Every file here is loaded twice into stores that start out the same: once with the fast
path off (the Python path) and once with its minimum row count lowered to 1, so that
small files take it. The reports (table, mapping, ignored headers, row counts, every
problem with its row, column, value and params, the preview, the encoding) and everything
stored afterwards (every table's rows, the import records, the data version's count)
must be identical, and the fast run must really have been fast (or, for the files it must
refuse, really not).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import sys
import tempfile
import unicodedata
from contextlib import contextmanager
from unittest.mock import patch

import duckdb
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_eval.core.schema import TABLES
from community_eval.db import queries
from community_eval.db.store import Store
from community_eval.ingest import bulk
from community_eval.ingest.loader import Source, ingest
from community_eval.ingest.values import FALSE_WORDS, PLACEHOLDERS, fold, is_placeholder, parse_text, squash

PLACEHOLDER_CHARACTERS = sorted({c for word in PLACEHOLDERS for c in word} | set("NA／－⽆㎁𝐍"))

FUTURE = (dt.date.today() + dt.timedelta(days=40)).isoformat()

BASE = (
    "community_id,community_name,district,street,community_type,population,households\n"
    "A1,甲社区,测试区,一街道,urban,4000,1500\n"
    "A2,乙社区,测试区,二街道,rural,900,300\n"
    "A3,丙社区,测试区,二街道,township,1200,400\n"
)


# ---- running both paths ----------------------------------------------------------------------


@contextmanager
def path(fast: bool):
    """Run loads through the fast path (for files of any size) or the Python path only.

    Yields a list that records, per file the loader offered to the fast path, whether it took it.
    """
    with patch.object(bulk, "MIN_ROWS", 1 if fast else 10**12), spy() as taken:
        yield taken


@contextmanager
def spy():
    """Records, per file offered to the fast path, whether DuckDB loaded (or checked) it in the end."""
    taken: list[bool] = []
    where: dict[int, int] = {}
    read, load_one = bulk.read, bulk.load_one

    def spy_read(*args, **kwargs):
        result = read(*args, **kwargs)
        taken.append(result is not None)
        if result is not None:
            where[id(result[1])] = len(taken) - 1
        return result

    def spy_load_one(store, report, sheet, *args, **kwargs):
        result = load_one(store, report, sheet, *args, **kwargs)
        if result is bulk.NOT_SIMPLE:
            taken[where[id(sheet)]] = False
        return result

    with patch.object(bulk, "read", spy_read), patch.object(bulk, "load_one", spy_load_one):
        yield taken


def new_store(base: str | None = BASE) -> Store:
    store = Store(":memory:")
    if base is not None:
        with path(fast=False):
            (report,) = ingest(store, [Source("base.csv", base.encode())])
        assert report.loaded, report.problems
    return store


def contents(store: Store) -> dict[str, object]:
    out: dict[str, object] = {}
    with store.cursor() as cur:
        for table in TABLES:
            out[table] = sorted(cur.execute(f"select * from stored.{table}").fetchall(), key=repr)
        out["imports"] = cur.execute(
            "select import_id, file_name, sha256, table_name, mode, rows_loaded, rows_rejected from meta.imports "
            "order by import_id"
        ).fetchall()
        out["version"] = cur.execute("select version from meta.data_version").fetchall()
    return out


def summary(report) -> dict[str, object]:
    return {
        "file_name": report.file_name,
        "sha256": report.sha256,
        "table": report.table,
        "mode": report.mode,
        "mapping": report.mapping,
        "ignored": report.ignored,
        "rows_total": report.rows_total,
        "rows_valid": report.rows_valid,
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "loaded": report.loaded,
        "encoding": report.encoding,
        "problems": [(p.reason, p.row, p.column, p.value, p.params) for p in report.problems],
    }


def run(steps: list[tuple[dict[str, bytes], dict]], fast: bool, base: str | None = BASE):
    """Load each step's files with its options, in order; returns the reports, the store's contents, what was fast."""
    store = new_store(base)
    reports = []
    try:
        with path(fast) as taken:
            for files, options in steps:
                reports += ingest(store, [Source(name, data) for name, data in files.items()], **options)
        return reports, contents(store), taken
    finally:
        store.close()


def assert_same(steps: list[tuple[dict[str, bytes], dict]], base: str | None = BASE, fast_expected: bool = True):
    """Both paths give identical reports and stores; returns the reports."""
    slow_reports, slow_contents, _ = run(steps, fast=False, base=base)
    fast_reports, fast_contents, taken = run(steps, fast=True, base=base)
    assert taken, "the loader never offered a file to the fast path"
    assert all(taken) if fast_expected else not any(taken), taken
    assert [summary(r) for r in fast_reports] == [summary(r) for r in slow_reports]
    for slow, quick in zip(slow_reports, fast_reports, strict=True):
        if slow.preview is None:
            assert quick.preview is None
        else:
            pd.testing.assert_frame_equal(quick.preview, slow.preview)
    assert fast_contents == slow_contents
    return slow_reports


def table_csv(rows: list[list[str]], separator: str = ",", newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator=newline).writerows(rows)
    return out.getvalue()


# ---- files covering every accepted format and every rejection rule ---------------------------

COMMUNITIES_ZH = (
    "社区编码,社区名称,区县,街道,社区类型,常住人口,户数（户）,纬度,经度,备注\n"
    'B1,甲社区,测试区,一街道,纯社区,"4,800",1600户,30.5,113.4,旧城\n'
    "B2,乙社区,测试区,二街道,村改居,１２０００,4 000,,,\n"
    "B3,丙社区,测试区,二街道,Township,3000人,１,２００户,95,113,\n"
    "B4,丁社区,测试区,二街道,集镇社区,-5,12.5,30,200,\n"
    "B1,戊社区,测试区,二街道,城市,5,5,30,100,\n"
    "A1,己社区,测试区,二街道,RURAL,1e3,5,30.000,-180,\n"
)

# fmt: off
STAFF_ROWS = [
    ["人员编号", "社区编码", "职务", "专兼职", "性别", "学历", "社工证", "月工资", "入职日期", "离职日期", "离职原因"],
    ["P1", "A1", "书记", "专职", "女", "本科", "✓", "2,000元", "2016年3月1日", "", ""],
    ["P2", "A1", "Member", "full_time", "Male", "中专", "否", "1800 元", "2019/5/1", "2025.1.1", "待遇"],
    ["P3", "A2", "网格员", "兼职", "F", "硕士", "Y", "９００", "20200101", "2019-12-31", "pay"],
    ["P4", "A2", "委员", "专职", "男", "", "TRUE", "¥1700", "2020-01-01 08:30", "", "工作负担"],
    ["P5", "A3", "主任", "兼职", "女", "研究生", "有", "1700yuan", FUTURE, "", ""],
    ["P6", "A9", "秘书", "临时", "其他", "博士", "maybe", "-5", "2020-02-30", "2021-13-01", "罢免"],
    ["P1", "A3", "副书记", "专职", "", "大专", "无", "", "2021-06-01", FUTURE, "退休"],
    ["P8", "", "", "", "", "", "", "", "", "", ""],
    ["P9", "A3", "其他", "兼职", "女性", "初中及以下", "x", "1.5e3", "2021-6-1", "2022年6月30日", "dismissal"],
]

# 一肩挑 (also_director) only with role secretary: checked by loader.check_also_director on both paths.
JOINT_ROWS = [
    ["人员编号", "社区编码", "职务", "专兼职", "入职日期", "一肩挑"],
    ["J1", "A1", "书记", "专职", "2016-03-01", "是"],
    ["J2", "A1", "主任", "专职", "2016-03-01", "是"],
    ["J3", "A2", "委员", "兼职", "2018-01-01", "✓"],
    ["J4", "A2", "委员", "兼职", "2018-01-01", "否"],
    ["J5", "A3", "秘书", "专职", "2018-01-01", "是"],
    ["J6", "A3", "deputy_secretary", "专职", "2019-01-01", "1"],
    ["J7", "A3", "secretary", "full_time", "2019-01-01", ""],
    ["J8", "A3", "", "专职", "2019-01-01", "是"],
    ["J9", "A2", "委员", "专职", "2019-01-01", "maybe"],
]

TASK_ROWS = [
    ["社区编码", "月份", "派出部门", "事项类别", "事项数", "工时", "是否准入", "费随事转"],
    ["A1", "2025-01", "民政", "行政事务", "3件", "12小时", "是", "否"],
    ["A1", "2025/2", "城管", "检查评比", "3.0", "12h", "1", "0"],
    ["A2", "2025年3月", "统计", "报表", "１２", "1.5 hrs", "true", "false"],
    ["A2", "202504", "卫健", "证明", "2", "0", "✓", "✗"],
    ["A3", "2025-05-15", "人社", "居民服务", "3.5", "-1", "yes", "no"],
    ["A3", "2025-13", "应急", "自治活动", "0", "12kg", "T", "F"],
    ["A3", "2025年6月31日", "应急", "其他", "1e20", "1,5", "是的", ""],
    ["A9", "June", "", "self_governance", "10000000000000000000", "1e400", "y", "n"],
    ["A1", "2025.7", "民政", "Administrative", "4個", "3时", "有", "无"],
]

FACILITY_ROWS = [
    ["社区编码", "年份", "办公用房面积", "服务用房面积", "功能室数", "多功能厅", "产权", "工作经费"],
    ["A1", "2025", "80㎡", "260平方米", "6间", "有", "自有", "40,000元"],
    ["A1", "2024", "80 m2", "300m²", "6", "是", "租赁", "4 0000"],
    ["A1", "2025", "80", "260", "6", "否", "租用", ""],
    ["A2", "1999", "80平米", "260平方", "6个", "无", "借用", "1e4"],
    ["A2", "2101", "-1", "abc", "2.5", "maybe", "买的", "-3"],
    ["A2", "２０２３", "８０㎡", "１２０　m2", "３", "Y", "OWNED", " 5000 "],
    ["A3", "2024.0", "1 234.5", "1,234.5", "07", "N", "rented", "0.5元"],
]

SURVEY_ROWS = [
    ["问卷编号", "社区编码", "调查日期", "总体满意度", "社区服务", "环境卫生", "社会治安", "居民参与", "服务态度",
     "设施", "权重", "性别", "年龄段"],
    ["R1", "A1", "2025年3月5日", "非常满意", "满意", "一般", "基本满意", "不满意", "不太满意", "非常不满意", "1.5",
     "女", "18-34"],
    ["R2", "A1", "2025/3/6", "Very Satisfied", "neutral", "DISSATISFIED", "５", "3.0", "+4", "03", "0", "male", "60+"],
    ["R3", "ZZ", "2025-02-30", "好", "0", "6", "2.5", "", "", "", "-1", "x", ""],
    ["R1", "A2", "2025-03-07", "", "", "", "", "", "", "", "abc", "", "　35-59　"],
    ["", "A2", "20250308", "4", "", "", "", "", "", "", "", "F", " "],
    ["", "A2", "2025-3-9", "\u3000满意\u3000", "", "", "", "", "", "", "2", "Female", "60+"],
    ["R7", "\u3000A3 ", "2025.3.10", "5", "", "", "", "", "", "", "", "", "\t18-34"],
    ["R8", "A3", "yesterday", "5", "", "", "", "", "", "", "1e400", "", ""],
]
# fmt: on

# What offices write and Excel does to values (issue 14): placeholders for empty cells, runs
# of whitespace inside text, 2024.1 (January, or October shortened by Excel), enum words with
# suffixes and committees, years and months in the future. SQL reads some, Python the rest;
# both paths must give the same report and rows, and these files stay on the fast path.
FUTURE_MONTH = FUTURE[:7]
NEXT_YEAR = str(dt.date.today().year + 1)
# fmt: off
OFFICE_COMMUNITIES = [
    ["社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数", "纬度", "经度"],
    ["C1", "甲  社区", "测试区", "一街道", "村改居社区", "4000", "1500", "N/A", "-"],
    ["C2", "乙社区", "—", "二街道", "城市", "—", "300", "/", "暂无"],
    ["C3", "丙\t社区", "测试区", "二街道", "乡镇", "1200", "400", "", ""],
    ["—", "丁社区", "测试区", "二街道", "农村社区", "1200", "400", "30", "110"],
    ["C5", "ＮＡ", "测试区", "三街道", "纯", "1200", "400", "30", "110"],
    ["C6", "戊 社区\u3000", "测试区", "三  街道", "村社区", "1200", "400", "30", "110"],
    ["C7", "己社区", "n/a", "三街道", "乡镇社区", "1200", "400", "－", "／"],
]
OFFICE_STAFF = [
    ["人员编号", "社区编码", "职务", "专兼职", "性别", "学历", "社工证", "月工资", "入职日期", "离职日期", "离职原因"],
    ["Q1", "A1", "党支部书记", "专职", "—", "大学本科", "-", "N/A", "2016-03-01", "无", "暂无"],
    ["Q2", "A1", "居委会副主任", "兼职", "无", "本科学历", "无", "/", "2019/5/1", "—", "/"],
    ["Q3", "A2", "社区党委书记", "专职", "女", "大学专科", "有", "暂无", "2018-01-01", "", ""],
    ["Q4", "A2", "—", "专职", "男", "中专", "是", "", "/", "", ""],
    ["Q5", "A3", "委员", "兼职", "男", "博士", "否", "", "2014.1", "", ""],
    ["Q6", "A3", "书记、副主任", "专职", "男", "技校", "否", "", "2018-01-01", "", ""],
    ["—", "A3", "委员", "专职", "男", "初中", "否", "", "2018-01-01", "", ""],
    ["Q8", "A3", "社区主任", "专职", "男", "小学", "NA", "1,800", "2018-01-01", "2019.10.1", "个人发展"],
]
OFFICE_TASKS = [
    ["社区编码", "月份", "派出部门", "事项类别", "事项数", "工时", "是否准入", "费随事转"],
    ["A1", "2025.1", "民政", "行政事务", "3", "12", "是", "无"],
    ["A1", "2025.10", "政法  （社会救助）", "检查评比", "3", "12", "是", "无"],
    ["A2", "２０２５．１", "政法 （社会救助）", "报表", "1", "2", "是", "否"],
    ["A2", "2025.2", "城管\t", "证明", "—", "-", "—", "无"],
    ["A3", "2025-03", "—", "居民服务", "2", "1", "1", "0"],
    ["A3", FUTURE_MONTH, "民政", "居民服务", "2", "1", "1", "0"],
    ["A3", "2025.12", "民政\t\t局", "居民服务", "2", "1", "1", "N/A"],
]
OFFICE_FACILITIES = [
    ["社区编码", "年份", "办公用房面积", "服务用房面积", "功能室数", "多功能厅", "产权", "工作经费"],
    ["A1", "2024", "80", "260", "6", "无", "自有", "暂无"],
    ["A2", NEXT_YEAR, "80", "260", "6", "有", "租赁", "-"],
    ["A3", "2023", "—", "260", "/", "-", "—", "N/A"],
    ["A3", "2022", "80", "260", "6", "无", "借用", "—"],
]
OFFICE_SURVEY = [
    SURVEY_ROWS[0],
    ["—", "A1", "2025-03-05", "满意", "/", "—", "N/A", "暂无", "-", "无", "N/A", "无", "—"],
    ["/", "A1", "2025-03-05", "—", "", "", "", "", "", "", "", "", ""],
    ["S3", "A2", FUTURE, "5", "", "", "", "", "", "", "", "", ""],
    ["S4", "A2", "2025.3.5", "非常  满意", "", "", "", "", "", "", "", "", ""],
    ["S5", "A2", "2025-03-05", "5", "", "", "", "", "", "", "", "", "18-34  岁"],
    ["S6", "A3", "—", "ＮＡ", "", "", "", "", "", "", "", "", "Na"],
]
# fmt: on


def _enc(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


CASES: dict[str, list[tuple[dict[str, bytes], dict]]] = {
    "communities_gbk_chinese_headers_units_append": [({"社区.csv": _enc(COMMUNITIES_ZH, "gbk")}, {})],
    "communities_gb18030_replace": [({"社区.csv": _enc(COMMUNITIES_ZH, "gb18030")}, {"mode": "replace"})],
    "communities_bom_semicolon_skip_invalid": [
        (
            {"c.csv": _enc(COMMUNITIES_ZH.replace(",", ";").replace('"4;800"', "4800"), "utf-8-sig")},
            {"skip_invalid": True},
        ),
    ],
    "staff_utf16_tab": [({"人员.txt": _enc(table_csv(STAFF_ROWS, "\t"), "utf-16")}, {})],
    "staff_utf8_skip_invalid": [({"staff.csv": _enc(table_csv(STAFF_ROWS))}, {"skip_invalid": True})],
    "staff_also_director": [({"j.csv": _enc(table_csv(JOINT_ROWS))}, {"skip_invalid": True})],
    "valid_staff_also_director": [({"j.csv": _enc(table_csv([JOINT_ROWS[i] for i in (0, 1, 4, 7)]))}, {})],
    "tasks_crlf_gb18030": [
        ({"tasks.csv": _enc(table_csv(TASK_ROWS, newline="\r\n"), "gb18030")}, {"skip_invalid": True}),
    ],
    "tasks_semicolon": [({"tasks.csv": _enc(table_csv(TASK_ROWS, ";"))}, {})],
    "facilities": [({"f.csv": _enc(table_csv(FACILITY_ROWS))}, {"skip_invalid": True})],
    "facilities_tab_gb18030": [({"f.tsv": _enc(table_csv(FACILITY_ROWS, "\t"), "gb18030")}, {})],
    "survey": [({"s.csv": _enc(table_csv(SURVEY_ROWS))}, {})],
    "survey_skip_invalid_utf16": [({"s.csv": _enc(table_csv(SURVEY_ROWS), "utf-16")}, {"skip_invalid": True})],
    "survey_named_table": [({"s.csv": _enc(table_csv(SURVEY_ROWS))}, {"table": "survey", "skip_invalid": True})],
    "survey_append_twice_then_replace": [
        ({"s.csv": _enc(table_csv(SURVEY_ROWS))}, {"skip_invalid": True}),
        ({"again.csv": _enc(table_csv(SURVEY_ROWS))}, {"skip_invalid": True}),
        ({"again.csv": _enc(table_csv(SURVEY_ROWS[:3]))}, {}),
        ({"new.csv": _enc(table_csv(SURVEY_ROWS[:3]))}, {"mode": "replace", "skip_invalid": True}),
    ],
    "keys_append_against_store": [
        ({"f.csv": _enc(table_csv(FACILITY_ROWS[:3]))}, {}),
        (
            {"f2.csv": _enc(table_csv([FACILITY_ROWS[0], FACILITY_ROWS[1], FACILITY_ROWS[4], FACILITY_ROWS[6]]))},
            {"skip_invalid": True},
        ),
        ({"s.csv": _enc(table_csv(STAFF_ROWS[:3]))}, {}),
        ({"s2.csv": _enc(table_csv(STAFF_ROWS[:4]))}, {"skip_invalid": True}),
    ],
    "batch_communities_then_others_dry_run": [
        (
            {
                "s.csv": _enc(
                    table_csv(
                        [
                            SURVEY_ROWS[0],
                            ["Q1", "B2", "2025-01-01", "5", *[""] * 9],
                            ["Q2", "B9", "2025-01-01", "5", *[""] * 9],
                        ]
                    )
                ),
                "c.csv": _enc(COMMUNITIES_ZH),
            },
            {"dry_run": True, "mode": "replace", "skip_invalid": True},
        ),
    ],
    "batch_communities_then_others": [
        (
            {
                "s.csv": _enc(
                    table_csv(
                        [
                            SURVEY_ROWS[0],
                            ["Q1", "B2", "2025-01-01", "5", *[""] * 9],
                            ["Q2", "B9", "2025-01-01", "5", *[""] * 9],
                            ["Q3", "A1", "2025-01-01", "5", *[""] * 9],
                        ]
                    )
                ),
                "c.csv": _enc(COMMUNITIES_ZH),
            },
            {"skip_invalid": True},
        ),
    ],
    "dry_run_then_load": [
        ({"s.csv": _enc(table_csv(SURVEY_ROWS))}, {"dry_run": True, "skip_invalid": True}),
        ({"s.csv": _enc(table_csv(SURVEY_ROWS))}, {"skip_invalid": True}),
    ],
    "valid_files_appended_and_replaced": [
        (
            {
                "a.csv": _enc(
                    table_csv([SURVEY_ROWS[0], *[[f"V{n}", "A1", "2025-01-02", "3", *[""] * 9] for n in range(30)]])
                )
            },
            {},
        ),
        (
            {
                "b.csv": _enc(
                    table_csv([SURVEY_ROWS[0], *[[f"W{n}", "A2", "2025/1/3", "满意", *[""] * 9] for n in range(30)]])
                )
            },
            {},
        ),
        (
            {
                "c.csv": _enc(
                    table_csv([SURVEY_ROWS[0], *[[f"X{n}", "A3", "20250104", "5", *[""] * 9] for n in range(30)]])
                )
            },
            {"mode": "replace"},
        ),
    ],
    "office_communities": [({"c.csv": _enc(table_csv(OFFICE_COMMUNITIES))}, {"skip_invalid": True})],
    "office_communities_replace_gbk": [
        ({"c.csv": _enc(table_csv(OFFICE_COMMUNITIES), "gbk")}, {"mode": "replace", "skip_invalid": True})
    ],
    "office_staff": [({"s.csv": _enc(table_csv(OFFICE_STAFF))}, {"skip_invalid": True})],
    "office_staff_semicolon": [({"s.csv": _enc(table_csv(OFFICE_STAFF, ";"))}, {})],
    "office_tasks": [({"t.csv": _enc(table_csv(OFFICE_TASKS))}, {"skip_invalid": True})],
    "office_tasks_tab_gb18030": [({"t.tsv": _enc(table_csv(OFFICE_TASKS, "\t"), "gb18030")}, {})],
    "office_facilities": [({"f.csv": _enc(table_csv(OFFICE_FACILITIES))}, {"skip_invalid": True})],
    "office_survey": [({"s.csv": _enc(table_csv(OFFICE_SURVEY))}, {"skip_invalid": True})],
    "office_survey_utf16": [({"s.csv": _enc(table_csv(OFFICE_SURVEY), "utf-16")}, {})],
    "valid_office_spellings": [
        ({"s.csv": _enc(table_csv([OFFICE_STAFF[i] for i in (0, 1, 2, 3, 8)]))}, {}),
        ({"t.csv": _enc(table_csv([OFFICE_TASKS[i] for i in (0, 2, 7)]))}, {}),
        ({"f.csv": _enc(table_csv([OFFICE_FACILITIES[i] for i in (0, 1, 4)]))}, {}),
        ({"s.csv": _enc(table_csv([OFFICE_SURVEY[i] for i in (0, 1, 4, 5)]))}, {}),
    ],
    "canonical_generated_tables": [],  # filled in below from the generator
}


def _generated() -> list[tuple[dict[str, bytes], dict]]:
    from tools.generate import canonical_text, generate

    tables = generate(scale=0.05, responses_per_wave=(3, 4))
    files = {}
    for name, frame in tables.items():
        if name != "communities":
            files[f"{name}.csv"] = canonical_text(frame).to_csv(index=False, lineterminator="\n").encode()
    communities = canonical_text(tables["communities"]).to_csv(index=False, lineterminator="\n").encode()
    return [({"communities.csv": communities}, {"mode": "replace"}), (files, {})]


CASES["canonical_generated_tables"] = _generated()


@pytest.mark.parametrize("case", list(CASES))
def test_fast_path_gives_the_python_paths_reports_and_rows(case):
    reports = assert_same(CASES[case])
    assert any(r.problems for r in reports) or case.startswith(("canonical", "valid"))


# Files the fast path must hand back to the Python path, which does more than store a value:
# it counts notices (Excel serial dates, months given for a date), sets also_director from a
# role written 书记、主任, and repairs or refuses codes Excel changed.
CODES_BASE = BASE + "0728001,庚社区,测试区,三街道,urban,1000,300\n"


def _one_file(header: list[str], *rows: list[str], **options: object) -> list[tuple[dict[str, bytes], dict]]:
    return [({"f.csv": _enc(table_csv([header, *rows]))}, options)]


def _staff(staff_id: str, role: str, hire: str, exit_: str = "") -> list[str]:
    return [staff_id, "A1", role, "专职", "", "", "", "", hire, exit_, ""]


def _answer(code: str) -> list[str]:
    return ["R1", code, "2025-03-05", "5", *[""] * 9]


HANDED_BACK: dict[str, tuple[list[tuple[dict[str, bytes], dict]], str]] = {
    "serial_hire_date": (_one_file(OFFICE_STAFF[0], _staff("Q1", "委员", "45536")), BASE),
    "month_for_a_hire_date": (
        _one_file(OFFICE_STAFF[0], _staff("Q1", "委员", "2014.03"), _staff("Q2", "委员", "2014年3月", "2015-1")),
        BASE,
    ),
    "serial_period": (_one_file(OFFICE_TASKS[0], ["A1", "45536.5", "民政", "行政事务", "3", "12", "是", "否"]), BASE),
    "secretary_and_director": (_one_file(OFFICE_STAFF[0], _staff("Q1", "书记、主任", "2016-03-01")), BASE),
    "secretary_and_director_by_committee": (
        _one_file(
            OFFICE_STAFF[0], _staff("Q1", "党支部书记兼居委会主任", "2016-03-01"), _staff("Q2", "书记", "2016-03-01")
        ),
        BASE,
    ),
    "scientific_code": (_one_file(SURVEY_ROWS[0], _answer("4.29004E+11")), BASE),
    "code_without_its_zeros": (_one_file(SURVEY_ROWS[0], _answer("728001")), CODES_BASE),
}


@pytest.mark.parametrize("case", list(HANDED_BACK))
def test_files_the_python_path_does_more_with_are_handed_back(case):
    steps, base = HANDED_BACK[case]
    assert_same(steps, base=base, fast_expected=False)


def test_a_load_after_an_undo_shows_the_same_preview():
    first = table_csv([SURVEY_ROWS[0], *[[f"V{n}", "A1", "2025-01-02", "3", *[""] * 9] for n in range(30)]]).encode()
    second = table_csv([SURVEY_ROWS[0], *[[f"W{n}", "A2", "2025-01-03", "4", *[""] * 9] for n in range(30)]]).encode()
    results = []
    for fast in (False, True):
        store = new_store()
        with path(fast) as taken:
            ingest(store, [Source("first.csv", first)])
            store.undo(max(store.undoable_imports()))
            (report,) = ingest(store, [Source("second.csv", second)])
        results.append((summary(report), report.preview, contents(store), taken))
        store.close()
    (slow, slow_preview, slow_rows, _), (quick, quick_preview, quick_rows, taken) = results
    assert taken == [True, True] and quick == slow and quick_rows == slow_rows
    pd.testing.assert_frame_equal(quick_preview, slow_preview)


def test_the_cases_cover_every_row_rejection_reason():
    reasons = set()
    for steps in CASES.values():
        reports, _, _ = run(steps, fast=True)
        reasons |= {p.reason for r in reports for p in r.problems if p.row is not None}
    assert reasons >= {
        "not_a_number",
        "wrong_unit",
        "not_an_integer",
        "below_minimum",
        "above_maximum",
        "not_a_bool",
        "not_a_date",
        "no_such_date",
        "not_a_month",
        "not_likert",
        "not_in_enum",
        "required",
        "in_future",
        "exit_before_hire",
        "reason_without_exit",
        "ambiguous_month",
        "also_director_not_secretary",
        "duplicate_in_file",
        "duplicate_in_store",
        "unknown_community",
    }


def test_fast_path_stores_the_typed_values():
    reports, stored, taken = run([({"s.csv": _enc(table_csv(SURVEY_ROWS))}, {"skip_invalid": True})], fast=True)
    assert taken == [True]
    with_ids = {row[0]: row for row in stored["survey"] if row[0]}
    assert with_ids["R1"][:13] == (
        "R1",
        "A1",
        dt.date(2025, 3, 5),
        5,
        4,
        3,
        3,
        2,
        2,
        1,
        1.5,
        "F",
        "18-34",
    )
    assert with_ids["R7"][1] == "A3" and with_ids["R7"][12] == "18-34"  # trimmed, full-width spaces too
    assert reports[0].rows_loaded == 4


def test_a_valid_file_is_stored_in_one_pass_and_a_faulty_one_is_scanned(monkeypatch):
    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    scans = []
    scan = bulk._scan
    monkeypatch.setattr(bulk, "_scan", lambda *args: scans.append(1) or scan(*args))
    good = table_csv([SURVEY_ROWS[0], SURVEY_ROWS[1], ["R2", "A2", "2025-03-06", "4", *[""] * 9]]).encode()
    store = new_store()
    (report,) = ingest(store, [Source("good.csv", good)])
    assert report.loaded and scans == []
    (report,) = ingest(store, [Source("again.csv", good)])  # every response id is stored already
    assert not report.loaded and scans == [1]
    assert {p.reason for p in report.problems} == {"duplicate_in_store"}
    with store.cursor() as cur:  # the refused first attempt took no import id
        assert cur.execute("select list(import_id order by import_id) from meta.imports").fetchall() == [([1, 2],)]
    store.close()


# ---- what the fast path refuses --------------------------------------------------------------

SURVEY_HEAD = "response_id,community_id,survey_date,overall\n"


def _survey_lines(count: int) -> list[str]:
    return [f"R{i},A1,2025-03-05,{1 + i % 5}" for i in range(count)]


NOT_SIMPLE = [
    ("blank line", SURVEY_HEAD + "R1,A1,2025-03-05,5\n\nR2,A1,2025-03-05,9\n", {(4, "not_likert")}),
    ("blank cells only", SURVEY_HEAD + "R1,A1,2025-03-05,5\n , ,,\nR2,A1,2025-03-05,9\n", {(4, "not_likert")}),
    ("separators only", SURVEY_HEAD + "R1,A1,2025-03-05,5\n,,,\nR2,A1,2025-03-05,9\n", {(4, "not_likert")}),
    ("trailing blank line", SURVEY_HEAD + "R1,A1,2025-03-05,9\n\n", {(2, "not_likert")}),
    ("quoted newline", SURVEY_HEAD + 'R1,A1,2025-03-05,"5\n"\nR2,A1,2025-03-05,9\n', {(3, "not_likert")}),
    (
        "quote after a space",
        SURVEY_HEAD + 'R1, "A1",2025-03-05,5\nR2,A1,2025-03-05,9\n',
        {(2, "unknown_community"), (3, "not_likert")},
    ),
    ("text after a quote", SURVEY_HEAD + 'R1,"A"1,2025-03-05,5\nR2,A1,2025-03-05,9\n', {(3, "not_likert")}),
    ("lone carriage return", SURVEY_HEAD + "R1,A1,2025-03-05,5\rR2,A1,2025-03-05,9\n", {(3, "not_likert")}),
    ("mixed line ends", SURVEY_HEAD + "R1,A1,2025-03-05,5\r\nR2,A1,2025-03-05,9\n", {(3, "not_likert")}),
    ("blank line above the header", "\n" + SURVEY_HEAD + "R1,A1,2025-03-05,9\n", {(3, "not_likert")}),
    ("ragged row", SURVEY_HEAD + "R1,A1,2025-03-05\n", set()),
    ("long row", SURVEY_HEAD + "R1,A1,2025-03-05,5,6\n", set()),
    ("long row of blanks", SURVEY_HEAD + "R1,A1,2025-03-05,9, \n", {(2, "not_likert")}),
    ("no table", "a,b,c\n1,2,3\n", set()),
    ("missing column", "response_id,community_id\nR1,A1\n", set()),
    ("NUL byte", SURVEY_HEAD + "R1,A1,2025-03-05,5\x00\n", set()),
    ("huge cell", SURVEY_HEAD + "R1,A1,2025-03-05," + "9" * 200_000 + "\n", set()),
]


@pytest.mark.parametrize(("name", "data", "rows"), NOT_SIMPLE, ids=[case[0] for case in NOT_SIMPLE])
def test_files_that_are_not_simple_take_the_python_path_with_the_right_rows(name, data, rows):
    reports = assert_same([({"s.csv": data.encode()}, {})], fast_expected=False)
    assert {(p.row, p.reason) for p in reports[0].problems if p.row} == rows


def test_workbooks_take_the_python_path():
    book = openpyxl.Workbook()
    for row in (["response_id", "community_id", "survey_date", "overall"], ["R1", "A1", "2025-03-05", 9]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    store = new_store()
    with path(fast=True) as taken:
        (report,) = ingest(store, [Source("s.xlsx", buffer.getvalue())])
    store.close()
    assert taken == [False]
    assert [(p.row, p.reason) for p in report.problems] == [(2, "not_likert")]


def test_small_files_take_the_python_path_by_default():
    small = (SURVEY_HEAD + "\n".join(_survey_lines(bulk.MIN_ROWS - 1)) + "\n").encode()
    big = (SURVEY_HEAD + "\n".join(_survey_lines(bulk.MIN_ROWS)) + "\n").encode()
    store = new_store()
    with spy() as taken:
        reports = ingest(store, [Source("small.csv", small)], dry_run=True)
        reports += ingest(store, [Source("big.csv", big)], dry_run=True)
    store.close()
    assert taken == [False, True]
    assert [r.rows_valid for r in reports] == [bulk.MIN_ROWS - 1, bulk.MIN_ROWS]


def test_a_big_file_with_a_blank_line_reports_spreadsheet_rows():
    lines = _survey_lines(max(bulk.MIN_ROWS, 1000) + 10)
    lines[100] = ""
    lines[200] = "R200,A1,2025-03-05,9"
    data = (SURVEY_HEAD + "\n".join(lines) + "\n").encode()
    reports = assert_same([({"s.csv": data}, {})], fast_expected=False)
    assert [(p.row, p.reason) for p in reports[0].problems] == [(202, "not_likert")]


def test_temporary_files_and_tables_are_cleaned_up(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = new_store()
    data = table_csv(SURVEY_ROWS).encode("gbk")
    reports = ingest(store, [Source("s.csv", data)], skip_invalid=True)
    assert reports[0].loaded and reports[0].encoding == "gb18030"
    assert list(tmp_path.iterdir()) == []
    with store.cursor() as cur:
        assert cur.execute("select count(*) from duckdb_tables() where temporary").fetchall() == [(0,)]
    store.close()


def test_a_file_on_disk_is_read_where_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    file = tmp_path / "s.csv"
    file.write_bytes(table_csv(SURVEY_ROWS).encode())
    store = new_store()
    written = []
    monkeypatch.setattr(bulk, "_temp_path", lambda: written.append(1) or pytest.fail("copied"))
    (report,) = ingest(store, [Source.from_path(file)], skip_invalid=True)
    store.close()
    assert report.loaded and not written


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
def test_transcoding_in_tiny_chunks_splits_characters_safely(monkeypatch, encoding):
    """With 7-byte chunks every multi-byte character and line end straddles a chunk somewhere."""
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 7)
    rows = [*SURVEY_ROWS, ["R9", "A1", "2025年3月5日", "满意", "", "", "", "", "", "", "", "女", "60+"]]
    assert_same([({"s.csv": _enc(table_csv(rows, newline="\r\n"), encoding)}, {"skip_invalid": True})])


def test_cells_next_to_the_header_and_at_the_end_are_trimmed():
    rows = [SURVEY_ROWS[0], [" R1", "A1", "2025-03-05", "5", *[""] * 8, "18-34 "]]
    data = table_csv(rows).removesuffix("\n")  # no line end after the last cell
    reports = assert_same([({"s.csv": data.encode()}, {})])
    assert reports[0].loaded


def test_a_file_whose_name_duckdb_would_glob_is_copied(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    file = tmp_path / "survey[1].csv"
    file.write_bytes(table_csv(SURVEY_ROWS).encode())
    (tmp_path / "survey1.csv").write_bytes(b"not this one\n")
    store = new_store()
    with path(fast=True) as taken:
        (report,) = ingest(store, [Source.from_path(file)], skip_invalid=True)
    store.close()
    assert taken == [True] and report.loaded and report.rows_loaded == 4


@given(
    text=st.text(alphabet=',;\t \n\r"a\u3000\x1c\xa0', max_size=40),
    cut=st.lists(st.integers(1, 40), max_size=5),
    separator=st.sampled_from([",", ";", "\t"]),
)
def test_byte_checks_do_not_depend_on_where_chunks_end(text, cut, separator):
    data = ("h1,h2,h3\n" + text).encode()
    whole = bulk._Bytes(separator, 3)
    whole.feed(data, 9)
    whole.finish()
    pieces = bulk._Bytes(separator, 3)  # the first piece holds the whole header line, as in bulk._transcode
    bounds = sorted({min(9 + c, len(data)) for c in cut} | {0, len(data)})
    for start, end in itertools.pairwise(bounds):
        pieces.feed(data[start:end], 9 if start == 0 else 0)
    pieces.finish()
    keys = ("lf", "cr", "crlf", "nul", "quotes", "quote_neighbours", "unclean", "blank_line", "last")
    assert {k: getattr(pieces, k) for k in keys} == {k: getattr(whole, k) for k in keys}


# ---- the SQL pieces' assumptions ------------------------------------------------------------


def test_whitespace_set_is_pythons_and_folds_to_whitespace():
    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert set(bulk.whitespace()) == spaces
    assert all(unicodedata.normalize("NFKC", c).isspace() for c in spaces)


def test_may_be_space_gate_covers_every_python_space():
    con = duckdb.connect()
    bulk.create_macros(con)
    missed = con.execute(
        "select count(*) from unnest($codes) as t(c) where not bulk_may_be_space(c)",
        {"codes": [ord(c) for c in bulk.whitespace()] + [-1]},
    ).fetchall()
    assert missed == [(0,)]


def test_fold_table_is_nfkc_and_lower():
    sources, targets = bulk.fold_table()
    assert len(sources) == len(targets)
    assert all(fold(s) == t for s, t in zip(sources, targets, strict=True) if not t.isspace())


def test_placeholder_table_is_every_character_that_folds_into_a_placeholder():
    characters = set("".join(PLACEHOLDERS))
    folds = {}
    for code in range(sys.maxunicode + 1):
        folded = unicodedata.normalize("NFKC", chr(code)).lower()
        if folded and set(folded) <= characters:
            folds[chr(code)] = folded
    sources, targets = bulk.placeholder_table()
    assert {**dict(zip(sources, targets, strict=True)), **bulk.PLACEHOLDER_PAIRS} == folds
    assert len(sources) == len(set(sources))


def test_whitespace_class_is_pythons():
    con = duckdb.connect()
    bulk.create_macros(con)
    codes = [c for c in range(1, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    matched = con.execute(
        "select list(c order by c) from unnest($codes) as t(c) where regexp_full_match(chr(c), bulk_ws_run())",
        {"codes": codes},
    ).fetchall()[0][0]
    assert {chr(c) for c in matched} == set(bulk.whitespace())


SQL_TEXTS = [
    "", " ", "a", " a ", "a b", "a  b", "a\tb", "a\nb", "a\r\nb", "\u3000A2\u3000", "a\xa0\xa0b", "x\x1cy", "甲社区",
    "35-59", "XT001", "N / A", "n/a", "N/A", "NA", "Na", "nA", "na", "ＮＡ", "ｎ／ａ", "n／a", "㎁", "𝐍𝐀", "ⁿ/ₐ",
    "—", "——", "–", "-", "--", "－－", "﹣", "/", "／", "无", "⽆", "暂无", " 暂无 ", "暂 无", "空", "🈳",
    "nan", "-0", "n", "a", "---", "n/a/", "\u3000—\u3000", "\t/\t", "N\u3000A",
]  # fmt: skip
SQL_TEXT = st.one_of(
    st.sampled_from(SQL_TEXTS),
    st.text(alphabet=st.sampled_from([*PLACEHOLDER_CHARACTERS, " ", "\t", "\u3000", "\n", "x", "甲"]), max_size=5),
)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(SQL_TEXT, min_size=1, max_size=20))
def test_sql_reads_text_and_placeholders_as_python_does(texts):
    """bulk_text (and bulk_text_clean, in a file whose cells need no squashing) is values.parse_text;
    bulk_deferred keeps back exactly the placeholders every parser reads as empty."""
    con = duckdb.connect()
    bulk.create_macros(con)
    params = bulk._shared_params()
    sql = (
        "select bulk_text(t, $ph, $ph_from, $ph_to), bulk_text_clean(t, $ph, $ph_from, $ph_to), "
        "bulk_deferred(null, t, $ws, $ph, $ph_from, $ph_to), bulk_deferred(null, t, $ws, $ph_bool, $ph_from, $ph_to) "
        "from unnest($texts) with ordinality as u(t, i) order by i"
    )
    rows = con.execute(sql, queries.used_params(sql, params | {"texts": texts})).fetchall()
    for text, (value, clean, deferred, deferred_bool) in zip(texts, rows, strict=True):
        assert value == parse_text(text, None), text
        if text == squash(text):
            assert clean == parse_text(text, None), text
        empty = not squash(text) or is_placeholder(text)
        assert deferred == (None if empty else text), text
        empty_bool = not squash(text) or (is_placeholder(text) and fold(text) not in FALSE_WORDS)
        assert deferred_bool == (None if empty_bool else text), text


def test_sql_months_refuse_2024_point_1():
    con = duckdb.connect()
    bulk.create_macros(con)
    fold_from, fold_to = bulk.fold_table()
    texts = ["2024.1", "２０２４．１", " 2024.1 ", "2024.10", "2024.01", "2024.2", "2024-1", "2024/1", "2024年1月"]
    rows = con.execute(
        "select bulk_month(t, $fold_from, $fold_to, $ws) from unnest($texts) with ordinality as u(t, i) order by i",
        {"texts": texts, "fold_from": fold_from, "fold_to": fold_to, "ws": bulk.whitespace()},
    ).fetchall()
    expected = [None, None, None, dt.date(2024, 10, 1), *[dt.date(2024, m, 1) for m in (1, 2, 1, 1, 1)]]
    assert [row[0] for row in rows] == expected


def test_exact_spellings_are_what_the_python_parser_reads():
    for table in TABLES.values():
        for column in table.columns:
            if column.kind.value in ("bool", "likert", "enum"):
                from community_eval.ingest.values import parse_cell

                assert all(parse_cell(t, column) == v for t, v in bulk.exact_spellings(column).items())


# ---- random cells ---------------------------------------------------------------------------

GOOD_ROWS = {
    "staff": ["S{n}", "A1", "委员", "专职", "男", "大专", "", "否", "1800", "2020-01-01", "", ""],
    "tasks": ["A1", "2025-01", "民政", "行政事务", "{n}", "4.5", "是", "否"],
    "facilities": ["A2", "20{n:02d}", "60", "120", "3", "无", "租用", ""],
    "survey": ["R{n}", "A2", "2025-05-01", "4", "", "", "", "", "", "", "", "", ""],
}

ALPHABET = (
    "0123456789012345.,-+ e"
    "０１２３４５６７８９．，"
    "元¥￥㎡m²平方米小时h件个间年户人"
    "是否有无✓✗√×TtrueFalsYyNn"
    "年月日/:"
    "非常满意一般不基本太"
    "书记委员专职兼职男女性"
    " \t\u3000\xa0\u2003\x1c"
    "ABCabcxyz"
    "İK①¹٣"
    "—–/无暂空、兼主任本科学历社区村改居ＮＡ／－㎁"
    '"'
)
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "1,234",
        "1 234",
        "12.0",
        "12.50",
        "1e3",
        "1e400",
        "-0",
        "+5",
        "05",
        "2024年3月5日",
        "20240305",
        "2024-02-30",
        "2024-13",
        "0000-01-01",
        "9999-12-31",
        "2024/3",
        "202403",
        "非常满意",
        "Very Satisfied",
        "３",
        "A1",
        "ZZ",
        "R1",
        "S3",
        "300㎡",
        "300 平方米",
        "12小时",
        "是",
        "✓",
        "TRUE",
        "nan",
        "inf",
        "1_000",
        "0x10",
        "\u3000A2\u3000",
        "2025-01-01 10:30",
        FUTURE,
        FUTURE_MONTH,
        NEXT_YEAR,
        "—",
        "–",
        "-",
        "/",
        "无",
        "暂无",
        "空",
        "N/A",
        "NA",
        "——",
        "--",
        "ＮＡ",
        "㎁",
        "2024.1",
        "2024.10",
        "２０２４．１",
        "45536",
        "45536.75",
        "2014.03",
        "2014年3月",
        "村改居社区",
        "城市",
        "大学本科",
        "本科学历",
        "书记、主任",
        "书记（兼主任）",
        "党支部书记",
        "a  b",
        "a\tb",
        "4.29004E+11",
        "728001",
    ]
)
CELL = st.one_of(TRICKY, st.text(alphabet=ALPHABET, max_size=10))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=st.sampled_from(list(GOOD_ROWS)),
    edits=st.lists(st.tuples(st.integers(0, 12), CELL), min_size=1, max_size=12),
    separator=st.sampled_from([",", ";", "\t"]),
)
def test_random_cells_give_the_same_problems_and_rows(table, edits, separator):
    columns = list(TABLES[table].column_names)
    rows = [columns] + [[c.format(n=n) for c in GOOD_ROWS[table]] for n in range(1, len(edits) + 2)]
    for n, (column, text) in enumerate(edits, start=1):
        rows[n][column % len(columns)] = text
    data = table_csv(rows, separator).encode()
    slow_reports, slow_contents, _ = run([({"r.csv": data}, {"skip_invalid": True})], fast=False)
    fast_reports, fast_contents, _ = run([({"r.csv": data}, {"skip_invalid": True})], fast=True)
    assert [summary(r) for r in fast_reports] == [summary(r) for r in slow_reports]
    if slow_reports[0].preview is not None:
        pd.testing.assert_frame_equal(fast_reports[0].preview, slow_reports[0].preview)
    assert fast_contents == slow_contents


def test_a_big_csv_with_total_and_note_rows_loads_as_the_python_path_reads_it(empty_store):
    """合计 and 注： rows refuse nothing on the fast path: the file goes to the Python path, which skips them."""
    communities = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nA1,甲,区,街,村,1000,300\n"
    assert ingest(empty_store, [Source("c.csv", communities.encode())])[0].loaded
    head = "社区编码,调查日期,总体满意度,性  别\n"
    body = "".join(f"A1,2024-05-01,{1 + i % 5},{'男' if i % 2 else '女'}\n" for i in range(6000))
    text = head + body + "合计,,,\n注：本表由街道汇总,,,\n"
    (report,) = ingest(empty_store, [Source("survey.csv", text.encode())])
    assert report.loaded, report.problems[:3]
    assert report.rows_loaded == 6000
    assert report.mapping["性别"] == "gender"
    (sheet,) = report.sheets
    assert (sheet.layout.totals, sheet.layout.notes) == ([6002], [6003])
    with empty_store.cursor() as cur:
        assert cur.execute("select count(*), sum(overall), count(gender) from survey").fetchall() == [
            (6000, sum(1 + i % 5 for i in range(6000)), 6000)
        ]
