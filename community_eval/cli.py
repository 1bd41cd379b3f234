"""The command line: the same loader and queries as the pages, for scripts and tests.

python -m community_eval ingest FILE [FILE ...] [--db PATH] [--table NAME]
                         [--mode append|replace] [--skip-invalid] [--lang zh|en]
                         [--set COLUMN=VALUE ...] [--likert-order high-first|low-first]
python -m community_eval export INDICATOR [--db PATH] [--year Y] [--profile NAME]
                         [--as-of YYYY-MM-DD] [--format csv|json] [--output FILE]
python -m community_eval report [--db PATH] [--year Y] [--lang zh|en] [--profile NAME]
                         [--community ID] [--costs YUAN,YUAN,YUAN] [--budget ONE_OFF,YEARLY]
                         [--order cheapest|worst] --output FILE.html
python -m community_eval parquet [--db PATH] --output FOLDER
python -m community_eval hash-password

COMMUNITY_EVAL_DB names the database (any DuckDB database string: a file, md:NAME for
MotherDuck); COMMUNITY_EVAL_PARQUET a Parquet dataset to read instead of stored tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from community_eval.core.i18n import LANGUAGES, Translator, language_from_locale
from community_eval.core.schema import TABLES
from community_eval.core.standards import UNIT_COSTS, Standards, StandardsError, load_standards
from community_eval.indicators.filters import Filters
from community_eval.ingest.choices import LIKERT_ORDERS, MODES
from community_eval.report import export_choices
from community_eval.report.export_choices import ExportError

if TYPE_CHECKING:
    from community_eval.db.store import Store, StoreError
    from community_eval.ingest.load_model import FileReport

# Only what parsing the arguments needs is imported above. Each command imports its machinery
# when it runs (the loader: pandas, DuckDB; the export: every indicator, scipy; the report:
# plotly), so ``--help`` and ``ingest`` start without what they never use (issue 20).


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m community_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=LANGUAGES, help="language of messages (default: from $LANG)")
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="load CSV or Excel files through the data contract")
    ingest.add_argument("files", nargs="+", help="CSV (.csv/.txt), Excel (.xlsx/.xls), .ods or HTML-table .xls files")
    ingest.add_argument("--db", default=None, help="database file (default: $COMMUNITY_EVAL_DB or data/)")
    ingest.add_argument("--table", choices=list(TABLES), help="load every file into this table")
    ingest.add_argument("--mode", choices=MODES, default="append", help="append rows or replace the table")
    ingest.add_argument("--skip-invalid", action="store_true", help="load valid rows, skip rows with problems")
    ingest.add_argument(
        "--set",
        dest="set_values",
        action="append",
        default=[],
        type=_column_value,
        metavar="COLUMN=VALUE",
        help="one value for a column the files lack, the same for every row (e.g. district=仙桃市); repeatable",
    )
    ingest.add_argument(
        "--likert-order",
        choices=LIKERT_ORDERS,
        help="which way numeric answer codes run: high-first (1 = 非常满意, the first option) or low-first",
    )
    ingest.add_argument(
        "--mapping",
        metavar="FILE",
        help="a questionnaire export's question mapping (TOML, as --write-mapping writes it) to use instead",
    )
    ingest.add_argument(
        "--write-mapping",
        metavar="FILE",
        help="write the question mapping of a questionnaire export to FILE (TOML) to edit and give back with --mapping",
    )
    ingest.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS)
    _add_export(commands)
    _add_report(commands)
    sub = commands.add_parser("parquet", help="write the tables as Parquet files, hive-partitioned by year")
    sub.add_argument("--db", default=None, help="database (default: $COMMUNITY_EVAL_DB or data/)")
    sub.add_argument("--output", required=True, help="folder (or s3:// prefix) to write into")
    sub = commands.add_parser("hash-password", help="make the editor password's line for .streamlit/secrets.toml")
    sub.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS)
    return parser


def _column_value(text: str) -> tuple[str, str]:
    """``district=仙桃市`` as (column, value); the column by its name or any alias of it."""
    from community_eval.ingest.repairs import resolve_set_values  # pandas: only when --set is given

    column, sep, value = text.partition("=")
    if not sep or not value.strip():
        raise argparse.ArgumentTypeError(f"expected COLUMN=VALUE, got {text!r}")
    try:
        ((name, _),) = resolve_set_values({column.strip(): value}).items()
    except ValueError:
        raise argparse.ArgumentTypeError(f"no column of the data contract is called {column.strip()!r}") from None
    return name, value.strip()


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def _add_export(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser("export", help="write one indicator table (CSV or JSON) with the documented columns")
    sub.add_argument("indicator", choices=export_choices.INDICATORS, help="the indicator to write")
    sub.add_argument("--db", default=None, help="database file (default: $COMMUNITY_EVAL_DB or data/)")
    sub.add_argument("--year", type=int, help="year Y (default: the latest year with data for the indicator)")
    sub.add_argument("--profile", help="standards profile for facility_compliance (default: the file's default)")
    sub.add_argument("--as-of", type=_iso_date, help="as-of date for staff_retention (default: today)")
    sub.add_argument("--format", choices=export_choices.FORMATS, default="csv", help="csv (default) or json")
    sub.add_argument("--output", help="write to this file instead of standard output")
    sub.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS)


def _add_report(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser("report", help="write the offline report: one self-contained HTML file")
    sub.add_argument("--db", default=None, help="database file (default: $COMMUNITY_EVAL_DB or data/)")
    sub.add_argument("--year", type=int, help="year Y (default: the latest year with survey data)")
    sub.add_argument("--profile", help="standards profile (default: the file's default)")
    sub.add_argument("--community", help="also profile the community with this id")
    sub.add_argument(
        "--costs",
        metavar="YUAN,YUAN,YUAN",
        help=f"unit costs to price the cost to standard with ({', '.join(UNIT_COSTS)}; default: the standards file's)",
    )
    sub.add_argument(
        "--budget",
        metavar="ONE_OFF,YEARLY",
        help="this year's one-off and yearly budgets in yuan (default: an example, a quarter of each bill)",
    )
    sub.add_argument("--order", default="cheapest", help="the order a budget is spent in: cheapest (default) or worst")
    sub.add_argument("--output", required=True, help="the HTML file to write")
    sub.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help="language of the report")


def _translator(choice: str | None) -> Translator:
    return Translator(choice or language_from_locale(os.environ.get("LANG", "en").split(".")[0].replace("_", "-")))


def run_ingest(args: argparse.Namespace, tr: Translator) -> int:
    """Load the files; exit status 0 only when every file was loaded whole or as asked.

    A mapping that cannot be used is answered here, in one sentence (exit status 2): only this
    command reads one, and only it imports the questionnaire reader.
    """
    from community_eval.ingest import questionnaire

    try:
        return _ingest(args, tr)
    except questionnaire.MappingError as error:
        print(tr(f"reason.{error.reason}", **{k: str(v) for k, v in error.params.items()}), file=sys.stderr)
        return 2


def _ingest(args: argparse.Namespace, tr: Translator) -> int:
    """The load itself: the store opened (or refused), the files loaded, the reports printed."""
    from community_eval.db.store import Store, default_db_path, parquet_root
    from community_eval.ingest.load_report import report_lines
    from community_eval.ingest.loader import ingest_paths

    path = args.db or default_db_path()
    store = Store(path, parquet=parquet_root()) if parquet_root() and args.db is None else Store(path)
    refused = store.refusal()
    if refused is not None:
        store.close()
        raise refused
    try:
        mapping = _read_mapping(args.mapping)
        reports = ingest_paths(
            store,
            args.files,
            table=args.table,
            mode=args.mode,
            skip_invalid=args.skip_invalid,
            set_values=dict(args.set_values),
            likert_order=args.likert_order,
            mapping=mapping,
        )
    finally:
        store.close()
    for report in reports:
        print("\n".join(report_lines(tr, report) + _hints(tr, report)))
    if args.write_mapping:
        _write_mapping(tr, reports, args.write_mapping)
    return 0 if all(r.loaded for r in reports) else 1


def _read_mapping(path: str | None) -> dict[str, object] | None:
    """The ``--mapping`` file as the loader's override (refused in words when it cannot be read)."""
    from community_eval.ingest import questionnaire

    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise questionnaire.MappingError("mapping_unreadable", why=str(error)) from None
    return questionnaire.read_mapping(text)


def _write_mapping(tr: Translator, reports: list[FileReport], path: str) -> None:
    """The first questionnaire export's mapping as TOML, to edit and give back with ``--mapping``."""
    plan = next((r.plan for r in reports if r.plan is not None), None)
    if plan is None:
        return
    Path(path).write_text(plan.mapping.to_toml(), encoding="utf-8")
    print(tr("cli.mapping_written", path=path))


def _hints(tr: Translator, report: FileReport) -> list[str]:
    """The command-line way forward for a refusal the page answers with a control."""
    reasons = {p.reason for p in report.problems}
    hints = []
    if "likert_direction_unknown" in reasons:
        hints.append(tr("cli.likert_hint"))
    if "missing_column" in reasons:
        hints.append(tr("cli.set_hint"))
    if report.plan is not None and not report.loaded:
        hints.append(tr("cli.mapping_hint"))
    return hints


def _open_existing(path: str) -> Store:
    """Open a database that exists: an export must never create an empty one by mistake.

    With ``COMMUNITY_EVAL_PARQUET`` set and no ``--db``, the Parquet dataset is read instead.
    """
    from community_eval.db.store import Store, default_db_path, is_local_file, parquet_root

    if parquet_root() and path == default_db_path():
        return Store(path, parquet=parquet_root())
    if is_local_file(path) and not Path(path).is_file():
        raise ExportError("export.no_database", path=path)
    return Store(path)


def run_parquet(args: argparse.Namespace) -> int:
    """Write the database's current rows as a Parquet dataset (hive-partitioned by year)."""
    from community_eval.db.store import default_db_path

    store = _open_existing(args.db or default_db_path())
    try:
        written = store.write_parquet(args.output)
    finally:
        store.close()
    for table, rows in written.items():
        print(f"{table}\t{rows}")
    return 0


def _standards() -> Standards:
    try:
        return load_standards()
    except (StandardsError, OSError) as error:
        raise ExportError("export.bad_standards", detail=str(error)) from None


def _write_stdout(text: str) -> None:
    """UTF-8 whatever the console's encoding, so Chinese ids survive a redirect on Windows."""
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    stream.write(text.encode("utf-8"))
    stream.flush()


def run_export(args: argparse.Namespace) -> int:
    """Write one indicator table; every refusal is an ExportError with a message key."""
    from community_eval.db.store import default_db_path
    from community_eval.report import export  # every indicator, and scipy: only for an export

    standards = _standards()
    store = _open_existing(args.db or default_db_path())
    try:
        frame = export.build(store, args.indicator, standards, args.year, args.profile, args.as_of)
    finally:
        store.close()
    text = export.render(frame, args.format)
    if args.output:
        export.write_file(text, args.output)
    else:
        _write_stdout(text)
    return 0


def _report_year(store: Store, year: int | None) -> int:
    """The year asked for, or the assessment's default (the survey's latest), as the export chooses it."""
    from community_eval.report import export

    try:
        return export.resolve_year(store, "assessment", year)
    except ExportError as error:
        if error.key == "export.no_data":
            raise ExportError("report.no_survey") from None
        raise


#: An amount in yuan as the options take it: digits, at most two decimals (as the page's URL).
_AMOUNT = re.compile(r"[0-9]{1,11}(\.[0-9]{1,2})?")


def _amounts(text: str | None, count: int, key: str, **params: object) -> tuple[float, ...] | None:
    """``count`` comma-separated amounts in yuan of at least 0, or None when the option is not
    given; anything else is refused in one sentence (``key``)."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != count or not all(_AMOUNT.fullmatch(part.strip()) for part in parts):
        raise ExportError(key, value=text, **params)
    return tuple(float(part) for part in parts)


def _pricing(args: argparse.Namespace) -> dict[str, object]:
    """The cost to standard's unit costs, budgets and order from ``--costs``, ``--budget`` and
    ``--order``, as the page's URL carries them; a value it could not use is refused."""
    from community_eval.indicators.standard_gap import ORDERS

    costs = _amounts(args.costs, len(UNIT_COSTS), "report.bad_costs", names=", ".join(UNIT_COSTS))
    budgets = _amounts(args.budget, 2, "report.bad_budget")
    if args.order not in ORDERS:
        raise ExportError("report.bad_order", value=args.order, orders=" | ".join(ORDERS))
    return {
        "costs": tuple(zip(UNIT_COSTS, costs, strict=True)) if costs else None,
        "budgets": budgets,
        "order": args.order,
    }


def run_report(args: argparse.Namespace, tr: Translator) -> int:
    """Write the offline report in the messages' language; every refusal is an ExportError."""
    from community_eval.db.store import default_db_path
    from community_eval.report import export, html_report  # plotly.js is only read when a report is made

    standards = _standards()
    profile = export.resolve_profile(standards, args.profile)
    pricing = _pricing(args)
    path = args.db or default_db_path()
    store = _open_existing(path)
    try:
        year = _report_year(store, args.year)
        text = html_report.build_report(
            store, Filters(), year, tr.lang, standards, profile.key, args.community, **pricing
        )
    finally:
        store.close()
    export.write_file(text, args.output)
    return 0


def _read_new_password(tr: Translator) -> str | None:
    """The new password: typed twice without echo at a terminal (None when the two differ),
    else the first line of standard input, so a script can pipe it in."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(tr("auth.cli_prompt"))
    return first if getpass.getpass(tr("auth.cli_again")) == first else None


def run_hash_password(tr: Translator) -> int:
    """Print the secrets line holding the password's salted scrypt hash; the password itself
    is neither printed nor kept."""
    from community_eval.core.passwords import hash_password

    password = _read_new_password(tr)
    if password is None or not password:
        print(tr("auth.cli_mismatch" if password is None else "auth.cli_empty"), file=sys.stderr)
        return 1
    print(tr("auth.cli_paste"), file=sys.stderr)
    print(f'editor_password_hash = "{hash_password(password)}"')
    return 0


def _refuse(tr: Translator, error: StoreError) -> int:
    """Say why the database could not be used in one sentence on stderr; exit status 2."""
    print(tr(f"error.{error.reason}", **{k: str(v) for k, v in error.params.items()}), file=sys.stderr)
    return 2


def _run_on_database(args: argparse.Namespace, tr: Translator) -> int:
    """Run a command that opens a database; the database's refusals answered in one sentence.

    The store (and DuckDB) is imported here, not at start: ``--help`` and ``hash-password``
    never open a database.
    """
    from community_eval.db.store import DatabaseError, StoreError, database_error, default_db_path

    try:
        if args.command == "ingest":
            return run_ingest(args, tr)
        if args.command == "export":
            return run_export(args)
        if args.command == "report":
            return run_report(args, tr)
        if args.command == "parquet":
            return run_parquet(args)
    except StoreError as error:
        return _refuse(tr, error)
    except DatabaseError as error:
        # Met after the database opened (a damaged block read by a query, the disk filling while
        # the loader stages a file): the same one sentence as at opening.
        return _refuse(tr, database_error(error, getattr(args, "db", None) or default_db_path(), "database_failed"))
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    tr = _translator(getattr(args, "lang", None))
    try:
        if args.command == "hash-password":
            return run_hash_password(tr)
        return _run_on_database(args, tr)
    except ExportError as error:
        print(export_choices.message(tr, error.key, **{k: str(v) for k, v in error.params.items()}), file=sys.stderr)
        return error.status
    except BrokenPipeError:
        # The reader of our output went away (``... | head``): nothing more to say, and
        # Python must not complain while flushing at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
