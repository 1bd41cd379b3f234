"""The offline report (离线报告): one self-contained HTML file for an assessment meeting.

A meeting-room laptop may have no network and only a browser, so the file carries all it
needs: plotly.js inlined once in the head, every figure as a div with its data, the CJK
font from the reader's own system (the charts' font stack), and no address anywhere that
a browser would fetch. The numbers come from the indicator functions the pages call and
the figures from the same chart builders, so a chart in the report is the page's chart.
Print CSS makes the browser's "print to PDF" give A4 pages: each section starts a page
and no chart is split across two.

Every text that comes from data (names of communities, streets, departments) is escaped
here with :func:`html.escape`; inside the figures plotly's JSON escapes ``<`` and ``/``.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
import numbers
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from community_eval.core.collation import sort_frame
from community_eval.core.i18n import Translator, has
from community_eval.core.standards import UNIT_COSTS, Profile, Standards
from community_eval.db.store import Store
from community_eval.figures import assessment as assessment_figures
from community_eval.figures import charts
from community_eval.figures import community_profile as profile_figures
from community_eval.figures import facility_compliance as facility_figures
from community_eval.figures import overview as overview_figures
from community_eval.figures import satisfaction as satisfaction_figures
from community_eval.figures import staff_retention as retention_figures
from community_eval.figures import staff_turnover as staff_figures
from community_eval.figures import standard_gap as gap_figures
from community_eval.figures import task_burden as task_burden_figures
from community_eval.figures.figure import Figure
from community_eval.indicators import (
    assessment,
    facility_compliance,
    overview,
    satisfaction,
    staff_retention,
    staff_turnover,
    standard_gap,
    task_burden,
)
from community_eval.indicators.assessment import COMPONENTS
from community_eval.indicators.community_profile import MIN_RANKED, THEMES, profile_card, profile_positions
from community_eval.indicators.filters import Filters
from community_eval.indicators.metrics import KINDS
from community_eval.readings import disclosure, headlines
from community_eval.readings import facility_compliance as facility_readings
from community_eval.readings import staff_turnover as staff_readings
from community_eval.readings import standard_gap as gap_readings
from community_eval.readings import task_burden as task_burden_readings
from community_eval.readings.assessment import (
    missing_words,
    ranking_table,
    ranking_takeaway,
    stability_takeaway,
    unrated_lines,
)
from community_eval.report.export import ExportError

#: Bars a ranked chart shows at most (as on the pages): more would not fit an A4 page.
TOP_N = 20
#: Communities a theme table shows at each end (highest and lowest); the dashboard lists all.
EXTREMES = 10
#: Ranked communities the ranking table lists in full; beyond this, the first and last half.
RANKING_ROWS = 100
#: Names listed in a sentence at most ("… and 12 more").
NAMES_IN_TEXT = 20
#: plotly's options for a printed page: no toolbar (and so no logo link), still hoverable.
PLOT_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}

#: Columns shown as a signed change (+3 / −2) rather than a plain number.
SIGNED_COLUMNS = {"rank_change"}


@dataclass
class Context:
    """What every section needs: the store, the scope, the year, the language and standards.

    ``filters`` is the report's scope, never a single community: a community's own page is
    the profile section, while the themes and the ranking compare it with its neighbours.
    """

    store: Store
    filters: Filters
    year: int
    tr: Translator
    standards: Standards
    profile: Profile
    weights: dict[str, float]
    #: the unit costs the bill is priced with (None: the standards file's), as the view carries them
    costs: standard_gap.Costs = None
    #: this year's one-off and yearly budgets (None: the example budgets, said so in the report)
    budgets: tuple[float, float] | None = None
    #: the order a budget is spent in (standard_gap.ORDERS)
    order: str = "cheapest"
    numbers: Iterator[int] = field(default_factory=itertools.count)

    @property
    def level(self) -> str:
        """Roll the overview charts up by street unless the scope is already one street."""
        return "community" if self.filters.street else "street"


# ---- the report -------------------------------------------------------------------------


def build_report(
    store: Store,
    filters: Filters,
    year: int,
    lang: str,
    standards: Standards,
    profile_key: str | None,
    community_id: str | None = None,
    weights: assessment.Weights = None,
    costs: standard_gap.Costs = None,
    budgets: tuple[float, float] | None = None,
    order: str = "cheapest",
) -> str:
    """The whole report as one HTML document (a str), ready to write to a file.

    ``filters`` gives the scope of the themes and the ranking (a community in it is dropped
    from the scope and profiled instead, like ``community_id``). ``costs``, ``budgets`` and
    ``order`` price the bill to reach the standard as the 达标测算 page does (the view's). Raises
    :class:`~community_eval.report.export.ExportError` ("report.unknown_community") for a
    community the database does not have.
    """
    community_id = community_id or filters.community_id
    if community_id is not None and profile_card(store, community_id).empty:
        raise ExportError("report.unknown_community", community=community_id)
    ctx = Context(
        store=store,
        filters=replace(filters, community_id=None),
        year=year,
        tr=Translator(lang),
        standards=standards,
        profile=standards.profile(profile_key),
        weights=assessment.assessment_weights(standards, weights),
        costs=costs,
        budgets=budgets,
        order=order,
    )
    sections = _sections(ctx, community_id)
    body = _header(ctx) + _contents(ctx.tr, sections) + "".join(html_ for _, _, html_ in sections) + _footer(ctx.tr)
    return _document(ctx.tr, body)


def _sections(ctx: Context, community_id: str | None) -> list[tuple[str, str, str]]:
    """(anchor, title, HTML) of each section in reading order."""
    tr = ctx.tr
    parts: list[tuple[str, str, Callable[[Context], str]]] = [
        ("headlines", tr("report.headlines"), _headlines),
        ("task_burden", tr("nav.task_burden"), _task_burden),
        ("satisfaction", tr("nav.satisfaction"), _satisfaction),
        ("facilities", tr("nav.facilities"), _facilities),
        ("staff", tr("nav.staff"), _staff),
        ("assessment", tr("nav.assessment"), _assessment),
        ("cost", tr("nav.cost"), _cost),
    ]
    sections = [(anchor, title, _section(anchor, title, build(ctx))) for anchor, title, build in parts]
    if community_id is not None:
        title = tr("nav.profile")
        sections.append(("profile", title, _section("profile", title, _profile(ctx, community_id))))
    return sections


def _document(tr: Translator, body: str) -> str:
    """The page around the body: charset, title, print CSS and plotly.js, once, in the head."""
    return (
        f'<!DOCTYPE html>\n<html lang="{tr.html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(tr('report.title'))}</title>\n<style>{_css()}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n</head>\n'
        f'<body>\n<main class="report">\n{body}</main>\n</body>\n</html>\n'
    )


def _css() -> str:
    """Screen and print styles: a fixed A4-wide column, a new page per section, charts whole."""
    return f"""
@page {{ size: A4; margin: 15mm; }}
* {{ box-sizing: border-box; }}
html {{ background: #fff; -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ margin: 0; color: #1a1a1a; font-family: {charts.FONT_FAMILY}; font-size: 10.5pt; line-height: 1.5; }}
.report {{ width: 180mm; margin: 0 auto; padding: 10mm 0; }}
h1 {{ font-size: 20pt; margin: 0 0 4mm; }}
h2 {{ font-size: 15pt; margin: 0 0 3mm; padding-bottom: 1mm; border-bottom: 2px solid #0072B2; }}
h3 {{ font-size: 11.5pt; margin: 5mm 0 2mm; }}
h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
section {{ break-before: page; page-break-before: always; }}
section#headlines {{ break-before: auto; page-break-before: auto; }}
dl.meta {{ display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0 0 4mm; }}
dl.meta dt {{ color: #555; }}
dl.meta dd {{ margin: 0; }}
nav.contents ol {{ margin: 0 0 4mm; padding-left: 6mm; columns: 2; }}
nav.contents a {{ color: #0072B2; text-decoration: none; }}
p.takeaway {{ font-weight: bold; margin: 0 0 3mm; }}
p.note, figcaption {{ color: #555; font-size: 9pt; margin: 1mm 0 3mm; }}
figure.chart {{ margin: 0 0 5mm; break-inside: avoid; page-break-inside: avoid; }}
.cards {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 3mm; margin: 0 0 4mm; }}
.card {{ border: 1px solid #d0d0d0; border-radius: 2mm; padding: 2mm 3mm; break-inside: avoid; }}
.card .label {{ color: #555; font-size: 9pt; }}
.card .value {{ font-size: 16pt; font-weight: bold; }}
.card .change {{ color: #555; font-size: 8.5pt; }}
.card .change.good {{ color: {charts.TONE_COLOURS["good"]}; }}
.card .change.bad {{ color: {charts.TONE_COLOURS["bad"]}; }}
.card .verdict {{ font-size: 8.5pt; font-weight: bold; margin: 0.5mm 0; }}
.card .verdict.meets {{ color: {charts.TONE_COLOURS["good"]}; }}
.card .verdict.misses {{ color: {charts.TONE_COLOURS["bad"]}; }}
dl.definitions {{ font-size: 9pt; color: #333; margin: 0; }}
dl.definitions dt {{ font-weight: bold; }}
dl.definitions dd {{ margin: 0 0 1.5mm; }}
table {{ width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 0 0 3mm; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }}
th {{ background: #f0f4f8; font-weight: bold; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.num {{ white-space: nowrap; }}
td.name {{ white-space: nowrap; }}
.block {{ break-inside: avoid; page-break-inside: avoid; }}
tr.gap td {{ text-align: center; color: #777; background: #fafafa; }}
.screen-only {{ background: #f0f4f8; padding: 2mm 3mm; border-radius: 2mm; font-size: 9pt; }}
footer {{ margin-top: 8mm; color: #777; font-size: 8.5pt; }}
@media print {{
  .report {{ padding: 0; }}
  .screen-only {{ display: none; }}
}}
"""


# ---- header, contents, footer -----------------------------------------------------------


def _header(ctx: Context) -> str:
    """Title, then the scope in words, year, standards, weights, data version and times."""
    tr = ctx.tr
    loaded = ctx.store.last_loaded_at()
    rows = [
        (tr("report.scope"), _scope_words(ctx)),
        (tr("filters.year"), tr("filters.year_value", year=ctx.year)),
        (tr("filters.profile"), ctx.profile.name(tr.lang)),
        (tr("report.weights"), _weights_words(ctx)),
        (tr("report.data_version"), ctx.store.data_version()[:12]),
        (tr("report.data_date"), loaded.strftime("%Y-%m-%d %H:%M") if loaded else "—"),
        (tr("report.generated"), dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]
    items = "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in rows)
    return (
        f'<header>\n<h1>{_e(tr("report.title"))}</h1>\n<dl class="meta">{items}</dl>\n'
        f'<p class="screen-only">{_e(tr("report.print_hint"))}</p>\n</header>\n'
    )


def _scope_words(ctx: Context) -> str:
    """The filter in words, as the pages' captions say it: "仙桃市 · 干河街道"."""
    tr, chosen = ctx.tr, ctx.filters
    kind = tr.enum("community_type", chosen.community_type) if chosen.community_type else None
    parts = [part for part in (chosen.district, chosen.street, kind) if part]
    return " · ".join(parts) or tr("filters.everything")


def _weights_words(ctx: Context) -> str:
    return " · ".join(f"{ctx.tr(f'assessment.component.{c}')} {ctx.weights[c]:g}" for c in COMPONENTS)


def _contents(tr: Translator, sections: list[tuple[str, str, str]]) -> str:
    """Links within the file to each section (never to anything outside it)."""
    items = "".join(f'<li><a href="#{anchor}">{_e(title)}</a></li>' for anchor, title, _ in sections)
    return f'<nav class="contents"><h3>{_e(tr("report.contents"))}</h3><ol>{items}</ol></nav>\n'


def _footer(tr: Translator) -> str:
    return f"<footer>{_e(tr('report.footer'))}</footer>\n"


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{_e(title)}</h2>\n{body}</section>\n'


# ---- building blocks --------------------------------------------------------------------


def _e(text: object) -> str:
    """Escape a text for HTML (quotes too, since some texts go into attributes)."""
    return html.escape(str(text), quote=True)


def _figure(ctx: Context, figure: go.Figure, note: str | None = None) -> str:
    """A figure as a div and the script that draws it, numbered so the file is reproducible."""
    number = next(ctx.numbers)
    div = figure.to_html(
        include_plotlyjs=False, full_html=False, div_id=f"chart-{number}", config=PLOT_CONFIG, default_width="100%"
    )
    caption = f"<figcaption>{_e(note)}</figcaption>" if note else ""
    return f'<figure class="chart">{div}{caption}</figure>\n'


def _takeaway(text: str) -> str:
    return f'<p class="takeaway">{_e(text)}</p>\n'


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>\n'


def _no_data(tr: Translator) -> str:
    return _note(tr("report.no_data"))


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _cell(tr: Translator, column: str, value: object) -> str:
    """One table cell in the reader's number format; text (already words) as it is."""
    if _missing(value):
        return "—"
    if isinstance(value, str):
        return value
    if column in SIGNED_COLUMNS:
        return tr.change(float(value), "int")
    kind = KINDS.get(column)
    if kind is None:
        if isinstance(value, bool) or not isinstance(value, numbers.Number):
            return str(value)
        raise ValueError(f"column {column!r} holds numbers but has no kind in community_eval/metrics.KINDS")
    return tr.number(float(value), kind)


def _table(
    tr: Translator,
    frame: pd.DataFrame,
    columns: list[str],
    labels: dict[str, str] | None = None,
    gap_after: int | None = None,
    gap_text: str = "",
    numeric: set[str] | None = None,
) -> str:
    """An HTML table with headers in the reader's language (``col.*`` unless ``labels``).

    ``gap_after`` puts a row saying what was left out after that many rows; ``numeric``
    names the right-aligned columns (by default those with a number kind).
    """
    labels = labels or {}
    numeric = numeric if numeric is not None else {c for c in columns if c in KINDS or c in SIGNED_COLUMNS}

    def css(column: str) -> str:
        if column in numeric:
            return ' class="num"'
        return ' class="name"' if column == "community_name" else ""

    head = "".join(f"<th{css(c)}>{_e(labels.get(c) or tr(f'col.{c}'))}</th>" for c in columns)
    rows = []
    for index, (_, row) in enumerate(frame.iterrows()):
        if gap_after is not None and index == gap_after:
            rows.append(f'<tr class="gap"><td colspan="{len(columns)}">{_e(gap_text)}</td></tr>')
        rows.append("<tr>" + "".join(f"<td{css(c)}>{_e(_cell(tr, c, row[c]))}</td>" for c in columns) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>\n"


def _extremes_table(
    ctx: Context,
    frame: pd.DataFrame,
    measure: str,
    columns: list[str],
    ascending: bool,
    labels: dict[str, str] | None = None,
) -> str:
    """The communities at both ends of ``measure`` (EXTREMES each), with a note saying so.

    ``ascending`` puts the lowest first (where low is the concern, as for satisfaction).
    """
    tr = ctx.tr
    names = {"community_name"}  # a tie in the measure goes by pinyin
    ranked = sort_frame(frame.dropna(subset=[measure]), [measure, "community_name"], [ascending, True], names)
    if ranked.empty:
        return ""
    label = tr(f"col.{measure}")
    total = len(ranked)
    shown = ranked if total <= 2 * EXTREMES else pd.concat([ranked.head(EXTREMES), ranked.tail(EXTREMES)])
    gap = EXTREMES if total > 2 * EXTREMES else None
    heading = f"<h3>{_e(tr('report.extremes_title', measure=label))}</h3>\n"
    omitted = tr("report.omitted", count=total - 2 * EXTREMES)
    table = _table(tr, shown, columns, labels=labels, gap_after=gap, gap_text=omitted)
    note = _note(tr("report.table_extremes", measure=label, n=EXTREMES, total=total)) if gap else ""
    return f'<div class="block">{heading}{table}{note}</div>\n'


def _ranked(
    ctx: Context, frame: pd.DataFrame, value: str, build: Callable[[int], Figure], smallest: bool = False
) -> str:
    """A ranked figure cut to its first TOP_N rows (``build(limit)``), with a note when rows were
    left out; nothing when no row has a ``value``. ``smallest``: the rows kept are the lowest."""
    tr = ctx.tr
    total = int(frame[value].notna().sum()) if len(frame) else 0
    if total == 0:
        return ""
    note = None
    if total > TOP_N:
        note = tr("report.chart_bottom" if smallest else "report.chart_top", n=TOP_N, total=total)
    return _figure(ctx, build(TOP_N).figure, note)


def _names(tr: Translator, names: pd.Series) -> str:
    """Names for a sentence, at most NAMES_IN_TEXT of them."""
    shown = [str(name) for name in names.head(NAMES_IN_TEXT)]
    text = tr("report.list_joiner").join(shown)
    if len(names) > NAMES_IN_TEXT:
        text += tr("report.more_names", count=len(names) - NAMES_IN_TEXT)
    return text


# ---- headline figures -------------------------------------------------------------------


def _headlines(ctx: Context) -> str:
    """The overview's reading and cards: each figure, its verdict against its standard and its
    change on last year, judged by :func:`headlines.headline_cards` as the page judges them;
    then what each figure means and where its standard comes from."""
    tr, store = ctx.tr, ctx.store
    now, before = (
        overview.headline_values(store, ctx.filters, year, ctx.standards, ctx.profile)
        for year in (ctx.year, ctx.year - 1)
    )
    cards = headlines.headline_cards(tr, now, before, ctx.standards, ctx.profile.key)
    place = headlines.place_name(tr, overview.filter_options(store), ctx.filters)
    boxes, definitions = [], []
    for card in cards:
        verdict = ""
        if card.verdict:
            verdict = f'<div class="verdict {card.verdict}">{_e(card.verdict_text)}</div>'
        arrow = charts.ARROWS[headlines.change_arrow(card.change, card.change_short)]
        change = f"{arrow} {card.change_text}" if arrow else card.change_text
        boxes.append(
            f'<div class="card"><div class="label">{_e(card.label)}</div>'
            f'<div class="value">{_e(card.value)}</div>{verdict}'
            f'<div class="change {card.change_tone or ""}">{_e(change)}</div></div>'
        )
        definitions.append(f"<dt>{_e(card.label)}</dt><dd>{_e(card.help)}</dd>")
    reading = _takeaway(headlines.reading(tr, place, now, cards))
    return (
        f'{reading}<div class="cards">{"".join(boxes)}</div>\n'
        f"<h3>{_e(tr('report.definitions'))}</h3>\n"
        f'<dl class="definitions">{"".join(definitions)}</dl>\n'
    )


# ---- the four themes --------------------------------------------------------------------


def _overview_chart(ctx: Context, theme: str, groups: pd.DataFrame) -> str:
    """The overview's chart of a theme: its key measure by street (or community)."""
    value, _ = overview_figures.THEMES[theme]
    return _ranked(
        ctx,
        groups,
        value,
        lambda limit: overview_figures.theme_chart(ctx.tr, theme, groups, ctx.year, ctx.level, limit=limit),
    )


def _task_burden(ctx: Context) -> str:
    """Administrative share by street, tasks per staff, departments, and the relation
    between administrative load and satisfaction (the theme's core question)."""
    tr, store, scope, year = ctx.tr, ctx.store, ctx.filters, ctx.year
    rows = task_burden.task_burden(store, scope, year).dropna(subset=["tasks"])
    if rows.empty:
        return _no_data(tr)
    total = task_burden.task_burden(store, scope, year, level="all").iloc[0]
    grouped = task_burden.task_burden(store, scope, year, level=ctx.level)
    departments = task_burden.task_by_department(store, scope, year)
    parts = [
        _takeaway(task_burden_readings.takeaway(tr, total)),
        _overview_chart(ctx, "task_burden", grouped),
        _ranked(
            ctx,
            rows,
            "tasks_per_staff",
            lambda limit: task_burden_figures.per_staff(tr, rows, "tasks_per_staff", year, limit=limit),
        ),
        _ranked(
            ctx, departments, "tasks", lambda limit: task_burden_figures.departments(tr, departments, year, limit=limit)
        ),
        _relation(ctx),
        _extremes_table(
            ctx,
            rows.rename(columns={"group_label": "community_name"}),
            "admin_hours_share",
            task_burden.TASK_BURDEN.printed(),
            ascending=False,
        ),
    ]
    return "".join(parts)


def _relation(ctx: Context) -> str:
    """Administrative share against satisfaction, one point per community, with r and p."""
    tr = ctx.tr
    points = task_burden.burden_vs_satisfaction(ctx.store, ctx.filters, ctx.year, ctx.standards.min_n)
    if len(points) < 3:
        return _note(tr("task_burden.relation_too_few"))
    shown = task_burden_figures.relation(tr, points, ctx.year)
    return _figure(ctx, shown.figure, task_burden_readings.relation_fit(tr, points.iloc[0]))


def _satisfaction(ctx: Context) -> str:
    """Mean satisfaction by street, every item's answers, the communities at both ends with
    their intervals; communities under min_n are named, never shown."""
    tr, store, scope, year, min_n = ctx.tr, ctx.store, ctx.filters, ctx.year, ctx.standards.min_n
    happy = satisfaction.satisfaction(store, scope, year, min_n)
    if happy.empty:
        return _no_data(tr)
    overall = satisfaction.satisfaction(store, scope, year, min_n, level="all").iloc[0]
    parts = [_takeaway(disclosure.overall_reading(tr, overall, min_n))]
    if note := disclosure.withheld_note(tr, overall, min_n):
        parts.append(_note(note))
    hidden = happy[happy["suppressed"]]
    if not hidden.empty:
        names = _names(tr, hidden["group_label"])
        parts.append(_note(tr("satisfaction.suppressed_note", count=len(hidden), min_n=min_n, names=names)))
    grouped = satisfaction.satisfaction(store, scope, year, min_n, level=ctx.level)
    parts.append(_overview_chart(ctx, "satisfaction", grouped[~grouped["suppressed"]]))
    parts.append(_items_chart(ctx))
    shown = happy[~happy["suppressed"]].rename(columns={"group_label": "community_name"})
    parts.append(_means_chart(ctx, shown, None if overall["suppressed"] else overall["mean_overall"]))
    parts.append(_extremes_table(ctx, shown, "mean_overall", satisfaction.SATISFACTION.printed(), ascending=True))
    return "".join(parts)


def _items_chart(ctx: Context) -> str:
    answers = satisfaction.satisfaction_distribution(ctx.store, ctx.filters, ctx.year, ctx.standards.min_n)
    if answers.empty:
        return ""
    return _figure(ctx, satisfaction_figures.items(ctx.tr, answers, ctx.year).figure)


def _means_chart(ctx: Context, shown: pd.DataFrame, overall: float | None) -> str:
    """Community means with 95 % intervals: the highest and lowest EXTREMES when there are many."""
    tr = ctx.tr
    ranked = shown.dropna(subset=["mean_overall"]).sort_values("mean_overall")
    total = len(ranked)
    if total == 0:
        return ""
    picked = ranked if total <= 2 * EXTREMES else pd.concat([ranked.head(EXTREMES), ranked.tail(EXTREMES)])
    figure = satisfaction_figures.means(tr, picked, ctx.year, overall, name="community_name").figure
    note = tr("report.chart_extremes", n=EXTREMES, total=total) if total > 2 * EXTREMES else None
    return _figure(ctx, figure, note)


def _facilities(ctx: Context) -> str:
    """Compliance by street, floor area per 100 households against the standard, premises by
    tenure, and the communities meeting fewest and most rules."""
    tr, store, scope, year, profile = ctx.tr, ctx.store, ctx.filters, ctx.year, ctx.profile
    rooms = facility_compliance.facility_compliance(store, scope, year, profile)
    judged = rooms.dropna(subset=["year"])
    if judged.empty:
        return _no_data(tr)
    threshold = profile.facility_params().get("min_area_per_100_households")
    rollup = facility_compliance.facility_rollup(store, scope, year, profile, level=ctx.level)
    tenure = facility_figures.tenure_rows(tr, facility_compliance.facility_tenure_counts(store, scope, year, profile))
    parts = [
        _takeaway(facility_readings.takeaway(tr, rooms, profile)),
        _overview_chart(ctx, "facilities", rollup),
        _ranked(
            ctx,
            judged,
            "area_per_100_households",
            lambda limit: facility_figures.area(tr, judged, year, threshold, limit=limit, smallest=True),
            smallest=True,
        ),
        "" if tenure.empty else _figure(ctx, facility_figures.tenure(tr, tenure, year).figure),
    ]
    table = judged.assign(compliant=[facility_readings.status(tr, value) for value in judged["compliant"]])
    labels = {"compliant": tr("report.col.meets")}
    parts.append(
        _extremes_table(
            ctx,
            table,
            "area_per_100_households",
            facility_compliance.FACILITY_COMPLIANCE.printed(),
            ascending=True,
            labels=labels,
        )
    )
    return "".join(parts)


def _staff(ctx: Context) -> str:
    """Turnover by street and over the years, why people left, how long they stay, and the
    communities losing most and fewest."""
    tr, store, scope, year = ctx.tr, ctx.store, ctx.filters, ctx.year
    people = staff_turnover.staff_turnover(store, scope, year, ctx.standards)
    if people.empty or people["headcount_end"].sum() + people["separations"].sum() == 0:
        return _no_data(tr)
    total = staff_turnover.staff_turnover(store, scope, year, ctx.standards, level="all").iloc[0]
    grouped = staff_turnover.staff_turnover(store, scope, year, ctx.standards, level=ctx.level)
    exits = staff_turnover.exit_reasons(store, scope, year)
    parts = [
        _takeaway(staff_readings.takeaway(tr, total, none_in_words=False)),
        _overview_chart(ctx, "staff", grouped),
        _figure(ctx, staff_figures.by_year(tr, staff_turnover.turnover_by_year(store, scope, year)).figure),
        "" if exits.empty else _figure(ctx, staff_figures.reasons(tr, exits, year).figure),
        _retention_chart(ctx),
    ]
    table = people[people["staff_records"] > 0].rename(columns={"group_label": "community_name"})
    parts.append(_extremes_table(ctx, table, "turnover_rate", staff_turnover.STAFF_TURNOVER.printed(), ascending=False))
    return "".join(parts)


def _retention_chart(ctx: Context) -> str:
    """Kaplan–Meier retention by community type, as of the year's end (or today, if sooner)."""
    as_of = min(dt.date.today(), dt.date(ctx.year, 12, 31))
    curves = staff_retention.retention_curves(ctx.store, ctx.filters, as_of, by="community_type")
    if curves.empty:
        return ""
    shown = retention_figures.retention(ctx.tr, curves, "community_type", as_of)
    return _figure(ctx, shown.figure, shown.caption)


# ---- the assessment ranking -------------------------------------------------------------


def _assessment(ctx: Context) -> str:
    """Who leads, the composite of the first TOP_N as the sum of its parts, and the ranking."""
    tr, store, scope, year = ctx.tr, ctx.store, ctx.filters, ctx.year
    common = (ctx.standards, ctx.profile, ctx.weights)
    scores = assessment.assessment(store, scope, year, *common)
    parts = [_takeaway(ranking_takeaway(tr, scores)), _note(tr("assessment.caption"))]
    if scores["rank"].isna().all():
        return "".join([*parts, _unrated(ctx, scores)])
    ranges = assessment.assessment_stability(store, scope, year, *common)
    moved = assessment.assessment_movement(store, scope, year, *common)
    parts.append(_contribution_chart(ctx, scores))
    parts.append(_takeaway(stability_takeaway(tr, ranges)))
    parts.append(_ranking_table(ctx, scores, ranges, moved))
    return "".join(parts)


def _contribution_chart(ctx: Context, scores: pd.DataFrame) -> str:
    tr = ctx.tr
    ranked = scores.dropna(subset=["rank"]).sort_values("rank")
    shown = list(ranked["community_name"].head(TOP_N))
    parts = assessment.assessment_contributions(ctx.store, scores, ctx.standards, ctx.weights)
    drawn = assessment_figures.contributions(tr, ranked, parts, shown, ctx.year)
    notes = [tr("report.chart_top", n=TOP_N, total=len(ranked))] if len(ranked) > TOP_N else []
    return _figure(ctx, drawn.figure, " ".join([*notes, *filter(None, [drawn.caption])]) or None)


def _ranking_table(ctx: Context, scores: pd.DataFrame, ranges: pd.DataFrame, moved: pd.DataFrame) -> str:
    """Every ranked (rated) community (the first and last RANKING_ROWS / 2 beyond that), then
    the communities not rated for incomplete data, each with what it lacks."""
    tr = ctx.tr
    table, _ = ranking_table(tr, scores, ranges, moved)
    table["rank_range"] = [
        "—" if _missing(best) else f"{int(best)}–{int(worst)}"
        for best, worst in zip(table["rank_best"], table["rank_worst"], strict=True)
    ]
    ranked = table.dropna(subset=["rank"]).sort_values("rank")
    half = RANKING_ROWS // 2
    cut = len(ranked) > RANKING_ROWS
    shown = pd.concat([ranked.head(half), ranked.tail(half)]) if cut else ranked
    columns = ["rank", "community_name", "tier", "composite", *assessment.SCORES, "components_missing", "rank_range"]
    columns.append("rank_change")
    parts = [
        f"<h3>{_e(tr('report.ranking_table'))}</h3>\n",
        _table(
            tr,
            shown,
            columns,
            labels={"rank_range": tr("report.col.rank_range")},
            gap_after=half if cut else None,
            gap_text=tr("report.omitted", count=len(ranked) - RANKING_ROWS),
        ),
    ]
    if cut:
        parts.append(_note(tr("report.ranking_cut", n=half, total=len(ranked))))
    parts.append(_unrated(ctx, scores))
    return "".join(parts)


def _unrated(ctx: Context, scores: pd.DataFrame) -> str:
    """The communities not rated for incomplete data: what each lacks, and its partial composite."""
    tr = ctx.tr
    lines = unrated_lines(tr, scores)
    if not lines:
        return ""
    items = "".join(f"<li>{_e(line)}</li>" for line in lines)
    return (
        f"<h3>{_e(tr('assessment.unrated_title'))}</h3>\n"
        + _note(tr("assessment.unrated_note", min_n=ctx.standards.min_n))
        + f'<ul class="unrated">{items}</ul>\n'
    )


# ---- the bill to reach the standard -----------------------------------------------------


def _cost(ctx: Context) -> str:
    """The district's bill as the 达标测算 page reads it (its takeaway, the quantities behind it,
    the parts nobody could price, its chart), what this year's budgets buy in the view's order,
    and the unit costs it is priced with, each with what it assumes."""
    tr = ctx.tr
    common = (ctx.standards, ctx.profile, ctx.costs)
    total = standard_gap.gap_rollup(ctx.store, ctx.filters, ctx.year, *common).iloc[0]
    quantities = " · ".join(f"{label} {value}" for label, value in gap_readings.quantities(tr, total))
    parts = [
        _takeaway(gap_readings.bill_takeaway(tr, total, ctx.profile.name(tr.lang), ctx.year)),
        f"<p>{_e(quantities)}</p>\n" if quantities else "",
    ]
    if note := gap_readings.unknown_note(tr, total):
        parts.append(_note(note))
    parts.append(_figure(ctx, gap_figures.bill_parts(tr, total, ctx.year).figure))
    parts.append(_budget(ctx, (float(total["one_off_yuan"]), float(total["annual_yuan"]))))
    parts.append(_unit_costs(ctx))
    return "".join(parts)


def _budget(ctx: Context, bills: tuple[float, float]) -> str:
    """What the budgets buy in the view's order (the example budgets when the view has none, said
    so): the plan's takeaway, the budget curve, the policy note, then every community in the order."""
    tr = ctx.tr
    budgets = ctx.budgets or standard_gap.example_budgets(bills)
    plan = standard_gap.budget_plan(
        ctx.store,
        ctx.filters,
        ctx.year,
        *budgets,
        ctx.standards,
        ctx.profile,
        order=ctx.order,
        costs=ctx.costs,
        weights=ctx.weights,
    )
    parts = [f"<h3>{_e(tr('cost.budget_title'))}</h3>\n"]
    if plan.empty:
        return "".join([*parts, _note(tr("cost.nothing_to_fund"))])
    parts.append(_takeaway(gap_readings.plan_takeaway(tr, plan, budgets, ctx.order)))
    if ctx.budgets is None:
        parts.append(_note(tr("report.cost_budget_example")))
    drawn = gap_figures.budget_curve(tr, plan, ctx.year, ctx.order, budgets)
    parts.append(_figure(ctx, drawn.figure, drawn.caption))
    parts.append(_note(tr("cost.policy_note")))
    parts.append(_plan_table(ctx, plan))
    return "".join(parts)


def _plan_table(ctx: Context, plan: pd.DataFrame) -> str:
    """Every community with a bill in the plan's order, its two bills and whether it is funded
    (the first and last RANKING_ROWS / 2 beyond that); a bill with unknown parts is a floor."""
    tr = ctx.tr
    table = plan.assign(
        status=[tr("report.plan_funded" if funded else "report.plan_waiting") for funded in plan["funded"]],
        parts_unknown=[gap_readings.parts_unknown_words(tr, codes) for codes in plan["parts_unknown"]],
    )
    half = RANKING_ROWS // 2
    cut = len(table) > RANKING_ROWS
    shown = pd.concat([table.head(half), table.tail(half)]) if cut else table
    columns = ["position", "community_name", "one_off_yuan", "annual_yuan", "status", "parts_unknown"]
    labels = {"position": tr("report.col.position"), "status": tr("report.col.plan_status")}
    return (
        f"<h3>{_e(tr('report.plan_table'))}</h3>\n"
        + _table(
            tr,
            shown,
            columns,
            labels=labels,
            gap_after=half if cut else None,
            gap_text=tr("report.omitted", count=len(table) - RANKING_ROWS),
        )
        + (_note(tr("report.ranking_cut", n=half, total=len(table))) if cut else "")
    )


def _unit_costs(ctx: Context) -> str:
    """The prices used, each with its note from the standards file (never hidden: the bill is
    only as good as they are), and the file's own price beside one the view changed."""
    tr = ctx.tr
    used = standard_gap.unit_costs(ctx.standards, ctx.costs)
    items = []
    for name in UNIT_COSTS:
        cost = ctx.standards.unit_costs.get(name)
        value = tr.number(used[name], "yuan")
        if cost is not None and cost.yuan != used[name]:
            value += tr("report.cost_unit_changed", yuan=tr.number(cost.yuan, "yuan"))
        note = cost.explained(tr.lang) if cost else tr("cost.unit_missing")
        items.append(f"<dt>{_e(tr(f'cost.unit.{name}'))} {_e(value)}</dt><dd>{_e(note)}</dd>")
    return (
        f"<h3>{_e(tr('cost.units_title'))}</h3>\n"
        + _note(tr("report.cost_units_note"))
        + f'<dl class="definitions">{"".join(items)}</dl>\n'
    )


# ---- the community profile --------------------------------------------------------------


def _profile(ctx: Context, community_id: str) -> str:
    """One community against its district: who it is, its rank, its four component scores
    against the district's median, and every measure of its themes against the median."""
    tr = ctx.tr
    card = profile_card(ctx.store, community_id).iloc[0]
    district = str(card["district"])
    in_district = Filters(district=district)
    scores = assessment.assessment(ctx.store, in_district, ctx.year, ctx.standards, ctx.profile, ctx.weights)
    row = scores[scores["community_id"] == community_id].iloc[0]
    about = tr(
        "report.profile_about",
        district=district,
        street=card["street"],
        type=tr.enum("community_type", card["community_type"]),
        population=tr.number(card["population"]),
        households=tr.number(card["households"]),
    )
    parts = [f"<h3>{_e(card['community_name'])}</h3>\n", _note(about), _takeaway(_profile_rank(ctx, row, scores))]
    drawn = profile_figures.components(tr, row, scores, str(card["community_name"]), district, ctx.year)
    parts.append(_figure(ctx, drawn.figure))
    parts.append(_profile_scores(ctx, row, scores))
    parts.append(_positions(ctx, community_id))
    parts.append(_profile_bill(ctx, community_id))
    return "".join(parts)


def _profile_bill(ctx: Context, community_id: str) -> str:
    """Its facility rules by outcome, failed first, and beside them its bill to reach the standard,
    priced with the report's unit costs: the same lines as the profile page."""
    tr, alone = ctx.tr, Filters(community_id=community_id)
    rooms = facility_compliance.facility_compliance(ctx.store, alone, ctx.year, ctx.profile)
    bill = standard_gap.standard_gap(ctx.store, alone, ctx.year, ctx.standards, ctx.profile, ctx.costs)
    if rooms.empty or _missing(rooms["year"].iloc[0]):
        lines = [tr("profile.no_facility")]
    else:
        lines = facility_readings.rule_lines(tr, rooms.iloc[0], ctx.profile)
    if not bill.empty:
        lines.append(tr("report.profile_bill", bill=gap_readings.community_bill(tr, bill.iloc[0])))
    items = "".join(f"<li>{_e(line)}</li>" for line in lines)
    return f"<h3>{_e(tr('report.profile_rules_title', profile=ctx.profile.name(tr.lang)))}</h3>\n<ul>{items}</ul>\n"


def _profile_rank(ctx: Context, row: pd.Series, scores: pd.DataFrame) -> str:
    tr = ctx.tr
    if _missing(row["composite"]):
        return tr("report.profile_unranked", year=ctx.year)
    if not row["rated"]:
        return tr(
            "report.profile_unrated",
            year=ctx.year,
            missing=missing_words(tr, row["components_missing"]),
            score=tr.number(row["composite"], "score"),
        )
    return tr(
        "report.profile_rank",
        year=ctx.year,
        score=tr.number(row["composite"], "score"),
        tier=row["tier"],
        district=row["district"],
        n=int(scores["rank"].notna().sum()),
        rank=int(row["rank"]),
    )


def _profile_scores(ctx: Context, row: pd.Series, scores: pd.DataFrame) -> str:
    """The chart's numbers: each component score (a dash where it cannot be scored) and the median."""
    tr = ctx.tr
    columns = ["composite", *assessment.SCORES]
    frame = pd.DataFrame(
        {
            "measure": [tr(f"col.{c}") for c in columns],
            "value": [tr.number(_float(row[c]), "score") for c in columns],
            "district_median": [tr.number(_float(scores[c].median()), "score") for c in columns],
        }
    )
    labels = {column: tr(f"report.col.{column}") for column in frame.columns}
    return _table(tr, frame, list(frame.columns), labels=labels, numeric={"value", "district_median"})


def _positions(ctx: Context, community_id: str) -> str:
    """Each theme measure: the community's value, the district median, its rank and the standard."""
    tr = ctx.tr
    positions = profile_positions(ctx.store, community_id, ctx.year, ctx.standards, ctx.profile)
    if positions.empty:
        return ""
    rows = pd.DataFrame(
        {
            "theme": [tr(f"nav.{theme}") if theme in THEMES else theme for theme in positions["theme"]],
            "measure": [_measure_label(tr, m) for m in positions["measure"]],
            "value": [tr.number(_float(v), k) for v, k in zip(positions["value"], positions["kind"], strict=True)],
            "district_median": [
                tr.number(_float(v), k) for v, k in zip(positions["district_median"], positions["kind"], strict=True)
            ],
            "rank": [
                "—" if _missing(r) else f"{int(r)}/{int(n)}"
                for r, n in zip(positions["rank"], positions["n_ranked"], strict=True)
            ],
            "standard": [
                "" if _missing(s) else tr.number(float(s), k)
                for s, k in zip(positions["standard"], positions["kind"], strict=True)
            ],
            "meets": ["" if _missing(m) else facility_readings.status(tr, m) for m in positions["meets_standard"]],
        }
    )
    labels = {column: tr(f"report.col.{column}") for column in rows.columns}
    return (
        f"<h3>{_e(tr('report.positions_title'))}</h3>\n"
        + _table(tr, rows, list(rows.columns), labels=labels, numeric={"value", "district_median", "rank", "standard"})
        + _note(tr("report.positions_note", min_ranked=MIN_RANKED))
    )


def _float(value: object) -> float | None:
    return None if _missing(value) else float(value)


def _measure_label(tr: Translator, measure: str) -> str:
    """A measure's name: its column label where one exists, else the report's own."""
    return tr(f"col.{measure}") if has(tr.lang, f"col.{measure}") else tr(f"report.measure.{measure}")
