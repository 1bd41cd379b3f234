"""The 达标测算 page's inputs: unit costs, this year's budgets and the order to spend them in,
each kept in the address so a budget meeting's link opens on the same answer.

``costs=3000,150000,41000`` (the order of :data:`~community_eval.core.standards.UNIT_COSTS`),
only when they differ from the standards file; ``budget=12000000,3000000`` in yuan (one-off,
yearly); ``order=cheapest|worst``. A value the inputs could not show is ignored with a notice.
"""

from __future__ import annotations

import re

import streamlit as st

from community_eval.core import url_params
from community_eval.core.i18n import Translator
from community_eval.core.standards import UNIT_COSTS, Standards
from community_eval.indicators.standard_gap import BUDGET_STEP, ORDERS, budget_steps, example_budgets, unit_costs

COSTS_PARAM = "costs"
BUDGET_PARAM = "budget"
ORDER_PARAM = "order"
#: The largest unit cost or budget an input takes (ten billion yuan): more is a typing slip.
MAX_YUAN = 1e10
_NUMBER = re.compile(r"[0-9]{1,11}(\.[0-9]{1,2})?")
_COST_KEYS = {name: f"unit_cost_{name}" for name in UNIT_COSTS}
_BUDGET_KEYS = ("budget_one_off_wan", "budget_yearly_wan")


def _numbers(name: str, count: int) -> list[float] | None:
    """``count`` comma-separated amounts in yuan from the URL, or None (ignored with a notice)."""
    raw = url_params.raw(name)
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) != count or not all(_NUMBER.fullmatch(part) for part in parts):
        url_params.ignore(name, raw)
        return None
    values = [float(part) for part in parts]
    if any(value > MAX_YUAN for value in values):
        url_params.ignore(name, raw)
        return None
    return values


def shared_choice(standards: Standards) -> tuple[tuple[tuple[str, float], ...] | None, tuple[float, float] | None, str]:
    """The unit costs (None: the file's), budgets (None: none given) and order a shared address
    carries, for every view that prices the bill (the profile, the offline report): read once
    per run into the view (``view_state.View``), as the assessment weights are."""
    given = _numbers(COSTS_PARAM, len(UNIT_COSTS))
    costs = tuple(zip(UNIT_COSTS, given, strict=True)) if given else None
    if costs is not None and dict(costs) == unit_costs(standards):
        costs = None
    budgets = _numbers(BUDGET_PARAM, 2)
    order = url_params.choice(ORDER_PARAM, ORDERS) or ORDERS[0]
    return costs, (budgets[0], budgets[1]) if budgets else None, order


def chosen_costs(standards: Standards) -> tuple[tuple[str, float], ...]:
    """The unit costs this run prices with: the inputs' (once drawn), else the URL's, else the
    file's; plain pairs, cacheable. Read before the editor is drawn, so the page can open on
    the bill and keep the inputs beside their notes further down."""
    defaults = unit_costs(standards)
    given = _numbers(COSTS_PARAM, len(UNIT_COSTS)) if _COST_KEYS["cost_per_m2"] not in st.session_state else None
    start = dict(zip(UNIT_COSTS, given, strict=True)) if given else defaults
    for name, key in _COST_KEYS.items():
        st.session_state.setdefault(key, start[name])
    chosen = {name: float(st.session_state[key]) for name, key in _COST_KEYS.items()}
    if chosen == defaults:
        st.query_params.pop(COSTS_PARAM, None)
    else:
        st.query_params[COSTS_PARAM] = ",".join(f"{chosen[name]:g}" for name in UNIT_COSTS)
    return tuple(chosen.items())


def costs_editor(tr: Translator, standards: Standards) -> None:
    """The three unit costs, each with its note from the standards file in view (never hidden:
    they are assumptions, and the bill is only as good as they are)."""
    st.subheader(tr("cost.units_title"))
    note, reset = st.columns([4, 1], vertical_alignment="center")
    note.caption(tr("cost.units_note"))
    for column, name in zip(st.columns(len(UNIT_COSTS)), UNIT_COSTS, strict=True):
        column.number_input(
            tr(f"cost.unit.{name}"), min_value=0.0, max_value=MAX_YUAN, step=100.0, format="%.0f", key=_COST_KEYS[name]
        )
        cost = standards.unit_costs.get(name)
        column.caption(cost.explained(tr.lang) if cost else tr("cost.unit_missing"))
    if reset.button(tr("cost.units_reset"), key="unit_costs_reset"):
        for name, yuan in unit_costs(standards).items():
            st.session_state[_COST_KEYS[name]] = yuan
        st.rerun()


def order_choice(tr: Translator, where: object | None = None) -> str:
    """Cheapest first or worst first; the URL's when it names one (``where``: the container)."""
    st.session_state.setdefault("cost_order", url_params.choice(ORDER_PARAM, ORDERS) or ORDERS[0])
    order = (where or st).radio(
        tr("cost.order_label"), ORDERS, format_func=lambda o: tr(f"cost.order.{o}"), horizontal=True, key="cost_order"
    )
    if order == ORDERS[0]:
        st.query_params.pop(ORDER_PARAM, None)
    else:
        st.query_params[ORDER_PARAM] = order
    return order


def budget_sliders(
    tr: Translator, bills: tuple[float, float], where: tuple[object, object] | None = None
) -> tuple[float, float]:
    """This year's one-off and yearly budgets in 万元, each up to the bill it pays (at least one step).

    Without a budget in the URL the sliders start at the example budgets
    (:func:`~community_eval.indicators.standard_gap.example_budgets`, a quarter of each bill, as
    the offline report prices them), and the page says that this is an example: a leader moves
    them to the real figures.
    """
    given = _numbers(BUDGET_PARAM, 2)
    tops = budget_steps(bills)
    starts = [round(v / BUDGET_STEP) for v in (given or example_budgets(bills))]
    columns = where or st.columns(2)
    chosen = []
    for column, key, top, start, label in zip(
        columns, _BUDGET_KEYS, tops, starts, ("cost.budget_one_off", "cost.budget_annual"), strict=True
    ):
        st.session_state.setdefault(key, min(start, top))
        st.session_state[key] = min(int(st.session_state[key]), top)  # a smaller filter's bill
        chosen.append(column.slider(tr(label), 0, top, step=1, key=key) * BUDGET_STEP)
    if given is None and chosen == [start * BUDGET_STEP for start in starts]:
        # still the example: the address stays without a budget, so the report says "example" too
        st.caption(tr("cost.budget_example"))
        st.query_params.pop(BUDGET_PARAM, None)
    else:
        st.query_params[BUDGET_PARAM] = ",".join(str(int(value)) for value in chosen)
    return chosen[0], chosen[1]
