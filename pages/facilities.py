"""Facility compliance: each community against each rule of the chosen standards, what a
failing community lacks in plain units, premises by tenure, and rates by street and type."""

import streamlit as st

from community_eval.app import cache, page_frame, view_state, widgets
from community_eval.core import collation
from community_eval.core.safety import markdown_literal
from community_eval.core.schema import TENURES
from community_eval.figures import charts
from community_eval.indicators import facility_compliance
from community_eval.readings import extremes

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
profile = cache.standards().profile(view.profile)
judged = rooms.dropna(subset=["year"])
widgets.takeaway(
    tr(
        "facilities.takeaway",
        compliant=int(judged["compliant"].fillna(False).sum()),
        known=int(judged["compliant"].notna().sum()),
        total=len(rooms),
        profile=profile.name(tr.lang),
    )
)
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
widgets.chart(
    charts.status_matrix(
        worst_first.head(MATRIX_ROWS) if everything else failing_rows,
        "community_name",
        rule_columns,
        status_names={status: tr(f"status.{status}") for status in ("pass", "fail", "unknown")},
        title=tr("facilities.chart.matrix", year=view.year, profile=profile.name(tr.lang)),
        x_title=tr("facilities.matrix_axis"),  # the rules, and what the cells' marks mean
        y_title=tr("level.community"),
        marks=True,
    ),
    key="facilities_matrix",
    where=matrix_chart,
)

# What each failing community lacks, in plain units (the communities the grid starts with),
# and beside it floor area per 100 households against the standard line, both ends of it.
lacks, area = st.columns(2) if not failing_rows.empty else (None, st.container())
if lacks is not None:
    lacks.subheader(tr("facilities.shortfall_title"))
    lines = [
        f"- **{markdown_literal(row['community_name'])}**：{widgets.shortfall_text(tr, row)}"
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
widgets.chart(
    charts.ranked_bars(
        rows,
        "community_name",
        "area_per_100_households",
        title=tr("facilities.chart.area", year=view.year),
        value_title=tr("axis.area_per_100_households"),
        label_title=tr("level.community"),
        kind="rate",
        reference=threshold,
        reference_label=tr("facilities.standard_line", value=threshold) if threshold is not None else None,
        ids="community_id",
        gap=gap,
    ),
    key="facilities_area",
    where=area_chart,
)

# Premises by tenure, and compliance rates by street and by community type, side by side.
left, middle, right = st.columns(3)
tenure = cache.compute(facility_compliance.facility_tenure_counts, view.filters, view.year, profile=view.profile)
tenure = tenure[tenure["tenure"] != "none"]
order = [value.code for value in TENURES]
tenure = tenure.set_index("tenure").reindex(order).dropna().reset_index()
tenure["label"] = [tr.enum("tenure", code) for code in tenure["tenure"]]
widgets.chart(
    where=left,
    figure=charts.ranked_bars(
        tenure,
        "label",
        "n_communities",
        title=tr("facilities.chart.tenure", year=view.year),
        value_title=tr("axis.communities"),
        label_title=tr("axis.tenure"),
        kind="int",
        keep_order=True,
    ),
    key="facilities_tenure",
)
for column, level in ((right, "street"), (middle, "community_type")):
    rates = widgets.label_groups(
        tr,
        cache.compute(facility_compliance.facility_rollup, view.filters, view.year, profile=view.profile, level=level),
        level,
    )
    widgets.chart(
        where=column,
        figure=charts.ranked_bars(
            rates,
            "group_label",
            "compliant_share",
            title=tr(f"facilities.chart.rate_{level}", year=view.year),
            value_title=tr("axis.compliant_share"),
            label_title=tr(f"level.{level}"),
            kind="share",
            limit=widgets.ENDS,
            smallest=True,
        ),
        key=f"facilities_rate_{level}",
    )
    if len(rates) > widgets.ENDS:
        column.caption(tr("chart.bottom_n_groups", n=widgets.ENDS, total=len(rates)))

table = rooms.copy()
for column in rule_columns:
    table[column] = [tr(f"status.{status}") if isinstance(status, str) else "" for status in table[column]]
widgets.indicator_table(
    tr,
    table,
    ["community_name", *facility_compliance.MEASURES[1:], *rule_columns, *facility_compliance.COUNTS[:2]],
    "facility_compliance",
    # Rules passed of those that apply is the verdict, area per 100 households the main
    # standard in plain units; each rule's status and the other measures are the detail.
    key_columns=("community_name", "area_per_100_households", "rules_passed", "rules_applicable"),
)
