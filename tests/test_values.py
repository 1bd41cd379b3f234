"""Every value format DATA_CONTRACT.md accepts, and the ones it rejects."""

import datetime as dt

import pytest

from community_eval.schema import TABLES
from community_eval.values import Invalid, parse_cell

AREA = TABLES["facilities"].column("office_area_m2")
BUDGET = TABLES["facilities"].column("operating_budget_yuan")
HOURS = TABLES["tasks"].column("hours")
COUNT = TABLES["tasks"].column("task_count")
FLAG = TABLES["tasks"].column("admitted")
HIRE = TABLES["staff"].column("hire_date")
PERIOD = TABLES["tasks"].column("period")
OVERALL = TABLES["survey"].column("overall")
KIND = TABLES["communities"].column("community_type")
NAME = TABLES["communities"].column("community_name")
WEIGHT = TABLES["survey"].column("weight")
POPULATION = TABLES["communities"].column("population")


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("1234", POPULATION, 1234),
        ("1,234", POPULATION, 1234),
        ("1 234", POPULATION, 1234),
        ("１２３４", POPULATION, 1234),
        ("1,234,567", POPULATION, 1234567),
        ("300㎡", AREA, 300.0),
        ("300平方米", AREA, 300.0),
        ("300 m2", AREA, 300.0),
        ("300m²", AREA, 300.0),
        ("2000元", BUDGET, 2000.0),
        ("12小时", HOURS, 12.0),
        ("12h", HOURS, 12.0),
        ("3.5", HOURS, 3.5),
        ("12.0", COUNT, 12),
        ("", AREA, None),
    ],
)
def test_numbers(text, column, expected):
    assert parse_cell(text, column) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [("abc", "not_a_number"), ("300元", "wrong_unit"), ("-5", "below_minimum"), ("x12", "not_a_number")],
)
def test_bad_numbers(text, reason):
    with pytest.raises(Invalid) as caught:
        parse_cell(text, AREA)
    assert caught.value.reason == reason


def test_integers_and_ranges():
    with pytest.raises(Invalid, match="not_an_integer"):
        parse_cell("2.5", COUNT)
    with pytest.raises(Invalid, match="below_minimum"):
        parse_cell("0", COUNT)
    with pytest.raises(Invalid, match="below_minimum"):
        parse_cell("0", WEIGHT)  # weight must be > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, True) for t in ("1", "true", "TRUE", "yes", "Y", "y", "是", "有", "✓")],
        *[(t, False) for t in ("0", "false", "No", "n", "否", "无", "✗")],
    ],
)
def test_booleans(text, expected):
    assert parse_cell(text, FLAG) is expected


def test_bad_boolean():
    with pytest.raises(Invalid, match="not_a_bool"):
        parse_cell("maybe", FLAG)


@pytest.mark.parametrize(
    "text", ["2024-03-05", "2024/3/5", "2024.3.5", "20240305", "2024年3月5日", "2024-03-05 00:00:00", "２０２４-03-05"]
)
def test_dates(text):
    assert parse_cell(text, HIRE) == dt.date(2024, 3, 5)


@pytest.mark.parametrize(("text", "reason"), [("2024-02-30", "no_such_date"), ("March 5", "not_a_date")])
def test_bad_dates(text, reason):
    with pytest.raises(Invalid) as caught:
        parse_cell(text, HIRE)
    assert caught.value.reason == reason


@pytest.mark.parametrize("text", ["2024-03", "2024/3", "2024年3月", "202403", "2024-03-17", "2024年3月5日"])
def test_months(text):
    assert parse_cell(text, PERIOD) == dt.date(2024, 3, 1)


def test_bad_month():
    with pytest.raises(Invalid, match="not_a_month"):
        parse_cell("2024-13", PERIOD)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("非常满意", 5),
        ("满意", 4),
        ("一般", 3),
        ("基本满意", 3),
        ("不满意", 2),
        ("不太满意", 2),
        ("非常不满意", 1),
        ("Very satisfied", 5),
        ("dissatisfied", 2),
        ("5", 5),
        ("１", 1),
        ("4.0", 4),
    ],
)
def test_likert(text, expected):
    assert parse_cell(text, OVERALL) == expected


@pytest.mark.parametrize("text", ["0", "6", "好", "3.5"])
def test_bad_likert(text):
    with pytest.raises(Invalid, match="not_likert"):
        parse_cell(text, OVERALL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("纯社区", "urban"),
        ("城市社区", "urban"),
        ("村改居", "village_converted"),
        ("集镇社区", "township"),
        ("Township", "township"),
        ("村", "rural"),
    ],
)
def test_enums_by_code_or_chinese_word(text, expected):
    assert parse_cell(text, KIND) == expected


def test_text_is_trimmed_full_width_spaces_included():
    assert parse_cell("\u3000红光社区 ", NAME) == "红光社区"
    assert parse_cell("\u3000 ", NAME) is None
