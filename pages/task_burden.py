"""Task burden: who carries the most work handed down, what kind, from which departments,
and whether administrative load goes with lower resident satisfaction."""

import streamlit as st

from community_eval.app import cache, page_frame, view_state, widgets
from community_eval.figures import task_burden as figures
from community_eval.indicators import task_burden
from community_eval.readings import task_burden as readings

tr, view = page_frame.page()
st.title(tr("task_burden.title"))
burden = cache.compute(task_burden.task_burden, view.filters, view.year, level="community") if view.year else None
if burden is None or burden["tasks"].isna().all():
    widgets.empty_state(tr)
    st.stop()
st.caption(view_state.scope_text(tr, view))
with_tasks = burden.dropna(subset=["tasks"])
total = cache.compute(task_burden.task_burden, view.filters, view.year, level="all").iloc[0]
widgets.takeaway(readings.takeaway(tr, total))

# Who carries the most, and the least: tasks and residents per staff member in post.
left, right = st.columns(2)
for column, value in ((left, "tasks_per_staff"), (right, "residents_per_staff")):
    place = column.container()
    rows, gap = widgets.ranking_rows(
        tr, f"burden_{value}", with_tasks, value, widgets.ENDS_SMALL, tie_break="group_label", where=column
    )
    shown = figures.per_staff(tr, rows, value, view.year, ids="group_key", gap=gap)
    widgets.chart(where=place, figure=shown.figure, key=f"burden_{value}")

# Where staff time goes, and beside it the core question (does administrative load go with
# lower satisfaction?) and the monthly trend: side by side, the left's share is the right's x.
left, right = st.columns(2)
with left:
    level = st.segmented_control(
        tr("task_burden.hours_by"),
        ["community", "street"],
        default=view_state.chart_level(view),
        format_func=lambda key: tr(f"level.{key}"),
        key="burden_hours_level",
        # The chart's title under it says what is split; the label would only repeat it.
        label_visibility="collapsed",
    ) or view_state.chart_level(view)
hours = widgets.label_groups(
    tr, cache.compute(task_burden.task_hours_by_category, view.filters, view.year, level=level), level
)
# A long list of groups draws both ends by administrative share, as the chart orders them.
groups = cache.compute(task_burden.task_burden, view.filters, view.year, level=level).dropna(
    subset=["admin_hours_share"]
)
streets = level == "street"
rows, gap = widgets.ranking_rows(
    tr,
    "burden_hours_rows",
    groups,
    "admin_hours_share",
    widgets.ENDS,
    words="lowest_highest_streets" if streets else "lowest_highest",
    label="extremes.show_all_streets" if streets else "extremes.show_all",
    tie_break="group_key",
    where=left,
)
shown = figures.hours(tr, hours, view.year, level, groups=rows["group_key"], gap=gap)
widgets.chart(where=left, figure=shown.figure, key="burden_hours")
left.caption(shown.caption)
points = cache.compute(task_burden.burden_vs_satisfaction, view.filters, view.year, cache.standards().min_n)
if len(points) < 3:
    with right:
        st.subheader(tr("task_burden.relation_title"))
        widgets.empty_state(tr, "task_burden.relation_too_few")
else:
    shown = figures.relation(tr, points, view.year, ids="community_id", height=360)
    widgets.chart(where=right, figure=shown.figure, key="burden_relation")
    right.markdown(readings.relation_reading(tr, points.iloc[0]))
# Under it, the monthly trend of work handed down: context, short, where the column has room.
trend = cache.compute(task_burden.task_monthly_trend, view.filters)
widgets.chart(where=right, figure=figures.trend(tr, trend, height=220).figure, key="burden_trend")

# Which departments hand down the most, and which break the admission and funding rules.
# The departments that hand down most first (the query orders them so); all once asked.
departments = cache.compute(task_burden.task_by_department, view.filters, view.year)
left, right = st.columns(2)
shown_departments = departments.head(widgets.ENDS)
if len(departments) > widgets.ENDS and widgets.full_list_switch(
    tr,
    "burden_departments",
    tr("task_burden.departments_top", n=widgets.ENDS, total=len(departments)),
    label="extremes.show_all_departments",
):
    shown_departments = departments
widgets.chart(where=left, figure=figures.departments(tr, shown_departments, view.year).figure, key="burden_departments")
widgets.chart(where=right, figure=figures.rules(tr, shown_departments, view.year).figure, key="burden_rules")

widgets.indicator_table(
    tr,
    burden.rename(columns={"group_label": "community_name"}),
    task_burden.TASK_BURDEN.shown_columns(),
    task_burden.TASK_BURDEN,
    # How much is handed down, how much of the time is administrative and how heavy it is
    # per worker; the rule breaches and counts by kind are the detail.
    key_columns=("community_name", "tasks", "admin_hours_share", "tasks_per_staff"),
)
