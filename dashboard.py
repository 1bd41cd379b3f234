"""Entry point: the frame every page shares — page config, language, filters, navigation."""

import streamlit as st

from community_eval.app import auth, cache, frontend_words, meeting, page_frame, report_page, uploads, view_state

# (script, locale key of its title, icon, URL path)
PAGES = (
    ("pages/overview.py", "nav.overview", ":material/dashboard:", "overview"),
    ("pages/task_burden.py", "nav.task_burden", ":material/assignment:", "task_burden"),
    ("pages/satisfaction.py", "nav.satisfaction", ":material/sentiment_satisfied:", "satisfaction"),
    ("pages/facilities.py", "nav.facilities", ":material/home_work:", "facilities"),
    ("pages/staff.py", "nav.staff", ":material/groups:", "staff"),
    ("pages/assessment.py", "nav.assessment", ":material/leaderboard:", "assessment"),
    ("pages/cost.py", "nav.cost", ":material/savings:", "cost"),
    ("pages/profile.py", "nav.profile", ":material/location_city:", "profile"),
    ("pages/data.py", "nav.data", ":material/database:", "data"),
)

# A local icon: a Material icon or emoji favicon is fetched from Google's or a CDN's servers,
# which a meeting room's offline laptop cannot reach (and the browser logs an error).
st.set_page_config(page_title="社区评估 · Community evaluation", page_icon=page_frame.FAVICON, layout="wide")
page_frame.phone_layout()  # metric cards two a row on a phone
uploads.run_started()  # files this session uploaded are let go unless an uploader holds them
tr = view_state.language_switch()
frontend_words.install(tr)  # Streamlit's own words ("Upload", "No results") in the page's language
view_state.dataset_switch(tr)
auth.sidebar(tr)  # sign in / out; who may change data (community_eval.app.auth)
if not page_frame.store_ready(tr):
    st.stop()
# One data version for the whole run, even while another session's load commits; a database
# failure met on the way is one sentence on the page (page_frame.faults_shown).
with page_frame.faults_shown(tr), cache.snapshot():
    navigation = st.navigation(
        [
            st.Page(script, title=tr(title), icon=icon, url_path=path, default=index == 0)
            for index, (script, title, icon, path) in enumerate(PAGES)
        ]
    )
    view_state.sidebar_filters(tr)
    meeting.sidebar_toggle(tr)
    report_page.report_download(tr, view_state.view())
    with page_frame.frame(navigation, PAGES):
        navigation.run()
