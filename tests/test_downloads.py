"""The table downloads: a full-precision CSV for machines, a titled and formatted workbook for people.

The indicator comes from the sample district through the same function the task-burden page
calls; what the files hold is compared with that frame (the truth) cell by cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from community_eval.core.i18n import Translator
from community_eval.db.store import Store
from community_eval.figures import downloads
from community_eval.indicators import task_burden
from community_eval.indicators.filters import Filters

YEAR = 2025
COLUMNS = task_burden.TASK_BURDEN.shown_columns()
LOADED = dt.datetime(2026, 11, 30, 9, 15)


@pytest.fixture(scope="module")
def burden(sample_db) -> pd.DataFrame:
    store = Store(sample_db)
    try:
        frame = task_burden.task_burden(store, Filters(street="干河街道"), YEAR, level="community")
    finally:
        store.close()
    # The page shows the community's name where the query says group_label.
    return frame.dropna(subset=["tasks"]).rename(columns={"group_label": "community_name"})


def context(scope: tuple[str, ...] = ("干河街道",)) -> downloads.DownloadContext:
    return downloads.DownloadContext("task_burden", YEAR, scope, "湖北省城市社区标准", LOADED)


def test_the_csv_is_for_machines_full_precision_stable_names_and_the_id(burden):
    data = downloads.csv_bytes(burden, COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert header == ["community_id", *COLUMNS], "the INDICATORS.md names, whatever the language"
    assert [row[0] for row in rows] == list(burden["group_key"])
    read_back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    for column in ("admin_hours_share", "tasks_per_staff", "unfunded_share"):
        # every digit: the doubles read back are the very doubles computed
        assert read_back[column].tolist() == burden[column].tolist(), column
    assert any(len(row[header.index("admin_hours_share")]) > 8 for row in rows), "not rounded for display"


def test_the_workbook_is_for_people(burden):
    tr = Translator("zh")
    book = openpyxl.load_workbook(io.BytesIO(downloads.xlsx_bytes(tr, burden, COLUMNS, context())))
    sheet = book.active
    assert sheet.title == "任务负担"
    titles = [sheet.cell(row=r, column=1).value for r in range(1, downloads.TITLE_ROWS + 1)]
    assert titles == [
        "任务负担（2025年）",
        "范围：干河街道",
        "评价标准：湖北省城市社区标准",
        "数据更新于：2026-11-30 09:15",
        None,
    ]
    header_row = downloads.TITLE_ROWS + 1
    header = [cell.value for cell in sheet[header_row]]
    assert header == [tr(f"col.{c}") for c in ["community_id", *COLUMNS]]
    assert sheet.freeze_panes == f"A{header_row + 1}"
    body = list(sheet.iter_rows(min_row=header_row + 1))
    assert len(body) == len(burden)
    at = {column: index for index, column in enumerate(["community_id", *COLUMNS])}
    for cells, (_, row) in zip(body, burden.iterrows(), strict=True):
        assert cells[at["community_id"]].value == row["group_key"]
        share = cells[at["admin_hours_share"]]
        assert share.value == pytest.approx(row["admin_hours_share"], abs=0, rel=1e-15), "the real fraction"
        assert share.number_format == "0.0%", "a percent cell, not text"
        assert cells[at["tasks"]].number_format == "#,##0"
        assert cells[at["tasks_per_staff"]].number_format == "#,##0.0"
        assert cells[at["community_name"]].number_format == "General"


def test_a_missing_value_is_an_empty_cell_not_none_text():
    frame = pd.DataFrame({"community_id": ["A", "B"], "community_name": ["甲", "乙"], "tasks_per_staff": [1.5, None]})
    book = downloads.xlsx_bytes(Translator("en"), frame, ["community_name", "tasks_per_staff"], context())
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    last = [cell.value for cell in sheet[downloads.TITLE_ROWS + 3]]
    assert last == ["B", "乙", None]


def test_the_file_name_carries_the_indicator_year_and_filter():
    zh, en = Translator("zh"), Translator("en")
    assert downloads.file_stem(zh, context()) == "任务负担_2025年_干河街道"
    assert downloads.file_stem(en, context(("仙桃市", "干河街道"))) == "Task_burden_2025_仙桃市_干河街道"
    assert downloads.file_stem(zh, context(())) == "任务负担_2025年"
    hostile = downloads.file_stem(zh, context(('a/b\\c:d*e?"f<g>h|i',)))
    assert not set('/\\:*?"<>|') & set(hostile), hostile
    assert len(downloads.file_stem(zh, context(("长" * 300,)))) <= downloads.FILE_STEM_CHARS


def test_the_english_workbook_and_an_unfiltered_scope(burden):
    book = downloads.xlsx_bytes(Translator("en"), burden, COLUMNS, context(()))
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    assert sheet.title == "Task burden"
    assert sheet["A1"].value == "Task burden (2025)"
    assert sheet["A2"].value == "Scope: All communities"
