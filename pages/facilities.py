"""Facility compliance: each community against each rule of the chosen standards, what a
failing community lacks in plain units, premises by tenure, and rates by street and type."""

import streamlit as st

from community_eval import charts, collation, metrics, ui
from community_eval.safety import markdown_literal
from community_eval.schema import TENURES

#: Rows of the rules matrix: every community of a district; beyond that, the worst.
MATRIX_ROWS = 120

tr, view = ui.page()
st.title(tr("facilities.title"))
rooms = ui.compute("facility_compliance", view.filters, view.year, profile=view.profile) if view.year else None
if rooms is None or rooms["year"].isna().all():
    ui.empty_state(tr)
    st.stop()
st.caption(ui.scope_text(tr, view))
profile = ui.standards().profile(view.profile)
judged = rooms.dropna(subset=["year"])
ui.takeaway(
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

# Communities × rules: pass, fail or unknown; a district's every community, a province's worst.
rule_columns = {rule.column: tr(f"col.{rule.column}") for rule in profile.facility_rules}
worst_first = collation.sort_frame(judged, ["rules_passed", "community_name"], names={"community_name"})
ui.chart(
    charts.status_matrix(
        worst_first.head(MATRIX_ROWS),
        "community_name",
        rule_columns,
        status_names={status: tr(f"status.{status}") for status in ("pass", "fail", "unknown")},
        title=tr("facilities.chart.matrix", year=view.year, profile=profile.name(tr.lang)),
        x_title=tr("axis.rule"),
        y_title=tr("level.community"),
    ),
    key="facilities_matrix",
)
if len(judged) > MATRIX_ROWS:
    st.caption(tr("chart.bottom_n", n=MATRIX_ROWS, total=len(judged)))

# What each failing community lacks, in plain units.
failing = worst_first[worst_first["compliant"].eq(False)]
if not failing.empty:
    st.subheader(tr("facilities.shortfall_title"))
    lines = [
        f"- **{markdown_literal(row['community_name'])}**：{ui.shortfall_text(tr, row)}"
        for _, row in failing.head(ui.TOP_N).iterrows()
    ]
    st.markdown("\n".join(lines))
    if len(failing) > ui.TOP_N:
        st.caption(tr("facilities.more_failing", n=ui.TOP_N, total=len(failing)))

# Floor area per 100 households against the standard line.
threshold = profile.facility_params()["min_area_per_100_households"]
ui.chart(
    charts.ranked_bars(
        judged,
        "community_name",
        "area_per_100_households",
        title=tr("facilities.chart.area", year=view.year),
        value_title=tr("axis.area_per_100_households"),
        label_title=tr("level.community"),
        kind="decimal",
        reference=threshold,
        reference_label=tr("facilities.standard_line", value=threshold) if threshold is not None else None,
        limit=ui.TOP_N,
        smallest=True,
        ids="community_id",
    ),
    key="facilities_area",
)
ui.top_note(tr, int(judged["area_per_100_households"].notna().sum()), smallest=True)

# Premises by tenure, and compliance rates by street and by community type.
left, right = st.columns(2)
tenure = ui.compute("facility_tenure_counts", view.filters, view.year, profile=view.profile)
tenure = tenure[tenure["tenure"] != "none"]
order = [value.code for value in TENURES]
tenure = tenure.set_index("tenure").reindex(order).dropna().reset_index()
tenure["label"] = [tr.enum("tenure", code) for code in tenure["tenure"]]
ui.chart(
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
for column, level in ((right, "street"), (left, "community_type")):
    rates = ui.label_groups(
        tr, ui.compute("facility_rollup", view.filters, view.year, profile=view.profile, level=level), level
    )
    if level == "street":
        rates["group_label"] = rates["group_key"].str.split(" · ").str[-1]
    ui.chart(
        where=column,
        figure=charts.ranked_bars(
            rates,
            "group_label",
            "compliant_share",
            title=tr(f"facilities.chart.rate_{level}", year=view.year),
            value_title=tr("axis.compliant_share"),
            label_title=tr(f"level.{level}"),
            kind="share",
            limit=ui.TOP_N,
            smallest=True,
        ),
        key=f"facilities_rate_{level}",
    )
    if len(rates) > ui.TOP_N:
        column.caption(tr("chart.bottom_n_groups", n=ui.TOP_N, total=len(rates)))

table = rooms.copy()
for column in rule_columns:
    table[column] = [tr(f"status.{status}") if isinstance(status, str) else "" for status in table[column]]
ui.indicator_table(
    tr,
    table,
    ["community_name", *metrics.FACILITY_MEASURES[1:], *rule_columns, *metrics.FACILITY_COUNTS[:2]],
    f"facility_compliance_{view.year}",
)
