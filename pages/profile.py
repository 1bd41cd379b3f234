"""Community profile (社区画像): one community on one screen — its four themes against the
district median and the standards, its trends, and its strongest and weakest points in words.

The community is the sidebar's (``?community=ID``); a click on a community in any chart or
table opens this page with it chosen.
"""

import streamlit as st

from community_eval.app import cache, community_profile_page, page_frame, widgets
from community_eval.core.safety import markdown_literal
from community_eval.figures import community_profile as figures
from community_eval.indicators import community_profile, facility_compliance, satisfaction, staff_turnover, standard_gap
from community_eval.indicators.community_profile import MIN_RANKED, THEME_COLUMNS, TREND_MEASURES, of_community

tr, view = page_frame.page()
st.title(tr("profile.title"))
if view.year is None:
    widgets.empty_state(tr)
    st.stop()
community = view.filters.community_id
standards = cache.standards()
weights = view.weights
if community is None:
    community_profile_page.picker(tr, view)
    community_profile_page.attention(tr, view, weights)
    st.stop()
card = cache.compute(community_profile.profile_card, community).iloc[0]
profile = view.standards_profile
st.subheader(markdown_literal(card["community_name"]))
st.caption(community_profile_page.about_text(tr, card, view.year, profile))

common = {"standards": True, "profile": view.profile}
district = card["district"]
positions = of_community(cache.compute(community_profile.district_positions, district, view.year, **common), community)
scores = of_community(
    cache.compute(community_profile.district_assessment, district, view.year, **common, weights=weights), community
)
widgets.takeaway(community_profile_page.takeaway_text(tr, card, scores, view.year))
community_profile_page.assessment_metrics(tr, scores, district)

# Its strongest and weakest points in words, and where every measure stands in the district.
left, right = st.columns([3, 2])
strong, weak = community_profile_page.point_lines(tr, positions)
with left:
    st.subheader(tr("profile.strengths"))
    st.markdown(strong)
    st.subheader(tr("profile.weaknesses"))
    st.markdown(weak)
    st.caption(tr("profile.points_note", min_ranked=MIN_RANKED))
placed = community_profile_page.position_rows(tr, positions)
if not placed.empty:
    widgets.chart(where=right, figure=figures.positions(tr, placed, view.year).figure, key="profile_positions")

# The four themes against the district median and the standards.
min_n = standards.min_n
happy = cache.compute(satisfaction.satisfaction, view.filters, view.year, min_n)
rooms = cache.compute(facility_compliance.facility_compliance, view.filters, view.year, profile=view.profile)
seats = cache.compute(
    staff_turnover.staffing_by_community, view.filters, view.year, standards=True, profile_key=view.profile
)
# Its bill to reach the standard, priced with the view's unit costs, beside its failing rules.
bill = cache.compute(standard_gap.standard_gap, view.filters, view.year, **common, costs=view.costs)
notes = {
    "satisfaction": community_profile_page.satisfaction_notes(tr, happy, min_n),
    "facilities": community_profile_page.facility_notes(tr, rooms, profile, bill),
}
trends = cache.compute(community_profile.profile_trends, community, view.year, min_n)
under = community_profile_page.measure_notes(tr, trends, view.year)
seat_count = seats["seats_expected"].iloc[0] if len(seats) else None
st.caption(tr("profile.delta_note"))
for column, themes in zip(st.columns(len(THEME_COLUMNS)), THEME_COLUMNS, strict=True):
    with column:
        for theme in themes:
            community_profile_page.theme_panel(tr, theme, positions, notes.get(theme, []), seat_count, under)
if sources := community_profile_page.standard_sources(tr, positions, profile):
    with st.expander(tr("profile.sources_title", profile=profile.name(tr.lang))):
        st.markdown(sources)

# Trends: the community beside the district median, year by year.
st.subheader(tr("profile.trends_title"))
for column, measure in zip(st.columns(len(TREND_MEASURES)), TREND_MEASURES, strict=True):
    rows = trends[trends["measure"] == measure]
    rows = rows.assign(note=community_profile_page.turnover_notes(tr, rows))
    if rows["value"].isna().all():
        column.caption(tr(f"profile.trend.{measure}") + " · " + tr("profile.no_trend"))
        continue
    shown = figures.trend(tr, rows, measure, card["community_name"])
    widgets.chart(where=column, figure=shown.figure, key=f"profile_trend_{measure}")
    if measure == "turnover_rate" and (over := community_profile_page.turnover_over_text(tr, rows)):
        column.caption(over)
