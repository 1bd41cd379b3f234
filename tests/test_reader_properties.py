"""Properties of reading and parsing, checked on generated input (hypothesis).

Three promises are checked here for any input, not just the examples a person thinks of:

* ``read_bytes`` refuses a file only with :class:`ReadError` (a reason the user can read),
  never with a library traceback, whatever the bytes and the file name;
* ``parse_cell`` refuses a cell only with :class:`Invalid`, and what it accepts is a value
  its column can store (finite, in range, within BIGINT, a real date);
* ``ingest`` never raises on a file whose cells or headers are arbitrary text: it reports
  problems, and a file it refuses leaves every table and the data version as they were.

Then the round trips: every value a column can hold, written in each format
DATA_CONTRACT.md accepts, parses back to the same value.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from community_eval.core.i18n import LANGUAGES, Translator, catalog
from community_eval.core.schema import LIKERT_WORDS, TABLES, Column, Kind
from community_eval.db.store import Store
from community_eval.ingest.load_report import problem_text
from community_eval.ingest.loader import Source, ingest
from community_eval.ingest.reader import ReadError, Sheet, cell_text, read_bytes
from community_eval.ingest.values import Invalid, parse_cell
from tests.conftest import contents
from tests.spreadsheets import ods, xls

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
NAMES = ["data.csv", "data.txt", "data.xlsx", "data.xls", "data", "数据.CSV", "表.XLSX", "x.xlsm", "x.ods", "x.htm"]
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"]


def assert_translatable(reason: str, params: dict[str, object]) -> None:
    """A refusal is only useful if it can be shown: its message exists and its placeholders are filled."""
    for lang in LANGUAGES:
        template = catalog(lang).get(f"reason.{reason}")
        assert template is not None, f"no {lang} message for reason {reason!r}"
        placeholders = set(re.findall(r"{(\w+)", template))
        assert placeholders <= set(params), f"{reason}: {sorted(placeholders - set(params))} not given"


def assert_well_formed(sheets: list[Sheet]) -> None:
    """What the loader relies on: text cells in a frame as wide as the header, numbered rows."""
    assert sheets
    for sheet in sheets:
        assert all(isinstance(h, str) for h in sheet.headers)
        assert list(sheet.cells.columns) == list(range(len(sheet.headers)))
        assert len(sheet.row_numbers) == len(sheet.cells)
        assert all(b > a for a, b in itertools.pairwise([1, *sheet.row_numbers]))
        for column in sheet.cells.columns:
            for cell in sheet.cells[column]:
                assert isinstance(cell, str)
                assert "\x00" not in cell  # a NUL is never a cell of a text table


def read_or_refuse(data: bytes, name: str) -> None:
    try:
        sheets = read_bytes(data, name)
    except ReadError as error:
        assert_translatable(error.reason, error.params)
        return
    assert_well_formed(sheets)


# ---- generated files ---------------------------------------------------------------------


def _workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["社区编码", "社区名称", "区县", "街道", "社区类型", "常住人口", "户数"])
    sheet.append(["A1", "甲社区", "测试区", "一街道", "纯社区", 4800, dt.datetime(2024, 3, 5)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


WORKBOOK = _workbook_bytes()


def _rezip(data: bytes, member: str, content: bytes | None) -> bytes:
    """``data`` (a zip) with one member's bytes replaced, or removed when ``content`` is None."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info.filename))
            elif content is not None:
                target.writestr(info, content)
    return out.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member, content in members:
            target.writestr(member, content)
    return out.getvalue()


WORKBOOK_MEMBERS = zipfile.ZipFile(io.BytesIO(WORKBOOK)).namelist()
SHEET_XML = st.sampled_from(
    [
        b"<garbage",
        b"",
        b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
        b"<row r='1'><c r='A1' t='s'><v>99</v></c></row></sheetData></worksheet>",  # missing shared string
        b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
        b"<row r='1'><c r='A1' t='n'><v>abc</v></c></row></sheetData></worksheet>",  # a number that is not
        b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
        b"<row r='1'><c r='A1' s='1'><v>99999999999</v></c></row></sheetData></worksheet>",
        b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
        b"<row r='1'><c r='A1' t='e'><v>#DIV/0!</v></c><c r='XFD1' t='b'><v>1</v></c></row></sheetData></worksheet>",
    ]
) | st.binary(max_size=300)

DAMAGED_WORKBOOKS = st.one_of(
    st.builds(_rezip, st.just(WORKBOOK), st.sampled_from(WORKBOOK_MEMBERS), st.none() | SHEET_XML),
    st.integers(0, len(WORKBOOK)).map(lambda cut: WORKBOOK[:cut]),
    st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)).map(
        lambda flip: WORKBOOK[: flip[0]] + bytes([flip[1]]) + WORKBOOK[flip[0] + 1 :]
    ),
)
ZIPS = st.lists(
    st.tuples(st.sampled_from(["a.txt", "[Content_Types].xml", "xl/workbook.xml", "mimetype"]), st.binary(max_size=64)),
    max_size=3,
    unique_by=lambda member: member[0],
).map(_zip)

CSV_ALPHABET = st.sampled_from([*',;\t"\n\r \u3000a1社区编码０\ufeff\x00', "社区编码", "户数", "常住人口"])
CSV_LIKE = st.lists(CSV_ALPHABET, max_size=60).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "gbk"])


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="ignore")


#: A real Excel 97–2003 workbook: a merged title, a header, a date and a number.
XLS = xls(
    {"社区": [["标题", None, None], ["社区编码", "社区名称", "户数"], ["C1", dt.date(2024, 3, 5), 4800.5]]},
    {"社区": [(0, 0, 0, 2)]},
)
#: An OpenDocument spreadsheet with a merged title, as LibreOffice writes one.
ODS = ods("社区", [["标题", None], ["社区编码", "户数"], ["C1", 4800]], {(0, 0): (1, 2)})


def _damaged(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` cut short, with a byte changed, or with a run of bytes overwritten."""
    return st.one_of(
        st.integers(0, len(data)).map(lambda cut: data[:cut]),
        st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)).map(
            lambda flip: data[: flip[0]] + bytes([flip[1]]) + data[flip[0] + 1 :]
        ),
        st.tuples(st.integers(0, len(data) - 1), st.binary(min_size=1, max_size=64)).map(
            lambda run: data[: run[0]] + run[1] + data[run[0] + len(run[1]) :]
        ),
    )


ODS_MEMBERS = zipfile.ZipFile(io.BytesIO(ODS)).namelist()
CONTENT_XML = st.sampled_from(
    [
        b"<garbage",
        b"",
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet>'
        b'<table:table table:name="S"><table:table-row table:number-rows-repeated="99999999">'
        b'<table:table-cell table:number-columns-repeated="99999999" office:value-type="float" office:value="1"/>'
        b"</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>",
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet>'
        b'<table:table table:name="S"><table:table-row><table:table-cell table:number-rows-spanned="-3" '
        b'table:number-columns-spanned="99999999" office:value-type="string"/></table:table-row></table:table>'
        b"</office:spreadsheet></office:body></office:document-content>",
    ]
) | st.binary(max_size=300)
#: Pieces of HTML pages, put together in any order: tables, spans (sane and not), text, breaks.
HTML_PIECES = st.sampled_from(
    [
        "<html>",
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th>",
        '<td rowspan="3">',
        '<td colspan="2">',
        '<td rowspan="0">',
        '<td colspan="99999999" rowspan="99999999">',
        '<td rowspan="-1" colspan="x">',
        "社区编码",
        "户数",
        "<br>",
        "&nbsp;",
        " \n ",
        '<meta charset="gbk">',
        '<meta charset="no-such-charset">',
        "<!-- 注释 -->",
        "\x00",
    ]
)
HTML_PAGES = st.builds(_encode, st.lists(HTML_PIECES, max_size=40).map("".join), ENCODINGS)

FILES = st.one_of(
    st.binary(max_size=400),
    st.tuples(st.sampled_from(BOMS), st.binary(max_size=200)).map(b"".join),
    st.tuples(st.binary(max_size=100), st.binary(min_size=1, max_size=5).map(lambda b: b"\x00" + b)).map(b"".join),
    st.builds(_encode, CSV_LIKE | st.text(max_size=80), ENCODINGS),
    st.tuples(st.sampled_from(BOMS), st.builds(_encode, CSV_LIKE, ENCODINGS)).map(b"".join),
    ZIPS,
    DAMAGED_WORKBOOKS,
    _damaged(XLS),
    _damaged(ODS),
    st.builds(_rezip, st.just(ODS), st.sampled_from(ODS_MEMBERS), st.none() | CONTENT_XML),
    HTML_PAGES,
)


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl warns about the damage it reads past
@FAST
@given(data=FILES, name=st.sampled_from(NAMES))
@example(data=b'""', name="data.csv")  # a quoted empty cell and nothing else
@example(data=b'"" ,\n  \n', name="data.csv")
@example(data=b"\xff\xfea", name="data.csv")  # a UTF-16 BOM then an odd byte
@example(data=b"\xff\xfe\x00\xd8", name="data.csv")  # a UTF-16 BOM then a lone surrogate
@example(data=b"\xef\xbb\xbf\xc4\xe3\xba\xc3", name="data.csv")  # a UTF-8 BOM then GBK bytes
@example(data="社区编码\n\x00\n".encode("utf-16"), name="data.csv")  # a NUL character in UTF-16 text
@example(data=b"a,b\n" + b"x," * 3000 + b"\x00\n", name="data.csv")  # a NUL after the first 4 KiB
@example(data=_rezip(WORKBOOK, "xl/worksheets/sheet1.xml", b"<garbage"), name="data.xlsx")
@example(
    data=_rezip(
        WORKBOOK,
        "xl/worksheets/sheet1.xml",
        b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
        b"<row r='1'><c r='A1' t='s'><v>99</v></c></row></sheetData></worksheet>",
    ),
    name="data.xlsx",
)
@example(data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), name="data.xlsx")  # an old .xls renamed
@example(data=XLS[:-7], name="data.xls")
@example(data=ODS, name="x.ods")
@example(data=b'<table><tr><td colspan="99999999" rowspan="99999999">x</td></tr></table>', name="x.xls")
def test_read_bytes_only_ever_raises_read_error(data, name):
    read_or_refuse(data, name)


@pytest.mark.parametrize("name", ["big.csv", "big.txt", "big"])
@pytest.mark.parametrize(
    "data",
    [
        b"a" * 300_000,  # one line, one cell larger than the csv module's field limit
        ("社区编码," * 20_000 + "\n").encode("gbk"),  # one huge header line
        b"community_id,community_name\nA1," + "名".encode() * 200_000 + b"\n",  # one huge cell
        b'"' + b"x" * 200_000,  # an unbalanced quote swallowing the file
    ],
    ids=["one-cell", "wide-header", "long-cell", "open-quote"],
)
def test_huge_single_lines_are_read_or_refused(data, name):
    read_or_refuse(data, name)


# ---- cells -------------------------------------------------------------------------------

ALL_COLUMNS = [column for table in TABLES.values() for column in table.columns]
DIGITS = "0123456789０１２３４５６７８９"
CELL_SHAPES = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"[+-]?[0-9０-９]{0,24}([.,  ][0-9]{0,6}){0,3}(e[+-]?[0-9]{1,4})?\s?[^0-9]{0,4}", fullmatch=True),
    st.from_regex(
        r"[0-9]{4}\s?[-/.年]\s?[0-9]{1,2}\s?[-/.月]?\s?([0-9]{1,2}日?)?([ T][0-9]{1,2}:[0-9]{2})?", fullmatch=True
    ),
    st.from_regex(r"[0-9]{6}|[0-9]{8}", fullmatch=True),
    st.sampled_from([*LIKERT_WORDS, "nan", "inf", "-inf", "1e400", "1e-400", "9" * 30, "0x10", "1_000"]),
)


def assert_storable(value: object, column: Column) -> None:
    """What a column accepts must fit its SQL type and its rules, or loading it would fail later."""
    if value is None:
        return
    kind = column.kind
    if kind in (Kind.TEXT, Kind.ENUM):
        assert isinstance(value, str) and value == value.strip() and value
        if kind is Kind.ENUM:
            assert value in column.codes
        return
    if kind is Kind.BOOL:
        assert isinstance(value, bool)
        return
    if kind in (Kind.DATE, Kind.MONTH):
        assert type(value) is dt.date
        assert kind is Kind.DATE or value.day == 1
        return
    if kind in (Kind.INT, Kind.LIKERT):
        assert type(value) is int and BIGINT_MIN <= value <= BIGINT_MAX
    else:
        assert type(value) is float and value == value and abs(value) != float("inf")
    if column.minimum is not None:
        assert value > column.minimum if column.minimum_exclusive else value >= column.minimum
    if column.maximum is not None:
        assert value <= column.maximum


@FAST
@given(text=CELL_SHAPES)
@example(text="0000-03")  # year 0 is no year
@example(text="000003")
@example(text="1e400")  # infinity is not an amount
@example(text="1e20")  # beyond BIGINT
@example(text="9" * 5000)  # beyond int()'s digit limit
@example(text="1" * 5000)
def test_parse_cell_only_ever_raises_invalid(text):
    """Each text is tried in every column of every table, so no column goes unexercised."""
    for column in ALL_COLUMNS:
        try:
            value = parse_cell(text, column)
        except Invalid as problem:
            assert_translatable(problem.reason, problem.params)
            continue
        assert_storable(value, column)


# ---- whole files through ingest ----------------------------------------------------------

GOOD_ROWS: dict[str, dict[str, str]] = {
    "communities": {
        "community_id": "{id}",
        "community_name": "甲社区",
        "district": "测试区",
        "street": "一街道",
        "community_type": "纯社区",
        "population": "4,800",
        "households": "1600户",
        "latitude": "30.1",
        "longitude": "113.2",
    },
    "staff": {
        "staff_id": "{id}",
        "community_id": "A1",
        "role": "书记",
        "employment": "专职",
        "gender": "女",
        "education": "本科",
        "certified_social_worker": "是",
        "monthly_pay": "2000元",
        "hire_date": "2020年3月5日",
        "exit_date": "2024-01-31",
        "exit_reason": "待遇",
    },
    "tasks": {
        "community_id": "A1",
        "period": "2025-03",
        "department": "民政",
        "task_category": "台账",
        "task_count": "3",
        "hours": "12小时",
        "admitted": "否",
        "funded": "✓",
    },
    "facilities": {
        "community_id": "A1",
        "year": "{year}",
        "office_area_m2": "80㎡",
        "service_area_m2": "260平方米",
        "room_count": "6",
        "has_hall": "有",
        "tenure": "自有",
        "operating_budget_yuan": "40,000元",
    },
    "survey": {
        "response_id": "{id}",
        "community_id": "A1",
        "survey_date": "2025/3/5",
        "overall": "满意",
        "service": "5",
        "environment": "一般",
        "safety": "4",
        "participation": "3",
        "staff_attitude": "非常满意",
        "facilities": "2",
        "weight": "1.5",
        "gender": "M",
        "age_group": "30-39",
    },
}
FRESH = itertools.count(1)


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _file(table: str, rows: int, headers: list[str], cells: dict[tuple[int, int], str], encoding: str) -> bytes:
    columns = list(GOOD_ROWS[table])
    lines = [",".join(_csv_field(h) for h in headers)]
    for r in range(rows):
        n = next(FRESH)
        values = [GOOD_ROWS[table][c].format(id=f"X{n}", year=2000 + n % 100) for c in columns]
        for (row, col), text in cells.items():
            if row == r:
                values[col] = text
        lines.append(",".join(_csv_field(v) for v in values))
    text = "\r\n".join(lines) + "\r\n"
    return b"\xef\xbb\xbf" + text.encode() if encoding == "utf-8-sig" else text.encode(encoding)


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    store = Store(str(tmp_path_factory.mktemp("prop") / "prop.duckdb"))
    rows = "community_id,community_name,district,street,community_type,population,households\nA1,甲,区,街,村,1,1\n"
    (report,) = ingest(store, [Source("c.csv", rows.encode())])
    assert report.loaded
    yield store
    store.close()


@st.composite
def damaged_files(draw):
    table = draw(st.sampled_from(list(GOOD_ROWS)))
    columns = list(GOOD_ROWS[table])
    rows = draw(st.integers(1, 3))
    headers = list(columns)
    for position in draw(st.lists(st.integers(0, len(columns) - 1), max_size=2)):
        headers[position] = draw(st.text(max_size=12) | st.sampled_from(["编号", "社区", "日期", "类型", "服务"]))
    cells = draw(
        st.dictionaries(st.tuples(st.integers(0, rows - 1), st.integers(0, len(columns) - 1)), CELL_SHAPES, max_size=3)
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]))
    return table, _file(table, rows, headers, cells, encoding)


def _one_bad_cell(table: str, column: str, text: str) -> tuple[str, bytes]:
    columns = list(GOOD_ROWS[table])
    return table, _file(table, 2, columns, {(1, columns.index(column)): text}, "utf-8")


@SLOW
@given(case=damaged_files(), skip_invalid=st.booleans())
@example(case=_one_bad_cell("communities", "population", "1e20"), skip_invalid=False)  # crashed the load
@example(case=_one_bad_cell("communities", "population", "1e20"), skip_invalid=True)
@example(case=_one_bad_cell("staff", "monthly_pay", "1e400"), skip_invalid=True)  # stored infinity
@example(case=_one_bad_cell("tasks", "period", "0000-03"), skip_invalid=False)
@example(case=_one_bad_cell("survey", "weight", "1e-400"), skip_invalid=True)
def test_ingest_reports_instead_of_raising_and_a_refused_file_changes_nothing(base_store, case, skip_invalid):
    table, data = case
    before = contents(base_store)
    (report,) = ingest(base_store, [Source(f"{table}.csv", data)], skip_invalid=skip_invalid)
    for problem in report.problems:
        assert_translatable(problem.reason, problem.params)
        for lang in LANGUAGES:
            problem_text(Translator(lang), problem)
        assert problem.row is None or 2 <= problem.row <= report.rows_total + 1
    if not report.loaded:
        assert contents(base_store) == before
    else:
        assert skip_invalid or not report.problems
        assert report.rows_loaded == report.rows_total - report.rows_rejected
        after = contents(base_store)
        assert len(after[report.table]) == len(before[report.table]) + report.rows_loaded
        assert after["version"] != before["version"]
        for column in TABLES[report.table].columns:
            if column.kind is Kind.NUMBER:  # nothing stored that no sum or mean can use
                with base_store.cursor() as cur:
                    sql = f"select count(*) from {report.table} where not isfinite({column.name})"
                    assert cur.execute(sql).fetchone()[0] == 0, column.name


# ---- round trips -------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789,.-+", "０１２３４５６７８９，．－＋")


def _columns(kind: Kind) -> list[Column]:
    return [c for c in ALL_COLUMNS if c.kind is kind]


def _spellings(number: str, column: Column) -> list[str]:
    """The ways the contract lets a number be written, each also with every unit of its column."""
    grouped = _group(number, ",")
    plain = [number, grouped, _group(number, " "), number.translate(FULL_WIDTH), grouped.translate(FULL_WIDTH)]
    plain += [f" {number}\u3000"]
    suffixes = column.unit.suffixes if column.unit else ()
    with_units = [f"{text}{gap}{suffix}" for text in plain[:3] for suffix in suffixes for gap in ("", " ")]
    with_units += [f"{grouped}{suffix.upper()}" for suffix in suffixes]
    return plain + with_units


def _group(number: str, separator: str) -> str:
    """``1234567.5`` as ``1,234,567.5`` (or with spaces): thousands grouping of the whole part."""
    sign = number[0] if number[0] in "+-" else ""
    body = number[len(sign) :]
    whole, dot, rest = body.partition(".")
    if not whole.isdigit() or "e" in rest:
        return number
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + separator.join([whole, *groups]) + dot + rest


def _bounds(column: Column, low: int, high: int) -> tuple[int, int]:
    low = max(low, int(column.minimum) + (1 if column.minimum_exclusive else 0)) if column.minimum is not None else low
    high = min(high, int(column.maximum)) if column.maximum is not None else high
    return low, high


@st.composite
def int_cases(draw):
    column = draw(st.sampled_from(_columns(Kind.INT)))
    low, high = _bounds(column, BIGINT_MIN, BIGINT_MAX)
    value = draw(st.integers(low, high) | st.integers(low, min(high, low + 10_000)))
    return column, value


@FAST
@given(case=int_cases())
@example(case=(TABLES["communities"].column("population"), 12345678901234567))  # beyond a double's precision
@example(case=(TABLES["communities"].column("population"), BIGINT_MAX))
def test_integers_round_trip_in_every_format(case):
    column, value = case
    for text in [*_spellings(str(value), column), f"{value}.0", f"{value}.00"]:
        assert parse_cell(text, column) == value, text


@st.composite
def number_cases(draw):
    column = draw(st.sampled_from(_columns(Kind.NUMBER)))
    low = column.minimum if column.minimum is not None else -1e15
    high = column.maximum if column.maximum is not None else 1e15
    value = draw(
        st.floats(low, high, exclude_min=column.minimum_exclusive, allow_nan=False, allow_infinity=False)
        | st.integers(int(low) + 1, int(high)).map(float)
        | st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False).map(float)
    )
    assume(not column.minimum_exclusive or value > column.minimum)
    return column, value


@FAST
@given(case=number_cases())
@example(case=(TABLES["staff"].column("monthly_pay"), 1234567.5))
@example(case=(TABLES["survey"].column("weight"), 5e-324))  # the smallest weight above 0
def test_numbers_round_trip_in_every_format(case):
    column, value = case
    for text in _spellings(repr(value), column):
        assert parse_cell(text, column) == value, text
    if value.is_integer() and abs(value) < 1e15:
        assert parse_cell(str(int(value)), column) == value


BOOL_WORDS = {
    True: ["1", "true", "yes", "y", "是", "有", "✓"],
    False: ["0", "false", "no", "n", "否", "无", "✗"],
}


@pytest.mark.parametrize("column", _columns(Kind.BOOL), ids=lambda c: c.name)
@pytest.mark.parametrize("value", [True, False])
def test_booleans_round_trip_in_every_spelling(column, value):
    for word in BOOL_WORDS[value]:
        for text in {word, word.upper(), word.title(), f" {word}\u3000", word.translate(FULL_WIDTH)}:
            assert parse_cell(text, column) is value, text
    assert parse_cell(cell_text(value), column) is value  # an Excel boolean cell


def date_spellings(day: dt.date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    texts = [
        f"{y}-{m:02d}-{d:02d}",
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}{m:02d}{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y} 年 {m} 月 {d} 日",
        cell_text(dt.datetime(y, m, d)),  # an Excel date cell
        cell_text(dt.datetime(y, m, d, 9, 30)),  # an Excel date-and-time cell
        cell_text(day),
    ]
    return [*texts, *(t.translate(FULL_WIDTH) for t in texts), f"\u3000{texts[0]} "]


DATES = st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31))


@FAST
@given(column=st.sampled_from(_columns(Kind.DATE)), day=DATES)
def test_dates_round_trip_in_every_format(column, day):
    for text in date_spellings(day):
        assert parse_cell(text, column) == day, text


@FAST
@given(column=st.sampled_from(_columns(Kind.MONTH)), day=DATES)
def test_months_round_trip_in_every_format(column, day):
    y, m = day.year, day.month
    month = [f"{y}-{m:02d}", f"{y}-{m}", f"{y}/{m}", f"{y}/{m:02d}", f"{y}年{m}月", f"{y}年{m:02d}月", f"{y}{m:02d}"]
    month += [t.translate(FULL_WIDTH) for t in month]
    for text in month + date_spellings(day):  # or any date inside the month
        assert parse_cell(text, column) == day.replace(day=1), text


def _enum_cases() -> list[tuple[Column, str, str]]:
    cases = []
    for column in _columns(Kind.ENUM):
        for value in column.values:
            for word in {value.code, value.zh, value.en, *value.aliases}:
                cases.append((column, word, value.code))
    return cases


@pytest.mark.parametrize(("column", "word", "code"), _enum_cases(), ids=lambda x: getattr(x, "name", x))
def test_enum_codes_and_words_round_trip(column, word, code):
    for text in {word, word.upper(), word.lower(), f" {word}\u3000"}:
        assert parse_cell(text, column) == code, text


LIKERT_ENGLISH = {5: "very satisfied", 4: "satisfied", 3: "neutral", 2: "dissatisfied", 1: "very dissatisfied"}
LIKERT_CHINESE = {5: ["非常满意"], 4: ["满意"], 3: ["一般", "基本满意"], 2: ["不满意", "不太满意"], 1: ["非常不满意"]}


@pytest.mark.parametrize("column", _columns(Kind.LIKERT), ids=lambda c: c.name)
@pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
def test_likert_digits_and_words_round_trip(column, score):
    english = LIKERT_ENGLISH[score]
    texts = [str(score), str(score).translate(FULL_WIDTH), f"{score}.0", cell_text(float(score)), f" {score}\u3000"]
    texts += [english, english.upper(), english.title(), *LIKERT_CHINESE[score]]
    for text in texts:
        assert parse_cell(text, column) == score, text


@FAST
@given(column=st.sampled_from(_columns(Kind.TEXT)), text=st.text(max_size=30))
def test_text_round_trips_trimmed_with_full_width_spaces_as_spaces(column, text):
    """Trimmed, every whitespace run inside one space, and a placeholder (``—``, ``无``) empty."""
    padded = f"\u3000 {text} \u3000"
    squashed = " ".join(text.split())  # str.split() splits on every whitespace run, U+3000 and line breaks too
    placeholder = " ".join(unicodedata.normalize("NFKC", squashed).split()).lower() in CONTRACT_PLACEHOLDERS
    expected = None if not squashed or placeholder else squashed
    assert parse_cell(padded, column) == expected


#: DATA_CONTRACT.md's placeholders for an empty cell, folded, and the doubled dashes offices type.
CONTRACT_PLACEHOLDERS = {"—", "——", "–", "-", "--", "/", "无", "暂无", "空", "n/a", "na"}
