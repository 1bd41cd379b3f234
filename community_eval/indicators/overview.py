"""What every page starts from: the communities and years there are, the scope's totals, and
the overview's headline figures (each from its indicator's module)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from community_eval.core.collation import sort_frame
from community_eval.core.standards import Profile, Standards
from community_eval.db.store import Store
from community_eval.indicators.facility_compliance import facility_rollup
from community_eval.indicators.filters import Filters
from community_eval.indicators.satisfaction import satisfaction, satisfaction_below_neutral
from community_eval.indicators.staff_turnover import staff_turnover
from community_eval.indicators.task_burden import task_burden


def filter_options(store: Store) -> pd.DataFrame:
    """Every community with the attributes the sidebar filters on, in pinyin order of name
    (the order the sidebar and the profile's picker offer them; SQL orders by character code)."""
    return sort_frame(store.query("filter_options"), ["community_name", "community_id"], names={"community_name"})


def data_years(store: Store) -> dict[str, list[int]]:
    """Years with data, per table."""
    frame = store.query("data_years")
    return {table: sorted(int(y) for y in group["year"]) for table, group in frame.groupby("table_name")}


def latest_year(store: Store, table: str) -> int | None:
    """The default year of an indicator: the latest with data in the table concerned."""
    years = data_years(store).get(table, [])
    return years[-1] if years else None


def scope_summary(store: Store, filters: Filters, level: str = "all") -> pd.DataFrame:
    return store.query("scope_summary", filters.params(level))


@dataclass(frozen=True)
class Headline:
    """One headline figure of the overview: this year's value and last year's."""

    key: str
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _first(frame: pd.DataFrame, column: str) -> float | None:
    if frame.empty or pd.isna(frame[column].iloc[0]):
        return None
    return float(frame[column].iloc[0])


#: The overview's headline figures, in the order its cards show them.
HEADLINE_KEYS = (
    "communities",
    "residents",
    "staff_in_post",
    "mean_satisfaction",
    "compliant_share",
    "turnover_rate",
    "admin_hours_share",
)


def headline_values(store: Store, filters: Filters, year: int, standards: Standards, profile: Profile) -> dict:
    """Every headline figure for one year, pooled over the whole filter.

    One year at a time, so a page caches each year once: moving the year back a step
    reuses the year it showed as "previous". Besides :data:`HEADLINE_KEYS` it gives
    ``facilities_short``, the communities failing the profile, which the compliance card
    names as its verdict (a share alone does not say how many places fall short); the
    shares of tasks handed down without admission or funds, by which the administrative
    card is judged; and ``satisfaction_below``, the communities shown whose mean is below
    the scale's middle answer, by which the satisfaction card is judged.
    """
    scope = scope_summary(store, filters)
    burden = task_burden(store, filters, year, level="all")
    happy = satisfaction(store, filters, year, standards.min_n, level="all")
    rooms = facility_rollup(store, filters, year, profile)
    people = staff_turnover(store, filters, year, standards, level="all")
    below = satisfaction_below_neutral(store, filters, year, standards.min_n)
    return {
        "communities": _first(scope, "n_communities"),
        "residents": _first(scope, "population"),
        "staff_in_post": _first(people, "headcount_end"),
        "mean_satisfaction": _first(happy, "mean_overall"),
        "compliant_share": _first(rooms, "compliant_share"),
        "turnover_rate": _first(people, "turnover_rate"),
        "admin_hours_share": _first(burden, "admin_hours_share"),
        "facilities_short": _short_of_standard(rooms),
        "unadmitted_share": _first(burden, "unadmitted_share"),
        "unfunded_share": _first(burden, "unfunded_share"),
        "satisfaction_shown": _first(below, "n_shown"),
        "satisfaction_below": _first(below, "n_below"),
    }


def _short_of_standard(rollup: pd.DataFrame) -> float | None:
    """Communities whose compliance is known and false, from the one-row facility roll-up."""
    known, compliant = _first(rollup, "n_known"), _first(rollup, "n_compliant")
    return None if known is None or compliant is None else known - compliant


def headlines(store: Store, filters: Filters, year: int, standards: Standards, profile: Profile) -> list[Headline]:
    """The overview's figures for ``year``, each with the previous year's value."""
    now = headline_values(store, filters, year, standards, profile)
    before = headline_values(store, filters, year - 1, standards, profile)
    return combine_headlines(now, before)


def combine_headlines(now: dict, before: dict) -> list[Headline]:
    """Two years' :func:`headline_values` as the overview's figures with their changes."""
    return [Headline(key, now[key], before[key]) for key in HEADLINE_KEYS]
