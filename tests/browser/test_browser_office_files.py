"""Office-shaped files through the real uploader (issue 14): the detection report, the mapping,
the notices and the one-value field on the data page, in Chinese, then loaded and seen on the
overview. The files and what they mean come from :mod:`tools.office_files`."""

from __future__ import annotations

import re

from tools import office_files
from tools.office_files import OfficeFile

MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
}
#: The height of a row of Streamlit's table (and of its header row), in CSS pixels.
ROW_PX = 35
#: What a Chinese reader may see of the Latin alphabet in a report line: none.
LATIN = re.compile(r"[A-Za-z]")


def _shape(key: str) -> OfficeFile:
    (office,) = [f for f in office_files.office_files() if f.key == key]
    return office


def _grids(view) -> list[list[str]]:
    """The cells of every table drawn on the page, headers first (the grid's accessible twin)."""
    return view.page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map((grid) =>
             [...grid.querySelectorAll('[role="columnheader"], [role="gridcell"]')].map((c) => c.innerText))"""
    )


def _mapping(view) -> dict[str, list[str]]:
    """The header-mapping table: each header as written -> [column, conversion]."""

    def drawn():
        for grid in _grids(view):
            if grid[:3] == ["文件表头", "字段", "换算与说明"] and len(grid) > 3:
                cells = grid[3:]
                return {cells[i]: cells[i + 1 : i + 3] for i in range(0, len(cells) - 2, 3)}
        return None

    return view.until(drawn, "the mapping table")


def _texts(view, selector: str) -> list[str]:
    """The text of every element ``selector`` matches now, read in one step.

    Reading them one by one raced the rerun: an alert counted by ``.all()`` could be gone
    before its ``inner_text`` and then Playwright waited 30 s for it (CI failed so once).
    """
    return [text.strip() for text in view.page.locator(selector).all_inner_texts()]


def _captions(view) -> list[str]:
    return _texts(view, "[data-testid='stExpander'] [data-testid='stCaptionContainer']")


def _alerts(view, kind: str, within: str = "") -> list[str]:
    """The text of the st.info / st.error / st.success … boxes (``kind``: Info, Error, Success, Warning)."""
    return _texts(view, f"{within} [data-testid='stAlertContent{kind}']".strip())


def _notices(view) -> list[str]:
    """The notices of the file's report (the page's own sign-in note above is not one)."""
    return _alerts(view, "Info", within="[data-testid='stExpander']")


def _upload(view, office: OfficeFile, replace: bool = False, unfold: bool = True) -> None:
    """Choose the load mode, then hand the file to the uploader and wait for its report (unfolded)."""
    if replace:
        view.page.locator(".st-key-data_mode").get_by_text("整表替换").click()
        view.settle()
        view.until(lambda: view.page.locator(".st-key-data_mode input[type='radio']").nth(1).is_checked(), "replace")
    suffix = office.name[office.name.rfind(".") :]
    view.page.locator(".st-key-data_files input[type='file']").set_input_files(
        files=[{"name": office.name, "mimeType": MIME[suffix], "buffer": office.data}]
    )
    view.until(lambda: view.page.locator("[data-testid='stExpander']").count(), "the file's report")
    view.settle()
    if unfold:
        _open_reports(view)


def _open_reports(view) -> None:
    """A file without problems has its report folded: open it, as a reader would."""
    for summary in view.page.locator("[data-testid='stExpander'] details:not([open]) > summary").all():
        summary.click()
    view.settle()


def _load(view) -> str:
    """Press the load button; the success message."""
    button = view.page.locator(".st-key-data_load button")
    assert button.is_enabled(), "the load button"
    button.click()
    view.settle()
    success = view.until(lambda: _alerts(view, "Success"), "the success message", seconds=120)
    assert not view.exceptions() and not view.errors, (view.exceptions(), view.errors)
    return success[-1]


def _communities(tab, base: str) -> str:
    overview = tab(lang="zh").open(f"{base}/?lang=zh")
    return overview.page.locator("[data-testid='stMetricValue']").first.inner_text()


def test_a_titled_merged_statistics_table_is_detected_then_replaces_the_communities(own_server, tab):
    office = _shape("a")
    (layout,) = office.layout.values()
    view = tab(lang="zh").open(f"{own_server}/data?lang=zh")
    _upload(view, office, replace=True)

    captions = view.until(lambda: _captions(view), "the detection report")
    (line,) = [c for c in captions if c.startswith("工作表")]
    assert f"工作表“{office.sheets and next(iter(office.sheets))}”" in line, "the one sheet, by its title"
    header, above = layout["header_rows"][0], layout["skipped_above"]
    assert f"表头在第 {header} 行" in line, line
    assert f"跳过第 {above[0]}–{above[-1]} 行" in line, line
    assert f"{len(layout['totals'])} 行合计" in line and f"{len(layout['notes'])} 行备注" in line, line
    assert "合并单元格" in line, line
    assert f"{len(office.expected)} 行" in line, "the sheet's rows"
    assert not LATIN.search(line), f"English on the Chinese page: {line}"
    assert "未使用的列：序号" in captions, "the row numbers' column is left out, and said so"

    mapping = _mapping(view)
    assert mapping["区县"][0] == "district" and mapping["街道（乡镇）"][0] == "street"
    assert mapping["常住人口（人）"] == ["population", ""], "人 is the column's own unit: nothing converted"
    assert not _alerts(view, "Error") and not _alerts(view, "Warning"), "no problems"
    assert "79 行，0 个问题" in view.page.locator("[data-testid='stExpander'] summary").first.inner_text()

    assert "79" in _load(view)
    assert _communities(tab, own_server) == str(len(office.expected))


def test_a_roster_with_one_sheet_per_street_reports_each_sheet_and_its_notices(own_server, tab):
    office = _shape("d")
    view = tab(lang="zh").open(f"{own_server}/data?lang=zh")
    _upload(view, office, unfold=False)
    opened = view.page.locator("[data-testid='stExpander'] details[open]")
    assert opened.count() == 1, "a report with notices is open without a click: what was done to values is seen"

    lines = view.until(lambda: _captions(view), "the detection report")
    sheet_lines = [line for line in lines if line.startswith("工作表")]
    assert len(sheet_lines) == len(office.sheets), lines
    for (title, meaning), line in zip(office.sheets.items(), sheet_lines, strict=True):
        assert line.startswith(f"工作表“{title}”"), (title, line)
        if meaning.kind == "instructions":
            assert "已跳过" in line, line
        else:
            assert f"→ 社区工作者，{meaning.rows} 行" in line and "表头在第 2 行" in line, line
        assert not LATIN.search(line), f"English on the Chinese page: {line}"

    mapping = _mapping(view)
    assert mapping["性别"][0] == "gender" and mapping["是否持社工证"][0] == "certified_social_worker"
    assert mapping["离职原因"][0] == "exit_reason"
    heights = view.page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stExpander"] [data-testid="stDataFrame"]')]
             .map((grid) => grid.getBoundingClientRect().height)"""
    )
    assert heights[0] >= ROW_PX * (len(mapping) + 1), ("every header in sight, none behind a scroll", heights)
    notices = view.until(lambda: _notices(view), "the notices")
    month_only = office.notices[("month_only_date", "hire_date")]
    assert any("一肩挑" in n and f"{int(office.expected['also_director'].sum())} 个" in n for n in notices), notices
    assert any("只写了年月" in n and f"{month_only} 个" in n for n in notices), notices
    assert not _alerts(view, "Error"), "no problems"
    assert view.page.locator(".st-key-data_load button").is_enabled()
    assert not view.exceptions() and not view.errors, (view.exceptions(), view.errors)


def test_a_city_table_without_its_district_is_given_one_then_loads(own_server, tab):
    office = _shape("h")
    view = tab(lang="zh").open(f"{own_server}/data?lang=zh")
    _upload(view, office, replace=True)

    errors = view.until(lambda: _alerts(view, "Error"), "the missing column")
    assert any("缺少必填列 区县（district）" in e for e in errors), errors
    assert view.page.locator(".st-key-data_load button").is_disabled()
    field = view.page.locator(".st-key-data_set_district input")
    assert "为所有行填写 区县（district）" in view.page.locator(".st-key-data_set_district").inner_text()

    field.fill("仙桃市")
    field.press("Enter")
    view.until(lambda: not _alerts(view, "Error"), "the problem going away")
    view.settle()
    assert view.page.locator(".st-key-data_load button").is_enabled()
    _open_reports(view)
    assert _mapping(view)["（统一指定）"] == ["district", "每行填为“仙桃市”"]
    assert any("仙桃市" in n and "79 行" in n for n in _notices(view)), "the notice of the given value"

    assert "79" in _load(view)
    assert _communities(tab, own_server) == "79"
