"""Resident satisfaction: weighted means per community, small groups never shown."""

import streamlit as st

from community_eval import charts, ui

tr = ui.translator()
view = ui.view()
st.title(tr("satisfaction.title"))
min_n = ui.standards().min_n
happy = ui.compute("satisfaction", view.filters, view.year, min_n, level="community") if view.year else None
if happy is None or happy.empty:
    ui.empty_state(tr)
    st.stop()
st.caption(ui.scope_text(tr, view))

overall = ui.compute("satisfaction", view.filters, view.year, min_n, level="all")
hidden = int(happy["suppressed"].sum())
if not overall.empty and not overall["suppressed"].iloc[0]:
    ui.takeaway(
        tr(
            "satisfaction.takeaway",
            mean=tr.number(overall["mean_overall"].iloc[0], "decimal"),
            top2=tr.number(overall["top2_share"].iloc[0], "share"),
            n=tr.number(overall["n"].iloc[0]),
        )
    )
if hidden:
    st.caption(tr("satisfaction.suppressed_note", count=hidden, min_n=min_n))

st.plotly_chart(
    charts.ranked_bars(
        happy,
        "group_label",
        "mean_overall",
        title=tr("satisfaction.chart.mean", year=view.year),
        value_title=tr("axis.mean_overall"),
        label_title=tr("level.community"),
        kind="decimal",
    ),
    key="satisfaction_mean",
)

st.subheader(tr("table.title"))
table = happy.rename(columns={"group_label": "community_name"})
table["note"] = [tr("satisfaction.too_few", min_n=min_n) if hidden else "" for hidden in table["suppressed"]]
ui.show_table(tr, table, ["community_name", "n", "mean_overall", "ci_low", "ci_high", "top2_share", "note"])
