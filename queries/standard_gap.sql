-- The bill to reach the standard: what each community lacks against the active standards
-- profile in physical units (m², rooms, seats, yuan of budget and pay), then priced with the
-- unit costs standards.toml states as assumptions. One-off and yearly costs are kept apart:
-- they come from different budgets and are never added into one figure.
-- Definitions: ../shared/INDICATORS.md, "standard_gap".

-- name: macro_shortfall
-- How far p_need goes beyond what is there, never below 0; null when it cannot be worked out
-- (DuckDB's greatest() skips nulls, so greatest(null, 0) would be a silent 0).
create or replace macro macros.shortfall(p_need) as
    case when p_need is not null then greatest(p_need, 0) end

-- name: macro_gap_rows
-- The shortfalls and their bill per community for year p_year, from the same facilities row as
-- facility_compliance (macros.facility_rows) and the staff in post on 31 Dec p_year.
-- Arguments: p_level and the filter (as macros.scoped_communities), p_year, p_rules (the
-- profile's facility thresholds, as macros.facility_rows takes them), p_seats (how seats are
-- counted: seat_max_population and seat_counts, the 3+X bands, or workers_per_10000; and
-- committee_roles, the roles that hold a committee seat), p_reference_districts and
-- p_reference_wages (standards.toml, for the year), p_costs (cost_per_m2,
-- cost_to_secure_premises, annual_cost_per_seat). Grain: one row per community in the filter.
create or replace macro macros.gap_rows(
    p_level, p_district, p_street, p_type, p_community, p_year, p_rules, p_seats,
    p_reference_districts, p_reference_wages, p_costs
)
as table
with
premises as (
    select
        facility.*,
        communities.population,
        p_reference_wages[list_position(p_reference_districts, facility.district)] as reference_wage,
    from macros.facility_rows(p_level, p_district, p_street, p_type, p_community, p_year, p_rules) as facility
    join main.communities as communities using (community_id)
),

in_post as (
    select
        staff.community_id,
        list_contains(p_seats['committee_roles'], staff.role) as holds_seat,
        macros.shortfall(premises.reference_wage - staff.monthly_pay) * 12 as pay_gap_yuan,
    from main.staff as staff
    join premises using (community_id)
    where macros.in_post_at_end(staff.hire_date, staff.exit_date, p_year)
),

staffed as (
    select
        community_id,
        count(*) as staff_in_post,
        count(*) filter (where holds_seat) as committee_in_post,
        coalesce(sum(pay_gap_yuan), 0) as pay_gap_yuan,  -- those with no pay written are left out
    from in_post
    group by community_id
),

needs as (
    select
        premises.*,
        -- the largest area any of the profile's area rules asks (a rule it lacks is null, left out)
        case when premises.year is not null then list_max(list_filter([
            p_rules['min_total_area_m2']::double,
            p_rules['min_area_per_100_households'] * households / 100,
            case
                when households >= p_rules['tier_high_households'] then p_rules['tier_high_area_m2']
                when households >= p_rules['tier_low_households'] then p_rules['tier_low_area_m2']
            end::double
        ], lambda area: area is not null)) end as required_area_m2,
        case
            when len(p_seats['seat_counts']) > 0 and population is not null then p_seats['seat_counts'][
                1 + len(list_filter(p_seats['seat_max_population'], lambda bound: population > bound))
            ]
            when p_seats['workers_per_10000']::double is not null
                then ceil(p_seats['workers_per_10000']::double * population / 10000)::integer
        end as seats_required,
        case
            when len(p_seats['seat_counts']) > 0 then coalesce(staffed.committee_in_post, 0)
            when p_seats['workers_per_10000']::double is not null then coalesce(staffed.staff_in_post, 0)
        end as seats_in_post,
        case when reference_wage is not null then coalesce(staffed.pay_gap_yuan, 0) end as pay_gap_yuan,
    from premises
    left join staffed using (community_id)
),

shortfalls as (
    select
        *,
        macros.shortfall(required_area_m2 - total_area_m2) as area_short_m2,
        case when p_rules['min_rooms'] is not null and room_count is not null and has_hall is not null
            then macros.shortfall(p_rules['min_rooms'] - room_count) + if(p_rules['require_hall'] and not has_hall, 1, 0)
        end as rooms_short,
        case when p_rules['min_resident_space_share'] is not null
            then macros.shortfall(
                p_rules['min_resident_space_share'] * greatest(total_area_m2, required_area_m2) - service_area_m2
            )
        end as resident_space_short_m2,
        case when p_rules['disallowed_tenures'] is not null and tenure is not null
            then list_contains(p_rules['disallowed_tenures'], tenure)
        end as borrowed,
        case when p_rules['min_budget_per_100_households'] is not null
            then macros.shortfall(p_rules['min_budget_per_100_households'] * households / 100 - operating_budget_yuan)
        end as budget_short_yuan,
        macros.shortfall(seats_required - seats_in_post) as seats_short,
    from needs
)

select
    *,
    coalesce(area_short_m2, 0) * p_costs['cost_per_m2']
        + if(borrowed, p_costs['cost_to_secure_premises'], 0) as one_off_yuan,
    coalesce(budget_short_yuan, 0)
        + coalesce(seats_short, 0) * p_costs['annual_cost_per_seat']
        + coalesce(pay_gap_yuan, 0) as annual_yuan,
    -- the parts the profile prices whose input is missing: the bill is then a lower bound
    concat_ws(
        ',',
        case when area_short_m2 is null and coalesce(
            p_rules['min_total_area_m2'], p_rules['min_area_per_100_households'], p_rules['tier_high_households']
        ) is not null then 'area_short_m2' end,
        case when borrowed is null and p_rules['disallowed_tenures'] is not null then 'borrowed' end,
        case when budget_short_yuan is null and p_rules['min_budget_per_100_households'] is not null
            then 'budget_short_yuan' end,
        case when seats_short is null and (len(p_seats['seat_counts']) > 0 or p_seats['workers_per_10000']::double is not null)
            then 'seats_short' end,
        case when pay_gap_yuan is null then 'pay_gap_yuan' end
    ) as parts_unknown,
from shortfalls

-- name: standard_gap
-- The bill per community for year $year (macros.gap_rows), grouped under $level.
-- Parameters: $year, $level, the filter, $facility_rules, $gap_seats, $reference_districts,
-- $reference_wages, $unit_costs. Grain: one row per community in the filter.
select *
from macros.gap_rows(
    $level, $district, $street, $community_type, $community_id, $year, $facility_rules, $gap_seats,
    $reference_districts, $reference_wages, $unit_costs
)
order by community_id

-- name: standard_gap_rollup
-- The bill per group (street, community type, district or all), summed from the community
-- rows: a quantity's sum skips the communities where it is unknown, and parts_unknown names
-- every part unknown somewhere in the group. Parameters: as standard_gap.
-- Grain: one row per group.
select
    group_key,
    any_value(group_label) as group_label,  -- the same for every community of the group
    count(*) as n_communities,
    count(*) filter (where one_off_yuan + annual_yuan > 0) as n_with_bill,
    count(*) filter (where borrowed) as n_borrowed,
    count(*) filter (where parts_unknown <> '') as n_parts_unknown,
    sum(required_area_m2) as required_area_m2,
    sum(area_short_m2) as area_short_m2,
    sum(rooms_short) as rooms_short,
    sum(resident_space_short_m2) as resident_space_short_m2,
    sum(budget_short_yuan) as budget_short_yuan,
    sum(seats_required) as seats_required,
    sum(seats_in_post) as seats_in_post,
    sum(seats_short) as seats_short,
    sum(pay_gap_yuan) as pay_gap_yuan,
    sum(one_off_yuan) as one_off_yuan,
    sum(annual_yuan) as annual_yuan,
    concat_ws(
        ',',
        case when bool_or(list_contains(string_split(parts_unknown, ','), 'area_short_m2')) then 'area_short_m2' end,
        case when bool_or(list_contains(string_split(parts_unknown, ','), 'borrowed')) then 'borrowed' end,
        case when bool_or(list_contains(string_split(parts_unknown, ','), 'budget_short_yuan'))
            then 'budget_short_yuan' end,
        case when bool_or(list_contains(string_split(parts_unknown, ','), 'seats_short')) then 'seats_short' end,
        case when bool_or(list_contains(string_split(parts_unknown, ','), 'pay_gap_yuan')) then 'pay_gap_yuan' end
    ) as parts_unknown,
from macros.gap_rows(
    $level, $district, $street, $community_type, $community_id, $year, $facility_rules, $gap_seats,
    $reference_districts, $reference_wages, $unit_costs
)
group by group_key
order by group_key

-- name: standard_gap_plan
-- Which communities this year's budgets bring to the standard, taken in one order: the
-- communities with a bill, first those listed in $order_ids in that order (worst-first passes
-- the assessment's order; cheapest-first passes an empty list), then by their first year's
-- cost (one-off + yearly), cheapest first. A community is funded while the running sums of
-- both bills stay within $budget_one_off and $budget_yearly. Bills are never negative, so
-- the running sums only grow and the funded are always the first ones in the order: more
-- money never drops a community, and the first one that does not fit ends the list (the
-- money left stays unspent rather than skipping ahead, which could drop a community when
-- the budget grows). Parameters: as standard_gap (at level 'community'), $order_ids,
-- $budget_one_off, $budget_yearly. Grain: one row per community with a bill.
with
bills as (
    select
        *,
        one_off_yuan + annual_yuan as first_year_yuan,
    from macros.gap_rows(
        'community', $district, $street, $community_type, $community_id, $year, $facility_rules, $gap_seats,
        $reference_districts, $reference_wages, $unit_costs
    )
    where one_off_yuan + annual_yuan > 0
),

ordered as (
    select
        *,
        row_number() over (
            order by list_position($order_ids, community_id) nulls last, first_year_yuan, community_id
        ) as position,
    from bills
),

running as (
    select
        *,
        sum(one_off_yuan) over (order by position) as cumulative_one_off_yuan,
        sum(annual_yuan) over (order by position) as cumulative_annual_yuan,
    from ordered
)

select
    *,
    cumulative_one_off_yuan <= $budget_one_off and cumulative_annual_yuan <= $budget_yearly as funded,
from running
order by position
