"""Every value format DATA_CONTRACT.md accepts, and the ones it rejects."""

import datetime as dt

import hypothesis.strategies as st
import pytest
from hypothesis import given

from community_eval.core.schema import ENUMS, TABLES, Kind
from community_eval.ingest.values import (
    PLACEHOLDERS,
    Invalid,
    clean_text,
    fold,
    is_placeholder,
    is_scientific_code,
    notice_for,
    parse_cell,
    restore_zeros,
    role_also_director,
)

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


# ---- issue 14: what offices write and what Excel does to values ------------------------------

EXIT = TABLES["staff"].column("exit_date")
ROLE = TABLES["staff"].column("role")
EDUCATION = TABLES["staff"].column("education")
GENDER = TABLES["staff"].column("gender")
CERTIFIED = TABLES["staff"].column("certified_social_worker")
SURVEY_DATE = TABLES["survey"].column("survey_date")
DEPARTMENT = TABLES["tasks"].column("department")
YEAR = TABLES["facilities"].column("year")
LATITUDE = TABLES["communities"].column("latitude")
SERVICE = TABLES["survey"].column("service")
PLACEHOLDER_SPELLINGS = [
    "—",
    "–",
    "-",
    "/",
    "无",
    "暂无",
    "空",
    "N/A",
    "——",
    "--",
    "n/a",
    "NA",
    "na",
    " — ",
    "ＮＡ",
    "－",
]
EVERY_KIND = [NAME, DEPARTMENT, POPULATION, AREA, LATITUDE, HIRE, PERIOD, OVERALL, SERVICE, KIND, ROLE, GENDER]


@pytest.mark.parametrize("text", PLACEHOLDER_SPELLINGS)
@pytest.mark.parametrize("column", EVERY_KIND, ids=lambda c: c.name)
def test_placeholders_are_empty_in_every_kind_of_column(text, column):
    assert is_placeholder(text)
    assert parse_cell(text, column) is None


@pytest.mark.parametrize("text", [t for t in PLACEHOLDER_SPELLINGS if fold(t) != "无"])
def test_placeholders_are_empty_in_a_yes_no_column_too_but_wu_is_no(text):
    assert parse_cell(text, FLAG) is None
    assert parse_cell(text, CERTIFIED) is None
    assert parse_cell("无", FLAG) is False
    assert parse_cell("有", FLAG) is True


@pytest.mark.parametrize("text", ["—x", "N/A/", "n / a", "无人", "暂无数据", "0", "-5", "na1", "nan", "A"])
def test_other_texts_are_no_placeholders(text):
    assert not is_placeholder(text)


def test_a_placeholder_in_a_text_column_is_empty_but_a_word_containing_one_is_kept():
    assert parse_cell("暂无", NAME) is None
    assert parse_cell("无名社区", NAME) == "无名社区"
    assert parse_cell("N/A社区", NAME) == "N/A社区"


def test_minus_five_is_still_a_number():
    assert parse_cell("-5", LATITUDE) == -5.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("政法\n（社会救助）", "政法 （社会救助）"),
        ("政法\r\n（社会救助）", "政法 （社会救助）"),
        ("红光  社区", "红光 社区"),
        ("红光\t社区", "红光 社区"),
        ("红光\u3000\u3000社区", "红光 社区"),
        ("\u3000红光 \n 社区 ", "红光 社区"),
        ("红光\xa0社区", "红光 社区"),
        ("红光 社区", "红光 社区"),
        ("\n\t\u3000", None),
    ],
)
def test_text_is_trimmed_and_whitespace_runs_and_line_breaks_become_one_space(text, expected):
    assert parse_cell(text, DEPARTMENT) == expected
    assert clean_text(text) == expected


def test_enums_and_numbers_fold_whitespace_runs_too():
    assert parse_cell("very   satisfied", OVERALL) == 5
    assert parse_cell("Very\nSatisfied", OVERALL) == 5
    assert parse_cell("300\u3000\u3000㎡", AREA) == 300.0
    assert parse_cell("2024 年\n3 月", PERIOD) == dt.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45536", dt.date(2024, 9, 1)),
        ("45536.0", dt.date(2024, 9, 1)),
        ("45536.75", dt.date(2024, 9, 1)),
        ("45292", dt.date(2024, 1, 1)),
        ("10000", dt.date(1927, 5, 18)),
        ("99999", dt.date(2173, 10, 13)),
        ("４５５３６", dt.date(2024, 9, 1)),
    ],
)
def test_excel_serial_numbers_are_days_in_date_columns(text, expected):
    assert parse_cell(text, HIRE) == expected
    assert notice_for(text, HIRE) == "excel_serial_date"


@pytest.mark.parametrize(("text", "expected"), [("45536", dt.date(2024, 9, 1)), ("45565.5", dt.date(2024, 9, 1))])
def test_excel_serial_numbers_are_their_month_in_month_columns(text, expected):
    assert parse_cell(text, PERIOD) == expected
    assert notice_for(text, PERIOD) == "excel_serial_date"


@pytest.mark.parametrize("text", ["9999", "100000", "04553", "45536.", "45,536", "+45536", "45536e0", "-45536"])
def test_other_numbers_are_no_serial_dates(text):
    with pytest.raises(Invalid):
        parse_cell(text, HIRE)
    assert notice_for(text, HIRE) is None


@pytest.mark.parametrize("text", ["2024.1", "２０２４．１", " 2024.1 "])
@pytest.mark.parametrize("column", [PERIOD, HIRE, EXIT], ids=lambda c: c.name)
def test_a_month_written_2024_point_1_is_ambiguous(text, column):
    with pytest.raises(Invalid) as caught:
        parse_cell(text, column)
    assert caught.value.reason == "ambiguous_month"
    assert notice_for(text, column) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024.10", dt.date(2024, 10, 1)),
        ("2024.01", dt.date(2024, 1, 1)),
        ("2024.11", dt.date(2024, 11, 1)),
        ("2024.2", dt.date(2024, 2, 1)),
        ("2024.9", dt.date(2024, 9, 1)),
        ("2024-1", dt.date(2024, 1, 1)),
        ("2024/1", dt.date(2024, 1, 1)),
        ("2024年1月", dt.date(2024, 1, 1)),
        ("2024.1月", dt.date(2024, 1, 1)),
        ("2024.1.1", dt.date(2024, 1, 1)),
        ("2024.1.15", dt.date(2024, 1, 1)),
    ],
)
def test_months_that_say_which_month_they_are(text, expected):
    assert parse_cell(text, PERIOD) == expected
    assert notice_for(text, PERIOD) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014.03", dt.date(2014, 3, 1)),
        ("2014-03", dt.date(2014, 3, 1)),
        ("2014/3", dt.date(2014, 3, 1)),
        ("2014年3月", dt.date(2014, 3, 1)),
        ("201403", dt.date(2014, 3, 1)),
        ("2014.10", dt.date(2014, 10, 1)),
        ("2014.3", dt.date(2014, 3, 1)),
    ],
)
def test_a_date_column_given_only_a_month_is_its_first_day(text, expected):
    assert parse_cell(text, HIRE) == expected
    assert notice_for(text, HIRE) == "month_only_date"
    assert parse_cell(text, EXIT) == expected


@pytest.mark.parametrize("text", ["2014-13", "201413", "2014.0", "0000-03"])
def test_a_month_that_does_not_exist_is_no_date(text):
    with pytest.raises(Invalid, match="not_a_date"):
        parse_cell(text, HIRE)
    assert notice_for(text, HIRE) is None


@pytest.mark.parametrize("text", ["2024-03-05", "2024/3/5", "2024年3月5日", "20240305", "", "—", "abc"])
def test_no_notice_for_what_needs_no_word(text):
    assert notice_for(text, HIRE) is None
    assert notice_for("45536", POPULATION) is None
    assert notice_for("45536", NAME) is None


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("村改居社区", KIND, "village_converted"),
        ("村改居", KIND, "village_converted"),
        ("村改居 社区", KIND, "village_converted"),
        ("纯社区", KIND, "urban"),
        ("纯", KIND, "urban"),
        ("城市社区", KIND, "urban"),
        ("城市", KIND, "urban"),
        ("乡镇社区", KIND, "township"),
        ("乡镇", KIND, "township"),
        ("集镇", KIND, "township"),
        ("农村社区", KIND, "rural"),
        ("大学本科", EDUCATION, "bachelor_or_above"),
        ("本科学历", EDUCATION, "bachelor_or_above"),
        ("研究生及以上", EDUCATION, "bachelor_or_above"),
        ("硕士研究生", EDUCATION, "bachelor_or_above"),
        ("博士", EDUCATION, "bachelor_or_above"),
        ("大学专科", EDUCATION, "college"),
        ("专科", EDUCATION, "college"),
        ("大专学历", EDUCATION, "college"),
        ("中专", EDUCATION, "high_school"),
        ("职高", EDUCATION, "high_school"),
        ("技校", EDUCATION, "high_school"),
        ("初中", EDUCATION, "junior_or_below"),
        ("小学", EDUCATION, "junior_or_below"),
        ("党支部书记", ROLE, "secretary"),
        ("党委书记", ROLE, "secretary"),
        ("社区书记", ROLE, "secretary"),
        ("社区党总支书记", ROLE, "secretary"),
        ("党支部副书记", ROLE, "deputy_secretary"),
        ("居委会主任", ROLE, "director"),
        ("社区主任", ROLE, "director"),
        ("居委会副主任", ROLE, "deputy_director"),
        ("社区居委会副主任", ROLE, "deputy_director"),
        ("居委会委员", ROLE, "member"),
        ("党支部委员", ROLE, "member"),
        ("两委委员", ROLE, "member"),
        ("专职网格员", ROLE, "grid_worker"),
    ],
)
def test_enum_words_with_suffixes_and_committees(text, expected, column):
    assert parse_cell(text, column) == expected


@pytest.mark.parametrize(
    ("text", "column"), [("社区", KIND), ("学历", EDUCATION), ("男社区", GENDER), ("博士后社区", KIND)]
)
def test_a_suffix_alone_or_on_another_word_is_no_enum_word(text, column):
    with pytest.raises(Invalid, match="not_in_enum"):
        parse_cell(text, column)


SECRETARY_AND_DIRECTOR = [
    "书记、主任",
    "书记兼主任",
    "书记（兼主任）",
    "书记(兼主任)",
    "书记/主任",
    "书记／主任",
    "书记,主任",
    "书记，主任",
    "书记 主任",
    "主任、书记",
    "党支部书记、居委会主任",
    "党支部书记兼居委会主任",
    "社区党委书记、居委会主任",
    "书记、主任（一肩挑）",
    "书记主任一肩挑",
    "书记兼任主任",
    "书记和主任",
    "书记（一肩挑）",
    "一肩挑",
    "Secretary, Director",
    "secretary/director",
]


@pytest.mark.parametrize("text", SECRETARY_AND_DIRECTOR)
def test_a_secretary_who_is_also_director_is_a_secretary(text):
    assert role_also_director(text)
    assert parse_cell(text, ROLE) == "secretary"


@pytest.mark.parametrize(
    "text",
    ["书记", "主任", "Secretary", "书记、副主任", "副书记、主任", "书记、书记", "书记、主任、委员", "秘书、主任", ""],
)
def test_other_roles_are_not_both_posts(text):
    assert not role_also_director(text)


@pytest.mark.parametrize("text", ["书记、副主任", "副书记、主任", "书记、主任、委员", "秘书、主任"])
def test_other_combinations_of_roles_are_refused(text):
    with pytest.raises(Invalid, match="not_in_enum"):
        parse_cell(text, ROLE)


def test_single_roles_keep_their_code():
    assert parse_cell("主任", ROLE) == "director"
    assert parse_cell("书记", ROLE) == "secretary"


@pytest.mark.parametrize(
    "text", ["4.29004E+11", "4.29e11", "4.29004E+011", "4.29004e+11", "4E+11", " 4.29004E+11 ", "１.２E+１２"]
)
def test_codes_in_scientific_notation(text):
    assert is_scientific_code(text)


@pytest.mark.parametrize(
    "text", ["429004000000", "A1", "4.29", "2E3", "1E4", "4.29004E-11", "42.9E10", "E11", "4.2.9E11", ""]
)
def test_other_codes_are_not_scientific(text):
    assert not is_scientific_code(text)


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        ("728001", {"0728001", "728002"}, "0728001"),
        ("728001", ["00728001", "1728001"], "00728001"),
        ("728001", {"0728001", "00728001"}, None),
        ("728001", {"728001", "0728001"}, None),
        ("728001", {"1728001"}, None),
        ("728001", set(), None),
        ("0728001", {"00728001"}, None),
        ("A728001", {"0A728001"}, None),
        ("28001", {"0728001"}, None),
        (" 728001 ", {"0728001"}, "0728001"),
    ],
)
def test_restore_zeros_finds_the_one_code_with_its_leading_zeros(text, known, expected):
    assert restore_zeros(text, known) == expected


# ---- no conversion changes a value that needs none --------------------------------------------

ISO_DATES = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
PLAIN_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="\x85"),
    min_size=1,
    max_size=12,
)


@given(ISO_DATES)
def test_an_iso_date_is_itself(day):
    assert parse_cell(day.isoformat(), HIRE) == day
    assert notice_for(day.isoformat(), HIRE) is None
    assert parse_cell(day.isoformat(), PERIOD) == day.replace(day=1)
    assert parse_cell(f"{day.year:04d}-{day.month:02d}", PERIOD) == day.replace(day=1)


@given(st.integers(min_value=0, max_value=10**15))
def test_a_plain_whole_number_is_itself(number):
    assert parse_cell(str(number), POPULATION) == number


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_a_plain_decimal_is_itself(number):
    assert parse_cell(repr(number), AREA) == number


@given(st.sampled_from([(column, value) for column in ENUMS for value in ENUMS[column]]))
def test_an_enum_code_and_its_words_are_themselves(pair):
    column_name, value = pair
    column = next(c for t in TABLES.values() for c in t.columns if c.name == column_name and c.kind is Kind.ENUM)
    for word in (value.code, value.zh, value.en, *value.aliases):
        assert parse_cell(word, column) == value.code


@given(PLAIN_TEXT.filter(lambda t: t == t.strip() and not is_placeholder(t)))
def test_text_without_whitespace_to_fix_is_itself(text):
    assert parse_cell(text, NAME) == text


@given(st.lists(PLAIN_TEXT, min_size=1, max_size=4))
def test_words_with_single_spaces_between_them_are_themselves(words):
    text = " ".join(words)
    if not is_placeholder(text):
        assert parse_cell(text, NAME) == text


@given(st.text(max_size=12))
def test_squashing_twice_changes_nothing(text):
    once = clean_text(text)
    assert once is None or clean_text(once) == once
    assert fold(fold(text)) == fold(text)


@given(st.sampled_from(sorted(PLACEHOLDERS)), st.sampled_from(EVERY_KIND))
def test_every_placeholder_is_empty(text, column):
    assert parse_cell(text.upper(), column) is None


@given(st.dates(min_value=dt.date(1927, 5, 18), max_value=dt.date(2173, 10, 13)))
def test_a_date_read_by_a_rule_says_so_and_one_written_out_does_not(day):
    serial = str((day - dt.date(1899, 12, 30)).days)
    assert parse_cell(serial, HIRE) == day and notice_for(serial, HIRE) == "excel_serial_date"
    month = f"{day.year}年{day.month}月"
    assert parse_cell(month, HIRE) == day.replace(day=1) and notice_for(month, HIRE) == "month_only_date"
    for written in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d")):
        assert parse_cell(written, HIRE) == day and notice_for(written, HIRE) is None


def test_year_stays_bounded_loosely_in_the_database():
    assert YEAR.maximum == 2100 and YEAR.not_in_future
    assert SURVEY_DATE.not_in_future and PERIOD.not_in_future
