"""The bill to reach the standard in words: the district's bill, what a budget buys, one
community's bill, and which parts of a bill are unknown.

Pure Python, no Streamlit: the 达标测算 page, the community profile, the meeting slides and the
offline report say the same thing in the same words.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator

#: The priced parts of a bill, in the order INDICATORS.md names them (parts_unknown's codes).
PARTS = ("area_short_m2", "borrowed", "budget_short_yuan", "seats_short", "pay_gap_yuan")


def _known(value: object) -> bool:
    return value is not None and value is not pd.NA and not (isinstance(value, float) and pd.isna(value))


def parts_unknown_words(tr: Translator, codes: object) -> str:
    """``area_short_m2,pay_gap_yuan`` as the reader's words (用房缺口、工资差额); empty when none."""
    named = [code for code in str(codes or "").split(",") if code in PARTS]
    return tr.join(tr(f"cost.part.{code}") for code in named)


def page_table(tr: Translator, rows: pd.DataFrame) -> pd.DataFrame:
    """The page's table (and its downloads for people): the unknown parts in words, as the
    assessment's missing components are; the export keeps the codes."""
    return rows.assign(parts_unknown=[parts_unknown_words(tr, codes) for codes in rows["parts_unknown"]])


def bill_takeaway(tr: Translator, total: pd.Series, profile_name: str, year: int) -> str:
    """The filter's whole bill in one sentence: one-off and yearly, and how many communities have one."""
    return tr(
        "cost.takeaway",
        year=year,
        profile=profile_name,
        one_off=tr.number(total["one_off_yuan"], "yuan"),
        annual=tr.number(total["annual_yuan"], "yuan"),
        with_bill=int(total["n_with_bill"]),
        total=int(total["n_communities"]),
    )


def quantities(tr: Translator, total: pd.Series) -> list[tuple[str, str]]:
    """The quantities behind the bill as (label, value) pairs, those the profile asks only."""
    pairs = [
        ("area_short_m2", "int"),
        ("rooms_short", "int"),
        ("resident_space_short_m2", "int"),
        ("n_borrowed", "int"),
        ("budget_short_yuan", "yuan"),
        ("seats_short", "int"),
        ("pay_gap_yuan", "yuan"),
    ]
    return [
        (tr(f"cost.quantity.{column}"), tr.number(total[column], kind))
        for column, kind in pairs
        if _known(total[column])
    ]


def unknown_note(tr: Translator, total: pd.Series) -> str | None:
    """When some communities' bills lack a part: which parts, and that the sums are then a floor."""
    words = parts_unknown_words(tr, total["parts_unknown"])
    if not words:
        return None
    return tr("cost.unknown_note", n=int(total["n_parts_unknown"]), parts=words)


def plan_takeaway(tr: Translator, plan: pd.DataFrame, budgets: tuple[float, float], order: str) -> str:
    """What the budgets buy in ``order``: how many reach the standard, what is left, what remains."""
    funded, waiting = plan[plan["funded"]], plan[~plan["funded"]]
    return tr(
        "cost.plan_takeaway",
        order=tr(f"cost.order.{order}"),
        budget_one_off=tr.number(budgets[0], "yuan"),
        budget_annual=tr.number(budgets[1], "yuan"),
        funded=len(funded),
        total=len(plan),
        left_one_off=tr.number(budgets[0] - funded["one_off_yuan"].sum(), "yuan"),
        left_annual=tr.number(budgets[1] - funded["annual_yuan"].sum(), "yuan"),
        waiting=len(waiting),
        next_one_off=tr.number(waiting["one_off_yuan"].sum(), "yuan"),
        next_annual=tr.number(waiting["annual_yuan"].sum(), "yuan"),
    )


def plan_lines(tr: Translator, plan: pd.DataFrame) -> list[str]:
    """One line per community of a plan: its place in the order, its name and its two bills
    (a bill with unknown parts is marked as a floor)."""
    return [
        tr(
            "cost.plan_line",
            position=int(row["position"]),
            name=row["community_name"],
            one_off=tr.number(row["one_off_yuan"], "yuan"),
            annual=tr.number(row["annual_yuan"], "yuan"),
        )
        + (tr("cost.at_least") if row["parts_unknown"] else "")
        for _, row in plan.iterrows()
    ]


def community_bill(tr: Translator, row: pd.Series, brief: bool = False) -> str:
    """One community's bill: one-off and yearly, each with the shortfalls it pays for (``brief``:
    the two sums alone, where the shortfalls are already written beside it, as on the profile)."""
    missing = parts_unknown_words(tr, row["parts_unknown"])
    unknown = tr("cost.bill.unknown", parts=missing) if missing else ""
    if brief:
        if row["one_off_yuan"] + row["annual_yuan"] <= 0:
            return tr("cost.bill.none") + unknown
        return (
            tr(
                "cost.bill.brief",
                one_off=tr.number(row["one_off_yuan"], "yuan"),
                annual=tr.number(row["annual_yuan"], "yuan"),
            )
            + unknown
        )
    one_off = []
    if _known(row["area_short_m2"]) and row["area_short_m2"] > 0:
        one_off.append(tr("cost.bill.area", m2=tr.number(row["area_short_m2"])))
    if _known(row["borrowed"]) and bool(row["borrowed"]):
        one_off.append(tr("cost.bill.borrowed"))
    annual = []
    if _known(row["budget_short_yuan"]) and row["budget_short_yuan"] > 0:
        annual.append(tr("cost.bill.budget", yuan=tr.number(row["budget_short_yuan"], "yuan")))
    if _known(row["seats_short"]) and row["seats_short"] > 0:
        annual.append(tr("cost.bill.seats", n=int(row["seats_short"])))
    if _known(row["pay_gap_yuan"]) and row["pay_gap_yuan"] > 0:
        annual.append(tr("cost.bill.pay", yuan=tr.number(row["pay_gap_yuan"], "yuan")))
    if not one_off and not annual:
        text = tr("cost.bill.none")
    else:
        text = tr(
            "cost.bill.text",
            one_off=tr.number(row["one_off_yuan"], "yuan"),
            one_off_parts=tr.join(one_off) or tr("cost.bill.nothing"),
            annual=tr.number(row["annual_yuan"], "yuan"),
            annual_parts=tr.join(annual) or tr("cost.bill.nothing"),
        )
    return text + unknown
