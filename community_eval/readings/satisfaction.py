"""Satisfaction's words: names with the answers behind them, respondent groups, the Likert answers.

Pure Python, no Streamlit or plotly: the satisfaction page, the questionnaire's own items and
the offline report label their figures the same way. (What may be shown and the overall
reading are :mod:`community_eval.readings.disclosure`'s.)
"""

from __future__ import annotations

from collections.abc import Iterable

from community_eval.core.i18n import Translator


def with_n(tr: Translator, names: Iterable[object], counts: Iterable[object]) -> list[str]:
    """Each name with the answers behind its figure, "名称 (n=123)": a mean is read with its n."""
    return [f"{name} (n={tr.number(n)})" for name, n in zip(names, counts, strict=True)]


def respondent_groups(tr: Translator, attribute: str, groups: Iterable[str]) -> list[str]:
    """A respondent group's name: the gender in the reader's language, an age group as it is."""
    return [tr.enum("gender", g) if attribute == "gender" else g for g in groups]


def answer_names(tr: Translator) -> dict[int, str]:
    """The five answers of the scale, 1 (very dissatisfied) to 5, in the reader's language."""
    return {score: tr(f"likert.{score}") for score in range(1, 6)}
