"""Staff turnover: who left and why, how long people stay, what those in post are paid,
and whether communities have the staff the standards ask for."""

import datetime as dt

import pandas as pd
import streamlit as st

from community_eval.app import cache, page_frame, view_state, widgets
from community_eval.figures import staff_retention as retention_figures
from community_eval.figures import staff_turnover as figures
from community_eval.indicators import overview, staff_retention, staff_turnover
from community_eval.readings import staff_turnover as readings

tr, view = page_frame.page()
st.title(tr("staff.title"))
people = cache.compute(staff_turnover.staff_turnover, view.filters, view.year, standards=True) if view.year else None
if people is None or people["headcount_end"].sum() + people["separations"].sum() == 0:
    widgets.empty_state(tr)
    st.stop()
st.caption(view_state.scope_text(tr, view))
standards = cache.standards()
total = cache.compute(staff_turnover.staff_turnover, view.filters, view.year, standards=True, level="all").iloc[0]
# The year in one sentence, and beside it 一肩挑: the share of communities whose secretary
# also holds the residents' committee director's post.
reading, joint = st.columns([3, 1], vertical_alignment="center")
widgets.takeaway(readings.takeaway(tr, total), where=reading)
with_staff = people[people["staff_records"] > 0]
previous = cache.compute(staff_turnover.staff_turnover, view.filters, view.year - 1, standards=True, level="all").iloc[
    0
]
change = total["joint_secretary_director"] - previous["joint_secretary_director"]
joint.metric(
    tr("staff.joint"),
    tr.number(total["joint_secretary_director"], "share"),
    delta=tr("overview.delta", change=tr.change(change, "share")) if pd.notna(change) else None,
    delta_color="off",
    help=tr("staff.joint_help"),
    border=True,
)
reading.caption(tr("staff.joint_note", joint=int(with_staff["joint_secretary_director"].sum()), total=len(with_staff)))

# Turnover over the years, by community this year, and why people left.
left, middle, right = st.columns(3)
by_year = figures.by_year(tr, cache.compute(staff_turnover.turnover_by_year, view.filters, view.year))
widgets.chart(where=left, figure=by_year.figure, key="staff_by_year")
turnover_chart = middle.container()
# The highest only: a third of the sample's communities lost nobody, so a "lowest" end
# would be a few of many zeros picked by name.
rows, gap = widgets.ranking_rows(
    tr, "staff_turnover", people, "turnover_rate", widgets.ENDS, tie_break="group_label", where=middle, high_only=True
)
shown = figures.turnover(tr, rows, view.year, ids="group_key", gap=gap)
widgets.chart(where=turnover_chart, figure=shown.figure, key="staff_turnover")
reasons = cache.compute(staff_turnover.exit_reasons, view.filters, view.year)
widgets.chart(where=right, figure=figures.reasons(tr, reasons, view.year).figure, key="staff_reasons")

# How long people stay: Kaplan–Meier retention by community type or role.
st.subheader(tr("staff.retention_title"), help=tr("staff.retention_help"))
controls = st.columns([2, 2, 3])
by = (
    controls[0].segmented_control(
        tr("staff.retention_by"),
        ["community_type", "role", "all"],
        default="community_type",
        format_func=lambda key: tr(f"staff.by.{key}"),
        key="staff_retention_by",
    )
    or "community_type"
)
retirement_censored = controls[1].toggle(tr("staff.retirement_censored"), key="staff_retirement_censored")
as_of = min(dt.date.today(), dt.date(view.year, 12, 31))
curves = cache.compute(
    staff_retention.retention_curves, view.filters, as_of, by=by, retirement_censored=retirement_censored
)
retention = retention_figures.retention(tr, curves, by, as_of, height=400)
controls[2].caption(retention.caption)
# Beside the curves, how long those in post have served.
stay, served = st.columns([2, 1])
widgets.chart(where=stay, figure=retention.figure, key="staff_retention")
tenure = cache.compute(staff_turnover.tenure_in_post, view.filters, view.year)
widgets.chart(where=served, figure=figures.tenure(tr, tenure, view.year).figure, key="staff_tenure")

# Pay against the reference wage and the village-cadre comparison of the source, and beside
# it staffing against the standards: 3+X seats by population, workers per 10,000 residents.
st.subheader(tr("staff.standards_title"))
staffing = cache.compute(
    staff_turnover.staffing_by_community, view.filters, view.year, standards=True, profile_key=view.profile
)
seats_profile = standards.staffing_profile("committee_size", view.profile)
workers_profile = standards.staffing_profile("min_workers_per_10000_residents", view.profile)
# The section opens with both standards and their sources: the 3+X seats in a sentence, the
# workers per 10,000 residents that the chart's dashed line draws.
intro = []
if seats_profile is not None:
    short = staffing[staffing["seat_gap"] < 0]
    intro.append(
        tr(
            "staff.seats_summary",
            below=len(short),
            total=len(staffing),
            gap=int(-short["seat_gap"].sum()),
            source=widgets.source_text(seats_profile.staffing.get("committee_size_source"), tr.lang),
        )
    )
if workers_profile is not None:
    intro.append(widgets.source_text(workers_profile.staffing.get("workers_source"), tr.lang))
if intro:
    st.markdown(" ".join(intro))
pay_place, workers_place = st.columns(2)
pay = cache.compute(staff_turnover.pay_by_role, view.filters, view.year)
districts = cache.compute(overview.filter_options)["district"].unique()
district = view.filters.district or (districts[0] if len(districts) == 1 else None)
reference = standards.reference_wage(district, view.year)
village = standards.comparisons.get("village_head_monthly_yuan")
widgets.chart(figures.pay(tr, pay, view.year, village).figure, key="staff_pay", where=pay_place)
notes = [tr("staff.village_source", source=widgets.source_text(standards.comparisons.get("source"), tr.lang))]
if reference is not None:
    notes.append(
        tr(
            "staff.reference_note",
            value=tr.number(reference, "yuan"),
            ratio=tr.number(total["median_pay"] / reference, "ratio") if total["median_pay"] else "—",
        )
    )
pay_place.caption(" ".join(notes))

target = workers_profile.staffing_value("min_workers_per_10000_residents") if workers_profile else None
workers_chart = workers_place.container()
rows, gap = widgets.ranking_rows(
    tr,
    "staff_per_10000",
    staffing,
    "workers_per_10000",
    widgets.ENDS_SMALL,
    tie_break="community_name",
    where=workers_place,
)
shown = figures.per_10000(tr, rows, view.year, target, ids="community_id", gap=gap)
widgets.chart(shown.figure, key="staff_per_10000", where=workers_chart)

table = people.rename(columns={"group_label": "community_name"}).merge(
    staffing[["community_id", "seats_expected", "workers_per_10000"]], left_on="group_key", right_on="community_id"
)
widgets.indicator_table(
    tr,
    table,
    [*staff_turnover.STAFF_TURNOVER.shown_columns(), "seats_expected", "workers_per_10000"],
    staff_turnover.STAFF_TURNOVER,
    quiet_zeros=("certified_share",),  # "0.0%" on every row says less than one sentence
    # Who is in post, how many left of them and whether that meets the staffing standard;
    # hires, pay and the rest are the detail behind it.
    key_columns=("community_name", "headcount_end", "turnover_rate", "workers_per_10000"),
)
