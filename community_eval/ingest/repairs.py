"""What offices, Excel and survey platforms do to a file, undone with a word or refused.

Each function here takes a file as the loader has parsed it and either repairs a value
whose meaning is certain (a code that lost its leading zeros and matches exactly one
known code; a code Excel wrote as ``4.29004E+11`` beside a community name that names one
community; a role written ``书记、主任``), telling the user how many cells it changed, or
refuses what could be read two ways (answer codes of unknown direction). Nothing here
guesses: a value it cannot be sure of stays a problem the user sees.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from community_eval.core.schema import COMMUNITIES, TABLES, Column, Kind, Table, header_index, normalise_header
from community_eval.ingest import choices, values
from community_eval.ingest.load_model import Notice, Problem
from community_eval.ingest.units import Conversion, convert_literal

if TYPE_CHECKING:
    from community_eval.db.store import Store
    from community_eval.ingest.checks import Parsed  # checks uses this module: the type only, for annotations

LIKERT_ORDERS = choices.LIKERT_ORDERS

#: Bookkeeping columns that survey platforms add to every export (normalised headers).
_WJX_ID = "序号"
_WJX_MARKS = frozenset({"所用时间", "提交答卷时间", "来源", "来源详情", "来自ip"})
_TENCENT_MARKS = frozenset({"开始答题时间", "结束答题时间", "答题时长"})


def _notice(*args: object, **kwargs: object) -> Notice:
    return Notice(*args, **kwargs)


def _problem(*args: object, **kwargs: object) -> Problem:
    return Problem(*args, **kwargs)


# ---- headers ---------------------------------------------------------------------------------


@cache
def name_headers() -> frozenset[str]:
    """Headers of a community-name column, normalised: beside a code, they name its community."""
    index = header_index(COMMUNITIES)
    return frozenset(alias for alias, column in index.items() if column == "community_name")


def platform_export(headers: list[str]) -> bool:
    """Whether a sheet carries 问卷星's or 腾讯问卷's bookkeeping columns: a platform's export."""
    folded = {normalise_header(h) for h in headers}
    return bool((_WJX_ID in folded and folded & _WJX_MARKS) or len(folded & _TENCENT_MARKS) >= 2)


def resolve_set_values(given: dict[str, str]) -> dict[str, str]:
    """``--set`` names, canonical or any alias (``区县=仙桃市``), as column names; ValueError for others."""
    resolved = {}
    for name, value in given.items():
        column = next((index[normalise_header(name)] for index in _indexes() if normalise_header(name) in index), None)
        if column is None:
            raise ValueError(name)
        resolved[column] = value
    return resolved


@cache
def _indexes() -> tuple[dict[str, str], ...]:
    return tuple(header_index(table) for table in TABLES.values())


# ---- values in a unit of their own -----------------------------------------------------------


def parse_converted(raw: pd.Series, column: Column, conv: Conversion) -> tuple[list[object], dict[int, Exception]]:
    """:func:`values.parse_column` for a column whose header gives a unit to convert from.

    A cell may repeat the header's unit (``1.2万元`` under ``（万元）``) but no other one:
    ``12000元`` under ``（万元）`` is refused, not read one way or the other.
    """
    in_header_unit = replace(column, unit=conv.unit(), minimum=None, maximum=None)
    outcomes: dict[str, object] = {}
    for text in pd.unique(raw):
        try:
            outcomes[text] = _convert(text, column, in_header_unit, conv)
        except values.Invalid as problem:
            outcomes[text] = problem
    parsed: list[object] = []
    failures: dict[int, values.Invalid] = {}
    for position, text in enumerate(raw):
        outcome = outcomes[text]
        failures.update({position: outcome} if isinstance(outcome, values.Invalid) else {})
        parsed.append(None if isinstance(outcome, values.Invalid) else outcome)
    return parsed, failures


def _convert(text: str, column: Column, in_header_unit: Column, conv: Conversion) -> float | int | None:
    if values.is_placeholder(text):
        return None
    literal = values._number_literal(text, in_header_unit)
    if literal is None:
        return None
    try:
        value = convert_literal(literal, conv, whole=column.kind is Kind.INT)
    except ArithmeticError:
        raise values.Invalid("not_an_integer") from None
    except ValueError:
        raise values.Invalid("not_a_number") from None
    values.check_range(value, column)
    return value


def value_notices(
    raw: pd.Series, column: Column, failures: dict[int, Exception], header: str, conv: Conversion | None
) -> list[Notice]:
    """What reading this column did that the user must hear: units converted, Excel serial
    dates read, months given for a date; one notice per kind with its count of cells."""
    notices = []
    if conv is not None:
        filled = sum(1 for p, text in enumerate(raw) if p not in failures and text.strip())
        notices.append(_notice("unit_converted", column.name, filled, {"header": header, "label": conv.label}))
    if column.kind not in (Kind.DATE, Kind.MONTH):
        return notices
    counts: Counter[str] = Counter()
    failed = {raw.iat[p] for p in failures}
    for text, n in raw.value_counts(sort=False).items():
        if text in failed:
            continue
        key = values.notice_for(text, column)
        if key:
            counts[key] += n
    notices += [_notice(key, column.name, n, {"header": header}) for key, n in counts.items()]
    return notices


def merge_notices(notices: list[Notice]) -> list[Notice]:
    """Notices of several sheets as one per kind and column, counts added."""
    merged: dict[tuple[str, str | None], Notice] = {}
    for notice in notices:
        key = (notice.key, notice.column)
        if key in merged:
            merged[key].count += notice.count
        else:
            merged[key] = _notice(notice.key, notice.column, notice.count, dict(notice.params))
    return list(merged.values())


# ---- answer codes of unknown direction -------------------------------------------------------


def _bare_codes(result: Parsed, table: Table) -> dict[str, list[int]]:
    """Per likert column, the positions whose answer is written as a bare number."""
    codes = {}
    for column in table.columns:
        if column.kind is not Kind.LIKERT:
            continue
        written = result.written[column.name]
        digits = [p for p, text in enumerate(written) if values.fold(str(text)).isdigit()]
        if digits:
            codes[column.name] = digits
    return codes


def likert_codes(result: Parsed, table: Table) -> dict[str, int]:
    """How many answers carry each bare code (``{"1": 120, "2": 80, …}``), for the user to judge."""
    counts: Counter[str] = Counter()
    for column, positions in _bare_codes(result, table).items():
        written = result.written[column]
        counts.update(str(int(values.fold(str(written.iat[p])))) for p in positions)
    return dict(sorted(counts.items(), key=lambda item: int(item[0])))


def orient_likert(result: Parsed, table: Table, order: str | None, platform: bool) -> list[Problem]:
    """Turn numeric answer codes the way the user said, or refuse a platform export that has not said.

    A survey platform numbers options in the order the questionnaire lists them, and
    questionnaires list 非常满意 first as often as last: the same file means 1 or 5. So an
    export that still carries the platform's bookkeeping columns is refused until the
    direction is given. Words (非常满意) are never turned: they say what they mean.
    """
    if order is None and not platform:
        return []  # before the codes are gathered: a position per answer, gigabytes for a big survey
    codes = _bare_codes(result, table)
    if not codes:
        return []
    if order is None:
        counts = likert_codes(result, table)
        shown = "、".join(f"{code} × {n}" for code, n in counts.items())
        return [_problem("likert_direction_unknown", params={"codes": shown})]
    if order == "high-first":
        turned = 0
        for column, positions in codes.items():
            answers = result.frame[column].tolist()  # a copy: pandas' copy-on-write ignores writes to a column view
            for position in positions:
                if answers[position] is not None:
                    answers[position] = 6 - answers[position]
                    turned += 1
            result.frame[column] = pd.Series(answers, index=result.frame.index, dtype=object)
        result.notices.append(_notice("likert_turned", None, turned, {"order": order}))
    else:
        result.notices.append(_notice("likert_kept", None, sum(len(p) for p in codes.values()), {"order": order}))
    return []


# ---- community codes Excel changed -----------------------------------------------------------


def fold_name(name: object) -> str:
    """A community name as compared: folded, without spaces."""
    return "".join(values.fold(str(name)).split())


def resolve_codes(result: Parsed, table: Table, context: object) -> list[Problem]:
    """Community codes in scientific notation or without their leading zeros, repaired or refused.

    ``4.29004E+11`` has lost digits for good: only a community name beside it can say which
    community it was, and only when exactly one known community has that name. A code
    that lost its leading zeros (``728001`` for ``0728001``) is repaired when exactly one
    known code equals it with the zeros put back. Both are counted in the report.
    """
    problems: list[Problem] = []
    for column in table.columns:
        if column.name != "community_id":
            continue
        refers = column.references == "communities"
        series = result.frame[column.name].tolist()  # written back below: column views are copies
        written = result.written[column.name]
        from_name = zeros = 0
        for position, code in enumerate(series):
            if code is None or (refers and code in context.community_ids):
                continue
            shown = str(written.iat[position])
            if values.is_scientific_code(shown):
                found = context.community_names.get(fold_name(result.names[position]), []) if refers else []
                if len(found) == 1:
                    series[position] = found[0]
                    from_name += 1
                else:
                    series[position] = None
                    result.failed.add((position, column.name))
                    problems.append(_problem("excel_scientific_code", position, column.name, shown))
            elif refers:
                restored = values.restore_zeros(code, context.community_ids)
                if restored is not None:
                    series[position] = restored
                    zeros += 1
        result.frame[column.name] = pd.Series(series, index=result.frame.index, dtype=object)
        if from_name:
            result.notices.append(_notice("code_from_name", column.name, from_name))
        if zeros:
            result.notices.append(_notice("zeros_restored", column.name, zeros))
    return problems


# ---- one person, two posts -------------------------------------------------------------------


def apply_role_combos(frame: pd.DataFrame, written: pd.DataFrame, table: Table) -> list[Notice]:
    """A role written ``书记、主任`` is the secretary who is also director (一肩挑)."""
    if table.name != "staff":
        return []
    roles, flags = frame["role"].tolist(), frame["also_director"].tolist()
    count = 0
    for position, text in enumerate(written["role"]):
        if roles[position] == "secretary" and values.role_also_director(str(text)):
            flags[position] = True
            count += 1
    frame["also_director"] = pd.Series(flags, index=frame.index, dtype=object)
    return [_notice("role_combined", "role", count)] if count else []


# ---- what a replace would leave behind -------------------------------------------------------


def orphan_check(store: Store, replaced: set[str]):
    """A check for a communities replace: refused when rows of tables not replaced in the same
    batch would be left with a community that is no longer there, saying how many of which."""

    def check(valid: pd.DataFrame) -> list[Problem]:
        counts = store.rows_outside(sorted(set(valid["community_id"])))
        left = {t: n for t, n in counts.items() if n and t not in replaced}
        if not left:
            return []
        return [_problem("replace_orphans", params={"counts": left, "rows": sum(left.values())})]

    return check
