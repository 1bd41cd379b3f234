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

-- name: macro_design_sums
-- The additive sums a weighted mean and its linearization variance are computed from, over
-- the rows of a group: an aggregate giving a struct (n, sw = Σw, sw2 = Σw², swx = Σwx,
-- sw2x = Σw²x, sw2x2 = Σw²x²), which unnest() spreads into columns. Σw², Σw²x and Σw²x² give
-- Σw²(x − m)² for any centre m, so a roll-up's variance needs no second pass over the rows.
-- The fixed questions (here) and a questionnaire's own (survey_items.sql) are summed alike.
create or replace macro macros.design_sums(p_w, p_x) as {
    'n': count(*),
    'sw': fsum(p_w),
    'sw2': fsum(p_w * p_w),
    'swx': fsum(p_w * p_x),
    'sw2x': fsum(p_w * p_w * p_x),
    'sw2x2': fsum(p_w * p_w * p_x * p_x)
}

-- name: macro_stratum_spread
-- One stratum's n_h/(n_h − 1) · Σ_i (e_hi − ē_h)² around the group's mean p_mean, from its
-- design sums, each weight scaled by p_k (w* = k·w): Σe = k(Σwx − mean·Σw) and
-- Σe² = k²(Σw²x² − 2·mean·Σw²x + mean²·Σw²). p_n is the stratum's number of rows; float
-- noise below 0 counts as 0. Summed over the strata and divided by (Σw*)², it is se².
create or replace macro macros.stratum_spread(p_n, p_k, p_sw, p_sw2, p_swx, p_sw2x, p_sw2x2, p_mean) as
    p_n / (p_n - 1)
        * greatest(
            p_k * p_k * (p_sw2x2 - 2 * p_mean * p_sw2x + p_mean * p_mean * p_sw2)
            - (p_k * (p_swx - p_mean * p_sw)) ^ 2 / p_n,
            0
        )

-- name: macro_satisfaction_rows
-- Weighted satisfaction per group for year p_year, as R's survey package estimates it: the rows
-- the satisfaction query returns, and those the headline counts and the assessment scores.
--
-- A community's row is the design svydesign(ids = ~1, weights = ~w): the mean Σwx/Σw and the
-- linearization se = √(n/(n − 1) · Σw²(x − mean)²) / Σw, on n − 1 degrees of freedom.
-- A roll-up (street, type, district) stands for residents, not for whoever answered: each
-- response is weighted w* = w · P_h / W_h (P_h its community's population, W_h the community's
-- Σw), so each community counts by its population, and the design is stratified by community,
-- svydesign(ids = ~1, strata = ~community_id, weights = ~w*): the mean Σw*x/Σw* = ΣP_h·mean_h/ΣP_h
-- and se² = Σ_h n_h/(n_h − 1) · Σ_i (e_hi − ē_h)² / (Σw*)², e_hi = w*_hi(x_hi − mean), on n − H
-- degrees of freedom. With one community (H = 1) the two are the same estimator.
--
-- The t quantile is not a DuckDB function, so this returns se and df and the indicator module
-- finishes the interval. `n` counts every response of the group, `n_counted` those in its
-- statistics (responses of communities under p_min_n are withheld); every statistic is null
-- when n_counted < p_min_n. An item's mean is over the counted rows that answered it.
-- Arguments: p_level and the filter (as macros.scoped_communities), p_year, p_min_n.
-- Grain: one row per group with responses.
create or replace macro macros.satisfaction_rows(p_level, p_district, p_street, p_type, p_community, p_year, p_min_n)
as table
with
scope as (
    select community_id, group_key, group_label, population
    from macros.scoped_communities(p_level, p_district, p_street, p_type, p_community)
),

-- Additive sums per community first (macros.design_sums), from the survey rows alone; groups
-- (streets, types…) then add communities' sums, so 2 million responses are read once and
-- never carry labels.
per_community as (
    select
        community_id,
        unnest(macros.design_sums(w, overall)),
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
    from (select *, coalesce(weight, 1.0) as w from macros.survey_in_years(p_year, p_year)) as survey
    where community_id in (select community_id from scope)
    group by community_id
),

-- What may be counted: a community's sums only when it has p_min_n responses (everything else
-- is null, so no group adds it), each scaled by k = P_h / W_h, which turns w into w*. A
-- community's own row keeps its weights (k = 1): its design is unstratified, and its
-- population plays no part in its own mean.
counted as (
    select
        p.community_id,
        scope.group_key,
        scope.group_label,
        p.n,
        p.n >= p_min_n as shown,
        case when p.n >= p_min_n then p.n else 0 end as n_counted,
        case when p_level = 'community' then 1.0 else scope.population / p.sw end as k,
        p.sw, p.sw2, p.swx, p.sw2x, p.sw2x2, p.sw_top2,
        p.swx_service, p.sw_service, p.swx_environment, p.sw_environment,
        p.swx_safety, p.sw_safety, p.swx_participation, p.sw_participation,
        p.swx_staff_attitude, p.sw_staff_attitude, p.swx_facilities, p.sw_facilities,
    from per_community as p
    join scope using (community_id)
),

measured as (
    select
        group_key,
        any_value(group_label) as group_label,
        sum(n)::bigint as n,
        sum(n_counted)::bigint as n_counted,
        count(*) filter (where shown) as strata,
        bool_or(shown and n < 2) as lonely,
        fsum(k * sw) filter (where shown) as sum_w,
        fsum(k * swx) filter (where shown) / fsum(k * sw) filter (where shown) as mean_overall,
        fsum(k * sw_top2) filter (where shown) / fsum(k * sw) filter (where shown) as top2_share,
        fsum(k * swx_service) filter (where shown) / fsum(k * sw_service) filter (where shown) as mean_service,
        fsum(k * swx_environment) filter (where shown)
            / fsum(k * sw_environment) filter (where shown) as mean_environment,
        fsum(k * swx_safety) filter (where shown) / fsum(k * sw_safety) filter (where shown) as mean_safety,
        fsum(k * swx_participation) filter (where shown)
            / fsum(k * sw_participation) filter (where shown) as mean_participation,
        fsum(k * swx_staff_attitude) filter (where shown)
            / fsum(k * sw_staff_attitude) filter (where shown) as mean_staff_attitude,
        fsum(k * swx_facilities) filter (where shown)
            / fsum(k * sw_facilities) filter (where shown) as mean_facilities,
    from counted
    group by group_key
),

-- Each stratum's n_h/(n_h − 1) · Σ_i (e_hi − ē_h)² around the group's mean (macros.stratum_spread).
strata as (
    select
        c.group_key,
        macros.stratum_spread(c.n, c.k, c.sw, c.sw2, c.swx, c.sw2x, c.sw2x2, m.mean_overall) as spread,
    from counted as c
    join measured as m using (group_key)
    where c.shown and c.n > 1
),

spread as (
    select group_key, fsum(spread) as spread from strata group by group_key
)

select
    m.group_key,
    m.group_label,
    m.n,
    m.n_counted,
    m.n - m.n_counted as n_withheld,
    m.n_counted < p_min_n as suppressed,
    case when m.n_counted >= p_min_n then m.mean_overall end as mean_overall,
    -- A stratum of one response has no variance of its own (R stops: "lonely PSU").
    case when m.n_counted >= p_min_n and not m.lonely and m.sum_w > 0
        then sqrt(s.spread) / m.sum_w
    end as se,
    case when m.n_counted >= p_min_n then m.n_counted - m.strata end as df,
    case when m.n_counted >= p_min_n then m.top2_share end as top2_share,
    case when m.n_counted >= p_min_n then m.mean_service end as mean_service,
    case when m.n_counted >= p_min_n then m.mean_environment end as mean_environment,
    case when m.n_counted >= p_min_n then m.mean_safety end as mean_safety,
    case when m.n_counted >= p_min_n then m.mean_participation end as mean_participation,
    case when m.n_counted >= p_min_n then m.mean_staff_attitude end as mean_staff_attitude,
    case when m.n_counted >= p_min_n then m.mean_facilities end as mean_facilities,
from measured as m
left join spread as s using (group_key)

-- name: satisfaction
-- Weighted satisfaction per group for year $year (macros.satisfaction_rows); the indicator
-- module finishes the interval from se and df (the t quantile is not a DuckDB function).
-- Parameters: $year, $min_n, $level and the filter. Grain: one row per group with responses.
select *
from macros.satisfaction_rows($level, $district, $street, $community_type, $community_id, $year, $min_n)
order by group_key

-- name: satisfaction_below_neutral
-- How many communities are shown, and how many of them have a mean overall satisfaction below
-- the scale's middle answer ($neutral: 3 = 一般), from the per-community rows
-- (macros.satisfaction_rows at level 'community'). A suppressed community has no mean, so it
-- is in neither count; with none shown there is nothing to count, and n_below is null.
-- Parameters: $year, $min_n, the filter and $neutral. Grain: one row.
select
    count(mean_overall)::bigint as n_shown,
    case when count(mean_overall) > 0
        then count(*) filter (where mean_overall < $neutral)
    end::bigint as n_below,
from macros.satisfaction_rows('community', $district, $street, $community_type, $community_id, $year, $min_n)

-- name: macro_shown_responses
-- The responses of year p_year in the filter's communities that returned at least p_min_n,
-- each with w (its weight, 1 when none) and k = P_h / W_h (the community's population over
-- its Σw), which turns w into w* = k·w so each community counts by its population: what the
-- answer shares of the fixed questions and of a questionnaire's own count.
-- Arguments: the filter (as macros.scoped_communities), p_year, p_min_n.
-- Grain: one row per response of a community shown.
create or replace macro macros.shown_responses(p_district, p_street, p_type, p_community, p_year, p_min_n)
as table
with
responses as (
    select survey.*, coalesce(survey.weight, 1.0) as w, scope.population
    from macros.survey_in_years(p_year, p_year) as survey
    join macros.scoped_communities('community', p_district, p_street, p_type, p_community) as scope
        using (community_id)
),

large_enough as (
    select community_id, any_value(population) / fsum(w) as k
    from responses
    group by community_id
    having count(*) >= p_min_n
)

select responses.* exclude (population), large_enough.k
from responses
join large_enough using (community_id)

-- name: satisfaction_distribution
-- Weighted share of each answer (1-5) for every survey item, for the diverging bar.
-- Only communities of at least $min_n responses are counted, so no small community's
-- answers are shown, nor can they be worked out from a larger filter's shares. Like the
-- roll-ups, the shares stand for residents: each response is weighted w* = w · P_h / W_h, so
-- each community counts by its population (with one community, the plain weights' shares).
-- Parameters: $year, $min_n and the filter. Grain: one row per (item, answer).
with
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
        fsum(k * w) as sum_w,
        count(*) as n,
    from macros.shown_responses($district, $street, $community_type, $community_id, $year, $min_n)
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
-- `n` counts the responses in the statistics, `n_withheld` the group's others; `se` and `df`
-- are the group's design-based standard error and degrees of freedom (below).
-- Parameters: $year, $min_n, $attribute and the filter. Grain: one row per group value.
with
responses as (
    select
        survey.community_id,
        case $attribute when 'gender' then survey.gender when 'age_group' then survey.age_group end as respondent_group,
        survey.overall,
        coalesce(survey.weight, 1.0) as w,
        scope.population,
    from macros.survey_in_years($year, $year) as survey
    join macros.scoped_communities('community', $district, $street, $community_type, $community_id) as scope
        using (community_id)
),

-- A group across communities stands for residents, as the roll-ups do: each response
-- weighted w* = w · P_h / W_h, with W_h the Σw of its whole community, so each community
-- counts by its population (R: svyby on the design stratified by community, weights w*).
scaled as (
    select community_id, any_value(population) / fsum(w) as k, count(*) as community_n
    from responses
    group by community_id
),

large_enough as (
    select community_id from responses group by community_id having count(*) >= $min_n
),

cells as (
    select
        community_id,
        respondent_group,
        unnest(macros.design_sums(w, overall)),
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
        fsum(k * sw) as sum_w,
        fsum(k * swx) / fsum(k * sw) as mean_overall,
        fsum(k * sw_top2) / fsum(k * sw) as top2_share,
    from shown
    join scaled using (community_id)
    group by respondent_group
),

-- The group's se is a domain estimate in the design of every shown community's responses,
-- stratified by community (R: svyby(~overall, ~group, design, svymean)): a response of the
-- group's shown cells has z = w*(x − mean)/Σw*, every other response z = 0, and each
-- community adds n_h/(n_h − 1)·(Σz² − (Σz)²/n_h) over all its n_h responses.
spread as (
    select
        cell.respondent_group,
        fsum(
            macros.stratum_spread(
                scaled.community_n, scaled.k, cell.sw, cell.sw2, cell.swx, cell.sw2x, cell.sw2x2, g.mean_overall
            )
        ) / (any_value(g.sum_w) ^ 2) as variance,
    from shown as cell
    join scaled using (community_id)
    join summed as g using (respondent_group)
    where scaled.community_n > 1
    group by cell.respondent_group
),

-- The design's degrees of freedom: the shown communities' responses less their number.
design as (
    select sum(scaled.community_n) - count(*) as df
    from scaled
    semi join large_enough using (community_id)
)

select
    groups.respondent_group,
    coalesce(summed.n, 0)::bigint as n,
    (groups.n_all - coalesce(summed.n, 0))::bigint as n_withheld,
    coalesce(summed.n, 0) < $min_n as suppressed,
    case when summed.n >= $min_n then summed.mean_overall end as mean_overall,
    case when summed.n >= $min_n then sqrt(spread.variance) end as se,
    case when summed.n >= $min_n then design.df end as df,
    case when summed.n >= $min_n then summed.top2_share end as top2_share,
from groups
left join summed using (respondent_group)
left join spread using (respondent_group)
cross join design
order by groups.respondent_group
