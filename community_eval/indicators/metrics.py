"""The kind of number every indicator column holds, and the scales that bound some of them.

One entry per column name, whichever indicator shows it (``n`` is ``n`` everywhere): table
headers, number formats and chart axes read it, so a column reads the same everywhere. Which
columns each indicator has is in its declaration (``indicators/<name>.py``).
"""

from __future__ import annotations

from community_eval.core.schema import SURVEY_ITEMS

#: Kind of quantity of every indicator column that pages show; how each kind is written is
#: declared once, in :mod:`community_eval.core.formats`.
KINDS: dict[str, str] = {
    "tasks": "int",
    "hours": "int",
    "admin_hours_share": "share",
    "unadmitted_share": "share",
    "unfunded_share": "share",
    "departments": "int",
    "inspections": "int",
    "ledgers": "int",
    "staff_active": "int",
    "tasks_per_staff": "rate",
    "residents_per_staff": "int",
    "n": "int",
    "mean_overall": "mean",
    "se": "se",
    "ci_low": "mean",
    "ci_high": "mean",
    "top2_share": "share",
    "mean_service": "mean",
    "mean_environment": "mean",
    "mean_safety": "mean",
    "mean_participation": "mean",
    "mean_staff_attitude": "mean",
    "mean_facilities": "mean",
    "year": "year",
    "total_area_m2": "int",
    "area_per_100_households": "rate",
    "resident_space_share": "share",
    "budget_per_100_households": "yuan",
    "rules_passed": "int",
    "rules_applicable": "int",
    "headcount_start": "int",
    "headcount_end": "int",
    "hires": "int",
    "separations": "int",
    "turnover_rate": "share",
    "certified_share": "share",
    "joint_secretary_director": "int",  # a community's 0 or 1; a group's share is shown as a share where used
    "median_pay": "yuan",
    "pay_to_reference": "ratio",
    "households": "int",
    "population": "int",
    "compliant_share": "share",
    "n_communities": "int",
    "satisfaction_score": "score",
    "burden_score": "score",
    "facility_score": "score",
    "staffing_score": "score",
    "composite": "score",
    "rank": "int",
    "previous_rank": "int",
    "rank_best": "int",
    "rank_worst": "int",
    "rank_change": "int",
    "composite_change": "score",
    "best_lever_gain": "score",
    "seats_expected": "int",
    "workers_per_10000": "rate",
    # the questionnaire's own items (survey_items): a mean of 1–5 answers, its change in points of it
    "mean": "mean",
    "mean_previous": "mean",
    "change": "mean",
    "answers": "int",
    # the bill to reach the standard (standard_gap): quantities counted whole, money in yuan
    "required_area_m2": "int",
    "area_short_m2": "int",
    "rooms_short": "int",
    "resident_space_short_m2": "int",
    "budget_short_yuan": "yuan",
    "seats_required": "int",
    "seats_in_post": "int",
    "seats_short": "int",
    "pay_gap_yuan": "yuan",
    "one_off_yuan": "yuan",
    "annual_yuan": "yuan",
    "first_year_yuan": "yuan",
    "cumulative_one_off_yuan": "yuan",
    "cumulative_annual_yuan": "yuan",
    "position": "int",
    "n_with_bill": "int",
    "n_borrowed": "int",
}

#: Columns on a bounded scale, as (lowest, highest). A 1–5 answer has no 0, so a chart of
#: one draws dots on an axis from 1 to 5 (see charts.ranked_bars), never bars from 0.
LIKERT = (1.0, 5.0)
#: The mean of each survey question's answers: ``mean_overall``, ``mean_service``, …
ANSWER_MEANS = tuple(f"mean_{item}" for item in SURVEY_ITEMS)
SCALES: dict[str, tuple[float, float]] = {column: LIKERT for column in (*ANSWER_MEANS, "mean", "mean_previous")}
