"""Cost to standard (达标测算): what it would take to bring every community up to the standard,
and, with this year's money, which communities go first."""

import streamlit as st

from community_eval.app import cache, cost_view, page_frame, view_state, widgets
from community_eval.core.safety import markdown_literal
from community_eval.figures import standard_gap as figures
from community_eval.indicators import standard_gap
from community_eval.readings import standard_gap as readings

#: Streets (or types) the bill by group draws: the largest bills; the table has every community.
GROUPS_DRAWN = 6
#: Communities listed beside the curve, funded and waiting each: the first in the order.
LISTED = 4

tr, view = page_frame.page()
st.title(tr("cost.title"))
if view.year is None:
    widgets.empty_state(tr)
    st.stop()
st.caption(view_state.scope_text(tr, view) + " · " + tr("cost.caption"))
profile = view.standards_profile

# Everything is priced with the unit costs, read first; their inputs are drawn after the
# budget, beside their notes: the page opens on the bill, not on the inputs.
costs = cost_view.chosen_costs(cache.standards())
common = {"standards": True, "profile": view.profile, "costs": costs}
rows = cache.compute(standard_gap.standard_gap, view.filters, view.year, **common)
if rows.empty:  # a filter that leaves no community
    widgets.empty_state(tr)
    st.stop()
total = cache.compute(standard_gap.gap_rollup, view.filters, view.year, **common).iloc[0]

# The district's bill: one-off and yearly, never added, the quantities behind them and, beside
# them, what it pays for.
widgets.takeaway(readings.bill_takeaway(tr, total, profile.name(tr.lang), view.year))
summary, parts = st.columns([2, 3])
for column, label in (("one_off_yuan", "cost.one_off_bill"), ("annual_yuan", "cost.annual_bill")):
    summary.metric(tr(label), tr.number(total[column], "yuan_large"), help=tr.number(total[column], "yuan"))
summary.markdown(" · ".join(f"{label} **{value}**" for label, value in readings.quantities(tr, total)))
note = readings.unknown_note(tr, total)
if note:
    summary.caption(note)
widgets.chart(figures.bill_parts(tr, total, view.year).figure, key="cost_parts", where=parts)

# The budget: what this year's money buys, in the order chosen; the curve, and beside it the
# first communities funded and the first that wait.
st.subheader(tr("cost.budget_title"))
st.caption(tr("cost.policy_note"))
choice, one_off, yearly = st.columns([1, 2, 2])
order = cost_view.order_choice(tr, where=choice)
budgets = cost_view.budget_sliders(tr, (float(total["one_off_yuan"]), float(total["annual_yuan"])), (one_off, yearly))
plan = cache.compute(
    standard_gap.budget_plan, view.filters, view.year, *budgets, order=order, weights=view.weights, **common
)
if plan.empty:
    st.info(tr("cost.nothing_to_fund"), icon=":material/check_circle:")
else:
    widgets.takeaway(readings.plan_takeaway(tr, plan, budgets, order))
    curve, lists = st.columns([3, 2])
    shown = figures.budget_curve(tr, plan, view.year, order, budgets)
    widgets.chart(shown.figure, key="cost_curve", where=curve)
    if shown.caption:
        curve.caption(shown.caption)
    for chosen, title in ((True, "cost.funded_title"), (False, "cost.waiting_title")):
        group = plan[plan["funded"] == chosen]
        lines = [f"- {markdown_literal(line)}" for line in readings.plan_lines(tr, group.head(LISTED))]
        lists.markdown(f"**{tr(title)}**\n\n" + ("\n".join(lines) if lines else tr("cost.none_listed")))
        if len(group) > LISTED:
            lists.caption(tr("cost.more_in_table", n=LISTED, total=len(group)))

cost_view.costs_editor(tr, cache.standards())

# The bill by street and by community type, side by side.
left, right = st.columns(2)
for column, level in ((left, "street"), (right, "community_type")):
    groups = widgets.label_groups(
        tr, cache.compute(standard_gap.gap_rollup, view.filters, view.year, level=level, **common), level
    )
    shown = figures.bill_by_group(tr, groups, level, view.year, limit=GROUPS_DRAWN)
    widgets.chart(shown.figure, key=f"cost_bill_{level}", where=column)
    if shown.caption:
        column.caption(shown.caption)

widgets.indicator_table(
    tr,
    readings.page_table(tr, rows),
    standard_gap.STANDARD_GAP.shown_columns(),
    standard_gap.STANDARD_GAP,
    key_columns=("community_name", "one_off_yuan", "annual_yuan", "parts_unknown"),
)
