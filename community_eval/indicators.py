"""Indicators of INDICATORS.md, computed by the named queries in ``queries/``.

Pages, the command line and the tests all call these functions, so a number means the
same thing everywhere. DuckDB does the aggregation, roll-ups and the assessment included
(they select from the themes' macros); Python only adds what SQL lacks (the t quantile)
and shapes columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy import stats

from community_eval.collation import sort_frame
from community_eval.filters import LEVELS, Filters
from community_eval.retention import retention_curves, staff_retention
from community_eval.schema import NEUTRAL_ANSWER
from community_eval.standards import Profile, Standards
from community_eval.store import Store

# Re-exported: pages reach every indicator here, and filters are how every indicator is asked.
__all__ = ["LEVELS", "Filters", "retention_curves", "staff_retention"]


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


def task_burden(store: Store, filters: Filters, year: int, level: str = "community") -> pd.DataFrame:
    return store.query("task_burden", {**filters.params(level), "year": year})


def task_by_department(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    """Tasks per department, most first; departments with as many in pinyin order of name."""
    frame = store.query("task_burden_by_department", {**filters.params(), "year": year})
    return sort_frame(frame, ["tasks", "department"], ascending=[False, True], names={"department"})


def task_hours_by_category(store: Store, filters: Filters, year: int, level: str = "community") -> pd.DataFrame:
    return store.query("task_hours_by_category", {**filters.params(level), "year": year})


def task_monthly_trend(store: Store, filters: Filters) -> pd.DataFrame:
    return store.query("task_monthly_trend", filters.params())


def burden_vs_satisfaction(store: Store, filters: Filters, year: int, min_n: int) -> pd.DataFrame:
    """Admin share of hours against mean satisfaction per community, with the fitted line.

    Adds the two-sided p-value of the correlation (t test with n − 2 degrees of freedom),
    so the page can say when the relation is indistinguishable from none.
    """
    frame = store.query("burden_vs_satisfaction", {**filters.params(), "year": year, "min_n": min_n})
    frame["p_value"] = correlation_p_value(frame["correlation"], frame["n_communities"])
    return frame


def correlation_p_value(r: pd.Series, n: pd.Series) -> pd.Series:
    """Two-sided p-value of Pearson's r under no correlation; null below 3 points."""
    r = r.astype(float)
    dof = n.astype(float) - 2
    valid = (dof > 0) & r.notna() & (r.abs() < 1)
    t_stat = r * (dof / (1 - r**2)).pow(0.5)
    p_values = 2 * stats.t.sf(t_stat.abs().where(valid, 0.0), dof.where(valid, 1.0))
    exact = (r.abs() == 1) & (dof > 0)
    return pd.Series(p_values, index=r.index).where(valid, 0.0).where(valid | exact)


def t_interval(mean: pd.Series, se: pd.Series, df: pd.Series) -> tuple[pd.Series, pd.Series]:
    """95 % interval mean ± t(0.975, df) · se, R's ``confint(svymean(...), df = degf(design))``;
    null where it is undefined (no se, or no degree of freedom)."""
    valid = mean.notna() & se.notna() & df.notna() & (df.astype(float) > 0)
    freedom = df.astype(float).where(valid, 1.0)
    quantile = pd.Series(stats.t.ppf(0.975, freedom), index=mean.index)
    half = (quantile * se.astype(float)).where(valid)
    return (mean - half).where(valid), (mean + half).where(valid)


def satisfaction(store: Store, filters: Filters, year: int, min_n: int, level: str = "community") -> pd.DataFrame:
    """Satisfaction per community, or rolled up to ``level`` with each community counted by its
    population; design-based se and 95 % interval as R's survey package gives them (see the query)."""
    frame = store.query("satisfaction", {**filters.params(level), "year": year, "min_n": min_n})
    frame["ci_low"], frame["ci_high"] = t_interval(frame["mean_overall"], frame["se"], frame["df"])
    return frame


def satisfaction_below_neutral(
    store: Store, filters: Filters, year: int, min_n: int, neutral: float = NEUTRAL_ANSWER
) -> pd.DataFrame:
    """Communities shown (``n_shown``) and those whose mean overall satisfaction is below the
    scale's middle answer (``n_below``), counted in SQL from the community rows
    (``macros.satisfaction_rows``: only the mean is needed, not the interval Python adds)."""
    params = {**filters.params(), "year": year, "min_n": min_n, "neutral": neutral}
    return store.query("satisfaction_below_neutral", params)


def satisfaction_distribution(store: Store, filters: Filters, year: int, min_n: int) -> pd.DataFrame:
    return store.query("satisfaction_distribution", {**filters.params(), "year": year, "min_n": min_n})


def satisfaction_by_respondent(store: Store, filters: Filters, year: int, min_n: int, attribute: str) -> pd.DataFrame:
    """Satisfaction by respondent gender or age group, small groups suppressed."""
    if attribute not in ("gender", "age_group"):
        raise ValueError("attribute must be gender or age_group")
    params = {**filters.params(), "year": year, "min_n": min_n, "attribute": attribute}
    frame = store.query("satisfaction_by_respondent", params)
    frame["ci_low"], frame["ci_high"] = t_interval(frame["mean_overall"], frame["se"], frame["df"])
    return frame


def survey_items(store: Store, filters: Filters, year: int, min_n: int, level: str = "community") -> pd.DataFrame:
    """The questionnaire's own items per group, estimated and withheld exactly as :func:`satisfaction`
    (see the query), with the 95 % interval and the change since the previous year's mean."""
    frame = store.query("survey_items", {**filters.params(level), "year": year, "min_n": min_n})
    frame["ci_low"], frame["ci_high"] = t_interval(frame["mean"], frame["se"], frame["df"])
    frame["change"] = frame["mean"] - frame["mean_previous"]
    return frame


def survey_item_distribution(store: Store, filters: Filters, year: int, min_n: int) -> pd.DataFrame:
    """Shares of each answer of every own item on a five-point scale, as the fixed questions' are."""
    return store.query("survey_item_distribution", {**filters.params(), "year": year, "min_n": min_n})


def stored_questions(store: Store) -> pd.DataFrame:
    """Every own question stored, with its answers count, for the data dictionary."""
    return store.query("stored_questions")


def facility_rule_params(profile: Profile) -> dict[str, object]:
    """The profile's thresholds as the one struct ``macros.facility_rows`` takes (``$facility_rules``),
    beside the filter and the year; the profile binds it too."""
    return {"facility_rules": profile.facility_params()}


def facility_compliance(store: Store, filters: Filters, year: int, profile: Profile, level: str = "community"):
    """Per-community compliance under ``profile``; only the profile's rule columns are kept."""
    params = {**filters.params(level), "year": year, **facility_rule_params(profile)}
    frame = store.query("facility_compliance", params)
    wanted = {rule.column for rule in profile.facility_rules}
    unused = [c for c in frame.columns if c.startswith("rule_") and c not in wanted]
    return frame.drop(columns=unused)


def facility_rollup(store: Store, filters: Filters, year: int, profile: Profile, level: str = "all") -> pd.DataFrame:
    """Compliance rate per group, counted in SQL from the community rows (``macros.facility_rows``)."""
    params = {**filters.params(level), "year": year, **facility_rule_params(profile)}
    return store.query("facility_compliance_rollup", params)


def facility_tenure_counts(
    store: Store, filters: Filters, year: int, profile: Profile, level: str = "all"
) -> pd.DataFrame:
    """Communities per kind of premises per group, counted in SQL from the community rows."""
    params = {**filters.params(level), "year": year, **facility_rule_params(profile)}
    return store.query("facility_tenure_counts", params)


def staff_turnover(
    store: Store, filters: Filters, year: int, standards: Standards, level: str = "community"
) -> pd.DataFrame:
    params = {**filters.params(level), "year": year, **standards.reference_wage_params(year)}
    return store.query("staff_turnover", params)


def turnover_by_year(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    return store.query("staff_turnover_by_year", {**filters.params(), "year": year})


def exit_reasons(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    return store.query("exit_reasons", {**filters.params(), "year": year})


def staffing_by_community(
    store: Store, filters: Filters, year: int, standards: Standards, profile_key: str | None = None
) -> pd.DataFrame:
    """Staff in post per community against the 3+X committee-size bands of the standards."""
    params = {**filters.params(), "year": year, **seat_band_params(standards, profile_key)}
    return store.query("staffing_by_community", params)


def seat_band_params(standards: Standards, profile_key: str | None = None) -> dict[str, object]:
    """The 3+X committee-size bands ``macros.staffing_rows`` takes, from the profile that defines them
    (none: one band of 0 seats); the profile uses them too."""
    source = standards.staffing_profile("committee_size", profile_key)
    bounds, seats = source.seat_bands() if source else ([], [0])
    return {"seat_max_population": bounds, "seat_counts": seats}


def pay_by_role(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    return store.query("pay_by_role", {**filters.params(), "year": year})


def tenure_in_post(store: Store, filters: Filters, year: int) -> pd.DataFrame:
    return store.query("tenure_in_post", {**filters.params(), "year": year})


# ---- assessment ---------------------------------------------------------------------------

#: The assessment's components, in the order INDICATORS.md lists them.
COMPONENTS = ("satisfaction", "burden", "facility", "staffing")
#: How far each weight moves when rank stability is tested (±10 %).
WEIGHT_SPREAD = 0.10

Weights = dict[str, float] | tuple[tuple[str, float], ...] | None


def assessment_weights(standards: Standards, weights: Weights = None) -> dict[str, float]:
    """The weights to score with: the given ones (a dict or pairs, as pages cache them) or the file's.

    Weights need not sum to 1 (the composite divides by their sum); they must be
    non-negative and not all zero, or no composite could be computed.
    """
    chosen = dict(weights) if weights is not None else dict(standards.weights)
    if set(chosen) != set(COMPONENTS):
        raise ValueError(f"weights must name exactly {COMPONENTS}, not {sorted(chosen)}")
    if any(float(w) < 0 for w in chosen.values()) or not any(float(w) > 0 for w in chosen.values()):
        raise ValueError("weights must be non-negative and not all zero")
    return {component: float(chosen[component]) for component in COMPONENTS}


def _weight_params(standards: Standards, weights: Weights) -> dict[str, float]:
    return {f"w_{component}": w for component, w in assessment_weights(standards, weights).items()}


def _tier_params(standards: Standards) -> dict[str, object]:
    """Tier floors high to low and their labels, plus the label below every floor."""
    bands = sorted(standards.tiers.items(), key=lambda band: band[1], reverse=True)
    return {"tier_floors": [floor for _, floor in bands], "tier_labels": [label for label, _ in bands] + ["D"]}


def assessment(
    store: Store, filters: Filters, year: int, standards: Standards, profile: Profile, weights: Weights = None
) -> pd.DataFrame:
    """Component scores, composite, rated, rank and tier per community (INDICATORS.md "assessment").

    The four themes' community rows come from the macros their own queries select from,
    and are scored in the same statement against fixed targets, so a score never depends
    on which communities are selected; only the rank does. A community lacking a component
    of positive weight is not rated: its composite is partial, and it has no rank and no tier.
    """
    params = {
        **filters.params(),
        "year": year,
        "min_n": standards.min_n,
        **facility_rule_params(profile),
        **standards.reference_wage_params(year),
        "turnover_ceiling": standards.turnover_ceiling,
        **_weight_params(standards, weights),
        **_tier_params(standards),
    }
    frame = store.query("assessment", params)
    frame["rated"] = frame["rated"].astype(bool)
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def assessment_stability(
    store: Store,
    filters: Filters,
    year: int,
    standards: Standards,
    profile: Profile,
    weights: Weights = None,
    spread: float = WEIGHT_SPREAD,
) -> pd.DataFrame:
    """Best and worst rank of each community when every weight moves by ±``spread`` independently.

    A place that holds over all 81 combinations is decided by the data; one that moves
    is decided by the weighting, which a meeting should know before it rewards anyone.
    """
    scores = assessment(store, filters, year, standards, profile, weights)
    return assessment_rank_range(store, scores, standards, weights, spread)


def assessment_rank_range(
    store: Store, scores: pd.DataFrame, standards: Standards, weights: Weights = None, spread: float = WEIGHT_SPREAD
) -> pd.DataFrame:
    """:func:`assessment_stability` from scores already computed (a page computes them once).

    The scores are registered as a frame (``score_rows``), unlike the themes' rows: they are a
    result the caller already holds, a row per community, and selecting them from macros again
    would compute the four themes a second time for every view (BENCHMARKS.md: a page scores
    each view once and derives rank ranges, parts and movement from those scores).
    """
    params = {**_weight_params(standards, weights), "factors": [1 - spread, 1.0, 1 + spread]}
    return store.query("assessment_rank_range", params, frames={"score_rows": scores})


def assessment_contributions(store: Store, scores: pd.DataFrame, standards: Standards, weights: Weights = None):
    """Each component's share of each composite (long form, best community first), for stacked bars.

    Takes the scores already computed, registered as a frame for the reason
    :func:`assessment_rank_range` gives, so a page or report scores each view once; the store
    first, as every indicator (``ui.compute`` calls them so).
    """
    params = _weight_params(standards, weights)
    return store.query("assessment_contributions", params, frames={"score_rows": scores})


def assessment_movement(
    store: Store, filters: Filters, year: int, standards: Standards, profile: Profile, weights: Weights = None
) -> pd.DataFrame:
    """This year's rank and composite beside last year's, same filter and weights.

    ``rank_change`` is positive when a community moved up (its rank number fell); it is
    empty when the community was not rated in either year (no rank to compare).
    """
    now = assessment(store, filters, year, standards, profile, weights)
    before = assessment(store, filters, year - 1, standards, profile, weights)
    return assessment_change(now, before)


def assessment_change(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """:func:`assessment_movement` from two years' scores already computed (a join of small frames)."""
    previous = before[["community_id", "rank", "composite", "tier"]].rename(
        columns={"rank": "previous_rank", "composite": "previous_composite", "tier": "previous_tier"}
    )
    moved = now[["community_id", "community_name", "rated", "rank", "composite", "tier"]].merge(
        previous, on="community_id", how="left"
    )
    moved["rank_change"] = (moved["previous_rank"] - moved["rank"]).astype("Int64")
    moved["composite_change"] = moved["composite"] - moved["previous_composite"]
    return moved


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
