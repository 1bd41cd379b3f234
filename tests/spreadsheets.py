"""Spreadsheet files built as offices' programs write them, for the reading tests: openpyxl for
.xlsx, xlwt for a real Excel 97–2003 .xls, odfpy for .ods, and a CSV as Excel saves it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable

import openpyxl
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P


def xlsx(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> bytes:
    """A workbook of ``sheets`` (title -> rows, ``None`` an empty cell), with merged ranges like ``A1:H1``."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(title, []):
            sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(sheets: dict[str, list[list[object]]], merges: dict[str, list[tuple[int, int, int, int]]]) -> bytes:
    """A real Excel 97–2003 workbook; merges are (first row, last row, first col, last col), 0-based."""
    book = xlwt.Workbook(encoding="utf-8")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        merged = {(r1, c1): (r1, r2, c1, c2) for r1, r2, c1, c2 in merges.get(title, [])}
        covered = {
            (r, c) for r1, r2, c1, c2 in merges.get(title, []) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
        }
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in merged:
                    sheet.write_merge(*merged[(r, c)], value)
                elif value is not None and (r, c) not in covered:
                    sheet.write(r, c, value, day if isinstance(value, dt.date) else xlwt.Style.default_style)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods(title: str, rows: list[list[object]], spans: dict[tuple[int, int], tuple[int, int]]) -> bytes:
    """An OpenDocument spreadsheet; ``spans`` maps a 0-based (row, col) to the (rows, cols) it spans."""
    document = OpenDocumentSpreadsheet()
    table = Table(name=title)
    covered = {
        (r + dr, c + dc)
        for (r, c), (down, across) in spans.items()
        for dr in range(down)
        for dc in range(across)
        if (dr, dc) != (0, 0)
    }
    for r, row in enumerate(rows):
        tr = TableRow()
        for c, value in enumerate(row):
            if (r, c) in covered:
                tr.addElement(CoveredTableCell())
                continue
            extra = {}
            if (r, c) in spans:
                extra = {"numberrowsspanned": spans[(r, c)][0], "numbercolumnsspanned": spans[(r, c)][1]}
            if value is None:
                cell = TableCell(**extra)
            elif isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat(), **extra)
                cell.addElement(P(text=value.isoformat()))
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value, **extra)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string", **extra)
                cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "gbk") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue().encode(encoding)


def first_sheet_rewritten(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """An .xlsx workbook with its first sheet's XML passed through ``change``, every other part as it was."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()
