"""The load report in words: the same text on the upload page and the command line."""

from __future__ import annotations

from collections import Counter

from community_eval.core.i18n import Translator
from community_eval.core.schema import TABLES
from community_eval.ingest.layout import Layout
from community_eval.ingest.loader import FileReport, Notice, Problem, SheetReport


def _params(tr: Translator, params: dict[str, object]) -> dict[str, str]:
    """A problem's or notice's parameters as text; table names (``counts``) in the reader's language."""
    shown = {k: str(v) for k, v in params.items()}
    counts = params.get("counts")
    if isinstance(counts, dict):
        shown["counts"] = tr("layout.list_sep").join(f"{tr(f'table.{t}')} {n}" for t, n in counts.items())
    return shown


def reason_text(tr: Translator, problem: Problem) -> str:
    """Why a row or a file was refused, in the reader's language."""
    return tr(f"reason.{problem.reason}", **_params(tr, problem.params))


def problem_text(tr: Translator, problem: Problem) -> str:
    """One problem as a sentence: where (sheet and row), column, value as written and the reason."""
    reason = reason_text(tr, problem)
    if problem.row is None:
        if problem.sheet:
            reason = tr("layout.in_sheet", sheet=problem.sheet, text=reason)
        return tr("cli.problem_file", reason=reason)
    return tr(
        "cli.problem_row", row=problem.where, column=problem.column or "", value=problem.value or "", reason=reason
    )


def notice_text(tr: Translator, notice: Notice) -> str:
    """What the loader did to some cells, with how many."""
    params = {"count": notice.count, **notice.params}
    # The header as the user wrote it; a column the file lacks (a value given for every row) by both its names.
    params["column"] = notice.params.get("header") or _column_label(notice.column)
    return tr(f"notice.{notice.key}", **_params(tr, params))


def _column_label(column: str | None) -> str:
    """``区县（district）``: a column of the contract readable in both languages (the name itself if unknown)."""
    for table in TABLES.values():
        if column in table.column_names:
            return table.column(column).bilingual_header
    return column or ""


def ignored_headers(tr: Translator, report: FileReport) -> list[str]:
    """The headers no column took, and the columns that have no header, by position."""
    return report.ignored + [tr("data.unnamed_column", n=n) for n in report.unnamed]


def target_label(tr: Translator, target: str) -> str:
    """Where a questionnaire's header goes: a contract column by its name, or the words for the rest."""
    return tr(f"questionnaire.{target}") if target in ("item", "drop", "response_id") else target


def mapping_items(tr: Translator, report: FileReport) -> list[tuple[str, str, str]]:
    """(header, column, what was done to it): a unit conversion, a helper column, a given value."""
    if report.plan is not None:
        themes = report.plan.mapping.themes
        return [(h, target_label(tr, c), themes.get(h, "")) for h, c in report.mapping.items()]
    items = [(h, c, report.conversions.get(h, "")) for h, c in report.mapping.items()]
    items += [(h, c, tr("layout.helper_name")) for h, c in report.helpers.items()]
    items += [(tr("layout.set_header"), c, tr("layout.set_value", value=v)) for c, v in report.set_values.items()]
    return items


#: Past this many scattered rows (20 小计 rows), the count says the rest: the caption stays one line.
ROWS_LISTED = 6


def _rows(tr: Translator, numbers: list[int]) -> str:
    """``1–3`` or ``1、5`` (``1, 5`` in English): spreadsheet rows the way a person would write them."""
    if not numbers:
        return ""
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1:
        return f"{numbers[0]}–{numbers[-1]}"
    shown = tr("layout.list_sep").join(str(n) for n in numbers[:ROWS_LISTED])
    return shown + (" …" if len(numbers) > ROWS_LISTED else "")


def layout_text(tr: Translator, layout: Layout | None) -> str:
    """``表头在第 4 行，跳过第 1–3 行；跳过 1 行合计、2 行备注``: what layout detection did."""
    if layout is None:
        return ""
    header_rows = list(layout.header_rows)
    parts = []
    above = list(layout.skipped_above)
    if header_rows != [1] or above:
        head = tr("layout.header_at", rows=_rows(tr, header_rows))
        if above:
            head += tr("layout.comma") + tr("layout.skipped_above", rows=_rows(tr, above))
        parts.append(head)
    skipped = []
    for key in ("column_numbers", "totals", "notes", "repeated_headers"):
        rows = list(getattr(layout, key))
        if rows:
            skipped.append(tr(f"layout.{key}", count=len(rows), rows=_rows(tr, rows)))
    if skipped:
        parts.append(tr("layout.skipped", what=tr("layout.list_sep").join(skipped)))
    merged = layout.merged_filled
    if merged:
        parts.append(tr("layout.merged", count=merged))
    fixed = list(layout.header_spaces_fixed)
    if fixed:
        # Named as they read now (and in the mapping): spaces and line breaks as written do not show on a page.
        headers = tr("layout.list_sep").join(f"“{''.join(header.split())}”" for header in fixed)
        parts.append(tr("layout.header_spaces", headers=headers))
    return tr("layout.semicolon").join(parts)


def sheet_text(tr: Translator, sheet: SheetReport) -> str:
    """One worksheet's fate: loaded into which table, skipped as instructions, empty, or no table of ours."""
    title = sheet.title or ""
    if sheet.kind == "table":
        text = tr("layout.sheet_table", sheet=title, table=tr(f"table.{sheet.table}"), rows=sheet.rows)
    else:
        text = tr(f"layout.sheet_{sheet.kind}", sheet=title)
    detail = layout_text(tr, sheet.layout) if sheet.kind == "table" else ""
    return f"{text}{tr('layout.colon')}{detail}" if detail else text


def detection_lines(tr: Translator, report: FileReport) -> list[str]:
    """The layout of each sheet, or of the file when it is one table."""
    if len(report.sheets) > 1 or any(s.title for s in report.sheets):
        return [sheet_text(tr, s) for s in report.sheets]
    lines = [layout_text(tr, s.layout) for s in report.sheets]
    return [line for line in lines if line]


def report_lines(tr: Translator, report: FileReport, limit: int = 50) -> list[str]:
    """Every line of one file's report; past ``limit`` problems, a count by kind instead."""
    table = f" → {report.table}" if report.table else ""
    if report.loaded:
        head = tr("cli.loaded", file=report.file_name, table=report.table, rows=report.rows_loaded, mode=report.mode)
        if report.rows_rejected:
            head += tr("cli.skipped", rows=report.rows_rejected)
    else:
        head = tr("cli.rejected", file=report.file_name, table=table, count=len(report.problems))
    lines = [head]
    lines += [f"  {line}" for line in detection_lines(tr, report)]
    if report.plan is not None:
        platform = tr(f"questionnaire.{report.plan.platform}")
        private = len(report.dropped_private)
        lines.append(tr("cli.questionnaire", platform=platform, questionnaire=report.plan.key, private=private))
    if report.mapping:
        shown = ", ".join(
            f"{h} → {c}" + (f"{tr('layout.comma')}{what}" if what else "") for h, c, what in mapping_items(tr, report)
        )
        lines.append(tr("cli.mapping", mapping=shown))
    if report.ignored or report.unnamed:
        lines.append(tr("cli.ignored", columns=", ".join(ignored_headers(tr, report))))
    lines += [f"  {notice_text(tr, n)}" for n in report.notices]
    lines += [problem_text(tr, p) for p in report.problems[:limit]]
    if len(report.problems) > limit:
        lines.append(tr("cli.more", count=len(report.problems) - limit))
        counts = Counter(p.reason for p in report.problems)
        summary = ", ".join(
            f"{tr(f'reason.{reason}', **_blank_params(tr, report, reason))} × {n}" for reason, n in counts.most_common()
        )
        lines.append(tr("cli.summary", summary=summary))
    return lines


def _blank_params(tr: Translator, report: FileReport, reason: str) -> dict[str, str]:
    """Parameters of the first problem of a kind, so its sentence can be shown in the summary."""
    for problem in report.problems:
        if problem.reason == reason:
            return _params(tr, problem.params)
    return {}
