"""Every number the exports and the offline report give, written down, to compare before and after a change.

A restructuring must not move a single figure. This tool runs the command line only (never
imports the package), so it works the same on the code before and after a move:

    python -m tools.compare_numbers snapshot --db data/community_eval.duckdb --out /tmp/before
    ... change the code ...
    python -m tools.compare_numbers snapshot --db data/community_eval.duckdb --out /tmp/after
    python -m tools.compare_numbers compare /tmp/before /tmp/after

A snapshot holds every indicator's export (CSV, full precision) for every year the command
line accepts, and the offline report in both languages for the latest year and for one
community, with plotly's random element ids replaced so that equal reports compare equal.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from pathlib import Path

INDICATORS = (
    "task_burden",
    "satisfaction",
    "facility_compliance",
    "staff_turnover",
    "assessment",
    "survey_items",
)
YEARS = range(2010, 2031)
#: The as-of date of staff_retention, fixed so that two snapshots on two days compare.
AS_OF = "2025-12-31"
RANDOM_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


#: The checkout whose code is measured: the one this file is in.
CHECKOUT = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "community_eval", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=CHECKOUT)


def snapshot(db: str, out: Path, community: str | None) -> int:
    """Write every export and report of ``db`` below ``out``; returns how many files were written."""
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for indicator in INDICATORS:
        for year in YEARS:
            result = _cli("export", indicator, "--db", db, "--year", str(year))
            if result.returncode == 0:
                (out / f"{indicator}_{year}.csv").write_text(result.stdout, encoding="utf-8")
                written += 1
    result = _cli("export", "staff_retention", "--db", db, "--as-of", AS_OF)
    (out / "staff_retention.csv").write_text(result.stdout, encoding="utf-8")
    written += 1
    for lang in ("zh", "en"):
        written += _report(db, out / f"report_{lang}.html", lang)
        if community:
            written += _report(db, out / f"report_{lang}_{community}.html", lang, "--community", community)
    return written


def _report(db: str, path: Path, lang: str, *extra: str) -> int:
    result = _cli("report", "--db", db, "--lang", lang, "--output", str(path.resolve()), *extra)
    if result.returncode != 0:
        raise SystemExit(f"report failed: {result.stderr}")
    path.write_text(RANDOM_IDS.sub("ID", path.read_text(encoding="utf-8")), encoding="utf-8")
    return 1


def compare(before: Path, after: Path) -> int:
    """Print every file that differs (with the first lines of its difference); 0 when none does."""
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differing = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"only in {'after' if b.exists() else 'before'}: {name}")
            differing += 1
            continue
        old, new = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
        if old != new:
            differing += 1
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
            print(f"differs: {name}")
            for line in list(diff)[2:12]:
                print(f"    {line[:300]}")
    print(f"{len(names)} files compared, {differing} differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("snapshot")
    take.add_argument("--db", required=True)
    take.add_argument("--out", required=True, type=Path)
    take.add_argument("--community", help="also the report profiling this community")
    check = commands.add_parser("compare")
    check.add_argument("before", type=Path)
    check.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        print(f"{snapshot(args.db, args.out, args.community)} files written to {args.out}")
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
