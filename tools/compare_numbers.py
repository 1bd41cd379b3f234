"""Every number the exports and the offline report give, written down, to compare before and after a change.

A restructuring must not move a single figure. This tool runs the command line only (never
imports the package), so it works the same on the code before and after a move:

    python -m tools.compare_numbers snapshot --db data/community_eval.duckdb --out /tmp/before
    ... change the code ...
    python -m tools.compare_numbers snapshot --db data/community_eval.duckdb --out /tmp/after
    python -m tools.compare_numbers compare /tmp/before /tmp/after

A snapshot holds every indicator's export (CSV, full precision) for every year the command
line accepts, and the offline report in both languages for the latest year and for one
community, with plotly's random element ids and the report's time of making replaced so that
equal reports compare equal.

Numbers compare within a relative 1e-9: DuckDB sums doubles in parallel, and the order its
threads add them in can move the last bit from one run to the next (seen on a busy machine,
on the same code); every other character compares exactly.
"""

from __future__ import annotations

import argparse
import base64
import csv
import difflib
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

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
#: The report's last line of facts, when it was made: "<dt>…</dt><dd>2026-12-02 21:40</dd></dl>".
MADE_AT = re.compile(r"(<dd>)\d{4}-\d\d-\d\d \d\d:\d\d(</dd></dl>)")
#: plotly's typed arrays in a figure's JSON: {"dtype":"f8","bdata":"…base64…"}.
TYPED_ARRAY = re.compile(r'\{"dtype":"(\w+)","bdata":"([^"]*)"(,"shape":"[^"]*")?\}')
RELATIVE = 1e-9
#: How often a command is tried: a database another process holds open refuses it for a moment.
ATTEMPTS = 3


#: The checkout whose code is measured: the one this file is in.
CHECKOUT = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line's answer; tried again while the database is locked by another process."""
    command = [sys.executable, "-m", "community_eval", *args]
    for _ in range(ATTEMPTS):
        result = subprocess.run(command, capture_output=True, text=True, cwd=CHECKOUT)
        if result.returncode == 0 or "lock" not in result.stderr.lower():
            return result
    return result


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
    text = _unmade(RANDOM_IDS.sub("ID", path.read_text(encoding="utf-8")))
    path.write_text(text, encoding="utf-8")
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
        same = _same_table(old, new) if name.endswith(".csv") else _same_report(old, new)
        if not same:
            differing += 1
            print(f"differs: {name}")
            for line in list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0))[2:12]:
                print(f"    {line[:300]}")
    print(f"{len(names)} files compared, {differing} differ")
    return 1 if differing else 0


def _close(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=RELATIVE, abs_tol=1e-12)


def _same_cell(x: str, y: str) -> bool:
    if x == y:
        return True
    try:
        return _close(float(x), float(y))
    except ValueError:
        return False


def _same_table(old: str, new: str) -> bool:
    """Two CSV exports: the same cells, numbers within :data:`RELATIVE`."""
    rows_old, rows_new = list(csv.reader(io.StringIO(old))), list(csv.reader(io.StringIO(new)))
    return len(rows_old) == len(rows_new) and all(
        len(r) == len(s) and all(_same_cell(x, y) for x, y in zip(r, s, strict=True))
        for r, s in zip(rows_old, rows_new, strict=True)
    )


def _arrays(text: str) -> tuple[str, list[np.ndarray]]:
    """The report with its figures' typed arrays taken out, and the arrays decoded."""
    found = [
        np.frombuffer(base64.b64decode(json.loads(f'"{m.group(2)}"')), dtype=m.group(1))  # "/" is written "\\u002f"
        for m in TYPED_ARRAY.finditer(text)
    ]
    return TYPED_ARRAY.sub("ARRAY", text), found


def _same_array(x: np.ndarray, y: np.ndarray) -> bool:
    """Whole numbers exactly, floats within :data:`RELATIVE`."""
    if x.shape != y.shape:
        return False
    if x.dtype.kind in "fc":
        return bool(np.allclose(x, y, rtol=RELATIVE, atol=1e-12, equal_nan=True))
    return bool((x == y).all())


def _same_report(old: str, new: str) -> bool:
    """Two reports: the same text (when made aside), and the same figure data within :data:`RELATIVE`."""
    (text_old, arrays_old), (text_new, arrays_new) = _arrays(_unmade(old)), _arrays(_unmade(new))
    return (
        text_old == text_new
        and len(arrays_old) == len(arrays_new)
        and all(_same_array(x, y) for x, y in zip(arrays_old, arrays_new, strict=True))
    )


def _unmade(text: str) -> str:
    return MADE_AT.sub(r"\1(made)\2", text)


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
