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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from community_eval.schema import ADMINISTRATIVE_CATEGORIES

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"

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


@dataclass(frozen=True)
class Query:
    """One named query: its SQL, the ``$parameters`` it uses, and where it came from."""

    name: str
    sql: str
    params: frozenset[str]
    description: str
    source: str


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
    given = {**CONTRACT_PARAMS, **params}
    missing = query.params - given.keys()
    if missing:
        raise KeyError(f"query {query.name} needs {sorted(missing)}")
    return {key: given[key] for key in query.params}


def used_params(sql: str, params: dict[str, object]) -> dict[str, object]:
    """The parameters ``sql`` uses, from ``params`` (DuckDB refuses unused ones)."""
    return {name: params[name] for name in set(_PARAM.findall(sql))}
