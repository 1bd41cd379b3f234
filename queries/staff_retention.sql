-- Staff retention: how long people stay once hired, as Kaplan–Meier survival curves.
-- Answers "of everyone who started, what share is still in post after 6 months, a year,
-- five years?" without the bias of looking only at those who have already left: people
-- still in post count as censored at the as-of date, not as stayers forever.
-- Definitions: ../shared/INDICATORS.md, "staff_retention".
-- Parameters shared by the queries here: the filter ($district, $street, $community_type,
-- $community_id), $as_of (date), $retirement_censored (bool: a retirement is censored, not
-- an exit) and $group_by ('all', 'community_type' or 'role'; a bound value that a case
-- expression reads, never text formatted into SQL).

-- name: macro_staff_durations
-- Each person of the filter hired on or before the as-of date, with how long they were
-- observed (the earlier of exit and as-of date, minus hire date, in days) and whether the
-- observation ended in an exit (the event). Everyone else is censored at the as-of date.
-- Grain: one row per person.
create or replace macro macros.staff_durations(
    p_district, p_street, p_type, p_community, p_as_of, p_retirement_censored, p_group_by
) as table
with
people as (
    select
        staff.staff_id,
        staff.role,
        staff.hire_date,
        staff.exit_date,
        staff.exit_reason,
        scope.community_type,
    from main.staff as staff
    join macros.scoped_communities('community', p_district, p_street, p_type, p_community) as scope using (community_id)
    where staff.hire_date <= p_as_of
)

select
    case p_group_by
        when 'community_type' then people.community_type
        when 'role' then people.role
        else 'ALL'
    end as group_key,
    people.staff_id,
    date_diff('day', people.hire_date, least(people.exit_date, p_as_of)) as duration_days,
    coalesce(people.exit_date <= p_as_of, false)
        and not (p_retirement_censored and coalesce(people.exit_reason = 'retirement', false)) as exited,
from people

-- name: macro_staff_retention_steps
-- The Kaplan–Meier product-limit estimate per group: S(t) = Π over exit days u ≤ t of
-- (1 − d_u / n_u), with n_u the people observed for at least u days and d_u those who
-- left on day u, computed as a running exp(Σ ln(1 − d/n)); a day on which everyone still
-- at risk leaves makes S = 0 from then on. Also the running Greenwood sum Σ d / (n(n − d))
-- (that day's term taken as 0, as lifelines does) for the confidence band. A first row at
-- day 0 with S = 1 starts each curve, unless someone left on day 0 (then that row starts it).
-- Parameters: as macros.staff_durations. Grain: one row per (group_key, day with ≥ 1 exit).
create or replace macro macros.staff_retention_steps(
    p_district, p_street, p_type, p_community, p_as_of, p_retirement_censored, p_group_by
) as table
with
durations as (
    select *
    from macros.staff_durations(
        p_district, p_street, p_type, p_community, p_as_of, p_retirement_censored, p_group_by
    )
),

by_day as (
    select
        group_key,
        duration_days,
        count(*) as observations_ending,
        count(*) filter (where exited) as events,
    from durations
    group by group_key, duration_days
),

at_risk as (
    select
        group_key,
        duration_days,
        events,
        -- observed for at least this many days: this day's observations and every later one
        cast(sum(observations_ending) over (
            partition by group_key order by duration_days desc
            rows between unbounded preceding and current row
        ) as bigint) as at_risk,
    from by_day
),

exit_days as (
    select
        group_key,
        duration_days,
        at_risk,
        events,
        events = at_risk as everyone_left,
        case when events < at_risk then ln(1 - events / at_risk) end as log_factor,
        case when events < at_risk then events / (at_risk * (at_risk - events)) else 0.0 end as greenwood_term,
    from at_risk
    where events > 0
),

product_limit as (
    select
        group_key,
        duration_days,
        at_risk,
        events,
        case
            when bool_or(everyone_left) over running then 0.0
            else exp(sum(log_factor) over running)
        end as survival,
        sum(greenwood_term) over running as greenwood_variance,
    from exit_days
    window running as (
        partition by group_key order by duration_days
        rows between unbounded preceding and current row
    )
),

origins as (
    select
        group_key,
        cast(0 as bigint) as duration_days,
        count(*) as at_risk,
        cast(0 as bigint) as events,
        1.0::double as survival,
        0.0::double as greenwood_variance,
    from durations
    group by group_key
    having count(*) filter (where exited and duration_days = 0) = 0
)

select * from origins
union all by name
select * from product_limit

-- name: staff_retention_curve
-- The whole Kaplan–Meier step function per group with its 95 % band, for the curves on
-- the staff page. The band is lifelines' default (exponential Greenwood, on the
-- log(−log S) scale): S^exp(±z·√V / ln S) with V the Greenwood sum and z = Φ⁻¹(0.975);
-- it is [1, 1] where S = 1 and [0, 0] where S = 0.
-- Parameters: the filter, $as_of, $retirement_censored, $group_by.
-- Grain: one row per (group_key, duration_days), duration_days being 0 and every day
-- with at least one exit.
with
normal_quantile as (
    select 1.959963984540054::double as z
),

log_scale as (
    select
        steps.*,
        ln(steps.survival) as log_survival,
        normal_quantile.z * sqrt(steps.greenwood_variance) as z_sd,
    from macros.staff_retention_steps(
        $district, $street, $community_type, $community_id, $as_of, $retirement_censored, $group_by
    ) as steps
    cross join normal_quantile
)

select
    group_key,
    duration_days,
    at_risk,
    events,
    survival,
    case
        when survival >= 1 then 1.0
        when survival <= 0 then 0.0
        else exp(-exp(ln(-log_survival) - z_sd / log_survival))
    end as ci_low,
    case
        when survival >= 1 then 1.0
        when survival <= 0 then 0.0
        else exp(-exp(ln(-log_survival) + z_sd / log_survival))
    end as ci_high,
from log_scale
order by group_key, duration_days

-- name: staff_retention_at
-- S(t) and the number at risk at given horizons (months since hire, in days), for the
-- export. S(t) counts exits on day t; at_risk counts people observed for at least t
-- days. With $group_by = 'all' there is always one row per horizon (at_risk 0 and a null
-- S when nobody is in the filter). Parameters: the filter, $as_of, $retirement_censored,
-- $group_by and $horizons_days (list of doubles, days since hire).
-- Grain: one row per (group_key, horizon).
with
durations as (
    select *
    from macros.staff_durations(
        $district, $street, $community_type, $community_id, $as_of, $retirement_censored, $group_by
    )
),

horizons as (
    select unnest(cast($horizons_days as double[])) as horizon_days
),

groups as (
    select distinct group_key from durations
    union
    select 'ALL' as group_key where $group_by = 'all'
),

counted as (
    select
        groups.group_key,
        horizons.horizon_days,
        count(durations.staff_id) as at_risk,
    from groups
    cross join horizons
    left join durations
        on durations.group_key = groups.group_key
        and durations.duration_days >= horizons.horizon_days
    group by groups.group_key, horizons.horizon_days
)

select
    counted.group_key,
    counted.horizon_days,
    counted.at_risk,
    steps.survival,
from counted
asof left join macros.staff_retention_steps(
    $district, $street, $community_type, $community_id, $as_of, $retirement_censored, $group_by
) as steps
    on counted.group_key = steps.group_key
    and counted.horizon_days >= steps.duration_days
order by counted.group_key, counted.horizon_days
