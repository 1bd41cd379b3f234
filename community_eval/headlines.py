"""The headline figures judged: does each meet its standard, and is its change good news?

One place decides "meets / misses the standard", so the overview's cards, its one-line
reading and the meeting's first slide can never disagree. A figure is judged only against
a line the standards file states (with its source); where the file states none, for
resident satisfaction and the administrative share of hours today, the figure carries no
verdict rather than one made up here.

A change is coloured by whether it is good or bad news, not by its sign: more staff
turnover or a larger administrative share is bad news however it is drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from community_eval.i18n import Translator
from community_eval.indicators import Filters, combine_headlines
from community_eval.standards import Standards, bilingual

#: The kind of quantity of each headline figure (written as community_eval/formats.py declares).
HEADLINE_KINDS = {
    "communities": "int",
    "residents": "int",
    "staff_in_post": "int",
    "mean_satisfaction": "mean",
    "compliant_share": "share",
    "turnover_rate": "share",
    "admin_hours_share": "share",
}
#: Figures that describe the place's size, not how it is doing: no change, no verdict.
STATIC = frozenset({"communities", "residents"})

HIGHER, LOWER = "higher", "lower"
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
    the ceiling already scores 0 in the assessment). ``source`` is the standards file's
    note ({zh, en} or text), empty for a setting of the dashboard itself.
    """

    line: float
    better: str
    source: object = ""


def judge(value: float | None, standard: Standard | None) -> str | None:
    """:data:`MEETS` or :data:`MISSES` the standard; None when there is no standard or no value."""
    if standard is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if standard.better == HIGHER:
        return MEETS if value >= standard.line else MISSES
    return MEETS if value < standard.line else MISSES


def headline_standards(standards: Standards, profile_key: str | None) -> dict[str, Standard]:
    """The standard of each headline figure the standards file gives one.

    * turnover: the file's ``turnover_ceiling`` (a setting of the assessment, no document's);
    * staff in post: workers per 10,000 residents, from whichever profile states it (as the
      staff page shows it), judged on the rate, not the head count;
    * facility compliance: every community meeting the chosen profile's rules; the card
      names how many fall short.
    """
    found = {"turnover_rate": Standard(standards.turnover_ceiling, LOWER)}
    workers = standards.staffing_profile("min_workers_per_10000_residents", profile_key)
    if workers is not None:
        line = workers.staffing_value("min_workers_per_10000_residents")
        found["staff_in_post"] = Standard(line, HIGHER, workers.staffing.get("workers_source", ""))
    profile = standards.profile(profile_key)
    if profile.facility_rules:
        found["compliant_share"] = Standard(1.0, HIGHER, {"zh": profile.name_zh, "en": profile.name_en})
    return found


def judged_value(key: str, values: dict) -> float | None:
    """The number a figure's standard speaks of: staff per 10,000 residents for the staff card."""
    if key == "staff_in_post":
        staff, residents = values.get("staff_in_post"), values.get("residents")
        return None if staff is None or not residents else staff / residents * 10_000
    return values.get(key)


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
    if HEADLINE_KINDS[key] == "share":
        return tr.number(line, "share")
    return tr.number(line, "int" if float(line).is_integer() else "rate")


def verdict_words(tr: Translator, key: str, verdict: str | None, standard: Standard | None, values: dict):
    """The verdict on the card ("低于 30.0% 的上限", "58 个社区未达标") and in the opening
    sentence (with the figure it speaks of); empty when there is no verdict."""
    if verdict is None or standard is None:
        return "", ""
    params = {
        "line": _line_text(tr, key, standard.line),
        "value": tr.number(values.get(key), HEADLINE_KINDS[key]),
        "rate": tr.number(judged_value(key, values), "rate"),
        "count": tr.number(values.get("facilities_short")),
    }
    return tr(f"verdict.{key}.{verdict}", **params), tr(f"overview.reading.{key}.{verdict}", **params)


def headline_cards(tr: Translator, now: dict, before: dict, standards: Standards, profile_key: str | None):
    """The overview's cards for this year's and last year's :func:`indicators.headline_values`."""
    chosen = headline_standards(standards, profile_key)
    cards = []
    for figure in combine_headlines(now, before):
        kind = HEADLINE_KINDS[figure.key]
        standard = chosen.get(figure.key)
        verdict = judge(judged_value(figure.key, now), standard)
        on_card, in_reading = verdict_words(tr, figure.key, verdict, standard, now)
        change = None if figure.key in STATIC else figure.change
        short = tr.change(change, kind) if change is not None else ""
        cards.append(
            Card(
                key=figure.key,
                label=tr(f"headline.{figure.key}"),
                value=tr.number(figure.value, kind),
                help=_help(tr, figure.key, standard),
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


def _help(tr: Translator, key: str, standard: Standard | None) -> str:
    """The card's definition, and where its standard comes from when it has one."""
    text = tr(f"headline_help.{key}")
    if standard is None:
        return text
    source = bilingual(standard.source, tr.lang)
    return text + " " + tr(f"headline_standard.{key}", line=_line_text(tr, key, standard.line), source=source)


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


def board(tr: Translator, cards: list[Card], title: str):
    """The cards as one figure (:func:`charts.headline_board`), for the meeting's first slide."""
    from community_eval import charts

    return charts.headline_board(
        [
            {
                "label": card.label,
                "value": card.value,
                "verdict": card.verdict_text,
                "verdict_tone": VERDICT_TONES.get(card.verdict),
                "change": card.change_short,
                "change_tone": card.change_tone,
                "arrow": change_arrow(card.change, card.change_short),
            }
            for card in cards
        ],
        title=title,
        headers={
            "label": tr("overview.board.figure"),
            "value": tr("overview.board.value"),
            "verdict": tr("overview.board.standard"),
            "change": tr("overview.board.change"),
        },
    )
