"""The stack's floor for bench_browser.py: a Streamlit page with a title and N small plotly
charts and nothing of the dashboard (no imports of the package, no data), so the time a
browser takes to draw it is what Streamlit, plotly and Chromium cost on this machine.

    streamlit run bench/floor_app.py -- 4
"""

import sys

import plotly.graph_objects as go
import streamlit as st

charts = int(sys.argv[1]) if len(sys.argv) > 1 else 0
st.title("floor")
for index in range(charts):
    st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])), key=f"chart_{index}")
