"""The command line as people run it: how fast it starts, and a big load as a whole process.

    python bench/bench_cli.py [--rows N] [--repeat K] [--start-repeat K] [--data DIR] [--no-write]

Issue 20 ("the speed a person feels"), parts 3 and 4. Every figure is a fresh process, timed
from its start to its exit, as a person at a terminal waits for it:

* start: ``python -c "import duckdb"`` (the bare floor) against ``python -m community_eval
  --help``, ``… ingest --help`` and ``… ingest communities.csv --db NEW`` (100 rows, the
  Python path: the command's whole start and a small load), median of ``--start-repeat``;
* load as run: ``python -m community_eval ingest survey.csv --db X`` of a ``--rows``-row,
  5-column survey CSV into a fresh database file that already holds the communities, against
  a fresh ``python -c`` process that runs DuckDB's bare ``create table survey as select * from
  read_csv(<file>)`` into a fresh database file; the same file, interleaved, median of
  ``--repeat``.

The file is generated once with ``tools.generate`` (cut to its first five columns and
``--rows`` rows) and reused from ``--data``. The results go to the "Command line" section of
BENCHMARKS.md (other sections are left alone) unless ``--no-write``. Not a test; run it under
``flock /tmp/bench.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
from scale_common import machine  # noqa: E402
from scale_common import measure as measure_interleaved  # noqa: E402
from scale_report import write_section  # noqa: E402

BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "## Command line"
#: The survey's first five columns: an id, the community, the date, the required answer, a group.
COLUMNS = ("response_id", "community_id", "survey_date", "overall", "gender")
#: Survey rows per unit of responses per wave at scale 1 (as bench_load.py measured it).
ROWS_PER_WAVE_UNIT = 981_173 / 6_330
#: What ``ingest`` imports before it reads a file (the command line, the store, the loader, its report).
INGEST_IMPORTS = (
    "import community_eval.cli, community_eval.db.store, community_eval.ingest.loader, "
    "community_eval.ingest.load_report"
)
#: The bare load, a whole process of its own: argv[1] the new database file, argv[2] the CSV.
BARE = (
    "import duckdb, sys; "
    "duckdb.connect(sys.argv[1]).execute('create table survey as select * from read_csv($f)', {'f': sys.argv[2]})"
)


# ---- the files ------------------------------------------------------------------------------


def dataset(rows: int, directory: Path) -> dict[str, Path]:
    """communities.csv and a ``rows``-row, five-column survey.csv, generated once per size."""
    out = directory / f"survey_{rows}"
    files = {"communities": out / "communities.csv", "survey": out / "survey.csv"}
    if files["communities"].exists() and files["survey"].exists():
        return files
    from tools import generate as gen

    per_wave = round(rows * 1.02 / ROWS_PER_WAVE_UNIT) + 1  # a little more, then cut to ``rows``
    print(f"generating {rows:,} survey rows in {out} …", flush=True)
    full = out / "full"
    gen.write(gen.generate(responses_per_wave=(per_wave, per_wave)), full)
    shutil.copy(full / "communities.csv", files["communities"])
    con = duckdb.connect()
    con.execute(
        f"copy (select {', '.join(COLUMNS)} from read_csv($f, all_varchar = true) limit {rows}) "
        "to '" + str(files["survey"]).replace("'", "''") + "' (header, delimiter ',')",
        {"f": str(full / "survey.csv")},
    )
    con.close()
    shutil.rmtree(full)
    return files


# ---- the measurements -----------------------------------------------------------------------


#: The children's environment: bytecode written and read (in a folder of the run's own), as a person's
#: Python does once a module has run; PYTHONDONTWRITEBYTECODE (set on some machines, this one
#: included) would make every start compile the package's 100 modules again (0.1 s).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """One fresh process, from its start to its exit (its output kept to check, not shown)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {done.stdout[-1000:]}{done.stderr[-2000:]}")
    return elapsed, done


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "community_eval", "--lang", "en", *args]


def start_runs(folder: Path) -> dict[str, Callable[[], float]]:
    """The start measurements: the bare import, both helps, and a 100-row ingest into a new database."""
    small = ROOT / "sample_data" / "communities.csv"
    counter = iter(range(10**6))

    def small_ingest() -> float:
        elapsed, done = _timed(_cli("ingest", str(small), "--db", str(folder / f"small{next(counter)}.duckdb")))
        assert "Loaded " in done.stdout, done.stdout
        return elapsed

    return {
        "bare_import": lambda: _timed([sys.executable, "-c", "import duckdb"])[0],
        "help": lambda: _timed(_cli("--help"))[0],
        "ingest_help": lambda: _timed(_cli("ingest", "--help"))[0],
        "ingest_small": small_ingest,
        # What the small ingest's start costs before it reads a byte: the loader's modules.
        "ingest_imports": lambda: _timed([sys.executable, "-c", INGEST_IMPORTS])[0],
    }


def _rows_in(database: Path, relation: str) -> int:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(f"select count(*) from {relation}").fetchall()[0][0]
    finally:
        con.close()


def load_runs(files: dict[str, Path], rows: int, folder: Path) -> dict[str, Callable[[], float]]:
    """The load as run: the command line's ingest against a bare DuckDB process, each into a new file."""
    template = folder / "communities.duckdb"
    _timed(_cli("ingest", str(files["communities"]), "--db", str(template)))
    counter = iter(range(10**6))

    def cli() -> float:
        database = folder / f"cli{next(counter)}.duckdb"
        shutil.copy(template, database)  # a fresh database that already holds the communities
        elapsed, done = _timed(_cli("ingest", str(files["survey"]), "--db", str(database)))
        assert "Loaded " in done.stdout and _rows_in(database, "main.survey") == rows, done.stdout
        database.unlink()
        return elapsed

    def bare() -> float:
        database = folder / f"bare{next(counter)}.duckdb"
        elapsed, _ = _timed([sys.executable, "-c", BARE, str(database), str(files["survey"])])
        assert _rows_in(database, "survey") == rows
        database.unlink()
        return elapsed

    return {"bare_load": bare, "cli_load": cli}


def measure(runs: dict[str, Callable[[], float]], repeat: int, label: str) -> dict[str, list[float]]:
    """One warm-up round (the files into the page cache, the modules' bytecode written), then
    the rounds interleaved (``scale_common.measure``)."""
    for run in runs.values():
        run()
    return measure_interleaved(runs, repeat, label)


# ---- reporting --------------------------------------------------------------------------------


#: The same script run on the code before issue 20's changes (commit a36feda, checked out apart), under
#: the same lock on the same day: what the changes are measured against.
BEFORE = (
    "Before these changes (commit a36feda; this script, 2026-12-03, load average 1.58 → 1.50): `--help` "
    "2.075 s (+1.899 over bare), `ingest --help` 2.181 s (+2.006), the 100-row ingest 2.254 s (+2.078); "
    "the load as run 5.137 s against bare 1.176 s, **4.37×**. The command line then imported every "
    "indicator, pandas, scipy.stats and pypinyin before parsing its arguments, and the store checked "
    "repeated keys with one self-join of the whole import."
)


def _load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def section(result: dict[str, object], argv: list[str]) -> str:
    """The "Command line" section of BENCHMARKS.md: the figures, the targets, and why where not met."""
    median = {name: statistics.median(values) for name, values in result["times"].items()}
    bare = median["bare_import"]
    over = {name: median[name] - bare for name in ("help", "ingest_help", "ingest_small", "ingest_imports")}
    ratio = median["cli_load"] / median["bare_load"]
    lines = [
        SECTION,
        "",
        f"Measured {dt.date.today().isoformat()} with "
        f"`{' '.join(['flock /tmp/bench.lock python bench/bench_cli.py', *argv])}`.",
        "",
        f"- Machine: {machine()}.",
        f"- Load average (1 / 5 / 15 min, `uptime`): {result['load_before']} before, {result['load_after']} after. "
        "The machine is shared: other work ran beside these runs.",
        f"- Every figure is the median of fresh processes, from start to exit, interleaved: start "
        f"{result['start_repeat']} rounds, load {result['repeat']} rounds (after one warm-up round each). "
        "Bytecode is written and read (`PYTHONPYCACHEPREFIX`, in a folder of the run's own), as once a module has "
        "run, whatever `PYTHONDONTWRITEBYTECODE` says.",
        f"- File: `survey.csv` from `tools.generate`, its first five columns ({', '.join(COLUMNS)}), "
        f"{result['rows']:,} rows, {result['mb']:.1f} MB, UTF-8.",
        "",
        "| Start | Median (s) | Over bare `import duckdb` (s) |",
        "|---|---:|---:|",
        f'| `python -c "import duckdb"` (bare) | {bare:.3f} | — |',
        f"| `python -m community_eval --help` | {median['help']:.3f} | {over['help']:+.3f} |",
        f"| `python -m community_eval ingest --help` | {median['ingest_help']:.3f} | {over['ingest_help']:+.3f} |",
        f"| `python -m community_eval ingest communities.csv --db NEW` (100 rows) | {median['ingest_small']:.3f} "
        f"| {over['ingest_small']:+.3f} |",
        f'| of which importing the loader (`python -c "{INGEST_IMPORTS}"`) | {median["ingest_imports"]:.3f} '
        f"| {over['ingest_imports']:+.3f} |",
        "",
        "| Load as run (whole process) | Median (s) | × bare |",
        "|---|---:|---:|",
        f"| bare: `python -c` DuckDB `create table survey as select * from read_csv(<file>)` into a new file "
        f"| {median['bare_load']:.3f} | 1.00 |",
        f"| `python -m community_eval ingest survey.csv --db X` (X new, holding the communities) "
        f"| {median['cli_load']:.3f} | {ratio:.2f} |",
        "",
        *_targets(over, ratio),
        "",
        BEFORE,
        "",
    ]
    return "\n".join(lines)


def _targets(over: dict[str, float], ratio: float) -> list[str]:
    """The issue's two targets, met or not, and why where not (the steps' costs from a profile of one load)."""
    start_met = over["help"] <= 0.3 and over["ingest_help"] <= 0.3
    small, imports = over["ingest_small"], over["ingest_imports"]
    return [
        f"Targets (issue 20, parts 3 and 4). **Start ≤ 0.3 s over bare: {'met' if start_met else 'not met'}** for "
        f"`--help` ({over['help']:+.2f} s) and `ingest --help` ({over['ingest_help']:+.2f} s): the command line "
        "imports only what parsing needs, no pandas, DuckDB, scipy, plotly or pypinyin (`tests/test_cli.py` "
        f"checks it). A real `ingest` of a small file is {small:+.2f} s over bare "
        f"({'within' if small <= 0.3 else 'not within'} 0.3 s): importing the loader alone is {imports:+.2f} s "
        "(pandas with numpy and pyarrow, which the loader, the store and every ingest module use at module "
        "level; a lazy import would only move it, as the load's report holds pandas frames (its preview), "
        "and would touch nine modules), then the new database "
        "gets its schema and the file its checks.",
        "",
        f"**Load as run ≤ 2× bare: {'met' if ratio <= 2 else 'not met'}** ({ratio:.2f}×). Beyond what the bare "
        "process does, the command line (profiled in one process, 2026-12-03): imports the loader (as above); "
        "reads the file, hashes it (SHA-256, 0.04 s) and checks its bytes for the fast path (0.15 s); parses "
        "every cell with the contract's SQL parsers rather than DuckDB's casts (within the noise of an insert "
        "of DuckDB-typed columns on a quiet minute, up to 0.5 s on a busy one); stores the contract's 15 "
        "columns and the import's bookkeeping where the bare table has 5 (an insert of the same rows already "
        "typed takes 1.2–1.4 s in one process); and checks that no response id repeats among the current rows "
        "(0.2 s, was 0.8–1.3 s as one self-join). Each is a check of the data contract or what undo needs, so "
        "none is left out. Hashing on a second thread would save at most the 0.04 s of the hash.",
    ]


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="survey rows (default 2,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the load (default 3)")
    parser.add_argument("--start-repeat", type=int, default=7, help="rounds of the start (default 7)")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "community_eval_bench_cli")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    files = dataset(args.rows, args.data)
    result: dict[str, object] = {"rows": args.rows, "repeat": args.repeat, "start_repeat": args.start_repeat}
    result["mb"] = files["survey"].stat().st_size / 1e6
    result["load_before"] = _load_average()
    with tempfile.TemporaryDirectory() as folder:
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        times = measure(start_runs(Path(folder)), args.start_repeat, "start")
        times |= measure(load_runs(files, args.rows, Path(folder)), args.repeat, "load")
    result["load_after"] = _load_average()
    result["times"] = times
    text = section(result, argv)
    print("\n" + text)
    if not args.no_write:
        write_section(BENCHMARKS, SECTION, text)
        print(f"written to {BENCHMARKS}")


if __name__ == "__main__":
    main()
