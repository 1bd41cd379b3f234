"""Facility compliance: each community against each rule of the chosen standards, what a
failing community lacks in plain units, premises by tenure, and rates by street and type."""

import streamlit as st

from community_eval.app import cache, page_frame, view_state, widgets
from community_eval.core import collation
from community_eval.core.safety import markdown_literal
from community_eval.figures import facility_compliance as figures
from community_eval.indicators import facility_compliance
from community_eval.readings import extremes
from community_eval.readings import facility_compliance as readings

#: Rows of the rules matrix: every community of a district; beyond that, the worst.
MATRIX_ROWS = 120

tr, view = page_frame.page()
st.title(tr("facilities.title"))
rooms = (
    cache.compute(facility_compliance.facility_compliance, view.filters, view.year, profile=view.profile)
    if view.year
    else None
)
if rooms is None or rooms["year"].isna().all():
    widgets.empty_state(tr)
    st.stop()
st.caption(view_state.scope_text(tr, view))
profile = view.standards_profile
judged = rooms.dropna(subset=["year"])
widgets.takeaway(readings.takeaway(tr, rooms, profile))
missing = rooms[rooms["year"].isna()]
if not missing.empty:
    st.caption(
        tr("facilities.no_record", count=len(missing), names=markdown_literal("、".join(missing["community_name"])))
    )

with st.expander(tr("facilities.rules_title"), expanded=False):
    for rule in profile.facility_rules:
        st.markdown(f"- **{tr(f'rule.{rule.name}')}** — {tr('facilities.source')}{rule.source(tr.lang)}")

# Communities × rules: those that fail most first, only failing ones until the reader asks
# for every community (a district's all; a province's worst MATRIX_ROWS).
rule_columns = {rule.column: tr(f"col.{rule.column}") for rule in profile.facility_rules}
fewest_passed = ["rules_passed", "community_name"]
worst_first = collation.sort_frame(judged, fewest_passed, names={"community_name"})
matrix_chart = st.container()
failing_rows, failing_count = extremes.worst_failing(judged, "compliant", fewest_passed, widgets.ENDS)
everything = failing_count == 0 or widgets.full_list_switch(
    tr,
    "facilities_matrix",
    tr(
        "facilities.matrix_failing" if failing_count > widgets.ENDS else "facilities.matrix_failing_all",
        n=widgets.ENDS,
        failing=failing_count,
        total=len(judged),
    ),
)
if everything and len(judged) > MATRIX_ROWS:
    st.caption(tr("chart.bottom_n", n=MATRIX_ROWS, total=len(judged)))
rows = worst_first.head(MATRIX_ROWS) if everything else failing_rows
shown = figures.matrix(tr, rows, rule_columns, view.year, profile.name(tr.lang))
widgets.chart(shown.figure, key="facilities_matrix", where=matrix_chart)

# What each failing community lacks, in plain units (the communities the grid starts with),
# and beside it floor area per 100 households against the standard line, both ends of it.
lacks, area = st.columns(2) if not failing_rows.empty else (None, st.container())
if lacks is not None:
    lacks.subheader(tr("facilities.shortfall_title"))
    lines = [
        f"- **{markdown_literal(row['community_name'])}**：{readings.shortfall_text(tr, row)}"
        for _, row in failing_rows.iterrows()
    ]
    lacks.markdown("\n".join(lines))
    if failing_count > len(failing_rows):
        lacks.caption(tr("facilities.more_failing", n=len(failing_rows), total=failing_count))
threshold = profile.facility_params()["min_area_per_100_households"]
area_chart = area.container()
rows, gap = widgets.ranking_rows(
    tr, "facilities_area", judged, "area_per_100_households", widgets.ENDS_SMALL, tie_break="community_name", where=area
)
shown = figures.area(tr, rows, view.year, threshold, ids="community_id", gap=gap)
widgets.chart(shown.figure, key="facilities_area", where=area_chart)

# Premises by tenure, and compliance rates by street and by community type, side by side.
left, middle, right = st.columns(3)
tenure = cache.compute(facility_compliance.facility_tenure_counts, view.filters, view.year, profile=view.profile)
shown = figures.tenure(tr, figures.tenure_rows(tr, tenure), view.year)
widgets.chart(where=left, figure=shown.figure, key="facilities_tenure")
for column, level in ((right, "street"), (middle, "community_type")):
    rates = widgets.label_groups(
        tr,
        cache.compute(facility_compliance.facility_rollup, view.filters, view.year, profile=view.profile, level=level),
        level,
    )
    shown = figures.rate(tr, rates, level, view.year, widgets.ENDS)
    widgets.chart(where=column, figure=shown.figure, key=f"facilities_rate_{level}")
    if shown.caption:
        column.caption(shown.caption)

table = rooms.copy()
for column in rule_columns:
    table[column] = [tr(f"status.{status}") if isinstance(status, str) else "" for status in table[column]]
widgets.indicator_table(
    tr,
    table,
    ["community_name", *facility_compliance.MEASURES[1:], *rule_columns, *facility_compliance.COUNTS[:2]],
    facility_compliance.FACILITY_COMPLIANCE,
    # Rules passed of those that apply is the verdict, area per 100 households the main
    # standard in plain units; each rule's status and the other measures are the detail.
    key_columns=("community_name", "area_per_100_households", "rules_passed", "rules_applicable"),
)
