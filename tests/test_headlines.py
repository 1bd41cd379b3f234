"""The headline figures judged: the verdict against each standard, the colour of each change,
the place a view covers and the overview's opening sentence — by hand, and on the sample
district against figures computed here with pandas from ``sample_data/``."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from community_eval import headlines
from community_eval.headlines import BAD, FLAT, GOOD, HIGHER, LOWER, MEETS, MISSES, Standard
from community_eval.i18n import Translator
from community_eval.indicators import Filters, headline_values
from community_eval.standards import load_standards
from community_eval.store import Store

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
        (3.7, None, None),  # no standard: no verdict
        (None, Standard(18, HIGHER), None),  # no value: no verdict
        (math.nan, Standard(0.30, LOWER), None),
    ],
)
def test_judge_by_hand(value, standard, expected):
    assert headlines.judge(value, standard) == expected


def test_the_standards_file_gives_three_figures_a_standard():
    """Turnover (the file's ceiling), staff (18 per 10,000, Hubei) and compliance (every rule);
    the file and the source documents state none for satisfaction or the administrative share."""
    standards = load_standards()
    found = headlines.headline_standards(standards, "seed_2016")
    assert set(found) == {"turnover_rate", "staff_in_post", "compliant_share"}
    assert found["turnover_rate"] == Standard(standards.turnover_ceiling, LOWER)
    assert (found["staff_in_post"].line, found["staff_in_post"].better) == (18.0, HIGHER)
    assert "湖北" in found["staff_in_post"].source["zh"]
    assert found["compliant_share"].line == 1.0 and found["compliant_share"].source["zh"] == "源文件标准（2016）"
    assert headlines.judge(0.8, found["compliant_share"]) == MISSES
    assert headlines.judge(1.0, found["compliant_share"]) == MEETS


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
    }


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
    for key in ("communities", "residents", "mean_satisfaction", "admin_hours_share"):
        assert cards[key].verdict is None and cards[key].verdict_text == "", key
    # Fewer staff than last year is bad news, more turnover too: both red, whichever way they point.
    assert now["staff_in_post"] < before["staff_in_post"] and cards["staff_in_post"].change_tone == BAD
    assert now["turnover_rate"] > before["turnover_rate"] and cards["turnover_rate"].change_tone == BAD


def test_the_reading_names_the_place_and_puts_misses_first(sample_values):
    tr = Translator("zh")
    now, before = sample_values
    cards = headlines.headline_cards(tr, now, before, load_standards(), "seed_2016")
    text = headlines.reading(tr, "仙桃市", now, cards)
    assert text.startswith(f"仙桃市（{sample_truth()['communities']} 个社区）：")
    staff, rooms, turnover = (text.index(card.reading_text) for card in cards if card.verdict)
    met = next(card for card in cards if card.verdict == MEETS)
    assert met.key == "turnover_rate" and turnover > max(staff, rooms), "the met standard comes last"
    plain = headlines.reading(tr, "仙桃市", now, [card for card in cards if card.verdict is None])
    assert plain == tr("overview.reading_plain", place="仙桃市", communities="79", residents="655,279")


def test_a_filter_without_communities_says_so():
    tr = Translator("en")
    empty = dict.fromkeys(("communities", "residents", "staff_in_post", "turnover_rate"))
    assert headlines.reading(tr, "仙桃市 · Rural", empty, []) == "仙桃市 · Rural: no community in the filter."
    assert headlines.reading(tr, "仙桃市", {**empty, "communities": 0.0}, []).endswith("no community in the filter.")
