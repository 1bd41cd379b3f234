"""The Streamlit app: cache, view and URL, widgets, the data page, meeting mode, who may change data."""
