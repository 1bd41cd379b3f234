"""A 问卷星 download through the real page (issue 18): the proposed mapping shown, confirmed by
loading, and the questionnaire's own questions on the satisfaction page, in Chinese.

The export and what it means come from :mod:`tools.survey_exports`."""

from __future__ import annotations

from tools.survey_exports import platform_exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _mapping_table(view) -> dict[str, str] | None:
    """The questionnaire's mapping table as drawn: question -> column (the grid's accessible twin)."""
    grids = view.page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map((grid) =>
             [...grid.querySelectorAll('[role="columnheader"], [role="gridcell"]')].map((c) => c.innerText))"""
    )
    for cells in grids:
        if cells[:3] == ["题目（文件表头）", "对应字段", "所属主题（可选）"] and len(cells) > 3:
            rows = cells[3:]
            return {rows[i]: rows[i + 1] for i in range(0, len(rows) - 2, 3)}
    return None


def _texts(view, selector: str) -> list[str]:
    return [t.strip() for t in view.page.locator(selector).all_inner_texts()]


def test_a_wenjuanxing_download_is_mapped_loaded_and_its_own_questions_shown(own_server, tab):
    export = next(e for e in platform_exports() if e.platform == "wjx" and e.kind == "text" and e.fmt == "xlsx")
    view = tab(lang="zh").open(f"{own_server}/data?lang=zh")
    view.page.locator(".st-key-data_files input[type='file']").set_input_files(
        files=[{"name": export.name, "mimeType": XLSX, "buffer": export.data}]
    )
    mapping = view.until(lambda: _mapping_table(view), "the mapping table")
    view.settle()
    assert "问卷星导出：请核对题目对应" in " ".join(_texts(view, "h3"))
    assert mapping["4、您对社区服务的总体满意度是？"] == "总体满意度（overall）"
    assert mapping["5、(社区环境卫生)"] == "环境卫生（environment）"
    assert mapping["7、您对社区垃圾分类工作的满意度"] == "自设题目"
    assert mapping["9、您对社区物业管理的总体评分（0-10分）"] == "自设题目"
    # Personal columns are not offered at all, only counted.
    assert "来自IP" not in mapping and "11、您的手机号码（选填）" not in mapping
    captions = " ".join(_texts(view, "[data-testid='stCaptionContainer']"))
    assert "5 列个人信息" in captions, captions

    view.page.locator(".st-key-data_load button").click()
    view.settle()
    success = view.until(lambda: _texts(view, "[data-testid='stAlertContentSuccess']"), "loaded", seconds=120)
    rated = int(export.truth["overall"].notna().sum())
    assert any(f"{rated} 行" in s for s in success), success
    assert not view.exceptions(), view.exceptions()

    page = tab(lang="zh").open(f"{own_server}/satisfaction?lang=zh&year=2024")
    body = page.until(lambda: page.page.evaluate("() => document.body.textContent"), "the page")
    for text in ("问卷自设题目", "您对社区垃圾分类工作的满意度", "社区停车管理"):
        assert text in body, text
    assert not page.exceptions(), page.exceptions()


def test_option_numbers_wait_for_their_direction_then_load(own_server, tab):
    """A 腾讯问卷 download of scores (选项分值): bare numbers, so the page asks which way they run,
    beside how often each was given, and the load button waits for the answer."""
    export = next(e for e in platform_exports() if e.platform == "tencent" and e.kind == "score" and e.fmt == "xlsx")
    view = tab(lang="zh").open(f"{own_server}/data?lang=zh")
    view.page.locator(".st-key-data_files input[type='file']").set_input_files(
        files=[{"name": export.name, "mimeType": XLSX, "buffer": export.data}]
    )
    choice = view.until(lambda: view.page.locator(".st-key-data_likert_order").count(), "the direction choice")
    assert choice
    view.settle()
    assert view.page.locator(".st-key-data_load button").is_disabled()
    errors = " ".join(_texts(view, "[data-testid='stAlertContentError']"))
    assert "1 代表“非常满意”还是“非常不满意”取决于问卷" in errors, errors
    view.page.locator(".st-key-data_likert_order").get_by_text("低分在前").click()
    view.settle()
    view.until(lambda: view.page.locator(".st-key-data_load button").is_enabled(), "the load button")
    view.page.locator(".st-key-data_load button").click()
    view.settle()
    success = view.until(lambda: _texts(view, "[data-testid='stAlertContentSuccess']"), "loaded", seconds=120)
    rated = int(export.truth["overall"].notna().sum())
    assert any(f"{rated} 行" in s for s in success), success
    assert not view.exceptions(), view.exceptions()
