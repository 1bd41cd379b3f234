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
