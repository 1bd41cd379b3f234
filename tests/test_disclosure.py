"""Disclosure control: a suppressed group's answers cannot be recovered from anything shown.

The test is one of indistinguishability. Two districts differ only in what a suppressed
group answered; everything the dashboard can show about them — every satisfaction figure
at every level under every filter, the answer shares, the respondent groups, the scatter,
the headline figures, the assessment, the profile, the exports, the offline report and the
rendered pages — must be identical. If it is, nothing shown can tell the two apart, so
nothing shown can recover the suppressed answers, by subtraction from a total or otherwise.

The district (min_n = 10, one survey year):
- street 东街道: A (6 responses: suppressed), B (30), C (25); street 西街道: D (20), E (12).
- B's respondents by age: 18-34 has 4 (primary suppression) and 35-59 has 12, hidden too
  because B's total minus 35-59 and 60+ would otherwise give 18-34 away (secondary
  suppression); 60+ (14) is shown. By gender B has F 22, M 5 and 3 who did not say: M and
  the unsaid are hidden (8 together), so F is hidden as well, and B shows no gender groups.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from community_eval.core.standards import STANDARDS_FILE, StandardsError, load_standards, parse_standards
from community_eval.db.store import Store
from community_eval.indicators import assessment, overview, satisfaction, task_burden
from community_eval.indicators import community_profile as profile
from community_eval.indicators.filters import Filters
from community_eval.ingest.loader import Source, ingest
from community_eval.report import export, html_report

YEAR = 2025
MIN_N = 10
ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")
ITEMS = ["overall", "service", "environment", "safety", "participation", "staff_attitude", "facilities"]

COMMUNITIES = pd.DataFrame(
    {
        "community_id": ["A", "B", "C", "D", "E"],
        "community_name": ["甲社区", "乙社区", "丙社区", "丁社区", "戊社区"],
        "district": ["测试区"] * 5,
        "street": ["东街道", "东街道", "东街道", "西街道", "西街道"],
        "community_type": ["urban", "urban", "village_converted", "urban", "township"],
        "population": [3000, 6000, 5000, 4000, 2000],
        "households": [1000, 2000, 1800, 1500, 700],
    }
)


def _respondents(community: str, ages: list[str], genders: list[str | None], seed: int) -> pd.DataFrame:
    """Questionnaires of one community with reproducible answers (every item answered)."""
    rng = np.random.default_rng(seed)
    n = len(ages)
    frame = pd.DataFrame({"response_id": [f"{community}-{i:02d}" for i in range(n)], "community_id": community})
    frame["survey_date"] = "2025-06-01"
    for item in ITEMS:
        frame[item] = rng.integers(1, 6, n)
    frame["gender"] = genders
    frame["age_group"] = ages
    return frame


def _survey() -> pd.DataFrame:
    b_ages = ["18-34"] * 4 + ["35-59"] * 12 + ["60+"] * 14
    b_genders = (["F"] * 22 + ["M"] * 5 + [None] * 3)[::-1]  # the four 18-34s are among the unsaid and M
    parts = [
        _respondents("A", ["35-59"] * 3 + ["60+"] * 3, ["F", "M"] * 3, 1),
        _respondents("B", b_ages, b_genders, 2),
        _respondents("C", ["35-59"] * 12 + ["60+"] * 13, ["F"] * 12 + ["M"] * 13, 3),
        _respondents("D", ["35-59"] * 10 + ["60+"] * 10, ["F"] * 10 + ["M"] * 10, 4),
        _respondents("E", ["60+"] * 12, ["F"] * 6 + ["M"] * 6, 5),
    ]
    return pd.concat(parts, ignore_index=True)


def _other_tables() -> dict[str, pd.DataFrame]:
    """One row of each other table per community, so every page and the assessment have data."""
    ids = list(COMMUNITIES["community_id"])
    staff = pd.DataFrame(
        {
            "staff_id": [f"S{c}" for c in ids],
            "community_id": ids,
            "role": "secretary",
            "employment": "full_time",
            "hire_date": "2018-01-01",
        }
    )
    tasks = pd.DataFrame(
        {
            "community_id": ids,
            "period": "2025-03",
            "department": "民政",
            "task_category": ["administrative", "ledger", "service", "inspection", "certificate"],
            "task_count": [3, 4, 5, 6, 7],
            "hours": [10.0, 12.0, 8.0, 20.0, 5.0],
            "admitted": [True, False, True, False, True],
            "funded": [False, False, True, True, False],
        }
    )
    facilities = pd.DataFrame(
        {
            "community_id": ids,
            "year": YEAR,
            "office_area_m2": [100.0, 150.0, 80.0, 120.0, 60.0],
            "service_area_m2": [250.0, 300.0, 120.0, 200.0, 90.0],
            "room_count": [6, 7, 4, 6, 3],
            "has_hall": [True, True, False, True, False],
            "tenure": ["owned", "rented", "borrowed", "owned", "owned"],
        }
    )
    return {"staff": staff, "tasks": tasks, "facilities": facilities}


def _load(path: Path, survey: pd.DataFrame) -> str:
    store = Store(str(path))
    tables = {"communities": COMMUNITIES, **_other_tables(), "survey": survey}
    sources = [Source(f"{name}.csv", frame.to_csv(index=False).encode()) for name, frame in tables.items()]
    reports = ingest(store, sources)
    store.close()
    assert all(r.loaded for r in reports), [(r.file_name, r.problems[:3]) for r in reports]
    return str(path)


def _perturb_small_community(survey: pd.DataFrame) -> pd.DataFrame:
    """A answers the opposite of what it did: every answer x becomes 6 − x."""
    changed = survey.copy()
    in_a = changed["community_id"] == "A"
    changed.loc[in_a, ITEMS] = 6 - changed.loc[in_a, ITEMS]
    return changed


def _swap_within_hidden_cells(survey: pd.DataFrame) -> pd.DataFrame:
    """Exchange every answer of B's 18-34s with those of four of B's 35-59s (both hidden cells).

    B's totals are unchanged — it is the same answers, held by other people — but the
    small 18-34 group now answers quite differently.
    """
    changed = survey.copy()
    young = changed.index[(changed["community_id"] == "B") & (changed["age_group"] == "18-34")]
    middle = changed.index[(changed["community_id"] == "B") & (changed["age_group"] == "35-59")]
    # the four 35-59s whose answers differ most from the young, so the swap matters
    distance = [(changed.loc[young, "overall"].mean() - changed.at[i, "overall"]) ** 2 for i in middle]
    partners = [middle[i] for i in np.argsort(distance)[::-1][: len(young)]]
    for item in ITEMS:
        young_answers = changed.loc[young, item].to_numpy().copy()
        changed.loc[young, item] = changed.loc[partners, item].to_numpy()
        changed.loc[partners, item] = young_answers
    return changed


def _true_mean(survey: pd.DataFrame, community: str, age: str | None = None) -> float:
    rows = survey[survey["community_id"] == community]
    rows = rows if age is None else rows[rows["age_group"] == age]
    return float(rows["overall"].mean())


@pytest.fixture(scope="module")
def districts(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("disclosure")
    survey = _survey()
    return {
        "original": _load(folder / "original.duckdb", survey),
        "small_community_changed": _load(folder / "small.duckdb", _perturb_small_community(survey)),
        "hidden_cells_changed": _load(folder / "cells.duckdb", _swap_within_hidden_cells(survey)),
    }


def test_the_perturbations_change_the_suppressed_answers():
    """Guard: the two changed districts really differ where it is hidden, and only there."""
    survey = _survey()
    small, cells = _perturb_small_community(survey), _swap_within_hidden_cells(survey)
    assert abs(_true_mean(small, "A") - _true_mean(survey, "A")) > 0.3
    assert abs(_true_mean(cells, "B", "18-34") - _true_mean(survey, "B", "18-34")) > 0.5
    assert _true_mean(cells, "B") == _true_mean(survey, "B")
    counts = survey.groupby(["community_id", "age_group"]).size()
    assert counts[("A", "35-59")] + counts[("A", "60+")] < MIN_N
    assert counts[("B", "18-34")] < MIN_N <= counts[("B", "35-59")]


# ---- everything the dashboard shows, as plain data --------------------------------------


def _filters() -> list[Filters]:
    """Every filter a reader can set that holds communities: all, district, street, type,
    street × type, community."""
    chosen = [Filters(), Filters(district="测试区")]
    chosen += [Filters(street=s) for s in sorted(COMMUNITIES["street"].unique())]
    chosen += [Filters(community_type=k) for k in sorted(COMMUNITIES["community_type"].unique())]
    pairs = COMMUNITIES[["street", "community_type"]].drop_duplicates().itertuples(index=False)
    chosen += [Filters(street=street, community_type=kind) for street, kind in pairs]
    chosen += [Filters(community_id=c) for c in COMMUNITIES["community_id"]]
    return chosen


#: Filters for the composed figures (headlines, assessment), which reuse the satisfaction
#: indicator checked under every filter above.
COMPOSED_FILTERS = [Filters(), Filters(street="东街道"), Filters(community_id="B")]


def _canonical(value: object) -> str:
    """A frame or dict as text, floats to 12 significant digits (summation order aside)."""
    if isinstance(value, pd.DataFrame):
        value = value.reset_index(drop=True).to_dict(orient="list")
    return json.dumps(_rounded(value), default=str, sort_keys=True, ensure_ascii=False)


def _rounded(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(f"{value:.12g}")
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def everything_shown(path: str) -> dict[str, str]:
    """Every figure the dashboard's indicators give about the district, by where it appears."""
    standards = load_standards()
    chosen = standards.profile(standards.default_profile)
    store = Store(path)
    shown: dict[str, str] = {}
    try:
        for scope in _filters():
            name = repr(scope)
            for level in ("community", "street", "community_type", "all"):
                shown[f"satisfaction {name} {level}"] = _canonical(
                    satisfaction.satisfaction(store, scope, YEAR, MIN_N, level=level)
                )
            shown[f"answers {name}"] = _canonical(satisfaction.satisfaction_distribution(store, scope, YEAR, MIN_N))
            for attribute in ("gender", "age_group"):
                shown[f"groups {name} {attribute}"] = _canonical(
                    satisfaction.satisfaction_by_respondent(store, scope, YEAR, MIN_N, attribute)
                )
            shown[f"scatter {name}"] = _canonical(task_burden.burden_vs_satisfaction(store, scope, YEAR, MIN_N))
        for scope in COMPOSED_FILTERS:
            name = repr(scope)
            shown[f"headlines {name}"] = _canonical(overview.headline_values(store, scope, YEAR, standards, chosen))
            shown[f"assessment {name}"] = _canonical(assessment.assessment(store, scope, YEAR, standards, chosen))
        for community in COMMUNITIES["community_id"]:
            shown[f"trends {community}"] = _canonical(profile.profile_trends(store, community, YEAR, MIN_N))
            shown[f"positions {community}"] = _canonical(
                profile.profile_positions(store, community, YEAR, standards, chosen)
            )
        for indicator in ("satisfaction", "assessment"):
            shown[f"export {indicator}"] = export.to_csv(export.build(store, indicator, standards, year=YEAR))
        html = html_report.build_report(store, Filters(), YEAR, "zh", standards, None, community_id="B")
        shown["report"] = _without_volatile(html)
    finally:
        store.close()
    return shown


def _without_volatile(html: str) -> str:
    """The report without what differs between any two runs: the time and plotly's random div ids."""
    html = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "<time>", html)
    html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", html)
    return re.sub(r"\b[0-9a-f]{12}\b", "<data version>", html)


def _differences(left: dict[str, str], right: dict[str, str]) -> list[str]:
    return [key for key in left if left[key] != right[key]]


@pytest.fixture(scope="module")
def shown(districts) -> dict[str, dict[str, str]]:
    return {name: everything_shown(path) for name, path in districts.items()}


@pytest.mark.parametrize("changed", ["small_community_changed", "hidden_cells_changed"])
def test_nothing_shown_tells_the_suppressed_answers_apart(shown, changed):
    assert len(shown["original"]) > 100
    assert _differences(shown["original"], shown[changed]) == []


def test_the_suppressed_figures_are_named_not_shown(districts):
    """The comparison above is not vacuous: A and B's hidden groups are there, without figures."""
    store = Store(districts["original"])
    try:
        communities = satisfaction.satisfaction(store, Filters(), YEAR, MIN_N).set_index("group_key")
        assert communities.at["A", "suppressed"] and communities.at["A", "n"] == 6
        assert pd.isna(communities.at["A", "mean_overall"])
        street = satisfaction.satisfaction(store, Filters(street="东街道"), YEAR, MIN_N, level="all").iloc[0]
        assert (street["n"], street["n_counted"], street["n_withheld"]) == (61, 55, 6)
        ages = satisfaction.satisfaction_by_respondent(store, Filters(community_id="B"), YEAR, MIN_N, "age_group")
        ages = ages.set_index("respondent_group")
        assert list(ages["suppressed"]) == [True, True, False]
        assert ages.at["60+", "n"] == 14
        genders = satisfaction.satisfaction_by_respondent(store, Filters(community_id="B"), YEAR, MIN_N, "gender")
        assert genders["suppressed"].all()
    finally:
        store.close()


def test_subtracting_siblings_from_a_total_gives_nothing(districts):
    """The attack itself: street total minus its shown communities. With A in the total,
    the difference would be A's own sum; here it is zero, because A is in no total."""
    survey = _survey()
    store = Store(districts["original"])
    try:
        street = satisfaction.satisfaction(store, Filters(street="东街道"), YEAR, MIN_N, level="all").iloc[0]
        shown = satisfaction.satisfaction(store, Filters(street="东街道"), YEAR, MIN_N).set_index("group_key")
    finally:
        store.close()
    total_sum = street["mean_overall"] * street["n_counted"]
    siblings = sum(shown.at[c, "mean_overall"] * shown.at[c, "n"] for c in ("B", "C"))
    assert total_sum - siblings == pytest.approx(0, abs=1e-9)
    assert survey.loc[survey["community_id"] == "A", "overall"].sum() >= 6  # what the attack would have found


# ---- the rendered pages -----------------------------------------------------------------

#: Where satisfaction appears on a page, under the filters that matter here: the whole
#: district, the street holding the suppressed community, and the community with hidden cells.
PAGE_VIEWS = [
    ("pages/satisfaction.py", {}),
    ("pages/satisfaction.py", {"street": "东街道"}),
    ("pages/satisfaction.py", {"community": "B"}),
    ("pages/overview.py", {"street": "东街道"}),
    ("pages/assessment.py", {}),
    ("pages/profile.py", {"community": "B"}),
]


def _page_output(path: str, page: str, monkeypatch, **query: str) -> list[str]:
    """Everything a page draws, as text: words, numbers, tables and charts' data."""
    monkeypatch.setenv("COMMUNITY_EVAL_DB", path)
    at = AppTest.from_file(ENTRY, default_timeout=60)
    for key, value in {"lang": "zh", **query}.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    # Everything the page can show: every column of its table, every community of its charts.
    switches = [t.key for t in at.toggle if t.key and t.key.startswith(("columns_", "all_"))]
    if switches:
        at.run()  # a settling run: widgets get their final ids (see tests/test_app.py)
        for key in switches:
            at.toggle(key=key).set_value(True)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    out: list[str] = []
    for kind in ("title", "subheader", "caption", "markdown", "info", "warning"):
        out += [element.value for element in getattr(at, kind)]
    out += [f"{m.label}={m.value}" for m in at.metric]
    out += [element.value.to_json(force_ascii=False) for element in at.dataframe]
    out += [_without_volatile(chart.proto.spec) for chart in at.get("plotly_chart")]
    return out


@pytest.mark.parametrize(("page", "query"), PAGE_VIEWS, ids=[f"{p[6:-3]}-{q}" for p, q in PAGE_VIEWS])
def test_pages_show_the_same_for_both_districts(districts, page, query, monkeypatch):
    original = _page_output(districts["original"], page, monkeypatch, **query)
    assert len(original) > 3
    for changed in ("small_community_changed", "hidden_cells_changed"):
        assert _page_output(districts[changed], page, monkeypatch, **query) == original, changed


@pytest.mark.parametrize("min_n", [0, 1, 2])
def test_standards_refuse_a_min_n_that_would_show_single_answers(min_n):
    raw = tomllib.loads(STANDARDS_FILE.read_text(encoding="utf-8"))
    assert parse_standards(raw).min_n == 10
    with pytest.raises(StandardsError, match="min_n"):
        parse_standards({**raw, "min_n": min_n})


# ---- the respondent-group rule, computed independently ------------------------------------


def pandas_respondent_groups(survey: pd.DataFrame, attribute: str, min_n: int) -> pd.DataFrame:
    """satisfaction_by_respondent by the rule written out in pandas, one community at a time.

    A community under min_n counts for nothing. In each other community, a (community, group)
    cell under min_n is hidden, and so is the cell of those who did not say; while the hidden
    cells hold fewer than min_n answers, the smallest shown cell (by n, then name) joins them.
    A group's figures add up its shown cells, each response weighted w · P / W (P the
    community's population, W its Σw) so that communities count by their population;
    n_withheld is the rest of the group's answers.
    """
    rows = survey.assign(w=survey["weight"].fillna(1.0), group=survey[attribute])
    rows["w"] = rows["w"] * rows["population"] / rows.groupby("community_id")["w"].transform("sum")
    rows = rows.assign(wx=rows["w"] * rows["overall"], top2=rows["w"].where(rows["overall"] >= 4, 0.0))
    shown_cells = []
    for _, community in rows.groupby("community_id"):
        if len(community) < min_n:
            continue
        cells = community.groupby("group", dropna=False).agg(
            n=("w", "size"), w=("w", "sum"), wx=("wx", "sum"), top2=("top2", "sum")
        )
        hidden = pd.Series(cells.index.isna() | (cells["n"] < min_n).to_numpy(), index=cells.index)
        hidden_n = cells.loc[hidden, "n"].sum()
        candidates = cells[~hidden].reset_index().sort_values(["n", "group"])
        for group, n in zip(candidates["group"], candidates["n"], strict=True):
            if hidden_n == 0 or hidden_n >= min_n:
                break
            hidden[group] = True
            hidden_n += n
        shown_cells.append(cells[~hidden])
    every_group = sorted(rows["group"].dropna().unique())
    summed = pd.concat(shown_cells).groupby(level=0).sum() if shown_cells else pd.DataFrame()
    summed = summed.reindex(every_group)
    n = summed["n"].fillna(0).astype(int) if not summed.empty else pd.Series(0, index=every_group)
    totals = rows.groupby("group")["w"].size().reindex(every_group)
    shown = n >= min_n
    return pd.DataFrame(
        {
            "respondent_group": every_group,
            "n": n.to_numpy(),
            "n_withheld": (totals - n).to_numpy(),
            "suppressed": (~shown).to_numpy(),
            "mean_overall": (summed["wx"] / summed["w"]).where(shown).to_numpy(),
            "top2_share": (summed["top2"] / summed["w"]).where(shown).to_numpy(),
        }
    )


@pytest.mark.parametrize("attribute", ["gender", "age_group"])
def test_respondent_groups_match_the_rule_computed_in_pandas(sample_db, attribute):
    """On the sample district (79 communities, many small age cells), under three filters."""
    store = Store(sample_db)
    try:
        survey = (
            store.query("filter_options")
            .merge(
                pd.concat([store.column_values("communities", c) for c in ("community_id", "population")], axis=1),
                on="community_id",
            )
            .merge(pd.concat([store.column_values("survey", c) for c in SURVEY_COLUMNS], axis=1), on="community_id")
        )
        year = int(survey["survey_date"].dt.year.max())
        survey = survey[survey["survey_date"].dt.year == year]
        street = survey["street"].mode()[0]
        community = survey["community_id"].mode()[0]
        withheld = 0
        for scope, rows in (
            (Filters(), survey),
            (Filters(street=street), survey[survey["street"] == street]),
            (Filters(community_id=community), survey[survey["community_id"] == community]),
        ):
            actual = satisfaction.satisfaction_by_respondent(store, scope, year, MIN_N, attribute)
            expected = pandas_respondent_groups(rows, attribute, MIN_N)
            # Which cells count, and the figures they make; se and the interval are test_satisfaction's (against R).
            assert actual.loc[actual["suppressed"].astype(bool), ["se", "ci_low", "ci_high"]].isna().all().all()
            pd.testing.assert_frame_equal(
                actual[list(expected.columns)].astype({"n": int, "n_withheld": int, "suppressed": bool}),
                expected.astype({"n": int, "n_withheld": int, "suppressed": bool}),
                check_dtype=False,
                rtol=1e-12,
            )
            withheld += expected["n_withheld"].sum()
        assert withheld > 0  # the rule is at work here, not vacuously true
    finally:
        store.close()


SURVEY_COLUMNS = ["community_id", "survey_date", "overall", "weight", "gender", "age_group"]
