"""The indicators' names alone, in the export command's order.

The command line offers them as ``export``'s choices whichever command runs. The catalog
(:mod:`community_eval.indicators.catalog`) imports every indicator, and with them pandas and
scipy (about 1 s), so the names are written here as well; ``tests/test_cli.py`` holds the two
lists equal (issue 20: a command line that starts at once).
"""

from __future__ import annotations

#: As :data:`community_eval.indicators.catalog.INDICATORS` lists them.
NAMES: tuple[str, ...] = (
    "task_burden",
    "satisfaction",
    "facility_compliance",
    "staff_turnover",
    "staff_retention",
    "assessment",
    "survey_items",
    "standard_gap",
)
