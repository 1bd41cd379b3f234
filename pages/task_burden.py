"""Task burden: who carries the most work handed down, and what kind of work it is."""

import streamlit as st

from community_eval import charts, ui
from community_eval.schema import TASK_CATEGORIES

tr = ui.translator()
view = ui.view()
st.title(tr("task_burden.title"))
burden = ui.compute("task_burden", view.filters, view.year, level="community") if view.year else None
if burden is None or burden["tasks"].isna().all():
    ui.empty_state(tr)
    st.stop()
st.caption(ui.scope_text(tr, view))

busiest = burden.dropna(subset=["tasks_per_staff"]).sort_values("tasks_per_staff", ascending=False)
if not busiest.empty:
    top = busiest.iloc[0]
    ui.takeaway(
        tr("task_burden.takeaway", name=top["group_label"], per_staff=tr.number(top["tasks_per_staff"], "decimal"))
    )

st.plotly_chart(
    charts.ranked_bars(
        burden,
        "group_label",
        "tasks_per_staff",
        title=tr("task_burden.chart.per_staff", year=view.year),
        value_title=tr("axis.tasks_per_staff"),
        label_title=tr("level.community"),
        kind="decimal",
    ),
    key="burden_per_staff",
)

level = ui.chart_level(view)
hours = ui.label_groups(tr, ui.compute("task_hours_by_category", view.filters, view.year, level=level), level)
st.plotly_chart(
    charts.stacked_bars(
        hours,
        "group_label",
        "hours",
        "task_category",
        title=tr("task_burden.chart.hours", year=view.year),
        value_title=tr("axis.hours"),
        label_title=tr(f"level.{level}"),
        kind="int",
        part_names={v.code: tr.enum("task_category", v.code) for v in TASK_CATEGORIES},
    ),
    key="burden_hours",
)

st.subheader(tr("table.title"))
burden = burden.rename(columns={"group_label": "community_name"})
ui.show_table(
    tr,
    burden,
    [
        "community_name",
        "tasks",
        "hours",
        "admin_hours_share",
        "unadmitted_share",
        "unfunded_share",
        "departments",
        "inspections",
        "ledgers",
        "staff_active",
        "tasks_per_staff",
        "residents_per_staff",
    ],
)
