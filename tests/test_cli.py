"""The command line loads the sample district and the database shows the published figures."""

import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "community_eval", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ingest_sample_data_gives_the_xiantao_figures(tmp_path):
    db = tmp_path / "x.duckdb"
    files = sorted(str(p) for p in (ROOT / "sample_data").glob("*.csv"))
    result = run("--lang", "en", "ingest", *files, "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Loaded ") == 5
    con = duckdb.connect(str(db), read_only=True)
    types = dict(con.execute("select community_type, count(*) from communities group by all").fetchall())
    assert types == {"urban": 21, "village_converted": 35, "township": 23}
    in_post = "hire_date <= date '2025-12-31' and (exit_date is null or exit_date > date '2025-12-31')"
    assert con.execute(f"select count(*) from staff where {in_post}").fetchone()[0] == 452
    assert con.execute(f"select count(*) from staff where {in_post} and gender = 'F'").fetchone()[0] == 154
    education = dict(con.execute(f"select education, count(*) from staff where {in_post} group by all").fetchall())
    assert education == {"bachelor_or_above": 2, "college": 59, "high_school": 302, "junior_or_below": 89}
    assert con.execute(f"select count(*) from staff where {in_post} and certified_social_worker").fetchone()[0] == 0


def test_ingest_reports_problems_and_exits_non_zero(tmp_path):
    db = tmp_path / "x.duckdb"
    bad = tmp_path / "bad.csv"
    bad.write_bytes("社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nA1,甲,区,街,商业区,1000,300\n".encode("gbk"))
    result = run("--lang", "zh", "ingest", str(bad), "--db", str(db))
    assert result.returncode == 1
    assert "第 2 行 [community_type] “商业区”" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_file_and_garbage_are_one_sentence_each(tmp_path):
    garbage = tmp_path / "x.xlsx"
    garbage.write_text("not a workbook")
    result = run("--lang", "en", "ingest", str(tmp_path / "nope.csv"), str(garbage), "--db", str(tmp_path / "d.duckdb"))
    assert result.returncode == 1
    assert "file not found" in result.stdout and "cannot be read as one" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


#: Runs the command line as ``python -m community_eval`` does, and at exit writes the names of
#: every module the process imported to the file named by its first argument.
_RECORD_MODULES = """
import atexit, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w", encoding="utf-8").write("\\n".join(sorted(sys.modules))))
sys.argv[0] = "community_eval"
runpy.run_module("community_eval", run_name="__main__", alter_sys=True)
"""


def imported_by(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """The command's result and the top-level packages its process had imported when it ended."""
    out = tmp_path / "modules.txt"
    command = [sys.executable, "-c", _RECORD_MODULES, str(out), *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return result, {name.split(".")[0] for name in out.read_text(encoding="utf-8").split()}


def test_ingest_starts_without_the_indicators_statistics_charts_or_the_app(tmp_path):
    """Issue 20: ``ingest`` imports what loading needs (pandas, DuckDB), not scipy (the
    indicators' statistics, 0.7 s), plotly, Streamlit, nor pypinyin (0.2 s): the command line
    imports each command's machinery when it runs, and pinyin only when a name is sorted."""
    csv = ROOT / "sample_data" / "communities.csv"
    result, modules = imported_by(tmp_path, "--lang", "en", "ingest", str(csv), "--db", str(tmp_path / "x.duckdb"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Loaded " in result.stdout
    assert "duckdb" in modules  # the probe sees what the load imported
    assert not modules & {"scipy", "plotly", "streamlit", "pypinyin"}, sorted(modules)


def test_help_starts_without_pandas_or_duckdb(tmp_path):
    """``--help`` parses arguments only: i18n writes numbers without pandas, the choices come
    from light modules (the ingest choices, the indicators' names)."""
    for args in (["--help"], ["ingest", "--help"], ["export", "--help"]):
        result, modules = imported_by(tmp_path, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "usage:" in result.stdout
        assert not modules & {"pandas", "numpy", "duckdb", "scipy", "plotly", "streamlit", "pypinyin"}, args


def test_the_export_choices_are_the_catalogs_indicators():
    """The names argparse offers are written apart from the catalog (which imports scipy): the same list."""
    from community_eval.indicators.catalog import BY_NAME
    from community_eval.indicators.names import NAMES
    from community_eval.report import export, export_choices

    assert NAMES == tuple(BY_NAME) == export.INDICATORS == export_choices.INDICATORS
