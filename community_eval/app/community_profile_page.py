"""The community profile page's parts: the picker, each theme against the district, and the
sentences that read the numbers.

Kept out of the page so the page stays a list of what is shown, and so the sentences can
be tested without a browser. The numbers come from :mod:`community_eval.indicators.community_profile`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from community_eval.app import cache, view_state, widgets
from community_eval.core.i18n import Translator
from community_eval.core.safety import markdown_literal
from community_eval.core.standards import Profile
from community_eval.indicators import assessment, overview
from community_eval.indicators.assessment import COMPONENTS
from community_eval.indicators.community_profile import ATTENTION, needing_attention, strengths_and_weaknesses
from community_eval.readings import assessment as assessment_readings
from community_eval.readings import facility_compliance as facility_readings
from community_eval.readings import standard_gap as gap_readings

_PICK = "profile_pick"


# ---- choosing the community ------------------------------------------------------------------


def _picked() -> None:
    """The picker's callback: the chosen community becomes the sidebar's, and so the URL's."""
    chosen = st.session_state.get(_PICK)
    if chosen:
        st.session_state["f_community"] = chosen


def picker(tr: Translator, current: view_state.View) -> None:
    """A searchable choice of the communities in the filter, for when none is chosen yet."""
    options = cache.compute(overview.filter_options)
    filters = current.filters
    for column, wanted in (
        ("district", filters.district),
        ("street", filters.street),
        ("community_type", filters.community_type),
    ):
        if wanted is not None:
            options = options[options[column] == wanted]
    names = dict(zip(options["community_id"], options["community_name"], strict=True))
    st.info(tr("profile.pick_hint"), icon=":material/location_city:")
    st.selectbox(
        tr("profile.pick"),
        list(names),
        index=None,
        format_func=names.get,
        placeholder=tr("profile.pick_placeholder"),
        key=_PICK,
        on_change=_picked,
    )


def attention_lines(tr: Translator, scores: pd.DataFrame, params: dict[str, str]) -> list[str]:
    """The communities most needing attention as markdown lines, each name a link to its profile.

    ``scores`` is the assessment of the filter; ``params`` the view's URL parameters, which
    the links keep (language, year, weights…). Each line gives the composite, tier and
    rank, and the component whose rise would add most (the assessment page's lever).
    """
    lines = []
    for _, row in needing_attention(scores).iterrows():
        name = str(row["community_name"])
        link = f"[{markdown_literal(name)}]({view_state.profile_url(str(row['community_id']), name, params)})"
        line = tr(
            "profile.attention_line",
            name=link,
            score=tr.number(row["composite"], "score"),
            tier=markdown_literal(row["tier"]),
            rank=int(row["rank"]),
            n=int(scores["rated"].sum()),
        )
        if isinstance(row["best_lever"], str):
            line += tr(
                "profile.attention_lever",
                component=tr(f"assessment.component.{row['best_lever']}"),
                gain=tr.number(row["best_lever_gain"], "score"),
            )
        lines.append(line)
    return lines


def attention_note(tr: Translator, scores: pd.DataFrame, year: int) -> str:
    """How the list was chosen, and that unrated communities were left out of it."""
    rated = int(scores["rated"].sum())
    note = tr("profile.attention_note", year=year, n=rated, count=min(ATTENTION, rated))
    unrated = len(scores) - rated
    if unrated:
        note += tr("profile.attention_unrated", unrated=unrated)
    return note


def attention(tr: Translator, current: view_state.View, weights: tuple[tuple[str, float], ...] | None) -> None:
    """The communities of the filter most needing attention: the lowest composites among the rated."""
    common = {"standards": True, "profile": current.profile, "weights": weights}
    scores = cache.compute(assessment.assessment, current.filters, current.year, **common)
    rated = int(scores["rated"].sum())
    if not rated:
        st.caption(tr("profile.attention_none"))
        return
    st.subheader(tr("profile.attention_title", n=min(ATTENTION, rated)))
    st.markdown("\n".join(f"- {line}" for line in attention_lines(tr, scores, st.query_params.to_dict())))
    st.caption(attention_note(tr, scores, current.year))


# ---- who, and the headline -------------------------------------------------------------------


def about_text(tr: Translator, card: pd.Series, year: int, profile: Profile) -> str:
    """The community in one line: where it is, what kind, how big; the year and standards."""
    return tr(
        "profile.about",
        district=markdown_literal(card["district"]),
        street=markdown_literal(card["street"]),
        type=tr.enum("community_type", card["community_type"]),
        population=tr.number(card["population"]),
        households=tr.number(card["households"]),
        year=year,
        profile=profile.name(tr.lang),
    )


def takeaway_text(tr: Translator, card: pd.Series, scores: pd.DataFrame, year: int) -> str:
    """Its composite, tier and place in the district, or that it has none."""
    if scores.empty or pd.isna(scores["composite"].iloc[0]):
        return tr("profile.takeaway_no_score", name=card["community_name"], year=year)
    row = scores.iloc[0]
    if not row["rated"]:
        return tr(
            "profile.takeaway_unrated",
            name=card["community_name"],
            year=year,
            missing=assessment_readings.missing_words(tr, row["components_missing"]),
            score=tr.number(row["composite"], "score"),
        )
    return tr(
        "profile.takeaway",
        name=card["community_name"],
        year=year,
        score=tr.number(row["composite"], "score"),
        tier=row["tier"],
        rank=int(row["rank"]),
        n=int(row["n_ranked"]),
    )


def assessment_metrics(tr: Translator, scores: pd.DataFrame, district: str) -> None:
    """Composite, rank, tier and the four component scores, with the biggest lever."""
    if scores.empty or pd.isna(scores["composite"].iloc[0]):
        return
    row = scores.iloc[0]
    composite = tr.number(row["composite"], "score")
    if row["rated"]:
        rank, tier = tr("profile.assessment_rank", rank=int(row["rank"]), n=int(row["n_ranked"])), str(row["tier"])
    else:  # a partial composite: no rank and no tier
        composite, rank, tier = tr("profile.partial_score", score=composite), tr("profile.not_rated"), "—"
    figures = [
        (tr("col.composite"), composite),
        (tr("col.rank"), rank),
        (tr("col.tier"), tier),
        *((tr(f"col.{c}_score"), tr.number(row[f"{c}_score"], "score")) for c in COMPONENTS),
    ]
    for column, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(label, value, border=True)
    notes = [tr("profile.assessment_note", district=district, n=int(row["n_ranked"]))]
    if isinstance(row["best_lever"], str):
        notes.append(
            tr(
                "assessment.lever",
                name=markdown_literal(row["community_name"]),
                component=tr(f"assessment.component.{row['best_lever']}"),
                gain=tr.number(row["best_lever_gain"], "score"),
            )
        )
    st.caption(" ".join(notes))


# ---- a measure in words and figures -----------------------------------------------------------


def _value_text(tr: Translator, row: pd.Series) -> str:
    if pd.isna(row["value"]):
        return tr("profile.no_value")
    kind = row["kind"]
    number = tr.change(row["value"], kind) if row["measure"] == "seat_gap" else tr.number(row["value"], kind)
    return tr(f"profile.unit.{row['measure']}", value=number)


def _diff_text(tr: Translator, row: pd.Series) -> str:
    """How far from the district median, without a sign (the words say which way)."""
    size = abs(float(row["diff_from_median"]))
    if row["kind"] == "share":
        return tr("profile.points", value=f"{size * 100:.1f}")
    return tr(f"profile.unit.{row['measure']}", value=tr.number(size, row["kind"]))


def comparison_text(tr: Translator, row: pd.Series) -> str:
    """Above, below or level with the district median, by how much."""
    diff = row["diff_from_median"]
    if pd.isna(diff) or abs(float(diff)) < 1e-9:
        return tr("profile.level")
    return tr("profile.above" if diff > 0 else "profile.below", diff=_diff_text(tr, row))


def quarter_text(tr: Translator, row: pd.Series) -> str:
    """The words for a community in its district's best or worst quarter on a measure, else nothing."""
    position = row["position"]
    if pd.isna(position) or 0.25 < position < 0.75:
        return ""
    best = position >= 0.75
    high = best if row["better"] == "higher" else not best
    return tr("profile.quarter.high" if high else "profile.quarter.low")


def point_line(tr: Translator, row: pd.Series) -> str:
    """One strength or weakness in plain words, e.g. "总体满意度 4.21 分，高于全区中位数 0.40 分，
    排名第 3/79，属全区最高的四分之一"."""
    return tr(
        "profile.point",
        measure=tr(f"profile.measure.{row['measure']}"),
        value=_value_text(tr, row),
        comparison=comparison_text(tr, row),
        rank=int(row["rank"]),
        n=int(row["n_ranked"]),
        quarter=quarter_text(tr, row),
    )


def point_lines(tr: Translator, positions: pd.DataFrame) -> tuple[str, str]:
    """The strongest and the weakest points as markdown lists (or a sentence saying there are none)."""
    strong, weak = strengths_and_weaknesses(positions)

    def listed(rows: pd.DataFrame, none_key: str) -> str:
        if rows.empty:
            return tr(none_key)
        return "\n".join(f"- {point_line(tr, row)}" for _, row in rows.iterrows())

    return listed(strong, "profile.no_strengths"), listed(weak, "profile.no_weaknesses")


def position_rows(tr: Translator, positions: pd.DataFrame) -> pd.DataFrame:
    """The ranked measures with their display names, in the order of the themes."""
    placed = positions.dropna(subset=["position"]).copy()
    placed["label"] = [tr(f"profile.measure.{m}") for m in placed["measure"]]
    return placed


def standard_text(tr: Translator, row: pd.Series, seats: object = None) -> str | None:
    """The measure's standard and whether the community meets it, in one short line.

    Its source is cited once, in the sources expander under the themes
    (:func:`standard_sources`): quoted under every card it took three lines a card.
    """
    if pd.isna(row["standard"]):
        return None
    kind = row["kind"]
    standard = tr(
        f"profile.standard.{row['measure']}",
        value=tr.number(row["standard"], kind),
        seats=tr.number(seats) if seats is not None and pd.notna(seats) else "—",
    )
    verdict = "unknown" if pd.isna(row["meets_standard"]) else "pass" if row["meets_standard"] else "fail"
    return f"{standard} · {tr(f'profile.verdict.{verdict}')}"


def measure_metric(tr: Translator, row: pd.Series) -> None:
    """The measure's value, its distance from the district median as the delta, rank in the help."""
    delta = None
    if pd.notna(row["diff_from_median"]):
        kind = row["kind"]
        # The overview's arrows are "on last year": these say on the card what they compare with.
        delta = tr("profile.delta", change=tr.change(row["diff_from_median"], kind))
    colour = {"higher": "normal", "lower": "inverse"}.get(row["better"], "off")
    median = tr.number(row["district_median"], row["kind"])
    if pd.notna(row["rank"]):
        help_text = tr("profile.rank_help", median=median, rank=int(row["rank"]), n=int(row["n_ranked"]))
    else:
        help_text = tr("profile.median_help", median=median)
    st.metric(
        tr(f"profile.measure.{row['measure']}"),
        _value_text(tr, row),
        delta=delta,
        delta_color=colour,
        help=help_text,
        border=True,
    )


def theme_panel(
    tr: Translator,
    theme: str,
    positions: pd.DataFrame,
    notes: list[str],
    seats: object = None,
    measure_notes: dict[str, str] | None = None,
) -> None:
    """One theme: its measures against the district median, their standards, then ``notes``.

    ``measure_notes`` are captions under one measure's card (the counts behind a rate),
    where they are read with the figure rather than after the theme's last card.
    """
    st.subheader(tr(f"nav.{theme}"))
    for _, row in positions[positions["theme"] == theme].iterrows():
        measure_metric(tr, row)
        for caption in (standard_text(tr, row, seats), (measure_notes or {}).get(row["measure"])):
            if caption:
                st.caption(caption)
    for note in notes:
        st.markdown(note)


# ---- theme details ---------------------------------------------------------------------------


def satisfaction_notes(tr: Translator, happy: pd.DataFrame, min_n: int) -> list[str]:
    """The mean's interval and n, or why there is no mean."""
    if happy.empty:
        return [tr("profile.satisfaction_none")]
    row = happy.iloc[0]
    if row["suppressed"]:
        return [tr("profile.satisfaction_suppressed", n=int(row["n"]), min_n=min_n)]
    return [
        tr(
            "profile.satisfaction_interval",
            low=tr.number(row["ci_low"], "mean"),
            high=tr.number(row["ci_high"], "mean"),
            n=tr.number(row["n"]),
        )
    ]


def headcount_text(tr: Translator, headcount: float) -> str:
    """An average headcount: whole when it is (4), else with its half (2.5) — the mean of two counts."""
    return tr.number(headcount) if float(headcount).is_integer() else tr.number(headcount, "rate")


def turnover_counts(tr: Translator, separations: object, headcount: object) -> str | None:
    """The counts behind a turnover rate, "离职 3 人，平均在岗 2.5 人"; None without them."""
    if pd.isna(separations) or pd.isna(headcount):
        return None
    return tr("profile.turnover_counts", separations=tr.number(separations), headcount=headcount_text(tr, headcount))


def turnover_notes(tr: Translator, rows: pd.DataFrame) -> list[str]:
    """Each turnover row's counts, for the trend's hover (empty where the counts are unknown)."""
    pairs = zip(rows["separations"], rows["average_headcount"], strict=True)
    return [turnover_counts(tr, left, mean) or "" for left, mean in pairs]


def turnover_over_text(tr: Translator, rows: pd.DataFrame) -> str | None:
    """Why a turnover point passes 100 %: the years it does, with their counts; None if none does.

    A rate is leavers over the *average* headcount, so a committee of three that loses
    four people in a year (some hired and gone within it) shows 133 %: true, but alarming
    unless the counts are beside it.
    """
    over = rows[rows["value"] > 1]
    if over.empty:
        return None
    # Each year's counts hold a comma of their own, so the years are set apart by "；".
    counts = tr("profile.turnover_separator").join(
        tr("profile.turnover_year", year=int(year), counts=turnover_counts(tr, left, mean))
        for year, left, mean in zip(over["year"], over["separations"], over["average_headcount"], strict=True)
    )
    years = tr.join(tr("profile.year", year=int(year)) for year in over["year"])
    return tr("profile.turnover_over", years=years, counts=counts)


def measure_notes(tr: Translator, trends: pd.DataFrame, year: int) -> dict[str, str]:
    """Captions under measures' cards: this year's turnover counts under the turnover rate."""
    rows = trends[(trends["measure"] == "turnover_rate") & (trends["year"] == year)]
    if rows.empty:
        return {}
    counts = turnover_counts(tr, rows["separations"].iloc[0], rows["average_headcount"].iloc[0])
    return {"turnover_rate": tr("profile.turnover_this_year", counts=counts)} if counts else {}


def facility_notes(
    tr: Translator, rooms: pd.DataFrame, profile: Profile, bill: pd.DataFrame | None = None
) -> list[str]:
    """The profile's rules grouped by outcome, failed first; then what is missing, in plain units;
    then what reaching the standard would cost (``bill``: the community's standard_gap row).

    One line per outcome ("未达标：经费"), not a line per rule: six rules took a column's
    worth of height, and the failed ones are what a reader looks for. The bill sits beside
    them, so what fails and what it costs to mend are read together.
    """
    notes = []
    if rooms.empty or pd.isna(rooms["year"].iloc[0]):
        notes.append(tr("profile.no_facility"))
    else:
        row = rooms.iloc[0]
        lines = [f"**{tr('profile.rules_title', profile=profile.name(tr.lang))}**"]
        notes.append("  \n".join(lines + facility_readings.rule_lines(tr, row, profile)))
        shortfall = facility_readings.shortfall_text(tr, row)
        if shortfall:
            notes.append(tr("profile.shortfall", text=shortfall))
    if bill is not None and not bill.empty:  # one line with what is missing, to keep the page short
        priced = tr("cost.bill.titled", text=gap_readings.community_bill(tr, bill.iloc[0], brief=True))
        notes[-1] = f"{notes[-1]}  \n{priced}" if notes else priced
    return notes


def standard_sources(tr: Translator, positions: pd.DataFrame, profile: Profile) -> str:
    """Where each standard on the page comes from: the measures' standards, then the facility
    rules of the profile, one line each."""
    # The share of rules met is sourced by the rules themselves, listed after the measures.
    measures = positions.dropna(subset=["standard"]).query("measure != 'rules_passed_share'")
    lines = [
        "- "
        + tr("profile.rule_source", rule=tr(f"profile.measure.{measure}"), source=widgets.source_text(source, tr.lang))
        for measure, source in zip(measures["measure"], measures["standard_source"], strict=True)
        if isinstance(source, str | dict) and source
    ]
    lines += [
        "- " + tr("profile.rule_source", rule=tr(f"col.{rule.column}"), source=rule.source(tr.lang))
        for rule in profile.facility_rules
    ]
    return "\n".join(lines)
