"""The headline figures judged: the verdict against each standard, the colour of each change,
the place a view covers and the overview's opening sentence — by hand, on the hand-made
district (conftest.py) with last year's figures beside this year's, and on the sample district
against figures computed here with pandas from ``sample_data/``."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from community_eval.core.i18n import Translator
from community_eval.core.standards import StandardsError, load_standards, parse_standards
from community_eval.db.store import Store
from community_eval.indicators import overview
from community_eval.indicators.filters import Filters
from community_eval.indicators.overview import headline_values
from community_eval.indicators.satisfaction import satisfaction_below_neutral
from community_eval.readings import headlines
from community_eval.readings.headlines import AT_MOST, BAD, FLAT, GOOD, HIGHER, LOWER, MEETS, MISSES, Standard
from tests.definitions import in_post_end
from tests.test_staff_turnover import expected_turnover_of

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
YEAR = 2025


# ---- the verdict ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "standard", "expected"),
    [
        (18.0, Standard(18, HIGHER), MEETS),  # a floor is met by reaching it
        (17.99, Standard(18, HIGHER), MISSES),
        (25.0, Standard(18, HIGHER), MEETS),
        (0.29, Standard(0.30, LOWER), MEETS),  # a ceiling is missed by reaching it
        (0.30, Standard(0.30, LOWER), MISSES),
        (0.45, Standard(0.30, LOWER), MISSES),
        (0.0, Standard(0.30, LOWER), MEETS),
        (0.0, Standard(0.0, AT_MOST), MEETS),  # a limit that may be reached: none is met
        (0.001, Standard(0.0, AT_MOST), MISSES),
        (2, Standard(0, AT_MOST), MISSES),
        (3.7, None, None),  # no standard: no verdict
        (None, Standard(18, HIGHER), None),  # no value: no verdict
        (math.nan, Standard(0.30, LOWER), None),
    ],
)
def test_judge_by_hand(value, standard, expected):
    assert headlines.judge(value, standard) == expected


def test_every_judged_figure_has_a_standard_with_a_source():
    """Turnover (the file's ceiling), staff (18 per 10,000, Hubei), compliance (every rule);
    the administrative card by the admission rules the documents name (no task handed down
    without admission or funds), satisfaction by the scale (no community below 3 = 一般)."""
    standards = load_standards()
    found = headlines.headline_standards(standards, "seed_2016")
    assert set(found) == {"turnover_rate", "staff_in_post", "compliant_share", "admin_hours_share", "mean_satisfaction"}
    assert found["turnover_rate"] == (Standard(standards.turnover_ceiling, LOWER),)
    ((staff,), (rooms,)) = found["staff_in_post"], found["compliant_share"]
    assert (staff.line, staff.better) == (18.0, HIGHER) and "湖北" in staff.source["zh"]
    assert rooms.line == 1.0 and rooms.source["zh"] == "源文件标准（2016）"
    assert headlines.judge(0.8, rooms) == MISSES and headlines.judge(1.0, rooms) == MEETS
    admitted, funded = found["admin_hours_share"]
    assert (admitted.measure, admitted.line, admitted.better) == ("unadmitted_share", 0.0, AT_MOST)
    assert (funded.measure, funded.line, funded.better) == ("unfunded_share", 0.0, AT_MOST)
    for rule, words in ((admitted, "准入制"), (funded, "费随事转")):
        source = rule.source["zh"]
        assert words in source and "《仙桃市社区工作现状及改善对策》" in source and "秦淮区" in source
        assert not any(f"{number}：" in source for number in ("000", "001", "003")), "documents by name"
    assert found["mean_satisfaction"] == (Standard(0, AT_MOST, measure="satisfaction_below"),)


def test_a_file_without_task_limits_leaves_the_administrative_card_unjudged():
    """A district's own standards file may not state the admission rules: then no verdict."""
    raw = {"default_profile": "p", "profiles": {"p": {"name_zh": "p", "name_en": "p"}}}
    bare = parse_standards(raw)
    assert bare.task_limits == {}
    assert "admin_hours_share" not in headlines.headline_standards(bare, None)
    for wrong in ({"unknown_share": {"max_share": 0}}, {"unfunded_share": {"max_share": 1.5}}):
        with pytest.raises(StandardsError):
            parse_standards({**raw, "task_limits": wrong})


@pytest.mark.parametrize(
    ("unadmitted", "unfunded", "verdict", "missed"),
    [
        (0.0, 0.0, MEETS, ()),
        (0.25, 0.0, MISSES, ("unadmitted_share",)),
        (0.0, 0.4, MISSES, ("unfunded_share",)),
        (0.25, 0.4, MISSES, ("unadmitted_share", "unfunded_share")),
        (None, None, None, ()),  # no work handed down: nothing to judge
    ],
)
def test_the_administrative_card_names_the_rule_it_misses(unadmitted, unfunded, verdict, missed):
    rules = headlines.headline_standards(load_standards(), None)["admin_hours_share"]
    values = {"admin_hours_share": 0.5, "unadmitted_share": unadmitted, "unfunded_share": unfunded}
    assert headlines.card_verdict("admin_hours_share", values, rules) == (verdict, missed)
    tr = Translator("zh")
    params = {"unadmitted": tr.number(unadmitted, "share"), "unfunded": tr.number(unfunded, "share")}
    card, _ = headlines.verdict_words(tr, "admin_hours_share", verdict, missed, rules, params)
    expected = {
        (): "下派事项全部经准入、拨经费",
        ("unadmitted_share",): "25.0% 的下派事项未经准入",
        ("unfunded_share",): "40.0% 的下派事项未拨经费",
        ("unadmitted_share", "unfunded_share"): "25.0% 的下派事项未经准入，40.0% 未拨经费",
    }
    assert card == ("" if verdict is None else expected[missed])


def test_staff_are_judged_per_10000_residents():
    values = {"staff_in_post": 36.0, "residents": 20_000.0}
    assert headlines.judged_value("staff_in_post", values) == pytest.approx(18.0)
    assert headlines.judged_value("staff_in_post", {"staff_in_post": 5.0, "residents": 0}) is None
    assert headlines.judged_value("turnover_rate", {"turnover_rate": 0.2}) == 0.2


# ---- the change's colour ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "change", "shown", "tone", "colour", "arrow"),
    [
        ("turnover_rate", 0.05, "+5.0 pp", BAD, "red", "up"),  # more people leaving: red, though up
        ("turnover_rate", -0.02, "-2.0 pp", GOOD, "green", "down"),
        ("admin_hours_share", 0.01, "+1.0 pp", BAD, "red", "up"),
        ("admin_hours_share", -0.001, "-0.1 pp", GOOD, "green", "down"),
        ("mean_satisfaction", 0.04, "+0.04", GOOD, "green", "up"),
        ("mean_satisfaction", -0.1, "-0.10", BAD, "red", "down"),
        ("compliant_share", 0.013, "+1.3 pp", GOOD, "green", "up"),
        ("staff_in_post", -8, "-8", BAD, "red", "down"),
        ("turnover_rate", 0.0004, "+0.0 pp", FLAT, "gray", "off"),  # rounds to nothing: no arrow, grey
        ("staff_in_post", 0, "+0", FLAT, "gray", "off"),
    ],
)
def test_a_change_is_coloured_by_good_or_bad_news(key, change, shown, tone, colour, arrow):
    assert headlines.change_tone(key, change, shown) == tone
    assert headlines.METRIC_COLOURS[tone] == colour
    assert headlines.change_arrow(change, shown) == arrow


def test_no_change_no_tone():
    assert headlines.change_tone("turnover_rate", None, "") is None
    assert headlines.change_arrow(None, "") == "off"


# ---- the place ----------------------------------------------------------------------------------


def options() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "community_id": ["A", "B", "C"],
            "community_name": ["甲社区", "乙社区", "丙社区"],
            "district": ["仙桃市", "仙桃市", "天门市"],
            "street": ["干河街道", "沙嘴街道", "竟陵街道"],
            "community_type": ["urban", "township", "urban"],
        }
    )


def test_the_place_is_named_as_the_filter_narrows_it():
    zh, en = Translator("zh"), Translator("en")
    both, one = options(), options().iloc[:2]
    assert headlines.place_name(zh, one, Filters()) == "仙桃市", "one district in the data: named"
    assert headlines.place_name(zh, both, Filters()) == "2 个区县"
    assert headlines.place_name(en, both, Filters()) == "2 districts"
    assert headlines.place_name(zh, both, Filters(district="天门市")) == "天门市"
    assert headlines.place_name(zh, both, Filters(street="干河街道")) == "仙桃市干河街道"
    assert headlines.place_name(en, both, Filters(street="干河街道")) == "干河街道, 仙桃市"
    assert headlines.place_name(zh, both, Filters(community_id="B")) == "乙社区"
    assert headlines.place_name(zh, one, Filters(community_type="urban")) == "仙桃市·纯社区"


# ---- on the sample district, against pandas --------------------------------------------------------


def sample_truth() -> dict[str, float]:
    """The sample's 2025 headline figures and verdict inputs, from its CSV files by hand.

    Facilities: each community's latest row of 2025 or before, under the seed_2016 rules
    (INDICATORS.md); a community fails when a rule with known inputs fails.
    """
    communities = pd.read_csv(SAMPLE / "communities.csv")
    staff = pd.read_csv(SAMPLE / "staff.csv", parse_dates=["hire_date", "exit_date"])
    start, end = pd.Timestamp(YEAR, 1, 1), pd.Timestamp(YEAR, 12, 31)
    at_start = (staff["hire_date"] < start) & (staff["exit_date"].isna() | (staff["exit_date"] >= start))
    at_end = (staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))
    separations = (staff["exit_date"].dt.year == YEAR).sum()
    rooms = pd.read_csv(SAMPLE / "facilities.csv")
    rooms = rooms[rooms["year"] <= YEAR].sort_values("year").groupby("community_id").tail(1)
    rooms = rooms.merge(communities[["community_id", "households"]], on="community_id")
    total = rooms["office_area_m2"] + rooms["service_area_m2"]
    households = rooms["households"]
    tier = total.where(households >= 1000, math.inf)  # under 1,000 households the rule passes
    tier_need = pd.Series(300.0, index=rooms.index).where(households >= 2000, 200.0)
    budget = rooms["operating_budget_yuan"] / households * 100
    fails = (
        (total < 300)
        | (rooms["room_count"] < 6)
        | (rooms["has_hall"].astype(str).str.lower() != "true")
        | (total / households * 100 < 20)
        | (tier < tier_need)
        | (rooms["tenure"] == "borrowed")
        | (budget.notna() & (budget < 2000))
    )
    return {
        "communities": len(communities),
        "residents": float(communities["population"].sum()),
        "staff_in_post": float(at_end.sum()),
        "turnover_rate": separations / ((at_start.sum() + at_end.sum()) / 2),
        "facilities_short": int(fails.sum()),
        **handed_down_truth(YEAR),
        **below_neutral_truth(YEAR, load_standards().min_n),
    }


def handed_down_truth(year: int) -> dict[str, float]:
    """Shares of tasks handed down (every category but self_governance) in ``year`` that were
    not admitted and not funded, weighted by task_count (INDICATORS.md, task_burden)."""
    tasks = pd.read_csv(SAMPLE / "tasks.csv")
    handed = tasks[tasks["period"].str[:4].astype(int).eq(year) & (tasks["task_category"] != "self_governance")]
    total = handed["task_count"].sum()
    return {
        "unadmitted_share": handed.loc[~handed["admitted"], "task_count"].sum() / total,
        "unfunded_share": handed.loc[~handed["funded"], "task_count"].sum() / total,
    }


def below_neutral_truth(year: int, min_n: int) -> dict[str, int]:
    """Communities shown in ``year`` (at least ``min_n`` responses) and those whose weighted
    mean overall answer, Σwx / Σw with w = 1 where missing (INDICATORS.md), is below 3."""
    survey = pd.read_csv(SAMPLE / "survey.csv", parse_dates=["survey_date"])
    survey = survey[survey["survey_date"].dt.year == year].assign(w=lambda f: f["weight"].fillna(1.0))
    survey["wx"] = survey["w"] * survey["overall"]
    per = survey.groupby("community_id").agg(n=("overall", "size"), sw=("w", "sum"), swx=("wx", "sum"))
    shown = per[per["n"] >= min_n]
    return {"satisfaction_shown": len(shown), "satisfaction_below": int((shown["swx"] / shown["sw"] < 3).sum())}


@pytest.fixture(scope="module")
def sample_values(sample_db) -> tuple[dict, dict]:
    standards = load_standards()
    profile = standards.profile("seed_2016")
    store = Store(sample_db)
    try:
        return tuple(headline_values(store, Filters(), year, standards, profile) for year in (YEAR, YEAR - 1))
    finally:
        store.close()


def test_the_sample_headlines_match_pandas(sample_values):
    now, _ = sample_values
    truth = sample_truth()
    assert (now["communities"], now["residents"], now["staff_in_post"]) == (
        truth["communities"],
        truth["residents"],
        truth["staff_in_post"],
    )
    assert now["turnover_rate"] == pytest.approx(truth["turnover_rate"])
    assert now["facilities_short"] == truth["facilities_short"]
    assert now["unadmitted_share"] == pytest.approx(truth["unadmitted_share"])
    assert now["unfunded_share"] == pytest.approx(truth["unfunded_share"])
    assert (now["satisfaction_shown"], now["satisfaction_below"]) == (
        truth["satisfaction_shown"],
        truth["satisfaction_below"],
    )


@pytest.mark.parametrize("min_n", [3, 10, 30, 60])
@pytest.mark.parametrize("year", [YEAR - 1, YEAR])
def test_communities_below_neutral_are_counted_in_duckdb_among_those_shown(sample_db, year, min_n):
    """The count behind the satisfaction card, against pandas: a community under ``min_n``
    responses is shown nowhere, so it is counted nowhere, however low its mean."""
    truth = below_neutral_truth(year, min_n)
    store = Store(sample_db)
    try:
        row = satisfaction_below_neutral(store, Filters(), year, min_n).iloc[0]
    finally:
        store.close()
    assert (row["n_shown"], row["n_below"]) == (truth["satisfaction_shown"], truth["satisfaction_below"])


def test_the_sample_years_test_the_count_both_ways():
    """2024 has a community below 3 that a high enough min_n hides; 2025 has none: both
    verdicts, and the suppression rule, are exercised on real sample figures."""
    assert below_neutral_truth(YEAR - 1, 10)["satisfaction_below"] == 1
    assert below_neutral_truth(YEAR - 1, 60)["satisfaction_below"] == 0
    assert below_neutral_truth(YEAR, 10)["satisfaction_below"] == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sample_cards_carry_their_verdicts(sample_values, lang):
    tr = Translator(lang)
    now, before = sample_values
    truth = sample_truth()
    cards = {card.key: card for card in headlines.headline_cards(tr, now, before, load_standards(), "seed_2016")}
    rate = truth["staff_in_post"] / truth["residents"] * 10_000
    assert rate < 18
    assert cards["staff_in_post"].verdict == MISSES
    assert cards["staff_in_post"].verdict_text == tr("verdict.staff_in_post.misses", line="18")
    assert f"{rate:.1f}" in cards["staff_in_post"].reading_text  # a rate per 10,000: 1 decimal
    assert truth["turnover_rate"] < 0.30
    assert cards["turnover_rate"].verdict == MEETS
    assert cards["turnover_rate"].verdict_text == tr("verdict.turnover_rate.meets", line="30.0%")
    assert cards["compliant_share"].verdict == MISSES
    assert cards["compliant_share"].verdict_text == tr(
        "verdict.compliant_share.misses", count=truth["facilities_short"]
    )
    for key in ("communities", "residents"):
        assert cards[key].verdict is None and cards[key].verdict_text == "", key
    # Tasks handed down without admission or funds: the admission system allows none.
    assert truth["unadmitted_share"] > 0 and truth["unfunded_share"] > 0
    assert cards["admin_hours_share"].verdict == MISSES
    unadmitted, unfunded = (f"{truth[key] * 100:.1f}%" for key in ("unadmitted_share", "unfunded_share"))
    assert cards["admin_hours_share"].verdict_text == tr(
        "verdict.admin_hours_share.misses", unadmitted=unadmitted, unfunded=unfunded
    )
    assert unadmitted == "33.2%" and unadmitted in cards["admin_hours_share"].reading_text
    # No community shown averages below 3 (一般) in 2025.
    assert truth["satisfaction_below"] == 0
    assert cards["mean_satisfaction"].verdict == MEETS
    assert cards["mean_satisfaction"].verdict_text == tr("verdict.mean_satisfaction.meets", neutral="3")
    assert tr("headline_basis.mean_satisfaction") in cards["mean_satisfaction"].help
    assert tr("headline_basis.admin_hours_share") in cards["admin_hours_share"].help
    # Fewer staff than last year is bad news, more turnover too: both red, whichever way they point.
    assert now["staff_in_post"] < before["staff_in_post"] and cards["staff_in_post"].change_tone == BAD
    assert now["turnover_rate"] > before["turnover_rate"] and cards["turnover_rate"].change_tone == BAD


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_year_with_a_community_below_neutral_says_how_many(sample_values, lang):
    """In 2024 one community of the sample shown averages below 3 (一般), by pandas: the card
    misses, and says 1 of the communities shown (suppressed ones are not counted)."""
    tr = Translator(lang)
    _, before = sample_values
    truth = below_neutral_truth(YEAR - 1, load_standards().min_n)
    assert truth["satisfaction_below"] == 1
    cards = {card.key: card for card in headlines.headline_cards(tr, before, before, load_standards(), "seed_2016")}
    card = cards["mean_satisfaction"]
    assert card.verdict == MISSES
    counts = {"below": "1", "shown": str(truth["satisfaction_shown"]), "neutral": "3"}
    assert card.verdict_text == tr("verdict.mean_satisfaction.misses", **counts)
    assert card.reading_text == tr("overview.reading.mean_satisfaction.misses", **counts)


def test_the_reading_names_the_place_and_puts_misses_first(sample_values):
    tr = Translator("zh")
    now, before = sample_values
    cards = headlines.headline_cards(tr, now, before, load_standards(), "seed_2016")
    text = headlines.reading(tr, "仙桃市", now, cards)
    assert text.startswith(f"仙桃市（{sample_truth()['communities']} 个社区）：")
    where = {card.key: text.index(card.reading_text) for card in cards if card.verdict}
    missed = [card.key for card in cards if card.verdict == MISSES]
    met = [card.key for card in cards if card.verdict == MEETS]
    assert missed == ["staff_in_post", "compliant_share", "admin_hours_share"]
    assert met == ["mean_satisfaction", "turnover_rate"]
    assert sorted(where, key=where.get) == missed + met, "misses first, then the standards met, each in card order"
    plain = headlines.reading(tr, "仙桃市", now, [card for card in cards if card.verdict is None])
    assert plain == tr("overview.reading_plain", place="仙桃市", communities="79", residents="655,279")


def test_a_filter_without_communities_says_so():
    tr = Translator("en")
    empty = dict.fromkeys(("communities", "residents", "staff_in_post", "turnover_rate"))
    assert headlines.reading(tr, "仙桃市 · Rural", empty, []) == "仙桃市 · Rural: no community in the filter."
    assert headlines.reading(tr, "仙桃市", {**empty, "communities": 0.0}, []).endswith("no community in the filter.")


# ---- on the hand-made district, against pandas -------------------------------------------------


def test_headlines_carry_previous_year(known_store, known_frames):
    standards = load_standards()
    figures = {
        h.key: h for h in overview.headlines(known_store, Filters(), YEAR, standards, standards.profile("seed_2016"))
    }
    staff = known_frames["staff"]
    assert figures["communities"].value == 4
    assert figures["residents"].value == 25000
    assert figures["staff_in_post"].value == in_post_end(staff, YEAR).sum()
    assert figures["staff_in_post"].previous == in_post_end(staff, YEAR - 1).sum()
    assert figures["turnover_rate"].value == pytest.approx(expected_turnover_of(staff, YEAR)["turnover_rate"])
    assert figures["turnover_rate"].change == pytest.approx(
        expected_turnover_of(staff, YEAR)["turnover_rate"] - expected_turnover_of(staff, YEAR - 1)["turnover_rate"]
    )
