-- The assessment (考核): four component scores against fixed targets, their weighted
-- composite, rank and tier (INDICATORS.md, "assessment"). The components are computed
-- from the community rows of the four theme indicators, selected from their macros
-- (macros.satisfaction_rows, task_burden_rows, facility_rows, turnover_rows), so each
-- theme is defined once (in its own query file) and the assessment only scores it.

-- name: macro_assessment_weight
-- Σ weight over the component scores that are not null: the composite's denominator.
create or replace macro macros.assessment_weight(s1, s2, s3, s4, w1, w2, w3, w4) as
    case when s1 is null then 0 else w1 end
    + case when s2 is null then 0 else w2 end
    + case when s3 is null then 0 else w3 end
    + case when s4 is null then 0 else w4 end

-- name: macro_assessment_composite
-- Σ weight × score / Σ weight over the scores that are not null; null when none is
-- (or when the weights of those present are all zero).
create or replace macro macros.assessment_composite(s1, s2, s3, s4, w1, w2, w3, w4) as
    (coalesce(w1 * s1, 0) + coalesce(w2 * s2, 0) + coalesce(w3 * s3, 0) + coalesce(w4 * s4, 0))
    / nullif(macros.assessment_weight(s1, s2, s3, s4, w1, w2, w3, w4), 0)

-- name: assessment
-- One row per community in the filter for year Y, those with no score at all included
-- (flagged by components_missing) so nobody is silently dropped. A community lacking a
-- component of positive weight is not rated (rated false): no rank, no tier.
-- Parameters: $district, $street, $community_type, $community_id (the filter); $year;
-- what the themes take: $min_n, $facility_rules, $reference_districts, $reference_wages;
-- $turnover_ceiling; $w_satisfaction, $w_burden, $w_facility, $w_staffing (weights);
-- $tier_floors (descending) and $tier_labels (one more label than floors: the last is
-- the tier below every floor). The themes' rows are those of their indicators at level
-- 'community' (group_key = community_id).
-- best_lever is the component whose rise to 100 would add most to the composite, and
-- best_lever_gain how many composite points that would add.
-- Grain: one row per community.
with scores as (
    select
        c.community_id,
        c.community_name,
        c.district,
        c.street,
        c.community_type,
        case when not s.suppressed then (s.mean_overall - 1) / 4 * 100 end as satisfaction_score,
        50 * (1 - b.admin_hours_share) + 50 * (1 - b.unadmitted_share) as burden_score,
        100 * f.rules_passed / nullif(f.rules_applicable, 0) as facility_score,
        -- least() skips nulls in DuckDB: without the guard, no turnover rate would score 0.
        case when t.turnover_rate is not null then 100 * (1 - least(t.turnover_rate / $turnover_ceiling, 1)) end
            as staffing_score,
    from macros.scoped_communities('community', $district, $street, $community_type, $community_id) as c
    left join macros.satisfaction_rows(
        'community', $district, $street, $community_type, $community_id, $year, $min_n
    ) as s on s.group_key = c.community_id
    left join macros.task_burden_rows(
        'community', $district, $street, $community_type, $community_id, $year, $administrative_categories
    ) as b on b.group_key = c.community_id
    left join macros.facility_rows(
        'community', $district, $street, $community_type, $community_id, $year, $facility_rules
    ) as f on f.community_id = c.community_id
    left join macros.turnover_rows(
        'community', $district, $street, $community_type, $community_id, $year, $reference_districts, $reference_wages
    ) as t on t.group_key = c.community_id
),

weighted as (
    select
        *,
        macros.assessment_composite(
            satisfaction_score, burden_score, facility_score, staffing_score,
            $w_satisfaction, $w_burden, $w_facility, $w_staffing
        ) as composite,
        macros.assessment_weight(
            satisfaction_score, burden_score, facility_score, staffing_score,
            $w_satisfaction, $w_burden, $w_facility, $w_staffing
        ) as weight_present,
        -- rated: every component with a positive weight has a score. A community missing
        -- one keeps its partial composite but gets no rank and no tier.
        (satisfaction_score is not null or $w_satisfaction <= 0)
        and (burden_score is not null or $w_burden <= 0)
        and (facility_score is not null or $w_facility <= 0)
        and (staffing_score is not null or $w_staffing <= 0)
        and composite is not null as rated,
    from scores
),

levers as (
    select
        community_id,
        arg_max(lever.component, lever.gain) as best_lever,
        max(lever.gain) as best_lever_gain,
    from (
        select
            community_id,
            unnest([
                {'component': 'satisfaction', 'gain': $w_satisfaction * (100 - satisfaction_score) / weight_present},
                {'component': 'burden', 'gain': $w_burden * (100 - burden_score) / weight_present},
                {'component': 'facility', 'gain': $w_facility * (100 - facility_score) / weight_present},
                {'component': 'staffing', 'gain': $w_staffing * (100 - staffing_score) / weight_present}
            ]) as lever,
        from weighted
        where weight_present > 0
    )
    where lever.gain > 0
    group by community_id
)

select
    w.community_id,
    w.community_name,
    w.district,
    w.street,
    w.community_type,
    w.satisfaction_score,
    w.burden_score,
    w.facility_score,
    w.staffing_score,
    w.composite,
    concat_ws(
        ',',
        case when w.satisfaction_score is null then 'satisfaction' end,
        case when w.burden_score is null then 'burden' end,
        case when w.facility_score is null then 'facility' end,
        case when w.staffing_score is null then 'staffing' end
    ) as components_missing,
    w.rated,
    -- Only the rated are ranked: 1 = highest composite among them. Ties share a rank
    -- (1, 2, 2, 4); the rounding keeps float noise from breaking a tie.
    case
        when w.rated then rank() over (partition by w.rated order by round(w.composite, 9) desc nulls last)
    end as rank,
    case
        when w.rated then $tier_labels[len(list_filter($tier_floors, lambda floor: w.composite < floor)) + 1]
    end as tier,
    l.best_lever,
    l.best_lever_gain,
from weighted as w
left join levers as l using (community_id)
-- The rated best first, then the unrated by partial composite (those with none last).
order by rank nulls last, w.composite desc nulls last, w.community_id

-- name: assessment_rank_range
-- How much of each place the weighting decides: every weight is multiplied by each of
-- $factors (e.g. 0.9, 1.0, 1.1) independently, every combination re-ranks the
-- communities, and each community's best and worst rank over all combinations is kept.
-- Parameters: $w_satisfaction, $w_burden, $w_facility, $w_staffing, $factors.
-- Relation: score_rows, the rows of the assessment query, registered from the frame the
-- page already holds (recomputing the themes here would score each view twice).
-- Only the rated communities are ranked, in every combination: a weight that is positive
-- stays positive when multiplied, so the rated set is the same in all of them.
-- Grain: one row per rated community.
with factors as (
    select unnest($factors) as factor
),

scenarios as (
    select
        row_number() over () as scenario,
        a.factor * $w_satisfaction as w1,
        b.factor * $w_burden as w2,
        c.factor * $w_facility as w3,
        d.factor * $w_staffing as w4,
    from factors as a, factors as b, factors as c, factors as d
),

rescored as (
    select
        s.scenario,
        r.community_id,
        macros.assessment_composite(
            r.satisfaction_score, r.burden_score, r.facility_score, r.staffing_score, s.w1, s.w2, s.w3, s.w4
        ) as composite,
    from score_rows as r
    cross join scenarios as s
    where r.rated
),

ranked as (
    select
        community_id,
        rank() over (partition by scenario order by round(composite, 9) desc nulls last) as rank,
    from rescored
)

select
    r.community_id,
    r.community_name,
    r.composite,
    r.rank,
    min(k.rank) as rank_best,
    max(k.rank) as rank_worst,
from score_rows as r
join ranked as k using (community_id)
where r.rated
group by all
order by r.rank, r.community_id

-- name: assessment_contributions
-- What each component adds to each community's composite: weight × score / Σ weight over
-- the components it has, so a community's parts add up to its composite. A missing
-- component adds nothing and is listed with contribution null, to be flagged, not hidden.
-- Parameters: $w_satisfaction, $w_burden, $w_facility, $w_staffing.
-- Relation: score_rows, the rows of the assessment query (registered, as above).
-- Grain: one row per (community, component).
with weighted as (
    select
        *,
        macros.assessment_weight(
            satisfaction_score, burden_score, facility_score, staffing_score,
            $w_satisfaction, $w_burden, $w_facility, $w_staffing
        ) as weight_present,
    from score_rows
    where composite is not null
)

select
    community_id,
    community_name,
    rank,
    rated,
    part.component,
    part.position,
    part.score,
    part.weight * part.score / weight_present as contribution,
from (
    select
        *,
        unnest([
            {'component': 'satisfaction', 'position': 1, 'score': satisfaction_score, 'weight': $w_satisfaction},
            {'component': 'burden', 'position': 2, 'score': burden_score, 'weight': $w_burden},
            {'component': 'facility', 'position': 3, 'score': facility_score, 'weight': $w_facility},
            {'component': 'staffing', 'position': 4, 'score': staffing_score, 'weight': $w_staffing}
        ]) as part,
    from weighted
)
order by rank nulls last, composite desc, community_id, part.position
