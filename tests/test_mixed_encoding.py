"""A UTF-8 file with a row in GBK is refused naming that row, on both load paths; GBK files still load.

Before, bytes that were not valid UTF-8 were decoded whole as GB18030, which reads nearly
any bytes: when every run of Chinese characters had an even number of bytes, the file
loaded without one problem and every name wrong (红光社区 stored as 绾㈠厜绀惧尯).
"""

from __future__ import annotations

from contextlib import nullcontext
from unittest.mock import patch

import pytest

from community_eval.core import charsets
from community_eval.core.i18n import Translator
from community_eval.db.store import Store
from community_eval.ingest import bulk
from community_eval.ingest.load_report import problem_text
from community_eval.ingest.loader import Source, ingest
from community_eval.ingest.reader import ReadError, read_bytes

HEADER = "community_id,community_name,district,street,community_type,population,households\n"
# Every run of Chinese characters here is 2 or 4 characters, 6 or 12 bytes in UTF-8: even,
# so GB18030 decodes the UTF-8 bytes without an error (as mojibake).
NAMES = ("红光社区", "东风社区", "向阳社区", "团结社区")


def _row(number: int) -> str:
    return f"C{number:05d},{NAMES[number % 4]},仙桃,干河街道,urban,{1000 + number},{300 + number}\n"


def _mixed(rows: int, gbk_line: int) -> bytes:
    """A UTF-8 CSV of ``rows`` data rows whose line ``gbk_line`` (the header is line 1) was saved in GBK."""
    lines = [HEADER, *(_row(n) for n in range(1, rows + 1))]
    return b"".join(line.encode("gbk" if number == gbk_line else "utf-8") for number, line in enumerate(lines, 1))


def _gbk(rows: int) -> bytes:
    return (HEADER + "".join(_row(n) for n in range(1, rows + 1))).encode("gbk")


def _load(data: bytes, python_only: bool = False):
    """Load ``data`` into a fresh store (``python_only``: never by the bulk path); the report and stored names."""
    store = Store(":memory:")
    try:
        with patch.object(bulk, "MIN_ROWS", 10**12) if python_only else nullcontext():
            (report,) = ingest(store, [Source("c.csv", data)])
        return report, store.community_names()
    finally:
        store.close()


@pytest.mark.parametrize(("rows", "gbk_line"), [(3, 3), (bulk.MIN_ROWS + 200, 4001)], ids=["small", "bulk-size"])
def test_a_utf8_file_with_a_gbk_row_is_refused_naming_the_row(rows, gbk_line):
    data = _mixed(rows, gbk_line)
    data.decode("gb18030")  # the trap: the whole file is valid GB18030
    reports = [_load(data, python_only) for python_only in (False, True)]
    for report, stored in reports:
        assert stored == {}, f"stored as mojibake: {list(stored.values())[:2]}"
        assert not report.loaded
        assert [(p.reason, p.row, p.params) for p in report.problems] == [
            ("not_utf8_from_row", None, {"row": gbk_line})
        ]
    problem = reports[0][0].problems[0]
    assert f"row {gbk_line}" in problem_text(Translator("en"), problem)
    assert f"第 {gbk_line} 行" in problem_text(Translator("zh"), problem)


def test_the_reader_names_the_row_whatever_the_bom():
    for prefix in (b"", b"\xef\xbb\xbf"):
        with pytest.raises(ReadError) as refused:
            read_bytes(prefix + _mixed(6, 5), "c.csv")
        assert (refused.value.reason, refused.value.params) == ("not_utf8_from_row", {"row": 5})


@pytest.mark.parametrize("rows", [3, bulk.MIN_ROWS + 200], ids=["small", "bulk-size"])
def test_a_gbk_file_still_loads_as_gb18030(rows):
    report, stored = _load(_gbk(rows))
    assert report.loaded and report.encoding == "gb18030", report.problems
    assert stored["C00001"] == "东风社区" and len(stored) == rows


def test_a_gbk_file_that_starts_like_utf8_still_loads():
    """一业为住 in GBK is four valid UTF-8 characters (U+04xx): chance matches do not make a file UTF-8."""
    lead = "G0,一业为住,仙桃,干河街道,urban,1000,300\n"
    data = (HEADER + lead + "".join(_row(n) for n in range(1, 4))).encode("gbk")
    with pytest.raises(UnicodeDecodeError) as failed:
        data.decode("utf-8")
    assert not data[: failed.value.start].isascii(), "valid UTF-8 multi-byte characters come before the first failure"
    report, stored = _load(data)
    assert report.loaded and report.encoding == "gb18030", report.problems
    assert stored["G0"] == "一业为住"


def test_a_utf8_file_still_loads_as_utf8():
    report, stored = _load((HEADER + "".join(_row(n) for n in range(1, 4))).encode())
    assert report.loaded and report.encoding == "utf-8"
    assert stored["C00001"] == "东风社区"


@pytest.mark.parametrize("chunk", [4, 5, 7, 1 << 20])
@pytest.mark.parametrize("gbk_line", [2, 3, 17, 41])
def test_the_row_does_not_depend_on_where_chunks_end(monkeypatch, chunk, gbk_line):
    monkeypatch.setattr(charsets, "CHUNK_BYTES", chunk)
    with pytest.raises(charsets.BrokenUtf8) as refused:
        charsets.is_utf8(_mixed(40, gbk_line))
    assert refused.value.row == gbk_line
    assert charsets.is_utf8(_gbk(40)) is False
    assert charsets.is_utf8(_mixed(40, 0)) is True


def test_a_gbk_header_over_utf8_rows_is_refused_at_row_1():
    header = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n".encode("gbk")
    with pytest.raises(charsets.BrokenUtf8) as refused:
        charsets.is_utf8(header + "".join(_row(n) for n in range(1, 40)).encode())
    assert refused.value.row == 1
