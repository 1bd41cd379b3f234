"""Facility compliance in words: the year's reading, a rule's verdict, and what a failing
community lacks in plain units (m², rooms, yuan).

Pure Python, no Streamlit: the facilities page, the community profile and the offline report
say the same thing in the same words.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator
from community_eval.core.standards import Profile


def takeaway(tr: Translator, rooms: pd.DataFrame, profile: Profile) -> str:
    """How many communities meet the profile, of those judged and of all (one without a facilities
    row up to the year is counted, not judged)."""
    judged = rooms.dropna(subset=["year"])
    return tr(
        "facilities.takeaway",
        compliant=int(judged["compliant"].fillna(False).sum()),
        known=int(judged["compliant"].notna().sum()),
        total=len(rooms),
        profile=profile.name(tr.lang),
    )


def status(tr: Translator, compliant: object) -> str:
    """A verdict in words: meets, fails, or unknown (a rule that cannot be judged)."""
    if compliant is None or pd.isna(compliant):
        return tr("status.unknown")
    return tr("status.pass") if bool(compliant) else tr("status.fail")


def shortfall_text(tr: Translator, row: pd.Series) -> str:
    """What a failing community lacks, in m², rooms and yuan, one phrase per failed rule."""
    phrases = []
    area_gaps = [
        row.get(column)
        for column in ("shortfall_total_area_m2", "shortfall_area_for_households_m2", "shortfall_tier_area_m2")
    ]
    area_gaps = [gap for gap in area_gaps if gap is not None and pd.notna(gap) and gap > 0]
    if area_gaps:
        phrases.append(tr("shortfall.area", m2=tr.number(max(area_gaps))))
    if pd.notna(row.get("shortfall_rooms")) and row["shortfall_rooms"] > 0:
        phrases.append(tr("shortfall.rooms", rooms=int(row["shortfall_rooms"])))
    if row.get("shortfall_hall") is True:
        phrases.append(tr("shortfall.hall"))
    if row.get("rule_tenure") == "fail":
        phrases.append(tr("shortfall.tenure", tenure=tr.enum("tenure", row["tenure"])))
    if pd.notna(row.get("shortfall_budget_yuan")):
        phrases.append(
            tr(
                "shortfall.budget",
                per_100=tr.number(row["shortfall_budget_per_100_households"], "yuan"),
                total=tr.number(row["shortfall_budget_yuan"], "yuan"),
            )
        )
    if pd.notna(row.get("shortfall_resident_space_m2")):
        phrases.append(tr("shortfall.resident_space", m2=tr.number(row["shortfall_resident_space_m2"])))
    return tr("shortfall.joiner").join(phrases)


def rule_lines(tr: Translator, row: pd.Series, profile: Profile) -> list[str]:
    """One community's rules of ``profile`` grouped by outcome, failed first ("未达标：经费").

    One line per outcome, not a line per rule: the failed ones are what a reader looks for, and
    the community profile and the offline report list them the same way.
    """
    by_status: dict[str, list[str]] = {"fail": [], "unknown": [], "pass": []}
    for rule in profile.facility_rules:
        outcome = row.get(rule.column)
        by_status[outcome if outcome in by_status else "unknown"].append(tr(f"col.{rule.column}"))
    return [tr(f"profile.rules_{outcome}", rules=tr.join(names)) for outcome, names in by_status.items() if names]
