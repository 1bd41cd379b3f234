"""The package's import structure: no cycles (import-linter's contract in pyproject.toml), and no
import hidden inside a function to get round one.

A cycle between two modules used to be held together by imports inside functions and a
re-export at the bottom of a module (``indicators`` and ``profile``; ``loader``, ``bulk`` and
``repairs``). Those are gone; these tests keep them gone.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "community_eval"

#: Every module of the package, in its sub-package (core, db, ingest, indicators, readings,
#: figures, report, app) or at the top (the command line).
MODULES = sorted(PACKAGE.rglob("*.py"))

#: Imports made inside a function on purpose, each for start-up time, none for a cycle. Only the
#: command line does it: it parses its arguments with light modules (the ingest choices, the
#: indicators' names, the export's error) and each command imports its own machinery when it
#: runs, so ``--help`` waits for none of it and ``ingest`` for no indicator, scipy or plotly
#: (issue 20; ``tests/test_cli.py`` checks what each start imports).
LAZY = {
    # Every command but hash-password opens a store (DuckDB, pandas).
    ("cli", "community_eval.db.store"),
    # ingest: the loader and its report; the questionnaire reader for --mapping; repairs for --set.
    ("cli", "community_eval.ingest.loader"),
    ("cli", "community_eval.ingest.load_report"),
    ("cli", "community_eval.ingest.questionnaire"),
    ("cli", "community_eval.ingest.repairs"),
    # export and report: every indicator (pandas, scipy).
    ("cli", "community_eval.report.export"),
    # report: plotly.js is read only when a report is made; hash-password: the password hashing.
    ("cli", "community_eval.report.html_report"),
    ("cli", "community_eval.core.passwords"),
    # report: the orders a budget is spent in (--order), from the indicator that defines them.
    ("cli", "community_eval.indicators.standard_gap"),
}


#: Other packages imported inside a function, each because most runs never need it and loading
#: it costs time or memory at start; a reason beside each, and nothing else may be imported so.
LAZY_OTHERS = {
    # Its phrase dictionary takes 0.2 s to load; only sorting names by pinyin needs it, so the
    # command line's --help and ingest start without it (issue 20).
    ("collation", "pypinyin"),
    # Workbook readers: only an uploaded .xlsx/.xls/.ods/HTML-as-xls pays for them.
    ("reader", "python_calamine"),
    ("reader", "openpyxl"),
    ("reader", "lxml"),
    # An .xls is read in a child process bounded in memory and time (only .xls uploads start one).
    ("reader", "pickle"),
    ("reader", "subprocess"),
    ("reader", "sys"),
    # The workbook download under a table: only a click on it needs openpyxl.
    ("downloads", "openpyxl"),
}


def test_the_layers_hold_and_the_package_has_no_import_cycles():
    """Both import-linter contracts of pyproject.toml: no cycles between sibling modules, and each
    layer (app and cli; report; figures; readings; indicators and ingest; db; core) imports only
    the layers below it."""
    lint_imports = Path(sys.executable).with_name("lint-imports")  # the command import-linter installs
    command = [str(lint_imports) if lint_imports.exists() else "lint-imports", "--no-cache"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 kept, 0 broken" in result.stdout


def _is_module(dotted: str) -> bool:
    relative = Path(*dotted.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


def _imports_inside_functions(path: Path) -> set[tuple[str, str]]:
    """(module, imported package module) for every import of ours made inside a function body."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.module and inner.module.startswith("community_eval"):
                for alias in inner.names:  # "from community_eval.report import html_report" names a module
                    candidate = f"{inner.module}.{alias.name}"
                    found.add((path.stem, candidate if _is_module(candidate) else inner.module))
    return found


def test_no_module_imports_another_inside_a_function_except_for_start_up_time():
    found = set().union(*(_imports_inside_functions(p) for p in MODULES))
    assert found == LAZY, sorted(found ^ LAZY)


def _other_imports_inside_functions(path: Path) -> set[tuple[str, str]]:
    """(module, top-level package) for every import of another package made inside a function body."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                found.update((path.stem, alias.name.split(".")[0]) for alias in inner.names)
            elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.module.startswith("community_eval"):
                found.add((path.stem, inner.module.split(".")[0]))
    return found


def test_other_packages_are_imported_inside_a_function_only_where_listed_with_a_reason():
    found = set().union(*(_other_imports_inside_functions(p) for p in MODULES))
    assert found == LAZY_OTHERS, sorted(found ^ LAZY_OTHERS)


def test_the_report_and_the_command_line_do_not_load_streamlit():
    """The offline report is made from the command line too: it shares the pages' sentences and
    figures, not their widgets (it used to import the assessment page's parts, and Streamlit)."""
    modules = "community_eval.report.html_report, community_eval.cli, community_eval.report.export"
    code = f"import sys, {modules}; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stdout + result.stderr


def test_the_administrative_categories_are_written_once():
    """schema.ADMINISTRATIVE_CATEGORIES is the list; the SQL binds it ($administrative_categories)
    instead of spelling it out (it was written four times in two files)."""
    spelled = re.compile(r"in\s*\(\s*'administrative'", re.IGNORECASE)
    for path in (ROOT / "queries").glob("*.sql"):
        assert not spelled.search(path.read_text(encoding="utf-8")), path.name
    uses = [p.name for p in (ROOT / "queries").glob("*.sql") if "$administrative_categories" in p.read_text()]
    assert sorted(uses) == ["assessment.sql", "profile.sql", "task_burden.sql"]


def test_only_the_database_layer_talks_to_duckdb():
    """Only the store imports duckdb; everyone else asks the store, and names its errors and cursors
    by the store's names (StoreError, DatabaseError, Cursor: the bulk loader stages files on one)."""
    importing = sorted(
        str(p.relative_to(PACKAGE))
        for p in MODULES
        if re.search(r"^\s*(import duckdb|from duckdb)", p.read_text(encoding="utf-8"), re.M)
    )
    assert importing == ["db/store.py"]


def test_the_app_does_not_import_the_development_tools():
    """The sample generator and the example-file makers live in tools/: the package never needs them."""
    for path in [*MODULES, *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from tools\b|import tools\b)", text, re.M), path.name


def test_no_function_is_longer_than_sixty_lines():
    """A function a reader can hold at once; longer ones were split where their steps are (issue 19)."""
    long = []
    for path in [*MODULES, *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > 60:
                    long.append(f"{path.name}:{node.name} ({lines})")
    assert not long, long


def test_every_indicator_is_found_by_its_name_alone():
    """For each declared indicator: its module (ending with the declaration), SQL, figures, readings
    and test file are named after it, and ARCHITECTURE.md's table lists every one of them."""
    from community_eval.indicators.catalog import INDICATORS

    listing = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for indicator in INDICATORS:
        name = indicator.name
        files = [
            f"community_eval/indicators/{name}.py",
            f"queries/{name}.sql",
            f"community_eval/figures/{name}.py",
            f"community_eval/readings/{name}.py",
            f"tests/test_{name}.py",
        ]
        for path in files:
            assert (ROOT / path).exists(), path
            assert f"`{path.removeprefix('community_eval/')}`" in listing, path
        assert indicator.query in _named_queries(ROOT / "queries" / f"{name}.sql"), name


def _named_queries(path: Path) -> set[str]:
    return set(re.findall(r"^-- name: (\w+)", path.read_text(encoding="utf-8"), re.M))
