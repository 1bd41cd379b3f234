"""Indicator columns declared as data: how each is formatted and where its label lives.

One definition feeds table headers and number formats on every page (labels come from
the locale files under ``col.<name>``), so a column reads the same everywhere.
"""

from __future__ import annotations

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
}

#: Columns on a bounded scale, as (lowest, highest). A 1–5 answer has no 0, so a chart of
#: one draws dots on an axis from 1 to 5 (see charts.ranked_bars), never bars from 0.
LIKERT = (1.0, 5.0)
SCALES: dict[str, tuple[float, float]] = {
    column: LIKERT
    for column in (
        "mean_overall",
        "mean_service",
        "mean_environment",
        "mean_safety",
        "mean_participation",
        "mean_staff_attitude",
        "mean_facilities",
        "mean",
        "mean_previous",
    )
}


# ---- the columns of each indicator, as INDICATORS.md names and orders them ----------------
# The export writes exactly these; the pages show the same columns after the community name.

TASK_BURDEN_COLUMNS = (
    "community_id",
    "tasks",
    "hours",
    "admin_hours_share",
    "unadmitted_share",
    "unfunded_share",
    "departments",
    "inspections",
    "ledgers",
    "staff_active",
    "tasks_per_staff",
    "residents_per_staff",
)
SATISFACTION_STATISTICS = (
    "mean_overall",
    "se",
    "ci_low",
    "ci_high",
    "top2_share",
    "mean_service",
    "mean_environment",
    "mean_safety",
    "mean_participation",
    "mean_staff_attitude",
    "mean_facilities",
)
SATISFACTION_COLUMNS = ("community_id", "n", *SATISFACTION_STATISTICS, "suppressed")
FACILITY_MEASURES = (
    "community_id",
    "year",
    "total_area_m2",
    "area_per_100_households",
    "resident_space_share",
    "budget_per_100_households",
)
FACILITY_COUNTS = ("rules_passed", "rules_applicable", "compliant")
STAFF_TURNOVER_COLUMNS = (
    "community_id",
    "year",
    "headcount_start",
    "headcount_end",
    "hires",
    "separations",
    "turnover_rate",
    "certified_share",
    "median_pay",
    "pay_to_reference",
    "joint_secretary_director",  # added later: after the existing columns, so their positions hold
)
STAFF_RETENTION_COLUMNS = ("months", "at_risk", "survival")
#: An own item's statistics, in the order the export writes them after the item's columns.
SURVEY_ITEM_STATISTICS = ("mean", "se", "ci_low", "ci_high", "mean_previous", "change")
SURVEY_ITEM_COLUMNS = (
    "community_id",
    "item_code",
    "item_text",
    "theme",
    "scale",
    "n",
    *SURVEY_ITEM_STATISTICS,
    "suppressed",
)
ASSESSMENT_SCORES = ("satisfaction_score", "burden_score", "facility_score", "staffing_score")
ASSESSMENT_COLUMNS = ("community_id", *ASSESSMENT_SCORES, "composite", "components_missing", "rated", "rank", "tier")


def shown_after_name(columns: tuple[str, ...]) -> list[str]:
    """A page table's columns: the community's name, then the indicator's own columns."""
    return ["community_name", *(c for c in columns if c not in ("community_id", "year"))]
