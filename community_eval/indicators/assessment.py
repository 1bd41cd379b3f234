"""The assessment (INDICATORS.md "assessment"): component scores, composite, rated, rank and tier.

Over ``queries/assessment.sql``.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.standards import Profile, Standards
from community_eval.db.store import Store
from community_eval.indicators.declaration import Indicator, Request
from community_eval.indicators.facility_compliance import facility_rule_params
from community_eval.indicators.filters import Filters

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
    first, as every indicator (``cache.compute`` calls them so).
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


# ---- the declaration ----------------------------------------------------------------------

#: The component scores, in the order INDICATORS.md lists them.
SCORES = ("satisfaction_score", "burden_score", "facility_score", "staffing_score")
#: INDICATORS.md's columns of assessment, in order.
COLUMNS = ("community_id", *SCORES, "composite", "components_missing", "rated", "rank", "tier")


def export_rows(store: Store, request: Request) -> pd.DataFrame:
    """One row per community, best first; a community with no score at all is listed last, flagged."""
    frame = assessment(store, request.filters, request.year, request.standards, request.profile)
    return ASSESSMENT.typed(frame[list(COLUMNS)])


ASSESSMENT = Indicator(
    name="assessment",
    query="assessment",
    grain="one row per community and year (a score never depends on the selection; the rank does)",
    year_table="survey",  # residents' satisfaction is the measure the assessment is tied to
    export_columns=COLUMNS,
    export=export_rows,
    integer_columns=("rank",),
    boolean_columns=("rated",),
)
