"""The assessment page's weights: the editor, and the weights the address carries.

The sentences that read the page's charts are :mod:`community_eval.readings.assessment`,
without Streamlit, so the offline report can use them from the command line.
"""

from __future__ import annotations

import re

import streamlit as st

from community_eval.core import url_params
from community_eval.core.i18n import Translator
from community_eval.core.standards import Standards
from community_eval.indicators.assessment import COMPONENTS

#: The URL carries non-default weights as ``weights=0.4,0.2,0.2,0.2`` (COMPONENTS order).
WEIGHTS_PARAM = "weights"
_KEYS = {component: f"weight_{component}" for component in COMPONENTS}
#: The editor's largest weight; the URL may ask for no more than the editor can show.
MAX_WEIGHT = 10.0
_NUMBER = re.compile(r"[0-9]{1,3}(\.[0-9]{1,9})?")


def url_weights(defaults: dict[str, float]) -> dict[str, float]:
    """Weights named in the URL when they are four numbers the editor accepts, else the defaults.

    Anything else (``nan``, ``inf``, a fifth weight, SQL) is ignored with a notice: the
    editor could not show it, and a weight it cannot show would score silently.
    """
    raw = url_params.raw(WEIGHTS_PARAM)
    if raw is None:
        return defaults
    values = _parse_weights(raw)
    if values is None:
        url_params.ignore(WEIGHTS_PARAM, raw)
        return defaults
    return dict(zip(COMPONENTS, values, strict=True))


def shared_weights(standards: Standards) -> tuple[tuple[str, float], ...] | None:
    """The weights a shared address carries, for every view that scores (profile, report): the
    URL's when they are valid, differ from the standards file's and do not sum to 0; else None,
    which means the file's. One rule, read once per run into the view (``view_state.View.weights``)."""
    defaults = {component: float(standards.weights[component]) for component in COMPONENTS}
    chosen = url_weights(defaults)
    if chosen == defaults or sum(chosen.values()) <= 0:
        return None
    return tuple((component, chosen[component]) for component in COMPONENTS)


def _parse_weights(raw: str) -> list[float] | None:
    """``0.4,0.2,0.2,0.2`` as four numbers from 0 to :data:`MAX_WEIGHT`, or None."""
    parts = raw.split(",")
    if len(parts) != len(COMPONENTS) or not all(_NUMBER.fullmatch(part) for part in parts):
        return None
    values = [float(part) for part in parts]
    return values if all(0 <= value <= MAX_WEIGHT for value in values) else None


def _reset(defaults: dict[str, float]) -> None:
    for component, key in _KEYS.items():
        st.session_state[key] = defaults[component]


def weights_editor(tr: Translator, standards: Standards) -> tuple[tuple[str, float], ...]:
    """Four weight inputs with their sum; returns valid weights as plain pairs (cacheable).

    Any non-negative weights that are not all zero are valid: the composite divides by
    their sum. Invalid input falls back to the standards file's weights, and says so.
    """
    defaults = {component: float(standards.weights[component]) for component in COMPONENTS}
    start = url_weights(defaults)
    for component, key in _KEYS.items():
        st.session_state.setdefault(key, start[component])
    with st.expander(tr("assessment.weights_title"), expanded=False):
        columns = st.columns(len(COMPONENTS))
        for column, component in zip(columns, COMPONENTS, strict=True):
            column.number_input(
                tr(f"assessment.component.{component}"),
                min_value=0.0,
                max_value=MAX_WEIGHT,
                step=0.05,
                key=_KEYS[component],
            )
        chosen = {component: float(st.session_state[key]) for component, key in _KEYS.items()}
        total = sum(chosen.values())
        st.caption(tr("assessment.weights_sum", total=tr.number(total, "ratio")))
        st.button(tr("assessment.weights_reset"), on_click=_reset, args=(defaults,), key="weights_reset")
        if total <= 0:
            st.warning(tr("assessment.weights_invalid"))
            chosen = defaults
        elif abs(total - 1) > 1e-9:
            st.caption(tr("assessment.weights_scaled"))
    if chosen == defaults:
        st.query_params.pop(WEIGHTS_PARAM, None)
    else:
        st.query_params[WEIGHTS_PARAM] = ",".join(f"{chosen[c]:g}" for c in COMPONENTS)
    return tuple((component, chosen[component]) for component in COMPONENTS)
