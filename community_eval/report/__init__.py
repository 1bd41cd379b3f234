"""Outputs without a browser: the offline HTML report and the export tables."""
