"""Assessment (综合考核): composite scores with their reasons, how much the weights decide, and the year's movement."""

import streamlit as st

from community_eval.app import assessment_view, cache, page_frame, view_state, widgets
from community_eval.core.safety import markdown_literal
from community_eval.figures import assessment as figures
from community_eval.indicators import assessment
from community_eval.readings import assessment as readings

tr, view = page_frame.page()
st.title(tr("assessment.title"))
if view.year is None:
    widgets.empty_state(tr)
    st.stop()
st.caption(view_state.scope_text(tr, view) + " · " + tr("assessment.caption"))

weights = assessment_view.weights_editor(tr, cache.standards())
common = {"standards": True, "profile": view.profile, "weights": weights}
scores = cache.compute(assessment.assessment, view.filters, view.year, **common)
widgets.takeaway(readings.ranking_takeaway(tr, scores))
if scores["composite"].isna().all():
    widgets.empty_state(tr)
    st.stop()


def unrated_group() -> None:
    """Communities lacking a weighted component: what each lacks, its partial composite; no rank."""
    lines = readings.unrated_lines(tr, scores)
    if lines:
        st.subheader(tr("assessment.unrated_title"))
        st.caption(tr("assessment.unrated_note", min_n=cache.standards().min_n))
        st.markdown("\n".join(f"- {markdown_literal(line)}" for line in lines))


if not scores["rated"].any():
    unrated_group()
    st.stop()

# The composite and its parts, best first, rated communities only: the highest and the
# lowest first; a rated community lacking a component of weight 0 is marked.
ranked = scores.dropna(subset=["rank"]).sort_values("rank")
components_chart = st.container()
drawn, gap = widgets.ranking_rows(
    tr, "assessment_components", ranked, "composite", widgets.ENDS, tie_break="community_name"
)
shown = list(ranked.loc[ranked["community_id"].isin(drawn["community_id"]), "community_name"])
# The scores are computed once per view; parts, rank ranges and movement start from them.
parts = cache.compute(assessment.assessment_contributions, scores, standards=True, weights=weights)
components = figures.contributions(tr, ranked, parts, shown, view.year, gap=gap)
widgets.chart(components.figure, key="assessment_components", where=components_chart)
if components.caption:
    st.caption(components.caption)
with st.expander(tr("assessment.levers_title")):
    st.markdown("\n".join(f"- {markdown_literal(line)}" for line in readings.lever_lines(tr, scores, widgets.TOP_N)))
unrated_group()

# How much of each place the weighting decides (ranks under every ±10 % move of the weights),
# and beside it the movement since last year: the two ends of each.
ranges = cache.compute(assessment.assessment_rank_range, scores, standards=True, weights=weights)
previous = cache.compute(
    assessment.assessment, view.filters, view.year - 1, **common
)  # reused when the year moves back
moved = assessment.assessment_change(scores, previous)
stability_place, movement_place = st.columns(2)
widgets.takeaway(readings.stability_takeaway(tr, ranges), where=stability_place)
stability_chart = stability_place.container()
rows, gap = widgets.ranking_rows(
    tr,
    "assessment_stability",
    ranges,
    "rank",
    widgets.ENDS_SMALL,
    words="best_worst",
    tie_break="community_name",
    where=stability_place,
)
widgets.chart(figures.stability(tr, rows, gap=gap).figure, key="assessment_stability", where=stability_chart)

widgets.takeaway(readings.movement_takeaway(tr, moved, view.year), where=movement_place)
if moved["previous_composite"].notna().any():
    movement_chart = movement_place.container()
    rows, _ = widgets.ranking_rows(
        tr,
        "assessment_movement",
        moved.dropna(subset=["rank"]),
        "composite_change",
        widgets.ENDS_SMALL,
        words="fallen_risen",
        tie_break="community_name",
        where=movement_place,
    )
    widgets.chart(figures.movement(tr, rows, view.year).figure, key="assessment_movement", where=movement_chart)

table, columns = readings.ranking_table(tr, scores, ranges, moved)
widgets.indicator_table(
    tr,
    table,
    columns,
    assessment.ASSESSMENT,
    placeholder="",
    # Place, grade and score are the verdict, and whether it is rated says why a place is
    # blank; the parts, the weighting's range, the year's move and the best lever say why,
    # for a closer look (the movement chart above shows who moved most).
    key_columns=("rank", "community_name", "tier", "composite", "rated"),
)
