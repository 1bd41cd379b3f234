"""The 达标测算 page, and the bill told the same wherever it is told.

The page through AppTest in both languages (its totals, its words, its address); then, on the
sample district and on the hand-made one, the export, the page's charts, the meeting slides,
the community profile and the offline report held against one truth: each community's bill
priced here with pandas from the export's quantities and the standards file's unit costs, and
the sums of those bills. Numbers are compared as a reader sees them, written with
``tr.number(..., "yuan")``. Last, the report's section and its command-line options.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs
from streamlit.testing.v1 import AppTest

from community_eval.app import meeting
from community_eval.core.i18n import Translator, translate
from community_eval.core.safety import WORD_JOINER
from community_eval.core.standards import UNIT_COSTS, load_standards
from community_eval.db.store import Store
from community_eval.figures import standard_gap as gap_figures
from community_eval.indicators import assessment, standard_gap
from community_eval.indicators.declaration import Request
from community_eval.indicators.filters import Filters
from community_eval.report import html_report
from tests.app_pages import ENTRY, TIMEOUT, english_words, opened, unpacked, visible_text

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
LANGS = ("zh", "en")
#: Unit costs other than the standards file's, as a budget meeting might change them.
CHANGED = {"cost_per_m2": 3500.0, "cost_to_secure_premises": 120000.0, "annual_cost_per_seat": 45000.0}


# ---- the truth, computed here -----------------------------------------------------------------


def exported(store: Store, costs: dict[str, float] | None = None) -> pd.DataFrame:
    """The export command's rows (ALL included) under the default profile."""
    standards = load_standards()
    request = Request(YEAR, standards, standards.profile(None), dt.date.today())
    return standard_gap.STANDARD_GAP.export(store, request, costs)


def bills(export: pd.DataFrame, costs: dict[str, float] | None = None) -> pd.DataFrame:
    """Each community's one-off and yearly bill priced with pandas from the export's quantities
    (INDICATORS.md: an unknown part counts 0), beside the export's own, by community id."""
    prices = {name: cost.yuan for name, cost in load_standards().unit_costs.items()} | (costs or {})
    rows = export[export["community_id"] != standard_gap.TOTAL_ROW_ID].set_index("community_id")
    one_off = rows["area_short_m2"].astype(float).fillna(0) * prices["cost_per_m2"]
    one_off += rows["borrowed"].fillna(False).astype(bool) * prices["cost_to_secure_premises"]
    annual = rows["budget_short_yuan"].astype(float).fillna(0) + rows["pay_gap_yuan"].astype(float).fillna(0)
    annual += rows["seats_short"].astype(float).fillna(0) * prices["annual_cost_per_seat"]
    priced = pd.DataFrame({"one_off": one_off, "annual": annual})
    assert priced["one_off"].tolist() == pytest.approx(rows["one_off_yuan"].astype(float).tolist())
    assert priced["annual"].tolist() == pytest.approx(rows["annual_yuan"].astype(float).tolist())
    return priced


def names(store: Store) -> dict[str, str]:
    with store.cursor() as cur:
        return dict(cur.execute("select community_id, community_name from communities").fetchall())


def cents(steps: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Bills to the fen, so sums taken in another order compare equal."""
    return {name: (round(float(a), 2), round(float(b), 2)) for name, (a, b) in steps.items()}


def yuan(tr: Translator, value: float) -> str:
    return tr.number(value, "yuan")


# ---- the page ---------------------------------------------------------------------------------


def shown(at: AppTest) -> list[str]:
    """The page's markdown as the reader sees it: no backslash escapes, no invisible word joiners."""
    return [m.value.replace("\\", "").replace(WORD_JOINER, "") for m in at.markdown]


def chart(at: AppTest, title: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if s["layout"]["title"]["text"].startswith(title))


def bars_by_bill(figure: dict) -> dict[str, float]:
    """The bill-parts chart's bars: each bill's parts summed."""
    sums: dict[str, float] = {}
    for trace in figure["data"]:
        for label, value in zip(unpacked(trace["y"]), unpacked(trace["x"]), strict=True):
            sums[label] = sums.get(label, 0.0) + float(value)
    return sums


def curve_bills(figure: dict) -> dict[str, tuple[float, float]]:
    """The budget curve's steps as each community's two bills, by name (each step adds one)."""
    one_off, annual = (trace for trace in figure["data"] if trace.get("mode") == "lines+markers")
    labels = unpacked(one_off["customdata"])
    steps = {}
    for index in range(1, len(labels)):
        steps[str(labels[index])] = (
            float(unpacked(one_off["y"])[index]) - float(unpacked(one_off["y"])[index - 1]),
            float(unpacked(annual["y"])[index]) - float(unpacked(annual["y"])[index - 1]),
        )
    return steps


@pytest.fixture(scope="module")
def sample_store(sample_db):
    store = Store(sample_db)
    yield store
    store.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_states_the_districts_bill_in_the_readers_words(app, sample_store, lang):
    at = opened(app, "pages/cost.py", lang=lang)
    assert not at.exception, [e.message for e in at.exception]
    tr = Translator(lang)
    truth = bills(exported(sample_store))
    one_off, annual = truth["one_off"].sum(), truth["annual"].sum()
    standards = load_standards()
    rollup = standard_gap.gap_rollup(sample_store, Filters(), YEAR, standards, standards.profile(None)).iloc[0]
    assert float(rollup["one_off_yuan"]) == pytest.approx(one_off)
    assert float(rollup["annual_yuan"]) == pytest.approx(annual)
    expected = tr(
        "cost.takeaway",
        year=YEAR,
        profile=standards.profile(None).name(lang),
        one_off=yuan(tr, one_off),
        annual=yuan(tr, annual),
        with_bill=int((truth["one_off"] + truth["annual"] > 0).sum()),
        total=len(truth),
    )
    assert f"**{expected}**" in shown(at)
    # the cards write the bills in 万元 / millions, to the nearest 10,000 yuan; their help the whole figure
    large = {"zh": lambda v: f"{round(v / 10_000):,}万元", "en": lambda v: f"¥{round(v / 1e6, 2):,.2f} million"}
    assert [m.value for m in at.metric] == [large[lang](one_off), large[lang](annual)]
    assert [m.help for m in at.metric] == [yuan(tr, one_off), yuan(tr, annual)]
    assert bars_by_bill(chart(at, tr("cost.chart.parts", year=YEAR))) == pytest.approx(
        {tr("cost.one_off"): one_off, tr("cost.annual"): annual}
    )
    assert tr("cost.budget_example") in [c.value for c in at.caption], "no budget in the address: an example"
    for cost in standards.unit_costs.values():  # every unit cost's note in view
        assert cost.explained(lang) in [c.value for c in at.caption]
    if lang == "zh":
        assert not english_words(visible_text(at)), english_words(visible_text(at))


def worst_first_plan(store: Store, truth: pd.DataFrame, budgets: tuple[float, float]) -> pd.DataFrame:
    """The plan worked out here: rated communities lowest composite first, then the rest by their
    first year's cost; funded while both running sums stay within the budgets."""
    standards = load_standards()
    scores = assessment.assessment(store, Filters(), YEAR, standards, standards.profile(None))
    rated = scores[scores["rated"]].sort_values(["composite", "community_id"])["community_id"].tolist()
    plan = truth[truth["one_off"] + truth["annual"] > 0].copy()
    plan["rank"] = [rated.index(c) if c in rated else len(rated) for c in plan.index]
    plan["first_year"] = plan["one_off"] + plan["annual"]
    plan = plan.rename_axis("community_id").reset_index()
    plan = plan.sort_values(["rank", "first_year", "community_id"]).reset_index(drop=True)
    within = (plan["one_off"].cumsum() <= budgets[0]) & (plan["annual"].cumsum() <= budgets[1])
    plan["funded"] = within
    return plan


def test_the_address_sets_the_inputs_and_the_plan(app, sample_store):
    budgets = (5_000_000.0, 2_000_000.0)
    address = {"budget": "5000000,2000000", "order": "worst", "costs": "3500,120000,45000"}
    at = opened(app, "pages/cost.py", lang="en", **address)
    assert not at.exception, [e.message for e in at.exception]
    tr = Translator("en")
    assert [s.value for s in at.slider] == [500, 200]  # in 万元
    assert at.radio(key="cost_order").value == "worst"
    assert [at.number_input(key=f"unit_cost_{name}").value for name in UNIT_COSTS] == list(CHANGED.values())
    assert {key: at.query_params[key] for key in address} == address
    truth = bills(exported(sample_store, CHANGED), CHANGED)
    plan = worst_first_plan(sample_store, truth, budgets)
    funded = plan[plan["funded"]]
    waiting = plan[~plan["funded"]]
    expected = tr(
        "cost.plan_takeaway",
        order=tr("cost.order.worst"),
        budget_one_off=yuan(tr, budgets[0]),
        budget_annual=yuan(tr, budgets[1]),
        funded=len(funded),
        total=len(plan),
        left_one_off=yuan(tr, budgets[0] - funded["one_off"].sum()),
        left_annual=yuan(tr, budgets[1] - funded["annual"].sum()),
        waiting=len(waiting),
        next_one_off=yuan(tr, waiting["one_off"].sum()),
        next_annual=yuan(tr, waiting["annual"].sum()),
    )
    assert f"**{expected}**" in shown(at)
    assert 0 < len(funded) < len(plan), "the budgets fund some communities, not all: the check means something"
    steps = curve_bills(chart(at, tr("cost.chart.curve", year=YEAR, order=tr("cost.order.worst"))))
    by_name = names(sample_store)
    assert list(steps) == [by_name[c] for c in plan["community_id"]], "the curve takes them in the worst-first order"
    assert tr("cost.budget_example") not in [c.value for c in at.caption]


def test_an_untouched_example_budget_stays_out_of_the_address(app, sample_store):
    """The example budget is not a choice: the address (and so the offline report) carries no
    budget until a leader moves a slider, and then carries what they chose."""
    at = opened(app, "pages/cost.py", lang="zh")
    tr = Translator("zh")
    standards = load_standards()
    total = standard_gap.gap_rollup(sample_store, Filters(), YEAR, standards, standards.profile("seed_2016")).iloc[0]
    # a quarter of each bill rounded up to whole 万元, rounded down: 3,950 // 4 and 1,401 // 4
    example = [-(-float(total[column]) // 10_000) // 4 for column in ("one_off_yuan", "annual_yuan")]
    assert example == [987, 350]
    assert [s.value for s in at.slider] == example
    assert tr("cost.budget_example") in [c.value for c in at.caption]
    assert "budget" not in at.query_params
    at.slider(key="budget_one_off_wan").set_value(1087).run()
    assert at.query_params["budget"] == "10870000,3500000"
    assert tr("cost.budget_example") not in [c.value for c in at.caption]


# ---- one bill everywhere ----------------------------------------------------------------------


@pytest.fixture(params=["sample_db", "known_db"])
def district(request, monkeypatch) -> str:
    """A district's database, and the dashboard opened on it."""
    path = request.getfixturevalue(request.param)
    monkeypatch.setenv("COMMUNITY_EVAL_DB", path)
    return path


def page_on(page: str, community: str | None = None, **query: str) -> AppTest:
    """The dashboard opened on ``page`` with ``query``, the deck's own parameters set once there
    (a filter such as ``community`` is read from the address on the session's first run)."""
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    if community is not None:
        at.query_params["community"] = community
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def report_plan(document: str) -> dict[str, tuple[str, str]]:
    """The report's plan table as each community's two bills, as written."""
    section = re.search(r'<section id="cost">(.*?)</section>', document, re.S).group(1)
    rows = re.findall(r'<td class="name">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td>', section)
    return {name: (one_off, annual) for name, one_off, annual in rows}


def test_export_page_slides_profile_and_report_tell_the_same_bill(district):
    tr = Translator("en")
    store = Store(district)
    try:
        truth = bills(exported(store))
        by_name = names(store)
        total = exported(store).set_index("community_id").loc[standard_gap.TOTAL_ROW_ID]
        sums = {tr("cost.one_off"): truth["one_off"].sum(), tr("cost.annual"): truth["annual"].sum()}
        assert [float(total["one_off_yuan"]), float(total["annual_yuan"])] == pytest.approx(list(sums.values()))
        billed = truth[truth["one_off"] + truth["annual"] > 0]
        expected = {by_name[c]: (row["one_off"], row["annual"]) for c, row in billed.iterrows()}
        written = {name: (yuan(tr, a), yuan(tr, b)) for name, (a, b) in expected.items()}
        profiled = billed.sort_values("annual").index[-1]  # the largest yearly bill
        document = html_report.build_report(store, Filters(), YEAR, "en", load_standards(), None, profiled)
    finally:
        store.close()

    page = page_on("pages/cost.py")
    assert bars_by_bill(chart(page, tr("cost.chart.parts", year=YEAR))) == pytest.approx(sums)
    curve = chart(page, tr("cost.chart.curve", year=YEAR, order=tr("cost.order.cheapest")))
    assert cents(curve_bills(curve)) == cents(expected)
    parts, steps = (page_on("pages/cost.py", mode="meeting", slide=str(n)) for n in (1, 2))
    assert bars_by_bill(json.loads(parts.get("plotly_chart")[0].proto.spec)) == pytest.approx(sums)
    assert cents(curve_bills(json.loads(steps.get("plotly_chart")[0].proto.spec))) == cents(expected)

    profile = page_on("pages/profile.py", community=profiled)
    titled = tr("cost.bill.titled", text="")  # the bill's line, under what the community lacks
    bill = next(line for m in profile.markdown for line in m.value.split("\n") if line.startswith(titled))
    one_off, annual = written[by_name[profiled]]
    assert f"{one_off} once" in bill and f"{annual} a year" in bill

    text = document.replace(get_plotlyjs(), "")
    assert yuan(tr, sums[tr("cost.one_off")]) in text and yuan(tr, sums[tr("cost.annual")]) in text
    assert report_plan(text) == written
    profile_part = re.search(r'<section id="profile">(.*?)</section>', text, re.S).group(1)
    assert f"{one_off} once" in profile_part and f"{annual} a year" in profile_part


# ---- the report's section and its options -----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_prices_with_the_views_costs_and_says_what_each_assumes(sample_store, lang):
    tr = Translator(lang)
    standards = load_standards()
    costs = tuple(CHANGED.items())
    given = html_report.build_report(
        sample_store, Filters(), YEAR, lang, standards, None, costs=costs, budgets=(5e6, 2e6), order="worst"
    ).replace(get_plotlyjs(), "")
    section = re.search(r'<section id="cost">(.*?)</section>', given, re.S).group(1)
    assert f"<h2>{tr('nav.cost')}</h2>" in section
    truth = bills(exported(sample_store, CHANGED), CHANGED)
    assert yuan(tr, truth["one_off"].sum()) in section and yuan(tr, truth["annual"].sum()) in section
    for name, cost in standards.unit_costs.items():
        assert html.escape(cost.explained(lang)) in section  # written as HTML text (a village head&#x27;s)
        assert (
            yuan(tr, CHANGED[name]) in section and tr("report.cost_unit_changed", yuan=yuan(tr, cost.yuan)) in section
        )
    assert tr("cost.order.worst") in section and html.escape(tr("cost.policy_note")) in section
    assert tr("report.cost_budget_example") not in section
    assert given.index('id="assessment"') < given.index('id="cost"')


def test_without_budgets_the_report_uses_the_pages_example_and_says_so(sample_store):
    tr = Translator("zh")
    document = html_report.build_report(sample_store, Filters(), YEAR, "zh", load_standards(), None)
    truth = bills(exported(sample_store))
    # A quarter of each bill, in whole 万元 rounded down (of the bill rounded up to 万元).
    example = [(-(-bill // 10_000)) // 4 * 10_000 for bill in (truth["one_off"].sum(), truth["annual"].sum())]
    section = re.search(r'<section id="cost">(.*?)</section>', document, re.S).group(1)
    assert tr("report.cost_budget_example") in section
    assert yuan(tr, example[0]) in section and yuan(tr, example[1]) in section


@pytest.fixture(scope="module")
def cli_db(sample_db, tmp_path_factory) -> str:
    """A copy of the sample district for the command line (this module's store holds the sample's lock)."""
    folder = tmp_path_factory.mktemp("cost_cli")
    for suffix in ("", ".wal"):
        if Path(sample_db + suffix).exists():
            shutil.copy(sample_db + suffix, folder / f"sample.duckdb{suffix}")
    return str(folder / "sample.duckdb")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "community_eval", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("option", "value", "key"),
    [
        ("--costs", "3000,150000", "report.bad_costs"),
        ("--costs", "3000,abc,41000", "report.bad_costs"),
        ("--budget", "12000000", "report.bad_budget"),
        ("--order", "best", "report.bad_order"),
    ],
)
def test_the_command_refuses_a_bad_price_budget_or_order_in_one_sentence(cli_db, tmp_path, option, value, key):
    output = tmp_path / "report.html"
    result = run("--lang", "zh", "report", "--db", cli_db, option, value, "--output", str(output))
    expected = translate("zh", key, value=value, names=", ".join(UNIT_COSTS), orders="cheapest | worst")
    assert result.returncode != 0
    assert result.stderr.strip() == expected
    assert "Traceback" not in result.stdout + result.stderr and not output.exists()


def test_the_command_prices_with_its_options(cli_db, tmp_path):
    output = tmp_path / "report.html"
    args = ("--costs", "3500,120000,45000", "--budget", "5000000,2000000", "--order", "worst")
    result = run("report", "--lang", "en", "--db", cli_db, *args, "--output", str(output))
    assert result.returncode == 0, result.stderr
    tr = Translator("en")
    section = re.search(r'<section id="cost">(.*?)</section>', output.read_text(encoding="utf-8"), re.S).group(1)
    assert yuan(tr, 5_000_000) in section and yuan(tr, 2_000_000) in section and tr("cost.order.worst") in section
    assert tr("report.cost_unit_changed", yuan=yuan(tr, 3000)) in section
    assert tr("report.cost_budget_example") not in section


# ---- the wall ---------------------------------------------------------------------------------


def test_the_cost_slides_read_from_the_back_of_the_room(sample_store):
    """The district's bill keeps its money ticks level and few (eight tilted "40,000,000" at 24 px
    would run into each other); the curve of 79 communities keeps markers small enough for its
    line to show, and names each budget's dashed line with its amount (a slide has no caption)."""
    tr = Translator("zh")
    standards = load_standards()
    profile = standards.profile(None)
    total = standard_gap.gap_rollup(sample_store, Filters(), YEAR, standards, profile).iloc[0]
    parts = meeting.wall_figure(gap_figures.bill_parts(tr, total, YEAR).figure, tr)
    assert parts.layout.xaxis.nticks <= 6 and parts.layout.xaxis.tickangle == 0
    budgets = (5_000_000.0, 2_000_000.0)
    plan = standard_gap.budget_plan(sample_store, Filters(), YEAR, *budgets, standards, profile)
    curve = meeting.wall_figure(gap_figures.budget_curve(tr, plan, YEAR, "cheapest", budgets).figure, tr)
    assert len(plan) > meeting.MANY_POINTS
    assert {trace.marker.size for trace in curve.data} == {meeting.MANY_POINTS_MARKER_PX}
    written = [a.text for a in curve.layout.annotations]
    assert tr("cost.budget_line.one_off", yuan=yuan(tr, budgets[0])) in written
    assert tr("cost.budget_line.annual", yuan=yuan(tr, budgets[1])) in written
    assert min(a.font.size for a in curve.layout.annotations) >= meeting.BASE_PX
