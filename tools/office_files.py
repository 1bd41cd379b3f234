"""Files shaped the way district and street offices, and Excel or WPS, really produce them.

Why this exists: the loader is only as good as the files it has been shown. Each function
here makes one shape of file that offices send (titles above the header, streets merged
down, 小计 and 合计 rows, two-row headers, units in headers, one sheet per street, legacy
.xls, HTML saved as .xls, .ods, 问卷星 exports by option number, codes Excel has mangled,
a column left out because it is the same for every row, …) together with what the file
*means*: the typed rows it stands for in the contract's columns, or the refusal it must get
(reason, spreadsheet row, column). The meaning is built with the file, never read back
through the loader, so a test comparing what the loader stored with ``expected`` checks
the loader against the file's author, not against itself.

Everything is deterministic: the communities are those of ``sample_data/communities.csv``
(so references exist), other values come from ``numpy.random.default_rng`` with a fixed
seed per shape, and workbooks are written with fixed timestamps, so the same call gives the
same bytes. The one exception is :func:`future_dates`, whose dates are "next year" as seen
from the ``today`` it is given.

``python -m tools.office_files --output DIR`` writes every file and a
``MANIFEST.txt`` saying what each should do, for people to try on the page or the CLI.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SEED = 20241014
DISTRICT = "仙桃市"
#: Workbooks are stamped with this time, so their bytes do not depend on when they were made.
STAMP = dt.datetime(2025, 1, 10, 9, 0, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30)

#: The contract's columns of each table (DATA_CONTRACT.md), written out here rather than taken
#: from schema.py, so that what a file means does not follow the code it tests.
COLUMNS: dict[str, list[str]] = {
    "communities": [
        "community_id", "community_name", "district", "street", "community_type",
        "population", "households", "latitude", "longitude",
    ],
    "staff": [
        "staff_id", "community_id", "role", "employment", "gender", "education", "also_director",
        "certified_social_worker", "monthly_pay", "hire_date", "exit_date", "exit_reason",
    ],
    "tasks": [
        "community_id", "period", "department", "task_category", "task_count", "hours", "admitted", "funded",
    ],
    "facilities": [
        "community_id", "year", "office_area_m2", "service_area_m2", "room_count", "has_hall", "tenure",
        "operating_budget_yuan",
    ],
    "survey": [
        "response_id", "community_id", "survey_date", "overall", "service", "environment", "safety",
        "participation", "staff_attitude", "facilities", "weight", "gender", "age_group",
    ],
}  # fmt: skip
#: What an empty optional cell means (DATA_CONTRACT.md: "missing = false", "missing = 1").
DEFAULTS: dict[str, dict[str, object]] = {
    "staff": {"also_director": False, "certified_social_worker": False},
    "survey": {"weight": 1.0},
}

# The words offices write for each stored code (DATA_CONTRACT.md), as this module uses them.
TYPE_WORDS = {"urban": "城市社区", "village_converted": "村改居", "township": "乡镇社区", "rural": "村"}
TENURE_WORDS = {"自有": "owned", "租用": "rented", "租赁": "rented", "借用": "borrowed"}
CATEGORY_WORDS = {
    "行政事务": "administrative",
    "检查评比": "inspection",
    "督查考核": "inspection",
    "台账报表": "ledger",
    "证明": "certificate",
    "居民服务": "service",
}
EDUCATION_WORDS = {
    "大学本科": "bachelor_or_above",
    "本科": "bachelor_or_above",
    "大专": "college",
    "高中": "high_school",
    "中专": "high_school",
    "初中及以下": "junior_or_below",
    "暂无": None,  # a placeholder: empty
}
EXIT_WORDS = {"待遇": "pay", "工作负担": "workload", "个人发展": "career", "退休": "retirement"}
LIKERT_WORDS = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}
SURVEY_ITEMS = ["overall", "service", "environment", "safety", "participation", "staff_attitude", "facilities"]
ITEM_HEADERS = ["总体满意度", "社区服务", "环境卫生", "社会治安", "居民参与", "工作人员态度", "设施"]


# ---------------------------------------------------------------- what a file means


class Refusal(NamedTuple):
    """How a file must be refused: the problem's reason, spreadsheet row and column.

    ``row`` and ``column`` are None for a refusal of the whole file that names neither;
    ``sheet`` is the worksheet title when the row is in a workbook of several sheets;
    ``params`` are values the problem's parameters must mention (e.g. orphaned row counts).
    """

    reason: str
    row: int | None
    column: str | None
    sheet: str | None = None
    params: dict[str, object] | None = None


class SheetMeaning(NamedTuple):
    """What the report must say of one worksheet: its kind and how many data rows it held."""

    kind: str  # "table" | "instructions" | "empty"
    rows: int


@dataclass
class OfficeFile:
    """One office-shaped file and what it means.

    ``expected`` is the typed rows the file stands for, in the contract's columns, with the
    contract's defaults filled in (None for an empty cell); it is None when the file must be
    refused, and then ``refusal`` says how. ``options`` are the keyword arguments of
    ``loader.ingest`` the file is loaded with (``mode``, ``set_values``, ``likert_order``).
    ``before`` are files to load first, each expected to load (the communities a file
    refers to, or the tables a replace would orphan). ``notices`` maps (notice key, column)
    to the number of cells it concerns (None: any number); ``conversions`` maps a header as
    written to the conversion label the report must show; ``sheets`` and ``layout`` say what
    the report must say of each worksheet (by title).
    """

    name: str
    data: bytes
    table: str
    expected: pd.DataFrame | None
    refusal: Refusal | None = None
    options: dict[str, object] = field(default_factory=dict)
    before: tuple[OfficeFile, ...] = ()
    notices: dict[tuple[str, str], int | None] = field(default_factory=dict)
    conversions: dict[str, str] = field(default_factory=dict)
    sheets: dict[str, SheetMeaning] = field(default_factory=dict)
    layout: dict[str, dict[str, object]] = field(default_factory=dict)
    shape: str = ""  # one line: what kind of office file this is
    shipped: Path | None = None  # a file of sample_data/ used as is: referred to, not written out

    @property
    def key(self) -> str:
        """A short id for test names: the shape's letter and the variant."""
        return self.shape.split(":", 1)[0]


def expected_frame(table: str, rows: Sequence[dict[str, object]]) -> pd.DataFrame:
    """Typed rows in the contract's columns: python values, None where empty, defaults filled."""
    defaults = DEFAULTS.get(table, {})
    records = []
    for row in rows:
        unknown = set(row) - set(COLUMNS[table])
        if unknown:
            raise ValueError(f"{table} has no columns {sorted(unknown)}")
        record = {column: row.get(column) for column in COLUMNS[table]}
        for column, default in defaults.items():
            if record[column] is None:
                record[column] = default
        records.append(record)
    return pd.DataFrame(records, columns=COLUMNS[table], dtype=object)


# ---------------------------------------------------------------- the communities everything refers to


@lru_cache(maxsize=1)
def sample_communities() -> pd.DataFrame:
    """``sample_data/communities.csv`` as text, in file order."""
    return pd.read_csv(SAMPLE_DIR / "communities.csv", dtype=str, keep_default_na=False)


def single(name: str, data: bytes, table: str, rows: list[dict[str, object]], shape: str) -> list[OfficeFile]:
    """One file of one table, with the rows it means: what most office shapes make."""
    return [OfficeFile(name, data, table, expected_frame(table, rows), shape=shape)]


def facility_row(
    community_id: str,
    year: int,
    office: float | None,
    service: float | None,
    rooms: int | None,
    hall: bool | None,
    tenure: str | None,
    budget: float | None,
) -> dict[str, object]:
    """What one facilities row means, in the contract's columns (the truth a file is checked against)."""
    return {
        "community_id": community_id,
        "year": year,
        "office_area_m2": office,
        "service_area_m2": service,
        "room_count": rooms,
        "has_hall": hall,
        "tenure": tenure,
        "operating_budget_yuan": budget,
    }


def _street(name: str, count: int | None = None) -> pd.DataFrame:
    communities = sample_communities()
    chosen = communities[communities["street"] == name].reset_index(drop=True)
    return chosen if count is None else chosen.head(count)


def _rng(shape: int) -> np.random.Generator:
    return np.random.default_rng([SEED, shape])


def _community_rows(frame: pd.DataFrame, **override: object) -> list[dict[str, object]]:
    """Expected communities rows from text rows of sample_data (coordinates left out unless given)."""
    rows = []
    for c in frame.itertuples(index=False):
        rows.append(
            {
                "community_id": c.community_id,
                "community_name": c.community_name,
                "district": c.district,
                "street": c.street,
                "community_type": c.community_type,
                "population": int(c.population),
                "households": int(c.households),
                **override,
            }
        )
    return rows


# ---------------------------------------------------------------- sheets and the formats they are written in


@dataclass
class Grid:
    """One worksheet being laid out: rows of cells (None = empty) and merged ranges.

    Rows are numbered as a spreadsheet shows them (the first is 1), and :meth:`add`
    returns the number, so a shape knows the row each of its cells will be reported at.
    Merged ranges are (first row, first column, last row, last column), 1-based; the cells
    a merge covers, other than its top-left, must be None.
    """

    title: str
    rows: list[list[object]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    date_format: str = "yyyy-mm-dd"

    def add(self, *cells: object) -> int:
        self.rows.append(list(cells))
        return len(self.rows)

    def blank(self) -> int:
        return self.add()

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        for r in range(first_row, last_row + 1):
            for c in range(first_col, last_col + 1):
                if (r, c) != (first_row, first_col) and self.cell(r, c) is not None:
                    raise ValueError(f"{self.title}: merged cell {r},{c} is not empty")
        self.merges.append((first_row, first_col, last_row, last_col))

    def cell(self, row: int, col: int) -> object:
        cells = self.rows[row - 1]
        return cells[col - 1] if col <= len(cells) else None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def _fixed_zip(data: bytes, first: str | None = None) -> bytes:
    """Re-pack a zip with fixed member times (and fixed document times), so its bytes are stable."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    names = source.namelist()
    if first is not None:
        names.remove(first)
        names.insert(0, first)
    stamp = STAMP.isoformat() + "Z"
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            content = source.read(name)
            if name == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rf"\g<1>{stamp}\g<2>", text)
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def xlsx_bytes(grids: Sequence[Grid]) -> bytes:
    """An .xlsx workbook as Excel writes it (openpyxl): numbers as numbers, dates as date cells."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    book.properties.creator = "tools.office_files"
    book.properties.created = STAMP
    for grid in grids:
        sheet = book.create_sheet(grid.title)
        for r, cells in enumerate(grid.rows, start=1):
            for c, value in enumerate(cells, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = grid.date_format
        for first_row, first_col, last_row, last_col in grid.merges:
            sheet.merge_cells(start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col)
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip(out.getvalue())


def xls_bytes(grids: Sequence[Grid]) -> bytes:
    """A legacy Excel 97–2003 .xls (BIFF8, written with xlwt)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for grid in grids:
        sheet = book.add_sheet(grid.title)
        date_style = xlwt.easyxf(num_format_str=grid.date_format)
        covered = {
            (r, c)
            for first_row, first_col, last_row, last_col in grid.merges
            for r in range(first_row, last_row + 1)
            for c in range(first_col, last_col + 1)
        }
        for first_row, first_col, last_row, last_col in grid.merges:
            value = grid.cell(first_row, first_col)
            style = date_style if isinstance(value, dt.date) else xlwt.Style.default_style
            sheet.write_merge(first_row - 1, last_row - 1, first_col - 1, last_col - 1, value, style)
        for r, cells in enumerate(grid.rows, start=1):
            for c, value in enumerate(cells, start=1):
                if value is None or (r, c) in covered:
                    continue
                if isinstance(value, dt.date):
                    sheet.write(r - 1, c - 1, value, date_style)
                else:
                    sheet.write(r - 1, c - 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def _ods_cell(value: object, spans: tuple[int, int] | None) -> str:
    attributes = ""
    if spans is not None:
        attributes = f' table:number-rows-spanned="{spans[0]}" table:number-columns-spanned="{spans[1]}"'
    if value is None:
        return f"<table:table-cell{attributes}/>"
    if isinstance(value, bool):
        raise TypeError("write booleans as the words offices use")
    if isinstance(value, dt.date):
        typed = f'office:value-type="date" office:date-value="{value.isoformat()}"'
        shown = [value.isoformat()]
    elif isinstance(value, int | float):
        typed = f'office:value-type="float" office:value="{value!r}"'
        shown = [repr(value)]
    else:
        typed = 'office:value-type="string"'
        shown = str(value).split("\n")
    paragraphs = "".join(f"<text:p>{html.escape(line, quote=False)}</text:p>" for line in shown)
    return f"<table:table-cell {typed}{attributes}>{paragraphs}</table:table-cell>"


def merge_layout(grid: Grid) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Where each merged range starts, with its (rows, columns) span, and the cells it covers:
    what an .ods and an HTML table both write for merged cells."""
    starts = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in grid.merges}
    covered = {
        (r, c)
        for r1, c1, r2, c2 in grid.merges
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }
    return starts, covered


def ods_bytes(grids: Sequence[Grid]) -> bytes:
    """An OpenDocument spreadsheet (.ods), as LibreOffice or WPS save it, written by hand."""
    tables = []
    for grid in grids:
        starts, covered = merge_layout(grid)
        rows = []
        for r in range(1, len(grid.rows) + 1):
            cells = []
            for c in range(1, grid.width + 1):
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                else:
                    cells.append(_ods_cell(grid.cell(r, c), starts.get((r, c))))
            rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        name = html.escape(grid.title)
        tables.append(f'<table:table table:name="{name}">{"".join(rows)}</table:table>')
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODS_MIME}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", _ODS_MIME)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return _fixed_zip(out.getvalue(), first="mimetype")


def html_xls_bytes(grid: Grid, encoding: str = "utf-8") -> bytes:
    """An HTML table saved with an .xls name: what many government systems export as "Excel"."""
    starts, covered = merge_layout(grid)
    lines = [
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
        'xmlns="http://www.w3.org/TR/REC-html40">',
        f'<head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">',
        '<style>td { mso-number-format: "\\@"; }</style></head>',
        '<body><table border="1" cellspacing="0">',
    ]
    for r in range(1, len(grid.rows) + 1):
        cells = []
        for c in range(1, grid.width + 1):
            if (r, c) in covered:
                continue
            spans = starts.get((r, c))
            attributes = ""
            if spans is not None:
                attributes = (f' rowspan="{spans[0]}"' if spans[0] > 1 else "") + (
                    f' colspan="{spans[1]}"' if spans[1] > 1 else ""
                )
            value = grid.cell(r, c)
            text = "" if value is None else html.escape(str(value), quote=False).replace("\n", "<br>")
            cells.append(f"<td{attributes}>{text}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines.append("</table></body></html>")
    return "\n".join(lines).encode(encoding)


def csv_bytes(grid: Grid, encoding: str = "gbk", newline: str = "\r\n") -> bytes:
    """A CSV as Excel on a Chinese Windows saves it: GBK, CRLF, each cell as Excel displays it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    for cells in grid.rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in cells])
    return out.getvalue().encode(encoding)


def _serial(day: dt.date) -> int:
    """Excel's serial number of a day (1900 date system, as Excel and WPS write it)."""
    return (day - EXCEL_EPOCH).days


def _total(values: Sequence[object]) -> float | int:
    return sum(v for v in values if isinstance(v, int | float))


# ---------------------------------------------------------------- (a) the city's statistics table


COMMUNITY_TABLE_TITLE = "仙桃市2024年社区基本情况统计表"


def communities_statistics_table() -> list[OfficeFile]:
    """(a) The city's yearly statistics table of its 79 communities, as the civil affairs bureau lays it out.

    A title row, a ``填表单位：… 填表日期：…`` line and a blank row above the header; 区县
    merged down over the whole body and each street merged down over its communities and
    its ``小计`` row; a ``合计`` row; ``注：``, ``填表人：``/``审核人：`` and ``联系电话：`` lines
    under the table. Units in the headers equal the columns' (人, 户): nothing to convert.
    """
    communities = sample_communities()
    grid = Grid(COMMUNITY_TABLE_TITLE)
    headers = ["序号", "区县", "街道（乡镇）", "社区编码", "社区名称", "社区类型", "常住人口（人）", "户数（户）"]
    width = len(headers)
    grid.merge(grid.add(COMMUNITY_TABLE_TITLE), 1, 1, width)
    unit_line = grid.add("填表单位：仙桃市民政局（盖章）　　　　填表日期：2025年1月10日")
    grid.merge(unit_line, 1, unit_line, width)
    grid.blank()
    header = grid.add(*headers)
    totals: list[int] = []
    first_body = header + 1
    number = 0
    for street, block in communities.groupby("street", sort=False):
        first = len(grid.rows) + 1
        for c in block.itertuples(index=False):
            number += 1
            grid.add(
                number,
                DISTRICT if number == 1 else None,
                street if len(grid.rows) + 1 == first else None,
                c.community_id,
                c.community_name,
                TYPE_WORDS[c.community_type],
                int(c.population),
                int(c.households),
            )
        subtotal = grid.add(
            None, None, None, None, "小计", None, int(block["population"].astype(int).sum()),
            int(block["households"].astype(int).sum()),
        )  # fmt: skip
        totals.append(subtotal)
        grid.merge(first, 3, subtotal, 3)
    grid.merge(first_body, 2, totals[-1], 2)
    grand = grid.add(
        "合计", None, None, None, None, None, int(communities["population"].astype(int).sum()),
        int(communities["households"].astype(int).sum()),
    )  # fmt: skip
    grid.merge(grand, 1, grand, 6)
    totals.append(grand)
    grid.blank()
    notes = [
        grid.add("注：1.常住人口为2024年末数据；2.社区类型按民政部门认定填写。"),
        grid.add("填表人：张敏", None, None, None, "审核人：李建国"),
        grid.add("联系电话：0728-3241234"),
    ]
    expected = expected_frame("communities", _community_rows(communities))
    return [
        OfficeFile(
            f"{COMMUNITY_TABLE_TITLE}.xlsx",
            xlsx_bytes([grid]),
            "communities",
            expected,
            options={"mode": "replace"},
            sheets={COMMUNITY_TABLE_TITLE: SheetMeaning("table", len(communities))},
            layout={
                COMMUNITY_TABLE_TITLE: {
                    "header_rows": (header,),
                    "skipped_above": [1, unit_line],
                    "totals": totals,
                    "notes": notes,
                    "repeated_headers": [],
                }
            },
            shape="a: statistics table with title, 填表单位 line, merged streets, 小计/合计 and notes",
        )
    ]


# ---------------------------------------------------------------- (b) facilities with a two-row header


FACILITY_SHEET = "设施经费"


def _budget_texts(rng: np.random.Generator, count: int) -> list[str | None]:
    """Budgets as written in 万元: one or two decimals, one left as ``—``."""
    texts: list[str | None] = [f"{rng.integers(5, 60) / 10:g}" for _ in range(count)]
    texts[1] = "1.2"
    texts[2] = "1.25"
    texts[3] = None  # written as the placeholder —
    return texts


def facilities_two_row_header() -> list[OfficeFile]:
    """(b) 龙华山街道's facilities inspection: ``办公用房`` merged over ``面积（㎡）`` and ``产权``.

    The other headers are merged down over both header rows; ``年度工作经费（万元）`` holds
    1.2 for 12,000 yuan; ``有``/``无`` for the hall (无 is false there, not empty); a ``合计``
    row and a ``注：`` line under the table.
    """
    rng = _rng(2)
    chosen = _street("龙华山街道")
    grid = Grid(FACILITY_SHEET)
    width = 10
    grid.merge(grid.add("龙华山街道2024年度社区服务设施与工作经费情况表"), 1, 1, width)
    top = grid.add(
        "序号", "社区编码", "社区名称", "年度", "办公用房", None, "服务用房面积（平方米）", "功能室数量",
        "是否有多功能厅", "年度工作经费（万元）",
    )  # fmt: skip
    sub = grid.add(None, None, None, None, "面积（㎡）", "产权", None, None, None, None)
    for col in (1, 2, 3, 4, 7, 8, 9, 10):
        grid.merge(top, col, sub, col)
    grid.merge(top, 5, top, 6)
    budgets = _budget_texts(rng, len(chosen))
    rows, written = [], []
    for i, c in enumerate(chosen.itertuples(index=False)):
        office = round(float(rng.uniform(30, 220)), 1)
        service = round(float(rng.uniform(40, 420)), 1)
        rooms = int(rng.integers(2, 11))
        hall = bool(rng.random() < 0.6)
        tenure = str(rng.choice(list(TENURE_WORDS)))
        budget = budgets[i]
        cells = [i + 1, c.community_id, c.community_name, 2024, office, tenure, service, rooms, "有" if hall else "无"]
        cells.append(float(budget) if budget is not None else "—")
        written.append(cells)
        grid.add(*cells)
        rows.append(
            {
                "community_id": c.community_id,
                "year": 2024,
                "office_area_m2": office,
                "service_area_m2": service,
                "room_count": rooms,
                "has_hall": hall,
                "tenure": TENURE_WORDS[tenure],
                "operating_budget_yuan": None if budget is None else float(Decimal(budget) * 10000),
            }
        )
    total = grid.add(
        "合计", None, None, None, round(_total([w[4] for w in written]), 1), None,
        round(_total([w[6] for w in written]), 1), int(_total([w[7] for w in written])), None,
        round(_total([w[9] for w in written]), 2),
    )  # fmt: skip
    grid.merge(total, 1, total, 4)
    note = grid.add("注：年度工作经费以万元为单位，面积以平方米为单位。")
    return [
        OfficeFile(
            "龙华山街道社区服务设施统计表.xlsx",
            xlsx_bytes([grid]),
            "facilities",
            expected_frame("facilities", rows),
            conversions={"年度工作经费（万元）": "×10,000"},
            sheets={FACILITY_SHEET: SheetMeaning("table", len(rows))},
            layout={
                FACILITY_SHEET: {
                    "header_rows": (top, sub),
                    "skipped_above": [1],
                    "totals": [total],
                    "notes": [note],
                    "repeated_headers": [],
                }
            },
            shape="b: two-row header (办公用房 over 面积/产权) and 工作经费（万元）",
        )
    ]


def facilities_unit_refused() -> list[OfficeFile]:
    """(b) A township's facilities with the service area in 亩: a unit that cannot be read as m², refused."""
    chosen = _street("沙嘴街道", 4)
    grid = Grid("Sheet1")
    header = "服务用房面积（亩）"
    grid.add("社区编码", "年度", "办公用房面积", header, "功能室数", "多功能厅", "产权")
    for i, c in enumerate(chosen.itertuples(index=False)):
        grid.add(c.community_id, 2024, 80 + 10 * i, 0.5, 4, "是", "自有")
    return [
        OfficeFile(
            "沙嘴街道设施_面积单位为亩.xlsx",
            xlsx_bytes([grid]),
            "facilities",
            None,
            refusal=Refusal("unit_refused", None, "service_area_m2", params={"header": header, "unit": "亩"}),
            shape="b-unit: service area in 亩, refused naming the header",
        )
    ]


# ---------------------------------------------------------------- (c) the tasks ledger


TASK_SHEET = "2024年事项台账"
ZHENGFA = "政法 （社会救助）"  # what 政法\n（社会救助） is once the line break is one space
DEPARTMENT_SPELLINGS = {
    "民政": ["民政", "民政"],
    ZHENGFA: ["政法\n（社会救助）", "政法\n（社会救助）", "政法  （社会救助）"],
    "城管": ["城管", "城管 "],
    "卫健": ["卫健", "卫健"],
}


@lru_cache(maxsize=1)
def _ledger() -> tuple[tuple[object, ...], ...]:
    """沙嘴街道's work from September to November 2024: (community, month, department as stored,
    as written, category word, count, minutes, admitted, funded) per row."""
    rng = _rng(3)
    rows = []
    departments = list(DEPARTMENT_SPELLINGS)
    for c in _street("沙嘴街道", 6).itertuples(index=False):
        for month in (9, 10, 11):
            for department in rng.choice(departments, size=3, replace=False):
                spellings = DEPARTMENT_SPELLINGS[str(department)]
                written = spellings[len(rows) % len(spellings)]
                rows.append(
                    (
                        c.community_id, month, str(department), written, str(rng.choice(list(CATEGORY_WORDS))),
                        int(rng.integers(1, 9)), 15 * int(rng.integers(2, 33)), bool(rng.random() < 0.6),
                        bool(rng.random() < 0.4),
                    )
                )  # fmt: skip
    return tuple(rows)


def _ledger_file(period_cell: Callable[[int], object]) -> tuple[bytes, dict[int, int], list[dict[str, object]]]:
    """The ledger with its period cells written by ``period_cell(month)``; the rows of each month and the meaning."""
    grid = Grid(TASK_SHEET)
    headers = ["社区编码", "社区名称", "月份", "派出部门", "事项类别", "事项数", "耗时（分钟）", "是否准入", "费随事转"]
    grid.merge(grid.add("沙嘴街道社区工作事项台账（2024年9—11月）"), 1, 1, len(headers))
    grid.add(*headers)
    names = dict(zip(sample_communities()["community_id"], sample_communities()["community_name"], strict=True))
    first_row_of_month: dict[int, int] = {}
    expected = []
    for community, month, department, written, category, count, minutes, admitted, funded in _ledger():
        row = grid.add(
            community, names[community], period_cell(month), written, category, count, minutes,
            "是" if admitted else "否", "是" if funded else "否",
        )  # fmt: skip
        first_row_of_month.setdefault(month, row)
        expected.append(
            {
                "community_id": community,
                "period": dt.date(2024, month, 1),
                "department": department,
                "task_category": CATEGORY_WORDS[category],
                "task_count": count,
                "hours": minutes / 60,  # multiples of 15 minutes: exact quarters of an hour
                "admitted": admitted,
                "funded": funded,
            }
        )
    return xlsx_bytes([grid]), first_row_of_month, expected


def tasks_ledger() -> list[OfficeFile]:
    """(c) 沙嘴街道's tasks ledger, three ways its month column arrives.

    Every variant has ``耗时（分钟）`` (90 means 1.5 hours) and departments written with line
    breaks inside (``政法\\n（社会救助）``) or two spaces, which are one department.

    * months typed as ``2024.09``, ``2024.10``, ``2024.11`` into cells Excel keeps as numbers:
      2024.10 became 2024.1, which may be January; refused ``ambiguous_month`` at the first;
    * months written ``2024-10`` as text: loads;
    * months as Excel date serial numbers (a column formatted as 常规 after pasting): loads,
      counted in a notice.
    """
    numbers = {9: 2024.09, 10: 2024.1, 11: 2024.11}
    data, first_rows, _ = _ledger_file(lambda month: numbers[month])
    text_data, _, expected = _ledger_file(lambda month: f"2024-{month:02d}")
    serial_data, _, serial_expected = _ledger_file(lambda month: _serial(dt.date(2024, month, 1)))
    conversions = {"耗时（分钟）": "÷60"}
    return [
        OfficeFile(
            "沙嘴街道工作事项台账_月份为数字.xlsx",
            data,
            "tasks",
            None,
            refusal=Refusal("ambiguous_month", first_rows[10], "period"),
            shape="c-number: months as Excel numbers, 2024.1 refused as ambiguous",
        ),
        OfficeFile(
            "沙嘴街道工作事项台账.xlsx",
            text_data,
            "tasks",
            expected_frame("tasks", expected),
            conversions=conversions,
            sheets={TASK_SHEET: SheetMeaning("table", len(expected))},
            shape="c-text: minutes, line breaks in departments, months written 2024-10",
        ),
        OfficeFile(
            "沙嘴街道工作事项台账_日期序号.xlsx",
            serial_data,
            "tasks",
            expected_frame("tasks", serial_expected),
            notices={("excel_serial_date", "period"): len(serial_expected)},
            conversions=conversions,
            shape="c-serial: months as Excel date serial numbers",
        ),
    ]


# ---------------------------------------------------------------- (d) a staff roster, one sheet per street


ROSTER_STREETS = ("干河街道", "龙华山街道", "沙嘴街道")
ONE_PERSON_BOTH = {"干河街道": "书记、主任", "龙华山街道": "书记兼主任", "沙嘴街道": "书记（兼主任）"}
ROLE_CODES = {"书记": "secretary", "副书记": "deputy_secretary", "主任": "director", "副主任": "deputy_director"}
ROLE_CODES |= {"委员": "member", "网格员": "grid_worker"}
INSTRUCTIONS = "填表说明"
ROSTER_HEADERS = [
    "序号", "人员编号", "社区编码", "所在社区", "性  别", "职务", "专兼职", "学历", "是否持\n社工证", "月工资（元）",
    "入职时间", "离职时间", "离职原因",
]  # fmt: skip


def _hire(rng: np.random.Generator, index: int) -> tuple[object, dt.date, bool]:
    """A hire date as the cell holds it, the date it means, and whether it was a month without a day.

    Cycles through a real date cell, a month typed as a number (2014.03: Excel keeps the
    number, never for October, which would be 2014.1), ``2019年7月`` and a text ``2016.10``.
    """
    year = int(rng.integers(2012, 2024))
    month = int(rng.integers(1, 13))
    kind = index % 4
    if kind == 0:
        day = dt.date(year, month, int(rng.integers(1, 29)))
        return day, day, False
    if kind == 1:
        month = month if month != 10 else 3
        return float(f"{year}.{month:02d}"), dt.date(year, month, 1), True
    if kind == 2:
        return f"{year}年{month}月", dt.date(year, month, 1), True
    return f"{year}.10", dt.date(year, 10, 1), True


def _roster_sheets(rng: np.random.Generator) -> tuple[list[Grid], list[dict[str, object]], int, dict[str, list[int]]]:
    """The roster's sheets, the people they mean, the count of month-only hire cells and each sheet's data rows."""
    instructions = Grid(INSTRUCTIONS)
    instructions.add("填表说明")
    instructions.add("1. 每个街道一张表，请勿增删列、勿改表头。")
    instructions.add("2. 职务填写：书记、副书记、主任、副主任、委员、网格员；书记兼任主任（一肩挑）的填“书记、主任”。")
    instructions.add("3. 入职时间可只填年月，如2014.03。")
    instructions.add("4. 在职人员离职时间、离职原因填“—”或“无”。")
    grids, people, month_only = [instructions], [], 0
    data_rows: dict[str, list[int]] = {}
    for street in ROSTER_STREETS:
        grid = Grid(street)
        grid.merge(grid.add(f"{street}社区工作者花名册"), 1, 1, len(ROSTER_HEADERS))
        grid.add(*ROSTER_HEADERS)
        data_rows[street] = []
        number = 0
        for index, c in enumerate(_street(street, 2).itertuples(index=False)):
            both = index % 2 == 0
            roles = [ONE_PERSON_BOTH[street], "副主任"] if both else ["书记", "主任", "副书记"]
            roles += ["委员", "网格员"]
            for seat, role in enumerate(roles):
                number += 1
                staff_id = f"{c.community_id}-{seat + 1:02d}"
                gender = str(rng.choice(["男", "女"])) if seat < len(roles) - 1 else ["男", "女", "—"][index + 1]
                education = str(rng.choice(list(EDUCATION_WORDS)))
                certified = str(rng.choice(["是", "否", "无", ""]))
                pay = "/" if role == "网格员" else int(rng.integers(17, 21)) * 100
                written_hire, hire, month_only_hire = _hire(rng, len(people))
                month_only += month_only_hire
                left = seat == 2 and not both
                exit_day = dt.date(min(hire.year + 3, 2024), 6, 30) if left else None
                reason = str(rng.choice(list(EXIT_WORDS))) if left else "无"
                row = grid.add(
                    number, staff_id, c.community_id, c.community_name, gender, role,
                    "专职" if seat < 3 else "兼职", education, certified, pay, written_hire,
                    exit_day if left else "—", reason,
                )  # fmt: skip
                data_rows[street].append(row)
                people.append(
                    {
                        "staff_id": staff_id,
                        "community_id": c.community_id,
                        "role": "secretary" if role == ONE_PERSON_BOTH[street] else ROLE_CODES[role],
                        "employment": "full_time" if seat < 3 else "part_time",
                        "gender": {"男": "M", "女": "F", "—": None}[gender],
                        "education": EDUCATION_WORDS[education],
                        "also_director": role == ONE_PERSON_BOTH[street],
                        "certified_social_worker": certified == "是",
                        "monthly_pay": None if pay == "/" else float(pay),
                        "hire_date": hire,
                        "exit_date": exit_day,
                        "exit_reason": EXIT_WORDS[reason] if left else None,
                    }
                )
        grids.append(grid)
    return grids, people, month_only, data_rows


def staff_roster() -> list[OfficeFile]:
    """(d) A street-office roster: a ``填表说明`` sheet, then one sheet per street with the same columns.

    Headers ``性  别`` (spaces inside) and ``是否持\\n社工证`` (a line break); the secretary who
    is also director written ``书记、主任`` / ``书记兼主任`` / ``书记（兼主任）`` (stored as
    secretary with also_director true); ``大学本科``; hire months without a day (the 1st, with
    a notice); ``—``, ``无``, ``暂无`` and ``/`` in optional columns. The second variant has a
    ``—`` in the required 入职时间 of one person on the 龙华山街道 sheet: refused there.
    """
    grids, people, month_only, data_rows = _roster_sheets(_rng(4))
    sheets = {INSTRUCTIONS: SheetMeaning("instructions", 0)}
    sheets |= {street: SheetMeaning("table", len(rows)) for street, rows in data_rows.items()}
    good = OfficeFile(
        "2024年社区工作者花名册.xlsx",
        xlsx_bytes(grids),
        "staff",
        expected_frame("staff", people),
        notices={("month_only_date", "hire_date"): month_only},
        sheets=sheets,
        layout={street: {"header_rows": (2,), "skipped_above": [1]} for street in ROSTER_STREETS},
        shape="d: roster with an instructions sheet and one sheet per street",
    )
    broken_street = ROSTER_STREETS[1]
    broken_row = data_rows[broken_street][3]
    hire_column = ROSTER_HEADERS.index("入职时间")
    grids[ROSTER_STREETS.index(broken_street) + 1].rows[broken_row - 1][hire_column] = "—"
    broken = OfficeFile(
        "2024年社区工作者花名册_缺入职时间.xlsx",
        xlsx_bytes(grids),
        "staff",
        None,
        refusal=Refusal("required", broken_row, "hire_date", sheet=broken_street),
        shape="d-required: the same roster with — in a required cell of the second street's sheet",
    )
    return [good, broken]


# ---------------------------------------------------------------- (e) legacy .xls, HTML saved as .xls, .ods


def legacy_xls() -> list[OfficeFile]:
    """(e) 工业园区's tasks in a real Excel 97–2003 .xls: a merged title, months as date cells shown 2024年7月."""
    rng = _rng(5)
    grid = Grid("Sheet1", date_format="yyyy年m月")
    headers = ["社区编码", "月份", "交办单位", "事项类别", "件数", "工时", "是否准入", "配套经费"]
    grid.merge(grid.add("工业园区社区工作事项统计（2024年7—8月）"), 1, 1, len(headers))
    grid.add(*headers)
    expected = []
    for c in _street("工业园区").itertuples(index=False):
        for month in (7, 8):
            for department in ("组织", "应急"):
                category = str(rng.choice(list(CATEGORY_WORDS)))
                count = int(rng.integers(1, 6))
                hours = int(rng.integers(2, 40)) / 2
                admitted, funded = bool(rng.random() < 0.7), bool(rng.random() < 0.5)
                grid.add(
                    c.community_id, dt.date(2024, month, 1), department, category, count, hours,
                    "是" if admitted else "否", "是" if funded else "否",
                )  # fmt: skip
                expected.append(
                    {
                        "community_id": c.community_id,
                        "period": dt.date(2024, month, 1),
                        "department": department,
                        "task_category": CATEGORY_WORDS[category],
                        "task_count": count,
                        "hours": hours,
                        "admitted": admitted,
                        "funded": funded,
                    }
                )
    return single(
        "工业园区工作事项统计.xls",
        xls_bytes([grid]),
        "tasks",
        expected,
        "e-xls: legacy .xls with a title row and date cells",
    )


def html_saved_as_xls() -> list[OfficeFile]:
    """(e) 干河街道's facilities exported by a government system: an HTML table named .xls.

    A title row spanning the table (colspan), every cell text (``mso-number-format: @``),
    ``是``/``否`` for the hall and ``用房性质`` words.
    """
    rng = _rng(6)
    grid = Grid("")
    headers = ["社区编码", "社区名称", "年份", "办公用房面积", "服务用房面积", "功能室数", "是否有多功能厅"]
    headers += ["用房性质", "工作经费（元）"]
    grid.merge(grid.add("干河街道社区服务设施情况（2025年度）"), 1, 1, len(headers))
    grid.add(*headers)
    expected = []
    for c in _street("干河街道").itertuples(index=False):
        office, service = f"{rng.integers(300, 2500) / 10:g}", f"{rng.integers(400, 4500) / 10:g}"
        rooms, hall = int(rng.integers(2, 11)), bool(rng.random() < 0.7)
        tenure = str(rng.choice(list(TENURE_WORDS)))
        budget = int(rng.integers(10, 60)) * 1000
        grid.add(c.community_id, c.community_name, "2025", office, service, str(rooms), "是" if hall else "否")
        grid.rows[-1] += [tenure, str(budget)]
        expected.append(
            facility_row(
                c.community_id, 2025, float(office), float(service), rooms, hall, TENURE_WORDS[tenure], float(budget)
            )
        )
    return single(
        "社区设施统计导出.xls",
        html_xls_bytes(grid),
        "facilities",
        expected,
        "e-html: HTML table saved as .xls by a government system",
    )


def ods_survey() -> list[OfficeFile]:
    """(e) 工业园区's satisfaction survey typed into WPS/LibreOffice and saved as .ods.

    Answers as words (非常满意 … 非常不满意) and digits, survey dates as date cells, some
    optional answers left blank.
    """
    rng = _rng(7)
    words = list(LIKERT_WORDS)
    grid = Grid("问卷录入")
    grid.add("问卷编号", "社区编码", "调查日期", "总体满意度", "社区服务", "环境卫生", "性别", "年龄段")
    expected = []
    for c in _street("工业园区").itertuples(index=False):
        for i in range(6):
            overall = words[int(rng.integers(0, 5))]
            service = words[int(rng.integers(0, 5))] if i % 3 else None
            environment = int(rng.integers(1, 6))
            day = dt.date(2024, 10, int(rng.integers(20, 31)))
            gender = str(rng.choice(["男", "女"]))
            age = str(rng.choice(["18-34", "35-59", "60+"]))
            response_id = f"{c.community_id}-2024-{i + 1:03d}"
            grid.add(response_id, c.community_id, day, overall, service, environment, gender, age)
            expected.append(
                {
                    "response_id": response_id,
                    "community_id": c.community_id,
                    "survey_date": day,
                    "overall": LIKERT_WORDS[overall],
                    "service": None if service is None else LIKERT_WORDS[service],
                    "environment": environment,
                    "gender": {"男": "M", "女": "F"}[gender],
                    "age_group": age,
                }
            )
    return single(
        "工业园区居民满意度调查.ods",
        ods_bytes([grid]),
        "survey",
        expected,
        "e-ods: survey in an .ods with words and date cells",
    )


# ---------------------------------------------------------------- (f) 问卷星 export by option number


def wjx_by_option_number() -> list[OfficeFile]:
    """(f) A 问卷星 export "按序号" (1 = the first option, 非常满意), its headers renamed to the contract's.

    It still carries the platform's ``序号``, ``所用时间`` and ``来源`` columns, and its answers
    are bare numbers: refused until the direction is given. With ``likert_order="high-first"``
    each score is 6 − code (what the respondents meant); with ``"low-first"`` (what someone
    who says the codes are scores asks for) the code itself.
    """
    rng = _rng(8)
    grid = Grid("Sheet1")
    grid.add("序号", "调查日期", "所用时间", "来源", "社区编码", *ITEM_HEADERS)
    meant, as_codes = [], []
    # Scores lean to 满意 and 一般 (mean about 3.3): reversed they would read about 2.7.
    probabilities = [0.06, 0.14, 0.33, 0.32, 0.15]
    for number, c in enumerate(
        (c for c in _street("沙嘴街道", 5).itertuples(index=False) for _ in range(12)),
        start=1,
    ):
        scores = [int(rng.choice([1, 2, 3, 4, 5], p=probabilities)) for _ in SURVEY_ITEMS]
        skipped = {SURVEY_ITEMS[int(rng.integers(1, len(SURVEY_ITEMS)))]} if number % 4 == 0 else set()
        day = dt.date(2024, 10, 20 + number % 9)
        moment = f"{day:%Y/%m/%d} {8 + number % 10}:{number % 60:02d}:{(7 * number) % 60:02d}"
        codes = [None if item in skipped else 6 - s for item, s in zip(SURVEY_ITEMS, scores, strict=True)]
        grid.add(number, moment, f"{60 + int(rng.integers(0, 400))}秒", str(rng.choice(["微信", "手机提交"])),
                 c.community_id, *codes)  # fmt: skip
        base = {"community_id": c.community_id, "survey_date": day}
        meant.append(
            base | {item: None if item in skipped else s for item, s in zip(SURVEY_ITEMS, scores, strict=True)}
        )
        as_codes.append(base | dict(zip(SURVEY_ITEMS, codes, strict=True)))
    data = xlsx_bytes([grid])
    name = "问卷星_社区居民满意度调查_按序号.xlsx"
    return [
        OfficeFile(
            name,
            data,
            "survey",
            None,
            refusal=Refusal("likert_direction_unknown", None, None),
            shape="f: 问卷星 按序号 export, direction not given: refused",
        ),
        OfficeFile(
            name,
            data,
            "survey",
            expected_frame("survey", meant),
            options={"likert_order": "high-first"},
            shape="f-high-first: the same export, code 1 = 非常满意 = score 5",
        ),
        OfficeFile(
            name,
            data,
            "survey",
            expected_frame("survey", as_codes),
            options={"likert_order": "low-first"},
            shape="f-low-first: the same export read with codes as scores",
        ),
    ]


# ---------------------------------------------------------------- (g) codes Excel has mangled


#: Communities with the codes Excel mangles: 12-digit statistical codes, and codes with a leading zero.
NUMBERED = [
    ("429004101001", "渔场社区", "排湖风景区", "village_converted", 3120, 1040),
    ("429004101002", "苗圃社区", "排湖风景区", "urban", 4580, 1630),
    ("429004101003", "芦苇社区", "排湖风景区", "village_converted", 2760, 910),
    ("429004101004", "荷花社区", "排湖风景区", "urban", 5210, 1820),
    ("0728001", "莲藕社区", "五湖渔场", "township", 1980, 720),
    ("0728002", "鱼苗社区", "五湖渔场", "township", 2240, 790),
    ("0728003", "菱角社区", "五湖渔场", "rural", 1530, 560),
]


def numbered_communities() -> OfficeFile:
    """The communities (g) refers to, kept as text in a plain UTF-8 CSV, as a system exports them."""
    grid = Grid("")
    grid.add("社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数")
    rows = []
    for code, name, street, kind, population, households in NUMBERED:
        grid.add(code, name, DISTRICT, street, TYPE_WORDS[kind], population, households)
        rows.append(
            {
                "community_id": code,
                "community_name": name,
                "district": DISTRICT,
                "street": street,
                "community_type": kind,
                "population": population,
                "households": households,
            }
        )
    return OfficeFile(
        "渔场社区名单.csv",
        csv_bytes(grid, "utf-8", "\n"),
        "communities",
        expected_frame("communities", rows),
        shape="g-setup: communities with 12-digit codes and codes with a leading zero",
    )


def _scientific(code: str) -> str:
    """How Excel shows a 12-digit code in a General cell, and saves it to CSV: ``4.29004E+11``."""
    mantissa, exponent = f"{float(code):.5E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"


def mangled_codes() -> list[OfficeFile]:
    """(g) Codes Excel changed.

    * A tasks CSV saved from Excel: the 12-digit codes show as ``4.29004E+11`` and were saved
      so; a 社区名称 column beside them names each community: loads by name, with a notice.
    * The same without the name column: refused ``excel_scientific_code`` at its first row.
    * A facilities workbook whose codes were typed into number cells: ``0728001`` became
      ``728001``; exactly one known code has the zero put back: loads, with a notice.
    """
    setup = numbered_communities()
    rng = _rng(9)
    with_names = Grid("")
    with_names.add("社区编码", "社区名称", "月份", "派出部门", "事项类别", "事项数", "工时", "是否准入", "费随事转")
    without = Grid("")
    without.add("社区编码", "月份", "派出部门", "事项类别", "事项数", "工时", "是否准入", "费随事转")
    tasks = []
    for code, name, *_ in NUMBERED[:4]:
        for department in ("民政", "城管", "统计"):
            category = str(rng.choice(list(CATEGORY_WORDS)))
            count, hours = int(rng.integers(1, 7)), int(rng.integers(1, 30)) / 2
            admitted, funded = bool(rng.random() < 0.6), bool(rng.random() < 0.4)
            cells = [
                "2024-11",
                department,
                category,
                count,
                hours,
                "是" if admitted else "否",
                "是" if funded else "否",
            ]
            with_names.add(_scientific(code), name, *cells)
            without.add(_scientific(code), *cells)
            tasks.append(
                {
                    "community_id": code,
                    "period": dt.date(2024, 11, 1),
                    "department": department,
                    "task_category": CATEGORY_WORDS[category],
                    "task_count": count,
                    "hours": hours,
                    "admitted": admitted,
                    "funded": funded,
                }
            )
    zeros = Grid("Sheet1")
    zeros.add("社区编码", "年度", "办公用房面积", "服务用房面积", "功能室数", "多功能厅", "产权", "工作经费")
    facilities = []
    for code, *_ in NUMBERED[4:]:
        office, service, rooms = 60 + int(rng.integers(0, 90)), 120 + int(rng.integers(0, 200)), int(rng.integers(3, 8))
        zeros.add(int(code), 2024, office, service, rooms, "否", "借用", 8000)
        facilities.append(
            {
                "community_id": code,
                "year": 2024,
                "office_area_m2": float(office),
                "service_area_m2": float(service),
                "room_count": rooms,
                "has_hall": False,
                "tenure": "borrowed",
                "operating_budget_yuan": 8000.0,
            }
        )
    return [
        OfficeFile(
            "排湖风景区工作事项_Excel另存.csv",
            csv_bytes(with_names),
            "tasks",
            expected_frame("tasks", tasks),
            before=(setup,),
            notices={("code_from_name", "community_id"): len(tasks)},
            shape="g-scientific-named: codes as 4.29004E+11 with a 社区名称 column: loads by name",
        ),
        OfficeFile(
            "排湖风景区工作事项_无社区名称.csv",
            csv_bytes(without),
            "tasks",
            None,
            before=(setup,),
            refusal=Refusal("excel_scientific_code", 2, "community_id"),
            shape="g-scientific: codes as 4.29004E+11 and nothing else to tell them apart: refused",
        ),
        OfficeFile(
            "五湖渔场设施.xlsx",
            xlsx_bytes([zeros]),
            "facilities",
            expected_frame("facilities", facilities),
            before=(setup,),
            notices={("zeros_restored", "community_id"): len(facilities)},
            shape="g-zeros: 0728001 stored by Excel as the number 728001",
        ),
    ]


# ---------------------------------------------------------------- (h) a city's table without 区县


def city_table_without_district() -> list[OfficeFile]:
    """(h) The city's list of communities saved from Excel as CSV, without 区县 (it is the same for all).

    Refused ``missing_column`` on its own; with ``set_values={"district": "仙桃市"}`` it loads.
    """
    communities = sample_communities()
    grid = Grid("")
    grid.add("社区编码", "社区名称", "街道", "社区类型", "常住人口", "户数")
    for c in communities.itertuples(index=False):
        grid.add(c.community_id, c.community_name, c.street, TYPE_WORDS[c.community_type], c.population, c.households)
    data = csv_bytes(grid)
    name = "仙桃市社区名单.csv"
    return [
        OfficeFile(
            name,
            data,
            "communities",
            None,
            refusal=Refusal("missing_column", None, "district"),
            options={"mode": "replace"},
            shape="h: city table without 区县: refused",
        ),
        OfficeFile(
            name,
            data,
            "communities",
            expected_frame("communities", _community_rows(communities)),
            options={"mode": "replace", "set_values": {"district": DISTRICT}},
            notices={("set_value", "district"): None},
            shape="h-set: the same with district set to 仙桃市 for every row",
        ),
    ]


# ---------------------------------------------------------------- (i) a partial replace


def _sample_file(table: str) -> OfficeFile:
    path = SAMPLE_DIR / f"{table}.csv"
    return OfficeFile(path.name, path.read_bytes(), table, None, shape=f"sample {table}", shipped=path)


def partial_replace() -> list[OfficeFile]:
    """(i) 干河街道's 19 communities sent as "the communities", loaded with replace.

    The sample staff and survey refer to all 79: replacing would leave the rows of the other
    60 pointing at nothing. Refused, naming the tables and how many rows each would lose.
    """
    kept = _street("干河街道")
    grid = Grid("干河街道")
    grid.add("社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数")
    for c in kept.itertuples(index=False):
        grid.add(
            c.community_id, c.community_name, c.district, c.street, TYPE_WORDS[c.community_type], int(c.population),
            int(c.households),
        )  # fmt: skip
    orphans = {}
    for table in ("staff", "survey"):
        rows = pd.read_csv(SAMPLE_DIR / f"{table}.csv", dtype=str, usecols=["community_id"])
        orphans[table] = int((~rows["community_id"].isin(kept["community_id"])).sum())
    return [
        OfficeFile(
            "干河街道社区名单.xlsx",
            xlsx_bytes([grid]),
            "communities",
            None,
            refusal=Refusal("replace_orphans", None, None, params=orphans),
            options={"mode": "replace"},
            before=(_sample_file("staff"), _sample_file("survey")),
            shape="i: 19 of 79 communities loaded with replace while staff and survey refer to the rest",
        )
    ]


# ---------------------------------------------------------------- (j) two exports pasted together


def repeated_header() -> list[OfficeFile]:
    """(j) 沙嘴街道's 2025 facilities: two system exports pasted one under the other, header and all."""
    rng = _rng(10)
    grid = Grid("Sheet1")
    headers = ["社区编码", "年份", "办公面积", "服务面积", "功能室数", "多功能厅", "用房来源", "办公经费"]
    grid.add(*headers)
    repeated = []
    expected = []
    chosen = _street("沙嘴街道")
    for i, c in enumerate(chosen.itertuples(index=False)):
        if i == len(chosen) // 2:
            repeated.append(grid.add(*headers))
        office, service = int(rng.integers(40, 250)), int(rng.integers(60, 500))
        rooms, hall = int(rng.integers(2, 11)), bool(rng.random() < 0.6)
        tenure = str(rng.choice(list(TENURE_WORDS)))
        grid.add(c.community_id, 2025, office, service, rooms, "是" if hall else "否", tenure, 20000 + 1000 * i)
        expected.append(
            facility_row(
                c.community_id,
                2025,
                float(office),
                float(service),
                rooms,
                hall,
                TENURE_WORDS[tenure],
                float(20000 + 1000 * i),
            )
        )
    return [
        OfficeFile(
            "沙嘴街道设施_两次导出合并.xlsx",
            xlsx_bytes([grid]),
            "facilities",
            expected_frame("facilities", expected),
            layout={"Sheet1": {"header_rows": (1,), "repeated_headers": repeated}},
            shape="j: a header row repeated in the middle",
        )
    ]


# ---------------------------------------------------------------- (k) 村改居社区


NEW_COMMUNITIES = [
    ("XT101", "新河社区", "村改居社区", "village_converted"),
    ("XT102", "月湖社区", "村改居社区", "village_converted"),
    ("XT103", "柳林社区", "城市社区", "urban"),
    ("XT104", "杨家湾社区", "村改居", "village_converted"),
    ("XT105", "仙下河社区", "纯社区", "urban"),
]


def village_converted_suffix() -> list[OfficeFile]:
    """(k) Five new communities of 沙嘴街道, their type written ``村改居社区`` as often as ``村改居``."""
    grid = Grid("新增社区")
    grid.add("社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数")
    rows = []
    for i, (code, name, written, kind) in enumerate(NEW_COMMUNITIES):
        population, households = 3000 + 700 * i, 1000 + 250 * i
        grid.add(code, name, DISTRICT, "沙嘴街道", written, population, households)
        rows.append(
            {
                "community_id": code,
                "community_name": name,
                "district": DISTRICT,
                "street": "沙嘴街道",
                "community_type": kind,
                "population": population,
                "households": households,
            }
        )
    return single(
        "沙嘴街道新增社区.xlsx", xlsx_bytes([grid]), "communities", rows, "k: community type written 村改居社区"
    )


# ---------------------------------------------------------------- (l) dates in the future


def future_dates(today: dt.date | None = None) -> list[OfficeFile]:
    """(l) A typing slip: one survey dated next year, and one month of tasks next year. Both refused ``in_future``."""
    today = today or dt.date.today()
    survey = Grid("")
    survey.add("问卷编号", "社区编码", "调查日期", "总体满意度", "社区服务")
    slip = None
    for i, c in enumerate(_street("干河街道", 3).itertuples(index=False)):
        for j in range(3):
            day = f"{today.year + 1}-10-2{j}" if (i, j) == (1, 1) else f"2024-10-2{j}"
            row = survey.add(f"{c.community_id}-L{j}", c.community_id, day, 4, 3)
            if (i, j) == (1, 1):
                slip = row
    tasks = Grid("")
    tasks.add("社区编码", "月份", "派出部门", "事项类别", "事项数", "工时", "是否准入", "费随事转")
    tasks.add("XT001", "2024-12", "民政", "行政事务", 2, 3, "是", "否")
    future_row = tasks.add("XT001", f"{today.year + 1}-01", "民政", "行政事务", 1, 2, "是", "否")
    return [
        OfficeFile(
            "干河街道满意度调查_录入.csv",
            csv_bytes(survey, "utf-8", "\n"),
            "survey",
            None,
            refusal=Refusal("in_future", slip, "survey_date"),
            shape="l-survey: a survey dated next year",
        ),
        OfficeFile(
            "红光社区事项_录入.csv",
            csv_bytes(tasks, "utf-8", "\n"),
            "tasks",
            None,
            refusal=Refusal("in_future", future_row, "period"),
            shape="l-tasks: a month of next year",
        ),
    ]


# ---------------------------------------------------------------- all of them


def office_files(today: dt.date | None = None) -> list[OfficeFile]:
    """Every shape, in the order of the list above."""
    return [
        *communities_statistics_table(),
        *facilities_two_row_header(),
        *facilities_unit_refused(),
        *tasks_ledger(),
        *staff_roster(),
        *legacy_xls(),
        *html_saved_as_xls(),
        *ods_survey(),
        *wjx_by_option_number(),
        *mangled_codes(),
        *city_table_without_district(),
        *partial_replace(),
        *repeated_header(),
        *village_converted_suffix(),
        *future_dates(today),
    ]


def _cli_options(options: dict[str, object]) -> str:
    parts = []
    for key, value in options.items():
        if key == "set_values":
            parts += [f"--set {column}={text}" for column, text in dict(value).items()]
        else:
            parts.append(f"--{key.replace('_', '-')} {value}")
    return " ".join(parts)


def _shown(f: OfficeFile) -> str:
    return f"sample_data/{f.shipped.name}" if f.shipped is not None else f.name


def manifest(files: Sequence[OfficeFile]) -> str:
    """What each file is and how to load it, and what loading it must do, one paragraph per file and variant."""
    lines = [
        "Office-shaped files (python -m tools.office_files) and what each must do.",
        "Try each on a fresh database holding the sample communities, made with:",
        "  python -m community_eval ingest sample_data/communities.csv --db try.duckdb",
        "",
    ]
    for f in files:
        steps = [f"python -m community_eval ingest {_shown(b)} --db try.duckdb" for b in f.before]
        steps.append(f"python -m community_eval ingest {f.name} --db try.duckdb {_cli_options(f.options)}".strip())
        if f.refusal is None:
            outcome = f"loads {len(f.expected)} rows into {f.table}"
        else:
            where = ", ".join(
                part
                for part in (
                    f"sheet {f.refusal.sheet}" if f.refusal.sheet else "",
                    f"row {f.refusal.row}" if f.refusal.row else "",
                    f"column {f.refusal.column}" if f.refusal.column else "",
                )
                if part
            )
            outcome = f"refused: {f.refusal.reason}" + (f" ({where})" if where else "")
        lines += [f.shape, *(f"  {step}" for step in steps), f"  -> {outcome}", ""]
    return "\n".join(lines)


def write(out_dir: str | Path, today: dt.date | None = None) -> list[Path]:
    """Write every file (once, even when several variants share it) and ``MANIFEST.txt`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = office_files(today)
    written: dict[str, Path] = {}
    for item in [first for f in files for first in f.before] + files:
        if item.shipped is None and item.name not in written:
            written[item.name] = out / item.name
            written[item.name].write_bytes(item.data)
    (out / "MANIFEST.txt").write_text(manifest(files), encoding="utf-8")
    return [*written.values(), out / "MANIFEST.txt"]


def output_command(write_files: Callable[[str], list[Path]], description: str, argv: Sequence[str] | None) -> None:
    """``--output DIR``: write a maker's example files into a folder, for people to try, naming each."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--output", required=True, help="folder to write the files into")
    args = parser.parse_args(argv)
    for path in write_files(args.output):
        print(path)


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write every office-shaped file into a folder."""
    output_command(write, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    main()
