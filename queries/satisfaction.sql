-- Resident satisfaction from returned questionnaires, weighted, with small groups
-- suppressed so no individual answer can be seen or worked out.
-- Definitions: ../shared/INDICATORS.md, "satisfaction".
--
-- Disclosure control, the same in every query of this file: a statistic over fewer than
-- $min_n responses is never returned, and no figure that *is* returned contains the answers
-- of a suppressed group. Roll-ups (streets, types, the district) add up only communities of
-- at least $min_n responses; respondent groups only (community, group) cells that are shown
-- (see satisfaction_by_respondent). So a suppressed group cannot be recovered by subtracting its
-- siblings from a total: it is in no total.

-- name: satisfaction
-- Weighted satisfaction per group for year $year. The t quantile of the 95 % interval is
-- not a DuckDB function, so this returns the pieces (n_eff, s) and the indicator module
-- finishes the interval. `n` counts every response of the group, `n_counted` those in its
-- statistics (responses of communities under $min_n are withheld); every statistic is null
-- when n_counted < $min_n. An item's mean is over the counted rows that answered it.
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

-- What may be counted: a community's sums only when it has $min_n responses. Everything
-- else is null, so no group adds it.
counted as (
    select
        community_id,
        n,
        case when n >= $min_n then n else 0 end as n_counted,
        case when n >= $min_n then sw end as sw,
        case when n >= $min_n then sw2 end as sw2,
        case when n >= $min_n then swx end as swx,
        case when n >= $min_n then swx2 end as swx2,
        case when n >= $min_n then sw_top2 end as sw_top2,
        case when n >= $min_n then swx_service end as swx_service,
        case when n >= $min_n then sw_service end as sw_service,
        case when n >= $min_n then swx_environment end as swx_environment,
        case when n >= $min_n then sw_environment end as sw_environment,
        case when n >= $min_n then swx_safety end as swx_safety,
        case when n >= $min_n then sw_safety end as sw_safety,
        case when n >= $min_n then swx_participation end as swx_participation,
        case when n >= $min_n then sw_participation end as sw_participation,
        case when n >= $min_n then swx_staff_attitude end as swx_staff_attitude,
        case when n >= $min_n then sw_staff_attitude end as sw_staff_attitude,
        case when n >= $min_n then swx_facilities end as swx_facilities,
        case when n >= $min_n then sw_facilities end as sw_facilities,
    from per_community
),

measured as (
    select
        scope.group_key,
        any_value(scope.group_label) as group_label,
        sum(c.n)::bigint as n,
        sum(c.n_counted)::bigint as n_counted,
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
    from counted as c
    join scope using (community_id)
    group by scope.group_key
)

select
    group_key,
    group_label,
    n,
    n_counted,
    n - n_counted as n_withheld,
    n_counted < $min_n as suppressed,
    case when n_counted >= $min_n then mean_overall end as mean_overall,
    case when n_counted >= $min_n then n_eff end as n_eff,
    case when n_counted >= $min_n and n_eff > 1
        then sqrt(sum_w_sq_dev / sum_w * n_eff / (n_eff - 1))
    end as sd_overall,
    case when n_counted >= $min_n then top2_share end as top2_share,
    case when n_counted >= $min_n then mean_service end as mean_service,
    case when n_counted >= $min_n then mean_environment end as mean_environment,
    case when n_counted >= $min_n then mean_safety end as mean_safety,
    case when n_counted >= $min_n then mean_participation end as mean_participation,
    case when n_counted >= $min_n then mean_staff_attitude end as mean_staff_attitude,
    case when n_counted >= $min_n then mean_facilities end as mean_facilities,
from measured
order by group_key

-- name: satisfaction_below_neutral
-- How many communities are shown, and how many of them have a mean overall satisfaction below
-- the scale's middle answer ($neutral: 3 = 一般), from the per-community rows of the query
-- above (registered as community_rows). A suppressed community has no mean, so it is in
-- neither count; with none shown there is nothing to count, and n_below is null.
-- Parameters: $neutral. Grain: one row.
select
    count(mean_overall)::bigint as n_shown,
    case when count(mean_overall) > 0
        then count(*) filter (where mean_overall < $neutral)
    end::bigint as n_below,
from community_rows

-- name: satisfaction_distribution
-- Weighted share of each answer (1-5) for every survey item, for the diverging bar.
-- Only communities of at least $min_n responses are counted, so no small community's
-- answers are shown, nor can they be worked out from a larger filter's shares.
-- Parameters: $year, $min_n and the filter. Grain: one row per (item, answer).
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
-- a bound value chosen with CASE) for year $year.
-- The unit of disclosure is a (community, group) cell, because a community's total is
-- shown: a cell under $min_n is hidden (primary suppression), and so is the cell of
-- respondents who did not say, which is never shown as a group. When a community's hidden
-- cells hold fewer than $min_n responses together, its smallest shown cells are hidden too
-- (secondary suppression) until they hold $min_n, so the community's total minus its shown
-- cells never isolates a small group. Each group's figures then add up only shown cells:
-- every number returned is a sum of cells of at least $min_n, and a hidden cell is in none.
-- `n` counts the responses in the statistics, `n_withheld` the group's others.
-- Parameters: $year, $min_n, $attribute and the filter. Grain: one row per group value.
with
scope as (
    select * from meta.scoped_communities('community', $district, $street, $community_type, $community_id)
),

responses as (
    select
        survey.community_id,
        case $attribute when 'gender' then survey.gender when 'age_group' then survey.age_group end as respondent_group,
        survey.overall,
        coalesce(survey.weight, 1.0) as w,
    from main.survey as survey
    join scope using (community_id)
    where year(survey.survey_date) = $year
),

large_enough as (
    select community_id from responses group by community_id having count(*) >= $min_n
),

cells as (
    select
        community_id,
        respondent_group,
        count(*) as n,
        fsum(w) as sw,
        fsum(w * overall) as swx,
        coalesce(fsum(w) filter (where overall >= 4), 0) as sw_top2,
        community_id in (select community_id from large_enough) as community_shown,
        respondent_group is null or count(*) < $min_n as primary_hidden,
    from responses
    group by community_id, respondent_group
),

-- For each shown cell, the responses already hidden in its community and those of the
-- shown cells smaller than it (ties broken by the group's name).
ordered as (
    select
        *,
        sum(case when primary_hidden then n else 0 end) over (partition by community_id) as hidden_n,
        coalesce(sum(n) over (
            partition by community_id, primary_hidden
            order by n, respondent_group
            rows between unbounded preceding and 1 preceding
        ), 0) as smaller_shown_n,
    from cells
),

shown as (
    select *
    from ordered
    where community_shown
      and not primary_hidden
      and (hidden_n = 0 or hidden_n + smaller_shown_n >= $min_n)
),

groups as (
    select respondent_group, sum(n) as n_all
    from cells
    where respondent_group is not null
    group by respondent_group
),

summed as (
    select
        respondent_group,
        sum(n) as n,
        fsum(swx) / fsum(sw) as mean_overall,
        fsum(sw_top2) / fsum(sw) as top2_share,
    from shown
    group by respondent_group
)

select
    groups.respondent_group,
    coalesce(summed.n, 0)::bigint as n,
    (groups.n_all - coalesce(summed.n, 0))::bigint as n_withheld,
    coalesce(summed.n, 0) < $min_n as suppressed,
    case when summed.n >= $min_n then summed.mean_overall end as mean_overall,
    case when summed.n >= $min_n then summed.top2_share end as top2_share,
from groups
left join summed using (respondent_group)
order by groups.respondent_group
