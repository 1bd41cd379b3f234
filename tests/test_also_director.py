"""一肩挑 (also_director): the staff column, its one rule, the templates and the sample district.

The bulk path's parity for the rule is in test_bulk.py (cases ``staff_also_director*``);
the indicator against its definition is in test_staff_turnover.py.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from community_eval.core.i18n import Translator
from community_eval.core.schema import TABLES
from community_eval.core.standards import load_standards
from community_eval.db.store import Store
from community_eval.ingest import templates
from community_eval.ingest.loader import Source, ingest
from community_eval.report import export

COMMUNITIES = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nA1,甲社区,测试区,一街道,纯社区,4000,1500\n"


def staff_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["人员编号", "社区编码", "职务", "专兼职", "入职日期", "书记主任一肩挑"])
    writer.writerows(rows)
    return out.getvalue().encode()


def load(store: Store, rows: list[list[str]], **options) -> object:
    reports = ingest(store, [Source("c.csv", COMMUNITIES.encode()), Source("s.csv", staff_csv(rows))], **options)
    assert reports[0].loaded, reports[0].problems
    return reports[1]


def test_the_column_sits_where_the_contract_lists_it():
    staff = TABLES["staff"]
    names = list(staff.column_names)
    assert names.index("also_director") == names.index("education") + 1 == names.index("certified_social_worker") - 1
    column = staff.column("also_director")
    assert column.kind.value == "bool" and not column.required and column.default is False
    assert column.aliases == ("一肩挑", "兼任主任", "书记主任一肩挑")


def test_only_a_secretary_may_also_be_director(empty_store):
    report = load(
        empty_store,
        [
            ["P1", "A1", "书记", "专职", "2016-03-01", "是"],
            ["P2", "A1", "主任", "专职", "2016-03-01", "是"],  # a director is not 一肩挑
            ["P3", "A1", "委员", "兼职", "2018-01-01", "否"],
            ["P4", "A1", "秘书", "专职", "2018-01-01", "是"],  # the role is unreadable: that is the problem
            ["P5", "A1", "副书记", "专职", "2018-01-01", ""],
        ],
    )
    assert not report.loaded
    got = [(p.reason, p.row, p.column, p.value) for p in report.problems]
    assert got == [
        ("also_director_not_secretary", 3, "also_director", "是"),
        ("not_in_enum", 5, "role", "秘书"),
    ]


def test_a_blank_cell_or_a_missing_column_is_false(empty_store):
    report = load(
        empty_store, [["P1", "A1", "书记", "专职", "2016-03-01", "是"], ["P2", "A1", "委员", "兼职", "2018-01-01", ""]]
    )
    assert report.loaded, report.problems
    with empty_store.cursor() as cur:
        stored = dict(cur.execute("select staff_id, also_director from staff order by staff_id").fetchall())
    assert stored == {"P1": True, "P2": False}


@pytest.mark.parametrize("maker", [templates.template_csv, templates.template_xlsx])
def test_the_staff_template_carries_the_column_and_loads(empty_store, maker):
    name = "staff.csv" if maker is templates.template_csv else "staff.xlsx"
    communities = Source("communities.csv", templates.template_csv(TABLES["communities"]))
    reports = ingest(empty_store, [communities, Source(name, maker(TABLES["staff"]))])
    assert all(r.loaded for r in reports), [r.problems for r in reports]
    assert "一肩挑（also_director）" in templates.template_frame(TABLES["staff"]).columns
    with empty_store.cursor() as cur:
        stored = cur.execute("select role, also_director from staff order by staff_id").fetchall()
    assert stored == [("secretary", True), ("member", False)]


@pytest.mark.parametrize(("lang", "words"), [("zh", "仅限职务为书记"), ("en", "only for a secretary")])
def test_the_dictionary_states_the_rule(lang, words):
    tr = Translator(lang)
    frame = templates.dictionary(tr, TABLES["staff"]).set_index(tr("dictionary.column"))
    rule = frame.loc["also_director", tr("dictionary.rule")]
    assert words in rule and frame.loc["also_director", tr("dictionary.aliases")] == "一肩挑、兼任主任、书记主任一肩挑"


def test_the_sample_district_has_32_of_79_communities_with_one_person_in_both_posts(sample_db):
    store = Store(sample_db)
    try:
        frame = export.build(store, "staff_turnover", load_standards(), 2025)
    finally:
        store.close()
    communities = frame[frame["community_id"] != "ALL"]
    assert len(communities) == 79 and set(communities["joint_secretary_director"]) == {0.0, 1.0}
    assert communities["joint_secretary_director"].sum() == 32
    total = frame.set_index("community_id").loc["ALL", "joint_secretary_director"]
    assert total == pytest.approx(32 / 79)
    assert list(frame.columns)[-1] == "joint_secretary_director"
    assert pd.api.types.is_float_dtype(frame["joint_secretary_director"])
