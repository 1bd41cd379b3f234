"""Overview: the district at a glance — headline figures with their change, one chart per theme."""

import streamlit as st

from community_eval import charts, indicators, ui

tr, view = ui.page()
st.title(tr("overview.title"))
if view.year is None:
    ui.empty_state(tr)
    st.stop()
st.caption(ui.scope_text(tr, view))

HEADLINE_KINDS = {
    "communities": "int",
    "residents": "int",
    "staff_in_post": "int",
    "mean_satisfaction": "mean",
    "compliant_share": "share",
    "turnover_rate": "share",
    "admin_hours_share": "share",
}
# Rising is bad for these two; the delta arrow turns red when they go up.
WORSE_WHEN_HIGHER = {"turnover_rate", "admin_hours_share"}
STATIC = {"communities", "residents"}

# Each year's figures are cached on their own, so stepping the year back reuses one of them.
now, before = (
    ui.compute("headline_values", view.filters, year, standards=True, profile=view.profile)
    for year in (view.year, view.year - 1)
)
headlines = indicators.combine_headlines(now, before)
columns = st.columns(4) + st.columns(3)
for column, figure in zip(columns, headlines, strict=True):
    kind = HEADLINE_KINDS[figure.key]
    delta = None
    if figure.key not in STATIC and figure.change is not None:
        delta = tr("overview.delta", change=tr.change(figure.change, kind))
    column.metric(
        tr(f"headline.{figure.key}"),
        tr.number(figure.value, kind),
        delta=delta,
        delta_color="inverse" if figure.key in WORSE_WHEN_HIGHER else "normal",
        help=tr(f"headline_help.{figure.key}"),
        border=True,
    )

level = ui.chart_level(view)
group_title = tr(f"level.{level}")
burden = ui.label_groups(tr, ui.compute("task_burden", view.filters, view.year, level=level), level)
happy = ui.compute("satisfaction", view.filters, view.year, ui.standards().min_n, level=level)
rooms = ui.compute("facility_compliance", view.filters, view.year, profile=view.profile, level=level)
rollup = ui.compute("facility_rollup", view.filters, view.year, profile=view.profile, level=level)
people = ui.compute("staff_turnover", view.filters, view.year, standards=True, level=level)
labels = burden.set_index("group_key")["group_label"]
rollup["group_label"] = rollup["group_key"].map(labels)

themes = [
    (burden, "admin_hours_share", "share", "task_burden", "pages/task_burden.py"),
    (happy, "mean_overall", "mean", "satisfaction", "pages/satisfaction.py"),
    (rollup, "compliant_share", "share", "facilities", "pages/facilities.py"),
    (people, "turnover_rate", "share", "staff", "pages/staff.py"),
]
left, right = st.columns(2)
for index, (frame, value, kind, theme, page) in enumerate(themes):
    with left if index % 2 == 0 else right:
        if frame[value].notna().any():
            figure = charts.ranked_bars(
                frame,
                "group_label",
                value,
                title=tr(f"overview.chart.{theme}", year=view.year),
                value_title=tr(f"axis.{value}"),
                label_title=group_title,
                kind=kind,
                ids="group_key" if level == "community" else None,
            )
            ui.chart(figure, key=f"overview_{theme}")
        else:
            st.subheader(tr(f"overview.chart.{theme}", year=view.year))
            ui.empty_state(tr)
        st.page_link(page, label=tr(f"overview.open.{theme}"), icon=":material/arrow_forward:")
