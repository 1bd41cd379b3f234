-- Community profile (社区画像): one community against the other communities of its
-- district — where it stands on each measure of the four themes, and how its measures
-- moved over the years beside the district median. The measures themselves are the theme
-- indicators' (their own query files define them); this file only places one community.

-- name: profile_community
-- Who the community is: name, district, street, type and size.
-- Parameters: $community_id. Grain: one row (none when the id is unknown).
select
    community_id,
    community_name,
    district,
    street,
    community_type,
    population,
    households,
from main.communities
where community_id = $community_id

-- name: profile_positions
-- Where each community stands in its district on every measure: its value, the district
-- median over the communities that have a value, its rank (1 = best; ties share the
-- better rank) and its position (n_ranked − rank) / (n_ranked − 1), 0 for the district's
-- worst and 1 for its best. Which way is better and the standard of each measure come as
-- data (four parallel lists, in the order the profile lists its measures: $measure_names,
-- $measure_themes, $measure_betters, $measure_standards); a measure without a direction
-- gets a median but no rank, and a measure with fewer than $min_ranked communities valued
-- gets neither rank nor position. The values are the community-level rows of the theme
-- indicators over the district, selected from their macros.
-- Parameters: $district, $year, $min_ranked, the measures, and what the themes take:
-- $min_n, $facility_rules, $reference_districts, $reference_wages, $seat_max_population,
-- $seat_counts. Grain: one row per (community of the district, measure of the lists).
with
measures as (
    select
        unnest($measure_names) as measure,
        unnest($measure_themes) as theme,
        unnest($measure_betters) as better,
        unnest(cast($measure_standards as double[])) as standard,
        unnest(range(len($measure_names))) as ordinal,
),

values_wide as (
    select
        scope.community_id,
        b.admin_hours_share::double as admin_hours_share,
        b.unadmitted_share::double as unadmitted_share,
        b.tasks_per_staff::double as tasks_per_staff,
        s.mean_overall::double as mean_overall,
        (f.rules_passed / nullif(f.rules_applicable, 0))::double as rules_passed_share,
        f.area_per_100_households::double as area_per_100_households,
        f.budget_per_100_households::double as budget_per_100_households,
        f.resident_space_share::double as resident_space_share,
        t.turnover_rate::double as turnover_rate,
        t.headcount_end::double as headcount_end,
        t.pay_to_reference::double as pay_to_reference,
        t.certified_share::double as certified_share,
        p.seat_gap::double as seat_gap,
        p.workers_per_10000::double as workers_per_10000,
    from macros.scoped_communities('community', $district, null, null, null) as scope
    left join macros.task_burden_rows(
        'community', $district, null, null, null, $year, $administrative_categories
    ) as b on b.group_key = scope.community_id
    left join macros.satisfaction_rows(
        'community', $district, null, null, null, $year, $min_n
    ) as s on s.group_key = scope.community_id
    left join macros.facility_rows(
        'community', $district, null, null, null, $year, $facility_rules
    ) as f on f.community_id = scope.community_id
    left join macros.turnover_rows(
        'community', $district, null, null, null, $year, $reference_districts, $reference_wages
    ) as t on t.group_key = scope.community_id
    left join macros.staffing_rows(
        $district, null, null, null, $year, $seat_max_population, $seat_counts
    ) as p on p.community_id = scope.community_id
),

values_long as (
    from values_wide
    unpivot include nulls (value for measure in (columns(* exclude (community_id))))
),

judged as (
    select
        values_long.community_id,
        measures.measure,
        measures.theme,
        measures.better,
        measures.standard,
        measures.ordinal,
        values_long.value,
        -- rounded so float noise cannot split a tie
        round(values_long.value * case measures.better when 'higher' then 1 when 'lower' then -1 end, 9)
            as goodness,
    from values_long
    join measures using (measure)
),

placed as (
    select
        *,
        count(value) over per_measure as n_with_value,
        median(value) over per_measure as district_median,
        count(goodness) over per_measure as n_judged,
        case when goodness is not null
            then rank() over (partition by measure order by goodness desc nulls last)
        end as goodness_rank,
    from judged
    window per_measure as (partition by measure)
)

select
    community_id,
    measure,
    theme,
    better,
    value,
    district_median,
    value - district_median as diff_from_median,
    n_with_value,
    case when n_judged >= $min_ranked then goodness_rank end as rank,
    case when n_judged >= $min_ranked and goodness_rank is not null then n_judged end as n_ranked,
    case when n_judged >= $min_ranked
        then (n_judged - goodness_rank) / (n_judged - 1)
    end as position,
    standard,
    case when value is not null and standard is not null then value >= standard end as meets_standard,
from placed
order by community_id, ordinal

-- name: profile_trends
-- One community's measures year by year beside the district median of the same measure:
-- mean satisfaction (only years with at least $min_n responses count, for the community
-- and for the median alike), the administrative share of hours, and turnover (from the
-- year after the district's first hire: macros.staff_years, as staff_turnover_by_year).
-- Years up to $year.
-- Turnover rows also carry the community's separations and average_headcount
-- ((headcount_start + headcount_end) / 2, staff_turnover's denominator), so a rate above
-- 100 % — more people left than were on average in post — can be read with its counts.
-- Parameters: $district, $community_id, $year, $min_n.
-- Grain: one row per (measure, year) with a value anywhere in the district.
with
scope as (
    select community_id
    from macros.scoped_communities('community', $district, null, null, null)
),

satisfaction_years as (
    select
        survey.community_id,
        survey.year_of as year,
        case when count(*) >= $min_n
            then fsum(coalesce(survey.weight, 1.0) * survey.overall) / fsum(coalesce(survey.weight, 1.0))
        end as value,
    from macros.survey_by_year as survey
    join scope using (community_id)
    where survey.year_of <= $year
    group by survey.community_id, survey.year_of
),

admin_years as (
    select
        tasks.community_id,
        tasks.year_of as year,
        macros.admin_hours_share(tasks.hours, tasks.task_category, $administrative_categories) as value,
    from macros.tasks_by_year as tasks
    join scope using (community_id)
    where tasks.year_of <= $year
    group by tasks.community_id, tasks.year_of
),

turnover_years as (
    select
        community_id,
        year,
        separations / nullif((headcount_start + headcount_end) / 2, 0) as value,
        separations,
        (headcount_start + headcount_end) / 2 as average_headcount,
    from macros.staff_years($district, null, null, null, $year)
),

community_years as (
    select 'mean_overall' as measure, community_id, year, value, null as separations, null as average_headcount,
    from satisfaction_years
    union all
    select 'admin_hours_share', community_id, year, value, null, null from admin_years
    union all
    select 'turnover_rate', community_id, year, value, separations, average_headcount from turnover_years
)

select
    measure,
    year,
    any_value(value) filter (where community_id = $community_id) as value,
    median(value) as district_median,
    count(value) as n_communities,
    any_value(separations) filter (where community_id = $community_id) as separations,
    any_value(average_headcount) filter (where community_id = $community_id)::double as average_headcount,
from community_years
group by measure, year
having count(value) > 0
order by measure, year
