"""Through the real widgets: a GBK CSV with Chinese headers uploaded with the file uploader
(mapping, preview, problem report, then loaded and seen on the pages), and the offline
report downloaded from the sidebar and opened from disk with the network cut."""

from __future__ import annotations

import time

from community_eval.core.i18n import Translator

#: Two new communities with the contract's Chinese headers; the second has a population
#: that is not a number, so the report must name row 3, its column and its value.
GBK_CSV = (
    "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\n"
    "XT900,测试新社区,仙桃市,干河街道,纯社区,4200,1500\n"
    "XT901,错误社区,仙桃市,干河街道,纯社区,四千,1200\n"
).encode("gbk")


def _grids(view) -> list[list[str]]:
    """The cells of every table on the page, headers first, row by row.

    The grid draws on a canvas; these are the cells of its accessible twin in the DOM.
    """
    return view.page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map((grid) =>
             [...grid.querySelectorAll('[role="columnheader"], [role="gridcell"]')].map((c) => c.innerText))"""
    )


def _grids_drawn(view, count: int, seconds: float = 30) -> list[list[str]]:
    """The first ``count`` grids that have cells, waiting for them: a busy machine can settle
    the page before every grid's accessible cells are in the DOM."""
    deadline = time.monotonic() + seconds
    while True:
        grids = [grid for grid in _grids(view) if grid]
        if len(grids) >= count or time.monotonic() > deadline:
            return grids[:count]
        view.page.wait_for_timeout(250)


def _communities_metric(view) -> str:
    return view.page.locator("[data-testid='stMetricValue']").first.inner_text()


def test_a_gbk_csv_through_the_uploader_is_checked_then_loaded(own_server, tab):
    overview = tab(lang="zh").open(f"{own_server}/?lang=zh")
    assert _communities_metric(overview) == "79"

    view = tab(lang="zh").open(f"{own_server}/data?lang=zh")
    view.page.locator(".st-key-data_files input[type='file']").set_input_files(
        files=[{"name": "新社区.csv", "mimeType": "text/csv", "buffer": GBK_CSV}]
    )
    view.settle()
    mapping, preview, problems = _grids_drawn(view, 3)
    assert mapping[mapping.index("社区编码") + 1] == "community_id", "the header mapping"
    assert mapping[mapping.index("常住人口") + 1] == "population"
    assert "测试新社区" in preview and "urban" in preview, "the preview, decoded from GBK, the type read"
    assert problems[-4:] == ["3", "population", "四千", "不是数字"], "the problem: row, column, value, reason"
    load = view.page.locator(".st-key-data_load button")
    assert load.is_disabled(), "a file with problems is not loaded unless asked"

    view.page.locator(".st-key-data_skip_invalid label").click()
    view.settle()
    view.page.locator(".st-key-data_load button").click()
    view.settle()
    assert "1" in view.page.locator("[data-testid='stAlert']").last.inner_text()
    assert not view.exceptions() and not view.errors, (view.exceptions(), view.errors)

    again = tab(lang="zh").open(f"{own_server}/?lang=zh")
    assert _communities_metric(again) == "80", "the pages see the new community"


def test_the_offline_report_downloads_and_opens_without_a_network(server, tab, browser, tmp_path):
    view = tab(lang="en").open(f"{server}/?lang=en")
    with view.page.expect_download(timeout=120_000) as download:
        view.page.get_by_role("button", name=Translator("en")("report.download")).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".html" and path.stat().st_size > 1_000_000, "plotly.js is inside"

    offline = browser.new_context(offline=True)
    try:
        page = offline.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4")
        assert page.locator(".js-plotly-plot").count() >= 4
        assert not requests, requests
        assert not errors, errors
    finally:
        offline.close()
