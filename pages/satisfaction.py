"""Resident satisfaction: weighted means with 95 % intervals, every item's answers, the
change since the last survey and differences between respondent groups — never a figure
over fewer than min_n responses."""

import streamlit as st

from community_eval.app import cache, items_section, page_frame, view_state, widgets
from community_eval.core.safety import markdown_literal
from community_eval.figures import satisfaction as figures
from community_eval.indicators import satisfaction
from community_eval.readings import disclosure

tr, view = page_frame.page()
st.title(tr("satisfaction.title"))
min_n = cache.standards().min_n
happy = (
    cache.compute(satisfaction.satisfaction, view.filters, view.year, min_n, level="community") if view.year else None
)
if happy is None or happy.empty:
    widgets.empty_state(tr)
    st.stop()
st.caption(view_state.scope_text(tr, view))

overall = cache.compute(satisfaction.satisfaction, view.filters, view.year, min_n, level="all").iloc[0]
widgets.takeaway(disclosure.overall_reading(tr, overall, min_n))
# What the totals are (residents, not whoever answered) in the expander's title; the formulas
# and the R call that reproduces them one click away, for the researcher who will check.
with st.expander(tr("satisfaction.method_title")):
    st.markdown(tr("satisfaction.method_body", min_n=min_n))
if note := disclosure.withheld_note(tr, overall, min_n):
    st.caption(note)
hidden = happy[happy["suppressed"]]
if not hidden.empty:
    st.caption(
        tr(
            "satisfaction.suppressed_note",
            count=len(hidden),
            min_n=min_n,
            names=markdown_literal("、".join(hidden["group_label"])),
        )
    )

# Community means with their intervals, n beside each name: the lowest and highest first,
# and beside them the change since the previous survey year, for communities large enough in both.
shown = happy[~happy["suppressed"]]
before = cache.compute(satisfaction.satisfaction, view.filters, view.year - 1, min_n, level="community")
means_place, change_place = st.columns(2) if not before.empty else (st.container(), None)
means_chart = means_place.container()
rows, gap = widgets.ranking_rows(
    tr, "satisfaction_means", shown, "mean_overall", widgets.ENDS, tie_break="group_label", where=means_place
)
overall_mean = None if overall["suppressed"] else overall["mean_overall"]
means = figures.means(tr, rows, view.year, overall_mean, ids="group_key", gap=gap)
widgets.chart(means.figure, key="satisfaction_means", where=means_chart)
if change_place is not None:
    paired = happy.merge(before[["group_key", "mean_overall"]], on="group_key", suffixes=("", "_before"))
    paired["change"] = paired["mean_overall"] - paired["mean_overall_before"]
    change_chart = change_place.container()
    rows, _ = widgets.ranking_rows(
        tr,
        "satisfaction_change",
        paired,
        "change",
        widgets.ENDS_SMALL,
        words="fallen_risen",
        tie_break="group_label",
        where=change_place,
    )
    widgets.chart(figures.change(tr, rows, view.year).figure, key="satisfaction_change", where=change_chart)

# Every item's answers, diverging from the neutral middle.
answers = cache.compute(satisfaction.satisfaction_distribution, view.filters, view.year, min_n)
if not answers.empty:
    widgets.chart(figures.items(tr, answers, view.year).figure, key="satisfaction_items")

# Respondent groups, under the same suppression rule.
left, right = st.columns(2)
for column, attribute in ((left, "gender"), (right, "age_group")):
    groups = cache.compute(satisfaction.satisfaction_by_respondent, view.filters, view.year, min_n, attribute)
    shown_groups = disclosure.shown_groups(groups)
    if not shown_groups.empty:
        shown = figures.by_respondent(tr, shown_groups, attribute, view.year)
        widgets.chart(where=column, figure=shown.figure, key=f"satisfaction_{attribute}")
    if not groups.empty and (note := disclosure.groups_note(tr, groups, min_n)):
        column.caption(note)

# The questionnaire's own questions, when it asked any: estimated and withheld as the fixed ones.
items_section.own_questions(tr, view, min_n)

table = happy.rename(columns={"group_label": "community_name"})
table["note"] = [tr("satisfaction.too_few", min_n=min_n) if s else "" for s in table["suppressed"]]
widgets.indicator_table(
    tr,
    table,
    ["community_name", "n", *satisfaction.STATISTICS, "note"],
    satisfaction.SATISFACTION,
    # The overall mean, its share satisfied and its n are the reading (the interval is the
    # chart's; the communities with too few answers are named above). The six item means and
    # the note are for a closer look: four columns are what a phone's width holds.
    key_columns=("community_name", "n", "mean_overall", "top2_share"),
)
