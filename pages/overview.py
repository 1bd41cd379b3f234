"""Overview: the district at a glance — a one-line reading, the headline figures with their
verdict against the standards and their change, one chart per theme."""

import streamlit as st

from community_eval.app import cache, page_frame, view_state, widgets
from community_eval.figures import overview as overview_figures
from community_eval.indicators import facility_compliance, overview, satisfaction, staff_turnover, task_burden
from community_eval.readings import headlines

tr, view = page_frame.page()
st.title(tr("overview.title"))
if view.year is None:
    widgets.empty_state(tr)
    st.stop()
st.caption(view_state.scope_text(tr, view))

# Each year's figures are cached on their own, so stepping the year back reuses one of them.
now, before = (
    cache.compute(overview.headline_values, view.filters, year, standards=True, profile=view.profile)
    for year in (view.year, view.year - 1)
)
cards = headlines.headline_cards(tr, now, before, cache.standards(), view.profile)
place = headlines.place_name(tr, cache.compute(overview.filter_options), view.filters)
widgets.takeaway(headlines.reading(tr, place, now, cards))
columns = page_frame.card_columns(4, 3)  # two a row on a phone
for column, card in zip(columns, cards, strict=True):
    with column.container(border=True, height="stretch"):
        st.metric(
            card.label,
            card.value,
            delta=card.change_text or None,
            delta_color=headlines.METRIC_COLOURS.get(card.change_tone, "off"),
            delta_arrow=headlines.change_arrow(card.change, card.change_short),
            help=card.help,
        )
        if card.verdict:
            st.markdown(headlines.badge_markdown(card))
# On the wall the same cards are the deck's first slide.
widgets.meeting_slide(
    lambda: overview_figures.board(tr, cards, tr("overview.board_title", place=place, year=view.year)),
    key="overview_headlines",
)

level = view_state.chart_level(view)
burden = widgets.label_groups(tr, cache.compute(task_burden.task_burden, view.filters, view.year, level=level), level)
happy = cache.compute(satisfaction.satisfaction, view.filters, view.year, cache.standards().min_n, level=level)
rollup = cache.compute(facility_compliance.facility_rollup, view.filters, view.year, profile=view.profile, level=level)
people = cache.compute(staff_turnover.staff_turnover, view.filters, view.year, standards=True, level=level)

themes = [
    (burden, "task_burden", "pages/task_burden.py"),
    (happy, "satisfaction", "pages/satisfaction.py"),
    (rollup, "facilities", "pages/facilities.py"),
    (people, "staff", "pages/staff.py"),
]
left, right = st.columns(2)
for index, (frame, theme, page) in enumerate(themes):
    with left if index % 2 == 0 else right:
        value, _ = overview_figures.THEMES[theme]
        if frame[value].notna().any():
            ids = "group_key" if level == "community" else None
            # Both ends of a long ranking, the rest behind the switch: a province's ~960 streets
            # drew four charts 27,000 px tall, most of the page's time in the browser (issue 20).
            # ENDS, not ENDS_SMALL: the sample district's 19 streets are still drawn whole.
            place = st.container()
            streets = level == "street"
            rows, gap = widgets.ranking_rows(
                tr,
                f"overview_{theme}",
                frame,
                value,
                widgets.ENDS,
                words="lowest_highest_streets" if streets else "lowest_highest",
                label="extremes.show_all_streets" if streets else "extremes.show_all",
                tie_break="group_label",
            )
            shown = overview_figures.theme_chart(tr, theme, rows, view.year, level, ids=ids, gap=gap)
            widgets.chart(shown.figure, key=f"overview_{theme}", where=place)
        else:
            st.subheader(tr(f"overview.chart.{theme}", year=view.year))
            widgets.empty_state(tr)
        st.page_link(page, label=tr(f"overview.open.{theme}"), icon=":material/arrow_forward:")
