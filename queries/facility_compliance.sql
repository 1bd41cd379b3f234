-- Facility compliance: premises, rooms, tenure and operating funds against the active
-- standards profile. Thresholds are bound parameters taken from standards.toml; a rule
-- whose threshold is null is not part of the profile and comes out null here, a rule
-- whose input is missing comes out 'unknown' (never 'pass').
-- Definitions: ../shared/INDICATORS.md, "facility_compliance".

-- name: macro_threshold_rule
-- A rule that a measure reaches a minimum: null when the profile sets no minimum (the rule is
-- not the profile's), 'unknown' when the measure is missing (never 'pass'), else pass or fail.
create or replace macro macros.threshold_rule(p_value, p_minimum) as
    case
        when p_minimum is null then null
        when p_value is null then 'unknown'
        when p_value >= p_minimum then 'pass'
        else 'fail'
    end

-- name: macro_facility_rows
-- Compliance per community for year p_year, using its latest facilities row with year <= p_year:
-- the rows facility_compliance returns, its roll-ups count and the assessment scores.
-- Each row carries the key and label of the group it rolls up into under p_level.
-- Arguments: p_level and the filter (as macros.scoped_communities), p_year, and p_rules, the
-- profile's thresholds as one struct (Profile.facility_params(), a threshold null when the
-- profile has no such rule): min_total_area_m2, min_rooms, require_hall,
-- min_area_per_100_households, tier_high_households, tier_high_area_m2, tier_low_households,
-- tier_low_area_m2, disallowed_tenures (list), min_budget_per_100_households,
-- min_resident_space_share. Grain: one row per community in the filter.
create or replace macro macros.facility_rows(p_level, p_district, p_street, p_type, p_community, p_year, p_rules)
as table
with
scope as (
    select * from macros.scoped_communities(p_level, p_district, p_street, p_type, p_community)
),

latest_row as (
    select facilities.*
    from main.facilities as facilities
    join scope using (community_id)
    where facilities.year <= p_year
    qualify row_number() over (partition by facilities.community_id order by facilities.year desc) = 1
),

measured as (
    select
        scope.group_key,
        scope.group_label,
        scope.community_id,
        scope.community_name,
        scope.district,
        scope.street,
        scope.community_type,
        scope.households,
        latest_row.year,
        latest_row.office_area_m2,
        latest_row.service_area_m2,
        latest_row.room_count,
        latest_row.has_hall,
        latest_row.tenure,
        latest_row.operating_budget_yuan,
        latest_row.office_area_m2 + latest_row.service_area_m2 as total_area_m2,
    from scope
    left join latest_row using (community_id)
),

ratios as (
    select
        *,
        total_area_m2 / nullif(households, 0) * 100 as area_per_100_households,
        service_area_m2 / nullif(total_area_m2, 0) as resident_space_share,
        operating_budget_yuan / nullif(households, 0) * 100 as budget_per_100_households,
    from measured
),

rules as (
    select
        *,
        macros.threshold_rule(total_area_m2, p_rules['min_total_area_m2']) as rule_min_total_area,
        case
            when p_rules['min_rooms'] is null then null
            when room_count is null or has_hall is null then 'unknown'
            when room_count >= p_rules['min_rooms'] and (has_hall or not p_rules['require_hall']) then 'pass'
            else 'fail'
        end as rule_rooms,
        macros.threshold_rule(area_per_100_households, p_rules['min_area_per_100_households'])
            as rule_area_per_100_households,
        case
            when p_rules['tier_high_households'] is null then null
            when total_area_m2 is null or households is null then 'unknown'
            when households >= p_rules['tier_high_households']
                then if(total_area_m2 >= p_rules['tier_high_area_m2'], 'pass', 'fail')
            when households >= p_rules['tier_low_households']
                then if(total_area_m2 >= p_rules['tier_low_area_m2'], 'pass', 'fail')
            else 'pass'
        end as rule_household_tier,
        case
            when p_rules['disallowed_tenures'] is null then null
            when tenure is null then 'unknown'
            when list_contains(p_rules['disallowed_tenures'], tenure) then 'fail'
            else 'pass'
        end as rule_tenure,
        macros.threshold_rule(budget_per_100_households, p_rules['min_budget_per_100_households'])
            as rule_budget,
        macros.threshold_rule(resident_space_share, p_rules['min_resident_space_share'])
            as rule_resident_space_share,
    from ratios
),

profile_rules as (
    select
        *,
        list_filter(
            [rule_min_total_area, rule_rooms, rule_area_per_100_households, rule_household_tier,
             rule_tenure, rule_budget, rule_resident_space_share],
            lambda status: status is not null
        ) as statuses,
    from rules
)

select
    * exclude (statuses),
    -- shortfalls in plain units, for the rules that fail: what it would take to comply
    case when rule_min_total_area = 'fail' then p_rules['min_total_area_m2'] - total_area_m2 end
        as shortfall_total_area_m2,
    case when rule_rooms = 'fail' then greatest(p_rules['min_rooms'] - room_count, 0) end as shortfall_rooms,
    case when rule_rooms = 'fail' then p_rules['require_hall'] and not has_hall end as shortfall_hall,
    case when rule_area_per_100_households = 'fail'
        then p_rules['min_area_per_100_households'] * households / 100 - total_area_m2
    end as shortfall_area_for_households_m2,
    case when rule_household_tier = 'fail'
        then if(
            households >= p_rules['tier_high_households'], p_rules['tier_high_area_m2'], p_rules['tier_low_area_m2']
        ) - total_area_m2
    end as shortfall_tier_area_m2,
    case when rule_budget = 'fail' then p_rules['min_budget_per_100_households'] - budget_per_100_households end
        as shortfall_budget_per_100_households,
    case when rule_budget = 'fail'
        then (p_rules['min_budget_per_100_households'] - budget_per_100_households) * households / 100
    end as shortfall_budget_yuan,
    case when rule_resident_space_share = 'fail'
        then p_rules['min_resident_space_share'] * total_area_m2 - service_area_m2
    end as shortfall_resident_space_m2,
    len(list_filter(statuses, lambda status: status = 'pass')) as rules_passed,
    len(list_filter(statuses, lambda status: status <> 'unknown')) as rules_applicable,
    case
        when list_contains(statuses, 'fail') then false
        when list_contains(statuses, 'unknown') then null
        else true
    end as compliant,
from profile_rules

-- name: facility_compliance
-- Compliance per community for year $year (macros.facility_rows), grouped under $level.
-- Parameters: $year, $level, the filter, and $facility_rules, the profile's thresholds
-- (Profile.facility_params() as one struct). Grain: one row per community in the filter.
select *
from macros.facility_rows($level, $district, $street, $community_type, $community_id, $year, $facility_rules)
order by community_id

-- name: facility_compliance_rollup
-- Compliance rate per group, recomputed from the per-community rows (macros.facility_rows),
-- never averaged from averages.
-- A community whose compliance is unknown counts in neither numerator nor denominator.
-- Parameters: as facility_compliance. Grain: one row per group.
select
    group_key,
    any_value(group_label) as group_label,  -- the same for every community of the group
    count(*) as n_communities,
    count(*) filter (where compliant) as n_compliant,
    count(compliant) as n_known,
    count(*) filter (where compliant) / nullif(count(compliant), 0) as compliant_share,
    sum(total_area_m2) / nullif(sum(households) filter (where total_area_m2 is not null), 0) * 100
        as area_per_100_households,
from macros.facility_rows($level, $district, $street, $community_type, $community_id, $year, $facility_rules)
group by group_key
order by group_key

-- name: facility_tenure_counts
-- Communities per kind of premises (owned, rented, borrowed) per group, from the
-- per-community rows (macros.facility_rows).
-- Parameters: as facility_compliance. Grain: one row per (group_key, tenure).
select
    group_key,
    coalesce(tenure, 'none') as tenure,
    count(*) as n_communities,
from macros.facility_rows($level, $district, $street, $community_type, $community_id, $year, $facility_rules)
group by group_key, coalesce(tenure, 'none')
order by group_key, tenure
