"""Task burden in sentences: the year's reading, and the relation between administrative load
and satisfaction read without claiming more than a correlation can say.

Pure Python, no Streamlit: the task-burden page and the offline report (made from the command
line) say the same thing in the same words.
"""

from __future__ import annotations

import math

import pandas as pd

from community_eval.core.i18n import Translator


def takeaway(tr: Translator, total: pd.Series) -> str:
    """The year in one sentence: tasks handed down, by how many departments, the administrative
    share of hours and the shares handed down without admission or without funds."""
    return tr(
        "task_burden.takeaway",
        tasks=tr.number(total["tasks"]),
        departments=tr.number(total["departments"]),
        admin=tr.number(total["admin_hours_share"], "share"),
        unadmitted=tr.number(total["unadmitted_share"], "share"),
        unfunded=tr.number(total["unfunded_share"], "share"),
    )


def relation_reading(tr: Translator, fit: pd.Series) -> str:
    """The scatter in plain words, without claiming more than a correlation can say.

    Strength follows the usual bands of |r| (under 0.1 none, 0.3 weak, 0.5 moderate,
    else strong); a p-value of 0.05 or more says the data cannot tell it from no relation.
    """
    r, n, p_value = float(fit["correlation"]), int(fit["n_communities"]), float(fit["p_value"])
    if not math.isfinite(r):  # every community has the same share (or the same mean): no line to read
        return tr("relation.undefined", n=n)
    strength = next(
        word for bound, word in ((0.1, "none"), (0.3, "weak"), (0.5, "moderate"), (2, "strong")) if abs(r) < bound
    )
    direction = "lower" if r < 0 else "higher"
    per_ten_points = float(fit["slope"]) / 10
    parts = [
        tr(
            "relation.summary",
            n=n,
            strength=tr(f"relation.strength.{strength}"),
            r=tr.number(r, "ratio"),
            change=tr.number(abs(per_ten_points), "mean"),
            direction=tr(f"relation.direction.{direction}"),
        )
    ]
    parts.append(
        tr("relation.not_significant")
        if p_value >= 0.05
        else tr("relation.significant", p=tr.number(p_value, "p_value"))
    )
    parts.append(tr("relation.caution"))
    return " ".join(parts)


def relation_fit(tr: Translator, fit: pd.Series) -> str:
    """The relation's figures in one line, for a printed page: n, r and p, then the caution."""
    note = tr(
        "report.relation_fit",
        n=int(fit["n_communities"]),
        r=tr.number(_float(fit["correlation"]), "ratio"),
        p=tr.number(_float(fit["p_value"]), "p_value"),
    )
    return f"{note} {tr('relation.caution')}"


def _float(value: object) -> float | None:
    """A number, or None for a missing one (which the translator writes as a dash)."""
    return None if value is None or pd.isna(value) else float(value)
