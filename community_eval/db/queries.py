"""Named SQL queries read from ``queries/*.sql``.

Each file holds one indicator family. A query starts with a ``-- name: <name>`` line; the
comment lines after it are its description; its parameters are DuckDB ``$named`` values,
always bound at execution, never formatted into the text. Python calls queries by name.

A query named ``macro_<name>`` defines the DuckDB macro ``macros.<name>``: a rule written
once (the filter, a theme's community rows, "in post at the end of the year") that other
queries call with their bound parameters as arguments, so a roll-up selects from the rows it
rolls up instead of receiving them back from pandas. The store defines every macro on each
connection it opens, in an in-memory catalog of that name (see ``Store._install_macros``):
they are this code's macros whatever file is open, a read-only one or Parquet files included.

A few statements are written once for every table of the contract: the store's bookkeeping of
loads (``queries/store_writes.sql``: mark rows replaced, undo, refuse repeated keys). DuckDB
binds values, not names, so such a statement holds ``{placeholders}`` for the table and its
columns, which :func:`for_table` fills from the fixed schema, and only from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from community_eval.core import paths
from community_eval.core.schema import ADMINISTRATIVE_CATEGORIES, COMPANIONS, STORED_SCHEMA, TABLES, Table

QUERY_DIR = paths.QUERY_DIR

#: Values every query may use that the contract defines, bound like any other parameter, so a
#: list such as the administrative task categories is written once (in schema.py), not in SQL.
CONTRACT_PARAMS: dict[str, object] = {"administrative_categories": list(ADMINISTRATIVE_CATEGORIES)}

#: The catalog the macros live in: SQL calls them ``macros.<name>``.
MACRO_CATALOG = "macros"

_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
_MACRO = re.compile(r"^create or replace macro macros\.([a-z_][a-z0-9_]*)\b", re.MULTILINE)
_MACRO_CALL = re.compile(r"\bmacros\.([a-z_][a-z0-9_]*)\s*\(")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")
#: A name :func:`for_table` fills; a struct literal ({'a': 1}) has quotes and is never one.
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Query:
    """One named query: its SQL, the ``$parameters`` it uses, and where it came from."""

    name: str
    sql: str
    params: frozenset[str]
    description: str
    source: str

    @property
    def placeholders(self) -> frozenset[str]:
        """The identifiers :func:`for_table` fills (none for an ordinary query)."""
        return frozenset(_PLACEHOLDER.findall(_STRING_OR_COMMENT.sub(" ", self.sql)))


def _description(sql: str) -> str:
    lines = []
    for line in sql.strip().splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.lstrip("-").strip())
    return " ".join(lines).strip()


def parse_queries(text: str, source: str) -> dict[str, Query]:
    """Split a .sql file into its named queries."""
    names = list(_NAME.finditer(text))
    queries = {}
    for index, match in enumerate(names):
        end = names[index + 1].start() if index + 1 < len(names) else len(text)
        sql = text[match.end() : end].strip().rstrip(";").strip()
        code = _STRING_OR_COMMENT.sub(" ", sql)
        queries[match.group(1)] = Query(
            name=match.group(1),
            sql=sql,
            params=frozenset(_PARAM.findall(code)),
            description=_description(sql),
            source=source,
        )
    return queries


@cache
def all_queries(directory: Path = QUERY_DIR) -> dict[str, Query]:
    """Every named query of every ``.sql`` file; a name used twice is a programming error."""
    found: dict[str, Query] = {}
    for path in sorted(directory.glob("*.sql")):
        for name, query in parse_queries(path.read_text(encoding="utf-8"), path.name).items():
            if name in found:
                raise ValueError(f"query {name} is defined in {found[name].source} and {path.name}")
            found[name] = query
    return found


def get(name: str) -> Query:
    return all_queries()[name]


@cache
def macro_definitions(directory: Path = QUERY_DIR) -> tuple[Query, ...]:
    """Every ``macro_<name>`` query, each after the macros it calls.

    DuckDB checks a macro's body when the macro is created, so one that calls another must
    come after it, and files are read in name order (facility_compliance.sql calls scope.sql's
    filter). A definition must create ``macros.<name>``; calling an unknown macro or calling in
    a circle is a programming error.
    """
    defined: dict[str, Query] = {}
    for query in all_queries(directory).values():
        if query.name.startswith("macro_"):
            created = _MACRO.findall(_STRING_OR_COMMENT.sub(" ", query.sql))
            if created != [query.name.removeprefix("macro_")]:
                raise ValueError(f"query {query.name} must create the macro macros.{query.name.removeprefix('macro_')}")
            defined[created[0]] = query
    ordered: dict[str, Query] = {}

    def place(name: str, calling: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in calling or name not in defined:
            raise ValueError(f"macro {name} is {'called in a circle' if name in calling else 'not defined'}: {calling}")
        for called in _MACRO_CALL.findall(_STRING_OR_COMMENT.sub(" ", defined[name].sql)):
            if called != name:
                place(called, (*calling, name))
        ordered[name] = defined[name]

    for name in defined:
        place(name, ())
    return tuple(ordered.values())


def bind(query: Query, params: dict[str, object]) -> dict[str, object]:
    """The parameters ``query`` uses, taken from ``params`` (and :data:`CONTRACT_PARAMS`); a missing one is an error."""
    if query.placeholders:
        raise ValueError(f"query {query.name} is written for a table: fill it with for_table")
    given = {**CONTRACT_PARAMS, **params}
    missing = query.params - given.keys()
    if missing:
        raise KeyError(f"query {query.name} needs {sorted(missing)}")
    return {key: given[key] for key in query.params}


def used_params(sql: str, params: dict[str, object]) -> dict[str, object]:
    """The parameters ``sql`` uses, from ``params`` (DuckDB refuses unused ones); a ``$name`` in a
    comment or a string is none."""
    return {name: params[name] for name in set(_PARAM.findall(_STRING_OR_COMMENT.sub(" ", sql)))}


def for_table(name: str, table: Table, key: tuple[str, ...] = (), column: str | None = None) -> str:
    """The statement ``name`` of ``queries/`` written for ``table``: its placeholders filled from the schema.

    ``{rows}`` is the table's row table (``stored.<table>``), ``{table}`` its name (the contract's
    view is ``main.{table}``), ``{columns}`` its columns, ``{casts}`` each column cast to its
    type, ``{key}`` the columns ``key`` names and ``{column}`` the one ``column`` names. Nothing
    else can be filled in: ``table`` must be one of :data:`~community_eval.schema.TABLES` or
    their companions and every column one of its own, or this raises, so no value, and no name
    that is not the fixed schema's, ever reaches the text. Values stay ``$parameters``.
    """
    if not any(table is known for known in (*TABLES.values(), *(c for cs in COMPANIONS.values() for c in cs))):
        raise ValueError(f"{table.name} is not a table of the schema")
    named = (*key, *([column] if column is not None else []))
    if not set(named) <= set(table.column_names) or not all(_IDENTIFIER.fullmatch(n) for n in named):
        raise ValueError(f"{named} are not columns of {table.name}")
    fills = {
        "rows": f"{STORED_SCHEMA}.{table.name}",
        "table": table.name,
        "columns": ", ".join(table.column_names),
        "casts": ", ".join(f"cast({c.name} as {c.sql_type}) as {c.name}" for c in table.columns),
        "key": ", ".join(key),
        "column": column or "",
    }
    query = get(name)
    wanted = query.placeholders
    given = {*fills.keys() - {"key", "column"}, *(["key"] if key else []), *(["column"] if column else [])}
    if not wanted or not wanted <= given or given & {"key", "column"} - wanted:
        raise ValueError(f"query {name} takes {sorted(wanted)}")
    return _PLACEHOLDER.sub(lambda match: fills.get(match.group(1), match.group(0)), query.sql)
