-- Staff turnover: who joined and who left each year, and what those in post are paid.
-- Definitions: ../shared/INDICATORS.md, "staff_turnover" and "staff_retention".

-- name: macro_turnover_rows
-- Turnover per group for year p_year: the rows staff_turnover returns and the assessment and
-- the profile score. Reference wages by district for the year come as two parallel lists
-- (p_reference_districts, p_reference_wages) from standards.toml.
-- joint_secretary_director is per community 1 when someone in post at 31 Dec is a
-- secretary who is also director (一肩挑), else 0; per group of communities it is the
-- share of those with 1, among the communities with staff hired by 31 Dec (the ones that
-- have a row of their own; a community with no staff records is unknown, not 0).
-- Arguments: p_level and the filter (as macros.scoped_communities), p_year,
-- p_reference_districts, p_reference_wages.
-- Grain: one row per group.
create or replace macro macros.turnover_rows(
    p_level, p_district, p_street, p_type, p_community, p_year, p_reference_districts, p_reference_wages
)
as table
with
scope as (
    select * from macros.scoped_communities(p_level, p_district, p_street, p_type, p_community)
),

people as (
    select
        scope.group_key,
        scope.district,
        staff.*,
        macros.in_post_at_start(staff.hire_date, staff.exit_date, p_year) as in_post_at_start,
        macros.in_post_at_end(staff.hire_date, staff.exit_date, p_year) as in_post_at_end,
    from main.staff as staff
    join scope using (community_id)
),

-- one flag per community with staff by 31 Dec, then the share per group (two count(distinct)
-- in "counted" instead cost a third more time at 80,000 staff)
joint as (
    select group_key, avg(joint::double) as joint_secretary_director,
    from (
        select
            group_key,
            community_id,
            bool_or(in_post_at_end and role = 'secretary' and coalesce(also_director, false)) as joint,
        from people
        where hire_date <= make_date(p_year, 12, 31)
        group by group_key, community_id
    )
    group by group_key
),

counted as (
    select
        group_key,
        count(*) filter (where in_post_at_start) as headcount_start,
        count(*) filter (where in_post_at_end) as headcount_end,
        count(*) filter (where year(hire_date) = p_year) as hires,
        count(*) filter (where year(exit_date) = p_year) as separations,
        count(*) filter (where hire_date <= make_date(p_year, 12, 31)) as staff_records,
        count(*) filter (where in_post_at_end and certified_social_worker) as certified_end,
        median(monthly_pay) filter (where in_post_at_end) as median_pay,
        any_value(district) as district,
        count(distinct district) as n_districts,
    from people
    group by group_key
),

groups as (
    select group_key, any_value(group_label) as group_label
    from scope
    group by group_key
)

select
    groups.group_key,
    groups.group_label,
    coalesce(counted.headcount_start, 0) as headcount_start,
    coalesce(counted.headcount_end, 0) as headcount_end,
    coalesce(counted.hires, 0) as hires,
    coalesce(counted.separations, 0) as separations,
    coalesce(counted.staff_records, 0) as staff_records,
    counted.separations / nullif((counted.headcount_start + counted.headcount_end) / 2, 0) as turnover_rate,
    counted.certified_end / nullif(counted.headcount_end, 0) as certified_share,
    joint.joint_secretary_director,
    counted.median_pay,
    -- a reference wage is a district's; a group spanning districts has none
    case when counted.n_districts = 1 then
        counted.median_pay / p_reference_wages[list_position(p_reference_districts, counted.district)]
    end as pay_to_reference,
from groups
left join counted using (group_key)
left join joint using (group_key)

-- name: staff_turnover
-- Turnover per group for year $year (macros.turnover_rows).
-- Parameters: $year, $level, the filter, $reference_districts, $reference_wages.
-- Grain: one row per group.
select *
from macros.turnover_rows(
    $level, $district, $street, $community_type, $community_id, $year, $reference_districts, $reference_wages
)
order by group_key
