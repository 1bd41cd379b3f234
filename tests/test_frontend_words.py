"""Streamlit's and plotly's own words, translated by what they say: the rules the page script
follows (checked here with their Python twin, :func:`frontend_words.translate`), the script
itself, and that each English word is one Streamlit's or plotly's code really writes."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
import streamlit

from community_eval.app import frontend_words
from community_eval.core.i18n import Translator, catalog

ZH = frontend_words.streamlit_words("zh")
#: Streamlit's frontend as installed: every English word it can show is in one of these files.
BUNDLE = "\n".join(
    path.read_text(encoding="utf-8", errors="replace")
    for path in (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("*.js")
)


def test_a_template_becomes_an_anchored_pattern_whose_fields_match_any_text():
    regex, names = frontend_words.pattern("Help for {label}")
    assert (regex, names) == (r"^Help for ([\s\S]+?)$", ["label"])
    assert re.match(regex, "Help for 人均事项\n（件）").group(1) == "人均事项\n（件）"
    assert frontend_words.pattern("a.b (c) {x}/{y}?")[0] == r"^a\.b \(c\) ([\s\S]+?)\/([\s\S]+?)\?$"


@pytest.mark.parametrize(
    ("shown", "chinese"),
    [
        ("Upload", "上传"),
        ("  Upload ", "  上传 "),  # the spaces around a word stay where they were
        ("100MB per file", "每个文件不超过 100MB"),
        ("Remove 社区.xlsx", "移除 社区.xlsx"),
        ("Help for 人均服务居民", "“人均服务居民”的说明"),
        ("3 of 12 results", "第 3 条，共 12 条结果"),  # the longer template wins over "{count} results"
        ("12 results", "12 条结果"),
        ("add icon", "图标"),  # a field the translation leaves out
    ],
)
def test_streamlits_words_read_in_chinese(shown, chinese):
    assert frontend_words.translate(ZH, shown) == chinese


@pytest.mark.parametrize("text", ["人均事项", "", "   ", "2025", "Uploads", "Upload now", "社区 Upload"])
def test_anything_else_is_left_as_it_is(text):
    assert frontend_words.translate(ZH, text) is None


def test_an_english_page_has_no_words_to_change():
    english = frontend_words.streamlit_words("en")
    assert english["exact"] == {} and english["patterns"] == []
    assert frontend_words.translate(english, "Upload") is None
    assert frontend_words.plotly_config(Translator("en")) == {}


def test_every_word_of_the_locale_files_is_in_the_script():
    """Each [streamlit] key is either a whole text or a template, in Chinese different from English."""
    keys = [key for key in catalog("en") if key.startswith("streamlit.")]
    assert len(ZH["exact"]) + len(ZH["patterns"]) == len(keys)
    for key in keys:
        assert frontend_words.translate(ZH, catalog("en")[key].format_map(_Fields())) is not None, key


class _Fields(dict):
    """Fills each field of a template with a sample value: "Remove {name}" → "Remove name-1"."""

    def __missing__(self, key: str) -> str:
        return f"{key}-1"


def test_the_script_carries_the_words_and_cannot_be_ended_early(monkeypatch):
    script = frontend_words.script("zh")
    words = json.loads(re.search(r"const given = (\{.*?\});\n", script).group(1).replace("<\\/", "</"))
    assert words == json.loads(json.dumps(ZH))
    monkeypatch.setitem(catalog("zh"), "streamlit.upload", "</script><b>上传")
    frontend_words.streamlit_words.cache_clear()
    try:
        assert "</script>" not in frontend_words.script("zh")
    finally:
        frontend_words.streamlit_words.cache_clear()


def test_plotly_gets_a_dictionary_of_its_own_words():
    config = frontend_words.plotly_config(Translator("zh"))
    dictionary = config["locales"][config["locale"]]["dictionary"]
    assert dictionary["Zoom"] == catalog("zh")["plotly.zoom"]
    assert dictionary["Download plot as a PNG"] == catalog("zh")["plotly.download_png"]
    assert len(dictionary) == len([key for key in catalog("en") if key.startswith("plotly.")])


#: Words Streamlit builds from pieces, so no file holds them whole: the table search's counter
#: ("12 results", "3 of 12 results"), a select box's count for screen readers ("19 options
#: available."), a statistics chart's description ("Top values frequency chart: " + its values) and
#: a histogram bar's, whose keys come from the chart's data fields ("binStart") and tooltip ("Range").
ASSEMBLED = {
    "streamlit.options_available",
    "streamlit.option_available",
    "streamlit.top_values",
    "streamlit.search_results",
    "streamlit.search_result",
    "streamlit.search_at",
    "streamlit.search_at_one",
    "streamlit.search_at_over",
    "streamlit.histogram_bar",
}


@pytest.mark.parametrize(
    "key", [key for key in catalog("en") if key.split(".")[0] in ("streamlit", "plotly") and key not in ASSEMBLED]
)
def test_each_english_word_is_one_the_installed_frontend_writes(key):
    """A Streamlit or plotly upgrade that rewords one would show it in English again."""
    for literal, *_ in string.Formatter().parse(catalog("en")[key]):
        if literal.strip():
            assert literal in BUNDLE, f"{key}: {literal!r} is not in Streamlit's frontend"
