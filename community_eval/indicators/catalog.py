"""Every indicator of INDICATORS.md, in the export command's order: the one list the command
line, the data dictionary and the tests go through."""

from __future__ import annotations

from community_eval.indicators.assessment import ASSESSMENT
from community_eval.indicators.declaration import Indicator
from community_eval.indicators.facility_compliance import FACILITY_COMPLIANCE
from community_eval.indicators.satisfaction import SATISFACTION
from community_eval.indicators.staff_retention import STAFF_RETENTION
from community_eval.indicators.staff_turnover import STAFF_TURNOVER
from community_eval.indicators.standard_gap import STANDARD_GAP
from community_eval.indicators.survey_items import SURVEY_ITEMS
from community_eval.indicators.task_burden import TASK_BURDEN

#: In the order the export command has always listed them (survey_items and standard_gap came later: last).
INDICATORS: tuple[Indicator, ...] = (
    TASK_BURDEN,
    SATISFACTION,
    FACILITY_COMPLIANCE,
    STAFF_TURNOVER,
    STAFF_RETENTION,
    ASSESSMENT,
    SURVEY_ITEMS,
    STANDARD_GAP,
)
BY_NAME: dict[str, Indicator] = {indicator.name: indicator for indicator in INDICATORS}
