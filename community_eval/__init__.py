"""Community evaluation: schema, store, loading, indicators, charts and i18n behind the dashboard."""

__version__ = "0.1.0"
