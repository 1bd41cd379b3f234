"""What Excel and survey platforms do to files, repaired with a notice or refused: the loader's
side of it, on small files whose meaning is written out by hand."""

from __future__ import annotations

import pytest

from community_eval.core.i18n import Translator
from community_eval.ingest.load_report import report_lines
from community_eval.ingest.loader import Source, ingest

COMMUNITIES = (
    "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n"
    "0728001,青山社区,区,街,纯社区,1000,300\n"
    "0728002,绿水社区,区,街,纯社区,1000,300\n"
    "429004001001,红光社区,区,街,纯社区,1000,300\n"
    "429004001002,红星社区,区,街,纯社区,1000,300\n"
)
STAFF_HEAD = "人员编号,社区编码,职务,专兼职,入职日期\n"


def _load(store, files: dict[str, str], **options):
    sources = [Source(name, text.encode("utf-8")) for name, text in files.items()]
    return ingest(store, sources, **options)


@pytest.fixture
def district(empty_store):
    (report,) = _load(empty_store, {"c.csv": COMMUNITIES})
    assert report.loaded, report.problems
    return empty_store


def _stored(store, sql: str) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute(sql).fetchall()


def test_a_code_without_its_leading_zero_matches_the_one_code_it_can_be(district):
    (report,) = _load(
        district, {"s.csv": STAFF_HEAD + "S1,728001,书记,专职,2020-01-01\nS2,0728002,委员,专职,2020-01-01\n"}
    )
    assert report.loaded, report.problems
    assert [(n.key, n.column, n.count) for n in report.notices] == [("zeros_restored", "community_id", 1)]
    assert _stored(district, "select staff_id, community_id from staff order by 1") == [
        ("S1", "0728001"),
        ("S2", "0728002"),
    ]


def test_a_code_in_scientific_notation_is_read_by_the_name_beside_it_or_refused(district):
    named = "人员编号,社区编码,社区名称,职务,专兼职,入职日期\nS1,4.29004E+11,红光社区,书记,专职,2020-01-01\n"
    (report,) = _load(district, {"s.csv": named})
    assert report.loaded, report.problems
    assert report.helpers == {"社区名称": "community_id"}
    assert _stored(district, "select community_id from staff") == [("429004001001",)]
    # Two communities could have been 4.29004E+11: without a name nothing can say which.
    (report,) = _load(district, {"s.csv": STAFF_HEAD + "S2,4.29004E+11,书记,专职,2020-01-01\n"})
    assert not report.loaded
    assert [(p.row, p.column, p.value, p.reason) for p in report.problems] == [
        (2, "community_id", "4.29004E+11", "excel_scientific_code")
    ]


def test_a_name_that_names_two_communities_decides_nothing(district):
    (report,) = _load(
        district, {"c.csv": "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nX1,红光社区,区,街,村,1,1\n"}
    )
    assert report.loaded
    named = "人员编号,社区编码,社区名称,职务,专兼职,入职日期\nS1,4.29004E+11,红光社区,书记,专职,2020-01-01\n"
    (report,) = _load(district, {"s.csv": named})
    assert [p.reason for p in report.problems] == ["excel_scientific_code"]


SURVEY = (
    "序号,提交答卷时间,所用时间,来源,社区编码,调查日期,总体满意度,环境卫生\n"
    "1,2024/5/1 10:00:00,125秒,手机提交,0728001,2024-05-01,1,2\n"
    "2,2024/5/1 10:05:00,98秒,手机提交,0728001,2024-05-01,2,5\n"
    "3,2024/5/1 10:09:00,80秒,链接,0728002,2024-05-01,4,非常满意\n"
)


def test_answer_codes_of_a_platform_export_wait_for_their_direction(district):
    (report,) = _load(district, {"q.csv": SURVEY})
    assert not report.loaded
    assert [p.reason for p in report.problems] == ["likert_direction_unknown"]
    assert report.likert_codes == {"1": 1, "2": 2, "4": 1, "5": 1}
    assert _stored(district, "select count(*) from survey") == [(0,)]
    lines = report_lines(Translator("en"), report)
    assert any("1 × 1、2 × 2、4 × 1、5 × 1" in line for line in lines), lines


def test_high_first_turns_codes_into_scores_and_leaves_words_alone(district):
    (report,) = _load(district, {"q.csv": SURVEY}, likert_order="high-first")
    assert report.loaded, report.problems
    assert [(n.key, n.count) for n in report.notices] == [("likert_turned", 5)]
    # 1 -> 5, 2 -> 4, 4 -> 2; 2 -> 4, 5 -> 1; the word 非常满意 stays 5.
    assert _stored(district, "select overall, environment from survey order by overall desc") == [
        (5, 4),
        (4, 1),
        (2, 5),
    ]


def test_low_first_reads_codes_as_scores(district):
    (report,) = _load(district, {"q.csv": SURVEY}, likert_order="low-first")
    assert report.loaded, report.problems
    assert _stored(district, "select overall, environment from survey order by overall") == [(1, 2), (2, 5), (4, 5)]


def test_numbers_in_our_own_survey_template_are_scores_already(district):
    own = "社区编码,调查日期,总体满意度\n0728001,2024-05-01,1\n0728001,2024-05-01,5\n"
    (report,) = _load(district, {"q.csv": own})
    assert report.loaded and not report.notices
    assert _stored(district, "select overall from survey order by 1") == [(1,), (5,)]


def test_replacing_communities_that_others_refer_to_is_refused_with_counts(district):
    _load(district, {"s.csv": STAFF_HEAD + "S1,0728001,书记,专职,2020-01-01\nS2,0728002,委员,专职,2020-01-01\n"})
    partial = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n0728001,青山社区,区,街,纯社区,1000,300\n"
    (report,) = _load(district, {"c.csv": partial}, mode="replace")
    assert not report.loaded
    (problem,) = report.problems
    assert (problem.reason, problem.params["counts"], problem.params["rows"]) == ("replace_orphans", {"staff": 1}, 1)
    assert _stored(district, "select count(*) from communities") == [(4,)]
    text = "\n".join(report_lines(Translator("zh"), report))
    assert "社区工作者 1" in text and "staff" not in text.split("\n", 1)[1], text


def test_replacing_communities_with_the_tables_that_refer_to_them_is_allowed(district):
    _load(district, {"s.csv": STAFF_HEAD + "S1,0728001,书记,专职,2020-01-01\nS2,0728002,委员,专职,2020-01-01\n"})
    partial = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n0728001,青山社区,区,街,纯社区,1000,300\n"
    staff = STAFF_HEAD + "S1,0728001,书记,专职,2020-01-01\n"
    reports = _load(district, {"c.csv": partial, "s.csv": staff}, mode="replace")
    assert all(r.loaded for r in reports), [r.problems for r in reports]
    assert _stored(district, "select staff_id from staff") == [("S1",)]


def test_a_value_for_a_column_the_file_has_is_not_used_and_the_report_says_so(empty_store):
    (report,) = _load(empty_store, {"c.csv": COMMUNITIES}, set_values={"district": "仙桃市"})
    assert report.loaded
    assert [(n.key, n.column) for n in report.notices] == [("set_not_used", "district")]
    assert _stored(empty_store, "select distinct district from communities") == [("区",)]


def test_a_value_given_for_a_missing_column_is_checked_like_a_cell(empty_store):
    text = "社区编码,社区名称,区县,街道,社区类型,户数\nA1,甲,区,街,村,1\n"
    (report,) = _load(empty_store, {"c.csv": text}, set_values={"常住人口": "很多"})
    assert not report.loaded
    assert [(p.reason, p.column, p.value) for p in report.problems] == [("set_value_invalid", "population", "很多")]
    (report,) = _load(empty_store, {"c.csv": text}, set_values={"常住人口": "1,200"})
    assert report.loaded, report.problems
    assert _stored(empty_store, "select population from communities") == [(1200,)]


def test_a_big_csv_with_a_unit_in_a_header_takes_the_careful_path_and_is_converted(district):
    """The DuckDB fast path takes only plain files: a unit to convert sends a 6,000-row file to Python."""
    rows = "".join(f"0728001,2020-{m:02d},民政,台账,1,{15 * (i % 8)},是,否\n" for i in range(500) for m in range(1, 13))
    text = "社区编码,月份,部门,事项类别,事项数,耗时（分钟）,是否准入,费随事转\n" + rows
    (report,) = _load(district, {"t.csv": text})
    assert report.loaded, report.problems[:3]
    assert report.conversions == {"耗时（分钟）": "÷60"}
    expected = sum(15 * (i % 8) for i in range(500)) * 12 / 60
    assert _stored(district, "select count(*), sum(hours) from tasks") == [(6000, expected)]
