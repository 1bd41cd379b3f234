"""Blank templates and the data dictionary, both generated from the schema.

A template's header names every column in Chinese and English at once —
``社区编码（community_id）`` — which the loader matches because a bracketed part of a
header is ignored. Two example rows show the formats people actually write.
"""

from __future__ import annotations

import io

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.core.schema import Column, Table

#: Two example rows per table, written as a person would write them in a spreadsheet.
EXAMPLES: dict[str, list[dict[str, str]]] = {
    "communities": [
        {
            "community_id": "XT001",
            "community_name": "红光社区",
            "district": "仙桃市",
            "street": "干河街道",
            "community_type": "纯社区",
            "population": "4,860",
            "households": "1,620户",
            "latitude": "30.36",
            "longitude": "113.45",
        },
        {
            "community_id": "XT002",
            "community_name": "高家渡社区",
            "district": "仙桃市",
            "street": "干河街道",
            "community_type": "村改居",
            "population": "12500",
            "households": "4100",
            "latitude": "",
            "longitude": "",
        },
    ],
    "staff": [
        {
            "staff_id": "XT001-S01",
            "community_id": "XT001",
            "role": "书记",
            "employment": "专职",
            "gender": "女",
            "education": "大专",
            "also_director": "是",
            "certified_social_worker": "否",
            "monthly_pay": "2000元",
            "hire_date": "2016年3月1日",
            "exit_date": "",
            "exit_reason": "",
        },
        {
            "staff_id": "XT001-S02",
            "community_id": "XT001",
            "role": "委员",
            "employment": "兼职",
            "gender": "男",
            "education": "高中",
            "also_director": "",
            "certified_social_worker": "0",
            "monthly_pay": "1,000",
            "hire_date": "2019/5/6",
            "exit_date": "2024-06-30",
            "exit_reason": "待遇",
        },
    ],
    "tasks": [
        {
            "community_id": "XT001",
            "period": "2025年3月",
            "department": "民政",
            "task_category": "台账报表",
            "task_count": "4",
            "hours": "12小时",
            "admitted": "是",
            "funded": "否",
        },
        {
            "community_id": "XT001",
            "period": "2025-03",
            "department": "城管",
            "task_category": "检查评比",
            "task_count": "1",
            "hours": "3.5",
            "admitted": "否",
            "funded": "否",
        },
    ],
    "facilities": [
        {
            "community_id": "XT001",
            "year": "2025",
            "office_area_m2": "80㎡",
            "service_area_m2": "260平方米",
            "room_count": "6",
            "has_hall": "有",
            "tenure": "自有",
            "operating_budget_yuan": "40,000元",
        },
        {
            "community_id": "XT002",
            "year": "2025",
            "office_area_m2": "120",
            "service_area_m2": "90",
            "room_count": "3",
            "has_hall": "无",
            "tenure": "借用",
            "operating_budget_yuan": "",
        },
    ],
    "survey": [
        {
            "response_id": "XT001-2025-0001",
            "community_id": "XT001",
            "survey_date": "2025-10-08",
            "overall": "满意",
            "service": "非常满意",
            "environment": "4",
            "safety": "一般",
            "participation": "",
            "staff_attitude": "5",
            "facilities": "不满意",
            "weight": "",
            "gender": "女",
            "age_group": "60+",
        },
        {
            "response_id": "XT001-2025-0002",
            "community_id": "XT001",
            "survey_date": "2025年10月9日",
            "overall": "3",
            "service": "3",
            "environment": "基本满意",
            "safety": "4",
            "participation": "2",
            "staff_attitude": "",
            "facilities": "3",
            "weight": "1.2",
            "gender": "男",
            "age_group": "35-59",
        },
    ],
}


#: Rules that tie a column to another one, by column name (the schema's Column cannot say them).
CROSS_RULES: dict[str, str] = {"also_director": "dictionary.only_secretary"}


def template_header(column: Column) -> str:
    """``社区编码（community_id）``: readable in both languages, matched by the loader."""
    return column.bilingual_header


def template_frame(table: Table) -> pd.DataFrame:
    rows = EXAMPLES[table.name]
    return pd.DataFrame(
        [[row[c.name] for c in table.columns] for row in rows], columns=[template_header(c) for c in table.columns]
    )


def template_csv(table: Table) -> bytes:
    """UTF-8 with a BOM, so Excel on a Chinese Windows machine opens it correctly."""
    return template_frame(table).to_csv(index=False).encode("utf-8-sig")


def template_xlsx(table: Table) -> bytes:
    """The template as a workbook whose cells are text, so Excel keeps what is typed."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        template_frame(table).to_excel(writer, index=False, sheet_name=table.name)
    return buffer.getvalue()


def _default_words(tr: Translator, value: object) -> str:
    """A default as the reader says it: a yes/no column's ``False`` is 否 / no, a number as written."""
    if isinstance(value, bool):
        return tr("dictionary.default_yes" if value else "dictionary.default_no")
    return f"{value:g}" if isinstance(value, float) else str(value)


def _rule(tr: Translator, column: Column) -> str:
    """The column's rule in words: required or not, range, unit, allowed values, references."""
    parts = [tr("dictionary.required") if column.required else tr("dictionary.optional")]
    if column.unique:
        parts.append(tr("dictionary.unique"))
    if column.values:
        parts.append(tr.join(f"{v.code} ({v.zh})" for v in column.values))
    if column.minimum is not None:
        parts.append(("> " if column.minimum_exclusive else "≥ ") + f"{column.minimum:g}")
    if column.maximum is not None:
        parts.append(f"≤ {column.maximum:g}")
    if column.unit is not None:
        parts.append(tr("dictionary.unit", unit=" / ".join(column.unit.suffixes[:3])))
    if column.references:
        parts.append(tr("dictionary.references", table=column.references))
    if column.not_in_future:
        parts.append(tr("dictionary.not_in_future"))
    if column.default is not None:
        parts.append(tr("dictionary.default", value=_default_words(tr, column.default)))
    if column.name in CROSS_RULES:
        parts.append(tr(CROSS_RULES[column.name]))
    return "; ".join(parts)


def dictionary(tr: Translator, table: Table) -> pd.DataFrame:
    """The data dictionary of one table, in the reader's language."""
    return pd.DataFrame(
        {
            tr("dictionary.column"): [c.name for c in table.columns],
            tr("dictionary.aliases"): ["、".join(c.aliases) for c in table.columns],
            tr("dictionary.type"): [tr(f"kind.{c.kind.value}") for c in table.columns],
            tr("dictionary.rule"): [_rule(tr, c) for c in table.columns],
        }
    )
