-- The filter, defined once: which communities a view covers and how they are grouped.
-- A table macro (macros.scoped_communities, defined on every connection the store opens),
-- so every indicator query starts from the same definition of "in the filter" and the
-- same grouping keys.

-- name: macro_scoped_communities
-- Communities in the filter, each with the key of the group it rolls up into.
-- Parameters (all optional, null = no restriction): p_level ('community', 'street',
-- 'district', 'community_type' or 'all'), p_district, p_street, p_type, p_community.
-- Grain: one row per community.
create or replace macro macros.scoped_communities(p_level, p_district, p_street, p_type, p_community) as table
select
    communities.*,
    case p_level
        when 'street' then district || ' · ' || street
        when 'district' then district
        when 'community_type' then community_type
        when 'all' then 'ALL'
        else community_id
    end as group_key,
    case p_level
        when 'street' then street
        when 'district' then district
        when 'community_type' then community_type
        when 'all' then 'ALL'
        else community_name
    end as group_label,
from main.communities as communities
where (p_district is null or district = p_district)
  and (p_street is null or street = p_street)
  and (p_type is null or community_type = p_type)
  and (p_community is null or community_id = p_community)

-- name: macro_survey_in_years
-- The survey's responses of the years p_first to p_last: every query that asks for some years
-- of the survey reads them here. On a Parquet dataset only those years' files are read
-- (macros.survey_by_year filters on the partition, see schema.create_year_view_sql).
-- Grain: one row per response.
create or replace macro macros.survey_in_years(p_first, p_last) as table
select * exclude (year_of)
from macros.survey_by_year
where year_of between p_first and p_last

-- name: macro_tasks_in_years
-- The task rows of the years p_first to p_last, as macros.survey_in_years for the survey.
-- Grain: one row per task row.
create or replace macro macros.tasks_in_years(p_first, p_last) as table
select * exclude (year_of)
from macros.tasks_by_year
where year_of between p_first and p_last

-- name: filter_options
-- Every community with the attributes the sidebar filters on, for cascading choices.
-- Grain: one row per community.
select
    community_id,
    community_name,
    district,
    street,
    community_type,
from main.communities
order by district, street, community_name

-- name: data_years
-- The years each table has data for, so filters offer only years that mean something.
-- Grain: one row per (table_name, year).
select 'tasks' as table_name, year_of as year from macros.tasks_by_year group by all
union all
select 'survey', year_of from macros.survey_by_year group by all
union all
select 'facilities', year from main.facilities group by all
union all
select 'staff', year(hire_date) from main.staff group by all
union all
select 'staff', year(exit_date) from main.staff where exit_date is not null group by all
order by table_name, year

-- name: scope_summary
-- Size of the filter: communities, residents and households per group.
-- Parameters: $level, $district, $street, $community_type, $community_id.
-- Grain: one row per group.
select
    group_key,
    any_value(group_label) as group_label,
    count(*) as n_communities,
    sum(population) as population,
    sum(households) as households,
from macros.scoped_communities($level, $district, $street, $community_type, $community_id)
group by group_key
order by group_key
