-- Task burden: how much work departments hand down to communities, of what kind, and
-- whether it came through the admission list (准入) with funds attached (费随事转).
-- Definitions: ../shared/INDICATORS.md, "task_burden".

-- name: macro_admin_hours_share
-- The administrative share of hours, an aggregate: the hours of tasks whose category is one of
-- p_categories (the contract's administrative categories, bound as $administrative_categories)
-- over all hours; null when there are no hours.
create or replace macro macros.admin_hours_share(p_hours, p_category, p_categories) as
    coalesce(fsum(p_hours) filter (where list_contains(p_categories, p_category)), 0) / nullif(fsum(p_hours), 0)

-- name: macro_task_burden_rows
-- Task burden per group for year p_year: the rows task_burden returns and the assessment
-- and the profile score. A group with no task rows in the year has null task measures (no
-- data is not zero work); staffing measures are always computed.
-- Arguments: p_level and the filter (as macros.scoped_communities), p_year, and
-- p_admin_categories, the administrative task categories ($administrative_categories).
-- Grain: one row per group (per community when p_level = 'community').
create or replace macro macros.task_burden_rows(
    p_level, p_district, p_street, p_type, p_community, p_year, p_admin_categories
)
as table
with
scope as (
    select * from macros.scoped_communities(p_level, p_district, p_street, p_type, p_community)
),

tasks_in_year as (
    select
        scope.group_key,
        tasks.department,
        tasks.task_category,
        tasks.task_count,
        tasks.hours,
        tasks.admitted,
        tasks.funded,
        tasks.task_category <> 'self_governance' as is_handed_down,
    from macros.tasks_in_years(p_year, p_year) as tasks
    join scope using (community_id)
),

work as (
    select
        group_key,
        sum(task_count) as tasks,
        fsum(hours) as hours,
        macros.admin_hours_share(hours, task_category, p_admin_categories) as admin_hours_share,
        coalesce(sum(task_count) filter (where is_handed_down), 0) as handed_down_tasks,
        coalesce(sum(task_count) filter (where is_handed_down and not admitted), 0) as unadmitted_tasks,
        coalesce(sum(task_count) filter (where is_handed_down and not funded), 0) as unfunded_tasks,
        count(distinct department) filter (where is_handed_down) as departments,
        coalesce(sum(task_count) filter (where task_category = 'inspection'), 0) as inspections,
        coalesce(sum(task_count) filter (where task_category = 'ledger'), 0) as ledgers,
    from tasks_in_year
    group by group_key
),

staffing as (
    select
        scope.group_key,
        count(*) as staff_active,
    from main.staff as staff
    join scope using (community_id)
    where macros.in_post_at_end(staff.hire_date, staff.exit_date, p_year)
    group by scope.group_key
),

groups as (
    select
        group_key,
        any_value(group_label) as group_label,
        sum(population) as population,
    from scope
    group by group_key
)

select
    groups.group_key,
    groups.group_label,
    work.tasks,
    work.hours,
    work.admin_hours_share,
    work.unadmitted_tasks / nullif(work.handed_down_tasks, 0) as unadmitted_share,
    work.unfunded_tasks / nullif(work.handed_down_tasks, 0) as unfunded_share,
    work.departments,
    work.inspections,
    work.ledgers,
    coalesce(staffing.staff_active, 0) as staff_active,
    work.tasks / nullif(staffing.staff_active, 0) as tasks_per_staff,
    groups.population / nullif(staffing.staff_active, 0) as residents_per_staff,
from groups
left join work using (group_key)
left join staffing using (group_key)

-- name: task_burden
-- Task burden per group for year $year (macros.task_burden_rows).
-- Parameters: $year, $level and the filter. Grain: one row per group.
select *
from macros.task_burden_rows(
    $level, $district, $street, $community_type, $community_id, $year, $administrative_categories
)
order by group_key

-- name: task_burden_by_department
-- Work handed down per department in year $year: how much, and how much of it broke the
-- admission rule or came without funds. Parameters: $year and the filter ($district,
-- $street, $community_type, $community_id). Grain: one row per department.
select
    tasks.department,
    sum(tasks.task_count) as tasks,
    fsum(tasks.hours) as hours,
    coalesce(sum(tasks.task_count) filter (where not tasks.admitted), 0) / sum(tasks.task_count)
        as unadmitted_share,
    coalesce(sum(tasks.task_count) filter (where not tasks.funded), 0) / sum(tasks.task_count)
        as unfunded_share,
    count(distinct tasks.community_id) as n_communities,
from macros.tasks_in_years($year, $year) as tasks
join macros.scoped_communities('community', $district, $street, $community_type, $community_id) as scope
    using (community_id)
where tasks.task_category <> 'self_governance'
group by tasks.department
order by tasks desc, tasks.department

-- name: task_hours_by_category
-- Staff hours per task category in year $year, per group, for "where does time go".
-- Parameters: $year, $level and the filter. Grain: one row per (group, task_category).
select
    scope.group_key,
    any_value(scope.group_label) as group_label,
    tasks.task_category,
    sum(tasks.task_count) as tasks,
    fsum(tasks.hours) as hours,
from macros.tasks_in_years($year, $year) as tasks
join macros.scoped_communities($level, $district, $street, $community_type, $community_id) as scope using (community_id)
group by scope.group_key, tasks.task_category
order by scope.group_key, tasks.task_category

-- name: task_monthly_trend
-- Tasks and hours per month across the filter, with the administrative share of hours.
-- Parameters: the filter only (every month stored). Grain: one row per month.
select
    tasks.period,
    sum(tasks.task_count) as tasks,
    fsum(tasks.hours) as hours,
    macros.admin_hours_share(tasks.hours, tasks.task_category, $administrative_categories) as admin_hours_share,
from main.tasks as tasks
join macros.scoped_communities('all', $district, $street, $community_type, $community_id) as scope using (community_id)
group by tasks.period
order by tasks.period

-- name: burden_vs_satisfaction
-- The core question of the source documents: does administrative load go with lower
-- resident satisfaction? One point per community with both measures in year $year
-- (communities under $min_n responses are left out, never shown), and the least-squares
-- slope, intercept, correlation and n over those points, computed here in DuckDB.
-- Parameters: $year, $min_n and the filter. Grain: one row per community.
with
scope as (
    select * from macros.scoped_communities('community', $district, $street, $community_type, $community_id)
),

load as (
    select
        tasks.community_id,
        macros.admin_hours_share(tasks.hours, tasks.task_category, $administrative_categories) as admin_hours_share,
    from macros.tasks_in_years($year, $year) as tasks
    join scope using (community_id)
    group by tasks.community_id
),

opinion as (
    select
        survey.community_id,
        count(*) as n,
        fsum(coalesce(survey.weight, 1.0) * survey.overall) / fsum(coalesce(survey.weight, 1.0)) as mean_overall,
    from macros.survey_in_years($year, $year) as survey
    join scope using (community_id)
    group by survey.community_id
    having count(*) >= $min_n
),

points as (
    select
        scope.community_id,
        scope.community_name,
        scope.street,
        load.admin_hours_share,
        opinion.mean_overall,
        opinion.n,
    from scope
    join load using (community_id)
    join opinion using (community_id)
    where load.admin_hours_share is not null
)

select
    *,
    regr_slope(mean_overall, admin_hours_share) over () as slope,
    regr_intercept(mean_overall, admin_hours_share) over () as intercept,
    corr(mean_overall, admin_hours_share) over () as correlation,
    regr_count(mean_overall, admin_hours_share) over () as n_communities,
from points
order by community_id
