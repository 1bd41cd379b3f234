"""Chinese names in pinyin order, as Chinese lists print them: the sidebar's streets and
communities, chart categories, and ties in a ranking. Expected orders are written by hand
(the sample district's streets) or computed here with pypinyin's own reading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypinyin import Style, lazy_pinyin

from community_eval.core import collation
from community_eval.db.store import Store
from community_eval.figures import charts
from community_eval.indicators import overview

ROOT = Path(__file__).resolve().parent.parent
COMMUNITIES = pd.read_csv(ROOT / "sample_data" / "communities.csv")

#: The sample district's 19 streets and towns as a list of them is printed: 长埫口 Chángtǎngkǒu,
#: 陈场 Chénchǎng, 豆河 Dòuhé … 郑场 Zhèngchǎng (by letters, then tone, syllable by syllable).
STREETS = [
    "长埫口镇",
    "陈场镇",
    "豆河镇",
    "干河街道",
    "工业园区",
    "郭河镇",
    "胡场镇",
    "龙华山街道",
    "毛嘴镇",
    "沔城回族镇",
    "彭场镇",
    "三伏潭镇",
    "沙湖镇",
    "沙嘴街道",
    "通海口镇",
    "西流河镇",
    "杨林尾镇",
    "张沟镇",
    "郑场镇",
]


def test_the_sample_districts_streets_read_in_pinyin_order():
    assert sorted(COMMUNITIES["street"].unique()) != STREETS, "character code order is another order"
    assert collation.by_pinyin(COMMUNITIES["street"].unique()) == STREETS


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("长沙", "常州"),  # cháng shā before cháng zhōu: the first syllables tie, the second decides
        ("长春", "张家口"),  # 长 is cháng in a place name, not zhǎng
        ("重庆", "中山"),  # chóng before zhōng
        ("西安", "厦门"),  # xī ān before xià mén: a syllable before a longer one it begins
        ("朝阳社区", "陈湾社区"),  # 朝阳 is cháo yáng, not zhāo
        ("沙湖镇", "沙嘴街道"),
        ("妈", "马"),  # same letters: the tone decides (mā before mǎ)
    ],
)
def test_known_names_in_pinyin_order(first, then):
    assert collation.by_pinyin([then, first]) == [first, then]


def test_missing_names_come_first_and_other_scripts_stay_in_the_order():
    assert collation.by_pinyin(["郑场", None, "", "Abc社区"]) == [None, "", "Abc社区", "郑场"]


def pypinyin_order(names: list[str]) -> list[str]:
    """An independent pinyin order: pypinyin's syllables compared as lists, 长埫口 read as the place is."""

    def key(name: str) -> list[str]:
        return lazy_pinyin(name.replace("长埫口", "常躺口"), style=Style.TONE3)  # 常躺口: cháng tǎng kǒu

    return sorted(names, key=lambda name: (key(name), name))


def test_the_sidebar_and_the_profile_offer_communities_in_pinyin_order(sample_db):
    store = Store(sample_db)
    try:
        options = overview.filter_options(store)
    finally:
        store.close()
    names = list(options["community_name"])
    assert names == pypinyin_order(list(COMMUNITIES["community_name"]))
    assert names[:3] == ["曹家社区", "柴河社区", "长埫口社区"]


def test_a_ranking_stays_by_value_and_breaks_ties_by_pinyin():
    frame = pd.DataFrame({"v": [2.0, 1.0, 2.0, 2.0, 3.0], "n": ["郑场镇", "豆河镇", "长埫口镇", "张沟镇", "陈场镇"]})
    ranked = collation.sort_frame(frame, ["v", "n"], ascending=[False, True], names={"n"})
    assert list(ranked["n"]) == ["陈场镇", "长埫口镇", "张沟镇", "郑场镇", "豆河镇"]


def bars(frame: pd.DataFrame, **options):
    return charts.ranked_bars(frame, "n", "v", title="t", value_title="x", label_title="y", kind="int", **options)


def top_down(figure) -> list[str]:
    """A horizontal bar chart's rows as read from the top (plotly draws the last row highest)."""
    return list(figure.data[0].y)[::-1]


def test_bars_with_equal_values_read_in_pinyin_order_from_the_top():
    frame = pd.DataFrame({"n": ["郑场镇", "豆河镇", "长埫口镇", "张沟镇", "陈场镇"], "v": [5, 1, 5, 5, 9]})
    assert top_down(bars(frame)) == ["陈场镇", "长埫口镇", "张沟镇", "郑场镇", "豆河镇"]
    assert top_down(bars(frame, limit=2)) == ["陈场镇", "长埫口镇"], "the tie at the cut goes by pinyin too"
    assert top_down(bars(frame, smallest=True, limit=3)) == ["豆河镇", "长埫口镇", "张沟镇"]


def test_dots_with_equal_means_read_in_pinyin_order_from_the_top():
    frame = pd.DataFrame({"n": ["长埫口镇", "豆河镇", "郑场镇"], "m": [4.0, 3.0, 4.0], "lo": 3.0, "hi": 5.0})
    figure = charts.dot_whisker(frame, "n", "m", "lo", "hi", title="t", value_title="x", label_title="y")
    assert list(figure.data[0].y)[::-1] == ["长埫口镇", "郑场镇", "豆河镇"]


def test_stacked_bars_list_their_rows_in_pinyin_order_from_the_top():
    rng = np.random.default_rng(3)
    streets = list(COMMUNITIES["street"].unique())
    frame = pd.DataFrame(
        [(street, part, rng.uniform(1, 9)) for street in streets for part in ("a", "b")], columns=["n", "part", "v"]
    )
    parts = {"a": "甲", "b": "乙"}
    figure = charts.stacked_bars(
        frame, "n", "v", "part", title="t", value_title="x", label_title="y", kind="int", part_names=parts
    )
    # plotly lays a category array out from the bottom up
    assert list(figure.layout.yaxis.categoryarray)[::-1] == STREETS


def test_the_sidebar_offers_streets_and_communities_in_pinyin_order(sample_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COMMUNITY_EVAL_DB", sample_db)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    assert at.selectbox(key="f_street").options == STREETS
    communities = at.selectbox(key="f_community").options
    assert communities == pypinyin_order(list(COMMUNITIES["community_name"]))


def test_pypinyin_is_loaded_when_a_name_is_first_sorted_not_on_import():
    """Its phrase dictionary takes 0.2 s; the command line's ingest imports no sorting (issue 20)."""
    code = (
        "import sys; from community_eval.core import collation; before = 'pypinyin' in sys.modules; "
        "collation.by_pinyin(['郑场', '陈场']); print(before, 'pypinyin' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["False", "True"], result.stdout + result.stderr
