"""Staff turnover: who left and why, how long people stay, what those in post are paid,
and whether communities have the staff the standards ask for."""

import datetime as dt

import pandas as pd
import streamlit as st

from community_eval.app import cache, page_frame, view_state, widgets
from community_eval.figures import charts
from community_eval.indicators import overview, staff_retention, staff_turnover

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
widgets.takeaway(
    tr(
        "staff.takeaway" if total["certified_share"] else "staff.takeaway_no_certified",
        in_post=tr.number(total["headcount_end"]),
        separations=tr.number(total["separations"]),
        rate=tr.number(total["turnover_rate"], "share"),
        pay=tr.number(total["median_pay"], "yuan"),
        certified=tr.number(total["certified_share"], "share"),
    ),
    where=reading,
)
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
widgets.chart(
    where=left,
    figure=charts.trend_line(
        cache.compute(staff_turnover.turnover_by_year, view.filters, view.year),
        "year",
        "turnover_rate",
        title=tr("staff.chart.by_year"),
        x_title=tr("axis.year"),
        y_title=tr("axis.turnover_rate"),
        kind="share",
    ),
    key="staff_by_year",
)
turnover_chart = middle.container()
# The highest only: a third of the sample's communities lost nobody, so a "lowest" end
# would be a few of many zeros picked by name.
rows, gap = widgets.ranking_rows(
    tr, "staff_turnover", people, "turnover_rate", widgets.ENDS, tie_break="group_label", where=middle, high_only=True
)
widgets.chart(
    where=turnover_chart,
    figure=charts.ranked_bars(
        rows,
        "group_label",
        "turnover_rate",
        title=tr("staff.chart.turnover", year=view.year),
        value_title=tr("axis.turnover_rate"),
        label_title=tr("level.community"),
        kind="share",
        ids="group_key",
        gap=gap,
    ),
    key="staff_turnover",
)
reasons = cache.compute(staff_turnover.exit_reasons, view.filters, view.year)
reasons["label"] = [
    tr.enum("exit_reason", r) if r != "unknown" else tr("staff.reason_unknown") for r in reasons["exit_reason"]
]
widgets.chart(
    where=right,
    figure=charts.ranked_bars(
        reasons,
        "label",
        "separations",
        title=tr("staff.chart.reasons", year=view.year),
        value_title=tr("axis.people"),
        label_title=tr("axis.exit_reason"),
        kind="int",
    ),
    key="staff_reasons",
)

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
controls[2].caption(tr("staff.as_of", date=as_of.isoformat()))
curves = cache.compute(
    staff_retention.retention_curves, view.filters, as_of, by=by, retirement_censored=retirement_censored
)
names = {key: widgets.group_name(tr, by, key) for key in curves["group_key"].unique()}
# Beside the curves, how long those in post have served.
stay, served = st.columns([2, 1])
widgets.chart(
    where=stay,
    figure=charts.survival_curves(
        curves,
        group_names=names,
        title=tr("staff.chart.retention"),
        x_title=tr("axis.months_in_post"),
        y_title=tr("axis.still_in_post"),
        height=400,
    ),
    key="staff_retention",
)
tenure = cache.compute(staff_turnover.tenure_in_post, view.filters, view.year)
tenure["label"] = [tr(f"staff.tenure_band.{band}") for band in tenure["band"]]
widgets.chart(
    where=served,
    figure=charts.ranked_bars(
        tenure,
        "label",
        "headcount_end",
        title=tr("staff.chart.tenure", year=view.year),
        value_title=tr("axis.people"),
        label_title=tr("axis.years_in_post"),
        kind="int",
        keep_order=True,
    ),
    key="staff_tenure",
)

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
pay["label"] = [tr.enum("role", role) for role in pay["role"]]
districts = cache.compute(overview.filter_options)["district"].unique()
district = view.filters.district or (districts[0] if len(districts) == 1 else None)
reference = standards.reference_wage(district, view.year)
village = standards.comparisons.get("village_head_monthly_yuan")
figure = charts.ranked_bars(
    pay,
    "label",
    "median_pay",
    title=tr("staff.chart.pay", year=view.year),
    value_title=tr("axis.monthly_pay"),
    label_title=tr("axis.role"),
    kind="yuan",
    reference=village,
    reference_label=tr("staff.village_line", value=tr.number(village, "yuan")) if village else None,
)
widgets.chart(figure, key="staff_pay", where=pay_place)
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
widgets.chart(
    charts.ranked_bars(
        rows,
        "community_name",
        "workers_per_10000",
        title=tr("staff.chart.per_10000", year=view.year),
        value_title=tr("axis.workers_per_10000"),
        label_title=tr("level.community"),
        kind="rate",
        reference=target,
        reference_label=tr("staff.workers_line", value=target) if target else None,
        ids="community_id",
        gap=gap,
    ),
    key="staff_per_10000",
    where=workers_chart,
)

table = people.rename(columns={"group_label": "community_name"}).merge(
    staffing[["community_id", "seats_expected", "workers_per_10000"]], left_on="group_key", right_on="community_id"
)
widgets.indicator_table(
    tr,
    table,
    [*staff_turnover.STAFF_TURNOVER.shown_columns(), "seats_expected", "workers_per_10000"],
    "staff_turnover",
    quiet_zeros=("certified_share",),  # "0.0%" on every row says less than one sentence
    # Who is in post, how many left of them and whether that meets the staffing standard;
    # hires, pay and the rest are the detail behind it.
    key_columns=("community_name", "headcount_end", "turnover_rate", "workers_per_10000"),
)
