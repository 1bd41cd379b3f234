"""Entry point: the frame every page shares — page config, language, filters, navigation."""

import streamlit as st

from community_eval import ui

st.set_page_config(page_title="社区评估 · Community evaluation", page_icon=":material/apartment:", layout="wide")

tr = ui.language_switch()
if not ui.store_ready(tr):
    st.stop()

pages = [
    st.Page("pages/overview.py", title=tr("nav.overview"), icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/task_burden.py", title=tr("nav.task_burden"), icon=":material/assignment:", url_path="task-burden"),
    st.Page("pages/satisfaction.py", title=tr("nav.satisfaction"), icon=":material/sentiment_satisfied:", url_path="satisfaction"),
    st.Page("pages/facilities.py", title=tr("nav.facilities"), icon=":material/home_work:", url_path="facilities"),
    st.Page("pages/staff.py", title=tr("nav.staff"), icon=":material/groups:", url_path="staff"),
]
navigation = st.navigation(pages)
ui.sidebar_filters(tr)
navigation.run()
