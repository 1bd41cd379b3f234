"""Files laid out as offices make them: every format read into the same sheets, and the table found in each.

Each file is built here with the program offices' files come from (openpyxl for .xlsx,
xlwt for a real Excel 97–2003 .xls, odfpy for .ods, an HTML table saved as .xls, a CSV as
Excel saves it), so every header, row number, cell and :class:`Layout` field asserted is
known by construction. The properties at the end check, on generated tables, that the
header is never taken from the data and that reading never changes a cell.
"""

from __future__ import annotations

import datetime as dt
import io
import string
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from community_eval.core.schema import TABLES, normalise_header
from community_eval.ingest import layout
from community_eval.ingest.layout import Layout, clean_header, detect, is_note_row, is_total_row
from community_eval.ingest.reader import ReadError, cell_text, read_bytes
from tests.spreadsheets import csv_bytes, first_sheet_rewritten, ods, xls, xlsx

# ---- building files ----------------------------------------------------------------------


def table_of(sheet) -> list[list[str]]:
    return sheet.cells.values.tolist()


def one(data: bytes, name: str):
    (sheet,) = read_bytes(data, name)
    return sheet


# ---- (a) a statistics table: title, 填表单位 line, merged streets, totals, notes --------------

STATISTICS_HEADER = ["序号", "区县", "街道（乡镇）", "社区编码", "社区名称", "社区类型", "常住人口（人）", "户  数"]
STATISTICS = [
    ["仙桃市2024年社区基本情况统计表"],  # 1, merged A1:H1
    ["填表单位：仙桃市民政局（盖章）　　填表日期：2025年1月10日"],  # 2, merged A2:H2
    [],  # 3
    STATISTICS_HEADER,  # 4
    [1, "仙桃市", "沙嘴街道", "C01", "甲社区", "纯社区", 4800, 1600],  # 5; 区县 merged B5:B10
    [2, None, None, "C02", "乙社区", "村改居", 3200, 1100],  # 6; 沙嘴街道 merged C5:C7
    [None, None, None, None, "小计", None, 8000, 2700],  # 7
    [3, None, "龙华山街道", "0728003", "丙社区", "村", 900, 300],  # 8; merged C8:C10
    [4, None, None, "C04", " 丁社区 ", "村", 1000, 350],  # 9 (spaces in a data cell stay)
    [None, None, None, None, "小 计", None, 1900, 650],  # 10
    ["合  计", None, None, None, None, None, 9900, 3350],  # 11, merged A11:F11
    [],  # 12
    ["注：1.常住人口为2024年末数据；"],  # 13, merged A13:H13
    ["2.社区类型按民政部门认定填写。"],  # 14, merged A14:H14: the note goes on
    ["填表人：张敏", None, None, None, "审核人：李建国"],  # 15
    ["联系电话：0728-3241234"],  # 16
]
STATISTICS_MERGES = ["A1:H1", "A2:H2", "B5:B10", "C5:C7", "C8:C10", "A11:F11", "A13:H13", "A14:H14"]
STATISTICS_ROWS = [
    ["1", "仙桃市", "沙嘴街道", "C01", "甲社区", "纯社区", "4800", "1600"],
    ["2", "仙桃市", "沙嘴街道", "C02", "乙社区", "村改居", "3200", "1100"],
    ["3", "仙桃市", "龙华山街道", "0728003", "丙社区", "村", "900", "300"],
    ["4", "仙桃市", "龙华山街道", "C04", " 丁社区 ", "村", "1000", "350"],
]
STATISTICS_LAYOUT = Layout(
    kind="table",
    header_rows=(4,),
    skipped_above=[1, 2],
    totals=[7, 10, 11],
    notes=[13, 14, 15, 16],
    repeated_headers=[],
    merged_filled=5,  # 区县 in rows 6, 8, 9; 沙嘴街道 in row 6; 龙华山街道 in row 9
    header_spaces_fixed=["户  数"],
)


def test_statistics_table_with_title_merged_streets_totals_and_notes():
    sheet = one(xlsx({"统计表": STATISTICS}, {"统计表": STATISTICS_MERGES}), "统计.xlsx")
    assert sheet.name == "统计.xlsx [统计表]" and sheet.sheet_title == "统计表"
    assert sheet.headers == [
        "序号",
        "区县",
        "街道（乡镇）",
        "社区编码",
        "社区名称",
        "社区类型",
        "常住人口（人）",
        "户数",
    ]
    assert sheet.row_numbers == [5, 6, 8, 9]
    assert table_of(sheet) == STATISTICS_ROWS
    assert sheet.layout == STATISTICS_LAYOUT


def test_the_same_table_as_a_real_xls_with_merged_cells():
    merges = [(0, 0, 0, 7), (1, 1, 0, 7), (4, 9, 1, 1), (4, 6, 2, 2), (7, 9, 2, 2), (10, 10, 0, 5), (12, 12, 0, 7)]
    merges.append((13, 13, 0, 7))
    sheet = one(xls({"统计表": STATISTICS}, {"统计表": merges}), "统计.xls")
    assert sheet.name == "统计.xls [统计表]"
    assert sheet.headers[-1] == "户数" and sheet.row_numbers == [5, 6, 8, 9]
    assert table_of(sheet) == STATISTICS_ROWS
    assert sheet.layout == STATISTICS_LAYOUT


def test_the_same_table_as_a_csv_saved_by_excel():
    """A CSV keeps no merges: the merged cells are empty, nothing is filled, the rest is found the same."""
    sheet = one(csv_bytes([[*row, *[None] * (8 - len(row))] for row in STATISTICS]), "统计.csv")
    assert sheet.encoding == "gb18030" and sheet.sheet_title is None and sheet.name == "统计.csv"
    assert sheet.row_numbers == [5, 6, 8, 9]
    assert table_of(sheet) == [
        ["1", "仙桃市", "沙嘴街道", "C01", "甲社区", "纯社区", "4800", "1600"],
        ["2", "", "", "C02", "乙社区", "村改居", "3200", "1100"],
        ["3", "", "龙华山街道", "0728003", "丙社区", "村", "900", "300"],
        ["4", "", "", "C04", " 丁社区 ", "村", "1000", "350"],
    ]
    expected = Layout(**{**STATISTICS_LAYOUT.__dict__, "merged_filled": 0, "notes": [13, 14, 15, 16]})
    assert sheet.layout == expected


def test_a_csv_with_title_rows_and_short_lines_above_the_header():
    """Title lines hand-written in a CSV have fewer fields than the header: they are not data, so no ragged row."""
    text = "社区名单\n填表单位：民政局\n\n社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n"
    text += "A1,甲,测试区,一街道,村,10,5\n合计,,,,,10,5\n注：无\n"
    sheet = one(text.encode("utf-8"), "名单.csv")
    assert sheet.headers == ["社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数"]
    assert sheet.row_numbers == [5] and table_of(sheet) == [["A1", "甲", "测试区", "一街道", "村", "10", "5"]]
    assert sheet.layout == Layout(header_rows=(4,), skipped_above=[1, 2], totals=[6], notes=[7])


def test_a_ragged_data_row_under_a_title_is_still_refused():
    text = "社区名单\n社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nA1,甲,测试区,一街道,村,10\n"
    with pytest.raises(ReadError) as refused:
        read_bytes(text.encode(), "名单.csv")
    assert refused.value.reason == "ragged_row" and refused.value.params == {"row": 3, "found": 6, "expected": 7}


# ---- (b) a header written over two rows --------------------------------------------------

TWO_ROW = [
    ["龙华山街道2024年度社区服务设施情况表"],  # 1, merged A1:H1
    [
        "社区编码",
        "年度",
        "办公用房",
        None,
        "服务用房面积（平方米）",
        "功能室数量",
        "是否有多功能厅",
        "年度工作经费（万元）",
    ],
    [None, None, "面积（㎡）", "产权", None, None, None, None],  # 3
    ["C01", 2024, 80.5, "自有", 260, 6, "有", 1.2],  # 4
    ["C02", 2024, 120, "租用", 300.25, 7, "无", "—"],  # 5
    ["合计", None, 200.5, None, 560.25, 13, None, 1.2],  # 6, merged A6:B6
    ["注：年度工作经费以万元为单位。"],  # 7
]
TWO_ROW_MERGES = ["A1:H1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "A6:B6"]
TWO_ROW_HEADERS = [
    "社区编码",
    "年度",
    "办公用房面积（㎡）",
    "产权",
    "服务用房面积（平方米）",
    "功能室数量",
    "是否有多功能厅",
    "年度工作经费（万元）",
]


def test_two_row_header_with_a_merged_group_cell_and_cells_merged_down():
    sheet = one(xlsx({"设施": TWO_ROW}, {"设施": TWO_ROW_MERGES}), "设施.xlsx")
    assert sheet.headers == TWO_ROW_HEADERS
    assert sheet.row_numbers == [4, 5]
    assert table_of(sheet) == [
        ["C01", "2024", "80.5", "自有", "260", "6", "有", "1.2"],
        ["C02", "2024", "120", "租用", "300.25", "7", "无", "—"],
    ]
    assert sheet.layout == Layout(header_rows=(2, 3), skipped_above=[1], totals=[6], notes=[7])


def test_two_row_header_in_a_csv_where_the_group_cell_is_followed_by_empty_cells():
    sheet = one(csv_bytes([[*row, *[None] * (8 - len(row))] for row in TWO_ROW]), "设施.csv")
    assert sheet.headers == TWO_ROW_HEADERS
    assert sheet.row_numbers == [4, 5] and sheet.layout.header_rows == (2, 3)


def test_a_two_row_header_names_a_column_by_its_lower_part_or_joined():
    rows = [
        (1, ["社区编码", "满意度", "满意度", "满意度"]),
        (2, ["", "总体", "服务", "环境卫生"]),
        (3, ["C1", "5", "4", "3"]),
    ]
    found = detect(rows, [])
    # 满意度总体 names nothing, nor does 总体: the joined text is kept for the report to show.
    assert found.headers == ["社区编码", "满意度总体", "服务", "环境卫生"]
    assert found.layout.header_rows == (1, 2) and found.row_numbers == [3]


def test_a_data_row_under_the_header_is_never_joined_to_it():
    rows = [(1, ["社区编码", "年度", "服务", "备注"]), (2, ["面积", "功能室", "面积", "x"])]
    found = detect(rows)
    assert found.layout.header_rows == (1,) and found.row_numbers == [2]


# ---- header text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("性  别", "性别"),
        ("性\u3000别", "性别"),
        ("政法\n（社会救助）", "政法（社会救助）"),
        ("年度工作经费\r\n（万元）", "年度工作经费（万元）"),
        ("工作经费 (万元)", "工作经费(万元)"),
        ("community  id", "community id"),
        ("  户数\u3000", "  户数\u3000"),  # spaces around it are as written; matching ignores them
        ("户数", "户数"),
    ],
)
def test_header_text_loses_the_spaces_inside_it(written, clean):
    assert clean_header(written) == clean


def test_headers_with_spaces_and_line_breaks_are_matched_and_listed():
    header = ["人员编号", "社区编码", "性  别", "职\n务", "专兼职", "入职日期（年月日）"]
    sheet = one(xlsx({"人员": [header, ["P1", "C1", "女", "书记", "专职", dt.date(2020, 1, 2)]]}), "人员.xlsx")
    assert sheet.headers == ["人员编号", "社区编码", "性别", "职务", "专兼职", "入职日期（年月日）"]
    assert sheet.layout.header_spaces_fixed == ["性  别", "职\n务"]
    assert table_of(sheet) == [["P1", "C1", "女", "书记", "专职", "2020-01-02"]]


# ---- rows that are not data ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "total"),
    [
        (["合计", "", "10"], True),
        (["合  计", "10"], True),
        (["", "小计", "10"], True),
        (["沙嘴街道", "沙嘴街道小计", "10"], True),
        (["总计：", "10"], True),
        (["Total", "10"], True),
        (["1", "合计社区", "10"], False),  # a number before it: a data row
        (["C1", "合计社区", "10"], False),  # a community so named is no total
        (["C1", "甲社区", "10", "合计"], False),  # after the first number: a value, not a label
    ],
)
def test_total_rows(cells, total):
    assert is_total_row(cells) is total


@pytest.mark.parametrize(
    ("cells", "note"),
    [
        (["注：1.本表数据截至年底"], True),
        (["注 1：见说明"], True),
        (["", "说明:人口为常住人口"], True),
        (["填表人：张敏", "", "审核人：李建国"], True),
        (["制表人:王", ""], True),
        (["填报人：王"], True),
        (["联系电话：0728-3241234"], True),
        (["单位负责人：李"], True),
        (["备注：无"], True),
        (["注意事项"], False),
        (["C1", "注：见附件"], False),
        (["说明书"], False),
    ],
)
def test_note_rows(cells, note):
    assert is_note_row(cells) is note


def test_a_header_repeated_in_the_middle_is_skipped():
    header = ["社区编码", "年份", "办公面积", "服务面积", "功能室数", "多功能厅", "用房来源"]
    first = [["C1", 2024, 80, 200, 5, "有", "自有"], ["C2", 2024, 90, 210, 6, "无", "借用"]]
    second = [["C3", 2024, 70, 150, 4, "有", "租用"]]
    sheet = one(xlsx({"Sheet1": [header, *first, [], [f" {h}" for h in header], *second]}), "设施.xlsx")
    assert sheet.row_numbers == [2, 3, 6]
    assert sheet.layout == Layout(header_rows=(1,), repeated_headers=[5])
    assert table_of(sheet)[2] == ["C3", "2024", "70", "150", "4", "有", "租用"]


def test_a_note_under_the_table_with_a_second_pasted_export_below_it():
    header = ["社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数"]
    rows = [
        (1, header),
        (2, ["A1", "甲", "区", "街", "村", "1", "1"]),
        (3, ["注：第一次导出"] * 7),  # a note merged across
        (4, ["仙桃市社区名单（续）"] * 7),  # the second export's title, merged across: the note's next line
        (5, header),
        (6, ["A2", "乙", "区", "街", "村", "2", "2"]),
    ]
    found = detect(rows)
    assert found.row_numbers == [2, 6]
    assert found.layout.notes == [3, 4] and found.layout.repeated_headers == [5]


# ---- workbooks: every sheet -----------------------------------------------------------------

ROSTER_HEADER = ["序号", "人员编号", "社区编码", "性别", "职务", "专兼职", "入职时间"]


def _roster(street: str, first: int) -> list[list[object]]:
    return [
        [f"{street}社区工作者花名册"],
        ROSTER_HEADER,
        [1, f"P{first}", "C1", "女", "书记", "专职", dt.date(2020, 3, 1)],
        [2, f"P{first + 1}", "C2", "男", "委员", "兼职", dt.datetime(2021, 9, 1, 8, 30)],
    ]


def test_every_sheet_of_a_workbook_comes_back_with_its_kind():
    data = xlsx(
        {
            "填表说明": [["填表说明"], ["1.每个街道一张表"], ["2.入职时间写年月日"]],
            "干河街道": _roster("干河街道", 1),
            "沙嘴街道": _roster("沙嘴街道", 3),
            "选项": [["职务"], ["书记"], ["委员"]],
            "Sheet3": [],
            "汇总": [["指标", "数值"], ["人数", 4]],
        },
        {"干河街道": ["A1:G1"], "沙嘴街道": ["A1:G1"]},
    )
    sheets = read_bytes(data, "花名册.xlsx")
    assert [(s.sheet_title, s.layout.kind, len(s.cells)) for s in sheets] == [
        ("填表说明", "instructions", 2),
        ("干河街道", "table", 2),
        ("沙嘴街道", "table", 2),
        ("选项", "instructions", 2),
        ("Sheet3", "empty", 0),
        ("汇总", "empty", 1),
    ]
    street = sheets[2]
    assert street.name == "花名册.xlsx [沙嘴街道]" and street.headers == ROSTER_HEADER
    assert street.row_numbers == [3, 4] and street.layout == Layout(header_rows=(2,), skipped_above=[1])
    assert table_of(street) == [
        ["1", "P3", "C1", "女", "书记", "专职", "2020-03-01"],
        ["2", "P4", "C2", "男", "委员", "兼职", "2021-09-01 08:30:00"],
    ]
    assert sheets[0].headers == ["填表说明"] and sheets[0].row_numbers == [2, 3]  # shown as written
    assert sheets[4].headers == [] and sheets[4].layout.header_rows == ()


def test_a_workbook_with_no_content_at_all_is_empty():
    with pytest.raises(ReadError) as refused:
        read_bytes(xlsx({"Sheet1": [], "Sheet2": [[None, None]]}), "空.xlsx")
    assert refused.value.reason == "empty_file"


def test_an_ods_with_merged_cells_dates_and_numbers():
    rows = [
        ["居民满意度调查录入表", None, None, None, None],
        ["问卷编号", "社区编码", "调查日期", "总体满意度", "社区服务"],
        ["Q1", "C1", dt.date(2025, 6, 1), 5, "满意"],
        ["Q2", None, dt.date(2025, 6, 2), 4.5, "一般"],
        ["合计", None, None, 9.5, None],
    ]
    sheet = one(ods("问卷录入", rows, {(0, 0): (1, 5), (2, 1): (2, 1)}), "问卷.ods")
    assert sheet.name == "问卷.ods [问卷录入]"
    assert sheet.headers == ["问卷编号", "社区编码", "调查日期", "总体满意度", "社区服务"]
    assert sheet.row_numbers == [3, 4]
    assert table_of(sheet) == [["Q1", "C1", "2025-06-01", "5", "满意"], ["Q2", "C1", "2025-06-02", "4.5", "一般"]]
    assert sheet.layout == Layout(header_rows=(2,), skipped_above=[1], totals=[5], merged_filled=1)


# ---- an HTML table saved as .xls -----------------------------------------------------------


def html_table(rows: list[str], charset: str | None = "gbk", encoding: str = "gbk") -> bytes:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    body = "".join(f"<tr>{row}</tr>\n" for row in rows)
    page = f'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>{meta}</head><body>\n'
    return (page + f'<table border="1">\n{body}</table></body></html>').encode(encoding)


HTML_ROWS = [
    '<td colspan="5"><b>社区设施统计导出</b></td>',
    "<th>社区编码</th><th>社区名称</th><th>街道</th><th>年份</th><th>办公用房面积</th>",
    '<td>0728001</td><td>甲  社区</td><td rowspan="2">沙嘴<br>街道</td><td>2024</td><td>80.50</td>',
    "<td>C2</td><td>&nbsp;</td><td>2024</td><td>1,200</td>",
    '<td colspan="3">合计</td><td></td><td>1280.5</td>',
]


@pytest.mark.parametrize(
    ("charset", "encoding"),
    [("gbk", "gbk"), ("gb2312", "gb18030"), ("utf-8", "utf-8"), (None, "utf-8"), (None, "gbk"), ("utf-8", "gbk")],
    ids=["gbk", "gb2312", "utf-8", "no-meta-utf-8", "no-meta-gbk", "declares-utf-8-but-is-gbk"],
)
def test_an_html_table_saved_as_xls(charset, encoding):
    sheet = one(html_table(HTML_ROWS, charset, encoding), "设施导出.xls")
    assert sheet.name == "设施导出.xls" and sheet.sheet_title is None
    assert sheet.headers == ["社区编码", "社区名称", "街道", "年份", "办公用房面积"]
    assert sheet.row_numbers == [3, 4]
    # As a browser shows it: spaces folded, <br> a line break, a cell of &nbsp; blank; leading zeros kept.
    assert table_of(sheet) == [
        ["0728001", "甲 社区", "沙嘴\n街道", "2024", "80.50"],
        ["C2", "", "沙嘴\n街道", "2024", "1,200"],
    ]
    assert sheet.layout == Layout(header_rows=(2,), skipped_above=[1], totals=[5], merged_filled=1)


def test_an_html_title_table_above_the_data_table_and_a_layout_table_around_it():
    page = (
        "<html><body><table><tr><td><table><tr><td>标题</td></tr></table></td></tr>"
        "<tr><td><table><tr><td>社区编码</td><td>年份</td><td>办公面积</td></tr>"
        "<tr><td>C1</td><td>2024</td><td>80</td></tr></table></td></tr></table></body></html>"
    )
    sheet = one(page.encode(), "x.htm")
    assert sheet.headers == ["社区编码", "年份", "办公面积"] and sheet.row_numbers == [3]
    assert sheet.layout.skipped_above == [1]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("页面.xls", "<html><body><p>没有数据</p></body></html>".encode(), "html_no_table"),
        ("页面.xls", b"<!DOCTYPE html><html><body><table></table></body></html>", "html_no_table"),
        ("文本.xls", "社区编码\t户数\nC1\t5\n".encode("gbk"), "xls_is_text"),
        ("文本.xls", "社区编码,户数\r\nC1,5\r\n".encode("utf-16"), "xls_is_text"),
        ("扫描件.xls", b"%PDF-1.7\n%\xb5\xb5\n1 0 obj", "pdf_file"),
        ("扫描件.xlsx", b"%PDF-1.7\n%\xb5\xb5\n1 0 obj", "pdf_file"),
        ("图片.xls", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)), "xls_not_excel"),
        (
            "2003.xls",
            b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
            b"<Worksheet><Table/></Worksheet></Workbook>",
            "xml_spreadsheet",
        ),
    ],
)
def test_files_named_as_workbooks_are_refused_saying_what_they_are(name, data, reason):
    with pytest.raises(ReadError) as refused:
        read_bytes(data, name)
    assert refused.value.reason == reason


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return out.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}), "word_document"),
        (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x00"}), "xlsb_workbook"),
        (OLE2 + bytes(500) + "EncryptedPackage\x00".encode("utf-16-le") + bytes(500), "encrypted_workbook"),
        (OLE2 + bytes(500) + "WordDocument\x00".encode("utf-16-le") + bytes(500), "word_document"),
        (OLE2 + bytes(500) + "Workbook\x00".encode("utf-16-le") + bytes(500), "not_a_workbook"),
    ],
    ids=["docx", "xlsb", "encrypted-xlsx", "doc", "damaged-xls"],
)
def test_office_files_that_are_not_workbooks_we_read(data, reason):
    with pytest.raises(ReadError) as refused:
        read_bytes(data, "数据.xlsx")
    assert refused.value.reason == reason


# ---- what Excel keeps in a cell ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  as written\n", "  as written\n"),
        (12.0, "12"),
        (-3.0, "-3"),
        (2024.1, "2024.1"),
        (0.1 + 0.2, "0.30000000000000004"),
        (429004000000.0, "429004000000"),
        (4.20601001001001e17, "4.20601001001001e+17"),  # an 18-digit code Excel rounded: still recognisable
        (float(2**53), "9007199254740992.0"),
        (float(2**53 - 1), "9007199254740991"),
        (float("nan"), ""),
        (7, "7"),
        (True, "true"),
        (False, "false"),
        (dt.datetime(2024, 3, 5), "2024-03-05"),
        (dt.datetime(2024, 3, 5, 9, 30), "2024-03-05 09:30:00"),
        (dt.date(2024, 3, 5), "2024-03-05"),
        (dt.time(9, 30, 15), "09:30:15"),
        (dt.time(0, 0), "00:00:00"),
        (dt.timedelta(hours=30, minutes=5), "30:05:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_excel_cells_of_every_type_through_calamine():
    row = ["社区编码", "户数", "日期", "时间", "是否", "金额", "编码"]
    values = ["C1", 1600, dt.datetime(2024, 3, 5), dt.time(9, 30), True, 2024.1, 420601001001001001]
    book = openpyxl.Workbook()
    book.active.append(row)
    book.active.append(values)
    book.active["D2"].number_format = "hh:mm:ss"
    out = io.BytesIO()
    book.save(out)
    sheet = one(out.getvalue(), "x.xlsx")
    assert table_of(sheet) == [["C1", "1600", "2024-03-05", "09:30:00", "true", "2024.1", "4.20601001001001e+17"]]


# ---- hostile and damaged files -------------------------------------------------------------


def _far_cell_workbook(ref: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["社区编码", "社区名称", "区县"])
    sheet.append(["C1", "甲", "区"])
    sheet[ref] = "远处的值"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_stray_value_far_from_the_table_is_read_row_by_row_not_laid_out_in_memory(monkeypatch):
    """Laid out densely, A1:XFD1048576 is 17 billion cells: the sheet is read cell by cell instead, and a
    value in column XFD is past the columns limit, refused naming where it is; with the limit raised, read."""
    with pytest.raises(ReadError) as refused:
        one(_far_cell_workbook("XFD1048576"), "远.xlsx")
    assert (refused.value.reason, refused.value.params) == (
        "too_many_columns",
        {"limit": "1,000", "found": "16,384", "row": 1048576},
    )
    monkeypatch.setenv("COMMUNITY_EVAL_MAX_COLUMNS", "16384")
    sheet = one(_far_cell_workbook("XFD1048576"), "远.xlsx")
    assert sheet.headers[:3] == ["社区编码", "社区名称", "区县"] and len(sheet.headers) == 16384
    assert sheet.row_numbers == [2, 1048576]
    assert table_of(sheet)[1][-1] == "远处的值"


def _sheet_xml_replaced(data: bytes, old: bytes, new: bytes) -> bytes:
    def replaced(content: bytes) -> bytes:
        assert old in content
        return content.replace(old, new)

    return first_sheet_rewritten(data, replaced)


@pytest.mark.parametrize(
    "cell",
    [b'<c r="B2" r="XFD1048576"', b'<c r="B2"r="XFD1048576"', b"<c r = 'xfd1048576'", b'<c r="B99999999"'],
    ids=["second-reference", "second-reference-unspaced", "quoted-lower-case", "past-excel"],
)
def test_a_cell_reference_written_strangely_never_lays_out_billions_of_cells(cell):
    """calamine takes such a reference as written: the sheet is read cell by cell, or refused as damaged
    (or, a value in XFD, by the columns limit)."""
    data = _sheet_xml_replaced(_far_cell_workbook("C9"), b'<c r="B2"', cell)
    try:
        sheet = one(data, "怪.xlsx")
    except ReadError as refused:
        assert refused.reason in ("not_a_workbook", "too_many_columns")
    else:
        assert sheet.headers[:3] == ["社区编码", "社区名称", "区县"]


def test_a_merged_range_over_the_whole_sheet_costs_only_the_rows_there_are():
    data = xlsx({"S": [["社区编码", "社区名称"], ["C1", "甲"]]}, {"S": ["A2:A3"]})
    data = _sheet_xml_replaced(data, b'ref="A2:A3"', b'ref="A2:XFD1048576"')  # as a damaged file may say
    sheet = one(data, "合并.xlsx")
    assert sheet.row_numbers == [2] and table_of(sheet) == [["C1", "C1"]]
    assert sheet.layout.merged_filled == 1


def test_an_xlsx_declaring_billions_of_texts_is_refused():
    """calamine sets memory aside for as many texts as the file declares: 10^14 of them would abort the process."""
    base = xlsx({"S": [["社区编码", "户数"], ["C1", 5]]})
    source = zipfile.ZipFile(io.BytesIO(base))
    members = {name: source.read(name) for name in source.namelist()}
    members["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="1" uniqueCount="99999999999999"><si><t>a</t></si></sst>'
    )
    with pytest.raises(ReadError) as refused:
        read_bytes(_zip(members), "坏.xlsx")
    assert refused.value.reason == "not_a_workbook"


def test_an_xls_whose_recorded_size_would_exhaust_memory_is_refused():
    """An .xls is read in a child process: a DIMENSIONS record claiming 4 billion rows kills the child, not us."""
    data = xls({"S": [["社区编码", "户数"], ["C1", 5]]}, {})
    at = data.find(b"\x00\x02\x0e\x00")  # the DIMENSIONS record (0x0200, 14 bytes)
    assert at > 0
    damaged = data[: at + 4] + bytes(4) + b"\xf0\xff\xff\xff" + bytes(2) + b"\xff\x00" + data[at + 16 :]
    with pytest.raises(ReadError) as refused:
        read_bytes(damaged, "坏.xls")
    assert refused.value.reason == "not_a_workbook"
    assert read_bytes(data, "好.xls")[0].row_numbers == [2]


def test_an_ods_repeating_a_value_over_millions_of_cells_is_refused():
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="S">'
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    data = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": content.encode()})
    with pytest.raises(ReadError) as refused:
        read_bytes(data, "大.ods")
    assert refused.value.reason == "sheet_too_large"


def test_an_html_table_whose_spans_cover_millions_of_cells_is_refused():
    rows = ['<td rowspan="5000" colspan="1000">x</td>'] + ["<td>y</td>"] * 4999
    with pytest.raises(ReadError) as refused:
        read_bytes(html_table(rows * 3, "utf-8", "utf-8"), "大.xls")
    assert refused.value.reason == "sheet_too_large"


# ---- properties ----------------------------------------------------------------------------

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALIASES = {
    name: sorted({alias for column in table.columns for alias in (column.name, *column.aliases)})
    for name, table in TABLES.items()
}
KNOWN = {normalise_header(alias) for aliases in ALIASES.values() for alias in aliases}


def _plain(text: str) -> bool:
    """A cell text that names no column and is no total or note: what a data or title cell may be."""
    return (
        normalise_header(clean_header(text)) not in KNOWN
        and not is_total_row([text])
        and not is_note_row([text])
        and not layout.is_number(text)
    )


WORDS = st.sampled_from(
    ["甲社区", "沙嘴街道", "村改居", "书记", "专职", "自有", "满意", "民政", "有", "无", "男", "女"]
)
TEXT = (WORDS | st.text(string.ascii_letters + "社区街道甲乙丙丁年月日 -", min_size=1, max_size=8)).filter(_plain)
NUMBER = st.one_of(
    st.integers(-10_000, 10**9).map(str),
    st.decimals(-1e6, 1e6, places=2, allow_nan=False, allow_infinity=False).map(str),
)
TITLE = st.one_of(
    st.just(["仙桃市2024年社区基本情况统计表"]),
    st.just(["填表单位：民政局（盖章）", None, None, "填表日期：2025年1月10日"]),
    st.just([]),
    st.lists(TEXT, min_size=1, max_size=3),
)


@st.composite
def titled_tables(draw):
    """A table with a real header (aliases of one table, and maybe unknown headers), title rows above it."""
    table = draw(st.sampled_from(list(ALIASES)))
    columns = {}
    for alias in draw(st.lists(st.sampled_from(ALIASES[table]), min_size=2, max_size=8)):
        columns.setdefault(header_index_of(table)[normalise_header(alias)], alias)
    assume(len(columns) >= 2)
    header = list(columns.values())
    header += draw(st.lists(TEXT, max_size=2, unique=True).filter(lambda extra: not set(extra) & set(header)))
    header = draw(st.permutations(header))
    titles = draw(st.lists(TITLE, max_size=4))
    body = draw(
        st.lists(
            st.lists(NUMBER | TEXT | st.just(""), min_size=len(header), max_size=len(header)).filter(
                lambda row: any(cell.strip() for cell in row) and not is_total_row(row) and not is_note_row(row)
            ),
            min_size=1,
            max_size=6,
        )
    )
    return titles, list(header), body


def header_index_of(table: str) -> dict[str, str]:
    from community_eval.core.schema import header_index

    return header_index(TABLES[table])


@PROPERTY
@given(case=titled_tables(), fmt=st.sampled_from(["xlsx", "csv", "xls"]))
def test_the_header_is_never_taken_from_the_data(case, fmt):
    titles, header, body = case
    rows = [*titles, header, *body]
    header_row = len(titles) + 1
    if fmt == "xlsx":
        data = xlsx({"S": rows})
    elif fmt == "xls":
        data = xls({"S": rows}, {})
    else:
        width = max(len(row) for row in rows)
        data = csv_bytes([[*row, *[None] * (width - len(row))] for row in rows], "utf-8")
    sheet = one(data, f"t.{fmt}")
    data_rows = [header_row + 1 + i for i, row in enumerate(body) if any(cell.strip() for cell in row)]
    assert sheet.layout.kind == "table"
    assert header_row in sheet.layout.header_rows and not set(sheet.layout.header_rows) & set(data_rows)
    assert sheet.row_numbers == data_rows
    if not titles:
        assert sheet.headers[: len(header)] == [clean_header(h) for h in header]


CELL = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Co", "Cn"], exclude_characters="_=\ufeff")
    | st.sampled_from(" \u3000\n\t"),
    max_size=12,
)


@PROPERTY
@given(
    cells=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=5), fmt=st.sampled_from(["xlsx", "csv"])
)
def test_reading_never_changes_a_data_cell(cells, fmt):
    """Text cells come back exactly as written: spaces, line breaks, leading zeros, full-width forms."""
    header = ["序号", "社区编码", "社区名称", "区县", "户数"]
    rows = [[str(n), "C1", *row] for n, row in enumerate(cells, start=1)]
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append(row)
            for cell in book.active[book.active.max_row]:
                cell.data_type = "s"  # text, as typed into a text-formatted column
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    else:
        data = csv_bytes([header, *rows], "utf-8")
    sheet = one(data, f"t.{fmt}")
    assert sheet.row_numbers == list(range(2, len(rows) + 2))
    assert table_of(sheet) == rows


def test_a_hidden_sheet_is_named_and_not_loaded(empty_store):
    """A hidden copy of a table beside the visible one would count every row twice."""
    import io

    import openpyxl

    from community_eval.ingest.loader import Source, ingest

    communities = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nA1,甲,区,街,村,1000,300\n"
    assert ingest(empty_store, [Source("c.csv", communities.encode())])[0].loaded
    book = openpyxl.Workbook()
    rows = [["社区编码", "月份", "部门", "事项类别", "事项数", "工时", "是否准入", "费随事转"]]
    rows += [["A1", "2024-03", "民政", "台账", 2, 3, "是", "否"]]
    book.active.title = "台账"
    hidden = book.create_sheet("旧台账")
    hidden.sheet_state = "hidden"
    for row in rows:
        book.active.append(row)
        hidden.append(row)
    data = io.BytesIO()
    book.save(data)
    (report,) = ingest(empty_store, [Source("t.xlsx", data.getvalue())])
    assert report.loaded and report.rows_loaded == 1, report.problems
    assert [(s.title, s.kind) for s in report.sheets] == [("台账", "table"), ("旧台账", "hidden")]
    assert empty_store.row_count("tasks") == 1


def test_the_column_number_row_of_a_statistics_table_is_skipped():
    """栏次: 甲 乙 1 2 3 under the header numbers the columns; as data it would make 甲 a community code."""
    from community_eval.ingest.layout import detect, is_column_number_row

    rows = [
        (1, ["社区编码", "社区名称", "常住人口", "户数", "社区类型"]),
        (2, ["甲", "乙", "1", "2", "3"]),
        (3, ["A1", "甲社区", "1000", "300", "村"]),
    ]
    found = detect(rows)
    assert found.row_numbers == [3] and found.layout.column_numbers == [2]
    assert not is_column_number_row(["A1", "2", "3"])  # data
    assert not is_column_number_row(["甲", "1", "3"])  # not numbered in order


def test_a_hidden_sheet_of_a_legacy_xls_is_named_and_not_loaded(empty_store):
    import io

    import xlwt

    from community_eval.ingest.loader import Source, ingest

    communities = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nA1,甲,区,街,村,1000,300\n"
    assert ingest(empty_store, [Source("c.csv", communities.encode())])[0].loaded
    book = xlwt.Workbook(encoding="utf-8")
    rows = [["社区编码", "月份", "部门", "事项类别", "事项数", "工时", "是否准入", "费随事转"]]
    rows += [["A1", "2024-03", "民政", "台账", 2, 3, "是", "否"]]
    visible, hidden = book.add_sheet("台账"), book.add_sheet("旧台账")
    hidden.visibility = 1
    for sheet in (visible, hidden):
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    data = io.BytesIO()
    book.save(data)
    (report,) = ingest(empty_store, [Source("t.xls", data.getvalue())])
    assert report.loaded and report.rows_loaded == 1, report.problems
    assert [(s.title, s.kind) for s in report.sheets] == [("台账", "table"), ("旧台账", "hidden")]
