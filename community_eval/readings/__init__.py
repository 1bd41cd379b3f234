"""Sentences that read the figures (pure Python, no Streamlit): verdicts, extremes, disclosure."""
