"""The survey-platform exports generator: its files are shaped as specified and its truth says what they hold.

Cells are read here with openpyxl and the csv module only (never the loader), and the truth
is re-derived from them by hand, so the loader's tests can trust ``PlatformExport.truth``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest

from tools import survey_exports as se
from tools.office_files import sample_communities

WJX_HEADER = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "1、您所在的社区是？",
    "2、您的性别：",
    "3、您的年龄段：",
    "4、您对社区服务的总体满意度是？",
    "5、(社区环境卫生)",
    "5、(社会治安状况)",
    "5、(社区工作人员服务态度)",
    "5、(社区活动场所和设施)",
    "5、(社区服务办理)",
    "6、您对居民参与社区事务的情况满意吗？",
    "7、您对社区垃圾分类工作的满意度",
    "8、(社区养老服务)",
    "8、(社区停车管理)",
    "9、您对社区物业管理的总体评分（0-10分）",
    "10、您对社区工作有什么意见和建议？",
    "11、您的手机号码（选填）",
]
TENCENT_HEADER = [
    "编号",
    "用户类型",
    "用户标识",
    "昵称",
    "开始答题时间",
    "结束答题时间",
    "答题时长",
    "地理位置国家和地区",
    "地理位置省",
    "地理位置市",
    "自定义字段",
    "1.您所在的社区:",
    "2.您的性别:",
    "3.您的年龄:",
    "4.总体来说，您对本社区居委会的工作满意吗？",
    "5.请您对以下方面进行评价—社区环境卫生",
    "5.请您对以下方面进行评价—社会治安",
    "5.请您对以下方面进行评价—工作人员服务态度",
    "5.请您对以下方面进行评价—社区活动场所和设施",
    "6.您对社区文化活动的满意程度（1-7分）",
    "7.您对社区工作有什么建议？",
]
LABEL_SCORES = {"非常满意": 5.0, "满意": 4.0, "一般": 3.0, "不满意": 2.0, "非常不满意": 1.0, "说不清": None}
WJX_CORE = {
    "overall": "4、您对社区服务的总体满意度是？",
    "environment": "5、(社区环境卫生)",
    "safety": "5、(社会治安状况)",
    "staff_attitude": "5、(社区工作人员服务态度)",
    "facilities": "5、(社区活动场所和设施)",
    "service": "5、(社区服务办理)",
    "participation": "6、您对居民参与社区事务的情况满意吗？",
}
TENCENT_CORE = {
    "overall": "4.总体来说，您对本社区居委会的工作满意吗？",
    "environment": "5.请您对以下方面进行评价—社区环境卫生",
    "safety": "5.请您对以下方面进行评价—社会治安",
    "staff_attitude": "5.请您对以下方面进行评价—工作人员服务态度",
    "facilities": "5.请您对以下方面进行评价—社区活动场所和设施",
}
TEN = "9、您对社区物业管理的总体评分（0-10分）"
SEVEN = "6.您对社区文化活动的满意程度（1-7分）"
WJX_OWN_LIKERT = ["7、您对社区垃圾分类工作的满意度", "8、(社区养老服务)", "8、(社区停车管理)"]


@pytest.fixture(scope="module")
def exports() -> list[se.PlatformExport]:
    return se.platform_exports()


def _find(exports: list[se.PlatformExport], platform: str, kind: str, fmt: str) -> se.PlatformExport:
    (found,) = [e for e in exports if (e.platform, e.kind, e.fmt) == (platform, kind, fmt)]
    return found


def _cells(export: se.PlatformExport) -> list[list[object]]:
    """The file's rows as written: xlsx cell values (None = empty) or csv strings ("" = empty)."""
    if export.fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(export.data))
        assert book.sheetnames == ["Sheet1"]
        return [list(row) for row in book["Sheet1"].iter_rows(values_only=True)]
    encoding = "gbk" if export.platform == "wjx" else "utf-8-sig"
    return list(csv.reader(io.StringIO(export.data.decode(encoding), newline="")))


def _records(export: se.PlatformExport) -> list[dict[str, object]]:
    header, *rows = _cells(export)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def test_every_platform_kind_and_format_once(exports: list[se.PlatformExport]) -> None:
    combos = sorted((e.platform, e.kind, e.fmt) for e in exports)
    expected = [("tencent", k, f) for k in ("score", "text") for f in ("csv", "xlsx")]
    expected += [("wjx", k, f) for k in ("code", "score", "text") for f in ("csv", "xlsx")]
    assert combos == expected
    assert len({e.name for e in exports}) == 10
    words = {"text": "按文本", "code": "按序号", "score": "按分数"}
    for e in exports:
        assert e.name.endswith("." + e.fmt)
        if e.platform == "wjx":
            assert words[e.kind] in e.name
        assert e.likert_order == {"text": None, "code": "high-first", "score": "low-first"}[e.kind]


def test_same_call_same_bytes() -> None:
    first = [(e.name, e.data) for e in se.platform_exports()]
    se.wjx_responses.cache_clear()
    se.tencent_responses.cache_clear()
    second = [(e.name, e.data) for e in se.platform_exports()]
    assert first == second


def test_headers_as_specified_and_questions_cover_them(exports: list[se.PlatformExport]) -> None:
    for e in exports:
        header = [_text(v) for v in _cells(e)[0]]
        assert header == (WJX_HEADER if e.platform == "wjx" else TENCENT_HEADER), e.name
        assert list(e.questions) == header
    wjx = _find(exports, "wjx", "text", "xlsx").questions
    assert [h for h, kind in wjx.items() if kind == "item"] == [*WJX_OWN_LIKERT, TEN]
    assert {column: wjx[header] for column, header in WJX_CORE.items()} == {c: c for c in WJX_CORE}
    assert wjx["10、您对社区工作有什么意见和建议？"] == "open_text" and wjx["11、您的手机号码（选填）"] == "phone"
    tencent = _find(exports, "tencent", "text", "xlsx").questions
    assert [h for h, kind in tencent.items() if kind == "item"] == [SEVEN]
    assert tencent["1.您所在的社区:"] == "community"


def test_csv_encodings_and_line_ends(exports: list[se.PlatformExport]) -> None:
    wjx = _find(exports, "wjx", "text", "csv").data
    assert not wjx.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        wjx.decode("utf-8")
    text = wjx.decode("gbk")
    assert text.startswith("序号,提交答卷时间,") and "\r\n" in text and text.count("\n") == text.count("\r\n")
    tencent = _find(exports, "tencent", "score", "csv").data
    assert tencent.startswith(b"\xef\xbb\xbf")
    assert tencent.decode("utf-8-sig").startswith("编号,用户类型,用户标识,")


def test_csv_and_xlsx_hold_the_same_cells(exports: list[se.PlatformExport]) -> None:
    for platform, kind in [("wjx", "text"), ("wjx", "code"), ("wjx", "score"), ("tencent", "text")]:
        xlsx = [[_text(v) for v in row] for row in _cells(_find(exports, platform, kind, "xlsx"))]
        assert xlsx == _cells(_find(exports, platform, kind, "csv"))


def test_one_truth_per_platform(exports: list[se.PlatformExport]) -> None:
    for platform in ("wjx", "tencent"):
        truths = [e.truth for e in exports if e.platform == platform]
        for truth in truths[1:]:
            assert truth.equals(truths[0])


def test_wjx_truth_by_hand_from_the_text_file(exports: list[se.PlatformExport]) -> None:
    export = _find(exports, "wjx", "text", "xlsx")
    names = dict(zip(sample_communities()["community_name"], sample_communities()["community_id"], strict=True))
    truth = export.truth.to_dict("records")
    records = _records(export)
    assert len(records) == len(truth)
    for cells, meant in zip(records, truth, strict=True):
        assert meant["response_number"] == cells["序号"]
        day, _ = str(cells["提交答卷时间"]).split(" ")
        assert meant["survey_date"] == dt.date(*map(int, day.split("/")))
        assert meant["community_id"] == names[cells["1、您所在的社区是？"]]
        assert meant["gender"] == {"男": "M", "女": "F"}[cells["2、您的性别："]]
        assert meant["age_group"] == cells["3、您的年龄段："]
        for column, header in WJX_CORE.items():
            assert meant[column] == LABEL_SCORES[cells[header]], (column, cells[header])
        for header in WJX_OWN_LIKERT:
            assert meant[header] == (None if cells[header] == "(跳过)" else LABEL_SCORES[cells[header]])
        ten = cells[TEN]
        assert meant[TEN] == (None if ten == "(跳过)" else pytest.approx(1 + 4 * ten / 10))
        assert meant["ip"] == cells["来自IP"]
        assert (meant["open_text"] or "(空)") == cells["10、您对社区工作有什么意见和建议？"]
        assert (meant["phone"] or "(跳过)") == cells["11、您的手机号码（选填）"]
        assert meant["user_id"] is None and meant["nickname"] is None
    first = records[0]
    assert re.fullmatch(r"2024/5/\d{1,2} \d{1,2}:\d\d:\d\d", first["提交答卷时间"])
    assert re.fullmatch(r"\d+秒", first["所用时间"])


def test_wjx_code_kind_is_six_minus_score(exports: list[se.PlatformExport]) -> None:
    export = _find(exports, "wjx", "code", "xlsx")
    text = _records(_find(exports, "wjx", "text", "xlsx"))
    unsure = 0
    for cells, labels, meant in zip(_records(export), text, export.truth.to_dict("records"), strict=True):
        assert cells["2、您的性别："] == {"男": 1, "女": 2}[labels["2、您的性别："]]
        assert cells["3、您的年龄段："] == ["18-35岁", "36-59岁", "60岁及以上"].index(meant["age_group"]) + 1
        assert cells["1、您所在的社区是？"] == labels["1、您所在的社区是？"]
        for column, header in WJX_CORE.items():
            if meant[column] is None:
                assert cells[header] == 6 and labels[header] == "说不清"
                unsure += 1
            else:
                assert cells[header] == 6 - meant[column]
        assert cells[TEN] == labels[TEN]
    assert unsure > 0


def test_wjx_score_kind_is_the_score(exports: list[se.PlatformExport]) -> None:
    export = _find(exports, "wjx", "score", "csv")
    for cells, meant in zip(_records(export), export.truth.to_dict("records"), strict=True):
        for column, header in WJX_CORE.items():
            assert cells[header] == ("" if meant[column] is None else str(int(meant[column])))
        assert cells["2、您的性别："] in {"1", "2"}


def test_own_items_are_rescaled(exports: list[se.PlatformExport]) -> None:
    wjx = _find(exports, "wjx", "code", "xlsx")
    pairs = [(cells[TEN], meant[TEN]) for cells, meant in zip(_records(wjx), wjx.truth.to_dict("records"), strict=True)]
    assert (7, pytest.approx(3.8)) in pairs
    assert any(cell == "(跳过)" and meant is None for cell, meant in pairs)
    tencent = _find(exports, "tencent", "score", "xlsx")
    for cells, meant in zip(_records(tencent), tencent.truth.to_dict("records"), strict=True):
        raw = cells[SEVEN]
        assert meant[SEVEN] == (None if raw is None else pytest.approx(1 + 4 * (raw - 1) / 6))
    assert se.rescale(4, 1, 7) == pytest.approx(3.0)
    assert se.rescale(10, 0, 10) == 5.0


def test_tencent_truth_by_hand(exports: list[se.PlatformExport]) -> None:
    text = _find(exports, "tencent", "text", "csv")
    scores = _records(_find(exports, "tencent", "score", "csv"))
    names = dict(zip(sample_communities()["community_name"], sample_communities()["community_id"], strict=True))
    for cells, scored, meant in zip(_records(text), scores, text.truth.to_dict("records"), strict=True):
        assert meant["response_number"] == int(cells["编号"])
        assert meant["survey_date"] == dt.date.fromisoformat(cells["结束答题时间"][:10])
        assert meant["community_id"] == names[cells["1.您所在的社区:"]]
        assert meant["gender"] == {"男": "M", "女": "F"}[cells["2.您的性别:"]]
        assert scored["2.您的性别:"] == cells["2.您的性别:"] and scored["3.您的年龄:"] == meant["age_group"]
        for column, header in TENCENT_CORE.items():
            assert meant[column] == LABEL_SCORES[cells[header]]
            assert scored[header] == ("" if meant[column] is None else str(int(meant[column])))
        assert meant["service"] is None and meant["participation"] is None
        assert meant["user_id"] == cells["用户标识"] and meant["nickname"] == cells["昵称"]
        assert (meant["open_text"] or "") == cells["7.您对社区工作有什么建议？"]
        assert meant["ip"] is None and meant["phone"] is None
        assert cells["自定义字段"] == "" and cells["地理位置市"] == "仙桃市"
        assert re.fullmatch(r"\d+分\d+秒", cells["答题时长"])


def test_sample_shape(exports: list[se.PlatformExport]) -> None:
    for platform in ("wjx", "tencent"):
        truth = _find(exports, platform, "text", "xlsx").truth
        streets = sample_communities().set_index("community_id").loc[truth["community_id"].unique(), "street"]
        assert streets.nunique() == 1 and len(streets) == 5
        assert truth["community_id"].value_counts().between(14, 22).all()
        assert list(truth["response_number"]) == list(range(1, len(truth) + 1))
        assert all((day.year, day.month) == (2024, 5) for day in truth["survey_date"])
        assert truth["survey_date"].nunique() > 5
        overall = truth["overall"].dropna().astype(float)
        assert 3.2 <= overall.mean() <= 3.9
        assert 0 < truth["environment"].isna().mean() < 0.15
    wjx = _find(exports, "wjx", "text", "xlsx").truth
    assert 0.3 < wjx["open_text"].notna().mean() < 0.7
    assert wjx["phone"].dropna().str.fullmatch(r"1[3-8]\d{9}").all()
    for column in ("ip", "open_text", "phone"):
        assert not wjx[column].dropna().duplicated().any()


def test_write_and_manifest(tmp_path: Path) -> None:
    se.main(["--output", str(tmp_path)])
    exports = se.platform_exports()
    for e in exports:
        assert (tmp_path / e.name).read_bytes() == e.data
    lines = (tmp_path / "MANIFEST.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(exports)
    code = _find(exports, "wjx", "code", "csv")
    assert f"{code.name}\twjx\tcode\thigh-first" in lines
