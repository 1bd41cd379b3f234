"""The community profile: its numbers against pandas, its sentences, and how it is reached.

Positions and medians are recomputed with pandas from the theme indicators' community rows
(themselves checked against the raw rows in each indicator's test file); trends straight from the
hand-made district's rows. The page is checked through AppTest on the sample district:
by URL in both languages, with no community (a picker), from a table link and from a
chart click (AppTest cannot click a plotly point, so the click's callback and the switch
it asks for are checked apart).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from community_eval.app import community_profile_page, view_state
from community_eval.app.community_profile_page import point_line, quarter_text
from community_eval.core.i18n import Translator
from community_eval.core.standards import load_standards
from community_eval.db.store import Store
from community_eval.figures import charts
from community_eval.indicators import (
    assessment,
    community_profile,
    facility_compliance,
    satisfaction,
    staff_turnover,
    task_burden,
)
from community_eval.indicators.community_profile import (
    MEASURES,
    MIN_RANKED,
    measure_standards,
    needing_attention,
    strengths_and_weaknesses,
)
from community_eval.indicators.filters import Filters
from community_eval.report import export
from tests.app_pages import ENTRY, english_words, visible_text

YEAR = 2025
DISTRICT = "测试区"
COMMUNITIES = ("C1", "C2", "C3", "C4")
ADMIN = {"administrative", "inspection", "ledger", "certificate"}


@pytest.fixture
def standards():
    return load_standards()


def district_values(store, standards, profile) -> pd.DataFrame:
    """Every measure of every community of the district, wide, from the theme indicators."""
    filters = Filters(district=DISTRICT)
    burden = task_burden.task_burden(store, filters, YEAR).set_index("group_key")
    happy = satisfaction.satisfaction(store, filters, YEAR, standards.min_n).set_index("group_key")
    rooms = facility_compliance.facility_compliance(store, filters, YEAR, profile).set_index("community_id")
    people = staff_turnover.staff_turnover(store, filters, YEAR, standards).set_index("group_key")
    seats = staff_turnover.staffing_by_community(store, filters, YEAR, standards, profile.key).set_index("community_id")
    wide = pd.DataFrame(index=pd.Index(COMMUNITIES, name="community_id"))
    for column in ("admin_hours_share", "unadmitted_share", "tasks_per_staff"):
        wide[column] = burden[column]
    wide["mean_overall"] = happy["mean_overall"]
    wide["rules_passed_share"] = rooms["rules_passed"] / rooms["rules_applicable"].where(rooms["rules_applicable"] > 0)
    wide["area_per_100_households"] = rooms["area_per_100_households"]
    wide["budget_per_100_households"] = rooms["budget_per_100_households"]
    for column in ("turnover_rate", "headcount_end", "pay_to_reference"):
        wide[column] = people[column]
    wide["seat_gap"] = seats["seat_gap"]
    return wide.astype(float)


def expected_position(values: pd.Series, community: str, better: str | None) -> dict[str, object]:
    """Median over the communities with a value; rank 1 = best, ties share the better rank."""
    known = values.dropna()
    expected = {"value": values.get(community), "district_median": known.median() if len(known) else None}
    if better is None or len(known) < MIN_RANKED or pd.isna(values.get(community)):
        return {**expected, "rank": None, "n_ranked": None, "position": None}
    goodness = known if better == "higher" else -known
    rank = int(goodness.rank(method="min", ascending=False)[community])
    return {**expected, "rank": rank, "n_ranked": len(known), "position": (len(known) - rank) / (len(known) - 1)}


def same(actual, expected) -> bool:
    if expected is None or pd.isna(expected):
        return actual is None or pd.isna(actual)
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-12)


# ---- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("profile_key", ["seed_2016", "national_2021"])
def test_positions_match_pandas(known_store, standards, profile_key):
    profile = standards.profile(profile_key)
    wide = district_values(known_store, standards, profile)
    for community in COMMUNITIES:
        positions = community_profile.profile_positions(known_store, community, YEAR, standards, profile)
        actual = positions.set_index("measure")
        assert list(actual.index) == [m.name for m in MEASURES]
        for measure in MEASURES:
            expected = expected_position(wide[measure.name], community, measure.better)
            for column, value in expected.items():
                assert same(actual.at[measure.name, column], value), (community, measure.name, column)


def test_positions_by_hand(known_store, standards):
    """C1 on paper: 41.5 of 63.5 hours administrative, the most of the three with tasks (C3 has 0 %)."""
    rows = community_profile.profile_positions(known_store, "C1", YEAR, standards, standards.profile("seed_2016"))
    admin = rows.set_index("measure").loc["admin_hours_share"]
    assert admin["value"] == pytest.approx(41.5 / 63.5)
    assert admin["district_median"] == pytest.approx(0.52)  # C2: 13 administrative hours of 25
    assert (admin["rank"], admin["n_ranked"], admin["position"]) == (3, 3, 0.0)
    assert quarter_text(Translator("zh"), admin) == "，属全区最高的四分之一"  # highest share: the worst quarter


def test_standards_follow_the_profile(known_store, standards):
    seed = measure_standards(standards, standards.profile("seed_2016"))
    assert seed["area_per_100_households"][0] == 20 and seed["budget_per_100_households"][0] == 2000
    assert seed["seat_gap"][0] == 0 and "3+X" in seed["seat_gap"][1]["zh"]
    national = measure_standards(standards, standards.profile("national_2021"))
    assert national["area_per_100_households"][0] == 30 and "budget_per_100_households" not in national
    rows = community_profile.profile_positions(known_store, "C2", YEAR, standards, standards.profile("seed_2016"))
    budget = rows.set_index("measure").loc["budget_per_100_households"]
    assert budget["standard"] == 2000 and not budget["meets_standard"]  # 50,000 yuan for 4,200 households
    assert "000" in budget["standard_source"]["zh"]


def test_strongest_and_weakest_points(known_store, standards):
    profile = standards.profile("seed_2016")
    wide = district_values(known_store, standards, profile)
    order = [m.name for m in MEASURES]
    for community in COMMUNITIES:
        positions = community_profile.profile_positions(known_store, community, YEAR, standards, profile)
        strong, weak = strengths_and_weaknesses(positions)
        placed = {
            m.name: expected_position(wide[m.name], community, m.better)["position"]
            for m in MEASURES
            if expected_position(wide[m.name], community, m.better)["position"] is not None
        }
        best = sorted((m for m in placed if placed[m] > 0.5), key=lambda m: (-placed[m], order.index(m)))[:3]
        worst = sorted((m for m in placed if placed[m] < 0.5), key=lambda m: (placed[m], order.index(m)))[:3]
        assert list(strong["measure"]) == best, community
        assert list(weak["measure"]) == worst, community


def test_points_are_limited_and_ordered():
    positions = pd.DataFrame(
        {
            "measure": [m.name for m in MEASURES],
            "position": [1.0, 0.9, 0.9, 0.5, None, 0.1, 0.0, 0.2, None, 0.8, 0.0],
        }
    )
    strong, weak = strengths_and_weaknesses(positions, limit=3)
    assert list(strong["measure"]) == ["admin_hours_share", "unadmitted_share", "tasks_per_staff"]
    assert list(weak["measure"]) == ["budget_per_100_households", "pay_to_reference", "area_per_100_households"]
    none_strong, _ = strengths_and_weaknesses(positions.assign(position=0.5))
    assert none_strong.empty


def weighted_mean(frame: pd.DataFrame) -> float:
    w = frame["weight"].fillna(1.0)
    return float((w * frame["overall"]).sum() / w.sum())


def turnover(staff: pd.DataFrame, year: int) -> float | None:
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    at_start = ((staff["hire_date"] < start) & (staff["exit_date"].isna() | (staff["exit_date"] >= start))).sum()
    at_end = ((staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))).sum()
    left = (staff["exit_date"].dt.year == year).sum()
    return left / ((at_start + at_end) / 2) if at_start + at_end else None


def test_trends_match_pandas(known_store, known_frames):
    min_n = 3
    survey, tasks, staff = known_frames["survey"], known_frames["tasks"], known_frames["staff"]
    expected: dict[tuple[str, int], dict[str, float | None]] = {}
    for (community, year), group in survey.groupby(["community_id", survey["survey_date"].dt.year]):
        expected.setdefault(("mean_overall", year), {})[community] = (
            weighted_mean(group) if len(group) >= min_n else None
        )
    for (community, year), group in tasks.groupby(["community_id", tasks["period"].dt.year]):
        hours = group["hours"].sum()
        admin = group.loc[group["task_category"].isin(ADMIN), "hours"].sum()
        expected.setdefault(("admin_hours_share", year), {})[community] = admin / hours if hours else None
    for year in range(staff["hire_date"].dt.year.min() + 1, YEAR + 1):
        for community, group in staff.groupby("community_id"):
            expected.setdefault(("turnover_rate", year), {})[community] = turnover(group, year)
    actual = community_profile.profile_trends(known_store, "C1", YEAR, min_n).set_index(["measure", "year"])
    wanted = {key: values for key, values in expected.items() if any(v is not None for v in values.values())}
    assert set(actual.index) == set(wanted)
    for key, values in wanted.items():
        known = pd.Series(values, dtype=float).dropna()
        assert same(actual.at[key, "value"], values.get("C1")), key
        assert same(actual.at[key, "district_median"], known.median()), key
        assert actual.at[key, "n_communities"] == len(known), key


def test_trends_carry_the_counts_behind_turnover(known_store):
    """By hand from the staff listing of conftest.py.

    C1 2025: P02 (left 1 Jan) and P03 (hired and gone in the year) left; in post on 1 Jan
    P01, P02 and on 31 Dec P01, P04: 2 left, 2 on average. C3 2025: P10 left; 3 at the
    start (P09–P11), 2 at the end: 1 left, 2.5 on average. C2 2024: P07 left on 31 Dec;
    P05–P07 at the start, P05, P06, P08 at the end: 1 left, 3 on average.
    """
    for community, year, left, average in (("C1", 2025, 2, 2.0), ("C3", 2025, 1, 2.5), ("C2", 2024, 1, 3.0)):
        rows = community_profile.profile_trends(known_store, community, YEAR, 3).set_index(["measure", "year"])
        row = rows.loc[("turnover_rate", year)]
        assert (row["separations"], row["average_headcount"]) == (left, average), (community, year)
        assert row["value"] == pytest.approx(left / average)
        assert rows.loc["mean_overall", "separations"].isna().all()


def test_the_communities_most_needing_attention_are_the_lowest_rated(known_store, standards):
    """C2 and C4 lack satisfaction (weight 0.4): unrated, so never named, though C2's partial
    composite is the district's lowest."""
    scores = assessment.assessment(
        known_store, Filters(district=DISTRICT), YEAR, standards, standards.profile("seed_2016")
    )
    assert set(scores.loc[~scores["rated"], "community_id"]) == {"C2", "C4"}
    assert scores.set_index("community_id")["composite"].idxmin() == "C2"
    rated = scores[scores["rated"]].sort_values("composite")
    assert list(needing_attention(scores)["community_id"]) == list(rated["community_id"]) == ["C3", "C1"]
    assert list(needing_attention(scores, limit=1)["community_id"]) == ["C3"]


def test_assessment_rank_is_counted_in_the_district(known_store, standards):
    profile = standards.profile("seed_2016")
    everyone = assessment.assessment(known_store, Filters(district=DISTRICT), YEAR, standards, profile)
    row = community_profile.profile_assessment(known_store, "C3", YEAR, standards, profile).iloc[0]
    mine = everyone.set_index("community_id").loc["C3"]
    assert row["rank"] == mine["rank"] and row["composite"] == pytest.approx(mine["composite"])
    assert row["n_ranked"] == everyone["rank"].notna().sum()


# ---- words -----------------------------------------------------------------------------------


def test_a_point_in_plain_words():
    row = pd.Series(
        {
            "measure": "mean_overall",
            "kind": "mean",
            "better": "higher",
            "value": 4.21,
            "diff_from_median": 0.4,
            "rank": 3,
            "n_ranked": 79,
            "position": 76 / 78,
        }
    )
    assert point_line(Translator("zh"), row) == (
        "总体满意度 4.21 分，高于全区中位数 0.40 分，排名第 3/79，属全区最高的四分之一"
    )
    admin = row.copy()
    admin.update({"measure": "admin_hours_share", "kind": "share", "better": "lower", "value": 0.62})
    admin.update({"diff_from_median": 0.05, "rank": 70, "position": 9 / 78})
    assert point_line(Translator("zh"), admin) == (
        "行政事务工时占比 62.0%，高于全区中位数 5.0 个百分点，排名第 70/79，属全区最高的四分之一"
    )
    assert point_line(Translator("en"), admin) == (
        "Administrative share of hours 62.0%, 5.0 pp above the district median, ranked 70 of 79, "
        "in the district's highest quarter"
    )


def test_a_turnover_above_100_percent_is_explained_with_its_counts():
    rows = pd.DataFrame(
        {
            "year": [2015, 2016, 2017],
            "value": [5 / 4, 4 / 3.5, 0.2],
            "separations": [5, 4, 1],
            "average_headcount": [4.0, 3.5, 5.0],
        }
    )
    zh, en = Translator("zh"), Translator("en")
    assert community_profile_page.turnover_over_text(zh, rows).startswith(
        "2015年、2016年流失率超过 100%：当年离职的人多于平均在岗的人"
        "（2015年离职 5 人，平均在岗 4 人；2016年离职 4 人，平均在岗 3.5 人）。"
    )
    assert community_profile_page.turnover_over_text(en, rows).startswith(
        "Turnover passed 100 % in 2015, 2016: more people left than were in post on average "
        "(2015: 5 left, 4 in post on average; 2016: 4 left, 3.5 in post on average)."
    )
    assert community_profile_page.turnover_over_text(zh, rows.iloc[2:]) is None
    assert community_profile_page.turnover_notes(zh, rows) == [
        "离职 5 人，平均在岗 4 人",
        "离职 4 人，平均在岗 3.5 人",
        "离职 1 人，平均在岗 5 人",
    ]


# ---- reaching the profile ------------------------------------------------------------------------


def test_a_selected_point_names_its_community():
    assert view_state.community_from_selection(None) is None
    assert view_state.community_from_selection({"selection": {"points": []}}) is None
    assert view_state.community_from_selection({"selection": {"points": [{"x": 1, "y": "红光社区"}]}}) is None
    assert view_state.community_from_selection({"selection": {"points": [{"customdata": "XT002"}]}}) == "XT002"
    assert view_state.community_from_selection({"selection": {"points": [{"customdata": ["XT003"]}]}}) == "XT003"


def test_a_chart_click_chooses_the_community(monkeypatch):
    state = {"burden_tasks_per_staff": {"selection": {"points": [{"customdata": "XT002", "x": 3.0}]}}}
    monkeypatch.setattr(view_state.st, "session_state", state)
    view_state._community_clicked("burden_tasks_per_staff")
    assert state["f_community"] == "XT002" and state["_open_profile"] is True


def test_a_profile_link_keeps_the_view():
    view = {"lang": "zh", "street": "干河街道", "year": "2025", "community": "XT009"}
    url = view_state.profile_url("XT002", "新华社区", view)
    parts = urlsplit(url)
    assert parts.path == "profile"
    assert parse_qs(parts.query) == {
        "lang": ["zh"],
        "street": ["干河街道"],
        "year": ["2025"],
        "community": ["XT002"],
    }
    assert unquote(parts.fragment) == "新华社区"
    assert view_state.name_from_link(url) == "新华社区"


def test_only_community_charts_are_clickable():
    frame = pd.DataFrame({"name": ["甲", "乙", "丙"], "id": ["A", "B", "C"], "value": [2.0, 3.0, 1.0]})
    common = {"title": "", "value_title": "", "label_title": "", "kind": "mean"}
    plain = charts.ranked_bars(frame, "name", "value", **common)
    linked = charts.ranked_bars(frame, "name", "value", ids="id", limit=2, **common)
    assert not charts.links_communities(plain) and plain.data[0].customdata is None
    assert charts.links_communities(linked)
    assert list(zip(linked.data[0].y, linked.data[0].customdata, strict=True)) == [("甲", "A"), ("乙", "B")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_profile_by_url(app, lang):
    at = app(lang=lang, community="XT002").run()
    at.switch_page("pages/profile.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.subheader[0].value == "新华社区"
    assert at.query_params["community"] == "XT002"
    assert len(at.get("plotly_chart")) == 4  # positions and three trends
    labels = {m.label for m in at.metric}
    assert {"总体满意度", "人员流失率"} <= labels if lang == "zh" else {"Overall satisfaction"} <= labels
    if lang == "zh":
        assert not english_words(visible_text(at)), english_words(visible_text(at))


def test_without_a_community_a_picker_chooses_one(app):
    at = app(lang="zh", street="干河街道").run()
    at.switch_page("pages/profile.py").run()
    assert not at.exception
    picker = at.selectbox(key="profile_pick")
    assert picker.label == "选择社区" and "新华社区" in picker.options
    assert len(picker.options) == 19, "the communities of the street in the filter"
    picker.select("XT002").run()
    assert not at.exception
    # The choice becomes the sidebar's community, which the URL carries (see test_the_profile_by_url).
    # AppTest's later runs of a page that stopped skip the entry file, so the page is not re-read here.
    assert at.session_state["f_community"] == "XT002"


MEDIAN_WORDS = {"zh": "（较全区中位数）", "en": " vs district median"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_card_says_its_arrow_is_against_the_district_median(app, lang):
    """The overview's arrows are "on last year"; a profile card's must say they are not."""
    at = app(lang=lang, community="XT002").run()
    at.switch_page("pages/profile.py").run()
    deltas = [m.delta for m in at.metric if m.delta]
    assert len(deltas) >= 10, "every theme measure with a median has a delta"
    assert all(d.endswith(MEDIAN_WORDS[lang]) and d[0] in "+-" for d in deltas), deltas


def test_the_themes_leave_no_column_empty(app):
    """Task burden (3 cards) and satisfaction (1) share a column beside facilities and staff."""
    at = app(lang="zh", community="XT002").run()
    at.switch_page("pages/profile.py").run()
    themes = {"任务负担", "居民满意度", "设施达标", "人员流失"}
    columns = [[s.value for s in c.subheader if s.value in themes] for c in at.columns]
    columns = [found for found in columns if found]
    assert columns == [["任务负担", "居民满意度"], ["设施达标"], ["人员流失"]]


def chart_spec(at: AppTest, title: str) -> dict:
    (spec,) = [
        s for s in (json.loads(c.proto.spec) for c in at.get("plotly_chart")) if s["layout"]["title"]["text"] == title
    ]
    return spec


def unpacked(values: object) -> list[object]:
    """A plotly array as sent to the browser: a list, or numbers packed as {"dtype", "bdata"}."""
    if isinstance(values, dict):
        return list(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return list(values)


def turnover_counts_by_hand(community: str, year: int) -> tuple[int, float]:
    """Separations and the average of the start and end headcounts, from the sample's staff CSV."""
    staff = pd.read_csv(Path(ENTRY).parent / "sample_data" / "staff.csv", parse_dates=["hire_date", "exit_date"])
    staff = staff[staff["community_id"] == community]
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    at_start = ((staff["hire_date"] < start) & (staff["exit_date"].isna() | (staff["exit_date"] >= start))).sum()
    at_end = ((staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))).sum()
    return int((staff["exit_date"].dt.year == year).sum()), (at_start + at_end) / 2


def test_the_history_explains_turnover_above_100_percent_and_keeps_satisfaction_on_its_scale(app):
    at = app(lang="zh", community="XT002").run()
    at.switch_page("pages/profile.py").run()
    assert chart_spec(at, "历年总体满意度")["layout"]["yaxis"]["range"] == [1, 5], "the answers' scale, 1–5"
    turnover = chart_spec(at, "历年人员流失率")["data"][0]
    years = [int(year) for year in unpacked(turnover["x"])]
    counts = {year: turnover_counts_by_hand("XT002", year) for year in years}
    over = [year for year, (left, mean) in counts.items() if left > mean]
    assert over == [2015, 2016], "the sample's XT002 passes 100 % twice"

    def words(left: int, mean: float) -> str:
        return f"离职 {left} 人，平均在岗 {mean:g} 人"

    assert turnover["customdata"] == [words(*counts[year]) for year in years]
    caption = next(c.value for c in at.caption if "流失率超过 100%" in c.value)
    assert "；".join(f"{year}年{words(*counts[year])}" for year in over) in caption
    left, mean = counts[2025]
    assert f"本年{words(left, mean)}" in [c.value.split("（")[0] for c in at.caption]


def test_without_a_community_the_five_lowest_rated_are_named(app, sample_db, standards):
    store = Store(sample_db)
    try:
        scores = export.build(store, "assessment", standards, YEAR, "seed_2016")
    finally:
        store.close()
    rated = scores[scores["rated"]]
    expected = list(rated.sort_values(["composite", "community_id"])["community_id"].head(5))
    unrated = set(scores.loc[~scores["rated"], "community_id"])
    at = app(lang="zh").run()
    at.switch_page("pages/profile.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="profile_pick").label == "选择社区", "the picker stays"
    (listed,) = [m.value for m in at.markdown if "](profile?" in m.value]
    links = re.findall(r"\]\((profile\?[^)]*)\)", listed)
    named = [parse_qs(urlsplit(link).query)["community"][0] for link in links]
    assert named == expected and not unrated & set(named)
    assert all(parse_qs(urlsplit(link).query)["lang"] == ["zh"] for link in links), "the link keeps the view"
    note = next(c.value for c in at.caption if "得分最低的 5 个" in c.value)
    assert f"{len(rated)} 个已评级社区" in note and f"另有 {len(unrated)} 个社区数据不全" in note


def test_a_table_links_each_community_to_its_profile(app):
    at = app(lang="zh", street="干河街道").run()
    at.switch_page("pages/task_burden.py").run()
    table = at.dataframe[0]
    config = json.loads(table.proto.columns)["community_name"]
    assert config["type_config"] == {"type": "link", "display_text": view_state.LINK_TEXT}
    first = table.value["community_name"].iloc[0]
    parts = urlsplit(first)
    query = parse_qs(parts.query)
    assert parts.path == "profile" and query["lang"] == ["zh"] and query["street"] == ["干河街道"]
    assert query["year"] == ["2025"] and query["community"] == ["XT001"]
    assert unquote(parts.fragment) == "红光社区"


def ids_of(specs: list[dict]) -> list[object]:
    return [v for spec in specs for v in spec["data"][0]["customdata"]]


def test_community_charts_carry_their_ids(app):
    at = app(lang="zh", street="干河街道").run()
    at.switch_page("pages/task_burden.py").run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    linked = [s for s in specs if s["layout"].get("meta", {}).get(charts.COMMUNITY_POINTS)]
    assert linked, "per-community charts are clickable"
    # a point's customdata is its id, or a list led by its id (what a click reads, either way)
    clicked = [
        view_state.community_from_selection({"selection": {"points": [{"customdata": v}]}}) for v in ids_of(linked)
    ]
    assert clicked and all(str(c).startswith("XT") for c in clicked)
    overview = app(lang="zh").run()  # the whole district: charts are by street, not clickable
    assert not any(json.loads(c.proto.spec)["layout"].get("meta") for c in overview.get("plotly_chart"))


class _Params(dict):
    def to_dict(self) -> dict[str, str]:
        return dict(self)


def test_a_click_asks_for_the_profile_once_keeping_the_view(monkeypatch):
    state = {"_open_profile": True}
    view = _Params(lang="en", street="干河街道", year="2025", community="XT003")
    asked = []
    monkeypatch.setattr(view_state.st, "session_state", state)
    monkeypatch.setattr(view_state.st, "query_params", view)
    monkeypatch.setattr(view_state.st, "switch_page", lambda page, query_params: asked.append((page, query_params)))
    view_state.follow_community_click()
    view_state.follow_community_click()
    assert asked == [("pages/profile.py", dict(view))]


def test_a_click_switches_to_the_profile(app):
    """What a click's callback leaves behind makes the next run open the profile.

    AppTest cannot click a plotly point, and it forgets session values on a page switch
    asked by the script (a browser keeps those the callback set: checked by hand with a
    headless browser, clicking bars, dots and scatter points on four pages).
    """
    at = app(lang="en", street="干河街道").run()
    at.switch_page("pages/staff.py").run()
    at.session_state["f_community"] = "XT003"
    at.session_state["_open_profile"] = True
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Community profile"


@pytest.mark.parametrize("community", ["C2", "C4"])
def test_a_community_with_little_data_still_reads(known_db, monkeypatch, community):
    """C2's survey is under min_n; C4 has no tasks, survey or facilities row in the year."""
    monkeypatch.setenv("COMMUNITY_EVAL_DB", known_db)
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update({"lang": "zh", "community": community, "year": str(YEAR)})
    at.run()
    at.switch_page("pages/profile.py").run()
    assert not at.exception, [e.message for e in at.exception]
    text = " ".join(visible_text(at))
    assert ("少于 10 份" in text) if community == "C2" else ("没有设施记录" in text and "本年度没有问卷" in text)
    # both lack satisfaction (weight 0.4): not rated, their composite partial, no place in the district
    assert "暂不评级" in text and "不完整" in text and "排第" not in text
    assert {m.value for m in at.metric if m.label == "名次"} == {"暂不评级"}
    assert not english_words(visible_text(at)), english_words(visible_text(at))


def test_facility_rules_are_grouped_by_outcome_failed_first():
    profile = load_standards().profile("seed_2016")
    statuses = {"rule_min_total_area": "pass", "rule_rooms": "fail", "rule_area_per_100_households": "pass"}
    statuses |= {"rule_household_tier": None, "rule_tenure": "pass", "rule_budget": "fail"}
    rooms = pd.DataFrame([{"year": 2025, **statuses}])
    zh, en = Translator("zh"), Translator("en")
    assert community_profile_page.facility_notes(zh, rooms, profile) == [
        "**设施规则（源文件标准（2016））**  \n"
        "未达标：六室一厅、经费  \n"
        "无法判定：户数分档  \n"
        "达标：总面积、每百户面积、产权"
    ]
    english = community_profile_page.facility_notes(en, rooms, profile)[0]
    assert english.splitlines()[1] == "Failed: Six rooms and a hall, Funds  "
