"""Facility compliance: premises, rooms, tenure and funds against the chosen standards."""

import streamlit as st

from community_eval import charts, ui

tr = ui.translator()
view = ui.view()
st.title(tr("facilities.title"))
rooms = ui.compute("facility_compliance", view.filters, view.year, profile=view.profile) if view.year else None
if rooms is None or rooms["year"].isna().all():
    ui.empty_state(tr)
    st.stop()
st.caption(ui.scope_text(tr, view))
profile = ui.standards().profile(view.profile)

known = rooms["compliant"].notna().sum()
ui.takeaway(
    tr(
        "facilities.takeaway",
        compliant=int(rooms["compliant"].fillna(False).sum()),
        known=int(known),
        total=len(rooms),
        profile=profile.name(tr.lang),
    )
)

threshold = profile.facility_params()["min_area_per_100_households"]
st.plotly_chart(
    charts.ranked_bars(
        rooms,
        "community_name",
        "area_per_100_households",
        title=tr("facilities.chart.area", year=view.year),
        value_title=tr("axis.area_per_100_households"),
        label_title=tr("level.community"),
        kind="decimal",
        reference=threshold,
        reference_label=tr("facilities.standard_line", value=threshold) if threshold is not None else None,
    ),
    key="facilities_area",
)

st.subheader(tr("facilities.rules_title"))
for rule in profile.facility_rules:
    st.markdown(f"- **{tr(f'rule.{rule.name}')}** — {tr('facilities.source')}{rule.source(tr.lang)}")
rule_columns = [rule.column for rule in profile.facility_rules]
table = rooms.copy()
for column in rule_columns:
    table[column] = [tr(f"status.{status}") for status in table[column]]
ui.show_table(
    tr,
    table,
    [
        "community_name",
        "year",
        "total_area_m2",
        "area_per_100_households",
        "resident_space_share",
        "budget_per_100_households",
        *rule_columns,
        "rules_passed",
        "rules_applicable",
    ],
)
