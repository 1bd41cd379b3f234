"""Staff turnover in words: the year's reading, and the names of exit reasons, roles and
tenure bands as the charts label them.

Pure Python, no Streamlit: the staff page and the offline report say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from community_eval.core.i18n import Translator


def takeaway(tr: Translator, total: pd.Series, *, none_in_words: bool = True) -> str:
    """The year in one sentence: staff in post, who left, turnover, median pay and the certified share.

    Where nobody is certified the page says so in words ("0.0%" says less); the offline report
    has always printed the figure, and keeps it (``none_in_words=False``) until the report's
    wording is changed on purpose: its numbers are compared before and after a restructuring.
    """
    none = none_in_words and not total["certified_share"]
    return tr(
        "staff.takeaway_no_certified" if none else "staff.takeaway",
        in_post=tr.number(total["headcount_end"]),
        separations=tr.number(total["separations"]),
        rate=tr.number(total["turnover_rate"], "share"),
        pay=tr.number(total["median_pay"], "yuan"),
        certified=tr.number(total["certified_share"], "share"),
    )


def reason_names(tr: Translator, reasons: Iterable[str]) -> list[str]:
    """Exit reasons in the reader's language; an unrecorded reason says so."""
    return [tr.enum("exit_reason", r) if r != "unknown" else tr("staff.reason_unknown") for r in reasons]
