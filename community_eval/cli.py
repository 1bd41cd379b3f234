"""The command line: the same loader and queries as the pages, for scripts and tests.

python -m community_eval ingest FILE [FILE ...] [--db PATH] [--table NAME]
                         [--mode append|replace] [--skip-invalid] [--lang zh|en]
"""

from __future__ import annotations

import argparse
import os
import sys

from community_eval.i18n import LANGUAGES, Translator, language_from_locale
from community_eval.load_report import report_lines
from community_eval.loader import MODES, ingest_paths
from community_eval.schema import TABLES
from community_eval.store import Store, StoreError, default_db_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m community_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=LANGUAGES, help="language of messages (default: from $LANG)")
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="load CSV or Excel files through the data contract")
    ingest.add_argument("files", nargs="+", help="CSV (.csv/.txt) or Excel (.xlsx) files")
    ingest.add_argument("--db", default=None, help="database file (default: $COMMUNITY_EVAL_DB or data/)")
    ingest.add_argument("--table", choices=list(TABLES), help="load every file into this table")
    ingest.add_argument("--mode", choices=MODES, default="append", help="append rows or replace the table")
    ingest.add_argument("--skip-invalid", action="store_true", help="load valid rows, skip rows with problems")
    ingest.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS)
    return parser


def _translator(choice: str | None) -> Translator:
    return Translator(choice or language_from_locale(os.environ.get("LANG", "en").split(".")[0].replace("_", "-")))


def run_ingest(args: argparse.Namespace, tr: Translator) -> int:
    """Load the files; exit status 0 only when every file was loaded whole or as asked."""
    store = Store(args.db or default_db_path())
    try:
        reports = ingest_paths(store, args.files, table=args.table, mode=args.mode, skip_invalid=args.skip_invalid)
    finally:
        store.close()
    for report in reports:
        print("\n".join(report_lines(tr, report)))
    return 0 if all(r.loaded for r in reports) else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    tr = _translator(getattr(args, "lang", None))
    try:
        if args.command == "ingest":
            return run_ingest(args, tr)
    except StoreError as error:
        print(tr(f"error.{error.reason}", **{k: str(v) for k, v in error.params.items()}), file=sys.stderr)
        return 2
    return 2
