"""Staff turnover: who is in post, who left this year, and what they are paid."""

import streamlit as st

from community_eval import charts, ui

tr = ui.translator()
view = ui.view()
st.title(tr("staff.title"))
people = ui.compute("staff_turnover", view.filters, view.year, standards=True) if view.year else None
if people is None or people["headcount_end"].sum() == 0:
    ui.empty_state(tr)
    st.stop()
st.caption(ui.scope_text(tr, view))

total = ui.compute("staff_turnover", view.filters, view.year, standards=True, level="all").iloc[0]
ui.takeaway(
    tr(
        "staff.takeaway",
        in_post=tr.number(total["headcount_end"]),
        separations=tr.number(total["separations"]),
        rate=tr.number(total["turnover_rate"], "share"),
        pay=tr.number(total["median_pay"], "yuan"),
    )
)

st.plotly_chart(
    charts.ranked_bars(
        people,
        "group_label",
        "turnover_rate",
        title=tr("staff.chart.turnover", year=view.year),
        value_title=tr("axis.turnover_rate"),
        label_title=tr("level.community"),
        kind="share",
    ),
    key="staff_turnover",
)

st.subheader(tr("table.title"))
ui.show_table(
    tr,
    people.rename(columns={"group_label": "community_name"}),
    [
        "community_name",
        "headcount_start",
        "headcount_end",
        "hires",
        "separations",
        "turnover_rate",
        "certified_share",
        "median_pay",
        "pay_to_reference",
    ],
)
