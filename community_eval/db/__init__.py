"""The database: the only layer that talks to DuckDB (the store, its named queries, workspaces)."""
