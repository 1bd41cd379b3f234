-- A researcher's own questions (main.questions, main.survey_answers), estimated exactly as the
-- contract's fixed questions are in satisfaction.sql, under the same disclosure control.
-- Definitions: ../shared/INDICATORS.md, "satisfaction".
--
-- Disclosure control is decided by the survey, not by the item: a community is shown, and its
-- answers counted in any total, only when it returned at least $min_n questionnaires that year
-- (all of them, as `satisfaction` counts n), and a group's figures are withheld when its shown
-- communities hold fewer than $min_n questionnaires. So an item never reveals a community the
-- fixed questions hide, and a total holds no answer of a hidden community.

-- name: survey_items
-- Weighted mean of every own item per group for year $year, with the previous year's mean.
--
-- The design is the satisfaction design with the item's unanswered rows dropped, as R's
-- svymean(~item, design, na.rm = TRUE) drops them. A community's row: svydesign(ids = ~1,
-- weights = ~w) over the responses answering the item: mean Σwx/Σw, se = √(n/(n − 1)·Σw²(x −
-- mean)²)/Σw on n − 1 degrees of freedom. A roll-up: each answer weighted w* = w · P_h / W_h, W_h
-- the Σw of all the community's responses that year (as satisfaction's optional items), the
-- design stratified by community: se² = Σ_h n_h/(n_h − 1) · Σ_i (e_hi − ē_h)² / (Σw*)²,
-- e_hi = w*_hi(x_hi − mean), on n − H degrees of freedom (n answers, H communities answering).
-- A stratum of one answer has no variance (R: "lonely PSU"), so se is then null.
-- `n` counts the group's answers to the item, `n_counted` those in its statistics;
-- `mean_previous` is the same estimate for $year − 1 (null when withheld or not asked).
-- item_text, theme and scale are the smallest of the item's stored rows (one item_code is
-- one question text, so only theme or scale can differ between loads). The interval is
-- finished by the indicator module (the t quantile is not a DuckDB function).
-- Parameters: $year, $min_n, $level and the filter. Grain: one row per (group, item).
with
scope as (
    select community_id, group_key, group_label, population
    from macros.scoped_communities($level, $district, $street, $community_type, $community_id)
),

responses as (
    select response_id, community_id, year(survey_date) as survey_year, coalesce(weight, 1.0) as w
    from macros.survey_in_years($year - 1, $year)
    where community_id in (select community_id from scope)
),

-- Each community's questionnaires and Σw per year: what decides disclosure and w*.
community_years as (
    select community_id, survey_year, count(*) as survey_n, fsum(w) as sw_all
    from responses
    group by community_id, survey_year
),

-- Additive sums per (community, year, item) (macros.design_sums), so the roll-up's variance
-- needs no second pass.
per_item as (
    select
        r.community_id,
        r.survey_year,
        a.item_code,
        unnest(macros.design_sums(r.w, a.value)),
    from responses as r
    join main.survey_answers as a using (response_id)
    group by r.community_id, r.survey_year, a.item_code
),

-- k = P_h / W_h turns w into w* in a roll-up; a community's own row keeps its weights.
counted as (
    select
        p.*,
        scope.group_key,
        scope.group_label,
        c.survey_n >= $min_n as shown,
        case when $level = 'community' then 1.0 else scope.population / c.sw_all end as k,
    from per_item as p
    join community_years as c using (community_id, survey_year)
    join scope using (community_id)
),

-- The group's questionnaires in shown communities: below $min_n, its figures are withheld.
group_years as (
    select
        scope.group_key,
        c.survey_year,
        sum(case when c.survey_n >= $min_n then c.survey_n else 0 end) as survey_n_counted,
    from community_years as c
    join scope using (community_id)
    group by scope.group_key, c.survey_year
),

measured as (
    select
        group_key,
        survey_year,
        item_code,
        any_value(group_label) as group_label,
        sum(n)::bigint as n,
        coalesce(sum(n) filter (where shown), 0)::bigint as n_counted,
        count(*) filter (where shown) as strata,
        coalesce(bool_or(shown and n < 2), false) as lonely,
        fsum(k * sw) filter (where shown) as sum_w,
        fsum(k * swx) filter (where shown) / fsum(k * sw) filter (where shown) as mean,
    from counted
    group by group_key, survey_year, item_code
),

strata as (
    select
        c.group_key,
        c.survey_year,
        c.item_code,
        macros.stratum_spread(c.n, c.k, c.sw, c.sw2, c.swx, c.sw2x, c.sw2x2, m.mean) as spread,
    from counted as c
    join measured as m using (group_key, survey_year, item_code)
    where c.shown and c.n > 1
),

spread as (
    select group_key, survey_year, item_code, fsum(spread) as spread
    from strata
    group by group_key, survey_year, item_code
),

estimated as (
    select
        m.group_key,
        m.group_label,
        m.survey_year,
        m.item_code,
        m.n,
        m.n_counted,
        g.survey_n_counted < $min_n as suppressed,
        case when g.survey_n_counted >= $min_n then m.mean end as mean,
        case when g.survey_n_counted >= $min_n and m.n_counted > 0 and not m.lonely and m.sum_w > 0
            then sqrt(s.spread) / m.sum_w
        end as se,
        case when g.survey_n_counted >= $min_n and m.n_counted > 0 then m.n_counted - m.strata end as df,
    from measured as m
    join group_years as g using (group_key, survey_year)
    left join spread as s using (group_key, survey_year, item_code)
),

items as (
    select item_code, min(item_text) as item_text, min(theme) as theme, min(scale) as scale
    from main.questions
    group by item_code
)

select
    cur.group_key,
    cur.group_label,
    cur.item_code,
    items.item_text,
    items.theme,
    items.scale,
    cur.n,
    cur.n_counted,
    cur.n - cur.n_counted as n_withheld,
    cur.suppressed,
    cur.mean,
    cur.se,
    cur.df,
    prev.mean as mean_previous,
from estimated as cur
left join estimated as prev
    on prev.group_key = cur.group_key
    and prev.item_code = cur.item_code
    and prev.survey_year = $year - 1
left join items on items.item_code = cur.item_code
where cur.survey_year = $year
order by cur.group_key, items.theme nulls last, items.item_text, cur.item_code

-- name: survey_item_distribution
-- Weighted share of each answer (1-5) of every own item, for the diverging bar: as
-- satisfaction_distribution, only communities of at least $min_n questionnaires are counted,
-- each answer weighted w* = w · P_h / W_h (W_h the Σw of all the community's questionnaires:
-- macros.shown_responses).
-- Only items whose answers are whole points: an answer rescaled from a 0–10 or 7-point scale
-- (7 of 10 is 3.8) is no answer of the five, and rounding it would invent one.
-- Parameters: $year, $min_n and the filter. Grain: one row per (item, answer).
with
answers as (
    select a.item_code, a.value, r.w * r.k as w_star
    from macros.shown_responses($district, $street, $community_type, $community_id, $year, $min_n) as r
    join main.survey_answers as a using (response_id)
),

whole_points as (
    select item_code from answers group by item_code having bool_and(value = round(value))
),

counted as (
    select item_code as item, value::integer as answer, fsum(w_star) as sum_w, count(*) as n
    from answers
    semi join whole_points using (item_code)
    group by item_code, value
)

select
    item,
    answer,
    sum_w / sum(sum_w) over (partition by item) as share,
    n,
from counted
order by item, answer

-- name: stored_questions
-- Every own question stored, for the data dictionary: per questionnaire and item, its text,
-- theme and scale as asked, and how many current answers the item has (over every
-- questionnaire it appears in: one item_code is one question text). Grain: one row per
-- (questionnaire, item_code), however often the questionnaire was loaded.
with
answered as (
    select item_code, count(*) as answers from main.survey_answers group by item_code
)

select
    q.questionnaire,
    q.item_code,
    min(q.item_text) as item_text,
    min(q.theme) as theme,
    min(q.scale) as scale,
    coalesce(any_value(answered.answers), 0)::bigint as answers,
from main.questions as q
left join answered using (item_code)
group by q.questionnaire, q.item_code
order by q.questionnaire, theme nulls last, item_text, q.item_code
