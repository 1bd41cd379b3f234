-- Staffing: who is in post, how many there should be, how long they have served, what
-- they are paid, and why people left. Feeds the staff page next to staff_turnover.
-- "In post at the end of Y" means hire_date <= 31 Dec Y and no exit by then, as in
-- ../shared/INDICATORS.md (staff_turnover.headcount_end).

-- name: macro_in_post_at_start
-- Whether someone hired on p_hire and gone on p_exit (null: still in post) was in post on
-- 1 January of p_year: hired before it and not gone before it.
create or replace macro macros.in_post_at_start(p_hire, p_exit, p_year) as
    p_hire < make_date(p_year, 1, 1) and (p_exit is null or p_exit >= make_date(p_year, 1, 1))

-- name: macro_in_post_at_end
-- Whether someone hired on p_hire and gone on p_exit (null: still in post) was in post at
-- the end of p_year: hired by 31 December and no exit by then (INDICATORS.md, headcount_end).
create or replace macro macros.in_post_at_end(p_hire, p_exit, p_year) as
    p_hire <= make_date(p_year, 12, 31) and (p_exit is null or p_exit > make_date(p_year, 12, 31))

-- name: macro_staff_years
-- Headcounts on 1 January and 31 December, hires and separations per community and year, for
-- every year after the filter's first hire up to p_year: the yearly turnover of the staff page
-- and of the profile's trends. The first year of records is left out: nobody is counted in
-- post on its 1 January, which inflates its rate. A community without staff has no rows.
-- Arguments: the filter (as macros.scoped_communities), p_year.
-- Grain: one row per (community with staff, year).
create or replace macro macros.staff_years(p_district, p_street, p_type, p_community, p_year) as table
with
people as (
    select staff.community_id, staff.hire_date, staff.exit_date
    from main.staff as staff
    join macros.scoped_communities('community', p_district, p_street, p_type, p_community) using (community_id)
),

years as (
    select range as year
    from range((select min(year(hire_date)) from people) + 1, p_year + 1)
)

select
    people.community_id,
    years.year,
    count(*) filter (where macros.in_post_at_start(people.hire_date, people.exit_date, years.year))
        as headcount_start,
    count(*) filter (where macros.in_post_at_end(people.hire_date, people.exit_date, years.year)) as headcount_end,
    count(*) filter (where year(people.hire_date) = years.year) as hires,
    count(*) filter (where year(people.exit_date) = years.year) as separations,
from years
cross join people
group by people.community_id, years.year

-- name: staff_turnover_by_year
-- Turnover of the whole filter for every year after the first hire up to $year, pooled
-- over people (the same definition as staff_turnover at level 'all'), from macros.staff_years.
-- Parameters: $year and the filter. Grain: one row per year.
with
counted as (
    select
        year,
        sum(headcount_start)::bigint as headcount_start,
        sum(headcount_end)::bigint as headcount_end,
        sum(hires)::bigint as hires,
        sum(separations)::bigint as separations,
    from macros.staff_years($district, $street, $community_type, $community_id, $year)
    group by year
)

select
    year,
    headcount_start,
    headcount_end,
    hires,
    separations,
    separations / nullif((headcount_start + headcount_end) / 2, 0) as turnover_rate,
from counted
order by year

-- name: exit_reasons
-- Why people left in year $year (an exit with no reason given counts as 'unknown').
-- Parameters: $year and the filter. Grain: one row per exit reason.
select
    coalesce(staff.exit_reason, 'unknown') as exit_reason,
    count(*) as separations,
from main.staff as staff
join macros.scoped_communities('all', $district, $street, $community_type, $community_id) as scope using (community_id)
where year(staff.exit_date) = $year
group by all
order by separations desc, exit_reason

-- name: macro_staffing_rows
-- Staff in post at the end of p_year per community against the two staffing standards:
-- committee seats by population (3+X; bands as p_seat_max_population, a list of upper
-- bounds, and p_seat_counts, one more element than the bounds) and workers per 10,000
-- residents: the rows staffing_by_community returns and the profile places.
-- Arguments: the filter (as macros.scoped_communities), p_year, the bands.
-- Grain: one row per community.
create or replace macro macros.staffing_rows(
    p_district, p_street, p_type, p_community, p_year, p_seat_max_population, p_seat_counts
)
as table
with
scope as (
    select * from macros.scoped_communities('community', p_district, p_street, p_type, p_community)
),

in_post as (
    select staff.*
    from main.staff as staff
    join scope using (community_id)
    where macros.in_post_at_end(staff.hire_date, staff.exit_date, p_year)
),

counted as (
    select
        community_id,
        count(*) as headcount_end,
        count(*) filter (where employment = 'full_time') as full_time,
        count(*) filter (where employment = 'part_time') as part_time,
        count(*) filter (where certified_social_worker) as certified,
    from in_post
    group by community_id
),

seats as (
    select
        scope.community_id,
        p_seat_counts[
            1 + len(list_filter(p_seat_max_population, lambda bound: scope.population > bound))
        ] as seats_expected,
    from scope
)

select
    scope.community_id,
    scope.community_name,
    scope.street,
    scope.population,
    coalesce(counted.headcount_end, 0) as headcount_end,
    coalesce(counted.full_time, 0) as full_time,
    coalesce(counted.part_time, 0) as part_time,
    coalesce(counted.certified, 0) as certified,
    seats.seats_expected,
    coalesce(counted.headcount_end, 0) - seats.seats_expected as seat_gap,
    coalesce(counted.headcount_end, 0) / nullif(scope.population, 0) * 10000 as workers_per_10000,
from scope
left join counted using (community_id)
left join seats using (community_id)

-- name: staffing_by_community
-- Staff in post at the end of $year per community against the staffing standards
-- (macros.staffing_rows). Parameters: $year, $seat_max_population, $seat_counts and the filter.
-- Grain: one row per community.
select *
from macros.staffing_rows($district, $street, $community_type, $community_id, $year, $seat_max_population, $seat_counts)
order by community_id

-- name: pay_by_role
-- Monthly pay of the people in post at the end of $year, by role.
-- Parameters: $year and the filter. Grain: one row per role.
select
    staff.role,
    count(*) as headcount_end,
    median(staff.monthly_pay) as median_pay,
    avg(staff.monthly_pay) as mean_pay,
from main.staff as staff
join macros.scoped_communities('all', $district, $street, $community_type, $community_id) as scope using (community_id)
where macros.in_post_at_end(staff.hire_date, staff.exit_date, $year)
group by staff.role
order by median_pay desc nulls last, staff.role

-- name: tenure_in_post
-- How long the people in post at the end of $year have served, in bands of years.
-- Parameters: $year and the filter. Grain: one row per band that has people.
with
served as (
    select (make_date($year, 12, 31) - staff.hire_date) / 365.25 as years_in_post,
    from main.staff as staff
    join macros.scoped_communities('all', $district, $street, $community_type, $community_id) as scope
        using (community_id)
    where macros.in_post_at_end(staff.hire_date, staff.exit_date, $year)
)

select
    case
        when years_in_post < 1 then 1
        when years_in_post < 3 then 2
        when years_in_post < 5 then 3
        when years_in_post < 10 then 4
        else 5
    end as band,
    count(*) as headcount_end,
from served
group by band
order by band
