"""Standards profiles and settings read from ``standards.toml``.

The file is the one place where thresholds live, each with its source, so the pages can
say where a line on a chart comes from and a district can change a threshold without
touching code. Facility rules map onto fixed rule kinds in ``queries/facility_compliance.sql``.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from community_eval.core import paths

STANDARDS_FILE = paths.STANDARDS_FILE
STANDARDS_ENV = "COMMUNITY_EVAL_STANDARDS"

#: Every facility rule kind and the thresholds it takes, in the order columns appear.
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "min_total_area": ("min_total_area_m2",),
    "rooms": ("min_rooms", "require_hall"),
    "area_per_100_households": ("min_area_per_100_households",),
    "household_tier": ("tier_high_households", "tier_high_area_m2", "tier_low_households", "tier_low_area_m2"),
    "tenure": ("disallowed_tenures",),
    "budget": ("min_budget_per_100_households",),
    "resident_space_share": ("min_resident_space_share",),
}


#: Shares of work handed down that the admission system (准入制) limits: tasks handed down
#: without admission, and without the funds that go with them (权随责走、费随事转). Their
#: definitions are the task_burden columns of INDICATORS.md.
TASK_LIMITS = ("unadmitted_share", "unfunded_share")


#: The unit costs that price standard_gap (INDICATORS.md), each one-off or yearly, in the order
#: the page shows them. Their figures are assumptions the standards file states with a note.
UNIT_COSTS: dict[str, str] = {
    "cost_per_m2": "one_off",
    "cost_to_secure_premises": "one_off",
    "annual_cost_per_seat": "annual",
}


class StandardsError(ValueError):
    """The standards file is missing a setting or names a rule that does not exist."""


def bilingual(text: object, lang: str) -> str:
    """A source note in ``lang``: the file writes ``{ zh = "…", en = "…" }`` or one string."""
    if isinstance(text, dict):
        return str(text.get(lang) or text.get("zh") or text.get("en") or "")
    return str(text or "")


@dataclass(frozen=True)
class FacilityRule:
    name: str
    thresholds: dict[str, object]
    sources: dict[str, str] | str = ""

    @property
    def column(self) -> str:
        return f"rule_{self.name}"

    def source(self, lang: str) -> str:
        return bilingual(self.sources, lang)


@dataclass(frozen=True)
class Limit:
    """A share that may be reached but not exceeded (0: none allowed), and where it comes from."""

    max_share: float
    source: dict[str, str] | str = ""


@dataclass(frozen=True)
class UnitCost:
    """One price the bill to reach the standard uses, in yuan, and what it assumes."""

    name: str
    yuan: float
    note: dict[str, str] | str = ""

    @property
    def kind(self) -> str:
        """``one_off`` or ``annual``: the two bills are never added together."""
        return UNIT_COSTS[self.name]

    def explained(self, lang: str) -> str:
        return bilingual(self.note, lang)


@dataclass(frozen=True)
class Profile:
    key: str
    name_zh: str
    name_en: str
    facility_rules: tuple[FacilityRule, ...]
    staffing: dict[str, object] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def facility_params(self) -> dict[str, object]:
        """Bound parameters for facility_compliance: the profile's thresholds, null elsewhere."""
        params: dict[str, object] = {p: None for names in RULE_PARAMETERS.values() for p in names}
        for rule in self.facility_rules:
            params.update(rule.thresholds)
        return params

    def seat_bands(self) -> tuple[list[int], list[int]]:
        """The 3+X bands as (upper population bounds, seats per band, one more than bounds).

        A profile without committee-size bands gets none ([], [None]): no seats expected.
        """
        bands = self.staffing.get("committee_size", [])
        bounds = [int(b["max_population"]) for b in bands if "max_population" in b]
        seats = [int(b["seats"]) for b in bands]
        return (bounds, seats) if seats else ([], [None])

    def staffing_value(self, key: str) -> float | None:
        value = self.staffing.get(key)
        return None if value is None else float(value)

    def rule(self, name: str) -> FacilityRule | None:
        return next((rule for rule in self.facility_rules if rule.name == name), None)

    def gap_params(self) -> dict[str, object]:
        """What ``macros.gap_rows`` takes beside the facility rules: how seats are counted.

        A profile with 3+X bands counts committee seats by population; one with a workers
        per 10,000 standard counts all staff against it; a profile with neither asks no seats.
        """
        bounds, seats = self.seat_bands()
        banded = seats != [None]
        workers = self.staffing_value("min_workers_per_10000_residents")
        return {
            "seat_max_population": bounds if banded else [],
            "seat_counts": seats if banded else [],
            "workers_per_10000": None if banded or workers is None else workers,
        }


@dataclass(frozen=True)
class Standards:
    default_profile: str
    min_n: int
    turnover_ceiling: float
    weights: dict[str, float]
    tiers: dict[str, float]
    reference_wages: tuple[dict[str, object], ...]
    profiles: dict[str, Profile]
    comparisons: dict[str, object] = field(default_factory=dict)
    #: :data:`TASK_LIMITS` the file states; a file without them judges no task's admission.
    task_limits: dict[str, Limit] = field(default_factory=dict)
    #: :data:`UNIT_COSTS` by name; a file without them prices nothing (every cost 0, said on the page).
    unit_costs: dict[str, UnitCost] = field(default_factory=dict)

    def profile(self, key: str | None) -> Profile:
        return self.profiles.get(key or self.default_profile, self.profiles[self.default_profile])

    def staffing_profile(self, key: str, preferred: str | None = None) -> Profile | None:
        """The profile whose staffing standards define ``key``: the preferred one if it does.

        The staff page shows every staffing standard the file knows (3+X seats from one
        profile, workers per 10,000 from another), each labelled with its own source.
        """
        ordered = [self.profile(preferred), *self.profiles.values()]
        return next((p for p in ordered if key in p.staffing), None)

    def reference_wage(self, district: str | None, year: int) -> float | None:
        """The reference monthly wage of one district for ``year``, if the file has it."""
        for row in self.reference_wages:
            if row["district"] == district and int(row["year"]) == year:
                return float(row["monthly_wage_yuan"])
        return None

    def reference_wage_params(self, year: int) -> dict[str, object]:
        """Reference wages for ``year`` as the two parallel lists the SQL takes."""
        rows = [r for r in self.reference_wages if int(r["year"]) == year]
        if not rows:
            return {"reference_districts": None, "reference_wages": None}
        return {
            "reference_districts": [str(r["district"]) for r in rows],
            "reference_wages": [float(r["monthly_wage_yuan"]) for r in rows],
        }


#: The smallest min_n the file may set: a statistic over one or two answers is those answers.
MIN_N_FLOOR = 3


def _rule(raw: dict[str, object], profile: str) -> FacilityRule:
    name = str(raw.get("name"))
    if name not in RULE_PARAMETERS:
        raise StandardsError(f"profile {profile}: unknown facility rule {name!r}; known: {sorted(RULE_PARAMETERS)}")
    missing = [p for p in RULE_PARAMETERS[name] if p not in raw]
    if missing:
        raise StandardsError(f"profile {profile}: rule {name} needs {missing}")
    return FacilityRule(name, {p: raw[p] for p in RULE_PARAMETERS[name]}, raw.get("source", ""))


def _profile(key: str, raw: dict[str, object]) -> Profile:
    rules = tuple(_rule(r, key) for r in raw.get("facility_rules", []))
    return Profile(key, str(raw.get("name_zh", key)), str(raw.get("name_en", key)), rules, raw.get("staffing", {}))


def _task_limits(raw: dict[str, object]) -> dict[str, Limit]:
    """The ``[task_limits.*]`` tables: known names only, each a share between 0 and 1."""
    limits = {}
    for name, entry in raw.items():
        if name not in TASK_LIMITS:
            raise StandardsError(f"unknown task limit {name!r}; known: {list(TASK_LIMITS)}")
        share = float(entry.get("max_share", math.nan))
        if not 0 <= share <= 1:
            raise StandardsError(f"task limit {name}: max_share must be a share between 0 and 1")
        limits[name] = Limit(share, entry.get("source", ""))
    return limits


def _unit_costs(raw: dict[str, object]) -> dict[str, UnitCost]:
    """The ``[unit_costs.*]`` tables: known names only, each a price of at least 0 yuan with its note."""
    costs = {}
    for name, entry in raw.items():
        if name not in UNIT_COSTS:
            raise StandardsError(f"unknown unit cost {name!r}; known: {list(UNIT_COSTS)}")
        yuan = float(entry.get("yuan", math.nan))
        if not yuan >= 0:
            raise StandardsError(f"unit cost {name}: yuan must be a number of at least 0")
        costs[name] = UnitCost(name, yuan, entry.get("note", ""))
    return costs


def parse_standards(raw: dict[str, object]) -> Standards:
    """Build :class:`Standards` from the parsed TOML, checking what the code relies on."""
    profiles = {key: _profile(key, value) for key, value in raw.get("profiles", {}).items()}
    default = str(raw.get("default_profile", ""))
    if default not in profiles:
        raise StandardsError(f"default_profile {default!r} is not one of the profiles {sorted(profiles)}")
    assessment = raw.get("assessment", {})
    min_n = int(raw.get("min_n", 10))
    if min_n < MIN_N_FLOOR:
        raise StandardsError(f"min_n is {min_n}: it must be at least {MIN_N_FLOOR}, or single answers would be shown")
    return Standards(
        default_profile=default,
        min_n=min_n,
        turnover_ceiling=float(raw.get("turnover_ceiling", 0.30)),
        weights={k: float(v) for k, v in assessment.get("weights", {}).items()},
        tiers={k: float(v) for k, v in assessment.get("tiers", {}).items()},
        reference_wages=tuple(raw.get("reference_wages", [])),
        profiles=profiles,
        comparisons=dict(raw.get("comparisons", {})),
        task_limits=_task_limits(raw.get("task_limits", {})),
        unit_costs=_unit_costs(raw.get("unit_costs", {})),
    )


@cache
def load_standards(path: str | None = None) -> Standards:
    """The standards in force: ``path``, else $COMMUNITY_EVAL_STANDARDS, else standards.toml."""
    chosen = Path(path or os.environ.get(STANDARDS_ENV) or STANDARDS_FILE)
    with chosen.open("rb") as handle:
        return parse_standards(tomllib.load(handle))
