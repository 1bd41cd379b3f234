"""How the dashboard holds up from a district to a province: loading, indicators, pages, memory.

    python bench/bench_scale.py [--scales district,city,province,region] [--repeat K] [--page-repeat K]
                                [--data DIR] [--note TEXT] [--no-write] [--report-only]

For each scale it generates synthetic data once with ``tools.generate`` (cached as
CSV files in ``--data``/<scale>, reused while the generator and its arguments are unchanged)
and measures, each figure the median of ``--repeat`` runs (``--page-repeat`` for pages):

* loading: every table's file through the real loader (``ingest_paths`` into a fresh
  database file, the communities already in it) against DuckDB's bare
  ``create table t as select * from read_csv(<file>)`` into a fresh database file, and all
  five files at once; the runs interleaved, so a slow minute on the machine does not fall
  on one of them only;
* indicators (``bench/scale_indicators.py``): each indicator function called directly on a
  ``Store`` (no cache) against the minimal DuckDB query computing the same numbers from the
  tables, and against a straightforward pandas implementation of the INDICATORS.md
  definition (the tables read into pandas once, not counted); the three are checked to
  agree before anything is timed;
* pages (``bench/scale_pages.py``): every page of ``dashboard.PAGES`` through AppTest: a new
  session's first render with Streamlit's data cache empty (cold) and filled by an earlier
  session (warm), a rerun with nothing changed, and reruns after the year and the street
  filter change;
* peak memory: each phase runs in a process of its own, which reports its peak resident set.

Scales: district ≈ 100 communities, city ≈ 1,000, province ≈ 5,000 (about 2,000,000 survey
responses), region ≈ 20,000 (four provinces; not run unless asked for). The table goes to the
"Scale" section of BENCHMARKS.md (other sections are left alone) unless ``--no-write``; the
raw results stay in ``--data``/<scale>/results.json, which ``--report-only`` rewrites the
section from. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
from scale_common import machine, measure, peak_rss_mib  # noqa: E402

from community_eval.core.schema import TABLES  # noqa: E402
from community_eval.db.store import Store  # noqa: E402
from community_eval.ingest import bulk, loader  # noqa: E402
from tools import generate as gen  # noqa: E402

BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "## Scale"
DEFAULT_DATA = Path(tempfile.gettempdir()) / "community_eval_scale"


@dataclass(frozen=True)
class Scale:
    """A size of database: how many communities, and how many survey responses each has per wave."""

    name: str
    communities: int
    about: str
    #: Responses per community per wave (two waves): 199–209 gives ≈ 2,000,000 at 5,000 communities.
    responses_per_wave: tuple[int, int] = (199, 209)

    @property
    def factor(self) -> float:
        """The generator's ``scale``: multiples of the sample district's 79 communities."""
        return self.communities / gen.PER_79

    def params(self) -> dict[str, object]:
        return {
            "seed": gen.DEFAULT_SEED,
            "scale": self.factor,
            "latest_year": gen.DEFAULT_LATEST_YEAR,
            "responses_per_wave": list(self.responses_per_wave),
        }


SCALES = {
    scale.name: scale
    for scale in (
        Scale("district", 100, "a district (区/县)"),
        Scale("city", 1_000, "a prefecture-level city"),
        Scale("province", 5_000, "a province"),
        Scale("region", 20_000, "four provinces"),
    )
}
DEFAULT_SCALES = "district,city,province"


# ---- the files ------------------------------------------------------------------------------


def scale_dir(data: Path, scale: Scale) -> Path:
    return data / scale.name


def csv_files(data: Path, scale: Scale) -> dict[str, Path]:
    return {name: scale_dir(data, scale) / f"{name}.csv" for name in TABLES}


def wanted_manifest(scale: Scale) -> dict[str, object]:
    """What the cached files were made from: the arguments and the generator's own source."""
    source = Path(gen.__file__).read_bytes()
    return {**scale.params(), "generator_sha256": hashlib.sha256(source).hexdigest()}


def generate_phase(data: Path, scale: Scale) -> dict[str, object]:
    """Generate the scale's five CSV files unless the same generator made them with the same arguments."""
    folder = scale_dir(data, scale)
    manifest = folder / "manifest.json"
    wanted = wanted_manifest(scale)
    files = csv_files(data, scale)
    if manifest.exists() and all(path.exists() for path in files.values()):
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        if {key: recorded.get(key) for key in wanted} == wanted:
            return {"generated": False, **recorded}
    manifest.unlink(missing_ok=True)
    print(f"[{scale.name}] generating {scale.communities:,} communities in {folder} …", flush=True)
    start = time.perf_counter()
    tables = gen.generate(
        seed=gen.DEFAULT_SEED,
        scale=scale.factor,
        latest_year=gen.DEFAULT_LATEST_YEAR,
        responses_per_wave=scale.responses_per_wave,
    )
    rows = {name: len(frame) for name, frame in tables.items()}
    generated = time.perf_counter() - start
    gen.write(tables, folder)
    del tables
    recorded = {
        **wanted,
        "rows": rows,
        "bytes": {name: path.stat().st_size for name, path in files.items()},
        "generate_s": generated,
        "generate_and_write_s": time.perf_counter() - start,
        "generate_peak_mib": peak_rss_mib(),
    }
    manifest.write_text(json.dumps(recorded, indent=2), encoding="utf-8")  # written last: the files are complete
    return {"generated": True, **recorded}


# ---- loading ----------------------------------------------------------------------------------


def bare_read(paths: list[Path]) -> float:
    """DuckDB alone: each file into a table of a fresh database file, nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "bare.duckdb"))
        try:
            start = time.perf_counter()
            for index, path in enumerate(paths):
                con.execute(f"create table t{index} as select * from read_csv($path)", {"path": str(path)})
            return time.perf_counter() - start
        finally:
            con.close()


class PathSpy:
    """Records whether each file took the loader's DuckDB fast path (``bulk.read``) or the Python path."""

    def __init__(self) -> None:
        self.fast: dict[str, bool] = {}
        self._read = bulk.read

    def __call__(self, source: loader.Source, *args: object, **kwargs: object) -> object:
        result = self._read(source, *args, **kwargs)
        self.fast[Path(source.name).stem] = result is not None
        return result


def ingest(store: Store, paths: list[Path], rows: dict[str, int]) -> None:
    reports = loader.ingest_paths(store, paths)
    for report in reports:
        table = report.table or report.file_name
        assert report.loaded, (report.file_name, report.problems[:5])
        assert report.rows_loaded == rows[table], (table, report.rows_loaded, rows[table])


def loader_load(files: dict[str, Path], tables: list[str], rows: dict[str, int], spy: PathSpy) -> float:
    """The real loader: ``tables``' files into a fresh database file that already holds the communities."""
    with tempfile.TemporaryDirectory() as folder, patch.object(bulk, "read", spy):
        store = Store(str(Path(folder) / "store.duckdb"))
        try:
            if "communities" not in tables:
                ingest(store, [files["communities"]], rows)
            start = time.perf_counter()
            ingest(store, [files[name] for name in tables], rows)
            return time.perf_counter() - start
        finally:
            store.close()


def load_phase(data: Path, scale: Scale, repeat: int) -> dict[str, object]:
    """Per-table and whole loads against bare read_csv; then the scale's database, built by the loader."""
    files = csv_files(data, scale)
    rows = json.loads((scale_dir(data, scale) / "manifest.json").read_text(encoding="utf-8"))["rows"]
    spy = PathSpy()
    names = list(TABLES)
    runs: dict[str, Callable[[], float]] = {}
    for name in names:
        runs[f"loader:{name}"] = lambda name=name: loader_load(files, [name], rows, spy)
        runs[f"bare:{name}"] = lambda name=name: bare_read([files[name]])
    runs["loader:all"] = lambda: loader_load(files, names, rows, spy)
    runs["bare:all"] = lambda: bare_read([files[name] for name in names])
    for warm_up in runs.values():  # the files into the page cache, DuckDB and the modules loaded
        warm_up()
    times = measure(runs, repeat, f"{scale.name} load")
    database = scale_dir(data, scale) / "community_eval.duckdb"
    database.unlink(missing_ok=True)
    store = Store(str(database))
    try:
        ingest(store, [files[name] for name in names], rows)
    finally:
        store.close()
    return {
        "times": times,
        "fast_path": spy.fast,
        "database_bytes": database.stat().st_size,
        "peak_mib": peak_rss_mib(),
    }


# ---- phases in processes of their own ------------------------------------------------------------


def database_path(data: Path, scale: Scale) -> Path:
    return scale_dir(data, scale) / "community_eval.duckdb"


def run_phase(phase: str, scale: Scale, args: argparse.Namespace) -> dict[str, object]:
    """Run one phase in a fresh Python process and return what it reports (with its peak memory)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--scales",
        scale.name,
        "--repeat",
        str(args.repeat),
        "--page-repeat",
        str(args.page_repeat),
        "--data",
        str(args.data),
        "--result",
        str(result),
    ]
    start = time.perf_counter()
    try:
        completed = subprocess.run(command, cwd=ROOT, check=False)
        if completed.returncode != 0:
            return {"error": f"the {phase} phase exited with status {completed.returncode}"}
        reported = json.loads(result.read_text(encoding="utf-8"))
    finally:
        result.unlink(missing_ok=True)
    reported["phase_s"] = time.perf_counter() - start
    return reported


def child(phase: str, scale: Scale, args: argparse.Namespace) -> None:
    """The body of a phase's process: measure, then write the result where the parent reads it."""
    if phase == "generate":
        result = generate_phase(args.data, scale)
    elif phase == "load":
        result = load_phase(args.data, scale, args.repeat)
    elif phase == "indicators":
        import scale_indicators

        result = scale_indicators.run(database_path(args.data, scale), args.repeat, scale.name)
    elif phase == "pages":
        import scale_pages

        result = scale_pages.run(database_path(args.data, scale), args.page_repeat, scale.name)
    else:
        raise ValueError(f"unknown phase {phase}")
    result["peak_mib"] = peak_rss_mib()
    args.result.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


def measure_scale(scale: Scale, args: argparse.Namespace, command: str) -> dict[str, object]:
    """Every phase of one scale, each in its own process; the results are also saved beside the files."""
    results: dict[str, object] = {
        "scale": scale.name,
        "communities": scale.communities,
        "measured_on": dt.date.today().isoformat(),
        "command": command,
        "repeat": args.repeat,
        "page_repeat": args.page_repeat,
        "note": args.note,
        "load_average_before": os.getloadavg(),
    }
    for phase in ("generate", "load", "indicators", "pages"):
        print(f"[{scale.name}] {phase} …", flush=True)
        results[phase] = run_phase(phase, scale, args)
        if "error" in results[phase] and phase in ("generate", "load"):
            print(f"[{scale.name}] {results[phase]['error']}; skipping the rest of this scale", flush=True)
            break
    results["load_average_after"] = os.getloadavg()
    results["parent_peak_mib"] = peak_rss_mib()
    path = scale_dir(args.data, scale) / "results.json"
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return results


# ---- the report ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=DEFAULT_SCALES, help=f"comma-separated, of {', '.join(SCALES)}")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each load and indicator (default 5)")
    parser.add_argument("--page-repeat", type=int, default=3, help="runs of each page measurement (default 3)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"where the files go (default {DEFAULT_DATA})")
    parser.add_argument("--note", default="", help="a sentence for the report, such as what else ran on the machine")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave BENCHMARKS.md alone")
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from the saved results")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scales = [SCALES[name.strip()] for name in args.scales.split(",") if name.strip()]
    if args.phase:
        child(args.phase, scales[0], args)
        return
    import scale_report

    if args.report_only:
        results = [json.loads((scale_dir(args.data, s) / "results.json").read_text(encoding="utf-8")) for s in scales]
        command = results[0]["command"]
    else:
        command = shlex.join(arg for arg in argv if arg not in (args.note, "--note") and not arg.startswith("--note="))
        results = [measure_scale(scale, args, command) for scale in scales]
    import streamlit  # its version only, for the table; the timed runs load it in their own processes

    described = machine(f"Streamlit {streamlit.__version__}")
    text = scale_report.section(results, SCALES, described, command, args, peak_rss_mib())
    print("\n" + text)
    if not args.no_write:
        scale_report.write_section(BENCHMARKS, SECTION, text)
        print(f"written to {BENCHMARKS}")


if __name__ == "__main__":
    main()
