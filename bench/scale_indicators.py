"""The indicators of bench_scale.py, each three ways: ours, bare DuckDB and pandas, checked to agree.

* ours: the function of ``community_eval.indicators`` the pages call, on a ``Store`` (no
  Streamlit cache), for the whole database (no filter) and the latest survey year;
* bare: the minimal SQL computing the same numbers straight from the contract tables
  (``communities``, ``tasks``…, the views a researcher queries), with no filter machinery;
* pandas: a straightforward implementation of the INDICATORS.md definition on the tables
  read into pandas once (the read is not timed): boolean masks and ``groupby``, vectorised,
  as an analyst would write it.

Before anything is timed, the three results are compared column by column (relative
tolerance 1e-9); a disagreement is reported with the timings, never hidden. The bare SQL and
the pandas code repeat what ``queries/*.sql`` computes on purpose: they are independent
implementations to time and to check against, so ``duplicates`` pairing them with the
queries is expected. Indicators that
only combine others (the overview's headlines, rank ranges, profile measures) are timed as
ours only. Facility rules are those of the ``seed_2016`` profile.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scale_common import measure, peak_rss_mib, timed
from scipy import stats

from community_eval.core.schema import SURVEY_ITEMS, TABLES
from community_eval.core.standards import Profile, Standards, load_standards
from community_eval.db.store import Store
from community_eval.indicators import assessment, overview, satisfaction, staff_retention, staff_turnover, task_burden
from community_eval.indicators.filters import Filters

PROFILE = "seed_2016"
#: The community a profile is drawn for: the sample district's first, present at every scale.
PROFILE_COMMUNITY = "XT001"
EVERYTHING = Filters()
ADMIN = ("administrative", "inspection", "ledger", "certificate")
SELF_GOVERNANCE = "self_governance"
OPTIONAL_ITEMS = SURVEY_ITEMS[1:]


@dataclass
class Context:
    """What every implementation is given: the store, the year, the standards, and the tables in pandas."""

    store: Store
    year: int
    standards: Standards
    profile: Profile
    as_of: dt.date
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    def params(self) -> dict[str, object]:
        tiers = sorted(self.standards.tiers.items(), key=lambda band: band[1], reverse=True)
        return {
            "year": self.year,
            "min_n": self.standards.min_n,
            "as_of": self.as_of,
            "turnover_ceiling": self.standards.turnover_ceiling,
            **{f"w_{name}": float(weight) for name, weight in self.standards.weights.items()},
            "tier_floors": [floor for _, floor in tiers],
            "tier_labels": [label for label, _ in tiers] + ["D"],
            **self.profile.facility_params(),
            **self.standards.reference_wage_params(self.year),
            "horizons_days": staff_retention.horizon_days(),
            "horizon_months": list(staff_retention.MONTHS),
        }

    def sql(self, text: str) -> pd.DataFrame:
        """Run bare SQL on the store's connection, binding only the parameters it names."""
        names = set(re.findall(r"\$(\w+)", text))
        with self.store.cursor() as cur:
            return cur.execute(text, {k: v for k, v in self.params().items() if k in names}).df()


@dataclass(frozen=True)
class Case:
    """One indicator: how ours, the bare query and pandas compute it, and which columns must agree."""

    name: str
    pages: str
    ours: Callable[[Context], pd.DataFrame]
    bare: str | None = None
    pandas: Callable[[Context], pd.DataFrame] | None = None
    keys: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    #: Ours' names for the key columns, where they differ (group_key at community level).
    ours_names: dict[str, str] = field(default_factory=dict)
    #: Ours' rows that the others do not produce (the day-0 start of a survival curve).
    ours_rows: Callable[[pd.DataFrame], pd.DataFrame] | None = None


# ---- pandas building blocks -------------------------------------------------------------------


def in_year(frame: pd.DataFrame, column: str, year: int) -> pd.DataFrame:
    return frame[frame[column].dt.year == year]


def flag(series: pd.Series) -> pd.Series:
    """A boolean column with nulls as False (a null never passes a filter in SQL either)."""
    return series.astype("boolean").fillna(False).astype(bool)


def numbers(series: pd.Series) -> pd.Series:
    """A numeric column as float64, nulls as NaN."""
    return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index)


def nonzero(series: pd.Series) -> pd.Series:
    return series.where(series != 0)


def in_post_at_end(staff: pd.DataFrame, year: int) -> pd.Series:
    end = pd.Timestamp(year, 12, 31)
    return (staff["hire_date"] <= end) & (staff["exit_date"].isna() | (staff["exit_date"] > end))


# ---- task burden ------------------------------------------------------------------------------

BARE_TASK_BURDEN = """
with
work as (
    select
        community_id,
        sum(task_count) as tasks,
        sum(hours) as hours,
        sum(hours) filter (where task_category in ('administrative', 'inspection', 'ledger', 'certificate'))
            as admin_hours,
        sum(task_count) filter (where task_category <> 'self_governance') as handed_down,
        sum(task_count) filter (where task_category <> 'self_governance' and not admitted) as unadmitted,
        sum(task_count) filter (where task_category <> 'self_governance' and not funded) as unfunded,
        count(distinct department) filter (where task_category <> 'self_governance') as departments,
        coalesce(sum(task_count) filter (where task_category = 'inspection'), 0) as inspections,
        coalesce(sum(task_count) filter (where task_category = 'ledger'), 0) as ledgers,
    from tasks
    where year(period) = $year
    group by community_id
),

active as (
    select community_id, count(*) as staff_active,
    from staff
    where hire_date <= make_date($year, 12, 31) and (exit_date is null or exit_date > make_date($year, 12, 31))
    group by community_id
)

select
    c.community_id,
    w.tasks,
    w.hours,
    coalesce(w.admin_hours, 0) / nullif(w.hours, 0) as admin_hours_share,
    coalesce(w.unadmitted, 0) / nullif(w.handed_down, 0) as unadmitted_share,
    coalesce(w.unfunded, 0) / nullif(w.handed_down, 0) as unfunded_share,
    w.departments,
    w.inspections,
    w.ledgers,
    coalesce(a.staff_active, 0) as staff_active,
    w.tasks / nullif(a.staff_active, 0) as tasks_per_staff,
    c.population / nullif(a.staff_active, 0) as residents_per_staff,
from communities as c
left join work as w using (community_id)
left join active as a using (community_id)
"""


def pandas_task_burden(ctx: Context) -> pd.DataFrame:
    tasks = in_year(ctx.frames["tasks"], "period", ctx.year)
    category, count = tasks["task_category"], tasks["task_count"]
    down = category != SELF_GOVERNANCE
    parts = pd.DataFrame(
        {
            "community_id": tasks["community_id"],
            "tasks": count,
            "hours": tasks["hours"],
            "admin_hours": tasks["hours"].where(category.isin(ADMIN), 0.0),
            "handed_down": count.where(down, 0),
            "unadmitted": count.where(down & ~tasks["admitted"], 0),
            "unfunded": count.where(down & ~tasks["funded"], 0),
            "inspections": count.where(category == "inspection", 0),
            "ledgers": count.where(category == "ledger", 0),
        }
    )
    work = parts.groupby("community_id").sum()
    work["departments"] = tasks[down].groupby("community_id")["department"].nunique()
    work["departments"] = work["departments"].fillna(0)
    staff = ctx.frames["staff"]
    active = staff[in_post_at_end(staff, ctx.year)].groupby("community_id").size().rename("staff_active")
    out = ctx.frames["communities"].set_index("community_id")[["population"]].join(work).join(active)
    out["staff_active"] = out["staff_active"].fillna(0)
    out["admin_hours_share"] = out["admin_hours"] / nonzero(out["hours"])
    out["unadmitted_share"] = out["unadmitted"] / nonzero(out["handed_down"])
    out["unfunded_share"] = out["unfunded"] / nonzero(out["handed_down"])
    out["tasks_per_staff"] = out["tasks"] / nonzero(out["staff_active"])
    out["residents_per_staff"] = out["population"] / nonzero(out["staff_active"])
    return out.reset_index()


BARE_TASK_BY_DEPARTMENT = """
select
    department,
    sum(task_count) as tasks,
    sum(hours) as hours,
    coalesce(sum(task_count) filter (where not admitted), 0) / sum(task_count) as unadmitted_share,
    coalesce(sum(task_count) filter (where not funded), 0) / sum(task_count) as unfunded_share,
    count(distinct community_id) as n_communities,
from tasks
where year(period) = $year and task_category <> 'self_governance'
group by department
"""


def pandas_task_by_department(ctx: Context) -> pd.DataFrame:
    tasks = in_year(ctx.frames["tasks"], "period", ctx.year)
    tasks = tasks[tasks["task_category"] != SELF_GOVERNANCE]
    count = tasks["task_count"]
    parts = pd.DataFrame(
        {
            "department": tasks["department"],
            "tasks": count,
            "hours": tasks["hours"],
            "unadmitted": count.where(~tasks["admitted"], 0),
            "unfunded": count.where(~tasks["funded"], 0),
        }
    )
    out = parts.groupby("department").sum()
    out["unadmitted_share"] = out["unadmitted"] / out["tasks"]
    out["unfunded_share"] = out["unfunded"] / out["tasks"]
    out["n_communities"] = tasks.groupby("department")["community_id"].nunique()
    return out.reset_index()


BARE_TASK_HOURS_BY_CATEGORY = """
select community_id, task_category, sum(task_count) as tasks, sum(hours) as hours,
from tasks
where year(period) = $year
group by community_id, task_category
"""


def pandas_task_hours_by_category(ctx: Context) -> pd.DataFrame:
    tasks = in_year(ctx.frames["tasks"], "period", ctx.year)
    grouped = tasks.groupby(["community_id", "task_category"])
    return grouped.agg(tasks=("task_count", "sum"), hours=("hours", "sum")).reset_index()


BARE_TASK_MONTHLY_TREND = """
select
    period,
    sum(task_count) as tasks,
    sum(hours) as hours,
    coalesce(sum(hours) filter (where task_category in ('administrative', 'inspection', 'ledger', 'certificate')), 0)
        / nullif(sum(hours), 0) as admin_hours_share,
from tasks
group by period
"""


def pandas_task_monthly_trend(ctx: Context) -> pd.DataFrame:
    tasks = ctx.frames["tasks"]
    parts = pd.DataFrame(
        {
            "period": tasks["period"],
            "tasks": tasks["task_count"],
            "hours": tasks["hours"],
            "admin_hours": tasks["hours"].where(tasks["task_category"].isin(ADMIN), 0.0),
        }
    )
    out = parts.groupby("period").sum()
    out["admin_hours_share"] = out["admin_hours"] / nonzero(out["hours"])
    return out.reset_index()


BARE_BURDEN_VS_SATISFACTION = """
with
load as (
    select
        community_id,
        coalesce(sum(hours) filter (where task_category in ('administrative', 'inspection', 'ledger', 'certificate')),
            0) / nullif(sum(hours), 0) as admin_hours_share,
    from tasks
    where year(period) = $year
    group by community_id
),

opinion as (
    select
        community_id,
        count(*) as n,
        sum(coalesce(weight, 1.0) * overall) / sum(coalesce(weight, 1.0)) as mean_overall,
    from survey
    where year(survey_date) = $year
    group by community_id
    having count(*) >= $min_n
),

points as (
    select c.community_id, c.community_name, load.admin_hours_share, opinion.mean_overall, opinion.n,
    from communities as c
    join load using (community_id)
    join opinion using (community_id)
    where load.admin_hours_share is not null
)

select
    *,
    regr_slope(mean_overall, admin_hours_share) over () as slope,
    regr_intercept(mean_overall, admin_hours_share) over () as intercept,
    corr(mean_overall, admin_hours_share) over () as correlation,
    count(*) over () as n_communities,
from points
"""


def pandas_burden_vs_satisfaction(ctx: Context) -> pd.DataFrame:
    tasks = in_year(ctx.frames["tasks"], "period", ctx.year)
    admin = tasks["hours"].where(tasks["task_category"].isin(ADMIN), 0.0)
    hours = tasks.groupby("community_id")["hours"].sum()
    share = (admin.groupby(tasks["community_id"]).sum() / nonzero(hours)).rename("admin_hours_share")
    survey = in_year(ctx.frames["survey"], "survey_date", ctx.year)
    w = survey["weight"].fillna(1.0)
    sums = pd.DataFrame({"community_id": survey["community_id"], "w": w, "wx": w * survey["overall"]})
    opinion = sums.groupby("community_id").agg(n=("w", "size"), w=("w", "sum"), wx=("wx", "sum"))
    opinion = opinion[opinion["n"] >= ctx.standards.min_n]
    opinion["mean_overall"] = opinion["wx"] / opinion["w"]
    points = ctx.frames["communities"].set_index("community_id")[["community_name"]]
    points = points.join(share, how="inner").join(opinion[["n", "mean_overall"]], how="inner")
    points = points.dropna(subset=["admin_hours_share"])
    x, y = points["admin_hours_share"], points["mean_overall"]
    slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    r, p_value = stats.pearsonr(x, y)
    return points.assign(
        slope=slope,
        intercept=y.mean() - slope * x.mean(),
        correlation=r,
        n_communities=len(points),
        p_value=p_value,
    ).reset_index()


# ---- satisfaction -----------------------------------------------------------------------------

_ITEM_MEANS = ",\n        ".join(
    f"sum(w * {item}) / sum(w) filter (where {item} is not null) as mean_{item}" for item in OPTIONAL_ITEMS
)
_ITEM_SHOWN = ",\n    ".join(f"case when n >= $min_n then mean_{item} end as mean_{item}" for item in OPTIONAL_ITEMS)

BARE_SATISFACTION = f"""
with
responses as (
    select *, coalesce(weight, 1.0) as w,
    from survey
    where year(survey_date) = $year
),

sums as (
    select
        community_id,
        count(*) as n,
        sum(w) as sum_w,
        sum(w * w) as sum_w2,
        sum(w * overall) as sum_wx,
        sum(w * w * overall) as sum_w2x,
        sum(w * w * overall * overall) as sum_w2x2,
        coalesce(sum(w) filter (where overall >= 4), 0) as sum_w_top2,
        {_ITEM_MEANS},
    from responses
    group by community_id
),

measured as (
    select *, sum_wx / sum_w as mean,
    from sums
)

-- R's svymean on svydesign(ids = ~1, weights = ~w): se² = n/(n − 1) · Σw²(x − mean)² / (Σw)².
select
    community_id,
    n,
    n < $min_n as suppressed,
    case when n >= $min_n then mean end as mean_overall,
    case when n >= $min_n and n > 1
        then sqrt(n / (n - 1) * greatest(sum_w2x2 - 2 * mean * sum_w2x + mean * mean * sum_w2, 0)) / sum_w
    end as se,
    case when n >= $min_n then n - 1 end as df,
    case when n >= $min_n then sum_w_top2 / sum_w end as top2_share,
    {_ITEM_SHOWN},
from measured
"""


def pandas_satisfaction(ctx: Context) -> pd.DataFrame:
    survey = in_year(ctx.frames["survey"], "survey_date", ctx.year)
    w = survey["weight"].fillna(1.0)
    x = numbers(survey["overall"])
    parts = {"community_id": survey["community_id"], "n": 1, "w": w, "wx": w * x, "top2": w.where(x >= 4, 0.0)}
    for item in OPTIONAL_ITEMS:
        value = numbers(survey[item])
        parts[f"wx_{item}"] = (w * value).fillna(0.0)
        parts[f"w_{item}"] = w.where(value.notna(), 0.0)
    frame = pd.DataFrame(parts)
    sums = frame.groupby("community_id").sum()
    shown = sums["n"] >= ctx.standards.min_n
    out = pd.DataFrame({"n": sums["n"], "suppressed": ~shown})
    mean = sums["wx"] / sums["w"]
    # The linearization residuals w(x − mean), response by response, then per community.
    residual = (frame["w"] * (x - frame["community_id"].map(mean))) ** 2
    spread = residual.groupby(frame["community_id"]).sum()
    se = np.sqrt(sums["n"] / (sums["n"] - 1) * spread) / sums["w"]
    out["mean_overall"], out["se"] = mean.where(shown), se.where(shown & (sums["n"] > 1))
    out["df"] = (sums["n"] - 1).where(shown)
    out["top2_share"] = (sums["top2"] / sums["w"]).where(shown)
    for item in OPTIONAL_ITEMS:
        out[f"mean_{item}"] = (sums[f"wx_{item}"] / nonzero(sums[f"w_{item}"])).where(shown)
    half = stats.t.ppf(0.975, out["df"]) * out["se"]
    out["ci_low"], out["ci_high"] = out["mean_overall"] - half, out["mean_overall"] + half
    return out.reset_index()


_ITEM_LIST = ", ".join(SURVEY_ITEMS)
#: Each community's k = P_h / W_h, which turns a response's weight w into w* = w · k: the
#: roll-ups' population weighting, shared by the bare queries below.
_POPULATION_SCALE = """scaled as (
    select s.community_id, any_value(c.population) / sum(coalesce(s.weight, 1.0)) as k
    from survey as s
    join communities as c using (community_id)
    where year(s.survey_date) = $year
    group by s.community_id"""
BARE_SATISFACTION_DISTRIBUTION = f"""
with
{_POPULATION_SCALE}
    having count(*) >= $min_n
),

responses as (
    select survey.*, scaled.k
    from survey
    join scaled using (community_id)
    where year(survey_date) = $year
),

-- Each response weighted w* = w · P_h / W_h: communities count by their population.
answers as (
    unpivot (select k * coalesce(weight, 1.0) as w, {_ITEM_LIST} from responses)
    on {_ITEM_LIST}
    into name item value answer
)

select item, answer, sum(w) / sum(sum(w)) over (partition by item) as share, count(*) as n,
from answers
group by item, answer
"""


def pandas_satisfaction_distribution(ctx: Context) -> pd.DataFrame:
    survey = in_year(ctx.frames["survey"], "survey_date", ctx.year)
    sizes = survey.groupby("community_id").size()
    survey = survey[survey["community_id"].isin(sizes.index[sizes >= ctx.standards.min_n])]
    w = survey["weight"].fillna(1.0)
    population = ctx.frames["communities"].set_index("community_id")["population"]
    w = w * survey["community_id"].map(population) / w.groupby(survey["community_id"]).transform("sum")
    parts = []
    for item in SURVEY_ITEMS:
        answers = w.groupby(numbers(survey[item])).agg(["sum", "size"])
        parts.append(
            pd.DataFrame(
                {
                    "item": item,
                    "answer": answers.index.astype("int64"),
                    "share": answers["sum"] / answers["sum"].sum(),
                    "n": answers["size"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


#: Gender groups under the disclosure rule of queries/satisfaction.sql: (community, gender)
#: cells of communities of min_n or more; a cell under min_n and the unsaid are hidden, and
#: the smallest shown cells join them until the hidden hold min_n; groups add shown cells.
BARE_SATISFACTION_BY_GENDER = f"""
with
-- Each response weighted w* = w · P_h / W_h (W_h over the whole community).
{_POPULATION_SCALE}
),
cells as (
    select
        community_id,
        gender,
        count(*) as n,
        sum(k * coalesce(weight, 1.0)) as w,
        sum(k * coalesce(weight, 1.0) * overall) as wx,
        coalesce(sum(k * coalesce(weight, 1.0)) filter (where overall >= 4), 0) as top2,
        gender is null or count(*) < $min_n as hidden,
    from survey
    join scaled using (community_id)
    where year(survey_date) = $year
    group by community_id, gender
),
ranked as (
    select
        *,
        sum(n) over (partition by community_id) as community_n,
        sum(case when hidden then n else 0 end) over (partition by community_id) as hidden_n,
        coalesce(sum(n) over (
            partition by community_id, hidden order by n, gender rows between unbounded preceding and 1 preceding
        ), 0) as smaller_n,
    from cells
),
shown as (
    select * from ranked
    where community_n >= $min_n and not hidden and (hidden_n = 0 or hidden_n + smaller_n >= $min_n)
),
groups as (select gender, sum(n) as n_all from cells where gender is not null group by gender),
summed as (select gender, sum(n) as n, sum(wx) / sum(w) as mean, sum(top2) / sum(w) as top2 from shown group by gender)
select
    groups.gender as respondent_group,
    coalesce(summed.n, 0) as n,
    coalesce(summed.n, 0) < $min_n as suppressed,
    case when summed.n >= $min_n then summed.mean end as mean_overall,
    case when summed.n >= $min_n then summed.top2 end as top2_share,
from groups
left join summed using (gender)
order by groups.gender
"""


def pandas_satisfaction_by_gender(ctx: Context) -> pd.DataFrame:
    """The same rule in pandas, community by community."""
    min_n = ctx.standards.min_n
    survey = in_year(ctx.frames["survey"], "survey_date", ctx.year)
    w = survey["weight"].fillna(1.0)
    population = ctx.frames["communities"].set_index("community_id")["population"]
    w = w * survey["community_id"].map(population) / w.groupby(survey["community_id"]).transform("sum")
    x = numbers(survey["overall"])
    parts = pd.DataFrame(
        {
            "community_id": survey["community_id"],
            "group": survey["gender"],
            "w": w,
            "wx": w * x,
            "top2": w.where(x >= 4, 0.0),
        }
    )
    cells = parts.groupby(["community_id", "group"], dropna=False).agg(
        n=("w", "size"), w=("w", "sum"), wx=("wx", "sum"), top2=("top2", "sum")
    )
    cells = cells.reset_index()
    cells["hidden"] = cells["group"].isna() | (cells["n"] < min_n)
    by_community = cells.groupby("community_id")
    cells["community_n"] = by_community["n"].transform("sum")
    cells["hidden_n"] = cells["n"].where(cells["hidden"], 0).groupby(cells["community_id"]).transform("sum")
    cells = cells.sort_values(["community_id", "hidden", "n", "group"])
    running = cells.groupby(["community_id", "hidden"])["n"].cumsum() - cells["n"]
    shown = cells[
        (cells["community_n"] >= min_n)
        & ~cells["hidden"]
        & ((cells["hidden_n"] == 0) | (cells["hidden_n"] + running >= min_n))
    ]
    every = sorted(parts["group"].dropna().unique())
    sums = shown.groupby("group")[["n", "w", "wx", "top2"]].sum().reindex(every)
    n = sums["n"].fillna(0)
    ok = n >= min_n
    return pd.DataFrame(
        {
            "respondent_group": every,
            "n": n.to_numpy(),
            "suppressed": (~ok).to_numpy(),
            "mean_overall": (sums["wx"] / sums["w"]).where(ok).to_numpy(),
            "top2_share": (sums["top2"] / sums["w"]).where(ok).to_numpy(),
        }
    )


# ---- facilities ------------------------------------------------------------------------------

#: The six rules of seed_2016, thresholds bound from the profile: null = unknown, as in SQL.
BARE_FACILITY_COMPLIANCE = """
with
latest as (
    select *
    from facilities
    where year <= $year
    qualify row_number() over (partition by community_id order by year desc) = 1
),

measured as (
    select
        c.community_id,
        c.households,
        l.year,
        l.room_count,
        l.has_hall,
        l.tenure,
        l.office_area_m2 + l.service_area_m2 as total_area_m2,
        (l.office_area_m2 + l.service_area_m2) / nullif(c.households, 0) * 100 as area_per_100_households,
        l.operating_budget_yuan / nullif(c.households, 0) * 100 as budget_per_100_households,
    from communities as c
    left join latest as l using (community_id)
),

judged as (
    select
        *,
        total_area_m2 >= $min_total_area_m2 as rule_min_total_area,
        case when room_count is not null and has_hall is not null
            then room_count >= $min_rooms and (has_hall or not $require_hall)
        end as rule_rooms,
        area_per_100_households >= $min_area_per_100_households as rule_area_per_100_households,
        case
            when total_area_m2 is null or households is null then null
            when households >= $tier_high_households then total_area_m2 >= $tier_high_area_m2
            when households >= $tier_low_households then total_area_m2 >= $tier_low_area_m2
            else true
        end as rule_household_tier,
        not list_contains($disallowed_tenures, tenure) as rule_tenure,
        budget_per_100_households >= $min_budget_per_100_households as rule_budget,
    from measured
)

select
    community_id,
    year,
    total_area_m2,
    area_per_100_households,
    budget_per_100_households,
    coalesce(rule_min_total_area, false)::int + coalesce(rule_rooms, false)::int
        + coalesce(rule_area_per_100_households, false)::int + coalesce(rule_household_tier, false)::int
        + coalesce(rule_tenure, false)::int + coalesce(rule_budget, false)::int as rules_passed,
    (rule_min_total_area is not null)::int + (rule_rooms is not null)::int
        + (rule_area_per_100_households is not null)::int + (rule_household_tier is not null)::int
        + (rule_tenure is not null)::int + (rule_budget is not null)::int as rules_applicable,
    rule_min_total_area and rule_rooms and rule_area_per_100_households and rule_household_tier
        and rule_tenure and rule_budget as compliant,
from judged
"""


def rule(passes: pd.Series, known: pd.Series) -> pd.Series:
    """pass / fail / unknown as a nullable boolean (True / False / NA), combined with Kleene logic."""
    return passes.astype("boolean").mask(~known)


def pandas_facility_compliance(ctx: Context) -> pd.DataFrame:
    params = ctx.profile.facility_params()
    rows = ctx.frames["facilities"]
    latest = rows[rows["year"] <= ctx.year].sort_values("year").drop_duplicates("community_id", keep="last")
    frame = ctx.frames["communities"][["community_id", "households"]].merge(latest, on="community_id", how="left")
    households = frame["households"].astype("float64")
    total = frame["office_area_m2"] + frame["service_area_m2"]
    per_100 = total / nonzero(households) * 100
    budget = numbers(frame["operating_budget_yuan"]) / nonzero(households) * 100
    hall = frame["has_hall"].astype("boolean")
    tier_area = np.where(
        households >= params["tier_high_households"],
        params["tier_high_area_m2"],
        np.where(households >= params["tier_low_households"], params["tier_low_area_m2"], 0),
    )
    rules = [
        rule(total >= params["min_total_area_m2"], total.notna()),
        rule((frame["room_count"] >= params["min_rooms"]) & (hall | (not params["require_hall"])), hall.notna()),
        rule(per_100 >= params["min_area_per_100_households"], per_100.notna()),
        rule(total >= tier_area, total.notna()),
        rule(~frame["tenure"].isin(params["disallowed_tenures"]), frame["tenure"].notna()),
        rule(budget >= params["min_budget_per_100_households"], budget.notna()),
    ]
    compliant = rules[0]
    for other in rules[1:]:
        compliant = compliant & other
    return pd.DataFrame(
        {
            "community_id": frame["community_id"],
            "year": frame["year"],
            "total_area_m2": total,
            "area_per_100_households": per_100,
            "budget_per_100_households": budget,
            "rules_passed": sum(r.fillna(False).astype(int) for r in rules),
            "rules_applicable": sum(r.notna().astype(int) for r in rules),
            "compliant": compliant,
        }
    )


# ---- staff ------------------------------------------------------------------------------------

BARE_STAFF_TURNOVER = """
with
people as (
    select
        community_id,
        hire_date,
        exit_date,
        monthly_pay,
        certified_social_worker,
        hire_date < make_date($year, 1, 1) and (exit_date is null or exit_date >= make_date($year, 1, 1)) as at_start,
        hire_date <= make_date($year, 12, 31) and (exit_date is null or exit_date > make_date($year, 12, 31)) as at_end,
    from staff
),

counted as (
    select
        community_id,
        count(*) filter (where at_start) as headcount_start,
        count(*) filter (where at_end) as headcount_end,
        count(*) filter (where year(hire_date) = $year) as hires,
        count(*) filter (where year(exit_date) = $year) as separations,
        count(*) filter (where at_end and certified_social_worker) as certified_end,
        median(monthly_pay) filter (where at_end) as median_pay,
    from people
    group by community_id
)

select
    c.community_id,
    coalesce(t.headcount_start, 0) as headcount_start,
    coalesce(t.headcount_end, 0) as headcount_end,
    coalesce(t.hires, 0) as hires,
    coalesce(t.separations, 0) as separations,
    t.separations / nullif((t.headcount_start + t.headcount_end) / 2, 0) as turnover_rate,
    t.certified_end / nullif(t.headcount_end, 0) as certified_share,
    t.median_pay,
    t.median_pay / $reference_wages[list_position($reference_districts, c.district)] as pay_to_reference,
from communities as c
left join counted as t using (community_id)
"""


def pandas_staff_turnover(ctx: Context) -> pd.DataFrame:
    staff = ctx.frames["staff"]
    start = pd.Timestamp(ctx.year, 1, 1)
    hire, gone = staff["hire_date"], staff["exit_date"]
    at_start = (hire < start) & (gone.isna() | (gone >= start))
    at_end = in_post_at_end(staff, ctx.year)
    parts = pd.DataFrame(
        {
            "community_id": staff["community_id"],
            "headcount_start": at_start,
            "headcount_end": at_end,
            "hires": hire.dt.year == ctx.year,
            "separations": gone.dt.year == ctx.year,
            "certified_end": at_end & flag(staff["certified_social_worker"]),
        }
    )
    counted = parts.groupby("community_id").sum()
    counted["median_pay"] = staff[at_end].groupby("community_id")["monthly_pay"].median()
    out = ctx.frames["communities"].set_index("community_id")[["district"]].join(counted)
    counts = ["headcount_start", "headcount_end", "hires", "separations", "certified_end"]
    out[counts] = out[counts].fillna(0)
    out["turnover_rate"] = out["separations"] / nonzero((out["headcount_start"] + out["headcount_end"]) / 2)
    out["certified_share"] = out["certified_end"] / nonzero(out["headcount_end"])
    wages = ctx.standards.reference_wage_params(ctx.year)
    reference = dict(zip(wages["reference_districts"], wages["reference_wages"], strict=True))
    out["pay_to_reference"] = out["median_pay"] / out["district"].map(reference)
    return out.reset_index()


BARE_RETENTION_CURVE = """
with
durations as (
    select
        c.community_type as group_key,
        date_diff('day', s.hire_date, least(s.exit_date, $as_of)) as duration_days,
        coalesce(s.exit_date <= $as_of, false) as exited,
    from staff as s
    join communities as c using (community_id)
    where s.hire_date <= $as_of
),

by_day as (
    select group_key, duration_days, count(*) as ending, count(*) filter (where exited) as events,
    from durations
    group by group_key, duration_days
),

at_risk as (
    select *, sum(ending) over (partition by group_key order by duration_days desc) as at_risk,
    from by_day
),

steps as (
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

curve as (
    select
        group_key,
        duration_days,
        at_risk,
        events,
        case when bool_or(everyone_left) over running then 0.0 else exp(sum(log_factor) over running) end
            as survival,
        1.959963984540054 * sqrt(sum(greenwood_term) over running) as z_sd,
    from steps
    window running as (partition by group_key order by duration_days)
)

select
    group_key,
    duration_days,
    at_risk,
    events,
    survival,
    case when survival >= 1 then 1.0 when survival <= 0 then 0.0
        else exp(-exp(ln(-ln(survival)) - z_sd / ln(survival))) end as ci_low,
    case when survival >= 1 then 1.0 when survival <= 0 then 0.0
        else exp(-exp(ln(-ln(survival)) + z_sd / ln(survival))) end as ci_high,
from curve
"""


def pandas_durations(ctx: Context, by: str | None) -> pd.DataFrame:
    """Each person hired by the as-of date: group, days observed, and whether they left by then."""
    staff = ctx.frames["staff"]
    as_of = pd.Timestamp(ctx.as_of)
    staff = staff[staff["hire_date"] <= as_of]
    gone = staff["exit_date"]
    group = "ALL"
    if by is not None:
        group = staff["community_id"].map(ctx.frames["communities"].set_index("community_id")[by])
    return pd.DataFrame(
        {
            "group_key": group,
            "duration_days": (gone.where(gone <= as_of, as_of) - staff["hire_date"]).dt.days,
            "ending": 1,
            "events": (gone.notna() & (gone <= as_of)).astype(int),
        }
    )


def pandas_steps(durations: pd.DataFrame) -> pd.DataFrame:
    """The Kaplan–Meier product-limit estimate per group at every day with an exit, with the Greenwood sum."""
    days = durations.groupby(["group_key", "duration_days"], as_index=False)[["ending", "events"]].sum()
    days["at_risk"] = days.iloc[::-1].groupby("group_key")["ending"].cumsum().iloc[::-1]
    steps = days[days["events"] > 0].copy()
    left = steps["events"] / steps["at_risk"]
    steps["survival"] = (1 - left).groupby(steps["group_key"]).cumprod()
    term = (steps["events"] / (steps["at_risk"] * (steps["at_risk"] - steps["events"]))).where(left < 1, 0.0)
    steps["greenwood"] = term.groupby(steps["group_key"]).cumsum()
    return steps


def pandas_retention_curves(ctx: Context) -> pd.DataFrame:
    steps = pandas_steps(pandas_durations(ctx, "community_type"))
    survival = steps["survival"]
    inside = (survival > 0) & (survival < 1)
    log_s = np.log(survival.where(inside))
    z_sd = stats.norm.ppf(0.975) * np.sqrt(steps["greenwood"])
    steps["ci_low"] = np.exp(-np.exp(np.log(-log_s) - z_sd / log_s)).where(inside, survival.clip(0, 1).round())
    steps["ci_high"] = np.exp(-np.exp(np.log(-log_s) + z_sd / log_s)).where(inside, survival.clip(0, 1).round())
    return steps


BARE_STAFF_RETENTION = """
with
durations as (
    select
        date_diff('day', hire_date, least(exit_date, $as_of)) as duration_days,
        coalesce(exit_date <= $as_of, false) as exited,
    from staff
    where hire_date <= $as_of
),

by_day as (
    select duration_days, count(*) as ending, count(*) filter (where exited) as events,
    from durations
    group by duration_days
),

curve as (
    select
        duration_days,
        exp(sum(ln(greatest(1 - events / at_risk, 1e-300))) over (order by duration_days)) as survival,
    from (select *, sum(ending) over (order by duration_days desc) as at_risk from by_day)
    where events > 0
),

horizons as (
    select unnest($horizon_months) as months, unnest($horizons_days) as horizon_days
)

select
    months,
    (select count(*) from durations where duration_days >= horizon_days) as at_risk,
    coalesce(
        (select survival from curve where duration_days <= horizon_days order by duration_days desc limit 1), 1.0
    ) as survival,
from horizons
"""


def pandas_staff_retention(ctx: Context) -> pd.DataFrame:
    durations = pandas_durations(ctx, None)
    steps = pandas_steps(durations)
    days = durations["duration_days"].to_numpy()
    horizons = np.array(staff_retention.horizon_days())
    found = np.searchsorted(steps["duration_days"].to_numpy(), horizons, side="right") - 1
    survival = np.where(found >= 0, steps["survival"].to_numpy()[np.maximum(found, 0)], 1.0)
    return pd.DataFrame(
        {
            "months": list(staff_retention.MONTHS),
            "at_risk": [(days >= h).sum() for h in horizons],
            "survival": survival,
        }
    )


# ---- assessment ---------------------------------------------------------------------------------

BARE_ASSESSMENT = f"""
with
burden as ({BARE_TASK_BURDEN}),
happy as ({BARE_SATISFACTION}),
rooms as ({BARE_FACILITY_COMPLIANCE}),
people as ({BARE_STAFF_TURNOVER}),

scores as (
    select
        c.community_id,
        case when not h.suppressed then (h.mean_overall - 1) / 4 * 100 end as satisfaction_score,
        50 * (1 - b.admin_hours_share) + 50 * (1 - b.unadmitted_share) as burden_score,
        100 * r.rules_passed / nullif(r.rules_applicable, 0) as facility_score,
        case when p.turnover_rate is not null then 100 * (1 - least(p.turnover_rate / $turnover_ceiling, 1)) end
            as staffing_score,
    from communities as c
    left join burden as b using (community_id)
    left join happy as h using (community_id)
    left join rooms as r using (community_id)
    left join people as p using (community_id)
),

weighted as (
    select
        *,
        (coalesce($w_satisfaction * satisfaction_score, 0) + coalesce($w_burden * burden_score, 0)
            + coalesce($w_facility * facility_score, 0) + coalesce($w_staffing * staffing_score, 0))
        / nullif((satisfaction_score is not null)::int * $w_satisfaction + (burden_score is not null)::int * $w_burden
            + (facility_score is not null)::int * $w_facility + (staffing_score is not null)::int * $w_staffing, 0)
            as composite,
        -- rated: every component of positive weight has a score (INDICATORS.md); only they are ranked
        (satisfaction_score is not null or $w_satisfaction <= 0) and (burden_score is not null or $w_burden <= 0)
            and (facility_score is not null or $w_facility <= 0) and (staffing_score is not null or $w_staffing <= 0)
            as rated,
    from scores
)

select
    *,
    case when rated then rank() over (partition by rated order by round(composite, 9) desc) end as rank,
    case when rated
        then $tier_labels[len(list_filter($tier_floors, lambda floor: composite < floor)) + 1]
    end as tier,
from weighted
"""


def pandas_assessment(ctx: Context) -> pd.DataFrame:
    burden = pandas_task_burden(ctx).set_index("community_id")
    happy = pandas_satisfaction(ctx).set_index("community_id")
    rooms = pandas_facility_compliance(ctx).set_index("community_id")
    people = pandas_staff_turnover(ctx).set_index("community_id")
    scores = pd.DataFrame(index=ctx.frames["communities"]["community_id"])
    scores["satisfaction_score"] = ((happy["mean_overall"] - 1) / 4 * 100).where(~happy["suppressed"])
    scores["burden_score"] = 50 * (1 - burden["admin_hours_share"]) + 50 * (1 - burden["unadmitted_share"])
    scores["facility_score"] = 100 * rooms["rules_passed"] / nonzero(rooms["rules_applicable"])
    scores["staffing_score"] = 100 * (1 - (people["turnover_rate"] / ctx.standards.turnover_ceiling).clip(upper=1))
    weights = {f"{name}_score": float(weight) for name, weight in ctx.standards.weights.items()}
    weighted = sum(scores[column].fillna(0) * weight for column, weight in weights.items())
    present = sum(scores[column].notna() * weight for column, weight in weights.items())
    scores["composite"] = weighted / nonzero(present)
    # Only the rated are ranked: every component of positive weight has a score (INDICATORS.md).
    rated = pd.concat([scores[column].notna() | (weight <= 0) for column, weight in weights.items()], axis=1).all(
        axis=1
    )
    scores["rank"] = scores["composite"].where(rated).round(9).rank(method="min", ascending=False)
    return scores.reset_index()


# ---- the list -----------------------------------------------------------------------------------


def indicator(name: str) -> Callable[..., pd.DataFrame]:
    """The function called ``name`` in one of the indicators package's modules."""
    package = importlib.import_module("community_eval.indicators")
    for info in pkgutil.iter_modules(package.__path__, "community_eval.indicators."):
        found = getattr(importlib.import_module(info.name), name, None)
        if callable(found) and getattr(found, "__module__", None) == info.name:
            return found
    raise LookupError(name)


def ours(name: str, *args: object, **kwargs: object) -> Callable[[Context], pd.DataFrame]:
    """Call indicator ``name`` with ``args``; "year", "standards", "profile" and "as_of" stand for the context's."""

    def run(ctx: Context) -> pd.DataFrame:
        given = {"standards": ctx.standards, "profile": ctx.profile, "year": ctx.year, "as_of": ctx.as_of}
        resolved = [given.get(arg, arg) if isinstance(arg, str) else arg for arg in args]
        named = {key: given.get(value, value) if isinstance(value, str) else value for key, value in kwargs.items()}
        return indicator(name)(ctx.store, *resolved, **named)

    return run


def assessment_parts(ctx: Context) -> pd.DataFrame:
    """What the assessment page's contributions chart costs: its scores, then each component's share."""
    scores = assessment.assessment(ctx.store, EVERYTHING, ctx.year, ctx.standards, ctx.profile)
    return assessment.assessment_contributions(ctx.store, scores, ctx.standards)


def with_min_n(name: str, *args: object) -> Callable[[Context], pd.DataFrame]:
    return lambda ctx: ours(name, *args, ctx.standards.min_n)(ctx)


COMMUNITY = {"group_key": "community_id"}
#: The columns compared between ours, bare SQL and pandas: the declarations' own, less the key.
BURDEN_COLUMNS = task_burden.COLUMNS[1:]
ITEM_MEANS = tuple(f"mean_{item}" for item in OPTIONAL_ITEMS)
FACILITY_COLUMNS = (
    "year",
    "total_area_m2",
    "area_per_100_households",
    "budget_per_100_households",
    "rules_passed",
    "rules_applicable",
    "compliant",
)
TURNOVER_COLUMNS = staff_turnover.COLUMNS[2:10]  # headcount_start … pay_to_reference
SCORES = (*assessment.SCORES, "composite", "rank")


def cases() -> list[Case]:
    """Every indicator timed, the ones the pages lean on first."""
    return [
        Case(
            "task_burden",
            "overview, task burden, assessment, profile",
            ours("task_burden", EVERYTHING, "year"),
            BARE_TASK_BURDEN,
            pandas_task_burden,
            ("community_id",),
            BURDEN_COLUMNS,
            COMMUNITY,
        ),
        Case(
            "task_by_department",
            "task burden",
            ours("task_by_department", EVERYTHING, "year"),
            BARE_TASK_BY_DEPARTMENT,
            pandas_task_by_department,
            ("department",),
            ("tasks", "hours", "unadmitted_share", "unfunded_share", "n_communities"),
        ),
        Case(
            "task_hours_by_category",
            "task burden",
            ours("task_hours_by_category", EVERYTHING, "year"),
            BARE_TASK_HOURS_BY_CATEGORY,
            pandas_task_hours_by_category,
            ("community_id", "task_category"),
            ("tasks", "hours"),
            COMMUNITY,
        ),
        Case(
            "task_monthly_trend",
            "task burden",
            ours("task_monthly_trend", EVERYTHING),
            BARE_TASK_MONTHLY_TREND,
            pandas_task_monthly_trend,
            ("period",),
            ("tasks", "hours", "admin_hours_share"),
        ),
        Case(
            "burden_vs_satisfaction",
            "task burden",
            with_min_n("burden_vs_satisfaction", EVERYTHING, "year"),
            BARE_BURDEN_VS_SATISFACTION,
            pandas_burden_vs_satisfaction,
            ("community_id",),
            ("admin_hours_share", "mean_overall", "n", "slope", "intercept", "correlation", "n_communities"),
        ),
        Case(
            "satisfaction",
            "overview, satisfaction, assessment, profile",
            with_min_n("satisfaction", EVERYTHING, "year"),
            BARE_SATISFACTION,
            pandas_satisfaction,
            ("community_id",),
            ("n", "suppressed", "mean_overall", "se", "df", "top2_share", *ITEM_MEANS),
            COMMUNITY,
        ),
        Case(
            "satisfaction_distribution",
            "satisfaction",
            with_min_n("satisfaction_distribution", EVERYTHING, "year"),
            BARE_SATISFACTION_DISTRIBUTION,
            pandas_satisfaction_distribution,
            ("item", "answer"),
            ("share", "n"),
        ),
        Case(
            "satisfaction_by_respondent (gender)",
            "satisfaction",
            lambda ctx: satisfaction.satisfaction_by_respondent(
                ctx.store, EVERYTHING, ctx.year, ctx.standards.min_n, "gender"
            ),
            BARE_SATISFACTION_BY_GENDER,
            pandas_satisfaction_by_gender,
            ("respondent_group",),
            ("n", "suppressed", "mean_overall", "top2_share"),
        ),
        Case(
            "facility_compliance",
            "overview, facilities, assessment, profile",
            ours("facility_compliance", EVERYTHING, "year", "profile"),
            BARE_FACILITY_COMPLIANCE,
            pandas_facility_compliance,
            ("community_id",),
            FACILITY_COLUMNS,
        ),
        Case(
            "staff_turnover",
            "overview, staff, assessment, profile",
            ours("staff_turnover", EVERYTHING, "year", "standards"),
            BARE_STAFF_TURNOVER,
            pandas_staff_turnover,
            ("community_id",),
            TURNOVER_COLUMNS,
            COMMUNITY,
        ),
        Case(
            "retention_curves (by type)",
            "staff",
            ours("retention_curves", EVERYTHING, "as_of", by="community_type"),
            BARE_RETENTION_CURVE,
            pandas_retention_curves,
            ("group_key", "duration_days"),
            ("at_risk", "events", "survival", "ci_low", "ci_high"),
            ours_rows=lambda frame: frame[frame["events"] > 0],
        ),
        Case(
            "staff_retention",
            "export",
            ours("staff_retention", EVERYTHING, "as_of"),
            BARE_STAFF_RETENTION,
            pandas_staff_retention,
            ("months",),
            ("at_risk", "survival"),
        ),
        Case(
            "assessment",
            "assessment",
            ours("assessment", EVERYTHING, "year", "standards", "profile"),
            BARE_ASSESSMENT,
            pandas_assessment,
            ("community_id",),
            SCORES,
        ),
        # Composites of the above and smaller queries: ours only.
        Case("headlines (2 years)", "overview", ours("headlines", EVERYTHING, "year", "standards", "profile")),
        Case("data_years", "every page (sidebar)", ours("data_years")),
        Case("filter_options", "every page (sidebar)", ours("filter_options")),
        Case("task_burden, level all", "task burden", ours("task_burden", EVERYTHING, "year", level="all")),
        Case(
            "facility_rollup (street)",
            "overview, facilities",
            ours("facility_rollup", EVERYTHING, "year", "profile", level="street"),
        ),
        Case("turnover_by_year", "staff", ours("turnover_by_year", EVERYTHING, "year")),
        Case("exit_reasons", "staff", ours("exit_reasons", EVERYTHING, "year")),
        Case("tenure_in_post", "staff", ours("tenure_in_post", EVERYTHING, "year")),
        Case("pay_by_role", "staff", ours("pay_by_role", EVERYTHING, "year")),
        Case("staffing_by_community", "staff, profile", ours("staffing_by_community", EVERYTHING, "year", "standards")),
        Case(
            "assessment_stability (81 weightings)",
            "assessment",
            ours("assessment_stability", EVERYTHING, "year", "standards", "profile"),
        ),
        Case(
            "assessment_movement (2 years)",
            "assessment",
            ours("assessment_movement", EVERYTHING, "year", "standards", "profile"),
        ),
        Case("assessment_parts", "assessment", assessment_parts),
        Case(
            "profile_positions (one community)",
            "profile",
            ours("profile_positions", PROFILE_COMMUNITY, "year", "standards", "profile"),
        ),
        Case("profile_trends (one community)", "profile", with_min_n("profile_trends", PROFILE_COMMUNITY, "year")),
        Case(
            "profile_assessment (one community)",
            "profile",
            ours("profile_assessment", PROFILE_COMMUNITY, "year", "standards", "profile"),
        ),
    ]


# ---- checking and timing ----------------------------------------------------------------------


def cell(value: object) -> float:
    """Any cell (number, boolean, null) as a float, for comparing."""
    return np.nan if value is None or pd.isna(value) else float(value)


def key_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d")
    if pd.api.types.is_float_dtype(series) and series.dropna().mod(1).eq(0).all():
        return series.astype("int64").astype(str)
    return series.astype(str)


def normalise(case: Case, frame: pd.DataFrame, is_ours: bool) -> pd.DataFrame:
    if is_ours:
        frame = case.ours_rows(frame) if case.ours_rows else frame
        frame = frame.rename(columns=case.ours_names)
    keyed = pd.DataFrame({key: key_text(frame[key]) for key in case.keys})
    for column in case.columns:
        keyed[column] = [cell(value) for value in frame[column]]
    return keyed.sort_values(list(case.keys)).reset_index(drop=True)


def disagreements(case: Case, results: dict[str, pd.DataFrame]) -> list[str]:
    """Where the bare query or pandas gives other numbers than ours (empty when they agree)."""
    reference = normalise(case, results["ours"], is_ours=True)
    problems = []
    for label in ("bare", "pandas"):
        other = normalise(case, results[label], is_ours=False)
        if not reference[list(case.keys)].equals(other[list(case.keys)]):
            problems.append(f"{label}: other rows ({len(other)} against ours' {len(reference)})")
            continue
        for column in case.columns:
            ours_values, their_values = reference[column].to_numpy(), other[column].to_numpy()
            close = np.isclose(ours_values, their_values, rtol=1e-9, atol=1e-12, equal_nan=True)
            if not close.all():
                at = int(np.flatnonzero(~close)[0])
                problems.append(
                    f"{label}: {column} differs in {int((~close).sum())} rows "
                    f"(row {at}: ours {ours_values[at]!r}, {label} {their_values[at]!r})"
                )
    return problems


def read_tables(store: Store) -> dict[str, pd.DataFrame]:
    """Every contract table into pandas, as an analyst would start (not timed)."""
    with store.cursor() as cur:
        return {name: cur.execute(f"select * from main.{name}").df() for name in TABLES}


def first_results(case: Case, ctx: Context) -> dict[str, pd.DataFrame]:
    """Ours and the bare query once (the warm-up); an indicator being edited may fail: that is raised."""
    results = {"ours": case.ours(ctx)}
    if case.bare:
        results["bare"] = ctx.sql(case.bare)
    return results


def run(database: Path, repeat: int, label: str) -> dict[str, object]:
    """Check every indicator three ways, then time them interleaved; returns times and findings."""
    store = Store(str(database))
    standards = load_standards()
    year = overview.latest_year(store, "survey")
    as_of = min(dt.date.today(), dt.date(year, 12, 31))
    ctx = Context(store, year, standards, standards.profile(PROFILE), as_of)
    first: dict[str, dict[str, pd.DataFrame]] = {}
    problems: dict[str, list[str]] = {}
    for case in cases():
        try:
            first[case.name] = first_results(case, ctx)
        except Exception as error:  # recorded and left out of the timing, never fatal
            problems[case.name] = [f"error: {type(error).__name__}: {str(error).splitlines()[0]}"]
            print(f"[{label} indicators] {case.name}: {problems[case.name][0]}", flush=True)
    chosen = [case for case in cases() if case.name in first]
    peak_duckdb = peak_rss_mib()
    start = time.perf_counter()
    ctx.frames = read_tables(store)
    pandas_read = time.perf_counter() - start
    peak_frames = peak_rss_mib()
    for case in chosen:
        if case.pandas:
            first[case.name]["pandas"] = case.pandas(ctx)
            problems[case.name] = disagreements(case, first[case.name])
            state = "; ".join(problems[case.name]) or "ours, bare and pandas agree"
            print(f"[{label} indicators] {case.name}: {state}", flush=True)
    runs = {}
    for case in chosen:
        runs[f"{case.name}|ours"] = timed(lambda case=case: case.ours(ctx))
        if case.bare:
            runs[f"{case.name}|bare"] = timed(lambda case=case: ctx.sql(case.bare))
        if case.pandas:
            runs[f"{case.name}|pandas"] = timed(lambda case=case: case.pandas(ctx))
    times = measure(runs, repeat, f"{label} indicators")
    store.close()
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "cases": [{"name": c.name, "pages": c.pages, "compared": c.pandas is not None} for c in cases()],
        "problems": problems,
        "times": times,
        "pandas_read_s": pandas_read,
        "peak_duckdb_mib": peak_duckdb,
        "peak_frames_mib": peak_frames,
    }
