"""Indicator columns declared as data: how each is formatted and where its label lives.

One definition feeds table headers and number formats on every page (labels come from
the locale files under ``col.<name>``), so a column reads the same everywhere.
"""

from __future__ import annotations

#: Number kind of every indicator column that pages show (see i18n.format_value).
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
    "tasks_per_staff": "decimal",
    "residents_per_staff": "int",
    "n": "int",
    "mean_overall": "decimal",
    "ci_low": "decimal",
    "ci_high": "decimal",
    "top2_share": "share",
    "mean_service": "decimal",
    "mean_environment": "decimal",
    "mean_safety": "decimal",
    "mean_participation": "decimal",
    "mean_staff_attitude": "decimal",
    "mean_facilities": "decimal",
    "year": "year",
    "total_area_m2": "int",
    "area_per_100_households": "decimal",
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
    "median_pay": "yuan",
    "pay_to_reference": "ratio",
    "households": "int",
    "population": "int",
    "compliant_share": "share",
    "n_communities": "int",
}
