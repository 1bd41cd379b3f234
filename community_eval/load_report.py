"""The load report in words: the same text on the upload page and the command line."""

from __future__ import annotations

from collections import Counter

from community_eval.i18n import Translator
from community_eval.loader import FileReport, Problem


def problem_text(tr: Translator, problem: Problem) -> str:
    """One problem as a sentence: row, column, value as written and the reason."""
    reason = tr(f"reason.{problem.reason}", **{k: str(v) for k, v in problem.params.items()})
    if problem.row is None:
        return tr("cli.problem_file", reason=reason)
    return tr("cli.problem_row", row=problem.row, column=problem.column or "", value=problem.value or "", reason=reason)


def ignored_headers(tr: Translator, report: FileReport) -> list[str]:
    """The headers no column took, and the columns that have no header, by position."""
    return report.ignored + [tr("data.unnamed_column", n=n) for n in report.unnamed]


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
    if report.mapping:
        lines.append(tr("cli.mapping", mapping=", ".join(f"{h} → {c}" for h, c in report.mapping.items())))
    if report.ignored or report.unnamed:
        lines.append(tr("cli.ignored", columns=", ".join(ignored_headers(tr, report))))
    lines += [problem_text(tr, p) for p in report.problems[:limit]]
    if len(report.problems) > limit:
        lines.append(tr("cli.more", count=len(report.problems) - limit))
        counts = Counter(p.reason for p in report.problems)
        summary = ", ".join(
            f"{tr(f'reason.{reason}', **_blank_params(report, reason))} × {n}" for reason, n in counts.most_common()
        )
        lines.append(tr("cli.summary", summary=summary))
    return lines


def _blank_params(report: FileReport, reason: str) -> dict[str, str]:
    """Parameters of the first problem of a kind, so its sentence can be shown in the summary."""
    for problem in report.problems:
        if problem.reason == reason:
            return {k: str(v) for k, v in problem.params.items()}
    return {}
