"""The offline report's download button: the current view as one self-contained HTML file.

The report takes a second or two and weighs about 5 MB (plotly.js is inside it), so it is
built only when the button is clicked and then kept, like every indicator, under the
database's data version and the view: a second click, or another reader of the same view,
gets it at once, and a load anywhere makes it stale.
"""

from __future__ import annotations

import re

import streamlit as st

from community_eval.app import cache, view_state
from community_eval.core.i18n import Translator
from community_eval.core.standards import load_standards
from community_eval.indicators.filters import Filters
from community_eval.report import html_report

#: Characters kept from a community id in the file name (ids are free text in the contract).
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]")


@st.cache_data(show_spinner=False, max_entries=16)
def _report_bytes(
    path: str,
    version: str,
    filters: Filters,
    year: int,
    profile: str,
    lang: str,
    weights: tuple[tuple[str, float], ...] | None,
    costs: tuple[tuple[str, float], ...] | None = None,
    budgets: tuple[float, float] | None = None,
    order: str = "cheapest",
) -> bytes:
    """The report of one view as UTF-8; ``version`` (the data version) only keys the cache.
    ``costs``, ``budgets`` and ``order`` price the cost to standard as the view's address does."""
    html = html_report.build_report(
        cache._open_store(path),
        filters,
        year,
        lang,
        load_standards(),
        profile,
        community_id=filters.community_id,
        weights=weights,
        costs=costs,
        budgets=budgets,
        order=order,
    )
    return html.encode("utf-8")


def file_name(view: view_state.View) -> str:
    """``community_report_2025_zh.html``, with the profiled community's id when there is one."""
    stem = f"community_report_{view.year}_{view.lang}"
    community = _SAFE_ID.sub("", view.filters.community_id or "")
    return f"{stem}_{community}.html" if community else f"{stem}.html"


def report_download(tr: Translator, view: view_state.View, where: object | None = None) -> None:
    """A download button for the offline report of ``view`` (in the sidebar unless ``where``).

    With a community chosen, the report covers the rest of the filter and adds that
    community's profile. Nothing is drawn when there is no year with data.
    """
    if view.year is None:
        return
    args = (
        cache.db_path(),
        cache.data_version(),
        view.filters,
        view.year,
        view.profile,
        view.lang,
        view.weights,
        view.costs,
        view.budgets,
        view.order,
    )
    help_key = "report.download_help_profile" if view.filters.community_id else "report.download_help"
    (where or st.sidebar).download_button(
        tr("report.download"),
        data=lambda: _report_bytes(*args),
        file_name=file_name(view),
        mime="text/html",
        icon=":material/description:",
        on_click="ignore",
        help=tr(help_key),
        key="report_download",
    )
