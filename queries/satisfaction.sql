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
    select community_id, group_key, group_label
    from meta.scoped_communities($level, $district, $street, $community_type, $community_id)
),

-- Additive sums per community first, from the survey rows alone; groups (streets, types…)
-- then add communities' sums, so 2 million responses are read once and never carry labels.
per_community as (
    select
        community_id,
        count(*) as n,
        fsum(w) as sw,
        fsum(w * w) as sw2,
        fsum(w * overall) as swx,
        fsum(w * overall * overall) as swx2,
        coalesce(fsum(w) filter (where overall >= 4), 0) as sw_top2,
        fsum(w * service) as swx_service,
        fsum(w) filter (where service is not null) as sw_service,
        fsum(w * environment) as swx_environment,
        fsum(w) filter (where environment is not null) as sw_environment,
        fsum(w * safety) as swx_safety,
        fsum(w) filter (where safety is not null) as sw_safety,
        fsum(w * participation) as swx_participation,
        fsum(w) filter (where participation is not null) as sw_participation,
        fsum(w * staff_attitude) as swx_staff_attitude,
        fsum(w) filter (where staff_attitude is not null) as sw_staff_attitude,
        fsum(w * facilities) as swx_facilities,
        fsum(w) filter (where facilities is not null) as sw_facilities,
    from (select *, coalesce(weight, 1.0) as w from main.survey) as survey
    where year(survey_date) = $year
      and community_id in (select community_id from scope)
    group by community_id
),

measured as (
    select
        scope.group_key,
        any_value(scope.group_label) as group_label,
        sum(c.n) as n,
        fsum(c.sw) as sum_w,
        fsum(c.sw) ^ 2 / fsum(c.sw2) as n_eff,
        fsum(c.swx) / fsum(c.sw) as mean_overall,
        -- Σw(x − x̄)² as Σwx² − (Σwx)²/Σw: answers are 1 to 5, so the difference loses
        -- nothing that matters, and the responses are read once, not twice.
        greatest(fsum(c.swx2) - fsum(c.swx) ^ 2 / fsum(c.sw), 0) as sum_w_sq_dev,
        fsum(c.sw_top2) / fsum(c.sw) as top2_share,
        fsum(c.swx_service) / fsum(c.sw_service) as mean_service,
        fsum(c.swx_environment) / fsum(c.sw_environment) as mean_environment,
        fsum(c.swx_safety) / fsum(c.sw_safety) as mean_safety,
        fsum(c.swx_participation) / fsum(c.sw_participation) as mean_participation,
        fsum(c.swx_staff_attitude) / fsum(c.sw_staff_attitude) as mean_staff_attitude,
        fsum(c.swx_facilities) / fsum(c.sw_facilities) as mean_facilities,
    from per_community as c
    join scope using (community_id)
    group by scope.group_key
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

-- One pass over the responses, one grouping set per item: each set counts one item's answers.
counted as (
    select
        case
            when grouping(overall) = 0 then 'overall'
            when grouping(service) = 0 then 'service'
            when grouping(environment) = 0 then 'environment'
            when grouping(safety) = 0 then 'safety'
            when grouping(participation) = 0 then 'participation'
            when grouping(staff_attitude) = 0 then 'staff_attitude'
            when grouping(facilities) = 0 then 'facilities'
        end as item,
        coalesce(overall, service, environment, safety, participation, staff_attitude, facilities) as answer,
        fsum(coalesce(weight, 1.0)) as sum_w,
        count(*) as n,
    from responses
    semi join large_enough using (community_id)
    group by grouping sets ((overall), (service), (environment), (safety), (participation), (staff_attitude), (facilities))
)

select
    item,
    answer,
    sum_w / sum(sum_w) over (partition by item) as share,
    n,
from counted
where answer is not null
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
