"""Profile page (being built)."""

import streamlit as st

from community_eval import ui

tr, view = ui.page()
st.title(tr("profile.title"))
ui.empty_state(tr)
