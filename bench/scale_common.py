"""What the benchmarks share: timing interleaved rounds, a process's peak memory, the machine in words."""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd


def peak_rss_mib() -> float:
    """This process's peak resident set so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function: Callable[[], object]) -> Callable[[], float]:
    """A run that returns how long ``function`` took, in seconds."""

    def run() -> float:
        start = time.perf_counter()
        function()
        return time.perf_counter() - start

    return run


def measure(runs: dict[str, Callable[[], float]], repeat: int, label: str) -> dict[str, list[float]]:
    """Every run once per round, the rounds one after the other: interleaved, so a slow minute
    on the machine spreads over every measurement instead of falling on one."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(1, repeat + 1):
        for name, run in runs.items():
            times[name].append(run())
        slowest = sorted(times.items(), key=lambda item: -item[1][-1])[:4]
        shown = ", ".join(f"{name} {values[-1]:.3f}s" for name, values in slowest)
        print(f"[{label}] round {round_}/{repeat} done; slowest: {shown}", flush=True)
    return times


def machine(*extra: str) -> str:
    """The machine and the versions that matter, for a results table: CPUs, RAM, OS, Python,
    DuckDB, pandas, and any ``extra`` words (e.g. Streamlit's version)."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = [
        f"Python {platform.python_version()}",
        f"DuckDB {duckdb.__version__}",
        f"pandas {pd.__version__}",
        *extra,
    ]
    return (
        f"{os.cpu_count()} CPUs ({model}), {ram:.0f} GiB RAM, {platform.system()} {platform.release()}; "
        + ", ".join(versions)
    )
