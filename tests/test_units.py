"""Units in headers: the same unit passes, a known multiple is converted exactly, anything else refuses.

Expectations are written out by hand (1.2 万元 is 12,000 yuan; 90 分钟 is 1.5 hours), never
computed with the module under test.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from community_eval.core.schema import TABLES, Kind
from community_eval.ingest.loader import Source, ingest
from community_eval.ingest.reader import Sheet
from community_eval.ingest.units import Conversion, UnitRefused, conversion, convert_literal, header_units, strip_units

FACILITIES = TABLES["facilities"]
TASKS = TABLES["tasks"]
COMMUNITIES = TABLES["communities"]
STAFF = TABLES["staff"]


@pytest.mark.parametrize(
    ("column", "header", "factor", "divisor", "label"),
    [
        (FACILITIES.column("operating_budget_yuan"), "年度工作经费（万元）", 10_000, 1, "×10,000"),
        (FACILITIES.column("operating_budget_yuan"), "工作经费(千元)", 1_000, 1, "×1,000"),
        (FACILITIES.column("operating_budget_yuan"), "工作经费/万元", 10_000, 1, "×10,000"),
        (FACILITIES.column("operating_budget_yuan"), "工作经费（单位：万元）", 10_000, 1, "×10,000"),
        (TASKS.column("hours"), "耗时（分钟）", 1, 60, "÷60"),
        (TASKS.column("hours"), "工时（min）", 1, 60, "÷60"),
        (COMMUNITIES.column("population"), "常住人口（万人）", 10_000, 1, "×10,000"),
    ],
)
def test_a_multiple_of_the_columns_unit_is_converted(column, header, factor, divisor, label):
    conv = conversion(column, header)
    assert conv is not None
    assert (conv.factor, conv.divisor, conv.label) == (Decimal(factor), Decimal(divisor), label)


@pytest.mark.parametrize(
    ("column", "header"),
    [
        (FACILITIES.column("office_area_m2"), "办公用房面积（㎡）"),
        (FACILITIES.column("office_area_m2"), "办公用房面积（平方米）"),
        (FACILITIES.column("office_area_m2"), "办公用房面积(m²)"),
        (FACILITIES.column("office_area_m2"), "办公用房面积[m2]"),
        (FACILITIES.column("operating_budget_yuan"), "工作经费（元）"),
        (FACILITIES.column("operating_budget_yuan"), "工作经费（元/年）"),
        (STAFF.column("monthly_pay"), "月工资（元/月）"),
        (TASKS.column("hours"), "工时（小时）"),
        (COMMUNITIES.column("households"), "户数（户）"),
        (COMMUNITIES.column("community_id"), "社区编码（community_id）"),  # our templates' headers
        (COMMUNITIES.column("district"), "县(市、区)"),
        (COMMUNITIES.column("latitude"), "纬度（度）"),  # a column without a unit has none to convert
    ],
)
def test_the_columns_own_unit_or_no_unit_needs_nothing(column, header):
    assert conversion(column, header) is None


@pytest.mark.parametrize(
    ("column", "header", "unit"),
    [
        (FACILITIES.column("office_area_m2"), "办公面积（元）", "元"),
        (FACILITIES.column("service_area_m2"), "服务用房面积（亩）", "亩"),
        (TASKS.column("hours"), "耗时（天）", "天"),  # a working day is not a fixed number of hours
        (FACILITIES.column("operating_budget_yuan"), "工作经费（元/月）", "元/月"),  # a budget is per year
        (COMMUNITIES.column("population"), "常住人口（%）", "%"),
        (FACILITIES.column("operating_budget_yuan"), "工作经费（万元）（元）", "万元、元"),
    ],
)
def test_a_unit_the_column_cannot_be_converted_from_is_refused(column, header, unit):
    with pytest.raises(UnitRefused) as refused:
        conversion(column, header)
    assert refused.value.unit == unit


def test_units_are_set_aside_for_matching_but_other_brackets_stay():
    assert strip_units("年度工作经费（万元）") == "年度工作经费"
    assert strip_units("经费/万元") == "经费"
    assert strip_units("县(市、区)") == "县(市、区)"
    assert header_units("社区编码（community_id）") == []


@pytest.mark.parametrize(
    ("literal", "conv", "whole", "expected"),
    [
        ("1.2", Conversion("万元", Decimal(10_000)), False, 12_000.0),
        ("0.35", Conversion("万元", Decimal(10_000)), False, 3_500.0),
        ("90", Conversion("分钟", divisor=Decimal(60)), False, 1.5),
        ("20", Conversion("分钟", divisor=Decimal(60)), False, 1 / 3),
        ("1.2345", Conversion("万人", Decimal(10_000)), True, 12_345),
    ],
)
def test_conversion_is_exact(literal, conv, whole, expected):
    assert convert_literal(literal, conv, whole) == expected


def test_a_whole_column_refuses_a_result_that_is_not_whole():
    with pytest.raises(ArithmeticError):
        convert_literal("1.23456", Conversion("万人", Decimal(10_000)), True)


def _load(store, name: str, text: str):
    return ingest(store, [Source(name, text.encode("utf-8"))])


def test_stored_values_are_in_the_contracts_unit_and_the_report_says_so(empty_store):
    communities = (
        "社区编码,社区名称,区县,街道,社区类型,常住人口（万人）,户数\n"
        "A1,甲,区,街,村,1.2,3000\nA2,乙,区,街,村,0.85,2000\n"
    )
    (report,) = _load(empty_store, "c.csv", communities)
    assert report.loaded, report.problems
    assert report.conversions == {"常住人口（万人）": "×10,000"}
    tasks = (
        "社区编码,月份,部门,事项类别,事项数,耗时（分钟）,是否准入,费随事转\n"
        "A1,2024-03,民政,台账,2,90,是,否\n"
        "A2,2024-03,民政,台账,1,1.5小时,是,否\n"
        "A2,2024-04,民政,台账,1,45分钟,是,否\n"
    )
    (report,) = _load(empty_store, "t.csv", tasks)
    # A cell may repeat the header's unit, never carry another one: 1.5小时 under 分钟 is refused.
    assert not report.loaded
    assert [(p.row, p.reason, p.value) for p in report.problems] == [(3, "wrong_unit", "1.5小时")]
    (report,) = _load(empty_store, "t.csv", tasks.replace("1.5小时", "30"))
    assert report.loaded, report.problems
    assert [(n.key, n.column, n.count) for n in report.notices] == [("unit_converted", "hours", 3)]
    with empty_store.cursor() as cur:
        assert cur.execute("select community_id, population from communities order by 1").fetchall() == [
            ("A1", 12_000),
            ("A2", 8_500),
        ]
        hours = cur.execute("select hours from tasks order by community_id, period").fetchall()
    assert hours == [(1.5,), (0.5,), (0.75,)]


def test_a_refused_unit_names_the_header_and_stores_nothing(empty_store):
    (report,) = _load(
        empty_store, "c.csv", "社区编码,社区名称,区县,街道,社区类型,常住人口（%）,户数\nA1,甲,区,街,村,12,3\n"
    )
    assert not report.loaded
    (problem,) = report.problems
    assert (problem.reason, problem.column, problem.params["header"], problem.params["unit"]) == (
        "unit_refused",
        "population",
        "常住人口（%）",
        "%",
    )
    assert empty_store.row_count("communities") == 0


@pytest.mark.parametrize(
    ("column", "header"),
    [
        (FACILITIES.column("operating_budget_yuan"), "工作经费（元）"),
        (TASKS.column("hours"), "工时（小时）"),
        (COMMUNITIES.column("population"), "常住人口（人）"),
        (FACILITIES.column("office_area_m2"), "办公面积（㎡）"),
    ],
)
@settings(max_examples=60, deadline=None)
@given(number=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_no_conversion_changes_a_value_that_needs_none(column, header, number):
    """A header in the column's own unit reads every number exactly as the bare header does."""
    from community_eval.ingest.checks import _parse, match_headers

    text = str(number if column.kind is not Kind.INT else int(number))
    table = next(t for t in TABLES.values() if column in t.columns)
    cells = pd.DataFrame({0: [text]}, dtype=object)
    readings = []
    for written in (header, column.name):
        match = match_headers([written], table)
        assert not match.conversions and not match.refused_units
        sheet = Sheet("f.csv", [written], cells, [2])
        readings.append(_parse(sheet, match, None).frame[column.name].iat[0])
    assert readings[0] == readings[1] == (float(text) if column.kind is not Kind.INT else int(text))


def test_a_unit_line_above_the_table_refuses_until_the_unit_is_in_the_headers(empty_store):
    """`单位：万元` above a statistics table: the numbers under it are not yuan, and must not be read as such."""
    communities = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nA1,甲,区,街,村,1000,300\n"
    assert _load(empty_store, "c.csv", communities)[0].loaded
    above = "2024年社区经费表\n单位：万元\n"
    table = "社区编码,年度,办公面积,服务面积,功能室数,多功能厅,产权,年度工作经费\nA1,2024,50,80,3,是,自有,1.2\n"
    (report,) = _load(empty_store, "f.csv", above + table)
    assert not report.loaded
    assert [(p.reason, p.params) for p in report.problems] == [("unit_above_table", {"unit": "万元"})]
    fixed = table.replace("年度工作经费", "年度工作经费（万元）")
    (report,) = _load(empty_store, "f.csv", above + fixed)
    assert report.loaded, report.problems
    assert empty_store.column_values("facilities", "operating_budget_yuan").tolist() == [12_000.0]
    (report,) = _load(empty_store, "g.csv", "2023年\n单位：元\n" + table.replace("2024", "2023"))
    assert report.loaded, report.problems  # the column's own unit changes nothing
