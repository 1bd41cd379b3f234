"""Both languages have every message, and every message the code asks for exists."""

import re
from pathlib import Path

import pytest

from community_eval.core.i18n import catalog, format_value, language_from_locale, translate

ROOT = Path(__file__).resolve().parent.parent
LITERAL_KEY = re.compile(r"""\btr\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")


def test_languages_have_the_same_keys():
    assert set(catalog("zh")) == set(catalog("en"))


def test_placeholders_match_between_languages():
    for key, zh in catalog("zh").items():
        fields, english = set(re.findall(r"{(\w+)", zh)), set(re.findall(r"{(\w+)", catalog("en")[key]))
        # Streamlit's words are matched by their English; a translation may leave out what only
        # English can say (an icon's English name: "add icon" is 图标).
        assert fields <= english if key.startswith("streamlit.") else fields == english, key


def test_every_literal_key_in_the_code_exists():
    sources = [*ROOT.glob("pages/*.py"), ROOT / "dashboard.py", *ROOT.glob("community_eval/**/*.py")]
    used = {key for path in sources for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert used, "the pattern found no keys: it is broken"
    assert not used - set(catalog("zh")), sorted(used - set(catalog("zh")))


#: Every module of the loading layer makes Problems and Notices; each reason needs its words.
LOADING_MODULES = sorted((ROOT / "community_eval" / "ingest").glob("*.py"))
#: questionnaire.py collects its problems and notices as tuples (position, column, value, reason, params)
#: and (key, column, count, params) before the loader makes them Problems and Notices.
_QUESTIONNAIRE_PROBLEM = re.compile(r"""out\.problems\.append\(\(.*?["']([a-z_]+)["'],\s*\{""")
_QUESTIONNAIRE_NOTICE = re.compile(r"""out\.notices\.append\(\(\s*["']([a-z_]+)["']""")


def test_every_loader_reason_has_a_message():
    reasons = set()
    for path in LOADING_MODULES:
        text = path.read_text(encoding="utf-8")
        reasons |= set(
            re.findall(r"""(?:Invalid|ReadError|Problem|_problem|MappingError)\(\s*["']([a-z_]+)["']""", text)
        )
        reasons |= set(_QUESTIONNAIRE_PROBLEM.findall(text))
    assert {"not_likert", "unknown_community", "ragged_row", "likert_direction_unknown", "unit_refused"} <= reasons
    assert {"not_on_scale", "community_name_ambiguous", "mapping_private", "mapping_target_unknown"} <= reasons
    for reason in reasons:
        assert f"reason.{reason}" in catalog("zh") and f"reason.{reason}" in catalog("en"), reason


def test_every_notice_of_a_load_has_a_message():
    """What the loader did to values (a conversion, a repair) is said in both languages."""
    keys = set()
    for path in LOADING_MODULES:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""(?:Notice|_notice)\(\s*["']([a-z_]+)["']""", text))
        keys |= set(_QUESTIONNAIRE_NOTICE.findall(text))
    keys |= {"excel_serial_date", "month_only_date"}  # values.notice_for's keys
    # questionnaire.py's notices whose key is chosen by an expression (turned or kept, one line for 说不清)
    keys |= {"likert_kept", "answer_unsure"}
    assert {"unit_converted", "zeros_restored", "code_from_name", "set_value", "likert_turned"} <= keys
    assert {"answer_rescaled", "community_from_name", "personal_codes_dropped", "rows_without_overall"} <= keys
    for key in keys:
        assert f"notice.{key}" in catalog("zh") and f"notice.{key}" in catalog("en"), key


@pytest.mark.parametrize(
    ("locale", "lang"), [("zh-CN", "zh"), ("zh-TW", "zh"), ("en-US", "en"), ("fr-FR", "en"), (None, "zh")]
)
def test_language_from_browser_locale(locale, lang):
    assert language_from_locale(locale) == lang


def test_number_formats():
    assert format_value(12345, "int", "zh") == "12,345"
    assert format_value(0.1234, "share", "en") == "12.3%"
    assert format_value(2000, "yuan", "zh") == "2,000元"
    assert format_value(2000, "yuan", "en") == "¥2,000"
    assert format_value(float("nan"), "mean", "en") == "—"
    assert translate("en", "overview.delta", change="+1") == "+1 on last year"
