"""The headline figures judged: does each meet its standard, and is its change good news?

One place decides "meets / misses the standard", so the overview's cards, its one-line
reading, the meeting's first slide and the offline report can never disagree. A figure is
judged only against a line with a source: the standards file's (each with the document it
comes from), or the survey's own scale. Where no document sets a figure, the card is judged
by the rule the documents do state: the administrative card by the admission system
(准入制: no task handed down without admission, 权随责走、费随事转: none without funds),
the satisfaction card by the scale's middle answer (3 = 一般), counting the communities
whose mean falls below it. A figure with neither carries no verdict rather than one made
up here.

A change is coloured by whether it is good or bad news, not by its sign: more staff
turnover or a larger administrative share is bad news however it is drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from community_eval.core.i18n import Translator, has
from community_eval.core.safety import markdown_literal
from community_eval.core.schema import NEUTRAL_ANSWER
from community_eval.core.standards import TASK_LIMITS, Standards, bilingual
from community_eval.indicators.filters import Filters
from community_eval.indicators.overview import combine_headlines

#: The kind of quantity of each headline figure (written as community_eval/core/formats.py declares).
HEADLINE_KINDS = {
    "communities": "int",
    "residents": "int",
    "staff_in_post": "int",
    "mean_satisfaction": "mean",
    "compliant_share": "share",
    "turnover_rate": "share",
    "admin_hours_share": "share",
}
#: The kind of each figure a card is judged by that is not the card's own figure.
MEASURE_KINDS = {"unadmitted_share": "share", "unfunded_share": "share", "satisfaction_below": "int"}
#: Figures that describe the place's size, not how it is doing: no change, no verdict.
STATIC = frozenset({"communities", "residents"})

HIGHER, LOWER, AT_MOST = "higher", "lower", "at_most"
#: Which way is better for each figure that says how the place is doing. More staff is
#: better news: every source document names too few, poorly paid staff as the problem.
BETTER = {
    "staff_in_post": HIGHER,
    "mean_satisfaction": HIGHER,
    "compliant_share": HIGHER,
    "turnover_rate": LOWER,
    "admin_hours_share": LOWER,
}

MEETS, MISSES = "meets", "misses"
GOOD, BAD, FLAT = "good", "bad", "flat"


@dataclass(frozen=True)
class Standard:
    """The line a figure is judged against, which side of it is good, and where it comes from.

    With ``better`` = "higher" the line is a floor, met by reaching it (at least 18 workers
    per 10,000 residents); with "lower" it is a ceiling, missed by reaching it (turnover at
    the ceiling already scores 0 in the assessment); with "at_most" it is a limit that may
    be reached (no task without admission: 0 is met). ``source`` is the standards file's
    note ({zh, en} or text), empty for a setting of the dashboard itself or the scale.
    ``measure`` names the figure of :func:`overview.headline_values` judged, when it is not
    the card's own (the administrative card is judged by the shares of tasks handed down).
    """

    line: float
    better: str
    source: object = ""
    measure: str = ""


def judge(value: float | None, standard: Standard | None) -> str | None:
    """:data:`MEETS` or :data:`MISSES` the standard; None when there is no standard or no value."""
    if standard is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if standard.better == HIGHER:
        return MEETS if value >= standard.line else MISSES
    if standard.better == AT_MOST:
        return MEETS if value <= standard.line else MISSES
    return MEETS if value < standard.line else MISSES


def headline_standards(standards: Standards, profile_key: str | None) -> dict[str, tuple[Standard, ...]]:
    """The standards each headline figure is judged by, for the figures that have any.

    * turnover: the file's ``turnover_ceiling`` (a setting of the assessment, no document's);
    * staff in post: workers per 10,000 residents, from whichever profile states it (as the
      staff page shows it), judged on the rate, not the head count;
    * facility compliance: every community meeting the chosen profile's rules; the card
      names how many fall short;
    * administrative share of hours: no document sets a figure for it, so the card is judged
      by the file's ``task_limits`` (the admission system's rules on the work handed down);
    * satisfaction: no document sets a figure either; the scale does: no community shown
      should average below its middle answer (3 = 一般).
    """
    found = {"turnover_rate": (Standard(standards.turnover_ceiling, LOWER),)}
    workers = standards.staffing_profile("min_workers_per_10000_residents", profile_key)
    if workers is not None:
        line = workers.staffing_value("min_workers_per_10000_residents")
        found["staff_in_post"] = (Standard(line, HIGHER, workers.staffing.get("workers_source", "")),)
    profile = standards.profile(profile_key)
    if profile.facility_rules:
        found["compliant_share"] = (Standard(1.0, HIGHER, {"zh": profile.name_zh, "en": profile.name_en}),)
    limits = standards.task_limits
    admission = tuple(
        Standard(limits[name].max_share, AT_MOST, limits[name].source, measure=name)
        for name in TASK_LIMITS
        if name in limits
    )
    if admission:
        found["admin_hours_share"] = admission
    found["mean_satisfaction"] = (Standard(0, AT_MOST, measure="satisfaction_below"),)
    return found


def judged_value(key: str, values: dict) -> float | None:
    """The number a standard speaks of: staff per 10,000 residents for the staff card, else
    the figure ``key`` names (the card's own, or the standard's ``measure``)."""
    if key == "staff_in_post":
        staff, residents = values.get("staff_in_post"), values.get("residents")
        return None if staff is None or not residents else staff / residents * 10_000
    return values.get(key)


def card_verdict(key: str, values: dict, rules: tuple[Standard, ...]) -> tuple[str | None, tuple[str, ...]]:
    """A card's verdict over all its standards, and the measures it misses.

    :data:`MISSES` when any standard that can be judged is missed, :data:`MEETS` when every
    one judged is met, None when none can be judged (no standard, or no value).
    """
    judged = [(rule.measure or key, judge(judged_value(rule.measure or key, values), rule)) for rule in rules]
    known = [(measure, verdict) for measure, verdict in judged if verdict is not None]
    if not known:
        return None, ()
    missed = tuple(measure for measure, verdict in known if verdict == MISSES)
    return (MISSES if missed else MEETS), missed


def shows_zero(text: str) -> bool:
    """Whether a formatted change reads as no change ("+0.0 pp", "+0"): no digit but zeros."""
    return not any(ch in "123456789" for ch in text)


def change_tone(key: str, change: float | None, shown: str) -> str | None:
    """Good, bad or flat news, from the figure's better direction; None when there is no change.

    ``shown`` is the change as the reader sees it: a change that rounds to zero is flat,
    whatever its sign before rounding.
    """
    if change is None:
        return None
    better = BETTER.get(key)
    if better is None or shows_zero(shown):
        return FLAT
    return GOOD if (change > 0) == (better == HIGHER) else BAD


#: Streamlit's colour for each tone of a change, and each verdict's badge colour.
METRIC_COLOURS = {GOOD: "green", BAD: "red", FLAT: "gray"}
VERDICT_TONES = {MEETS: GOOD, MISSES: BAD}


def change_arrow(change: float | None, shown: str) -> str:
    """The arrow's direction follows the change itself ("up" / "down"), none when it shows as 0."""
    if change is None or shows_zero(shown):
        return "off"
    return "up" if change > 0 else "down"


@dataclass(frozen=True)
class Card:
    """One headline figure as the reader gets it: label, value, verdict and change, in words."""

    key: str
    label: str
    value: str
    help: str
    verdict: str | None = None  # MEETS / MISSES
    verdict_text: str = ""
    reading_text: str = ""  # the verdict as the opening sentence words it, with the figures
    change: float | None = None
    change_short: str = ""  # "+1.3 个百分点"
    change_text: str = ""  # "+1.3 个百分点（较上年）"
    change_tone: str | None = None


def _line_text(tr: Translator, key: str, line: float) -> str:
    kind = MEASURE_KINDS.get(key) or HEADLINE_KINDS[key]
    if kind == "share":
        return tr.number(line, "share")
    return tr.number(line, "int" if float(line).is_integer() else "rate")


def _word_params(tr: Translator, key: str, rules: tuple[Standard, ...], values: dict, min_n: int) -> dict:
    """Every figure a verdict's or a standard's words may name, as the reader reads it."""
    return {
        "line": _line_text(tr, key, rules[0].line) if rules else "",
        "value": tr.number(values.get(key), HEADLINE_KINDS[key]),
        "rate": tr.number(judged_value(key, values), "rate"),
        "count": tr.number(values.get("facilities_short")),
        "unadmitted": tr.number(values.get("unadmitted_share"), "share"),
        "unfunded": tr.number(values.get("unfunded_share"), "share"),
        "below": tr.number(values.get("satisfaction_below")),
        "shown": tr.number(values.get("satisfaction_shown")),
        "neutral": tr.number(NEUTRAL_ANSWER),
        "min_n": tr.number(min_n),
    }


def verdict_words(tr: Translator, key: str, verdict: str | None, missed: tuple[str, ...], rules, params: dict):
    """The verdict on the card ("低于 30.0% 的上限", "58 个社区未达标") and in the opening
    sentence (with the figure it speaks of); empty when there is no verdict.

    A card judged by several standards and missing only some of them names those alone
    (``misses_unfunded_share``): a figure that meets its rule is not reported as a miss.
    """
    if verdict is None:
        return "", ""
    variant = verdict
    if verdict == MISSES and 0 < len(missed) < len(rules):
        variant = f"{verdict}_{'_'.join(missed)}"
    return tr(f"verdict.{key}.{variant}", **params), tr(f"overview.reading.{key}.{variant}", **params)


def headline_cards(tr: Translator, now: dict, before: dict, standards: Standards, profile_key: str | None):
    """The overview's cards for this year's and last year's :func:`overview.headline_values`."""
    chosen = headline_standards(standards, profile_key)
    cards = []
    for figure in combine_headlines(now, before):
        kind = HEADLINE_KINDS[figure.key]
        rules = chosen.get(figure.key, ())
        verdict, missed = card_verdict(figure.key, now, rules)
        params = _word_params(tr, figure.key, rules, now, standards.min_n)
        on_card, in_reading = verdict_words(tr, figure.key, verdict, missed, rules, params)
        change = None if figure.key in STATIC else figure.change
        short = tr.change(change, kind) if change is not None else ""
        cards.append(
            Card(
                key=figure.key,
                label=tr(f"headline.{figure.key}"),
                value=tr.number(figure.value, kind),
                help=_help(tr, figure.key, rules, params),
                verdict=verdict,
                verdict_text=on_card,
                reading_text=in_reading,
                change=change,
                change_short=short,
                change_text=tr("overview.delta", change=short) if short else "",
                change_tone=change_tone(figure.key, change, short),
            )
        )
    return cards


def _help(tr: Translator, key: str, rules: tuple[Standard, ...], params: dict) -> str:
    """The card's definition; why it is judged as it is, where no document sets its figure;
    and each standard it is judged by, with where that comes from."""
    parts = [tr(f"headline_help.{key}")]
    if rules and has(tr.lang, f"headline_basis.{key}"):
        parts.append(tr(f"headline_basis.{key}"))
    for rule in rules:
        measure = rule.measure or key
        line = _line_text(tr, measure, rule.line)
        parts.append(
            tr(f"headline_standard.{measure}", **{**params, "line": line, "source": bilingual(rule.source, tr.lang)})
        )
    return ("" if tr.lang == "zh" else " ").join(parts)  # Chinese sentences run on without spaces


# ---- the one-line reading ---------------------------------------------------------------------


def place_name(tr: Translator, options: pd.DataFrame, filters: Filters) -> str:
    """The place a view covers, in words: "仙桃市", "仙桃市干河街道", "红光社区", "3 个区县".

    A district not chosen is named when every community in the view lies in one (the sample
    is all 仙桃市); ``options`` is the filter options (community, district, street, type).
    """
    if filters.community_id:
        names = options.loc[options["community_id"] == filters.community_id, "community_name"]
        return str(names.iloc[0]) if len(names) else filters.community_id
    inside = options
    for column, wanted in (("district", filters.district), ("street", filters.street)):
        if wanted is not None:
            inside = inside[inside[column] == wanted]
    districts = sorted(inside["district"].dropna().unique())
    district = filters.district or (districts[0] if len(districts) == 1 else None)
    if filters.street:
        place = tr("overview.place.street", district=district, street=filters.street) if district else filters.street
    else:
        place = district or tr("overview.place.districts", n=len(districts))
    if filters.community_type:
        place = tr("overview.place.type", place=place, type=tr.enum("community_type", filters.community_type))
    return place


def reading(tr: Translator, place: str, values: dict, cards: list[Card]) -> str:
    """The overview's one-line reading: the place, then each judged figure with its verdict,
    those missing their standard first. Without any verdict, the place and its size; with
    no community in the filter, that (not "— communities")."""
    if not values.get("communities"):
        return tr("overview.reading_empty", place=place)
    judged = [card for card in cards if card.verdict is not None]
    judged.sort(key=lambda card: card.verdict != MISSES)
    size = {"place": place, "communities": tr.number(values.get("communities"))}
    if not judged:
        return tr("overview.reading_plain", **size, residents=tr.number(values.get("residents")))
    figures = tr("overview.reading_joiner").join(card.reading_text for card in judged)
    return tr("overview.reading_intro", **size, figures=figures)


# ---- drawn ------------------------------------------------------------------------------------

#: The badge under a card that has a verdict: colour and icon (the words carry it too).
BADGES = {
    MEETS: {"color": "green", "icon": ":material/check_circle:"},
    MISSES: {"color": "red", "icon": ":material/error:"},
}


def badge_markdown(card: Card) -> str:
    """A card's verdict as Streamlit Markdown: its colour's words on its colour's tint, as
    ``st.badge`` draws them, but wrapping. A badge keeps to one line and cuts the rest off
    ("33.2% 的下派事项未经准…"), and a verdict cut short says nothing."""
    badge = BADGES[card.verdict]
    colour = badge["color"]
    return f":small[:{colour}-background[:{colour}[{badge['icon']} {markdown_literal(card.verdict_text)}]]]"
