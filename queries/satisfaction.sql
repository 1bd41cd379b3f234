-- Resident satisfaction from returned questionnaires, weighted, with small groups
-- suppressed so no individual answer can be seen.
-- Definitions: ../shared/INDICATORS.md, "satisfaction".

-- name: satisfaction
-- Weighted satisfaction per group for year $year. The t quantile of the 95 % interval is
-- not a DuckDB function, so this returns the pieces (n_eff, s) and the indicator module
-- finishes the interval. Every statistic is null when n < $min_n.
-- Parameters: $year, $min_n, $level and the filter. Grain: one row per group with responses.
with
scope as (
    select * from meta.scoped_communities($level, $district, $street, $community_type, $community_id)
),

responses as (
    select
        scope.group_key,
        scope.group_label,
        survey.*,
        coalesce(survey.weight, 1.0) as w,
    from main.survey as survey
    join scope using (community_id)
    where year(survey.survey_date) = $year
),

first_pass as (
    select
        group_key,
        any_value(group_label) as group_label,
        count(*) as n,
        fsum(w) as sum_w,
        fsum(w * w) as sum_w2,
        fsum(w * overall) / fsum(w) as mean_overall,
        coalesce(fsum(w) filter (where overall >= 4), 0) / fsum(w) as top2_share,
        fsum(w * service) / fsum(w) filter (where service is not null) as mean_service,
        fsum(w * environment) / fsum(w) filter (where environment is not null) as mean_environment,
        fsum(w * safety) / fsum(w) filter (where safety is not null) as mean_safety,
        fsum(w * participation) / fsum(w) filter (where participation is not null) as mean_participation,
        fsum(w * staff_attitude) / fsum(w) filter (where staff_attitude is not null) as mean_staff_attitude,
        fsum(w * facilities) / fsum(w) filter (where facilities is not null) as mean_facilities,
    from responses
    group by group_key
),

spread as (
    select
        responses.group_key,
        fsum(responses.w * (responses.overall - first_pass.mean_overall) ^ 2) as sum_w_sq_dev,
    from responses
    join first_pass using (group_key)
    group by responses.group_key
),

measured as (
    select
        first_pass.*,
        first_pass.sum_w ^ 2 / first_pass.sum_w2 as n_eff,
        spread.sum_w_sq_dev,
    from first_pass
    join spread using (group_key)
)

select
    group_key,
    group_label,
    n,
    n < $min_n as suppressed,
    case when n >= $min_n then mean_overall end as mean_overall,
    case when n >= $min_n then n_eff end as n_eff,
    case when n >= $min_n and n_eff > 1
        then sqrt(sum_w_sq_dev / sum_w * n_eff / (n_eff - 1))
    end as sd_overall,
    case when n >= $min_n then top2_share end as top2_share,
    case when n >= $min_n then mean_service end as mean_service,
    case when n >= $min_n then mean_environment end as mean_environment,
    case when n >= $min_n then mean_safety end as mean_safety,
    case when n >= $min_n then mean_participation end as mean_participation,
    case when n >= $min_n then mean_staff_attitude end as mean_staff_attitude,
    case when n >= $min_n then mean_facilities end as mean_facilities,
from measured
order by group_key

-- name: satisfaction_distribution
-- Weighted share of each answer (1-5) for every survey item, for the diverging bar.
-- Only groups of at least $min_n responses are counted, so no small group's answers
-- are shown. Parameters: $year, $min_n and the filter. Grain: one row per (item, answer).
with
scope as (
    select * from meta.scoped_communities('community', $district, $street, $community_type, $community_id)
),

responses as (
    select survey.*
    from main.survey as survey
    join scope using (community_id)
    where year(survey.survey_date) = $year
),

large_enough as (
    select community_id from responses group by community_id having count(*) >= $min_n
),

answers as (
    unpivot (
        select responses.*, coalesce(responses.weight, 1.0) as w
        from responses
        semi join large_enough using (community_id)
    )
    on overall, service, environment, safety, participation, staff_attitude, facilities
    into name item value answer
)

select
    item,
    answer,
    fsum(w) / sum(fsum(w)) over (partition by item) as share,
    count(*) as n,
from answers
where answer is not null
group by item, answer
order by item, answer

-- name: satisfaction_by_respondent
-- Weighted satisfaction by a respondent attribute ($attribute: 'gender' or 'age_group',
-- a bound value chosen with CASE) for year $year, under the same suppression rule as
-- communities: a group under $min_n responses has every statistic null.
-- Parameters: $year, $min_n, $attribute and the filter. Grain: one row per group value.
with
scope as (
    select * from meta.scoped_communities('community', $district, $street, $community_type, $community_id)
),

responses as (
    select
        case $attribute when 'gender' then survey.gender when 'age_group' then survey.age_group end as respondent_group,
        survey.overall,
        coalesce(survey.weight, 1.0) as w,
    from main.survey as survey
    join scope using (community_id)
    where year(survey.survey_date) = $year
)

select
    respondent_group,
    count(*) as n,
    count(*) < $min_n as suppressed,
    case when count(*) >= $min_n then fsum(w * overall) / fsum(w) end as mean_overall,
    case when count(*) >= $min_n then coalesce(fsum(w) filter (where overall >= 4), 0) / fsum(w) end as top2_share,
from responses
where respondent_group is not null
group by respondent_group
order by respondent_group
