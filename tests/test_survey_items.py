"""The questionnaire's own items (queries/survey_items.sql), estimated as satisfaction is.

Two independent checks on a district built here with unequal weights, response counts and
populations, one community under min_n:

- the same answers loaded both as the fixed ``overall`` column and as an own item: the
  estimators are the same, so the item's mean, se, df and interval equal satisfaction's at
  every level;
- an item some respondents skipped, against the formulas of INDICATORS.md written out in
  pandas answer by answer (the satisfaction design with the skipped rows dropped, as R's
  ``svymean(..., na.rm = TRUE)``).
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from streamlit.testing.v1 import AppTest

from community_eval.core.standards import load_standards
from community_eval.db.store import Store
from community_eval.indicators import satisfaction, survey_items
from community_eval.indicators.filters import Filters
from community_eval.ingest.loader import Source, ingest
from community_eval.report import export
from tests.app_pages import english_words, visible_text
from tests.conftest import ROOT, database_from

YEAR = 2025
MIN_N = 10
TOLERANCE = 1e-9
COMMUNITIES = pd.DataFrame(
    {
        "community_id": ["C1", "C2", "C3", "C4"],
        "community_name": ["一号社区", "二号社区", "三号社区", "四号社区"],
        "district": ["测试区"] * 4,
        "street": ["东街道", "东街道", "西镇", "西镇"],
        "community_type": ["urban", "urban", "township", "urban"],
        "population": [4000, 12000, 6000, 3000],
        "households": [1500, 4200, 800, 1000],
    }
)
#: Responses per community this year (C2 under min_n) and last year (C1 only).
COUNTS = {"C1": 14, "C2": 6, "C3": 21, "C4": 11}
PREVIOUS = {"C1": 12}


def _district() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Survey rows and own-item answers: ``qa`` answered by all (and equal to ``overall``),
    ``qb`` skipped by about a third; weights and answers drawn from a fixed seed."""
    rng = np.random.default_rng(20250517)
    survey, answers = [], []
    for year, counts in ((YEAR, COUNTS), (YEAR - 1, PREVIOUS)):
        for community, count in counts.items():
            for i in range(count):
                rid = f"{community}-{year}-{i}"
                overall = int(rng.integers(1, 6))
                weight = float(rng.choice([0.5, 0.8, 1.0, 1.5, 2.5]))
                survey.append((rid, community, f"{year}-10-0{1 + i % 9}", overall, weight))
                answers.append((rid, "qa", float(overall)))
                if rng.random() > 0.35 or i < 2:  # at least two answers each: no lonely stratum
                    answers.append((rid, "qb", float(rng.integers(1, 6))))
    frame = pd.DataFrame(survey, columns=["response_id", "community_id", "survey_date", "overall", "weight"])
    frame["survey_date"] = pd.to_datetime(frame["survey_date"])
    return frame, pd.DataFrame(answers, columns=["response_id", "item_code", "value"])


QUESTIONS = pd.DataFrame(
    {
        "questionnaire": ["study", "study"],
        "item_code": ["qa", "qb"],
        "item_text": ["总体评价（自设）", "社区停车管理"],
        "theme": ["总体", None],
        "scale": ["1-5", "1-5"],
    }
)


def add_items(store: Store, questions: pd.DataFrame, answers: pd.DataFrame) -> None:
    """Own items stored as the survey load that brought them stores them: under its import id."""
    with store.writing(), store.cursor() as cur:
        import_id = cur.execute("select max(import_id) from meta.imports where table_name = 'survey'").fetchall()[0][0]
        for name, frame in (("questions", questions), ("survey_answers", answers)):
            cur.register("incoming", frame)
            columns = ", ".join(frame.columns)
            cur.execute(
                f"insert into stored.{name} ({columns}, import_id) select {columns}, $id from incoming",
                {"id": import_id},
            )
            cur.unregister("incoming")


@pytest.fixture(scope="module")
def district():
    survey, answers = _district()
    return survey, answers


@pytest.fixture(scope="module")
def store(tmp_path_factory, district):
    survey, answers = district
    path = database_from({"communities": COMMUNITIES, "survey": survey}, tmp_path_factory.mktemp("items"))
    opened = Store(path)
    add_items(opened, QUESTIONS, answers)
    yield opened
    opened.close()


def _items(store: Store, level: str, year: int = YEAR) -> pd.DataFrame:
    return survey_items.survey_items(store, Filters(), year, MIN_N, level=level)


@pytest.mark.parametrize("level", ["community", "street", "community_type", "all"])
def test_an_item_answered_by_all_equals_satisfaction_at_every_level(store, level):
    fixed = satisfaction.satisfaction(store, Filters(), YEAR, MIN_N, level=level).set_index("group_key")
    item = _items(store, level).query("item_code == 'qa'").set_index("group_key")
    assert sorted(item.index) == sorted(fixed.index)
    pairs = {"mean": "mean_overall", "se": "se", "df": "df", "ci_low": "ci_low", "ci_high": "ci_high"}
    for key in fixed.index:
        assert bool(item.at[key, "suppressed"]) == bool(fixed.at[key, "suppressed"]), key
        assert item.at[key, "n"] == fixed.at[key, "n"] and item.at[key, "n_counted"] == fixed.at[key, "n_counted"]
        for mine, theirs in pairs.items():
            expected = fixed.at[key, theirs]
            if pd.isna(expected):
                assert pd.isna(item.at[key, mine]), (key, mine)
            else:
                assert item.at[key, mine] == pytest.approx(expected, rel=TOLERANCE, abs=TOLERANCE), (key, mine)


def _expected_partial(survey: pd.DataFrame, answers: pd.DataFrame, groups: dict[str, str], rolled: bool):
    """INDICATORS.md's estimators for item ``qb``, answer by answer: per community, or ``rolled`` up
    into ``groups`` with w* = w · P_h / W_h (W_h the Σw of all the community's questionnaires)."""
    this_year = survey[survey["survey_date"].dt.year == YEAR].assign(w=lambda f: f["weight"])
    sizes = this_year.groupby("community_id").agg(survey_n=("w", "size"), sw_all=("w", "sum"))
    answered = this_year.merge(answers[answers["item_code"] == "qb"], on="response_id")
    answered = answered.merge(sizes, left_on="community_id", right_index=True)
    answered = answered.merge(COMMUNITIES[["community_id", "population"]], on="community_id")
    answered["group"] = answered["community_id"].map(groups)
    answered["w_star"] = answered["w"] * (answered["population"] / answered["sw_all"] if rolled else 1.0)
    rows = {}
    for group, frame in answered.groupby("group"):
        counted = frame[frame["survey_n"] >= MIN_N]
        if counted.empty:
            continue
        total = counted["w_star"].sum()
        mean = (counted["w_star"] * counted["value"]).sum() / total
        spread = 0.0
        for _, stratum in counted.groupby("community_id"):
            e = stratum["w_star"] * (stratum["value"] - mean)
            n_h = len(stratum)
            spread += n_h / (n_h - 1) * ((e - e.mean()) ** 2).sum()
        se = np.sqrt(spread) / total
        df = len(counted) - counted["community_id"].nunique()
        half = stats.t.ppf(0.975, df) * se
        rows[group] = {"mean": mean, "se": se, "df": df, "ci_low": mean - half, "ci_high": mean + half}
    return pd.DataFrame(rows).T


@pytest.mark.parametrize(
    ("level", "groups"),
    [
        ("community", {c: c for c in COUNTS}),
        ("street", {"C1": "测试区 · 东街道", "C2": "测试区 · 东街道", "C3": "测试区 · 西镇", "C4": "测试区 · 西镇"}),
        ("all", {c: "ALL" for c in COUNTS}),
    ],
)
def test_an_item_some_skipped_equals_the_formulas_answer_by_answer(store, district, level, groups):
    expected = _expected_partial(*district, groups, rolled=level != "community")
    actual = _items(store, level).query("item_code == 'qb'").set_index("group_key")
    shown = actual[~actual["suppressed"].astype(bool)]
    assert sorted(shown.index) == sorted(expected.index)
    for key, row in expected.iterrows():
        for column in ("mean", "se", "df", "ci_low", "ci_high"):
            assert shown.at[key, column] == pytest.approx(row[column], rel=TOLERANCE, abs=TOLERANCE), (key, column)


def test_a_community_under_min_n_is_withheld_and_in_no_total(store, district):
    rows = _items(store, "community").set_index(["group_key", "item_code"])
    hidden = rows.loc[("C2", "qa")]
    assert hidden["suppressed"] and hidden["n"] == COUNTS["C2"]
    assert all(pd.isna(hidden[c]) for c in ("mean", "se", "df", "ci_low", "ci_high", "change"))
    east = _items(store, "street").set_index(["group_key", "item_code"]).loc[("测试区 · 东街道", "qa")]
    assert (east["n"], east["n_counted"], east["n_withheld"]) == (
        COUNTS["C1"] + COUNTS["C2"],
        COUNTS["C1"],
        COUNTS["C2"],
    )
    survey, _ = district
    c1 = survey[(survey["community_id"] == "C1") & (survey["survey_date"].dt.year == YEAR)]
    assert east["mean"] == pytest.approx(np.average(c1["overall"], weights=c1["weight"]), rel=TOLERANCE)


def test_change_is_against_the_previous_years_mean(store, district):
    survey, answers = district
    before = survey[survey["survey_date"].dt.year == YEAR - 1].merge(answers, on="response_id")
    for item in ("qa", "qb"):
        rows = before[before["item_code"] == item]
        previous = np.average(rows["value"], weights=rows["weight"])
        now = _items(store, "community").set_index(["group_key", "item_code"]).loc[("C1", item)]
        assert now["mean_previous"] == pytest.approx(previous, rel=TOLERANCE)
        assert now["change"] == pytest.approx(now["mean"] - previous, rel=TOLERANCE)
    others = _items(store, "community").query("group_key != 'C1'")
    assert others["mean_previous"].isna().all() and others["change"].isna().all(), "no survey there last year"
    # last year's district is C1 alone, so the district's previous mean is C1's
    district_rows = _items(store, "all").set_index("item_code")
    c1_before = _items(store, "community", YEAR - 1).set_index(["group_key", "item_code"])
    assert district_rows.at["qa", "mean_previous"] == pytest.approx(c1_before.loc[("C1", "qa"), "mean"], rel=TOLERANCE)


def test_item_text_theme_and_scale_come_from_the_questions(store):
    row = _items(store, "all").set_index("item_code").loc["qa"]
    assert (row["item_text"], row["theme"], row["scale"]) == ("总体评价（自设）", "总体", "1-5")


def test_the_export_has_the_documented_columns_and_withholds_small_communities(store):
    frame = export.build(store, "survey_items", load_standards(), year=YEAR)
    assert list(frame.columns) == [
        "community_id",
        "item_code",
        "item_text",
        "theme",
        "scale",
        "n",
        "mean",
        "se",
        "ci_low",
        "ci_high",
        "mean_previous",
        "change",
        "suppressed",
    ]
    assert len(frame) == 2 * len(COUNTS)
    hidden = frame[frame["community_id"] == "C2"]
    assert hidden["suppressed"].all() and hidden[["mean", "se", "ci_low", "ci_high"]].isna().all().all()
    text = export.render(frame, "csv")
    assert text.splitlines()[0].startswith("community_id,item_code,item_text")


def test_the_distribution_counts_only_communities_shown_and_sums_to_one(store, district):
    shares = survey_items.survey_item_distribution(store, Filters(), YEAR, MIN_N)
    assert set(shares["item"]) == {"qa", "qb"}
    assert shares.groupby("item")["share"].sum().to_numpy() == pytest.approx([1.0, 1.0])
    survey, _ = district
    this_year = survey[survey["survey_date"].dt.year == YEAR]
    shown = this_year.groupby("community_id").filter(lambda f: len(f) >= MIN_N)
    assert shares.query("item == 'qa'")["n"].sum() == len(shown)
    # the fixed question's shares, weighted the same way, are the same shares
    fixed = satisfaction.satisfaction_distribution(store, Filters(), YEAR, MIN_N).query("item == 'overall'")
    mine = shares.query("item == 'qa'")
    assert mine["share"].to_numpy() == pytest.approx(fixed["share"].to_numpy(), rel=TOLERANCE)


def test_rescaled_items_have_no_five_answer_distribution(tmp_path):
    survey, answers = _district()
    path = database_from({"communities": COMMUNITIES, "survey": survey}, tmp_path)
    store = Store(path)
    try:
        rescaled = answers[answers["item_code"] == "qb"].assign(value=lambda f: 1 + 4 * (f["value"] - 0.7) / 5)
        add_items(store, QUESTIONS, pd.concat([answers[answers["item_code"] == "qa"], rescaled]))
        shares = survey_items.survey_item_distribution(store, Filters(), YEAR, MIN_N)
        assert set(shares["item"]) == {"qa"}
    finally:
        store.close()


def test_the_data_dictionary_lists_stored_questions(store, district):
    stored = survey_items.stored_questions(store).set_index("item_code")
    answers = district[1]
    assert list(stored.index) == ["qa", "qb"]  # themed first, then by text
    assert stored.at["qb", "answers"] == int((answers["item_code"] == "qb").sum())
    assert stored.at["qa", "questionnaire"] == "study" and pd.isna(stored.at["qb", "theme"])


def test_a_store_without_items_has_none(empty_store):
    assert survey_items.stored_questions(empty_store).empty


# ---- the satisfaction page ----------------------------------------------------------------

WJX_HEADER = (
    "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您所在的社区是？,4、您对社区服务的总体满意度是？,"
    "7、您对社区垃圾分类工作的满意度,8、(社区停车管理)\n"
)
WJX_ANSWERS = ("非常满意", "满意", "一般", "不满意", "非常不满意")


def _wjx_csv(rows: int) -> bytes:
    lines = [
        f"{i},2025/5/12 10:23:45,125秒,手机提交,直接访问,1.2.3.4,红光社区,满意,"
        f"{WJX_ANSWERS[i % 5]},{WJX_ANSWERS[(i * 2) % 5]}\n"
        for i in range(1, rows + 1)
    ]
    return (WJX_HEADER + "".join(lines)).encode("utf-8")


@pytest.fixture(scope="module")
def sample_with_items(sample_db, tmp_path_factory) -> str:
    """The sample district plus a 问卷星 export with two own questions, loaded the real way."""
    path = tmp_path_factory.mktemp("wjx") / "with_items.duckdb"
    shutil.copyfile(sample_db, path)
    store = Store(str(path))
    try:
        (report,) = ingest(store, [Source("wjx.csv", _wjx_csv(12))])
        assert report.loaded, report.problems[:3]
    finally:
        store.close()
    return str(path)


def _page(db: str, monkeypatch, lang: str) -> AppTest:
    monkeypatch.setenv("COMMUNITY_EVAL_DB", db)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["year"] = str(YEAR)
    return at.run().switch_page("pages/satisfaction.py").run()


def _chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_shows_the_own_questions_section_when_there_are_items(sample_with_items, monkeypatch, lang):
    at = _page(sample_with_items, monkeypatch, lang)
    assert not at.exception, [e.message for e in at.exception]
    title = {"zh": "问卷自设题目", "en": "The questionnaire's own questions"}[lang]
    assert title in [s.value for s in at.subheader]
    means = {"zh": "自设题目平均分及 95% 区间", "en": "Own questions: means with 95% intervals"}[lang]
    answers = {"zh": "自设题目的回答分布", "en": "Own questions: answers"}[lang]
    titles = _chart_titles(at)
    assert any(t.startswith(means) for t in titles) and any(t.startswith(answers) for t in titles), titles
    if lang == "zh":
        assert not english_words(visible_text(at)), english_words(visible_text(at))


def test_the_page_has_no_such_section_without_items(sample_db, monkeypatch):
    at = _page(sample_db, monkeypatch, "zh")
    assert not at.exception
    assert "问卷自设题目" not in [s.value for s in at.subheader]
    assert not any(t.startswith("自设题目") for t in _chart_titles(at))
